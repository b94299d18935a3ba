/** Site settings and members: admins change them, every member may read them. */
import { background } from '../lib/background';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BeckonError, DEFAULT_APPEARANCE, Id, LIMITS, MemberCreate, MemberPatch, SiteCreate, SiteDelete, SitePatch, type MemberView, type Role } from '@beckon/protocol';
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
  /** a site or a visitor is gone: live state and open connections go too */
  onSiteDeleted?: (siteId: string) => void;
  onVisitorErased?: (visitorId: string) => void;
}

export function siteRoutes(d: SiteRouteDeps) {
  return async function plugin(app: FastifyInstance) {
    const { store } = d;

    const roleOn = (req: FastifyRequest, siteId: string, need?: Role) => memberRole(store, req, siteId, need);
    async function members(siteId: string): Promise<MemberView[]> {
      return (await store.listMembers(siteId, { includeDisabled: true })).map((m) => ({ accountId: m.accountId, email: m.email, name: m.name, role: m.role, capacity: m.capacity, skills: m.skills ?? [], status: m.disabled ? 'offline' : d.presence.status(m.accountId), disabled: !!m.disabled }));
    }
    /** the caller administers every site this account works on: only then may they rename it (an account is shared between sites) */
    async function managesAccount(req: FastifyRequest, accountId: string): Promise<boolean> {
      const mine = new Set((await store.membershipsOf(req.account!.id)).filter((m) => m.role === 'admin').map((m) => m.siteId));
      const theirs = await store.allMembershipsOf(accountId);
      return theirs.every((m) => mine.has(m.siteId));
    }
    async function assertAdminRemains(siteId: string, accountId: string) {
      const admins = (await store.listMembers(siteId)).filter((m) => m.role === 'admin');
      if (admins.length === 1 && admins[0]!.accountId === accountId) throw new BeckonError('LAST_ADMIN');
    }
    /** their open consoles reconnect at once and come back with what they may do now */
    async function refreshSessions(accountId: string) {
      d.operators.in(rooms.account(accountId)).disconnectSockets(true);
    }

    app.addHook('preHandler', requireAccount);

    // a new site; its creator is its first admin (any admin of a site may create more)
    app.post('/api/sites', async (req, reply) => {
      const body = parse(SiteCreate, req.body);
      if (!(await store.membershipsOf(req.account!.id)).some((m) => m.role === 'admin')) throw new BeckonError('FORBIDDEN', 'Only admins can create sites.');
      const site = await store.createSite({ name: body.name, allowedOrigins: [...new Set(body.allowedOrigins)], appearance: { ...DEFAULT_APPEARANCE, teamName: body.name }, defaultLang: body.defaultLang, idleCloseMinutes: 30 }, d.now());
      await store.putMembership({ accountId: req.account!.id, siteId: site.id, role: 'admin', capacity: LIMITS.defaultCapacity }, d.now());
      await refreshSessions(req.account!.id);
      reply.status(201);
      return site;
    });

    app.delete('/api/sites/:siteId', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(req, siteId, 'admin');
      const { confirmName } = parse(SiteDelete, req.body ?? {});
      const site = await store.getSite(siteId);
      if (!site) throw new BeckonError('NOT_FOUND');
      if (confirmName.trim() !== site.name) throw new BeckonError('VALIDATION_FAILED', 'Type the site name exactly to confirm: everything of the site is deleted.');
      const members = await store.listMembers(siteId, { includeDisabled: true });
      await store.deleteSite(siteId);
      d.onSiteDeleted?.(siteId);
      for (const m of members) await refreshSessions(m.accountId);
      return { ok: true };
    });

    /** The Install page: where the widget has been seen and where it was refused. */
    app.get('/api/sites/:siteId/install', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(req, siteId);
      const site = await store.getSite(siteId);
      return { allowedOrigins: site?.allowedOrigins ?? [], sightings: await store.sightings(siteId) };
    });

    const VisitorParams = SiteParams.extend({ visitorId: Id });
    const visitorOf = async (req: FastifyRequest) => {
      const { siteId, visitorId } = parse(VisitorParams, req.params);
      await roleOn(req, siteId, 'admin');
      const v = await store.getVisitor(visitorId);
      if (!v || v.siteId !== siteId) throw new BeckonError('NOT_FOUND');
      return v;
    };
    /** everything stored about one visitor, as JSON (a data-subject request) */
    app.get('/api/sites/:siteId/visitors/:visitorId/export', async (req, reply) => {
      const v = await visitorOf(req);
      const data = await store.exportVisitor(v.id);
      reply.header('content-disposition', `attachment; filename="beckon-visitor-${v.id}.json"`);
      return { exportedAt: d.now(), visitorId: v.id, data };
    });
    /** erase everything about one visitor: messages, journey, offers, inbox items, identity */
    app.delete('/api/sites/:siteId/visitors/:visitorId', async (req) => {
      const v = await visitorOf(req);
      await store.eraseVisitor(v.id);
      // after the rows are gone: the file sweep keeps whatever a row still refers to
      d.onVisitorErased?.(v.id);
      return { ok: true };
    });

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
      const { appearance, allowedOrigins, engagement, routing, retention, quality, attachments, ...rest } = patch;
      const updated = await store.updateSite(siteId, {
        ...rest,
        ...(attachments ? { attachments: { ...site.attachments, ...attachments } } : {}),
        ...(routing ? { routing: { ...site.routing, ...routing } } : {}),
        ...(retention ? { retention: { ...site.retention, ...retention } } : {}),
        ...(quality ? { quality: { ...site.quality, ...quality } } : {}),
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
      } else if ((await store.allMembershipsOf(account.id)).some((m) => m.siteId === siteId)) {
        throw new BeckonError('EMAIL_TAKEN', 'This person is already a member of the site.');
      } else if (!(await managesAccount(req, account.id))) {
        // the account works for sites this admin does not run: neither its name nor its sites are theirs to see
        throw new BeckonError('EMAIL_TAKEN', 'This email belongs to an account this site cannot add; ask its owner, or use another address.');
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
      const current = (await store.listMembers(siteId, { includeDisabled: true })).find((m) => m.accountId === accountId);
      if (!current) throw new BeckonError('NOT_FOUND');
      if ((body.role && body.role !== 'admin') || body.disabled) await assertAdminRemains(siteId, accountId);
      if (body.name && body.name !== current.name && !(await managesAccount(req, accountId))) throw new BeckonError('FORBIDDEN', 'This account also works for other sites: only they can rename it.');
      await store.putMembership({ accountId, siteId, role: body.role ?? current.role, capacity: body.capacity ?? current.capacity, ...(body.skills ? { skills: body.skills } : {}), ...(body.disabled !== undefined ? { disabled: body.disabled } : {}) }, d.now());
      if (body.name) await store.updateAccount(accountId, { name: body.name });
      if (body.disabled && !current.disabled) await d.chat.router.requeueAll(accountId, siteId, 'operator_disabled');
      if ((body.role && body.role !== current.role) || body.disabled !== undefined) await refreshSessions(accountId);
      if (body.capacity || body.skills || body.disabled !== undefined) {
        background(d.chat.dispatch(siteId), app.log, 'dispatch');
        d.chat.hooks.capacity?.(siteId);
      }
      return (await members(siteId)).find((m) => m.accountId === accountId);
    });

    app.delete('/api/sites/:siteId/members/:accountId', async (req) => {
      const { siteId, accountId } = parse(MemberParams, req.params);
      await roleOn(req, siteId, 'admin');
      await assertAdminRemains(siteId, accountId);
      if (!(await store.removeMembership(accountId, siteId))) throw new BeckonError('NOT_FOUND');
      // their chats go back to the queue now, and their open console tabs lose the site at once
      await d.chat.router.requeueAll(accountId, siteId, 'operator_removed');
      await refreshSessions(accountId);
      d.chat.hooks.capacity?.(siteId);
      return { ok: true };
    });
  };
}
