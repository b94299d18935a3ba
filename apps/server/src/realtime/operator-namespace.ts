/** `/operator`: the console's namespace, authenticated by the session cookie. */
import { background } from '../lib/background';
import { describeUserAgent } from '../lib/user-agent';
import { visitorDisplayName } from '../chat/chat-service';
import { BeckonError, OperatorClientEventSchemas, type OperatorClientEvents } from '@beckon/protocol';
import type { ConversationRow, Store } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import type { EngageService } from '../engage/engage-service';
import type { Presence } from '../chat/presence';
import { rooms, type OperatorNamespace } from '../chat/types';
import type { Sessions } from '../http/sessions';
import { connectError } from './connect-error';
import { handlers, type GuardContext } from './guard';

export interface OperatorNsDeps extends GuardContext {
  store: Store;
  chat: ChatService;
  engage: EngageService;
  presence: Presence;
  sessions: Sessions;
  /** origins the console is served from; other browser origins are refused */
  consoleOrigins: string[];
}

/** every event the console may send (the tenant test walks them all) */
export const OPERATOR_EVENTS = Object.keys(OperatorClientEventSchemas);

export function setupOperatorNamespace(ns: OperatorNamespace, d: OperatorNsDeps): void {
  ns.use(async (socket, next) => {
    try {
      const origin = socket.handshake.headers.origin;
      const host = socket.handshake.headers.host;
      // Cookies ride along on WebSocket handshakes from any page: refuse foreign browser origins.
      if (origin && !d.consoleOrigins.includes(origin) && origin !== `http://${host}` && origin !== `https://${host}`) {
        return next(connectError('FORBIDDEN', `Origin ${origin} may not open the operator console.`));
      }
      const who = await d.sessions.fromCookieHeader(socket.handshake.headers.cookie);
      if (!who) return next(connectError('UNAUTHENTICATED'));
      const memberships = await d.store.membershipsOf(who.account.id);
      socket.data = { accountId: who.account.id, name: who.account.name, sites: memberships.map((m) => ({ siteId: m.siteId, role: m.role })) };
      next();
    } catch (err) {
      d.log.error({ err }, 'operator handshake failed');
      next(connectError('INTERNAL'));
    }
  });

  // an operator's tabs on other nodes came or went (or a node died): grace periods, what widgets are
  // told at connect and free slots are worked out here too; the node where it happened told the consoles
  d.presence.onRemoteChange((accountId, _before, after) => {
    background(
      (async () => {
        const siteIds = (await d.store.membershipsOf(accountId)).map((m) => m.siteId);
        d.chat.router.presenceChanged(accountId, siteIds, after);
        for (const id of siteIds) {
          d.chat.siteChangedElsewhere(id);
          if (after === 'online') await d.chat.dispatch(id);
        }
      })(),
      d.log,
      'presence on another node',
    );
  });

  ns.on('connection', (socket) => {
    const { accountId, name, sites } = socket.data;
    const siteIds = sites.map((s) => s.siteId);
    background(socket.join([rooms.account(accountId), ...siteIds.map(rooms.siteOperators)]), d.log, 'joining rooms');

    const presenceChanged = (before: string, after: string) => {
      if (before === after) return;
      d.chat.router.presenceChanged(accountId, siteIds, after);
      for (const id of siteIds) {
        background(d.chat.broadcastSite(id), d.log, 'site broadcast');
        if (after === 'online') background(d.chat.dispatch(id), d.log, 'dispatch');
      }
    };
    const c = d.presence.connect(accountId);
    socket.emit('operator:status', { status: d.presence.status(accountId) });
    presenceChanged(c.before, c.after);
    socket.on('disconnect', () => {
      d.engage.unwatch(socket.id);
      const x = d.presence.disconnect(accountId);
      presenceChanged(x.before, x.after);
    });

    const load = async (id: string): Promise<ConversationRow> => {
      const conv = await d.store.getConversation(id);
      if (!conv || !siteIds.includes(conv.siteId)) throw new BeckonError('NOT_FOUND');
      return conv;
    };

    const on = handlers<OperatorClientEvents>()(socket, d, OperatorClientEventSchemas);
    on('operator:status', async ({ status }) => {
      const before = d.presence.status(accountId);
      d.presence.choose(accountId, status);
      ns.to(rooms.account(accountId)).emit('operator:status', { status });
      presenceChanged(before, d.presence.status(accountId));
      return { status };
    });
    // paged (601 open conversations in one answer took 2.2 s): open ones newest first, the newest closed ones with the first page
    on('conversation:list', async (p) => {
      const open = await d.store.listOpenPage(siteIds, p.after ?? null, p.limit + 1);
      const more = open.length > p.limit;
      const page = open.slice(0, p.limit);
      const rows = p.after ? page : [...page, ...(await d.store.listClosed(siteIds, 50))];
      const last = page[page.length - 1];
      return { conversations: await Promise.all(rows.map((r) => d.chat.summary(r))), next: more && last ? { at: last.lastMessageAt, id: last.id } : null };
    });
    on('conversation:sync', async (p) => d.chat.sync(await load(p.conversationId), p.lastSeq, (c) => d.chat.summary(c)));
    on('conversation:history', async (p) => d.chat.history(await load(p.conversationId), p.beforeSeq, p.limit));
    on('conversation:read', async (p) => {
      const conv = await load(p.conversationId);
      await d.store.markRead(conv.id, 'operator', p.seq);
      const fresh = await d.store.getConversation(conv.id);
      // the other consoles clear the unread count; the visitor sees "Seen" when the mark moved
      if (fresh && fresh.operatorReadSeq !== conv.operatorReadSeq) await d.chat.publish(fresh);
      else if (fresh) d.chat.operatorsOf(fresh.siteId).emit('conversation:upsert', await d.chat.summary(fresh));
    });
    on('conversation:close', async (p) => {
      const conv = await load(p.conversationId);
      const closed = (await d.chat.close(conv, 'operator')) ?? (await load(conv.id));
      return { conversation: await d.chat.summary(closed) };
    });
    on('conversation:take', async (p) => ({ conversation: await d.chat.summary(await d.chat.take(accountId, await load(p.conversationId))) }));
    on('message:send', async (p) => d.chat.operatorSend({ accountId, name }, await load(p.conversationId), p));
    on('message:edit', async (p) => d.chat.changeMessage(await load(p.conversationId), { sender: 'operator', senderId: accountId }, p.messageId, p.body));
    on('message:delete', async (p) => d.chat.changeMessage(await load(p.conversationId), { sender: 'operator', senderId: accountId }, p.messageId, null));
    on('visitors:watch', async (p) => {
      if (!siteIds.includes(p.siteId)) throw new BeckonError('NOT_FOUND');
      return d.engage.watch(socket.id, p);
    });
    on('visitors:unwatch', async () => d.engage.unwatch(socket.id));
    on('visitor:invite', (p) => d.engage.invite({ id: accountId, name }, siteIds, p.visitorId, p.text));
    // read where the data is, on every use: a role changed a moment ago applies to this open socket now
    const roleOf = async (siteId: string) => (await d.store.membershipsOf(accountId)).find((x) => x.siteId === siteId)?.role;
    on('conversation:transfer', async (p) => {
      const conv = await load(p.conversationId);
      return { conversation: await d.chat.summary(await d.chat.router.transfer({ accountId, name }, conv, { operatorId: p.operatorId, department: p.department }, p.note)) };
    });
    on('conversation:reassign', async (p) => {
      const conv = await load(p.conversationId);
      if ((await roleOf(conv.siteId)) !== 'admin' && (await roleOf(conv.siteId)) !== 'supervisor') throw new BeckonError('FORBIDDEN', 'Only supervisors and admins can reassign.');
      return { conversation: await d.chat.summary(await d.chat.router.transfer({ accountId, name }, conv, { operatorId: p.operatorId }, '', 'reassigned')) };
    });
    on('conversation:why', async (p) => {
      const conv = await load(p.conversationId);
      const events = await d.store.routingEventsOf(conv.id, 20);
      const names = new Map<string, string>();
      for (const e of events) if (e.operatorId && !names.has(e.operatorId)) names.set(e.operatorId, (await d.store.getAccount(e.operatorId))?.name ?? '?');
      return { events: events.map((e) => ({ kind: e.kind, operatorName: e.operatorId ? names.get(e.operatorId)! : null, reason: e.reason, at: e.at })) };
    });
    on('note:add', async (p) => {
      const conv = await load(p.conversationId);
      const note = await d.store.addNote({ conversationId: conv.id, authorId: accountId, authorName: name, body: p.body }, d.now());
      const view = { id: note.id, conversationId: note.conversationId, authorName: note.authorName, body: note.body, createdAt: note.createdAt };
      d.chat.operatorsOf(conv.siteId).emit('note:new', view);
      return { note: view };
    });
    on('note:list', async (p) => {
      const conv = await load(p.conversationId);
      return { notes: (await d.store.notesOf(conv.id)).map((n) => ({ id: n.id, conversationId: n.conversationId, authorName: n.authorName, body: n.body, createdAt: n.createdAt })) };
    });
    on('visitor:block', async (p) => {
      const v = await d.store.getVisitor(p.visitorId);
      if (!v || !siteIds.includes(v.siteId)) throw new BeckonError('NOT_FOUND');
      // the address of the visitor's open tabs, only when asked: behind one address there may be many people
      const tabs = p.byAddress ? await d.chat.visitorsOf(v.id).fetchSockets() : [];
      const ip = tabs[0]?.data.address ?? null;
      await d.store.addBlock({ siteId: v.siteId, visitorId: v.id, ip, reason: p.reason, byId: accountId }, d.now());
      const open = await d.store.latestConversationOf(v.id);
      if (open && open.status !== 'closed') await d.chat.close(open, 'operator');
      d.chat.visitorsOf(v.id).disconnectSockets(true);
      return { blocked: true as const };
    });
    on('floor:get', async (p) => {
      if (!siteIds.includes(p.siteId)) throw new BeckonError('NOT_FOUND');
      return d.chat.router.floor(p.siteId);
    });
    on('visitor:journey', async (p) => {
      const v = await d.store.getVisitor(p.visitorId);
      if (!v || !siteIds.includes(v.siteId)) throw new BeckonError('NOT_FOUND');
      const previous = (await d.store.conversationsOfVisitor(v.id, 10)).map((c) => ({ id: c.id, status: c.status, createdAt: c.createdAt, preview: c.lastMessagePreview }));
      return { visitor: d.engage.liveVisitor(p.visitorId), entries: await d.store.journeyOf(p.visitorId, 100), identity: { userId: v.userId, name: v.name, email: v.email }, client: { ...describeUserAgent(v.userAgent), tzOffset: d.engage.visitorClock(v.id) }, previous };
    });
    on('visitor:update', async (p) => {
      const v = await d.store.getVisitor(p.visitorId);
      if (!v || !siteIds.includes(v.siteId)) throw new BeckonError('NOT_FOUND');
      const patch: { name?: string | null; email?: string | null } = {};
      if (p.name !== undefined) patch.name = p.name || null;
      if (p.email !== undefined) patch.email = p.email || null;
      await d.store.updateVisitor(v.id, patch);
      const name = visitorDisplayName(v.id, patch.name !== undefined ? patch.name : v.name);
      d.engage.renamed(v.id, name);
      // every console shows the new name on the visitor's conversations
      for (const c of await d.store.conversationsOfVisitor(v.id, 10)) if (c.status !== 'closed') await d.chat.publish(c);
      return { identity: { userId: v.userId, name: patch.name !== undefined ? patch.name : v.name, email: patch.email !== undefined ? patch.email : v.email } };
    });
    on('typing:set', async (p) => {
      const conv = await load(p.conversationId);
      if (conv.status !== 'closed') d.chat.visitorsOf(conv.visitorId).emit('typing:update', { typing: p.typing, name });
    });
  });
}
