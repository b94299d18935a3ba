/**
 * Proactive engagement: each live visitor's journey in memory (bounded), the site's rules
 * compiled once, each visitor's next moment a decision could change (all behind one timer, ../lib/wakes.ts), offers
 * shown in one visible tab and hidden in all, their fate recorded, and held-back offers
 * explained (DESIGN.md "Journey and rules").
 */
import { background } from '../lib/background';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { BeckonError, type Fact, type HoldReason, type JourneyEventParsed, type Lang, type LiveVisitor, type OfferView, type Rule, type SiteView, type Texts, type Variant, type VisitorsPage, type WebhookEvent } from '@beckon/protocol';
import { decide, emptyState, Engine, type JourneyState, type Memo, type OfferRecord } from '@beckon/rules';
import { pickOperator } from '@beckon/routing';
import { newId, type ConversationRow, type InboxRow, type OfferRow, type Store, type VisitorRow } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import { visitorDisplayName } from '../chat/chat-service';
import type { Presence } from '../chat/presence';
import { rooms, type OperatorNamespace, type VisitorNamespace } from '../chat/types';
import { applyEvent, type Applied } from './journey';
import type { Clock } from '../lib/clock';
import { Wakes } from '../lib/wakes';
import { Lanes } from '../lib/lanes';
import type { Scheduler } from '../lib/scheduler';
import type { Link } from '../cluster/link';
import { RemoteBoards } from '../cluster/boards';

const SESSION_MS = 30 * 60_000;
/**
 * Offers past their time that no tab here expired (the visitor left, a restart) are looked for
 * this often, once they are this much overdue (a live visitor's own wake-up expires theirs on time).
 */
const OFFER_SWEEP_MS = 15_000;
const OFFER_SWEEP_GRACE_MS = 5_000;
const TYPING_MS = 5_000;
const HISTORY = 200;
/** live visitors kept in memory; the oldest without a tab go first */
const MAX_LIVE = 50_000;
const TRAIL = 20;

export interface EngageDeps {
  store: Store;
  chat: ChatService;
  presence: Presence;
  visitors: VisitorNamespace;
  operators: OperatorNamespace;
  log: FastifyBaseLogger;
  now: () => number;
  scheduler: Scheduler;
  clock: Clock;
  /** the other nodes, when there are (../cluster/link.ts) */
  link?: Link;
}

interface SiteCtx {
  site: SiteView;
  rules: Map<string, Rule>;
  engine: Engine;
  /** free operator slots right now (online, not away) minus queued conversations */
  free: number;
  /** operators online with a free slot */
  available: number;
  /** invitations on screen and not yet answered: each holds a slot until it expires */
  invites: Map<string, number>;
  dirty: boolean;
  /** a re-measure of capacity is due this turn (many changes, one measure) */
  measuring: boolean;
}

interface Current {
  offerId: string;
  ruleId: string | null;
  ruleName: string;
  kind: string;
  expiresAt: number;
  view: OfferView;
}

interface Live {
  siteId: string;
  visitorId: string;
  name: string;
  state: JourneyState;
  memo: Memo | null;
  /** socket id → visible, and the order tabs became visible in */
  sockets: Map<string, { visible: boolean; since: number; lang: Lang }>;
  history: (OfferRecord & { id: string })[];
  current: Current | null;
  typingUntil: number;
  chatting: boolean;
  held: { ruleId: string; reason: HoldReason }[];
  matching: string[];
  /** the engine's answer `matching` was taken from: the engine returns the same array while it holds */
  matchedFrom: readonly Rule[] | null;
  lastActivityAt: number;
  /** the last tab closed while chatting at this time (null: a tab is open) */
  leftAt: number | null;
  /** an offer on screen in the visitor's tab on another node: one at a time holds across nodes */
  elsewhere: { offerId: string; until: number } | null;
  currency: string;
  ready: Promise<void>;
  /** offer writes under way (see writing()) */
  writing: Promise<void> | null;
  /** while loading: the latest conversation being read (the connecting socket's session:ready wants it too) */
  conversation: Promise<ConversationRow | null> | undefined;
  /** `ready` is done: the hot path need not wait for it */
  loaded: boolean;
}

const READY = Promise.resolve();
const settled = (): void => undefined;

/** evaluations run per turn of the event loop at most (sockets get their turn between); the rest wait for the next */
const EVAL_BATCH = 200;

export class EngageService {
  private readonly sites = new Map<string, Promise<SiteCtx>>();
  private readonly live = new Map<string, Live>();
  /** live visitors by site: work for one site touches that site's visitors only */
  private readonly bySite = new Map<string, Set<Live>>();
  /** per site, visitors whose invitation waits for a free operator slot, longest waiting first */
  private readonly waitingSlot = new Map<string, Set<Live>>();
  /** visitors to decide again, with the facts that changed (null: all): one evaluation each per turn */
  private readonly queue = new Map<Live, Set<Fact> | null>();
  private draining: Promise<void> | null = null;
  /** one task at a time per visitor (evaluations, offers shown, dismissed, accepted, expiring) */
  private readonly lanes = new Lanes<string>();
  /** evaluations run so far (the storm benchmark and test count them) */
  evaluations = 0;
  private readonly flusher: ReturnType<typeof setInterval>;
  /** every live visitor's next moment a decision could change, behind one timer */
  private readonly wakes: Wakes<Live>;

  constructor(private readonly d: EngageDeps) {
    this.wakes = new Wakes(d.clock, (l) => this.schedule(l, []));
    // the visitors board: batched, about once a second, only for sites that changed
    this.flusher = setInterval(() => background(this.flushBoards(), d.log, 'visitors board'), 1000);
    this.flusher.unref();
    // an offer's expiry is stored with it (offers.expires_at): a live visitor's wake-up expires it on
    // time; the sweep, a deadline of its own that one node at a time runs, takes the rest (after a
    // restart, or once the visitor left) and records them as expired
    d.scheduler.on('offer_sweep', () => this.sweepOffers());
    // (expiry deadlines written before the expiry moved onto the offer: migration 0012 moves them too)
    d.scheduler.on('offer_expiry', (offerId, p) => this.expireDue(offerId, (p as { visitorId: string }).visitorId));
    d.scheduler.on('visitor_left', (visitorId) => this.visitorGone(visitorId));
    if (d.link?.clustered) {
      const link = d.link;
      this.remote = new RemoteBoards(link, (siteId) => this.markSiteDirty(siteId));
      // a node that joins learns which boards are watched here; when Redis is back, the boards
      // watched elsewhere are sent whole (what changed meanwhile was lost)
      link.onJoin(() => {
        this.sayWatching();
        background(this.sendBoards(true), d.log, 'visitors board');
      });
      link.onBeat(() => {
        this.sayWatching();
        background(this.sayInvites(true), d.log, 'invitations count');
      });
      link.onLeave((node) => this.watchedElsewhere.delete(node));
      // boards travel only to nodes where someone watches them; a board newly watched there is sent whole
      link.on('watching', (from, m) => {
        const before = this.watchedElsewhere.get(from) ?? new Set<string>();
        const now = new Set(m.siteIds);
        this.watchedElsewhere.set(from, now);
        const fresh = [...now].filter((id) => !before.has(id));
        if (fresh.length) background(this.sendBoards(true, fresh), d.log, 'visitors board');
      });
      // rules edited on another node: compiled again here
      link.on('site', (_from, m) => {
        if (m.kind === 'rules') background(this.reloadHere(m.siteId), d.log, 'rules reload');
      });
      // the visitor's tab on another node was shown an offer, or its offer ended: caps, cooldowns and
      // "one offer at a time" count it here too (the visitor's tabs are on several nodes)
      link.on('offer', (_from, m) => {
        const l = this.live.get(m.visitorId);
        if (!l) return;
        if (!l.history.some((h) => h.id === m.record.id)) {
          l.history.unshift(m.record);
          if (l.history.length > HISTORY) l.history.length = HISTORY;
        }
        if (m.until !== null && m.until > this.d.now()) l.elsewhere = { offerId: m.record.id, until: m.until };
        this.markDirty(l);
      });
      link.on('offerEnd', (_from, m) => {
        const l = this.live.get(m.visitorId);
        if (!l) return;
        const rec = l.history.find((h) => h.id === m.offerId);
        if (rec && m.dismissedAt !== null) rec.dismissedAt = m.dismissedAt;
        if (l.elsewhere?.offerId === m.offerId) l.elsewhere = null;
        this.schedule(l, []);
      });
      // a visitor erased on another node: nothing of them stays in memory here either
      link.on('erased', (_from, m) => {
        const l = this.live.get(m.visitorId);
        if (l) this.drop(l);
      });
    }
  }

  /** other nodes' visitors (null: a single node) */
  private remote: RemoteBoards | null = null;
  /** per other node, the sites whose board someone watches there */
  private readonly watchedElsewhere = new Map<string, Set<string>>();
  private saidWatching = '';

  private saidInvites = '';
  /** invitations on screen here per site, to the others (on every beat, and within a second of a change) */
  private async sayInvites(force: boolean): Promise<void> {
    const now = this.d.now();
    const counts: [string, number][] = [];
    for (const p of this.sites.values()) {
      const ctx = await p.catch(() => null);
      if (!ctx) continue;
      for (const [id, exp] of ctx.invites) if (exp <= now) ctx.invites.delete(id);
      if (ctx.invites.size) counts.push([ctx.site.id, ctx.invites.size]);
    }
    const key = JSON.stringify(counts);
    if (!force && key === this.saidInvites) return;
    this.saidInvites = key;
    this.d.link?.send('invites', { counts });
  }

  /** the sites watched here, to the others (on every beat, and when it changes) */
  private sayWatching(force = true): void {
    const siteIds = [...new Set([...this.watchers.values()].map((w) => w.siteId))].sort();
    const key = siteIds.join(' ');
    if (!force && key === this.saidWatching) return;
    this.saidWatching = key;
    this.d.link?.send('watching', { siteIds });
  }
  /** per site, visitors whose view changed (or who left) since the other nodes were last told */
  private readonly changedViews = new Map<string, Set<string>>();
  private readonly goneViews = new Map<string, Set<string>>();

  private noteChange(l: Live, gone = false): void {
    if (!this.remote) return;
    const into = gone ? this.goneViews : this.changedViews;
    let set = into.get(l.siteId);
    if (!set) into.set(l.siteId, (set = new Set()));
    set.add(l.visitorId);
  }

  /** tell the other nodes what changed on each watched site's board here (everything: `full`) */
  private async sendBoards(full: boolean, only?: string[]): Promise<void> {
    const link = this.d.link;
    if (!this.remote || !link) return;
    const watched = new Set([...this.watchedElsewhere.values()].flatMap((x) => [...x]));
    const candidates = only ?? (full ? [...this.bySite.keys()] : [...this.changedViews.keys(), ...this.goneViews.keys()]);
    const siteIds = new Set(candidates.filter((id) => watched.has(id)));
    for (const siteId of siteIds) {
      const ctx = this.settled.get(siteId) ?? (await this.sites.get(siteId)?.catch(() => null)) ?? null;
      const ids = full ? [...(this.bySite.get(siteId) ?? [])].map((l) => l.visitorId) : [...(this.changedViews.get(siteId) ?? [])];
      const visitors = ids.map((id) => this.live.get(id)).filter((l): l is Live => !!l && l.siteId === siteId).map((l) => this.view(l, ctx));
      const gone = full ? [] : [...(this.goneViews.get(siteId) ?? [])].filter((id) => !this.live.has(id));
      // a large site goes in slices: no message grows past a few hundred views
      for (let i = 0; i === 0 || i < visitors.length; i += 500) link.send('board', { siteId, full: full && i === 0, visitors: visitors.slice(i, i + 500), gone: i === 0 ? gone : [] });
    }
    if (!full) {
      this.changedViews.clear();
      this.goneViews.clear();
    }
  }

  /**
   * A chatting visitor's last tab closed: unless one opens again within the site's
   * visitorGoneSeconds, the conversation ends ("the visitor left the site") and frees the slot.
   * Only chatting visitors write anything here, so browsing costs nothing.
   */
  private async leaving(l: Live): Promise<void> {
    l.leftAt = this.d.now();
    await this.tellOperators(l.visitorId);
    const ctx = await this.site(l.siteId);
    await this.d.scheduler.at('visitor_left', l.visitorId, this.d.now() + ctx.site.routing.visitorGoneSeconds * 1000, { siteId: l.siteId });
  }

  /** since when this visitor has had no tab open, for the console (null: here) */
  leftAt(visitorId: string): number | null {
    return this.live.get(visitorId)?.leftAt ?? null;
  }

  /** the chat's operators see at once that the visitor left (or came back) */
  private async tellOperators(visitorId: string): Promise<void> {
    const c = await this.d.store.latestConversationOf(visitorId);
    if (c && c.status !== 'closed') this.d.operators.to(rooms.siteOperators(c.siteId)).emit('conversation:upsert', await this.d.chat.summary(c));
  }

  private async visitorGone(visitorId: string): Promise<void> {
    if (this.live.get(visitorId)?.sockets.size) return;
    if (this.d.link?.clustered) {
      // a tab of theirs may be open on another node (this one may have started a moment ago)
      const there = await this.d.visitors
        .in(rooms.visitor(visitorId))
        .fetchSockets()
        .then((s) => s.length, () => null);
      if (there) return;
      // the other nodes cannot be asked (Redis away): nobody is sent away on a guess; asked again in a minute
      if (there === null) {
        const c = await this.d.store.latestConversationOf(visitorId);
        if (c && c.status !== 'closed') await this.d.scheduler.at('visitor_left', visitorId, this.d.now() + 60_000, { siteId: c.siteId });
        return;
      }
    }
    const c = await this.d.store.latestConversationOf(visitorId);
    if (c && c.status !== 'closed') await this.d.chat.close(c, 'visitor_left');
  }

  /** A visitor's data was erased: nothing of them stays in memory, and their open tabs are closed. */
  forgetVisitor(visitorId: string): void {
    const l = this.live.get(visitorId);
    if (l) this.drop(l);
    this.d.link?.send('erased', { visitorId });
    this.d.visitors.in(rooms.visitor(visitorId)).disconnectSockets(true);
  }

  /** A site was deleted: its visitors' live state and connections go with it. */
  forgetSite(siteId: string): void {
    for (const [id, l] of this.live) if (l.siteId === siteId) this.forgetVisitor(id);
    this.sites.delete(siteId);
    this.settled.delete(siteId);
    this.d.visitors.in(rooms.siteVisitors(siteId)).disconnectSockets(true);
  }

  /** At start-up no widget is connected: open conversations get the time to come back a dropped tab gets. */
  async recover(): Promise<void> {
    // offers that expired while no process ran go now
    await this.d.scheduler.at('offer_sweep', 'all', this.d.now(), null, { keepExisting: true });
    for (const site of await this.d.store.listSites()) {
      const due = this.d.now() + site.routing.visitorGoneSeconds * 1000;
      for (const c of await this.d.store.listConversations([site.id], 0)) if (c.status !== 'closed') await this.d.scheduler.at('visitor_left', c.visitorId, due, { siteId: site.id }, { keepExisting: true });
    }
  }

  stop(): void {
    clearInterval(this.flusher);
    this.wakes.stop();
  }

  /** shown offers overdue that no tab here expired: recorded as expired, their cards hidden wherever they are */
  private async sweepOffers(): Promise<void> {
    const now = this.d.now();
    for (let round = 0; round < 20; round++) {
      const due = await this.d.store.expireDueOffers(now - OFFER_SWEEP_GRACE_MS, now, 500);
      for (const o of due) {
        const l = this.live.get(o.visitorId);
        if (l?.current?.offerId === o.id) background(this.lanes.run(l.visitorId, () => this.ended(l, o.id)), this.d.log, 'offer sweep');
        else this.d.visitors.to(rooms.visitor(o.visitorId)).emit('offer:hide', { id: o.id, reason: 'expired' });
      }
      if (due.length < 500) break;
    }
    await this.d.scheduler.at('offer_sweep', 'all', this.d.now() + OFFER_SWEEP_MS);
  }

  /** the sweep expired the offer this visitor has on screen here: it goes, and they are decided for again */
  private ended(l: Live, offerId: string): void | Promise<void> {
    if (l.current?.offerId !== offerId) return;
    const ctx = this.settled.get(l.siteId) ?? null;
    this.hide(l, ctx, 'expired');
    return this.evaluateNow(l, []);
  }

  private async expireDue(offerId: string, visitorId: string): Promise<void> {
    return this.lanes.run(visitorId, async () => {
      const l = this.live.get(visitorId);
      const now = this.d.now();
      if (l?.current?.offerId === offerId) {
        await this.expire(l, await this.site(l.siteId), now);
        return this.evaluateNow(l, []);
      }
      // not on screen in this process (a restart): recorded as expired if nothing else happened to it
      if (await this.d.store.expireOffer(offerId, now)) this.d.visitors.to(rooms.visitor(visitorId)).emit('offer:hide', { id: offerId, reason: 'expired' });
    });
  }

  // ---- sites and rules

  private site(siteId: string): Promise<SiteCtx> {
    let p = this.sites.get(siteId);
    if (!p) {
      p = (async () => {
        const [site, rules] = await Promise.all([this.d.store.getSite(siteId), this.d.store.listRules(siteId)]);
        if (!site) throw new BeckonError('UNKNOWN_SITE');
        const ctx: SiteCtx = { site, rules: new Map(rules.map((r) => [r.id, r])), engine: new Engine(rules), free: 0, available: 0, invites: new Map(), dirty: true, measuring: false };
        await this.measure(ctx);
        return ctx;
      })();
      this.sites.set(siteId, p);
      const mine = p;
      // the hot path reads a settled site at once (no promise per event)
      p.then(
        (ctx) => void (this.sites.get(siteId) === mine && this.settled.set(siteId, ctx)),
        () => this.sites.delete(siteId),
      );
    }
    return p;
  }

  /** Rules or settings changed: recompile and decide again for the site's live visitors, on every node. */
  async reload(siteId: string): Promise<void> {
    await this.reloadHere(siteId);
    this.d.link?.send('site', { siteId, kind: 'rules' });
  }

  private async reloadHere(siteId: string): Promise<void> {
    const old = this.sites.get(siteId);
    if (!old) return;
    const prev = await old.catch(() => null);
    const [site, rules] = await Promise.all([this.d.store.getSite(siteId), this.d.store.listRules(siteId)]);
    if (!site) return;
    const ctx: SiteCtx = { site, rules: new Map(rules.map((r) => [r.id, r])), engine: new Engine(rules), free: prev?.free ?? 0, available: prev?.available ?? 0, invites: prev?.invites ?? new Map(), dirty: true, measuring: false };
    this.sites.set(siteId, Promise.resolve(ctx));
    this.settled.set(siteId, ctx);
    await this.measure(ctx);
    this.reconsider(siteId, null);
  }

  private async measure(ctx: SiteCtx): Promise<boolean> {
    const [members, queued] = await Promise.all([this.d.store.listMembers(ctx.site.id), this.d.store.listQueued(ctx.site.id)]);
    const counts = await this.d.store.activeCounts(members.map((m) => m.accountId));
    let free = 0;
    let available = 0;
    for (const m of members) {
      if (this.d.presence.status(m.accountId) !== 'online') continue;
      const slots = Math.max(0, m.capacity - (counts.get(m.accountId) ?? 0));
      free += slots;
      if (slots > 0) available++;
    }
    free = Math.max(0, free - queued.length);
    const changed = free !== ctx.free || available !== ctx.available;
    ctx.free = free;
    ctx.available = available;
    return changed;
  }

  private freeSlots(ctx: SiteCtx, now: number): number {
    for (const [id, exp] of ctx.invites) if (exp <= now) ctx.invites.delete(id);
    return ctx.free - ctx.invites.size - (this.remote?.invites(ctx.site.id) ?? 0);
  }

  /**
   * Operators came, went, or took chats: slots may have freed. Measured once per turn however
   * many changes arrive in it; then only the visitors whose decision can change are woken.
   */
  capacityChanged(siteId: string): void {
    const p = this.sites.get(siteId);
    if (!p) return;
    const job = p
      .then(async (ctx) => {
        if (ctx.measuring) return;
        ctx.measuring = true;
        await new Promise<void>((r) => setImmediate(r));
        ctx.measuring = false;
        const before = { free: ctx.free, available: ctx.available };
        if (!(await this.measure(ctx))) return;
        // a rule that reads `operators.available` may flip for any visitor of the site
        if (ctx.available !== before.available && ctx.engine.rulesReading('operators.available').length) this.reconsider(siteId, ['operators.available']);
        else if (ctx.free > before.free) this.slotsFreed(ctx);
      })
      .catch((err) => this.d.log.error({ err, siteId }, 'capacity check failed'))
      .finally(() => this.measures.delete(job));
    this.measures.add(job);
  }
  private readonly measures = new Set<Promise<void>>();
  /** offer writes not waited for by the visitor (see writing()) */
  private readonly writes = new Set<Promise<void>>();

  /** Decide again for every live visitor of a site (rules changed, or a fact all of them read). */
  private reconsider(siteId: string, changed: Fact[] | null): void {
    for (const l of this.bySite.get(siteId) ?? []) this.schedule(l, changed);
  }

  /**
   * Invitation slots freed (an invitation ended, a chat closed): only visitors held for want of
   * a free operator can change, and no more of them than there are slots now.
   */
  private slotsFreed(ctx: SiteCtx): void {
    let n = this.freeSlots(ctx, this.d.now());
    if (n <= 0) return;
    for (const l of this.waitingSlot.get(ctx.site.id) ?? []) {
      if (n-- <= 0) break;
      this.schedule(l, []);
    }
  }

  /** Resolves once every queued evaluation has run (tests, benchmarks). */
  async quiet(): Promise<void> {
    while (this.draining || this.measures.size || this.lanes.busy || this.writes.size) await Promise.all([this.draining, ...this.measures, this.lanes.idle(), ...this.writes]);
  }

  // ---- visitors

  /** A tab connected. Continues the visitor's session if they were active within 30 minutes. */
  /**
   * `row`: the visitor's row, when the caller has just read it (the handshake did). Resolves with
   * the visitor's latest conversation when it was read here (a visitor new to this process), so
   * that the caller need not read it again; undefined otherwise.
   */
  async connect(v: { siteId: string; visitorId: string; socketId: string; lang: Lang; row?: VisitorRow | null }): Promise<ConversationRow | null | undefined> {
    const now = this.d.now();
    let l = this.live.get(v.visitorId);
    let loaded: Promise<ConversationRow | null> | undefined;
    if (!l) {
      l = this.create(v.siteId, v.visitorId, now, v.row);
      loaded = l.conversation;
      this.live.set(v.visitorId, l);
      this.evict();
    } else if (now - l.lastActivityAt > SESSION_MS) this.newSession(l, now);
    await l.ready;
    if (!l.sockets.size && l.chatting) {
      await this.d.scheduler.cancel('visitor_left', v.visitorId);
      if (l.leftAt !== null) {
        l.leftAt = null;
        await this.tellOperators(v.visitorId);
      }
    }
    l.leftAt = null;
    l.sockets.set(v.socketId, { visible: true, since: now, lang: v.lang });
    this.online(l, true);
    l.lastActivityAt = now;
    // an offer still on screen in another page or tab of the visitor comes along, and goes at its time
    if (l.current && l.current.expiresAt > now) this.d.visitors.to(v.socketId).emit('offer:show', l.current.view);
    if (l.current) this.wakes.set(l, Math.min(this.wakes.at(l), l.current.expiresAt));
    this.markDirty(l);
    return loaded;
  }

  private create(siteId: string, visitorId: string, now: number, known?: VisitorRow | null): Live {
    const l: Live = { siteId, visitorId, name: visitorDisplayName(visitorId, null), state: emptyState(now), memo: null, sockets: new Map(), history: [], current: null, typingUntil: 0, chatting: false, held: [], matching: [], matchedFrom: null, lastActivityAt: now, leftAt: null, elsewhere: null, currency: 'USD', ready: READY, loaded: false, conversation: undefined, writing: null };
    const conversation = this.d.store.latestConversationOf(visitorId);
    l.conversation = conversation;
    l.ready = (async () => {
      const [row, offers, conv] = await Promise.all([known !== undefined ? known : this.d.store.getVisitor(visitorId), this.d.store.recentOffers(visitorId, HISTORY), conversation]);
      l.history = offers.map(toRecord);
      l.chatting = !!conv && conv.status !== 'closed';
      if (row) {
        l.name = visitorDisplayName(visitorId, row.name);
        l.state.identified = !!row.userId;
        l.state.segment = row.segment ?? [];
      }
      // after a restart, a session the visitor was still in goes on
      const continuing = row && row.sessionStartedAt && row.lastSeenAt > now - SESSION_MS && row.visits > 0;
      if (continuing) {
        l.state.sessionStartedAt = row.sessionStartedAt!;
        l.state.visits = row.visits;
      } else {
        l.state.visits = (row?.visits ?? 0) + 1;
        await this.d.store.updateVisitor(visitorId, { visits: l.state.visits, sessionStartedAt: now });
      }
    })()
      .catch((err) => this.d.log.error({ err, visitorId }, 'loading a visitor failed'))
      .finally(() => {
        l.loaded = true;
        // nothing of the loading is kept once it is done
        l.ready = READY;
        l.conversation = undefined;
      });
    return l;
  }

  private newSession(l: Live, now: number): void {
    const keep = l.state;
    l.state = { ...emptyState(now), visits: keep.visits + 1, device: keep.device, language: keep.language, tzOffset: keep.tzOffset, identified: keep.identified, segment: keep.segment, cart: keep.cart };
    l.memo = null;
    void this.d.store.updateVisitor(l.visitorId, { visits: l.state.visits, sessionStartedAt: now }).catch((err) => this.d.log.error({ err }, 'session update failed'));
  }

  /** The visitor types in the chat: no offer for a few seconds. */
  typing(visitorId: string): void {
    const l = this.live.get(visitorId);
    if (l) l.typingUntil = this.d.now() + TYPING_MS;
  }

  disconnect(visitorId: string, socketId: string): void {
    const l = this.live.get(visitorId);
    if (!l) return;
    l.sockets.delete(socketId);
    if (!l.sockets.size) this.online(l, false);
    this.markDirty(l);
    if (!l.sockets.size && l.chatting) this.leaving(l).catch((err) => this.d.log.error({ err }, 'visitor-left deadline not stored'));
    if (!l.sockets.size) this.wakes.cancel(l);
  }

  /** Keep memory bounded: visitors without a tab, idle past a session, or the oldest beyond the cap. */
  private evict(): void {
    if (this.live.size <= MAX_LIVE) return;
    const now = this.d.now();
    for (const [id, l] of this.live) {
      if (this.live.size <= MAX_LIVE * 0.9) break;
      if (!l.sockets.size || now - l.lastActivityAt > SESSION_MS) this.drop(l);
    }
  }

  sweep(): void {
    const now = this.d.now();
    for (const [id, l] of this.live) {
      if (!l.sockets.size && now - l.lastActivityAt > SESSION_MS) this.drop(l);
    }
  }

  /** A visitor with a tab open (or without one any more): only they take part in a site's work. */
  private online(l: Live, yes: boolean): void {
    let set = this.bySite.get(l.siteId);
    if (yes) {
      if (!set) this.bySite.set(l.siteId, (set = new Set()));
      set.add(l);
    } else {
      set?.delete(l);
      this.waitingSlot.get(l.siteId)?.delete(l);
      this.queue.delete(l);
    }
  }

  /** Forget a live visitor entirely (memory bound, erasure). */
  private drop(l: Live): void {
    this.wakes.cancel(l);
    this.online(l, false);
    this.live.delete(l.visitorId);
    this.noteChange(l, true);
  }

  /**
   * The loader's events: the visitor's state takes them in, the trail keeps them, the rules
   * decide again. Answers at once (a number, no promise) unless something had to wait: the
   * visitor still loading, an identify or a goal (store writes), an offer being shown.
   */
  journey(visitorId: string, socketId: string, bot: boolean, events: JourneyEventParsed[]): number | Promise<number> {
    const l = this.live.get(visitorId);
    if (!l) throw new BeckonError('NOT_FOUND', 'no session: reconnect');
    return l.loaded ? this.take(l, socketId, bot, events) : l.ready.then(() => this.take(l, socketId, bot, events));
  }

  private take(l: Live, socketId: string, bot: boolean, events: JourneyEventParsed[]): number | Promise<number> {
    const now = this.d.now();
    if (now - l.lastActivityAt > SESSION_MS) this.newSession(l, now);
    l.lastActivityAt = now;
    if (bot) return events.length;
    const out: Applied = { siteId: l.siteId, visitorId: l.visitorId, changed: new Set(), persist: [] };
    for (const e of events) {
      applyEvent(l.state, e, now, out);
      if (e.type === 'cart') l.currency = e.currency;
      if (out.visible !== undefined) {
        const sock = l.sockets.get(socketId);
        if (sock && sock.visible !== out.visible) {
          sock.visible = out.visible;
          sock.since = now;
        }
        out.visible = undefined;
      }
    }
    if (out.typing) l.typingUntil = now + TYPING_MS;
    if (out.identify) return this.identify(l, out.identify).then(() => this.taken(l, out, now, events.length));
    return this.taken(l, out, now, events.length);
  }

  private taken(l: Live, out: Applied, now: number, n: number): number | Promise<number> {
    // the trail is analytics: the store writes it in groups and the acknowledgement does not wait
    // for the commit (what the state took in is already what the rules see)
    if (out.persist.length) this.keepTrail(out.persist);
    if (out.goal) return this.goal(l, out.goal.name, out.goal.value, now).then(() => this.decided(l, out.changed, n));
    return this.decided(l, out.changed, n);
  }

  private decided(l: Live, changed: Set<Fact>, n: number): number | Promise<number> {
    this.markDirty(l);
    const done = this.evaluate(l, changed);
    return done instanceof Promise ? done.then(() => n) : n;
  }

  /** the store answers the rows of one group with one promise: a failed group is logged once */
  private keepTrail(rows: Applied['persist']): void {
    const p = this.d.store.addJourneyEvents(rows);
    if (p === this.trailGroup) return;
    this.trailGroup = p;
    p.catch((err) => this.d.log.error({ err }, 'journey trail not stored'));
  }
  private trailGroup: Promise<void> | null = null;

  private async identify(l: Live, e: Extract<JourneyEventParsed, { type: 'identify' }>): Promise<void> {
    const ctx = await this.site(l.siteId);
    const secret = ctx.site.identitySecret;
    const want = secret ? createHmac('sha256', secret).update(e.userId).digest() : null;
    const got = Buffer.from(e.hash, 'hex');
    if (!want || want.length !== got.length || !timingSafeEqual(want, got)) throw new BeckonError('INVALID_TOKEN', 'identify: the hash does not match the user id (sign it with the site identity secret)');
    l.state.identified = true;
    l.state.segment = e.segment ?? l.state.segment;
    if (e.name) l.name = e.name;
    await this.d.store.updateVisitor(l.visitorId, { userId: e.userId, ...(e.name ? { name: e.name } : {}), ...(e.email ? { email: e.email } : {}), ...(e.segment ? { segment: e.segment } : {}) });
    this.schedule(l, ['identified', 'segment']);
  }

  /** A conversation changed: the visitor is (not) chatting, and operator slots moved. */
  conversationChanged(c: { siteId: string; visitorId: string; status: string }): void {
    const l = this.live.get(c.visitorId);
    if (l) {
      const chatting = c.status !== 'closed';
      if (chatting !== l.chatting) {
        l.chatting = chatting;
        this.markDirty(l);
        if (!chatting) this.schedule(l, null);
      }
    }
    this.capacityChanged(c.siteId);
  }

  // ---- deciding

  /**
   * Decide again for the visitor, soon: requests in one turn merge into one evaluation (the
   * union of the facts that changed), at most EVAL_BATCH evaluations a turn, each on the
   * visitor's own queue (nothing else of theirs interleaves).
   */
  private schedule(l: Live, changed: Fact[] | null): void {
    if (!l.sockets.size) return;
    const prev = this.queue.get(l);
    if (prev === undefined) this.queue.set(l, changed ? new Set(changed) : null);
    else if (prev !== null) {
      if (changed === null) this.queue.set(l, null);
      else for (const f of changed) prev.add(f);
    }
    if (!this.draining) this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size) {
        await new Promise<void>((r) => setImmediate(r));
        const batch: [Live, Set<Fact> | null][] = [];
        for (const e of this.queue) {
          batch.push(e);
          this.queue.delete(e[0]);
          if (batch.length >= EVAL_BATCH) break;
        }
        const waiting: Promise<void>[] = [];
        for (const [l, facts] of batch) {
          try {
            const done = this.evaluate(l, facts);
            if (done instanceof Promise) waiting.push(done.catch((err) => this.d.log.error({ err }, 'evaluation failed')));
          } catch (err) {
            this.d.log.error({ err }, 'evaluation failed');
          }
        }
        await Promise.all(waiting);
      }
    } finally {
      this.draining = null;
    }
  }

  /** on the visitor's lane; a value when nothing had to wait (most events), else a promise */
  private evaluate(l: Live, changed: Iterable<Fact> | null): void | Promise<void> {
    return this.lanes.run(l.visitorId, () => this.evaluateNow(l, changed));
  }

  /** `changed`: the facts that changed since the last evaluation (null: all of them) */
  private evaluateNow(l: Live, changed: Iterable<Fact> | null): void | Promise<void> {
    if (!l.sockets.size) return;
    const ctx = this.settled.get(l.siteId);
    if (!ctx) return this.site(l.siteId).then(() => this.evaluateNow(l, changed));
    const now = this.d.now();
    if (l.current && l.current.expiresAt <= now) this.expire(l, ctx, now);
    return this.decideFor(l, ctx, changed, now);
  }

  private decideFor(l: Live, ctx: SiteCtx, changed: Iterable<Fact> | null, now: number): void | Promise<void> {
    this.evaluations++;
    let facts = changed;
    if (l.state.operatorsAvailable !== ctx.available) {
      l.state.operatorsAvailable = ctx.available;
      if (facts) facts = [...facts, 'operators.available'];
    }
    if (!l.memo || l.memo.engine !== ctx.engine) l.memo = ctx.engine.memo();
    const m = ctx.engine.match(l.state, now, l.memo, facts);
    // from here to the reservation below nothing awaits: ten visitors cannot share one free slot
    // the tab that became visible last shows an offer (the first of them when several did at once)
    let tab: string | null = null;
    let tabSince = -Infinity;
    let tabLang: Lang = 'en';
    for (const [id, s] of l.sockets) {
      if (s.visible && s.since > tabSince) {
        tab = id;
        tabSince = s.since;
        tabLang = s.lang;
      }
    }
    const decision = decide({
      now,
      visitorId: l.visitorId,
      matching: m.matching,
      history: l.history,
      sessionStartedAt: l.state.sessionStartedAt,
      showing: !!l.current || (!!l.elsewhere && l.elsewhere.until > now),
      chatting: l.chatting,
      typingUntil: l.typingUntil,
      visible: tab !== null,
      freeSlots: this.freeSlots(ctx, now),
      engagement: ctx.site.engagement,
      hours: ctx.site.hours,
    });
    let shownId: string | null = null;
    if (decision.show) {
      shownId = newId();
      if (decision.show.rule.kind === 'invite') ctx.invites.set(shownId, now + decision.show.rule.controls.expiresSeconds * 1000);
    }
    if (m.matching !== l.matchedFrom) (l.matchedFrom = m.matching), (l.matching = m.matching.map((r) => r.id));
    this.recordHeld(l, decision.held, now);
    // (the offer's expiry is a deadline of its own: see expireDue)
    const wake = Math.min(m.wakeAt, decision.wakeAt, l.typingUntil > now ? l.typingUntil : Infinity);
    for (const h of decision.holdouts) this.record(l, h.rule, h.variant, now, true);
    const show = decision.show;
    if (show && shownId && tab !== null) {
      const shown = this.show(l, ctx, show.rule, show.variant, tab, tabLang, now, shownId);
      if (shown) return shown.then(() => this.arm(l, wake, now));
    }
    this.arm(l, wake, now);
  }

  private arm(l: Live, at: number, now: number): void {
    // the offer on screen goes at its time: the same wake-up (no timer, no deadline row per offer)
    if (l.current) at = Math.min(at, l.current.expiresAt);
    // a day is plenty: the visitor's session ends before
    this.wakes.set(l, at === Infinity || !l.sockets.size ? Infinity : Math.min(at, now + 86_400_000));
  }

  private recordHeld(l: Live, held: { ruleId: string; reason: HoldReason }[], now: number): void {
    if (sameHolds(l.held, held)) {
      // the same reasons as last time (most events): nothing to store or show
      l.held = held;
      this.trackWaiting(l);
      return;
    }
    const before = new Map(l.held.map((h) => [h.ruleId, h.reason]));
    const fresh = held.filter((h) => before.get(h.ruleId) !== h.reason && h.reason !== 'lower_priority');
    l.held = held;
    this.trackWaiting(l);
    if (fresh.length || held.length !== before.size) this.markDirty(l);
    if (fresh.length) void this.d.store.addHolds(fresh.map((h) => ({ siteId: l.siteId, visitorId: l.visitorId, ruleId: h.ruleId, reason: h.reason, at: now }))).catch((err) => this.d.log.error({ err }, 'hold reasons not stored'));
  }

  /** keep the site's set of visitors waiting for a free slot current */
  private trackWaiting(l: Live): void {
    let set = this.waitingSlot.get(l.siteId);
    const waiting = l.sockets.size > 0 && l.held.some((h) => h.reason === 'no_free_operator');
    if (waiting && !set?.has(l)) {
      if (!set) this.waitingSlot.set(l.siteId, (set = new Set()));
      set.add(l);
    } else if (!waiting) set?.delete(l);
  }

  /**
   * An offer write of the visitor's, not waited for: what reads their offers back (an answer to
   * it, a goal) waits for it. On SQLite it is done by the end of the turn, before any answer can
   * arrive; PostgreSQL may answer after the visitor's next event.
   */
  private writing(l: Live, p: Promise<unknown>, failed: string): void {
    const done = p.then(settled, (err: unknown) => this.d.log.error({ err, visitorId: l.visitorId }, failed));
    this.writes.add(done);
    done.then(() => this.writes.delete(done), settled);
    const all = l.writing ? Promise.all([l.writing, done]).then(settled) : done;
    l.writing = all;
    all.then(() => {
      if (l.writing === all) l.writing = null;
    }, settled);
  }

  /** the offer's row goes in the turn's commit (its failure is logged); the visitor's history has it at once */
  private record(l: Live, rule: Rule | null, variant: Variant | null, now: number, holdout: boolean, id = newId(), invitedBy: string | null = null, until: number | null = null): void {
    const o = {
      id,
      siteId: l.siteId,
      visitorId: l.visitorId,
      ruleId: rule?.id ?? null,
      ruleName: rule?.name ?? 'Manual invitation',
      variant: variant?.key ?? '-',
      kind: rule?.kind ?? 'invite',
      holdout,
      sessionStartedAt: l.state.sessionStartedAt,
      createdAt: now,
      goalEvent: rule?.goal?.event ?? null,
      goalWindowHours: rule?.goal?.windowHours ?? null,
      invitedBy,
      expiresAt: holdout ? null : until,
    };
    this.writing(l, this.d.store.createOffer(o), 'offer not stored');
    const record = { id, ruleId: o.ruleId, at: now, sessionStartedAt: o.sessionStartedAt, dismissedAt: null, holdout };
    l.history.unshift(record);
    if (l.history.length > HISTORY) l.history.length = HISTORY;
    if (this.remote) this.d.link!.send('offer', { visitorId: l.visitorId, record, until });
  }

  /**
   * Puts the offer on the visitor's screen. At once (nothing awaited) unless an invitation speaks
   * in the name of the operator routing would pick: the offer's row is written in the turn's
   * commit, which comes before anything the visitor can answer it with is read (the commit runs
   * at the end of this turn, an answer arrives in a later one).
   */
  private show(l: Live, ctx: SiteCtx, rule: Rule | null, variant: Variant | null, socketId: string, lang: Lang, now: number, id: string, manual?: { text: string; by: { id: string; name: string } }): void | Promise<void> {
    if (manual) return this.present(l, ctx, rule, variant, socketId, lang, now, id, { name: manual.by.name, avatarUrl: ctx.site.appearance.avatarUrl }, manual);
    if (rule?.kind === 'invite' && variant?.content.asOperator) return this.wouldAnswer(ctx).then((operator) => this.present(l, ctx, rule, variant, socketId, lang, now, id, operator));
    return this.present(l, ctx, rule, variant, socketId, lang, now, id, null);
  }

  private present(l: Live, ctx: SiteCtx, rule: Rule | null, variant: Variant | null, socketId: string, lang: Lang, now: number, id: string, operator: OfferView['operator'], manual?: { text: string; by: { id: string; name: string } }): void {
    const expiresAt = now + (rule?.controls.expiresSeconds ?? 300) * 1000;
    const pick = (t: Texts) => t[lang] || t[ctx.site.defaultLang] || t.en || t.ru;
    const c = variant?.content;
    const view: OfferView = {
      id,
      kind: rule?.kind ?? 'invite',
      title: c ? pick(c.title) : '',
      text: manual ? manual.text : c ? pick(c.text) : '',
      code: c?.code ?? '',
      url: c?.url ?? '',
      button: c ? pick(c.button) : '',
      imageUrl: c?.imageUrl ?? '',
      videoUrl: c?.videoUrl ?? '',
      consent: c ? pick(c.consent) : '',
      operator,
      expiresAt,
    };
    this.record(l, rule, variant, now, false, id, manual?.by.id ?? null, expiresAt);
    l.current = { offerId: id, ruleId: rule?.id ?? null, ruleName: rule?.name ?? 'Manual invitation', kind: view.kind, expiresAt, view };
    // it goes at its time by the visitor's own wake-up (shown by hand too)
    if (l.sockets.size && expiresAt < this.wakes.at(l)) this.wakes.set(l, expiresAt);
    this.d.visitors.to(socketId).emit('offer:show', view);
    this.markDirty(l);
    this.event(l.siteId, l.visitorId, 'offer.shown', () => ({ offer: { id, visitorId: l.visitorId, ruleId: rule?.id ?? null, ruleName: rule?.name ?? 'Manual invitation', variant: variant?.key ?? '-', kind: view.kind, invitedBy: manual?.by.id ?? null, expiresAt }, page: l.state.page?.url ?? null }));
  }

  /** integrations hear of offers, goals and inbox items, in order per visitor (webhooks) */
  private event(siteId: string, visitorId: string, type: WebhookEvent, data: Record<string, unknown> | (() => Record<string, unknown>)): void {
    const hooks = this.d.chat.hooks;
    // nobody subscribed (most sites, most events): nothing is built
    if (!hooks.event || (hooks.wants && !hooks.wants(siteId, type))) return;
    hooks.event(siteId, type, typeof data === 'function' ? data() : data, { orderKey: visitorId, visitorId });
  }
  private static offerEvent(o: OfferRow) {
    return { id: o.id, visitorId: o.visitorId, ruleId: o.ruleId, ruleName: o.ruleName, variant: o.variant, kind: o.kind, createdAt: o.createdAt };
  }
  private static itemEvent(i: InboxRow) {
    return { id: i.id, kind: i.kind, visitorId: i.visitorId, name: i.name, email: i.email, phone: i.phone, preferredTime: i.preferredTime, body: i.body, offerId: i.offerId, pageUrl: i.pageUrl, createdAt: i.createdAt };
  }

  /** The operator routing would pick now, to speak in their name. */
  private async wouldAnswer(ctx: SiteCtx): Promise<OfferView['operator']> {
    const members = await this.d.store.listMembers(ctx.site.id);
    const counts = await this.d.store.activeCounts(members.map((m) => m.accountId));
    const loads = members.map((m) => ({ id: m.accountId, status: this.d.presence.status(m.accountId), capacity: m.capacity, active: counts.get(m.accountId) ?? 0, lastAssignedAt: this.d.presence.lastAssignedAt(m.accountId) }));
    const picked = pickOperator(loads);
    const who = picked ? members.find((m) => m.accountId === picked.id) : null;
    return who ? { name: who.name, avatarUrl: ctx.site.appearance.avatarUrl } : null;
  }

  /** `by`: the tab the visitor dismissed it in (it took the card down itself: not told again) */
  private hide(l: Live, ctx: SiteCtx | null, reason: 'dismissed' | 'accepted' | 'expired' | 'replaced', by?: string): void {
    if (!l.current) return;
    ctx?.invites.delete(l.current.offerId);
    const to = this.d.visitors.to(rooms.visitor(l.visitorId));
    (by ? to.except(by) : to).emit('offer:hide', { id: l.current.offerId, reason });
    if (this.remote) this.d.link!.send('offerEnd', { visitorId: l.visitorId, offerId: l.current.offerId, dismissedAt: reason === 'dismissed' ? this.d.now() : null });
    l.current = null;
    this.markDirty(l);
    // an invitation that ends frees its slot: only those waiting for one can change
    if (ctx) this.slotsFreed(ctx);
  }

  private expire(l: Live, ctx: SiteCtx, now: number): void {
    const id = l.current!.offerId;
    // recorded once whoever gets there first (the sweep, another node), in the turn's commit; the card goes here either way
    this.writing(l, this.d.store.expireOffer(id, now), 'offer expiry not stored');
    this.hide(l, ctx, 'expired');
  }

  private async own(visitorId: string, offerId: string): Promise<{ l: Live; ctx: SiteCtx; offer: OfferRow }> {
    const l = this.live.get(visitorId);
    if (l?.writing) await l.writing;
    const offer = await this.d.store.getOffer(offerId);
    if (!l || !offer || offer.visitorId !== visitorId || offer.holdout) throw new BeckonError('NOT_FOUND', 'no such offer');
    await l.ready;
    return { l, ctx: await this.site(l.siteId), offer };
  }

  /** `socketId`: the tab it was dismissed in (the widget takes the card down there by itself) */
  dismiss(visitorId: string, offerId: string, socketId?: string): Promise<{ offerId: string }> {
    return this.lanes.run(visitorId, async () => {
      const { l, ctx, offer } = await this.own(visitorId, offerId);
      const now = this.d.now();
      if (offer.dismissedAt === null && offer.acceptedAt === null) {
        await this.d.store.updateOffer(offerId, { dismissedAt: now });
        this.event(l.siteId, visitorId, 'offer.dismissed', () => ({ offer: EngageService.offerEvent(offer) }));
        const rec = l.history.find((h) => h.id === offerId);
        if (rec) rec.dismissedAt = now;
      }
      if (l.current?.offerId === offerId) this.hide(l, ctx, 'dismissed', socketId);
      await this.evaluateNow(l, []);
      return { offerId };
    });
  }

  /** Accepting: an invitation starts a conversation carrying the rule, variant and journey. */
  accept(visitorId: string, offerId: string, how: 'click' | 'copy' | 'chat') {
    return this.lanes.run(visitorId, async () => {
      const { l, ctx, offer } = await this.own(visitorId, offerId);
      const now = this.d.now();
      const first = offer.acceptedAt === null;
      if (first) await this.d.store.updateOffer(offerId, { acceptedAt: now });
      let conversation = null;
      if (offer.kind === 'invite') {
        const text = l.current?.offerId === offerId ? l.current.view.text : '';
        const rule = offer.ruleId ? ctx.rules.get(offer.ruleId) : undefined;
        const started = await this.d.chat.startFromOffer({ siteId: l.siteId, visitorId, offerId, ruleId: offer.ruleId, variant: offer.variant, greeting: text, greeter: l.current?.view.operator?.name ?? ctx.site.appearance.teamName, department: rule?.department ?? null, priority: rule?.routePriority ?? 0 });
        conversation = started.conversation;
        l.chatting = true;
        if (started.created) await this.d.store.updateOffer(offerId, { conversationId: started.id });
        if (first) this.event(l.siteId, visitorId, 'offer.accepted', { offer: EngageService.offerEvent(offer), how, conversationId: started.id });
      } else if (first) this.event(l.siteId, visitorId, 'offer.accepted', { offer: EngageService.offerEvent(offer), how, conversationId: null });
      // a copied code or an opened link leaves the card up; the rest is done with it
      if (l.current?.offerId === offerId && (offer.kind === 'invite' || how === 'click')) this.hide(l, ctx, 'accepted');
      return { offerId, conversation };
    });
  }

  /** Lead and callback forms land in the inbox. */
  async submit(v: { siteId: string; visitorId: string }, kind: 'lead' | 'callback', offerId: string | null, f: { name: string; email: string; phone: string; time: string }): Promise<{ itemId: string }> {
    return this.lanes.run(v.visitorId, async () => {
      const l = this.live.get(v.visitorId);
      if (offerId) {
        const { offer } = await this.own(v.visitorId, offerId);
        if (offer.kind !== (kind === 'lead' ? 'lead_form' : 'callback')) throw new BeckonError('VALIDATION_FAILED', 'this offer takes another form');
        if (offer.acceptedAt === null) {
          await this.d.store.updateOffer(offerId, { acceptedAt: this.d.now() });
          this.event(v.siteId, v.visitorId, 'offer.accepted', { offer: EngageService.offerEvent(offer), how: 'form', conversationId: null });
        }
      }
      const item = await this.d.store.createInboxItem({ siteId: v.siteId, visitorId: v.visitorId, kind, name: f.name, email: f.email, phone: f.phone, preferredTime: f.time, body: '', offerId, pageUrl: l?.state.page?.url ?? '' }, this.d.now());
      if (f.name || f.email) await this.d.store.updateVisitor(v.visitorId, { ...(f.name ? { name: f.name } : {}), ...(f.email ? { email: f.email } : {}) });
      if (l && f.name) l.name = f.name;
      this.d.operators.to(rooms.siteOperators(v.siteId)).emit('inbox:new', { id: item.id, kind });
      this.event(v.siteId, v.visitorId, kind === 'lead' ? 'lead.created' : 'callback.requested', { item: EngageService.itemEvent(item) });
      if (l && offerId && l.current?.offerId === offerId) this.hide(l, await this.site(v.siteId), 'accepted');
      return { itemId: item.id };
    });
  }

  /**
   * A tracked event that is some rule's goal: credited to the visitor's last accepted offer
   * with that goal within the goal's window; for a visitor in a holdout, to the last holdout
   * record instead (so lift can be computed). One credit per event.
   */
  private async goal(l: Live, name: string, value: number, now: number): Promise<void> {
    if (l.writing) await l.writing;
    const rows = (await this.d.store.recentOffers(l.visitorId, HISTORY)).filter((o) => o.goalEvent === name && o.convertedAt === null);
    const inWindow = (o: OfferRow, at: number | null) => at !== null && at >= now - (o.goalWindowHours ?? 24) * 3_600_000;
    const accepted = rows.filter((o) => !o.holdout && inWindow(o, o.acceptedAt)).sort((a, b) => b.acceptedAt! - a.acceptedAt!)[0];
    const credited = accepted ?? rows.filter((o) => o.holdout && inWindow(o, o.createdAt)).sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!credited) return;
    await this.d.store.updateOffer(credited.id, { convertedAt: now, value: Math.round(value * 100) });
    // a holdout conversion counts for lift; integrations hear of conversions an offer earned
    if (!credited.holdout) this.event(l.siteId, l.visitorId, 'goal.reached', { goal: name, value, offer: EngageService.offerEvent(credited), conversationId: credited.conversationId });
  }

  /** Routing priority from the visitor's segment: identified customers, big carts (site settings). */
  async priorityOf(siteId: string, visitorId: string): Promise<number> {
    const l = this.live.get(visitorId);
    const site = (await this.site(siteId)).site.routing;
    const identified = l ? l.state.identified : !!(await this.d.store.getVisitor(visitorId))?.userId;
    const bigCart = site.priorityCartValue !== null && !!l?.state.cart && l.state.cart.value >= site.priorityCartValue;
    return (site.priorityIdentified && identified) || bigCart ? 1 : 0;
  }

  /** Nobody online (or outside hours): the visitor leaves a message for the inbox. */
  async offlineMessage(v: { siteId: string; visitorId: string }, m: { name: string; email: string; body: string }): Promise<{ itemId: string }> {
    const l = this.live.get(v.visitorId);
    const item = await this.d.store.createInboxItem({ siteId: v.siteId, visitorId: v.visitorId, kind: 'message', name: m.name, email: m.email, phone: '', preferredTime: '', body: m.body, offerId: null, pageUrl: l?.state.page?.url ?? '' }, this.d.now());
    await this.d.store.updateVisitor(v.visitorId, { name: m.name, email: m.email });
    if (l) l.name = m.name;
    this.d.operators.to(rooms.siteOperators(v.siteId)).emit('inbox:new', { id: item.id, kind: 'message' });
    this.event(v.siteId, v.visitorId, 'offline_message.created', { item: EngageService.itemEvent(item) });
    return { itemId: item.id };
  }

  /** An operator invites a visitor by hand with their own words. */
  async invite(by: { id: string; name: string }, siteIds: string[], visitorId: string, text: string): Promise<{ offerId: string }> {
    const l = this.live.get(visitorId);
    if (!l || !siteIds.includes(l.siteId)) throw new BeckonError('NOT_FOUND', 'that visitor is not on the site now');
    return this.lanes.run(visitorId, async () => {
      const ctx = await this.site(l.siteId);
      const tab = [...l.sockets.entries()].sort((a, b) => Number(b[1].visible) - Number(a[1].visible) || b[1].since - a[1].since)[0];
      if (!tab) throw new BeckonError('NOT_FOUND', 'that visitor has left');
      if (l.chatting) throw new BeckonError('VALIDATION_FAILED', 'this visitor is already chatting');
      if (l.current) this.hide(l, ctx, 'replaced');
      const id = newId();
      await this.show(l, ctx, null, null, tab[0], tab[1].lang, this.d.now(), id, { text, by });
      return { offerId: id };
    });
  }

  // ---- the console's view

  /** the visitor's clock as their browser last told it (minutes east of UTC), while they are here */
  visitorClock(visitorId: string): number | null {
    const l = this.live.get(visitorId);
    return l && l.sockets.size > 0 ? l.state.tzOffset : null;
  }

  /** an operator corrected the visitor's name: the board says it at once */
  renamed(visitorId: string, name: string): void {
    const l = this.live.get(visitorId);
    if (l) l.name = name;
  }

  liveVisitor(visitorId: string): LiveVisitor | null {
    const l = this.live.get(visitorId);
    const ctx = l && this.settled.get(l.siteId);
    const there = this.remote?.find(visitorId) ?? null;
    if (l && (l.sockets.size > 0 || !there?.online)) return this.view(l, ctx ?? null);
    return there;
  }

  private readonly settled = new Map<string, SiteCtx>();
  private readonly watchers = new Map<string, { siteId: string; filter: string; offset: number }>();

  watch(socketId: string, w: { siteId: string; filter: string; offset: number }): Promise<VisitorsPage> {
    this.watchers.set(socketId, w);
    this.sayWatching(false);
    return this.page(w);
  }
  unwatch(socketId: string): void {
    if (this.watchers.delete(socketId)) this.sayWatching(false);
  }

  private async page(w: { siteId: string; filter: string; offset: number }): Promise<VisitorsPage> {
    const ctx = await this.site(w.siteId);
    this.settled.set(w.siteId, ctx);
    const f = w.filter.trim().toLowerCase();
    // this node's visitors, and (on several nodes) the others' — one entry per visitor, the one with a tab open
    const elsewhere = this.remote?.visitors(w.siteId) ?? new Map<string, LiveVisitor>();
    const all: (Live | LiveVisitor)[] = [];
    for (const l of this.bySite.get(w.siteId) ?? []) {
      const there = elsewhere.get(l.visitorId);
      if (there && there.online && !l.sockets.size) continue;
      elsewhere.delete(l.visitorId);
      if (f && !(l.name.toLowerCase().includes(f) || (l.state.page?.url.toLowerCase().includes(f) ?? false) || (l.state.page?.title.toLowerCase().includes(f) ?? false) || source(l.state).toLowerCase().includes(f))) continue;
      all.push(l);
    }
    for (const v of elsewhere.values()) {
      if (f && !(v.name.toLowerCase().includes(f) || (v.page?.url.toLowerCase().includes(f) ?? false) || (v.page?.title.toLowerCase().includes(f) ?? false) || v.source.toLowerCase().includes(f))) continue;
      all.push(v);
    }
    const started = (x: Live | LiveVisitor) => ('state' in x ? x.state.sessionStartedAt : x.sessionStartedAt);
    all.sort((a, b) => started(b) - started(a) || a.visitorId.localeCompare(b.visitorId));
    const slice = all.slice(w.offset, w.offset + 50);
    return { siteId: w.siteId, total: all.length, offset: w.offset, visitors: slice.map((x) => ('state' in x ? this.view(x, ctx) : x)) };
  }

  private view(l: Live, ctx: SiteCtx | null): LiveVisitor {
    const ruleName = (id: string) => ctx?.rules.get(id)?.name ?? 'a removed rule';
    const s = l.state;
    return {
      visitorId: l.visitorId,
      name: l.name,
      online: l.sockets.size > 0,
      page: s.page ? { url: s.page.url, title: s.page.title, since: s.page.startedAt } : null,
      pages: s.pages,
      sessionStartedAt: s.sessionStartedAt,
      source: source(s),
      device: s.device,
      lang: s.language,
      returning: s.visits > 1,
      visits: s.visits,
      cart: s.cart ? { ...s.cart, currency: l.currency } : null,
      chatting: l.chatting,
      offer: l.current ? { ruleName: l.current.ruleName, kind: l.current.kind } : null,
      held: l.held.map((h) => ({ ruleName: ruleName(h.ruleId), reason: h.reason })),
      matching: l.matching.map(ruleName),
    };
  }

  private markDirty(l: Live): void {
    this.noteChange(l);
    this.markSiteDirty(l.siteId);
  }
  private markSiteDirty(siteId: string): void {
    const ctx = this.settled.get(siteId);
    if (ctx) ctx.dirty = true;
    else this.sites.get(siteId)?.then((c) => (c.dirty = true)).catch(() => undefined);
  }

  private async flushBoards(): Promise<void> {
    if (this.remote) {
      await this.sayInvites(false);
      await this.sendBoards(false);
    }
    if (!this.watchers.size) return;
    const dirty = new Set<string>();
    for (const [id, p] of this.sites) {
      const ctx = await p.catch(() => null);
      if (ctx?.dirty) {
        dirty.add(id);
        ctx.dirty = false;
      }
    }
    for (const [socketId, w] of this.watchers) {
      if (!dirty.has(w.siteId)) continue;
      const sock = this.d.operators.sockets.get(socketId);
      if (!sock) {
        this.watchers.delete(socketId);
        continue;
      }
      sock.emit('visitors:page', await this.page(w));
    }
  }
}

function sameHolds(a: readonly { ruleId: string; reason: HoldReason }[], b: readonly { ruleId: string; reason: HoldReason }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.ruleId !== b[i]!.ruleId || a[i]!.reason !== b[i]!.reason) return false;
  return true;
}

function toRecord(o: OfferRow): OfferRecord & { id: string } {
  return { id: o.id, ruleId: o.ruleId, at: o.createdAt, sessionStartedAt: o.sessionStartedAt, dismissedAt: o.dismissedAt, holdout: o.holdout };
}

function source(s: JourneyState): string {
  if (s.utm.source) return [s.utm.source, s.utm.medium, s.utm.campaign].filter(Boolean).join(' / ');
  if (s.referrer) {
    try {
      return new URL(s.referrer).host;
    } catch {
      return s.referrer.slice(0, 100);
    }
  }
  return 'direct';
}
