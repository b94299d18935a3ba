/**
 * Routing on the server (DESIGN.md "Routing"): the pure decisions of `@beckon/routing` applied
 * to the store, one site at a time. Assigns when a conversation arrives and whenever a slot
 * frees; keeps each waiting visitor's place in line and expected wait current; moves
 * unanswered conversations on (bounded); re-queues an operator's chats once their grace period
 * after the last tab dropped is over; transfers; and stores every decision with its reason.
 */
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
  private readonly noAnswerTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly droppedAt = new Map<string, number>();

  constructor(
    private readonly d: ChatDeps,
    private readonly chat: ChatService,
  ) {}

  stop(): void {
    for (const t of [...this.noAnswerTimers.values(), ...this.graceTimers.values()]) clearTimeout(t);
    this.noAnswerTimers.clear();
    this.graceTimers.clear();
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
    const [members, counts] = await Promise.all([this.d.store.listMembers(siteId), this.d.store.activeCounts()]);
    return members.map((m) => ({ id: m.accountId, name: m.name, status: this.d.presence.status(m.accountId), capacity: m.capacity, active: counts.get(m.accountId) ?? 0, lastAssignedAt: this.d.presence.lastAssignedAt(m.accountId), skills: m.skills ?? [] }));
  }

  private record(c: { siteId: string; id: string }, kind: string, operatorId: string | null, reason: Record<string, unknown>): Promise<void> {
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
      .serial(siteId, async () => {
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
          this.armNoAnswer(conv, settings);
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
    for (const [id, q] of next) {
      const old = before.get(id);
      if (old && old.position === q.position && old.waitMs === q.waitMs) continue;
      const conv = await this.d.store.getConversation(id);
      if (conv && conv.status === 'queued') await this.chat.publish(conv);
    }
  }

  // ---- no answer

  private armNoAnswer(c: ConversationRow, s: RoutingSettings): void {
    clearTimeout(this.noAnswerTimers.get(c.id));
    const step = noAnswer({ assignedAt: c.assignedAt ?? this.d.now(), repliedAt: c.lastOperatorAt, moves: c.moves }, this.d.now(), { timeoutMs: s.noAnswerSeconds * 1000, maxMoves: s.maxMoves });
    if (step.step !== 'wait') return;
    const t = setTimeout(() => {
      this.noAnswerTimers.delete(c.id);
      void this.onNoAnswer(c.id);
    }, step.until - this.d.now());
    t.unref();
    this.noAnswerTimers.set(c.id, t);
  }

  /** An operator replied: the conversation is answered. */
  answered(conversationId: string): void {
    clearTimeout(this.noAnswerTimers.get(conversationId));
    this.noAnswerTimers.delete(conversationId);
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

  /** Presence changed: start or cancel the grace period of an operator's chats. */
  presenceChanged(accountId: string, siteIds: string[], status: string): void {
    if (status !== 'offline') {
      this.droppedAt.delete(accountId);
      for (const siteId of siteIds) {
        clearTimeout(this.graceTimers.get(`${accountId}:${siteId}`));
        this.graceTimers.delete(`${accountId}:${siteId}`);
      }
      return;
    }
    const at = this.d.now();
    this.droppedAt.set(accountId, at);
    for (const siteId of siteIds) {
      void this.settings(siteId).then((s) => {
        const step = graceStep(at, this.d.now(), s.graceSeconds * 1000);
        const key = `${accountId}:${siteId}`;
        clearTimeout(this.graceTimers.get(key));
        const t = setTimeout(() => {
          this.graceTimers.delete(key);
          void this.onGraceOver(accountId, siteId, s.graceSeconds);
        }, step.step === 'wait' ? step.until - this.d.now() : 0);
        t.unref();
        this.graceTimers.set(key, t);
      });
    }
  }

  private onGraceOver(accountId: string, siteId: string, graceSeconds: number): Promise<void> {
    return this.chat
      .serial(siteId, async () => {
        if (this.d.presence.status(accountId) !== 'offline') return;
        const mine = (await this.d.store.activeOf(accountId)).filter((c) => c.siteId === siteId);
        for (const c of mine) {
          // only if still theirs: a second timer, or a reconnect in between, changes nothing
          const back = await this.d.store.routeConversation(c.id, { assigneeId: null, head: true, moves: 0, onlyIfAssignee: accountId }, this.d.now());
          if (!back) continue;
          this.answered(c.id);
          await this.record(c, 'requeued', accountId, { code: 'operator_left', graceSeconds });
          await this.chat.publish(back);
          await this.tell(back, TOLD.left);
        }
      })
      .then(() => this.dispatch(siteId))
      .catch((err) => this.d.log.error({ err, accountId }, 'grace re-queue failed'));
  }

  // ---- by hand

  /** Transfer to an operator (within their capacity) or to a department's queue, with a note. */
  async transfer(by: { accountId: string; name: string }, c: ConversationRow, to: { operatorId?: string; department?: string }, note: string, kind: 'transferred' | 'reassigned' = 'transferred'): Promise<ConversationRow> {
    const moved = await this.chat.serial(c.siteId, async () => {
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
        this.armNoAnswer(r, await this.settings(c.siteId));
        return { conv: r, told: TOLD.transferred.en(target.name), toldRu: TOLD.transferred.ru(target.name) };
      }
      const site = await this.d.store.getSite(c.siteId);
      if (!site?.routing.departments.some((x) => x.id === to.department)) throw new BeckonError('NOT_FOUND', 'no such department');
      const r = await this.d.store.routeConversation(c.id, { assigneeId: null, department: to.department!, head: true, moves: 0, tried: fresh.assigneeId ? [fresh.assigneeId] : [] }, now);
      if (!r) throw new BeckonError('CONVERSATION_CLOSED');
      this.answered(c.id);
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
      void this.dispatch(c.siteId);
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
