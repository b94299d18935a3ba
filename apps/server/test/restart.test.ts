/**
 * Deploys and restarts lose nobody (issue 8 §1): deadlines are rows acted on after a restart,
 * on a fake clock (no real seconds waited); removed and disabled operators lose their chats at
 * once; a retried message id is stored once, also after its conversation was closed.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary, Message, SyncResult, VisitorConversation } from '@beckon/protocol';
import { fakeClock, type FakeClock } from '../src/lib/clock';
import { call, expectOk, login, next, operator, startServer, visitorReady, type Harness } from './harness';

async function api<T>(h: Harness, cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function memberId(h: Harness, email: string): Promise<string> {
  return (await h.store.getAccountByEmail(email))!.id;
}

/** time passes on the fake clock, and whatever fell due is acted on */
async function pass(h: Harness, clock: FakeClock, ms: number) {
  await clock.advance(ms);
  await h.beckon.scheduler.idle();
  await h.beckon.chat.idle();
}

/** a visitor writes and the chat goes to the one operator online */
async function chatWith(h: Harness) {
  const v = await visitorReady(h);
  const sent = await expectOk(call(v.socket, 'message:send', { clientId: 'hello-1', body: 'hello' }));
  await h.beckon.chat.idle();
  return { v, conversationId: sent.conversation.id };
}

describe('deadlines survive a restart', () => {
  it('an operator online at the restart who never comes back loses their chats to the queue after the grace period', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const op = await operator(h);
    await expectOk(call(op, 'operator:status', { status: 'online' }));
    const { conversationId } = await chatWith(h);
    expect((await h.store.getConversation(conversationId))!.assigneeId).toBe(await memberId(h, 'op@shop.test'));

    op.disconnect();
    await h.restart();
    // nobody reconnects: a minute (the default grace) later the chat is back in the queue, first in line
    await pass(h, clock, 59_000);
    expect((await h.store.getConversation(conversationId))!.status).toBe('active');
    await pass(h, clock, 2_000);
    const c = (await h.store.getConversation(conversationId))!;
    expect(c.status).toBe('queued');
    expect(c.head).toBe(true);
    expect((await h.store.routingEventsOf(conversationId, 5)).map((e) => e.reason.code)).toContain('operator_left');
    expect(await h.store.deadlines.list('grace')).toEqual([]);
  });

  it('an operator who comes back within the grace period after a restart keeps their chats', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const op = await operator(h);
    const { conversationId } = await chatWith(h);
    op.disconnect();
    await h.restart();
    await clock.advance(10_000);
    await operator(h);
    await pass(h, clock, 120_000);
    expect((await h.store.getConversation(conversationId))!.status).toBe('active');
  });

  it('the no-answer deadline set before a restart is acted on after it, once', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const first = await operator(h, 'op@shop.test');
    const { conversationId } = await chatWith(h);
    const oleg = await memberId(h, 'op@shop.test');
    expect((await h.store.getConversation(conversationId))!.assigneeId).toBe(oleg);
    expect((await h.store.deadlines.list('no_answer')).map((d) => d.key)).toEqual([conversationId]);

    first.disconnect();
    await h.restart();
    // both operators are back at once; Oleg still does not answer
    await operator(h, 'op@shop.test');
    await operator(h, 'admin@shop.test');
    await pass(h, clock, 31_000);
    const c = (await h.store.getConversation(conversationId))!;
    expect(c.assigneeId).toBe(await memberId(h, 'admin@shop.test'));
    expect((await h.store.routingEventsOf(conversationId, 10)).filter((e) => e.kind === 'moved')).toHaveLength(1);
  });

  it('an idle conversation is closed by the sweep after a restart too (its due time is stored with it)', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock, idleSweepMs: 60_000 });
    const op = await operator(h);
    const { v, conversationId } = await chatWith(h);
    op.disconnect();
    await h.restart();
    // the visitor's tab is back (it is not the visitor-left rule that closes it), but nobody writes
    await visitorReady(h, { token: v.session.token });
    await clock.advance(29 * 60_000);
    await h.beckon.chat.idle();
    expect((await h.store.getConversation(conversationId))!.status).not.toBe('closed');
    // (the grace re-queue at +60 s wrote a line to the visitor: idle counts from there)
    await clock.advance(3 * 60_000);
    await h.beckon.chat.idle();
    // the sweep's close may still be on its way to PostgreSQL when the clock has moved on
    await expect.poll(async () => (await h.store.getConversation(conversationId))!.status, { timeout: 5_000 }).toBe('closed');
    const c = (await h.store.getConversation(conversationId))!;
    expect(c.closedReason).toBe('idle');
  });

  it('two schedulers on one database act on a due deadline once', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const other = await h.openOtherStore();
    try {
      await h.store.deadlines.put({ kind: 'x', key: 'k', dueAt: clock.now() - 1, payload: null });
      const [a, b] = await Promise.all([h.store.deadlines.claim(clock.now(), 'node-a', 60_000, 10), other.deadlines.claim(clock.now(), 'node-b', 60_000, 10)]);
      expect(a.length + b.length).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('a visitor who left', () => {
  it('ends their conversation after the site\'s visitorGoneSeconds without a tab, freeing the slot; a tab back in time keeps it', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const op = await operator(h);
    const { v, conversationId } = await chatWith(h);
    // a page load: the tab goes and comes back within the time; the operator sees it left, then is back
    const token = v.session.token;
    const left = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.id === conversationId && c.visitorLeftAt !== null);
    v.socket.disconnect();
    await left;
    await clock.advance(2_000);
    const returned = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.id === conversationId && c.visitorLeftAt === null);
    const back = await visitorReady(h, { token });
    await returned;
    await pass(h, clock, 600_000);
    expect((await h.store.getConversation(conversationId))!.status).toBe('active');
    // now the visitor closes the last tab for good
    back.socket.disconnect();
    await expect.poll(async () => (await h.store.deadlines.list('visitor_left')).length).toBe(1);
    await pass(h, clock, 299_000);
    expect((await h.store.getConversation(conversationId))!.status).toBe('active');
    await pass(h, clock, 2_000);
    const c = (await h.store.getConversation(conversationId))!;
    expect(c.status).toBe('closed');
    expect(c.closedReason).toBe('visitor_left');
    expect((await h.store.activeCounts()).size).toBe(0);
  });

  it('after a restart, a visitor who never comes back has their conversation ended too', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    await operator(h);
    const { v, conversationId } = await chatWith(h);
    v.socket.disconnect();
    await h.restart();
    await pass(h, clock, 301_000);
    expect((await h.store.getConversation(conversationId))!.closedReason).toBe('visitor_left');
  });
});

describe('operators who may no longer work', () => {
  it('removing an operator from the site sends their chats back to the queue at once', async () => {
    const h = await startServer();
    await operator(h);
    const { conversationId } = await chatWith(h);
    const admin = await login(h, 'admin@shop.test');
    expect((await api(h, admin, 'DELETE', `/api/sites/${h.site.id}/members/${await memberId(h, 'op@shop.test')}`)).status).toBe(200);
    await h.beckon.chat.idle();
    const c = (await h.store.getConversation(conversationId))!;
    expect(c.status).toBe('queued');
    expect(c.assigneeId).toBeNull();
  });

  it('a disabled operator loses their chats, cannot connect to the site, and is not routed to', async () => {
    const h = await startServer();
    await operator(h);
    const { conversationId } = await chatWith(h);
    const admin = await login(h, 'admin@shop.test');
    const oleg = await memberId(h, 'op@shop.test');
    const r = await api<{ disabled: boolean }>(h, admin, 'PATCH', `/api/sites/${h.site.id}/members/${oleg}`, { disabled: true });
    expect(r.status).toBe(200);
    expect(r.body.disabled).toBe(true);
    await h.beckon.chat.idle();
    expect((await h.store.getConversation(conversationId))!.status).toBe('queued');
    // the console that reconnects sees no site, so no conversation of it
    const again = await operator(h);
    const list = await expectOk(call(again, 'conversation:list', {}));
    expect(list.conversations).toEqual([]);
    expect((await h.store.getConversation(conversationId))!.status).toBe('queued');
  });

  it('a demoted supervisor cannot reassign from the socket they already have open', async () => {
    const h = await startServer();
    const admin = await login(h, 'admin@shop.test');
    const oleg = await memberId(h, 'op@shop.test');
    await api(h, admin, 'PATCH', `/api/sites/${h.site.id}/members/${oleg}`, { role: 'supervisor' });
    const sup = await operator(h);
    await operator(h, 'admin@shop.test');
    const { conversationId } = await chatWith(h);
    const target = (await h.store.getConversation(conversationId))!.assigneeId === oleg ? await memberId(h, 'admin@shop.test') : oleg;
    // demoted while connected: role changes reach open sockets (the console is told to reconnect)
    const dropped = new Promise<void>((res) => sup.once('disconnect', () => res()));
    await api(h, admin, 'PATCH', `/api/sites/${h.site.id}/members/${oleg}`, { role: 'operator' });
    await dropped;
    expect(sup.connected).toBe(false);
    // the console's reconnect comes back as an operator
    const again = await operator(h);
    const r = await call(again, 'conversation:reassign', { conversationId, operatorId: target });
    expect(r.ok ? null : r.error.code).toBe('FORBIDDEN');
  });
});

describe('a message id retried after its conversation closed', () => {
  it('is not stored again in the next conversation', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { v, conversationId } = await chatWith(h);
    await expectOk(call(op, 'conversation:close', { conversationId }));
    // the visitor writes again (a new conversation), then an old retry of the first message arrives
    await expectOk(call(v.socket, 'message:send', { clientId: 'hello-2', body: 'one more thing' }));
    const retry = await expectOk(call(v.socket, 'message:send', { clientId: 'hello-1', body: 'hello' }));
    expect(retry.message.conversationId).toBe(conversationId);
    const latest = await h.store.latestConversationOf(v.session.visitorId);
    expect(latest!.id).not.toBe(conversationId);
    expect((await h.store.messagesAfter(latest!.id, 0, 10)).map((m) => m.body)).toEqual(['one more thing']);
    const sync = await expectOk(call(v.socket, 'conversation:sync', { lastSeq: 0 }));
    expect(sync.messages.map((m) => m.body)).toEqual(['one more thing']);
    // the same id with other words is refused
    const conflict = await call(v.socket, 'message:send', { clientId: 'hello-1', body: 'something else' });
    expect(conflict.ok ? null : conflict.error.code).toBe('DUPLICATE_ID_CONFLICT');
  });
});
