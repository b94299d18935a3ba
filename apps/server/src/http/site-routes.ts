/** Site settings and members: admins change them, every member may read them. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BeckonError, Id, LIMITS, MemberCreate, MemberPatch, SitePatch, type MemberView, type Role } from '@beckon/protocol';
import type { Store } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import type { Presence } from '../chat/presence';
import { rooms, type OperatorNamespace } from '../chat/types';
import { roleOn as memberRole } from './access';
import { requireAccount } from './auth-routes';
import { parse } from './errors';
import { generatePassword, hashPassword } from './passwords';

const SiteParams = z.object({ siteId: Id });
const MemberParams = SiteParams.extend({ accountId: Id });

export interface SiteRouteDeps {
  store: Store;
  chat: ChatService;
  presence: Presence;
  operators: OperatorNamespace;
  now: () => number;
  /** settings changed: engagement recompiles */
  onSiteChanged?: (siteId: string) => void;
}

export function siteRoutes(d: SiteRouteDeps) {
  return async function plugin(app: FastifyInstance) {
    const { store } = d;

    const roleOn = (req: FastifyRequest, siteId: string, need?: Role) => memberRole(store, req, siteId, need);
    async function members(siteId: string): Promise<MemberView[]> {
      return (await store.listMembers(siteId)).map((m) => ({ accountId: m.accountId, email: m.email, name: m.name, role: m.role, capacity: m.capacity, skills: m.skills ?? [], status: d.presence.status(m.accountId) }));
    }
    async function assertAdminRemains(siteId: string, accountId: string) {
      const admins = (await store.listMembers(siteId)).filter((m) => m.role === 'admin');
      if (admins.length === 1 && admins[0]!.accountId === accountId) throw new BeckonError('LAST_ADMIN');
    }

    app.addHook('preHandler', requireAccount);

    app.get('/api/sites/:siteId', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      const role = await roleOn(req, siteId);
      const site = await store.getSite(siteId);
      if (site && role !== 'admin') delete site.identitySecret;
      return site;
    });

    app.patch('/api/sites/:siteId', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(req, siteId, 'admin');
      const patch = parse(SitePatch, req.body);
      const site = await store.getSite(siteId);
      if (!site) throw new BeckonError('NOT_FOUND');
      const { appearance, allowedOrigins, engagement, routing, ...rest } = patch;
      const updated = await store.updateSite(siteId, {
        ...rest,
        ...(routing ? { routing: { ...site.routing, ...routing } } : {}),
        ...(engagement ? { engagement: { ...site.engagement, ...engagement } } : {}),
        ...(allowedOrigins ? { allowedOrigins: [...new Set(allowedOrigins)] } : {}),
        ...(appearance ? { appearance: { ...site.appearance, ...appearance } } : {}),
      });
      await d.chat.broadcastSite(siteId);
      d.onSiteChanged?.(siteId);
      return updated;
    });

    app.get('/api/sites/:siteId/members', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(req, siteId);
      return members(siteId);
    });

    app.post('/api/sites/:siteId/members', async (req, reply) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(req, siteId, 'admin');
      const body = parse(MemberCreate, req.body);
      let account = await store.getAccountByEmail(body.email);
      let password: string | undefined;
      if (!account) {
        password = body.password ?? generatePassword();
        account = await store.createAccount({ email: body.email, name: body.name, passwordHash: await hashPassword(password) }, d.now());
      } else if ((await store.membershipsOf(account.id)).some((m) => m.siteId === siteId)) {
        throw new BeckonError('EMAIL_TAKEN', 'This person is already a member of the site.');
      }
      await store.putMembership({ accountId: account.id, siteId, role: body.role, capacity: body.capacity ?? LIMITS.defaultCapacity }, d.now());
      const member = (await members(siteId)).find((m) => m.accountId === account.id);
      reply.status(201);
      // the generated password is shown once, to the admin who created the account
      return { member, password: body.password ? undefined : password };
    });

    app.patch('/api/sites/:siteId/members/:accountId', async (req) => {
      const { siteId, accountId } = parse(MemberParams, req.params);
      await roleOn(req, siteId, 'admin');
      const body = parse(MemberPatch, req.body);
      const current = (await store.listMembers(siteId)).find((m) => m.accountId === accountId);
      if (!current) throw new BeckonError('NOT_FOUND');
      if (body.role && body.role !== 'admin') await assertAdminRemains(siteId, accountId);
      await store.putMembership({ accountId, siteId, role: body.role ?? current.role, capacity: body.capacity ?? current.capacity, ...(body.skills ? { skills: body.skills } : {}) }, d.now());
      if (body.name) await store.updateAccount(accountId, { name: body.name });
      if (body.capacity || body.skills) {
        void d.chat.dispatch(siteId);
        d.chat.hooks.capacity?.(siteId);
      }
      return (await members(siteId)).find((m) => m.accountId === accountId);
    });

    app.delete('/api/sites/:siteId/members/:accountId', async (req) => {
      const { siteId, accountId } = parse(MemberParams, req.params);
      await roleOn(req, siteId, 'admin');
      await assertAdminRemains(siteId, accountId);
      if (!(await store.removeMembership(accountId, siteId))) throw new BeckonError('NOT_FOUND');
      // their open console tabs lose the site at once
      d.operators.in(rooms.account(accountId)).disconnectSockets(true);
      return { ok: true };
    });
  };
}
