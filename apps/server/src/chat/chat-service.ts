/**
 * The chat core: conversations, messages, assignment, and who hears about what.
 * Sockets and HTTP call it; it talks to the store, the pure router and the namespaces.
 */
import { background } from '../lib/background';
import { Lanes } from '../lib/lanes';
import type { FastifyBaseLogger } from 'fastify';
import { BeckonError, LIMITS, MESSAGES_PER_FRAME, type OperatorMessage, type AttachmentRef, type CloseReason, type ConversationSummary, type Message, type SyncResult, type VisitorConversation, type WidgetSite, type SiteView } from '@beckon/protocol';
import { OpenConversationExists, ratingBrief, type ConversationRow, type MemberRow, type Store } from '@beckon/db';
import type { Presence } from './presence';
import { rooms, type OperatorNamespace, type VisitorNamespace } from './types';
import { Router } from './router';
import type { Scheduler } from '../lib/scheduler';
import type { Abuse } from '../realtime/abuse';
import type { Link } from '../cluster/link';
import { isOpen } from '@beckon/rules';
import type { WebhookEvent } from '@beckon/protocol';

/** what an event is about, for webhooks (../integrations/webhooks.ts) */
export type EventSink = (siteId: string, type: WebhookEvent, data: Record<string, unknown>, o: { orderKey: string; visitorId?: string | null }) => void;

export interface ChatDeps {
  store: Store;
  presence: Presence;
  visitors: VisitorNamespace;
  operators: OperatorNamespace;
  log: FastifyBaseLogger;
  now: () => number;
  scheduler: Scheduler;
  /** limits on new conversations per visitor and address (../realtime/abuse.ts) */
  abuse?: Abuse;
  /** SMTP is configured: widgets may offer email (../quality/mailer.ts) */
  emailEnabled?: boolean;
  /** the other nodes, when there are (../cluster/link.ts) */
  link?: Link;
}

export function visitorDisplayName(visitorId: string, name: string | null): string {
  return name || `Visitor ${visitorId.slice(0, 4).toUpperCase()}`;
}

export interface ChatHooks {
  /** a conversation was created or changed state */
  conversation?: (c: ConversationRow) => void;
  /** operators' presence or capacity on a site changed */
  capacity?: (siteId: string) => void;
  /** since when the visitor has had no tab open (null: present, or unknown to this process) */
  visitorLeftAt?: (visitorId: string) => number | null;
  /** routing priority of a new conversation from what is known of the visitor (segment, cart) */
  priorityOf?: (siteId: string, visitorId: string) => Promise<number>;
  /** something integrations hear about (webhooks) */
  event?: EventSink;
  /** whether anything hears of this kind of event on the site now (no subscriber: its data is not even built) */
  wants?: (siteId: string, type: WebhookEvent) => boolean;
}

/** a conversation as events carry it */
export function conversationEvent(c: ConversationRow) {
  return { id: c.id, visitorId: c.visitorId, status: c.status, assigneeId: c.assigneeId, department: c.department, previousId: c.previousId, createdAt: c.createdAt, assignedAt: c.assignedAt, closedAt: c.closedAt, closedReason: c.closedReason, source: c.offerId ? { offerId: c.offerId, ruleId: c.ruleId, variant: c.variant } : null };
}

export interface StartInfo {
  department?: string | null;
  name?: string;
  email?: string;
}

export class ChatService {
  private readonly chains = new Map<string, Promise<unknown>>();
  readonly hooks: ChatHooks = {};
  readonly router: Router;

  constructor(private readonly d: ChatDeps) {
    this.router = new Router(d, this);
  }

  /** tell integrations about a conversation (in order per conversation) */
  emit(c: ConversationRow, type: WebhookEvent, extra: Record<string, unknown> = {}): void {
    if (!this.hooks.event || (this.hooks.wants && !this.hooks.wants(c.siteId, type))) return;
    this.hooks.event(c.siteId, type, { conversation: conversationEvent(c), ...extra }, { orderKey: c.id, visitorId: c.visitorId });
  }

  /** Runs `fn` after every earlier task with the same key (a site, a visitor): no task races its own kind. */
  serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    background(
      settled.then(() => {
        if (this.chains.get(key) === settled) this.chains.delete(key);
      }),
      this.d.log,
      'queue cleanup',
    );
    return next;
  }

  /**
   * A site's routing (assignments, capacity, places in line): one task at a time in this process,
   * and on several nodes one at a time among them all (the store's lock: an advisory lock in PostgreSQL).
   */
  serialSite<T>(siteId: string, fn: () => Promise<T>): Promise<T> {
    return this.serial(siteId, () => this.d.store.exclusive(`site:${siteId}`, fn));
  }

  /** The site's settings or operators changed on another node: what is cached here is read again. */
  siteChangedElsewhere(siteId: string): void {
    this.siteCache.delete(siteId);
    this.hooks.capacity?.(siteId);
  }

  /** Wait until all queued per-site work is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size || this.visitorLanes.busy) await Promise.all([...this.chains.values(), this.visitorLanes.idle()]);
  }

  /** a visitor's writes one at a time (two tabs cannot open two conversations); no chain of promises per message */
  private readonly visitorLanes = new Lanes<string>();

  operatorsOf(siteId: string) {
    return this.d.operators.to(rooms.siteOperators(siteId));
  }
  visitorsOf(visitorId: string) {
    return this.d.visitors.to(rooms.visitor(visitorId));
  }

  // ---- views

  /** the visitor's rating of a closed conversation */
  private async ratingOf(c: ConversationRow) {
    if (c.status !== 'closed') return null;
    const r = await this.d.store.quality.getRating(c.id);
    return r ? ratingBrief(r) : null;
  }

  async summary(c: ConversationRow): Promise<ConversationSummary> {
    const [visitor, assignee, rating] = await Promise.all([this.d.store.getVisitor(c.visitorId), c.assigneeId ? this.d.store.getAccount(c.assigneeId) : null, this.ratingOf(c)]);
    return {
      id: c.id,
      siteId: c.siteId,
      visitorId: c.visitorId,
      visitorName: visitorDisplayName(c.visitorId, visitor?.name ?? null),
      status: c.status,
      assigneeId: c.assigneeId,
      assigneeName: assignee?.name ?? null,
      previousId: c.previousId,
      lastSeq: c.lastSeq,
      unread: c.operatorUnread,
      visitorReadSeq: c.visitorReadSeq,
      lastMessagePreview: c.lastMessagePreview,
      lastMessageAt: c.lastMessageAt,
      createdAt: c.createdAt,
      closedAt: c.closedAt,
      closedReason: c.closedReason,
      visitorLeftAt: c.status === 'closed' ? null : (this.hooks.visitorLeftAt?.(c.visitorId) ?? null),
      priority: c.priority,
      department: c.department,
      queuePosition: this.router.queueInfo(c)?.position ?? null,
      origin: c.offerId ? { offerId: c.offerId, ruleId: c.ruleId, variant: c.variant ?? '-' } : null,
      rating,
    };
  }

  /** an operator's name as visitors see it, read at most every 2 s per operator (each visitor message's answer carries it) */
  private async operatorName(accountId: string): Promise<{ name: string } | null> {
    const now = this.d.now();
    const hit = this.names.get(accountId);
    if (hit && now - hit.at < 2_000) return hit.account;
    const a = await this.d.store.getAccount(accountId);
    if (this.names.size > 10_000) this.names.clear();
    const account = a ? { name: a.name } : null;
    this.names.set(accountId, { at: now, account });
    return account;
  }
  private readonly names = new Map<string, { at: number; account: { name: string } | null }>();

  async visitorView(c: ConversationRow): Promise<VisitorConversation> {
    const assignee = c.assigneeId && c.status === 'active' ? await this.operatorName(c.assigneeId) : null;
    // once it ended: the visitor may rate it for a while (the site's rateMinutes)
    const [rating, site] = c.status === 'closed' ? await Promise.all([this.ratingOf(c), this.d.store.getSite(c.siteId)]) : [null, null];
    const rateUntil = site && c.closedAt !== null ? c.closedAt + site.quality.rateMinutes * 60_000 : null;
    return { id: c.id, status: c.status, lastSeq: c.lastSeq, readSeq: c.visitorReadSeq, seenSeq: c.operatorReadSeq, assignee: assignee ? { name: assignee.name } : null, closedReason: c.closedReason, queue: this.router.queueInfo(c), rating, rateUntil };
  }

  /** Tell the site's operators and the visitor's tabs about a conversation's new state. */
  async publish(c: ConversationRow): Promise<void> {
    const [summary, view] = await Promise.all([this.summary(c), this.visitorView(c)]);
    this.d.operators.to(rooms.siteOperators(c.siteId)).emit('conversation:upsert', summary);
    this.d.visitors.to(rooms.visitor(c.visitorId)).emit('conversation:update', view);
    this.hooks.conversation?.(c);
  }

  /** A line from Beckon itself (routing news), seen by both sides. */
  async systemMessage(c: ConversationRow, body: string): Promise<void> {
    const r = await this.d.store.appendMessage({ conversationId: c.id, clientId: `sys:${this.d.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`, sender: 'system', senderId: 'beckon', authorName: null, body, now: this.d.now() });
    if (r.kind === 'created') this.announce(r.conversation, r.message);
  }

  /** the message to the visitor's tabs and the site's consoles; with `head`, the consoles' copy carries what it changed in the conversation (`c` is the row after it) */
  private announce(c: ConversationRow, m: Message, head = false): void {
    this.d.visitors.to(rooms.visitor(c.visitorId)).emit('message:new', m);
    this.toConsoles(c.siteId, head ? { ...m, head: { unread: c.operatorUnread, visitorReadSeq: c.visitorReadSeq } } : m);
  }

  /**
   * The consoles' copies of the messages announced in one turn go out together, once the turn's
   * work is done (a microtask after the first): one frame, and one write, per console and turn
   * where each message was one. The turn's appends share one commit, so a burst (a dozen chats
   * answered at once) comes back together and leaves together.
   */
  private toConsoles(siteId: string, m: OperatorMessage): void {
    let batch = this.outbox.get(siteId);
    if (!batch) {
      if (!this.outbox.size) queueMicrotask(() => this.sendOutbox());
      this.outbox.set(siteId, (batch = []));
    }
    batch.push(m);
  }
  private readonly outbox = new Map<string, OperatorMessage[]>();

  private sendOutbox(): void {
    for (const [siteId, ms] of this.outbox) {
      const to = this.d.operators.to(rooms.siteOperators(siteId));
      for (let i = 0; i < ms.length; i += MESSAGES_PER_FRAME) to.emit('messages:new', ms.slice(i, i + MESSAGES_PER_FRAME));
    }
    this.outbox.clear();
  }

  /**
   * What every widget of the site is told at connect. The site and its members are read once
   * every 2 s at most (a restart brings thousands of connects); who is online and whether it is
   * inside business hours are worked out fresh each time.
   */
  async widgetSite(siteId: string): Promise<WidgetSite | null> {
    let hit = this.siteCache.get(siteId);
    if (!hit || this.d.now() - hit.at > 2_000) {
      const site = await this.d.store.getSite(siteId);
      if (!site) return null;
      if (this.siteCache.size > 1000) this.siteCache.clear();
      this.siteCache.set(siteId, (hit = { at: this.d.now(), site, members: await this.d.store.listMembers(siteId) }));
    }
    const { site, members } = hit;
    const r = site.routing;
    return { appearance: site.appearance, defaultLang: site.defaultLang, online: members.some((m) => this.d.presence.status(m.accountId) === 'online'), inHours: isOpen(site.hours, this.d.now()), departments: r.departments, prechat: r.prechat, sneakPeek: r.sneakPeek, nps: site.quality.nps, email: !!this.d.emailEnabled, filesMb: site.attachments.enabled ? site.attachments.maxMb : null };
  }

  private readonly siteCache = new Map<string, { at: number; site: SiteView; members: MemberRow[] }>();

  /** the site's settings or members changed: widgets are told, with what is read now */
  async broadcastSite(siteId: string): Promise<void> {
    this.siteCache.delete(siteId);
    const site = await this.widgetSite(siteId);
    if (site) this.d.visitors.to(rooms.siteVisitors(siteId)).emit('site:update', site);
    this.hooks.capacity?.(siteId);
  }

  /**
   * A visitor accepted an invitation: a conversation that carries the offer, opened with the
   * invitation's words, queued for routing. A visitor already in a conversation keeps it.
   */
  startFromOffer(o: { siteId: string; visitorId: string; offerId: string; ruleId: string | null; variant: string; greeting: string; greeter: string; department?: string | null; priority?: number }) {
    return this.visitorLanes.run(o.visitorId, async () => {
      const latest = await this.d.store.latestConversationOf(o.visitorId);
      if (latest && latest.status !== 'closed') return { created: false, id: latest.id, conversation: await this.visitorView(latest) };
      const now = this.d.now();
      const priority = Math.max(o.priority ?? 0, (await this.hooks.priorityOf?.(o.siteId, o.visitorId)) ?? 0);
      let conv: ConversationRow;
      try {
        conv = await this.d.store.createConversation({ siteId: o.siteId, visitorId: o.visitorId, previousId: latest?.id ?? null, offerId: o.offerId, ruleId: o.ruleId, variant: o.variant, department: o.department ?? null, priority }, now);
      } catch (e) {
        // opened a moment ago from another node (the visitor's other tab): that one is theirs
        const open = e instanceof OpenConversationExists ? await this.d.store.latestConversationOf(o.visitorId) : null;
        if (!open || open.status === 'closed') throw e;
        return { created: false, id: open.id, conversation: await this.visitorView(open) };
      }
      let greeting: Message | null = null;
      if (o.greeting) {
        const r = await this.d.store.appendMessage({ conversationId: conv.id, clientId: `offer:${o.offerId}`, sender: 'system', senderId: 'offer', authorName: o.greeter, body: o.greeting, now });
        if (r.kind === 'created') {
          conv = r.conversation;
          greeting = r.message;
        }
      }
      await this.publish(conv);
      this.emit(conv, 'conversation.started');
      if (greeting) this.announce(conv, greeting);
      background(this.dispatch(o.siteId), this.d.log, 'dispatch');
      return { created: true, id: conv.id, conversation: await this.visitorView(conv) };
    });
  }

  // ---- messages

  /**
   * A visitor writes: into their open conversation, or a new one linked to the last. One at a
   * time per visitor, so two tabs writing at once cannot open two conversations (with an
   * asynchronous store, the look-up and the creation would otherwise interleave).
   */
  visitorSend(v: { siteId: string; visitorId: string; ip?: string }, p: { clientId: string; body: string; start?: StartInfo; attachmentId?: string }) {
    return this.visitorLanes.run(v.visitorId, async () => {
      try {
        return await this.visitorSendNow(v, p);
      } catch (e) {
        // the visitor's other tab, on another node, opened the conversation a moment ago: write there
        if (e instanceof OpenConversationExists) return this.visitorSendNow(v, p);
        throw e;
      }
    });
  }

  /**
   * The file a message carries: one this sender uploaded on this site and has not sent yet (or
   * sent with this very message, when it is a retry).
   */
  private async attachmentFor(p: { attachmentId?: string; clientId: string }, who: { siteId: string; uploader: 'visitor' | 'operator'; uploaderId: string; visitorId?: string }): Promise<AttachmentRef | null> {
    if (!p.attachmentId) return null;
    const a = await this.d.store.files.get(p.attachmentId);
    if (!a || a.siteId !== who.siteId || a.uploader !== who.uploader || a.uploaderId !== who.uploaderId || (who.visitorId && a.visitorId !== who.visitorId)) throw new BeckonError('NOT_FOUND', 'No such file: upload it again.');
    if (a.messageId) {
      const sent = await this.d.store.findSent(who.uploader, who.uploaderId, p.clientId);
      if (sent?.message.id !== a.messageId) throw new BeckonError('NOT_FOUND', 'That file was sent already: upload it again.');
    }
    return { id: a.id, name: a.name, type: a.type as AttachmentRef['type'], size: a.size, width: a.width, height: a.height, thumb: !!a.thumbSha256 };
  }

  private async visitorSendNow(v: { siteId: string; visitorId: string; ip?: string }, p: { clientId: string; body: string; start?: StartInfo; attachmentId?: string }) {
    const now = this.d.now();
    const attachment = await this.attachmentFor(p, { siteId: v.siteId, uploader: 'visitor', uploaderId: v.visitorId, visitorId: v.visitorId });
    const msg = { clientId: p.clientId, sender: 'visitor' as const, senderId: v.visitorId, authorName: null, body: p.body, now, attachment };
    const latest = await this.d.store.latestConversationOf(v.visitorId);
    let result = latest ? await this.d.store.appendMessage({ ...msg, conversationId: latest.id }) : null;
    let created = false;
    if (!result || result.kind === 'closed' || result.kind === 'missing') {
      // a retry of a message stored before (in a conversation since closed) is that message
      const sent = await this.d.store.findSent('visitor', v.visitorId, p.clientId);
      if (sent) {
        if (sent.message.body !== p.body) throw new BeckonError('DUPLICATE_ID_CONFLICT');
        return { message: sent.message, conversation: await this.visitorView(latest ?? sent.conversation) };
      }
      // checked where a conversation starts (a block also ends the open one and the visitor's connections)
      if (await this.d.store.isBlocked(v.siteId, v.visitorId, v.ip ?? null)) throw new BeckonError('BLOCKED');
      await this.d.abuse?.newConversation(v.visitorId, v.ip ?? null);
      const site = await this.d.store.getSite(v.siteId);
      const department = p.start?.department && site?.routing.departments.some((x) => x.id === p.start!.department) ? p.start.department : null;
      const priority = (await this.hooks.priorityOf?.(v.siteId, v.visitorId)) ?? 0;
      if (p.start?.name || p.start?.email) await this.d.store.updateVisitor(v.visitorId, { ...(p.start.name ? { name: p.start.name } : {}), ...(p.start.email ? { email: p.start.email } : {}) });
      const conv = await this.d.store.createConversation({ siteId: v.siteId, visitorId: v.visitorId, previousId: latest?.id ?? null, department, priority }, now);
      created = true;
      result = await this.d.store.appendMessage({ ...msg, conversationId: conv.id });
    }
    if (result.kind === 'conflict') throw new BeckonError('DUPLICATE_ID_CONFLICT');
    if (result.kind !== 'created' && result.kind !== 'duplicate') throw new Error(`append failed: ${result.kind}`);
    if (result.kind === 'created') {
      if (created) {
        await this.publish(result.conversation);
        this.emit(result.conversation, 'conversation.started');
      }
      // a new conversation's summary went out with publish(); later messages carry what they change (unread, read mark)
      this.announce(result.conversation, result.message, !created);
      this.emit(result.conversation, 'message.visitor', { message: result.message });
      if (created) background(this.dispatch(v.siteId), this.d.log, 'dispatch');
    }
    // a duplicate may belong to an earlier conversation: the visitor is told about the current one
    return { message: result.message, conversation: await this.visitorView(result.kind === 'duplicate' && latest ? latest : result.conversation) };
  }

  /** An operator writes. Replying to a queued conversation takes it (within capacity). */
  async operatorSend(op: { accountId: string; name: string }, conv: ConversationRow, p: { clientId: string; body: string; attachmentId?: string }) {
    const attachment = await this.attachmentFor(p, { siteId: conv.siteId, uploader: 'operator', uploaderId: op.accountId });
    if (attachment && (await this.d.store.files.get(attachment.id))?.visitorId !== conv.visitorId) throw new BeckonError('NOT_FOUND', 'No such file: upload it again.');
    if (conv.status === 'queued') await this.take(op.accountId, conv);
    const result = await this.d.store.appendMessage({ conversationId: conv.id, clientId: p.clientId, sender: 'operator', senderId: op.accountId, authorName: op.name, body: p.body, now: this.d.now(), attachment });
    if (result.kind === 'conflict') throw new BeckonError('DUPLICATE_ID_CONFLICT');
    if (result.kind === 'closed') throw new BeckonError('CONVERSATION_CLOSED');
    if (result.kind === 'missing') throw new BeckonError('NOT_FOUND');
    if (result.kind === 'created') {
      // the first reply since the assignment ends its no-answer deadline (later ones have none)
      if (!conv.lastOperatorAt || (conv.assignedAt !== null && conv.lastOperatorAt < conv.assignedAt)) await this.router.answered(conv.id);
      this.announce(result.conversation, result.message, true);
      this.emit(result.conversation, 'message.operator', { message: result.message, operator: { id: op.accountId, name: op.name } });
    }
    return { message: result.message };
  }

  /** The sender edits (body) or takes back (null) their own last message; both sides see it change. */
  async changeMessage(conv: ConversationRow, who: { sender: 'visitor' | 'operator'; senderId: string }, messageId: string, body: string | null): Promise<{ message: Message }> {
    if (conv.status === 'closed') throw new BeckonError('CONVERSATION_CLOSED');
    const now = this.d.now();
    const r = await this.d.store.changeMessage({ messageId, conversationId: conv.id, ...who, body, now, since: now - LIMITS.editWindowMs });
    if (r === 'gone') throw new BeckonError('NOT_FOUND');
    if (r === 'not_last') throw new BeckonError('EDIT_WINDOW_CLOSED');
    this.d.visitors.to(rooms.visitor(conv.visitorId)).emit('message:changed', r);
    this.d.operators.to(rooms.siteOperators(conv.siteId)).emit('message:changed', r);
    const fresh = await this.d.store.getConversation(conv.id);
    if (fresh && fresh.lastSeq === r.seq) this.d.operators.to(rooms.siteOperators(conv.siteId)).emit('conversation:upsert', await this.summary(fresh));
    return { message: r };
  }

  /** Messages after `lastSeq`, or the newest page when the client is far behind or elsewhere. */
  async sync<C>(conv: ConversationRow | null, lastSeq: number, view: (c: ConversationRow) => Promise<C>, knownId?: string): Promise<SyncResult<C>> {
    if (!conv) return { conversation: null, messages: [], reset: true, hasMore: false };
    const behind = conv.lastSeq - lastSeq;
    const reset = lastSeq === 0 || behind > LIMITS.syncMax || behind < 0 || (knownId !== undefined && knownId !== conv.id);
    const messages = reset ? await this.d.store.messagesBefore(conv.id, conv.lastSeq + 1, LIMITS.historyPage) : await this.d.store.messagesAfter(conv.id, lastSeq, LIMITS.syncMax);
    return { conversation: await view(conv), messages, reset, hasMore: (messages[0]?.seq ?? 1) > 1 };
  }

  async history(conv: ConversationRow, beforeSeq: number, limit: number = LIMITS.historyPage) {
    const messages = await this.d.store.messagesBefore(conv.id, beforeSeq, limit);
    return { messages, hasMore: (messages[0]?.seq ?? 1) > 1 };
  }

  // ---- lifecycle

  async close(conv: ConversationRow, reason: CloseReason): Promise<ConversationRow | null> {
    const closed = await this.d.store.closeConversation(conv.id, reason, this.d.now());
    if (!closed) return null;
    await this.publish(closed);
    this.emit(closed, 'conversation.closed');
    if (conv.assigneeId) background(this.dispatch(conv.siteId), this.d.log, 'dispatch');
    return closed;
  }

  /** An operator takes a queued conversation by hand; capacity still holds. */
  take(accountId: string, conv: ConversationRow): Promise<ConversationRow> {
    return this.serialSite(conv.siteId, async () => {
      const fresh = await this.d.store.getConversation(conv.id);
      if (!fresh || fresh.status === 'closed') throw new BeckonError('CONVERSATION_CLOSED');
      if (fresh.status === 'active') return fresh;
      const member = (await this.d.store.listMembers(conv.siteId)).find((m) => m.accountId === accountId);
      const active = (await this.d.store.activeCounts([accountId])).get(accountId) ?? 0;
      if (!member || active >= member.capacity) throw new BeckonError('AT_CAPACITY');
      const now = this.d.now();
      const taken = await this.d.store.routeConversation(conv.id, { assigneeId: accountId, moves: 0, tried: [] }, now);
      if (!taken) throw new BeckonError('CONVERSATION_CLOSED');
      this.d.presence.markAssigned(accountId, now);
      await this.d.store.addRoutingEvent({ siteId: conv.siteId, conversationId: conv.id, kind: 'taken', operatorId: accountId, reason: { code: 'taken_by_hand' }, at: now });
      this.emit(taken, 'conversation.assigned', { how: 'taken' });
      background(this.dispatch(conv.siteId), this.d.log, 'dispatch');
      await this.publish(taken);
      return taken;
    });
  }

  /** Give queued conversations of a site to operators with free slots (./router.ts). */
  dispatch(siteId: string): Promise<void> {
    return this.router.dispatch(siteId);
  }

  /** Close conversations idle past their site's limit (DESIGN.md "Domain words"). */
  async sweepIdle(): Promise<number> {
    const idle = await this.d.store.listIdle(this.d.now());
    for (const c of idle) await this.close(c, 'idle');
    return idle.length;
  }
}
