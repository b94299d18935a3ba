import { describe, expect, it } from 'vitest';
import type { ConversationSummary, Message, OperatorMessage, SyncResult, VisitorConversation } from '@beckon/protocol';
import { call, collect, expectOk, next, nextMessage, ON_POSTGRES, operator, sleep, startServer, visitorReady } from './harness';

type Sent = { message: Message; conversation: VisitorConversation };

describe('a conversation between a visitor and an operator', () => {
  it('carries messages both ways and assigns the chat to the online operator', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v, session } = await visitorReady(h);
    expect(session.visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(session.site.online).toBe(true);

    const upserted = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'active');
    const opGot = nextMessage(op);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'm1', body: 'Do you ship to Riga?' }));
    expect(sent.message).toMatchObject({ seq: 1, sender: 'visitor', body: 'Do you ship to Riga?' });
    expect((await opGot).body).toBe('Do you ship to Riga?');
    const conv = await upserted;
    expect(conv).toMatchObject({ assigneeName: 'Oleg', visitorId: session.visitorId, unread: 1, lastMessagePreview: 'Do you ship to Riga?' });

    const typing = next<{ typing: boolean; name: string | null }>(v, 'typing:update');
    op.emit('typing:set', { conversationId: conv.id, typing: true });
    expect(await typing).toEqual({ typing: true, name: 'Oleg' });

    const visitorGot = next<Message>(v, 'message:new', (m) => m.sender === 'operator');
    await expectOk(call(op, 'message:send', { conversationId: conv.id, clientId: 'r1', body: 'Yes, in 3 days.' }));
    expect(await visitorGot).toMatchObject({ seq: 2, authorName: 'Oleg', body: 'Yes, in 3 days.' });
  });

  it("gives every console what the message changed in its conversation with the message itself (no re-read summary), and the visitor only the message", async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v } = await visitorReady(h);
    const assigned = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'active');
    const first = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'one' }));
    // the new conversation's own news (routing gives it to the operator) comes first
    await assigned;
    const upserts = collect<ConversationSummary>(op, 'conversation:upsert');
    const opGot = nextMessage(op, (m) => m.body === 'two');
    const vGot = next<Record<string, unknown>>(v, 'message:new', (m) => m.body === 'two');
    await expectOk(call(v, 'message:send', { clientId: 'b', body: 'two' }));
    const m = await opGot;
    // two unread for the list's badge; the visitor has seen their own messages; seq, time and preview are the message's own
    expect(m).toMatchObject({ conversationId: first.conversation.id, seq: 2, head: { unread: 2, visitorReadSeq: 2 } });
    // the frame is the message and its head: no summary (visitor, assignee) re-read and re-sent with each message
    expect(Object.keys(m).sort()).toEqual(['attachment', 'authorName', 'body', 'clientId', 'conversationId', 'createdAt', 'deletedAt', 'editedAt', 'head', 'id', 'sender', 'seq']);
    // the widget's copy has nothing of the console's view
    expect(Object.keys(await vGot)).not.toContain('head');
    const reply = nextMessage(op, (x) => x.sender === 'operator');
    await expectOk(call(op, 'message:send', { conversationId: first.conversation.id, clientId: 'r', body: 'three' }));
    // an answer: nothing unread any more
    expect(await reply).toMatchObject({ seq: 3, head: { unread: 0, visitorReadSeq: 2 } });
    // one frame per message: no separate upsert for either
    await sleep(100);
    expect(upserts.filter((c) => c.lastSeq >= 2)).toEqual([]);
  });

  it('sends each console the messages stored in one turn in one frame, oldest first', async () => {
    const h = await startServer();
    const op = await operator(h);
    const visitors = await Promise.all([1, 2, 3].map(() => visitorReady(h)));
    for (const [i, v] of visitors.entries()) await expectOk(call(v.socket, 'message:send', { clientId: 'hello', body: `hello ${i}` }));
    const frames = collect<OperatorMessage[]>(op, 'messages:new');
    // three visitors write in the same turn: their appends share a commit and come back together
    await Promise.all(visitors.map((v, i) => h.beckon.chat.visitorSend({ siteId: h.site.id, visitorId: v.session.visitorId }, { clientId: 'again', body: `again ${i}` })));
    await expect.poll(() => frames.flat().length).toBe(3);
    // in the order they were stored (on PostgreSQL each append is a round trip of its own: they
    // come back, and go out, one by one, in whatever order the pool answers)
    if (!ON_POSTGRES) expect(frames.map((f) => f.map((m) => m.body))).toEqual([['again 0', 'again 1', 'again 2']]);
    expect(frames.flat().map((m) => m.body).sort()).toEqual(['again 0', 'again 1', 'again 2']);
    // each with its own conversation's news
    expect(frames.flat().map((m) => m.head)).toEqual([1, 2, 3].map(() => ({ unread: 2, visitorReadSeq: 2 })));
  });

  it('shows the same conversation in every tab of the visitor', async () => {
    const h = await startServer();
    const a = await visitorReady(h);
    const b = await visitorReady(h, { token: a.session.token });
    expect(b.session.visitorId).toBe(a.session.visitorId);
    const inB = next<Message>(b.socket, 'message:new');
    await expectOk(call(a.socket, 'message:send', { clientId: 'x', body: 'from tab A' }));
    expect((await inB).body).toBe('from tab A');
  });

  it('gives a reconnecting visitor exactly what it missed', async () => {
    const h = await startServer();
    const op = await operator(h);
    const first = await visitorReady(h);
    const { conversation } = await expectOk(call(first.socket, 'message:send', { clientId: 'a', body: 'hello' }));
    first.socket.disconnect();
    for (let i = 1; i <= 3; i++) await expectOk(call(op, 'message:send', { conversationId: conversation.id, clientId: `r${i}`, body: `reply ${i}` }));
    const again = await visitorReady(h, { token: first.session.token });
    expect(again.session.conversation?.lastSeq).toBe(4);
    const sync = await expectOk(call(again.socket, 'conversation:sync', { lastSeq: 1, conversationId: conversation.id }));
    expect(sync.reset).toBe(false);
    expect(sync.messages.map((m) => [m.seq, m.body])).toEqual([[2, 'reply 1'], [3, 'reply 2'], [4, 'reply 3']]);
    const none = await expectOk(call(again.socket, 'conversation:sync', { lastSeq: 4, conversationId: conversation.id }));
    expect(none.messages).toEqual([]);
    const fresh = await expectOk(call(again.socket, 'conversation:sync', { lastSeq: 0 }));
    expect(fresh).toMatchObject({ reset: true, hasMore: false });
    expect(fresh.messages).toHaveLength(4);
  });

  it('stores a repeated client id once and refuses the same id with another body', async () => {
    const h = await startServer();
    const { socket: v } = await visitorReady(h);
    const one = await expectOk(call(v, 'message:send', { clientId: 'same', body: 'once' }));
    const two = await expectOk(call(v, 'message:send', { clientId: 'same', body: 'once' }));
    expect(two.message.id).toBe(one.message.id);
    const clash = await call(v, 'message:send', { clientId: 'same', body: 'different' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'DUPLICATE_ID_CONFLICT' } });
    const sync = await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }));
    expect(sync.messages.map((m) => m.body)).toEqual(['once']);
  });

  it('loses no acknowledged message when the server is rebuilt on the same data file', async () => {
    const h = await startServer();
    const a = await visitorReady(h);
    const acked: number[] = [];
    for (let i = 1; i <= 10; i++) acked.push((await expectOk(call(a.socket, 'message:send', { clientId: `m${i}`, body: `message ${i}` }))).message.seq);
    await h.restart();
    const b = await visitorReady(h, { token: a.session.token });
    expect(b.session.visitorId).toBe(a.session.visitorId);
    // a retry of a message the client never saw acknowledged is stored once, not twice
    await expectOk(call(b.socket, 'message:send', { clientId: 'm10', body: 'message 10' }));
    const sync = await expectOk(call(b.socket, 'conversation:sync', { lastSeq: 0 }));
    expect(sync.messages.map((m) => m.seq)).toEqual(acked);
    expect(sync.messages.map((m) => m.body)).toEqual(acked.map((i) => `message ${i}`));
  });

  it('pages back through history', async () => {
    const h = await startServer();
    const { socket: v, session } = await visitorReady(h);
    const { conversation } = await expectOk(call(v, 'message:send', { clientId: 'm1', body: 'm1' }));
    // seeded straight into the store: 60 sends in a row would (rightly) hit the rate limit
    for (let i = 2; i <= 60; i++) await h.store.appendMessage({ conversationId: conversation.id, clientId: `m${i}`, sender: 'visitor', senderId: session.visitorId, authorName: null, body: `m${i}`, now: Date.now() });
    const first = await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }));
    expect(first.messages).toHaveLength(50);
    expect(first.hasMore).toBe(true);
    const older = await expectOk(call(v, 'conversation:history', { beforeSeq: first.messages[0]!.seq }));
    expect(older.messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(older.hasMore).toBe(false);
  });

  it('starts a new conversation, linked to the old one, when the visitor writes after a close', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v } = await visitorReady(h);
    const first = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'hi' }));
    const closedSeen = next<VisitorConversation>(v, 'conversation:update', (c) => c.status === 'closed');
    await expectOk(call(op, 'conversation:close', { conversationId: first.conversation.id }));
    expect((await closedSeen).closedReason).toBe('operator');
    const second = await expectOk(call(v, 'message:send', { clientId: 'b', body: 'one more thing' }));
    expect(second.conversation.id).not.toBe(first.conversation.id);
    expect(second.message.seq).toBe(1);
    expect((await h.store.getConversation(second.conversation.id))?.previousId).toBe(first.conversation.id);
  });

  it('closes idle conversations and tells both sides', async () => {
    let clock = Date.now();
    const h = await startServer({ now: () => clock });
    const op = await operator(h);
    const { socket: v } = await visitorReady(h);
    await expectOk(call(v, 'message:send', { clientId: 'a', body: 'hi' }));
    const opSaw = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'closed');
    const vSaw = next<VisitorConversation>(v, 'conversation:update', (c) => c.status === 'closed');
    clock += 29 * 60_000;
    expect(await h.beckon.chat.sweepIdle()).toBe(0);
    clock += 2 * 60_000;
    expect(await h.beckon.chat.sweepIdle()).toBe(1);
    expect((await opSaw).closedReason).toBe('idle');
    expect((await vSaw).closedReason).toBe('idle');
  });

  it('lets the operator list conversations with unread counts and mark them read', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v } = await visitorReady(h);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'one' }));
    await expectOk(call(v, 'message:send', { clientId: 'b', body: 'two' }));
    const list = await expectOk(call(op, 'conversation:list', {}));
    expect(list.conversations.find((c) => c.id === sent.conversation.id)?.unread).toBe(2);
    const read = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.unread === 0);
    op.emit('conversation:read', { conversationId: sent.conversation.id, seq: 2 });
    expect((await read).id).toBe(sent.conversation.id);
  });

  it('keeps a chat waiting where every online operator sees it when nobody has a free slot', async () => {
    const h = await startServer();
    const ops = await h.store.listMembers(h.site.id);
    for (const m of ops) await h.store.putMembership({ ...m, capacity: 1 }, Date.now());
    const op = await operator(h);
    const upserts = collect<ConversationSummary>(op, 'conversation:upsert');
    const a = await visitorReady(h);
    await expectOk(call(a.socket, 'message:send', { clientId: 'a', body: 'first' }));
    const b = await visitorReady(h);
    const second = await expectOk(call(b.socket, 'message:send', { clientId: 'a', body: 'second' }));
    await sleep(100);
    expect(second.conversation.status).toBe('queued');
    expect(upserts.filter((c) => c.id === second.conversation.id).every((c) => c.status === 'queued')).toBe(true);
    const taken = await call(op, 'conversation:take', { conversationId: second.conversation.id });
    expect(taken).toMatchObject({ ok: false, error: { code: 'AT_CAPACITY' } });
  });

  it('opens one conversation when two tabs write at the same moment', async () => {
    const h = await startServer();
    const a = await visitorReady(h);
    const b = await visitorReady(h, { token: a.session.token });
    const [x, y] = await Promise.all([expectOk(call(a.socket, 'message:send', { clientId: 'a1', body: 'from A' })), expectOk(call(b.socket, 'message:send', { clientId: 'b1', body: 'from B' }))]);
    expect(x.conversation.id).toBe(y.conversation.id);
    expect([x.message.seq, y.message.seq].sort()).toEqual([1, 2]);
  });
});
