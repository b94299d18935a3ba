/** Rules, their results (funnel) and the inbox, over REST. Admins write rules; members read and work the inbox. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BeckonError, Id, LIMITS, RuleInput } from '@beckon/protocol';
import type { InboxRow, Store } from '@beckon/db';
import type { EngageService } from '../engage/engage-service';
import type { QualityService } from '../quality/quality-service';
import { roleOn } from './access';
import { requireAccount } from './auth-routes';
import { parse } from './errors';

const SiteParams = z.object({ siteId: Id });
const RuleParams = SiteParams.extend({ ruleId: Id });
const ItemParams = z.object({ itemId: Id });
const FunnelQuery = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });
const InboxQuery = z.object({ status: z.enum(['open', 'resolved']).default('open'), before: z.string().regex(/^\d{1,15}_[\w-]{1,64}$/).optional(), limit: z.coerce.number().int().min(1).max(200).default(LIMITS.inboxPage) });
const InboxPatch = z.object({
  status: z.enum(['open', 'resolved']).optional(),
  /** take it (yourself) or hand it back (null) */
  assignee: z.enum(['me']).nullable().optional(),
  answer: z.string().trim().min(1).max(4000).optional(),
});

export interface EngageRouteDeps {
  store: Store;
  engage: EngageService;
  quality: QualityService;
  now: () => number;
}

export function engageRoutes(d: EngageRouteDeps) {
  return async function plugin(app: FastifyInstance) {
    const { store } = d;
    app.addHook('preHandler', requireAccount);

    app.get('/api/sites/:siteId/rules', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId);
      return { rules: await store.listRules(siteId) };
    });
    app.post('/api/sites/:siteId/rules', async (req, reply) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId, 'admin');
      const input = parse(RuleInput, req.body);
      if ((await store.countRules(siteId)) >= LIMITS.rulesPerSite) throw new BeckonError('VALIDATION_FAILED', `A site has at most ${LIMITS.rulesPerSite} rules: delete one first.`);
      const rule = await store.createRule(siteId, input, d.now());
      await d.engage.reload(siteId);
      return reply.status(201).send(rule);
    });
    app.put('/api/sites/:siteId/rules/:ruleId', async (req) => {
      const { siteId, ruleId } = parse(RuleParams, req.params);
      await roleOn(store, req, siteId, 'admin');
      const rule = await store.updateRule(siteId, ruleId, parse(RuleInput, req.body), d.now());
      if (!rule) throw new BeckonError('NOT_FOUND');
      await d.engage.reload(siteId);
      return rule;
    });
    app.delete('/api/sites/:siteId/rules/:ruleId', async (req, reply) => {
      const { siteId, ruleId } = parse(RuleParams, req.params);
      await roleOn(store, req, siteId, 'admin');
      if (!(await store.deleteRule(siteId, ruleId))) throw new BeckonError('NOT_FOUND');
      await d.engage.reload(siteId);
      return reply.status(204).send();
    });
    app.get('/api/sites/:siteId/funnel', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      const { days } = parse(FunnelQuery, req.query);
      await roleOn(store, req, siteId);
      return { days, rows: await store.funnel(siteId, d.now() - days * 86_400_000) };
    });

    const view = async (i: InboxRow) => {
      const [visitor, assignee, emails] = await Promise.all([store.getVisitor(i.visitorId), i.assigneeId ? store.getAccount(i.assigneeId) : null, store.quality.emailsFor([i.id])]);
      // what became of the emailed answer (the console shows a failure)
      const answerEmail = emails.filter((e) => e.kind === 'answer').pop() ?? null;
      return { ...i, visitorName: visitor?.name ?? null, assigneeName: assignee?.name ?? null, answerEmail: answerEmail && { to: answerEmail.to, status: answerEmail.status, error: answerEmail.lastError, attempts: answerEmail.attempts } };
    };
    app.get('/api/sites/:siteId/inbox', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId);
      const { status, before, limit } = parse(InboxQuery, req.query);
      // in pages, newest first: `next` continues where this page ended
      const cursor = before ? { at: Number(before.split('_')[0]), id: before.slice(before.indexOf('_') + 1) } : null;
      const rows = await store.listInbox([siteId], status, limit + 1, cursor);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: await Promise.all(page.map(view)), next: rows.length > limit && last ? `${last.createdAt}_${last.id}` : null };
    });
    app.patch('/api/inbox/:itemId', async (req) => {
      const { itemId } = parse(ItemParams, req.params);
      const body = parse(InboxPatch, req.body);
      const item = await store.getInboxItem(itemId);
      if (!item) throw new BeckonError('NOT_FOUND');
      await roleOn(store, req, item.siteId);
      const now = d.now();
      const updated = await store.updateInboxItem(itemId, {
        ...(body.status ? { status: body.status, resolvedAt: body.status === 'resolved' ? now : null } : {}),
        ...(body.assignee !== undefined ? { assigneeId: body.assignee === 'me' ? req.account!.id : null } : {}),
        ...(body.answer ? { answer: body.answer, answeredAt: now, answerSeenAt: null } : {}),
      });
      // the answer also goes to the address the visitor left, when email is set up
      if (body.answer) await d.quality.answered(updated!, req.account!.name);
      return view(updated!);
    });
  };
}
