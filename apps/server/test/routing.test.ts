/** Routing on a real server: capacity under a burst, honest places in line, moves, grace, transfers, inbox, blocks. */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary, FloorView, InboxAnswer, Message, Note, SyncResult, VisitorConversation } from '@beckon/protocol';
import { createMember, fakeClock } from '../src/index';
import { call, collect, expectOk, login, next, operator, PASSWORD, sleep, startServer, visitor, visitorReady, type Harness, type OperatorSocket, type VisitorSocket } from './harness';

async function api<T>(h: Harness, cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function routing(h: Harness, patch: Record<string, unknown>) {
  const admin = await login(h, 'admin@shop.test');
  expect((await api(h, admin, 'PATCH', `/api/sites/${h.site.id}`, { routing: patch })).status).toBe(200);
}

async function capacity(h: Harness, email: string, n: number) {
  const admin = await login(h, 'admin@shop.test');
  const members = await api<{ accountId: string; email: string }[]>(h, admin, 'GET', `/api/sites/${h.site.id}/members`);
  const m = members.body.find((x) => x.email === email)!;
  expect((await api(h, admin, 'PATCH', `/api/sites/${h.site.id}/members/${m.accountId}`, { capacity: n })).status).toBe(200);
  return m.accountId;
}

const viewOf = async (v: VisitorSocket) => (await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }))).conversation!;

describe('capacity and the queue', () => {
  it('20 conversations at once with 3 operators of capacity 5: nobody over capacity, 5 queued with honest positions that move up as slots free', async () => {
    const h = await startServer();
    await createMember(h.store, h.site, { email: 'third@shop.test', name: 'Tanya', role: 'operator', password: PASSWORD }, Date.now());
    for (const e of ['admin@shop.test', 'op@shop.test', 'third@shop.test']) await capacity(h, e, 5);
    const ops = await Promise.all(['admin@shop.test', 'op@shop.test', 'third@shop.test'].map((e) => operator(h, e)));
    await Promise.all(ops.map((o) => expectOk(call(o, 'operator:status', { status: 'online' }))));

    const visitors = await Promise.all(Array.from({ length: 20 }, () => visitorReady(h)));
    await Promise.all(visitors.map((v, i) => expectOk(call(v.socket, 'message:send', { clientId: `m${i}`, body: `question ${i}` }))));
    await h.beckon.chat.idle();

    const counts = await h.store.activeCounts();
    expect([...counts.values()].sort()).toEqual([5, 5, 5]);
    const queued = await h.store.listQueued(h.site.id);
    expect(queued).toHaveLength(5);
    const views = await Promise.all(visitors.map((v) => viewOf(v.socket)));
    const positions = views.filter((c) => c.status === 'queued').map((c) => c.queue!.position);
    expect(positions.sort()).toEqual([1, 2, 3, 4, 5]);
    // the one first in line is the oldest waiting
    const first = views.find((c) => c.queue?.position === 1)!;
    expect(first.id).toBe(queued.sort((a, b) => a.createdAt - b.createdAt)[0]!.id);
    // no estimate yet: nothing has been handled on this site
    expect(views.filter((c) => c.status === 'queued').every((c) => c.queue!.waitMs === null)).toBe(true);

    // one chat ends: the first in line gets the free slot, the others move up (and are told)
    const second = visitors[views.findIndex((c) => c.queue?.position === 2)]!;
    const movedUp = next<VisitorConversation>(second.socket, 'conversation:update', (c) => c.queue?.position === 1);
    const active = views.find((c) => c.status === 'active')!;
    await expectOk(call(ops[0]!, 'conversation:close', { conversationId: active.id }));
    await movedUp;
    await h.beckon.chat.idle();
    expect(((await h.store.getConversation(first.id))!).status).toBe('active');
    const after = await Promise.all(visitors.map((v) => viewOf(v.socket)));
    expect(after.filter((c) => c.status === 'queued').map((c) => c.queue!.position).sort()).toEqual([1, 2, 3, 4]);
    expect(Math.max(...(await h.store.activeCounts()).values())).toBeLessThanOrEqual(5);

    // the floor: every operator with status and load, the queue with waits and why
    const floor = await expectOk(call(ops[1]!, 'floor:get', { siteId: h.site.id }));
    expect(floor.operators.map((o) => `${o.name} ${o.status} ${o.active}/${o.capacity}`).sort()).toEqual(['Ada online 5/5', 'Oleg online 5/5', 'Tanya online 5/5']);
    expect(floor.queue.map((q) => q.position)).toEqual([1, 2, 3, 4]);
    expect(floor.queue[0]!.why).toEqual({ code: 'all_busy', online: 3 });
  });

  it('an identified customer goes ahead of earlier visitors; the expected wait is computed from handled chats', async () => {
    const h = await startServer();
    await capacity(h, 'op@shop.test', 1);
    const op = await operator(h, 'op@shop.test');
    // five handled chats of 60 s each on record
    const past = Date.now() - 3_600_000;
    for (let i = 0; i < 5; i++) {
      const v = await h.store.touchVisitor({ id: `past-visitor-${String(i).padStart(8, '0')}`, siteId: h.site.id, lang: 'en', userAgent: null }, past);
      const c = await h.store.createConversation({ siteId: h.site.id, visitorId: v.id, previousId: null }, past);
      await h.store.routeConversation(c.id, { assigneeId: (await h.store.getAccountByEmail('op@shop.test'))!.id }, past);
      await h.store.closeConversation(c.id, 'operator', past + 60_000);
    }
    const busy = await visitorReady(h);
    await expectOk(call(busy.socket, 'message:send', { clientId: 'b', body: 'first' }));
    const early = await visitorReady(h);
    await expectOk(call(early.socket, 'message:send', { clientId: 'e', body: 'early' }));
    // the site's identity secret signs the customer's id
    const { createHmac } = await import('node:crypto');
    const secret = (await h.store.getSite(h.site.id))!.identitySecret!;
    const vip = await visitorReady(h);
    await expectOk(call(vip.socket, 'journey:batch', { events: [{ type: 'identify', userId: 'cust-42', hash: createHmac('sha256', secret).update('cust-42').digest('hex'), name: 'Vera' }] }));
    await expectOk(call(vip.socket, 'message:send', { clientId: 'v', body: 'I am a customer' }));
    await h.beckon.chat.idle();
    const vipView = await viewOf(vip.socket);
    const earlyView = await viewOf(early.socket);
    expect(vipView.queue!.position).toBe(1);
    expect(earlyView.queue!.position).toBe(2);
    // 60 s per chat, 1 slot: first in line ≈ 60 s, second ≈ 120 s
    expect(vipView.queue!.waitMs).toBe(60_000);
    expect(earlyView.queue!.waitMs).toBe(120_000);
    void op;
  });
});

describe('moving on', () => {
  it('a conversation nobody answers moves to the next operator, and the visitor is told', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    await routing(h, { noAnswerSeconds: 10 });
    const a = await operator(h, 'op@shop.test');
    const visitor = await visitorReady(h);
    const assigned = next<ConversationSummary>(a, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(visitor.socket, 'message:send', { clientId: 'x', body: 'anyone there?' }));
    const first = await assigned;
    expect(first.assigneeName).toBe('Oleg');
    // a second operator comes online; Oleg does not answer
    const b = await operator(h, 'admin@shop.test');
    const told = next<Message>(visitor.socket, 'message:new', (m) => m.sender === 'system');
    const moved = next<ConversationSummary>(b, 'conversation:upsert', (c) => c.id === first.id && c.assigneeName === 'Ada');
    // ten seconds on the fake clock: the no-answer deadline falls due
    await clock.advance(9_000);
    await h.beckon.scheduler.idle();
    expect((await h.store.getConversation(first.id))!.assigneeId).toBe((await h.store.getAccountByEmail('op@shop.test'))!.id);
    await clock.advance(1_500);
    await h.beckon.scheduler.idle();
    expect((await told).body).toBe('Connecting you to another operator…');
    await moved;
    const why = await expectOk(call(b, 'conversation:why', { conversationId: first.id }));
    expect(why.events.map((e) => `${e.kind} ${e.operatorName}`)).toEqual(['assigned Ada', 'moved Oleg', 'assigned Oleg']);
    expect(why.events[1]!.reason.code).toBe('no_answer');
  });

  it("an operator's chats wait out the grace period after the last tab drops, then go back to the queue exactly once", async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    await routing(h, { graceSeconds: 1 });
    const graceSet = () => expect.poll(async () => (await h.store.deadlines.list('grace')).length).toBe(1);
    let op = await operator(h, 'op@shop.test');
    const v1 = await visitorReady(h);
    const assigned = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(v1.socket, 'message:send', { clientId: 'x', body: 'hello' }));
    const conv = await assigned;
    // a reload within the grace period keeps the chat
    op.disconnect();
    await graceSet();
    await clock.advance(300);
    op = await operator(h, 'op@shop.test');
    await clock.advance(1_300);
    await h.beckon.scheduler.idle();
    expect((await h.store.getConversation(conv.id))!.assigneeId).not.toBeNull();
    // the last tab closes for good (two tabs closing count once)
    const second = await operator(h, 'op@shop.test');
    op.disconnect();
    second.disconnect();
    const systemLines = collect<Message>(v1.socket, 'message:new');
    await graceSet();
    await clock.advance(1_100);
    await h.beckon.scheduler.idle();
    await h.beckon.chat.idle();
    await expect.poll(async () => (await h.store.getConversation(conv.id))!.status).toBe('queued');
    // past the grace period a second time: nothing more happens
    await clock.advance(1_200);
    await h.beckon.scheduler.idle();
    const back = (await h.store.getConversation(conv.id))!;
    expect(back.status).toBe('queued');
    expect(back.head).toBe(true);
    const events = await h.store.routingEventsOf(conv.id, 20);
    expect(events.filter((e) => e.kind === 'requeued')).toHaveLength(1);
    expect(systemLines.filter((m) => m.sender === 'system').map((m) => m.body)).toEqual(['Your operator was disconnected. We are finding someone else for you.']);
  });

  it('a transfer to another operator keeps the history and the note; operators cannot reassign, supervisors can', async () => {
    const h = await startServer();
    const oleg = await operator(h, 'op@shop.test');
    const v = await visitorReady(h);
    const assigned = next<ConversationSummary>(oleg, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(v.socket, 'message:send', { clientId: 'q', body: 'my order is late' }));
    const conv = await assigned;
    await expectOk(call(oleg, 'message:send', { conversationId: conv.id, clientId: 'a1', body: 'Let me check' }));
    const ada = await operator(h, 'admin@shop.test');
    const adaId = (await h.store.getAccountByEmail('admin@shop.test'))!.id;
    const olegId = (await h.store.getAccountByEmail('op@shop.test'))!.id;
    expect(await call(oleg, 'conversation:reassign', { conversationId: conv.id, operatorId: adaId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const told = next<Message>(v.socket, 'message:new', (m) => m.sender === 'system');
    const moved = await expectOk(call(oleg, 'conversation:transfer', { conversationId: conv.id, operatorId: adaId, note: 'Order #123, courier delay' }));
    expect(moved.conversation.assigneeName).toBe('Ada');
    expect((await told).body).toBe('You are now chatting with Ada.');
    const history = await expectOk(call(ada, 'conversation:history', { conversationId: conv.id, beforeSeq: 100 }));
    expect(history.messages.map((m) => m.body)).toEqual(['my order is late', 'Let me check', 'You are now chatting with Ada.']);
    const notes = await expectOk(call(ada, 'note:list', { conversationId: conv.id }));
    expect(notes.notes.map((n) => `${n.authorName}: ${n.body}`)).toEqual(['Oleg: ↪ Order #123, courier delay']);
    // notes never reach the visitor
    const visitorSync = await expectOk(call(v.socket, 'conversation:sync', { lastSeq: 0 }));
    expect(visitorSync.messages.map((m) => m.body).join(' ')).not.toContain('courier delay');
    // the admin (a supervisor's rights) gives it back
    const back = await expectOk(call(ada, 'conversation:reassign', { conversationId: conv.id, operatorId: olegId }));
    expect(back.conversation.assigneeName).toBe('Oleg');
  });
});

describe('departments, pre-chat and sneak peek', () => {
  it('the pre-chat topic routes to operators with the skill, and the visitor’s name is kept', async () => {
    const h = await startServer();
    await routing(h, { prechat: true, departments: [{ id: 'billing', name: { en: 'Billing', ru: 'Оплата' } }, { id: 'sales', name: { en: 'Sales', ru: 'Продажи' } }] });
    const admin = await login(h, 'admin@shop.test');
    const members = await api<{ accountId: string; email: string }[]>(h, admin, 'GET', `/api/sites/${h.site.id}/members`);
    const ada = members.body.find((m) => m.email === 'admin@shop.test')!;
    const olegM = members.body.find((m) => m.email === 'op@shop.test')!;
    expect((await api(h, admin, 'PATCH', `/api/sites/${h.site.id}/members/${ada.accountId}`, { skills: ['billing'] })).status).toBe(200);
    // Oleg serves sales only (no skills at all would mean every department)
    expect((await api(h, admin, 'PATCH', `/api/sites/${h.site.id}/members/${olegM.accountId}`, { skills: ['sales'] })).status).toBe(200);
    const oleg = await operator(h, 'op@shop.test');
    await operator(h, 'admin@shop.test');
    const v = await visitorReady(h);
    expect(v.session.site.prechat).toBe(true);
    expect(v.session.site.departments.map((d) => d.id)).toEqual(['billing', 'sales']);
    const upsert = next<ConversationSummary>(oleg, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(v.socket, 'message:send', { clientId: 'p', body: 'my card was charged twice', start: { department: 'billing', name: 'Nina', email: 'nina@example.com' } }));
    const c = await upsert;
    expect(c).toMatchObject({ department: 'billing', assigneeName: 'Ada', visitorName: 'Nina' });
  });

  it('operators see the draft only with the sneak peek on', async () => {
    const h = await startServer();
    const op = await operator(h, 'op@shop.test');
    const v = await visitorReady(h);
    const assigned = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(v.socket, 'message:send', { clientId: 'x', body: 'hello' }));
    await assigned;
    let typing = next<{ text?: string }>(op, 'typing:update');
    v.socket.emit('typing:set', { typing: true, text: 'my secret draft' });
    expect((await typing).text).toBeUndefined();
    await routing(h, { sneakPeek: true });
    typing = next<{ text?: string }>(op, 'typing:update');
    v.socket.emit('typing:set', { typing: true, text: 'my order number is 42' });
    expect((await typing).text).toBe('my order number is 42');
  });
});

describe('tools', () => {
  it('saved replies are shared by supervisors and admins, personal for operators; search finds past messages of the site only', async () => {
    const h = await startServer();
    const oleg = await login(h, 'op@shop.test');
    const ada = await login(h, 'admin@shop.test');
    const base = `/api/sites/${h.site.id}/canned`;
    expect((await api(h, oleg, 'POST', base, { shortcut: 'hi', body: 'Hello {visitor.name}!', shared: true })).status).toBe(403);
    expect((await api(h, oleg, 'POST', base, { shortcut: 'mine', body: 'My own reply' })).status).toBe(201);
    expect((await api(h, ada, 'POST', base, { shortcut: 'team', body: 'For everyone', shared: true })).status).toBe(201);
    expect((await api(h, ada, 'POST', base, { shortcut: 'two words', body: 'x' })).status).toBe(400);
    const olegSees = await api<{ canned: { shortcut: string; shared: boolean }[] }>(h, oleg, 'GET', base);
    const adaSees = await api<{ canned: { shortcut: string }[] }>(h, ada, 'GET', base);
    expect(olegSees.body.canned.map((c) => `${c.shortcut}${c.shared ? ' (shared)' : ''}`)).toEqual(['mine', 'team (shared)']);
    expect(adaSees.body.canned.map((c) => c.shortcut)).toEqual(['team']);

    const v = await visitorReady(h);
    await expectOk(call(v.socket, 'message:send', { clientId: 's', body: 'The grinder C2 squeaks 100% of the time' }));
    const hits = await api<{ hits: { body: string; visitorName: string }[] }>(h, oleg, 'GET', `/api/sites/${h.site.id}/search?q=${encodeURIComponent('squeaks 100%')}`);
    expect(hits.body.hits.map((x) => x.body)).toEqual(['The grinder C2 squeaks 100% of the time']);
    // % and _ are literal, not wildcards
    expect((await api<{ hits: unknown[] }>(h, oleg, 'GET', `/api/sites/${h.site.id}/search?q=${encodeURIComponent('s_ueaks')}`)).body.hits).toEqual([]);
    const eve = await login(h, 'admin@other.test');
    expect((await api(h, eve, 'GET', `/api/sites/${h.site.id}/search?q=squeaks`)).status).toBe(404);
  });
});

describe('inbox and blocks', () => {
  it('an offline message lands in the inbox and the answer reaches the visitor on their next visit', async () => {
    const h = await startServer();
    const first = await visitorReady(h);
    expect(first.session.site.online).toBe(false);
    const bad = await call(first.socket, 'inbox:message', { name: 'Ann', email: 'not-an-email', body: 'hi' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const { itemId } = await expectOk(call(first.socket, 'inbox:message', { name: 'Ann', email: 'ann@example.com', body: 'Do you ship to Kazan?' }));
    const cookie = await login(h, 'op@shop.test');
    const inbox = await api<{ items: { id: string; kind: string; body: string }[] }>(h, cookie, 'GET', `/api/sites/${h.site.id}/inbox`);
    expect(inbox.body.items.map((i) => `${i.kind}: ${i.body}`)).toEqual(['message: Do you ship to Kazan?']);
    expect((await api(h, cookie, 'PATCH', `/api/inbox/${itemId}`, { answer: 'Yes, in 3–5 days.', assignee: 'me' })).status).toBe(200);
    first.socket.disconnect();

    const again = { socket: visitor(h, { token: first.session.token }) };
    const answers = await new Promise<InboxAnswer[]>((res) => again.socket.once('inbox:answers', res));
    expect(answers).toEqual([expect.objectContaining({ id: itemId, question: 'Do you ship to Kazan?', answer: 'Yes, in 3–5 days.', by: 'Oleg' })]);
    again.socket.emit('inbox:seen', { ids: [itemId] });
    await sleep(200);
    expect(await h.store.unseenAnswers(first.session.visitorId)).toEqual([]);
  });

  it('a blocked visitor cannot start a conversation', async () => {
    const h = await startServer();
    const op = await operator(h, 'op@shop.test');
    const v = await visitorReady(h);
    const assigned = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(v.socket, 'message:send', { clientId: 'x', body: 'spam spam' }));
    await assigned;
    const gone = new Promise((res) => v.socket.once('disconnect', res));
    await expectOk(call(op, 'visitor:block', { visitorId: v.session.visitorId, reason: 'spam' }));
    await gone;
    const retry = visitorReady(h, { token: v.session.token });
    await expect(retry).rejects.toMatchObject({ data: { code: 'BLOCKED' } });
    expect((await h.store.latestConversationOf(v.session.visitorId))!.status).toBe('closed');
  });
});
