/**
 * Routing on the server (DESIGN.md "Routing"): the pure decisions of `@beckon/routing` applied
 * to the store, one site at a time. Assigns when a conversation arrives and whenever a slot
 * frees; keeps each waiting visitor's place in line and expected wait current; moves
 * unanswered conversations on (bounded); re-queues an operator's chats once their grace period
 * after the last tab dropped is over; transfers; and stores every decision with its reason.
 */
import { background } from '../lib/background';
import { assign, expectedWait, graceStep, MAX_SAMPLES, noAnswer, pickOperator, type OperatorLoad, type WaitingConversation } from '@beckon/routing';
import { BeckonError, type FloorView, type RoutingSettings } from '@beckon/protocol';
import type { ConversationRow } from '@beckon/db';
import type { ChatDeps, ChatService } from './chat-service';
import { visitorDisplayName } from './chat-service';
import { rooms } from './types';

export interface QueueInfo {
  position: number;
  waitMs: number | null;
  overLimit: boolean;
}

/** What the visitor is told, in their language. */
const TOLD = {
  moved: { en: 'Connecting you to another operator…', ru: 'Соединяем вас с другим оператором…' },
  requeued: { en: 'Sorry for the wait — you are first in line now.', ru: 'Извините за ожидание — вы первый в очереди.' },
  left: { en: 'Your operator was disconnected. We are finding someone else for you.', ru: 'Оператор отключился. Ищем, кто продолжит с вами.' },
  transferred: { en: (n: string) => `You are now chatting with ${n}.`, ru: (n: string) => `Теперь с вами общается ${n}.` },
  department: { en: 'We are passing your question to the right team.', ru: 'Передаём ваш вопрос нужной команде.' },
};

export class Router {
  /** per site: each queued conversation's place and expected wait */
  private readonly queues = new Map<string, Map<string, QueueInfo>>();
  /** per site: the last stored wait reason of each queued conversation (only changes are stored) */
  private readonly lastWhy = new Map<string, Map<string, string>>();

  constructor(
    private readonly d: ChatDeps,
    private readonly chat: ChatService,
  ) {
    // both deadlines are rows (../lib/scheduler.ts): a restart or another node acts on them once
    d.scheduler.on('no_answer', (id) => this.onNoAnswer(id));
    d.scheduler.on('grace', async (_key, p) => {
      const x = p as { accountId: string; siteId: string; graceSeconds: number };
      await this.onGraceOver(x.accountId, x.siteId, x.graceSeconds);
    });
    // places in line worked out on another node (which routed last): what this one tells its visitors
    d.link?.on('queue', (_from, q) => this.queues.set(q.siteId, new Map(q.entries.map(([id, position, waitMs, overLimit]) => [id, { position, waitMs, overLimit }]))));
  }

  /**
   * At start-up nobody is connected yet: every operator holding chats gets the grace period a
   * dropped connection gets (unless one is already running). Those who come back keep their
   * chats; the chats of those who do not go back to the queue.
   */
  async recover(): Promise<void> {
    const now = this.d.now();
    for (const site of await this.d.store.listSites()) {
      const holders = new Set((await this.d.store.listActive(site.id)).map((c) => c.assigneeId).filter((x): x is string => !!x));
      for (const accountId of holders) {
        if (this.d.presence.status(accountId) !== 'offline') continue;
        await this.d.scheduler.at('grace', `${accountId}:${site.id}`, now + site.routing.graceSeconds * 1000, { accountId, siteId: site.id, graceSeconds: site.routing.graceSeconds }, { keepExisting: true });
      }
    }
  }

  queueInfo(c: ConversationRow): QueueInfo | null {
    return c.status === 'queued' ? (this.queues.get(c.siteId)?.get(c.id) ?? null) : null;
  }

  private async settings(siteId: string): Promise<RoutingSettings> {
    const site = await this.d.store.getSite(siteId);
    if (!site) throw new BeckonError('NOT_FOUND');
    return site.routing;
  }

  async loads(siteId: string): Promise<(OperatorLoad & { name: string })[]> {
    const members = await this.d.store.listMembers(siteId);
    const counts = await this.d.store.activeCounts(members.map((m) => m.accountId));
    return members.map((m) => ({ id: m.accountId, name: m.name, status: this.d.presence.status(m.accountId), capacity: m.capacity, active: counts.get(m.accountId) ?? 0, lastAssignedAt: this.d.presence.lastAssignedAt(m.accountId), skills: m.skills ?? [] }));
  }

  private record(c: { siteId: string; id: string } | ConversationRow, kind: string, operatorId: string | null, reason: Record<string, unknown>): Promise<void> {
    if ('visitorId' in c) {
      // integrations hear of assignments and transfers (webhooks)
      if (kind === 'assigned') this.chat.emit(c, 'conversation.assigned', { how: 'routed', reason });
      else if (kind === 'transferred' || kind === 'reassigned') this.chat.emit(c, 'conversation.transferred', { from: reason.from ?? null, to: operatorId ? { operatorId } : { department: reason.department ?? null }, note: reason.note ?? '' });
    }
    return this.d.store.addRoutingEvent({ siteId: c.siteId, conversationId: c.id, kind, operatorId, reason, at: this.d.now() });
  }

  /** A system line in the conversation, in the visitor's language. */
  private async tell(c: ConversationRow, text: { en: string; ru: string }): Promise<void> {
    const v = await this.d.store.getVisitor(c.visitorId);
    const body = /^ru/i.test(v?.lang ?? '') ? text.ru : text.en;
    await this.chat.systemMessage(c, body);
  }

  /** Give waiting conversations to operators with free slots; refresh places in line. */
  dispatch(siteId: string): Promise<void> {
    return this.chat
      .serialSite(siteId, async () => {
        const settings = await this.settings(siteId);
        const queued = await this.d.store.listQueued(siteId);
        const loads = queued.length ? await this.loads(siteId) : [];
        const now = this.d.now();
        const waiting: WaitingConversation[] = queued.map((c) => ({ id: c.id, since: c.createdAt, priority: c.priority, department: c.department, exclude: c.tried ?? [], head: c.head }));
        const out = assign(waiting, loads, now, settings.policy);
        for (const a of out.assignments) {
          const conv = await this.d.store.routeConversation(a.conversationId, { assigneeId: a.operatorId, onlyIfAssignee: null }, now);
          if (!conv) continue;
          this.d.presence.markAssigned(a.operatorId, now);
          await this.record(conv, 'assigned', a.operatorId, { ...a.reason });
          await this.armNoAnswer(conv, settings);
          await this.chat.publish(conv);
        }
        const before = this.lastWhy.get(siteId);
        const why = new Map<string, string>();
        for (const w of out.waiting) {
          const key = JSON.stringify(w.reason);
          why.set(w.id, key);
          if (before?.get(w.id) !== key) await this.record({ siteId, id: w.id }, 'queued', null, { ...w.reason });
        }
        this.lastWhy.set(siteId, why);
        await this.refreshQueue(siteId, settings, out.waiting.map((w) => w.id), out.operators);
      })
      .catch((err) => this.d.log.error({ err, siteId }, 'dispatch failed'));
  }

  /** Places in line and expected waits, pushed to every waiting visitor whose numbers changed. */
  private async refreshQueue(siteId: string, settings: RoutingSettings, order: string[], ops: readonly OperatorLoad[]): Promise<void> {
    const handling = await this.d.store.handlingTimes(siteId, MAX_SAMPLES);
    const slots = ops.filter((o) => o.status === 'online').reduce((n, o) => n + o.capacity, 0);
    const before = this.queues.get(siteId) ?? new Map<string, QueueInfo>();
    const next = new Map<string, QueueInfo>();
    order.forEach((id, i) => {
      const waitMs = expectedWait(i + 1, handling, slots);
      next.set(id, { position: i + 1, waitMs, overLimit: waitMs !== null && waitMs > settings.waitLimitSeconds * 1000 });
    });
    this.queues.set(siteId, next);
    this.d.link?.send('queue', { siteId, entries: [...next].map(([id, q]) => [id, q.position, q.waitMs, q.overLimit]) });
    for (const [id, q] of next) {
      const old = before.get(id);
      if (old && old.position === q.position && old.waitMs === q.waitMs) continue;
      const conv = await this.d.store.getConversation(id);
      if (conv && conv.status === 'queued') await this.chat.publish(conv);
    }
  }

  // ---- no answer

  private async armNoAnswer(c: ConversationRow, s: RoutingSettings): Promise<void> {
    const step = noAnswer({ assignedAt: c.assignedAt ?? this.d.now(), repliedAt: c.lastOperatorAt, moves: c.moves }, this.d.now(), { timeoutMs: s.noAnswerSeconds * 1000, maxMoves: s.maxMoves });
    if (step.step !== 'wait') return this.d.scheduler.cancel('no_answer', c.id);
    await this.d.scheduler.at('no_answer', c.id, step.until);
  }

  /** An operator replied for the first time since the assignment: nothing to move on. */
  answered(conversationId: string): Promise<void> {
    return this.d.scheduler.cancel('no_answer', conversationId);
  }

  private onNoAnswer(id: string): Promise<void> {
    return this.chat
      .serial(`route:${id}`, async () => {
        const c = await this.d.store.getConversation(id);
        if (!c || c.status !== 'active' || !c.assigneeId) return;
        const s = await this.settings(c.siteId);
        const step = noAnswer({ assignedAt: c.assignedAt!, repliedAt: c.lastOperatorAt, moves: c.moves }, this.d.now(), { timeoutMs: s.noAnswerSeconds * 1000, maxMoves: s.maxMoves });
        if (step.step === 'wait') return this.armNoAnswer(c, s);
        if (step.step === 'done') return;
        const from = c.assigneeId;
        const tried = [...new Set([...(c.tried ?? []), from])];
        const others = pickOperator(await this.loads(c.siteId), { department: c.department, exclude: tried });
        // nobody else to move to: it stays (moving it to the queue would only take it from the one who can answer)
        if (step.step === 'move' && !others) return this.record(c, 'stays', from, { code: 'no_other_operator', seconds: s.noAnswerSeconds });
        const move = step.step === 'move';
        const moved = await this.d.store.routeConversation(c.id, move ? { assigneeId: null, moves: c.moves + 1, tried, onlyIfAssignee: from } : { assigneeId: null, moves: 0, tried, head: true, onlyIfAssignee: from }, this.d.now());
        if (!moved) return;
        await this.record(c, move ? 'moved' : 'requeued', from, { code: move ? 'no_answer' : 'max_moves', seconds: s.noAnswerSeconds, moves: c.moves + (move ? 1 : 0) });
        await this.chat.publish(moved);
        await this.tell(moved, move ? TOLD.moved : TOLD.requeued);
        await this.dispatch(c.siteId);
      })
      .catch((err) => this.d.log.error({ err, id }, 'no-answer step failed'));
  }

  // ---- operators who drop off

  /** Presence changed: start or cancel the grace period of an operator's chats (a stored deadline). */
  presenceChanged(accountId: string, siteIds: string[], status: string): void {
    const at = this.d.now();
    for (const siteId of siteIds) {
      const key = `${accountId}:${siteId}`;
      const step =
        status !== 'offline'
          ? this.d.scheduler.cancel('grace', key)
          : this.settings(siteId).then((s) => this.d.scheduler.at('grace', key, at + s.graceSeconds * 1000, { accountId, siteId, graceSeconds: s.graceSeconds }));
      step.catch((err) => this.d.log.error({ err, accountId, siteId }, 'grace deadline not stored'));
    }
  }

  private onGraceOver(accountId: string, siteId: string, graceSeconds: number): Promise<void> {
    return this.chat
      .serialSite(siteId, async () => {
        if (this.d.presence.status(accountId) !== 'offline') return;
        await this.requeueNow(accountId, siteId, { code: 'operator_left', graceSeconds });
      })
      .then(() => this.dispatch(siteId))
      .catch((err) => this.d.log.error({ err, accountId }, 'grace re-queue failed'));
  }

  /**
   * The operator may no longer work on the site (removed, disabled): their chats go back to the
   * queue at once, first in line.
   */
  requeueAll(accountId: string, siteId: string, code: 'operator_removed' | 'operator_disabled'): Promise<void> {
    return this.chat
      .serialSite(siteId, () => this.requeueNow(accountId, siteId, { code }))
      .then(() => this.dispatch(siteId))
      .catch((err) => this.d.log.error({ err, accountId }, 're-queue failed'));
  }

  private async requeueNow(accountId: string, siteId: string, reason: Record<string, unknown>): Promise<void> {
    const mine = (await this.d.store.activeOf(accountId)).filter((c) => c.siteId === siteId);
    for (const c of mine) {
      // only if still theirs: a second timer, or a reconnect in between, changes nothing
      const back = await this.d.store.routeConversation(c.id, { assigneeId: null, head: true, moves: 0, onlyIfAssignee: accountId }, this.d.now());
      if (!back) continue;
      await this.answered(c.id);
      await this.record(c, 'requeued', accountId, reason);
      await this.chat.publish(back);
      await this.tell(back, TOLD.left);
    }
  }

  // ---- by hand

  /** Transfer to an operator (within their capacity) or to a department's queue, with a note. */
  async transfer(by: { accountId: string; name: string }, c: ConversationRow, to: { operatorId?: string; department?: string }, note: string, kind: 'transferred' | 'reassigned' = 'transferred'): Promise<ConversationRow> {
    const moved = await this.chat.serialSite(c.siteId, async () => {
      const fresh = await this.d.store.getConversation(c.id);
      if (!fresh || fresh.status === 'closed') throw new BeckonError('CONVERSATION_CLOSED');
      const now = this.d.now();
      if (to.operatorId) {
        const target = (await this.loads(c.siteId)).find((o) => o.id === to.operatorId);
        if (!target) throw new BeckonError('NOT_FOUND', 'no such operator on this site');
        if (target.id === fresh.assigneeId) return fresh;
        if (target.active >= target.capacity) throw new BeckonError('AT_CAPACITY', `${target.name} is at their chat limit.`);
        const r = await this.d.store.routeConversation(c.id, { assigneeId: target.id, moves: 0, tried: [] }, now);
        if (!r) throw new BeckonError('CONVERSATION_CLOSED');
        this.d.presence.markAssigned(target.id, now);
        await this.record(r, kind, target.id, { code: kind, from: fresh.assigneeId, by: by.accountId, note });
        await this.armNoAnswer(r, await this.settings(c.siteId));
        return { conv: r, told: TOLD.transferred.en(target.name), toldRu: TOLD.transferred.ru(target.name) };
      }
      const site = await this.d.store.getSite(c.siteId);
      if (!site?.routing.departments.some((x) => x.id === to.department)) throw new BeckonError('NOT_FOUND', 'no such department');
      const r = await this.d.store.routeConversation(c.id, { assigneeId: null, department: to.department!, head: true, moves: 0, tried: fresh.assigneeId ? [fresh.assigneeId] : [] }, now);
      if (!r) throw new BeckonError('CONVERSATION_CLOSED');
      await this.answered(c.id);
      await this.record(r, kind, null, { code: kind, from: fresh.assigneeId, department: to.department, by: by.accountId, note });
      return { conv: r, told: TOLD.department.en, toldRu: TOLD.department.ru };
    });
    if ('conv' in moved) {
      if (note) {
        const n = await this.d.store.addNote({ conversationId: c.id, authorId: by.accountId, authorName: by.name, body: `↪ ${note}` }, this.d.now());
        this.d.operators.to(rooms.siteOperators(c.siteId)).emit('note:new', n);
      }
      await this.chat.publish(moved.conv);
      await this.tell(moved.conv, { en: moved.told, ru: moved.toldRu });
      background(this.dispatch(c.siteId), this.d.log, 'dispatch');
      return moved.conv;
    }
    return moved;
  }

  /** The supervisor's floor: operators with their chats, the queue with waits and reasons. */
  async floor(siteId: string): Promise<FloorView> {
    const [loads, active, queued, handling] = await Promise.all([this.loads(siteId), this.d.store.listActive(siteId), this.d.store.listQueued(siteId), this.d.store.handlingTimes(siteId, MAX_SAMPLES)]);
    const visitors = new Map<string, string>();
    for (const c of [...active, ...queued]) {
      if (!visitors.has(c.visitorId)) visitors.set(c.visitorId, visitorDisplayName(c.visitorId, (await this.d.store.getVisitor(c.visitorId))?.name ?? null));
    }
    const why = await this.d.store.lastWaitReasons(queued.map((c) => c.id));
    const info = this.queues.get(siteId);
    const now = this.d.now();
    const order = [...queued].sort((a, b) => (info?.get(a.id)?.position ?? 1e9) - (info?.get(b.id)?.position ?? 1e9));
    const mean = handling.length >= 5 ? Math.round(handling.slice(0, MAX_SAMPLES).reduce((a, b) => a + b, 0) / Math.min(handling.length, MAX_SAMPLES)) : null;
    return {
      operators: loads.map((o) => ({
        accountId: o.id,
        name: o.name,
        status: o.status,
        capacity: o.capacity,
        active: o.active,
        skills: [...(o.skills ?? [])],
        chats: active.filter((c) => c.assigneeId === o.id).map((c) => ({ id: c.id, visitorName: visitors.get(c.visitorId)!, since: c.assignedAt ?? c.createdAt })),
      })),
      queue: order.map((c, i) => ({ id: c.id, visitorName: visitors.get(c.visitorId)!, position: info?.get(c.id)?.position ?? i + 1, waitingMs: now - c.createdAt, expectedMs: info?.get(c.id)?.waitMs ?? null, priority: c.priority, department: c.department, why: why.get(c.id) ?? null })),
      handlingMs: mean,
    };
  }
}
