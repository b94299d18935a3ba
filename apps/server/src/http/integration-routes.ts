/**
 * Settings → Integrations, for a site's admins (the console's cookie): API tokens (shown once,
 * stored hashed), the audit log of what they did, webhook endpoints and their delivery log.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BeckonError, EndpointCreate, EndpointPatch, Id, TokenCreate, WEBHOOK_EVENTS, type AuditView, type DeliveryView, type EndpointView, type TokenView, type WebhookEvent } from '@beckon/protocol';
import { newId, type ApiTokenRow, type DeliveryRow, type Store, type WebhookEndpointRow } from '@beckon/db';
import type { Webhooks } from '../integrations/webhooks';
import { newWebhookSecret } from '../integrations/webhooks';
import { roleOn } from './access';
import { hashToken } from './api-v1';
import { requireAccount } from './auth-routes';
import { parse } from './errors';

const SiteParams = z.object({ siteId: Id });
const TokenParams = SiteParams.extend({ tokenId: Id });
const EndpointParams = SiteParams.extend({ endpointId: Id });
const DeliveryParams = EndpointParams.extend({ deliveryId: Id });
const PageQuery = z.object({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const MAX_TOKENS = 50;
const MAX_ENDPOINTS = 20;

export interface IntegrationRouteDeps {
  store: Store;
  webhooks: Webhooks;
  now: () => number;
}

export const tokenView = (t: ApiTokenRow): TokenView => ({ id: t.id, name: t.name, prefix: t.prefix, scopes: t.scopes, createdAt: t.createdAt, createdBy: t.createdBy, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt });
const deliveryView = (r: DeliveryRow): DeliveryView => ({ id: r.id, eventId: r.eventId, event: r.event, status: r.status, attempts: r.attempts, createdAt: r.createdAt, nextAt: r.status === 'pending' ? r.nextAt : null, finishedAt: r.finishedAt, lastStatus: r.lastStatus, lastError: r.lastError, lastMs: r.lastMs, body: r.body });

export function integrationRoutes(d: IntegrationRouteDeps) {
  const { store } = d;
  const ints = store.integrations;
  return async function plugin(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount);
    const admin = (req: FastifyRequest, siteId: string) => roleOn(store, req, siteId, 'admin');
    async function endpointOf(req: FastifyRequest): Promise<WebhookEndpointRow> {
      const { siteId, endpointId } = parse(EndpointParams, req.params);
      await admin(req, siteId);
      const e = await ints.getEndpoint(endpointId);
      if (!e || e.siteId !== siteId) throw new BeckonError('NOT_FOUND');
      return e;
    }
    async function endpointView(e: WebhookEndpointRow): Promise<EndpointView> {
      const recent = await ints.listDeliveries(e.id, null, 200);
      const lastDone = recent.find((r) => r.finishedAt !== null || r.attempts > 0);
      return {
        id: e.id,
        url: e.url,
        description: e.description,
        events: e.events as WebhookEvent[],
        enabled: e.enabled,
        createdAt: e.createdAt,
        pending: recent.filter((r) => r.status === 'pending').length,
        failed: recent.filter((r) => r.status === 'failed').length,
        last: lastDone ? { at: lastDone.finishedAt ?? lastDone.createdAt, status: lastDone.lastStatus, ok: lastDone.status === 'delivered' } : null,
      };
    }

    // ---- API tokens

    app.get('/api/sites/:siteId/tokens', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await admin(req, siteId);
      return { tokens: (await ints.listTokens(siteId)).map(tokenView) };
    });
    app.post('/api/sites/:siteId/tokens', async (req, reply) => {
      const { siteId } = parse(SiteParams, req.params);
      await admin(req, siteId);
      const body = parse(TokenCreate, req.body);
      const live = (await ints.listTokens(siteId)).filter((t) => t.revokedAt === null);
      if (live.length >= MAX_TOKENS) throw new BeckonError('VALIDATION_FAILED', `A site has at most ${MAX_TOKENS} tokens: revoke one first.`);
      const secret = `bk_${randomBytes(32).toString('base64url')}`;
      const now = d.now();
      const row = await ints.createToken({ id: newId(), siteId, name: body.name, prefix: secret.slice(0, 10), hash: hashToken(secret), scopes: body.scope === 'write' ? ['read', 'write'] : ['read'], createdBy: req.account!.id, createdAt: now, expiresAt: body.expiresInDays ? now + body.expiresInDays * 86_400_000 : null });
      reply.status(201);
      // the only time the token is shown
      return { token: tokenView(row), secret };
    });
    app.delete('/api/sites/:siteId/tokens/:tokenId', async (req) => {
      const { siteId, tokenId } = parse(TokenParams, req.params);
      await admin(req, siteId);
      if (!(await ints.revokeToken(siteId, tokenId, d.now()))) throw new BeckonError('NOT_FOUND');
      return { ok: true };
    });
    app.get('/api/sites/:siteId/audit', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await admin(req, siteId);
      const { before, limit } = parse(PageQuery, req.query);
      const rows = await ints.listAudit(siteId, before ?? null, limit + 1);
      const items: AuditView[] = rows.slice(0, limit).map(({ siteId: _s, ...r }) => r);
      return { items, next: rows.length > limit ? items[items.length - 1]!.seq : null };
    });

    // ---- webhooks

    app.get('/api/sites/:siteId/webhooks', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await admin(req, siteId);
      return { endpoints: await Promise.all((await ints.listEndpoints(siteId)).map(endpointView)), events: WEBHOOK_EVENTS, allowPrivate: d.webhooks.allowPrivate };
    });
    app.post('/api/sites/:siteId/webhooks', async (req, reply) => {
      const { siteId } = parse(SiteParams, req.params);
      await admin(req, siteId);
      const body = parse(EndpointCreate, req.body);
      d.webhooks.checkUrl(body.url);
      if ((await ints.listEndpoints(siteId)).length >= MAX_ENDPOINTS) throw new BeckonError('VALIDATION_FAILED', `A site has at most ${MAX_ENDPOINTS} webhook endpoints.`);
      const e = await ints.createEndpoint({ id: newId(), siteId, url: body.url, description: body.description, events: [...new Set(body.events)], secret: newWebhookSecret(), enabled: true, createdAt: d.now() });
      await d.webhooks.reload();
      reply.status(201);
      return { endpoint: await endpointView(e), secret: e.secret };
    });
    app.patch('/api/sites/:siteId/webhooks/:endpointId', async (req) => {
      const e = await endpointOf(req);
      const body = parse(EndpointPatch, req.body);
      if (body.url) d.webhooks.checkUrl(body.url);
      const secret = body.rotateSecret ? newWebhookSecret() : undefined;
      const updated = await ints.updateEndpoint(e.id, { ...(body.url ? { url: body.url } : {}), ...(body.description !== undefined ? { description: body.description } : {}), ...(body.events ? { events: [...new Set(body.events)] } : {}), ...(body.enabled !== undefined ? { enabled: body.enabled } : {}), ...(secret ? { secret } : {}) });
      await d.webhooks.reload();
      return { endpoint: await endpointView(updated!), secret };
    });
    /** the signing secret, for an admin wiring up the receiver */
    app.get('/api/sites/:siteId/webhooks/:endpointId/secret', async (req) => ({ secret: (await endpointOf(req)).secret }));
    app.delete('/api/sites/:siteId/webhooks/:endpointId', async (req) => {
      const e = await endpointOf(req);
      await ints.deleteEndpoint(e.id);
      await d.webhooks.reload();
      return { ok: true };
    });
    app.post('/api/sites/:siteId/webhooks/:endpointId/test', async (req) => ({ deliveryId: await d.webhooks.ping(await endpointOf(req)) }));
    app.get('/api/sites/:siteId/webhooks/:endpointId/deliveries', async (req) => {
      const e = await endpointOf(req);
      const { before, limit } = parse(PageQuery, req.query);
      const rows = await ints.listDeliveries(e.id, before ?? null, limit + 1);
      const page = rows.slice(0, limit);
      return { items: page.map(deliveryView), next: rows.length > limit ? page[page.length - 1]!.seq : null };
    });
    app.post('/api/sites/:siteId/webhooks/:endpointId/deliveries/:deliveryId/redeliver', async (req) => {
      const e = await endpointOf(req);
      const { deliveryId } = parse(DeliveryParams, req.params);
      const row = await ints.getDelivery(deliveryId);
      if (!row || row.endpointId !== e.id) throw new BeckonError('NOT_FOUND');
      return { deliveryId: await d.webhooks.redeliver(row) };
    });
  };
}
