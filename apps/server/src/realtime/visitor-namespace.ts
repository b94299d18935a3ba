/** `/visitor`: the public namespace the widget talks to (DESIGN.md "The wire"). */
import { background } from '../lib/background';
import { BeckonError, VisitorClientEventSchemas, VisitorHandshake, type VisitorClientEvents } from '@beckon/protocol';
import { newId, type Store, type VisitorRow } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import type { EngageService } from '../engage/engage-service';
import { BOT_UA } from '../engage/journey';
import { rooms, type VisitorNamespace } from '../chat/types';
import { connectError } from './connect-error';
import { eventTable, type GuardContext } from './guard';
import { memoryLimiters, type Limiters } from '../lib/limits';
import { Gate } from '../lib/gate';
import { signVisitor, verifyVisitor } from './visitor-token';
import { clientAddress, type Abuse } from './abuse';
import type { QualityService } from '../quality/quality-service';

export interface VisitorNsDeps extends GuardContext {
  store: Store;
  chat: ChatService;
  engage: EngageService;
  secret: string;
  connectionsPerMinute: number;
  abuse: Abuse;
  /** BECKON_TRUST_PROXY: the client address comes from X-Forwarded-For */
  trustProxy: boolean;
  /** registers a callback for when any site's settings change or a site goes */
  onSitesChanged?: (fn: () => void) => void;
  quality: QualityService;
  limiters?: Limiters;
}


export function setupVisitorNamespace(ns: VisitorNamespace, d: VisitorNsDeps): void {
  const perIp = (d.limiters ?? memoryLimiters).counter({ keyPrefix: 'handshake-ip', points: d.connectionsPerMinute, duration: 60 }, d.now);
  // a restart brings thousands of handshakes for a few sites: a site that lets this origin in is
  // read once every few seconds; anything else (unknown key, origin not in the list) is read afresh
  // before it is refused, so an origin allowed a moment ago works at once
  const sites = new Map<string, { at: number; site: NonNullable<Awaited<ReturnType<Store['getSiteByKey']>>> }>();
  const siteByKey = async (key: string, origin: string | undefined) => {
    const hit = sites.get(key);
    if (hit && d.now() - hit.at < 5_000 && origin && hit.site.allowedOrigins.includes(origin)) return hit.site;
    const site = await d.store.getSiteByKey(key);
    if (sites.size > 1000) sites.clear();
    if (site) sites.set(key, { at: d.now(), site });
    return site;
  };
  d.onSitesChanged?.(() => sites.clear());
  // the Install page shows where the widget runs and where it was refused; written at most every 10 minutes per origin
  const sighted = new Map<string, number>();
  const sighting = (siteId: string, origin: string, allowed: boolean) => {
    const key = `${siteId} ${allowed ? 1 : 0} ${origin}`;
    const now = d.now();
    if ((sighted.get(key) ?? -Infinity) > now - 600_000) return;
    if (sighted.size > 10_000) sighted.clear();
    sighted.set(key, now);
    d.store.recordSighting(siteId, origin, allowed, now).catch((err: unknown) => d.log.warn({ err }, 'origin sighting not stored'));
  };

  // handshakes reach the store a few dozen at a time (a restart brings thousands in a second)
  const gate = new Gate(32, 20_000);
  const permits = new WeakMap<object, () => void>();
  /** the visitor's row as the handshake read it, until the connection takes it (not read twice) */
  const rows = new WeakMap<object, VisitorRow>();
  ns.use(async (socket, next) => {
    let release: (() => void) | null = null;
    const refuse = (e: Parameters<typeof next>[0]) => {
      release?.();
      next(e);
    };
    try {
      const address = clientAddress(socket, d.trustProxy);
      if (!(await perIp.hit(address))) return next(connectError('RATE_LIMITED'));
      release = await gate.enter();
      if (!release) return next(connectError('BUSY'));
      permits.set(socket, release);
      // (sightings of allowed origins are recorded below, once the handshake is through)
      const auth = VisitorHandshake.safeParse(socket.handshake.auth);
      if (!auth.success) return refuse(connectError('VALIDATION_FAILED', 'auth.siteKey is missing or malformed'));
      const origin = socket.handshake.headers.origin?.toLowerCase();
      const site = await siteByKey(auth.data.siteKey, origin);
      if (!site) return refuse(connectError('UNKNOWN_SITE'));
      if (!origin || !site.allowedOrigins.includes(origin)) {
        if (origin && origin.length <= 200) sighting(site.id, origin, false);
        d.log.warn({ origin, site: site.id }, 'visitor handshake from an origin not allowed for the site');
        return refuse(connectError('ORIGIN_NOT_ALLOWED', `Origin ${origin ?? '(none)'} is not in the site's allowed origins.`));
      }
      // A forged or foreign token does not resume anyone: the visitor simply gets a new id.
      const proven = verifyVisitor(d.secret, site.id, auth.data.token);
      const visitorId = proven ?? newId();
      if (await d.store.isBlocked(site.id, visitorId, address)) return refuse(connectError('BLOCKED'));
      const ua = socket.handshake.headers['user-agent'];
      rows.set(socket, await d.store.touchVisitor({ id: visitorId, siteId: site.id, lang: auth.data.lang?.slice(0, 35) ?? null, userAgent: ua ? ua.slice(0, 300) : null }, d.now()));
      const lang = /^ru/i.test(auth.data.lang ?? '') ? 'ru' : /^en/i.test(auth.data.lang ?? '') ? 'en' : site.defaultLang;
      sighting(site.id, origin, true);
      socket.data = { siteId: site.id, visitorId, token: proven ? (auth.data.token as string) : signVisitor(d.secret, site.id, visitorId), lang, bot: !!ua && BOT_UA.test(ua), address };
      next();
    } catch (err) {
      d.log.error({ err }, 'visitor handshake failed');
      refuse(connectError('INTERNAL'));
    }
  });

  type VisitorSocket = Parameters<Parameters<VisitorNamespace['on']>[1]>[0];
  const latest = (visitorId: string) => d.store.latestConversationOf(visitorId);
  /** a conversation of this visitor: the named one, or their latest */
  const own = async (visitorId: string, id?: string) => {
    if (!id) return latest(visitorId);
    const c = await d.store.getConversation(id);
    if (!c || c.visitorId !== visitorId) throw new BeckonError('NOT_FOUND');
    return c;
  };
  const view = (c: Parameters<ChatService['visitorView']>[0]) => d.chat.visitorView(c);
  const me = (socket: VisitorSocket) => ({ siteId: socket.data.siteId, visitorId: socket.data.visitorId });
  // written once for every socket (each socket gets one listener, not a closure per event)
  const attach = eventTable<VisitorClientEvents>()(d, VisitorClientEventSchemas, {
    'message:send': async (socket, p) => {
      // per visitor, whatever the number of tabs (./abuse.ts)
      await d.abuse.message(socket.data.visitorId);
      return d.chat.visitorSend({ ...me(socket), ip: socket.data.address }, p);
    },
    'message:edit': async (socket, p) => {
      await d.abuse.message(socket.data.visitorId);
      const c = await latest(socket.data.visitorId);
      if (!c) throw new BeckonError('NOT_FOUND');
      return d.chat.changeMessage(c, { sender: 'visitor', senderId: socket.data.visitorId }, p.messageId, p.body);
    },
    'message:delete': async (socket, p) => {
      const c = await latest(socket.data.visitorId);
      if (!c) throw new BeckonError('NOT_FOUND');
      return d.chat.changeMessage(c, { sender: 'visitor', senderId: socket.data.visitorId }, p.messageId, null);
    },
    'conversation:sync': async (socket, p) => d.chat.sync(await latest(socket.data.visitorId), p.lastSeq, view, p.conversationId),
    'conversation:history': async (socket, p) => {
      const c = await own(socket.data.visitorId, p.conversationId);
      return c ? d.chat.history(c, p.beforeSeq, p.limit) : { messages: [], hasMore: false };
    },
    'conversation:read': async (socket, p) => {
      const c = await latest(socket.data.visitorId);
      if (!c) return;
      await d.store.markRead(c.id, 'visitor', p.seq);
      // the visitor's other tabs clear their unread badge too; the operator sees "Seen" when the mark moved
      const fresh = await d.store.getConversation(c.id);
      if (fresh && fresh.visitorReadSeq !== c.visitorReadSeq) await d.chat.publish(fresh);
      else if (fresh) d.chat.visitorsOf(socket.data.visitorId).emit('conversation:update', await view(fresh));
    },
    'journey:batch': async (socket, p) => {
      d.abuse.journeyEvents(socket.data.visitorId, p.events.length, d.now());
      return { received: await d.engage.journey(socket.data.visitorId, socket.id, socket.data.bot, p.events) };
    },
    'offer:dismiss': (socket, p) => d.engage.dismiss(socket.data.visitorId, p.offerId, socket.id),
    'offer:accept': (socket, p) => d.engage.accept(socket.data.visitorId, p.offerId, p.how),
    'offer:lead': (socket, p) => d.engage.submit(me(socket), 'lead', p.offerId, { name: p.name, email: p.email, phone: p.phone, time: '' }),
    'offer:callback': (socket, p) => d.engage.submit(me(socket), 'callback', p.offerId, { name: p.name, email: '', phone: p.phone, time: p.time }),
    'typing:set': async (socket, p) => {
      if (p.typing) d.engage.typing(socket.data.visitorId);
      const c = await latest(socket.data.visitorId);
      if (!c || c.status === 'closed') return;
      // the draft only with the site's sneak peek on, which the widget tells the visitor about
      const peek = p.text !== undefined && (await d.store.getSite(socket.data.siteId))?.routing.sneakPeek;
      d.chat.operatorsOf(c.siteId).emit('typing:update', { conversationId: c.id, typing: p.typing, ...(peek ? { text: p.text } : {}) });
    },
    'inbox:message': async (socket, p) => {
      if (await d.store.isBlocked(socket.data.siteId, socket.data.visitorId, socket.data.address)) throw new BeckonError('BLOCKED');
      return d.engage.offlineMessage(me(socket), p);
    },
    'conversation:rate': (socket, p) => d.quality.rate(me(socket), p),
    'conversation:transcript': (socket, p) => d.quality.transcript(me(socket), p),
    'inbox:seen': async (socket, p) => {
      for (const item of await d.store.unseenAnswers(socket.data.visitorId)) if (p.ids.includes(item.id)) await d.store.updateInboxItem(item.id, { answerSeenAt: d.now() });
    },
  });
  function left(this: VisitorSocket) {
    d.engage.disconnect(this.data.visitorId, this.id);
  }

  ns.on('connection', (socket) => {
    const { siteId, visitorId } = socket.data;
    background(socket.join([rooms.visitor(visitorId), rooms.siteVisitors(siteId)]), d.log, 'joining rooms');
    attach(socket);
    socket.on('disconnect', left);

    void (async () => {
      try {
        const row = rows.get(socket);
        rows.delete(socket);
        // a visitor new to this process: engage has read their latest conversation already
        const loaded = await d.engage.connect({ siteId, visitorId, socketId: socket.id, lang: socket.data.lang, row });
        const [site, conv] = await Promise.all([d.chat.widgetSite(siteId), loaded !== undefined ? loaded : latest(visitorId)]);
        if (!site || !socket.connected) return;
        socket.emit('session:ready', { visitorId, token: socket.data.token, site, conversation: conv ? await view(conv) : null });
      } finally {
        // the handshake is through: the next one may go
        permits.get(socket)?.();
      }
      const site = await d.chat.widgetSite(siteId);
      if (!site || !socket.connected) return;
      const answers = await d.store.unseenAnswers(visitorId);
      if (answers.length) socket.emit('inbox:answers', await Promise.all(answers.map(async (a) => ({ id: a.id, question: a.body, answer: a.answer!, answeredAt: a.answeredAt!, by: (a.assigneeId ? (await d.store.getAccount(a.assigneeId))?.name : null) ?? site.appearance.teamName }))));
    })().catch((err) => d.log.error({ err }, 'session:ready failed'));
  });
}
