/** The chat people expect: "Seen" both ways, an operator correcting a visitor's details, browser and local time. */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary, Message, VisitorConversation, VisitorDetails } from '@beckon/protocol';
import { call, expectOk, next, operator, startServer, visitorReady } from './harness';

const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('read receipts', () => {
  it('the visitor sees "Seen" once the operator read; the operator sees it once the visitor read', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v } = await visitorReady(h);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'Is the grinder in stock?' }));
    expect(sent.conversation.seenSeq).toBe(0);
    const id = sent.conversation.id;

    // the operator reads: the visitor's conversation moves its seen mark
    const seen = next<VisitorConversation>(v, 'conversation:update', (c) => c.seenSeq === 1);
    op.emit('conversation:read', { conversationId: id, seq: 1 });
    expect((await seen).seenSeq).toBe(1);

    // the operator answers; the visitor reads it: the console's summary says so
    const reply = await expectOk(call(op, 'message:send', { conversationId: id, clientId: 'r', body: 'Yes, two left.' }));
    const read = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.id === id && c.visitorReadSeq === reply.message.seq);
    v.emit('conversation:read', { seq: reply.message.seq });
    expect((await read).visitorReadSeq).toBe(2);
    // a mark never moves back
    v.emit('conversation:read', { seq: 1 });
    const again = await expectOk(call(op, 'conversation:sync', { conversationId: id, lastSeq: 2 }));
    expect(again.conversation?.visitorReadSeq).toBe(2);
  });
});

describe('visitor details', () => {
  it('show the browser, the system and the local time; an operator corrects the name and email, and every console sees the new name', async () => {
    const h = await startServer();
    const op = await operator(h);
    const other = await operator(h, 'admin@shop.test');
    const { socket: v, session } = await visitorReady(h, { userAgent: WINDOWS_CHROME });
    await expectOk(call(v, 'journey:batch', { events: [{ type: 'context', device: 'desktop', tzOffset: 180, lang: 'ru-RU', visible: true }] }));
    const { conversation } = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'Hello, I am Anna, anna@exmaple.com' }));

    const d = await expectOk<VisitorDetails>(call(op, 'visitor:journey', { visitorId: session.visitorId }));
    expect(d.client).toEqual({ browser: 'Chrome 131', os: 'Windows', tzOffset: 180 });
    expect(d.identity).toMatchObject({ name: null, email: null });

    const renamed = next<ConversationSummary>(other, 'conversation:upsert', (c) => c.id === conversation.id && c.visitorName === 'Anna');
    const r = await expectOk(call(op, 'visitor:update', { visitorId: session.visitorId, name: 'Anna', email: 'anna@example.com' }));
    expect(r.identity).toMatchObject({ name: 'Anna', email: 'anna@example.com' });
    await renamed;
    expect(await h.store.getVisitor(session.visitorId)).toMatchObject({ name: 'Anna', email: 'anna@example.com' });

    // bad input is refused with a stable code and changes nothing
    const bad = await call(op, 'visitor:update', { visitorId: session.visitorId, email: 'not an email' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect((await h.store.getVisitor(session.visitorId))!.email).toBe('anna@example.com');
    // clearing a field is allowed
    await expectOk(call(op, 'visitor:update', { visitorId: session.visitorId, email: '' }));
    expect((await h.store.getVisitor(session.visitorId))!.email).toBeNull();
  });
});

describe('edit and delete', () => {
  it('one\'s own last message, for five minutes: the other side sees "edited" and "deleted"; nothing else can be changed', async () => {
    let skew = 0;
    const h = await startServer({ now: () => Date.now() + skew });
    const op = await operator(h);
    const { socket: v } = await visitorReady(h);
    const first = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'I ordered the wrong size' }));
    const id = first.conversation.id;
    const second = await expectOk(call(v, 'message:send', { clientId: 'b', body: 'Can I swap it for a L?' }));

    // the earlier one is no longer the last: it stays
    expect(await call(v, 'message:edit', { messageId: first.message.id, body: 'x' })).toMatchObject({ ok: false, error: { code: 'EDIT_WINDOW_CLOSED' } });
    const seen = next<Message>(op, 'message:changed');
    const edited = await expectOk(call(v, 'message:edit', { messageId: second.message.id, body: 'Can I swap it for an XL?' }));
    expect(edited.message).toMatchObject({ body: 'Can I swap it for an XL?', editedAt: expect.any(Number), deletedAt: null, seq: second.message.seq });
    expect((await seen).body).toBe('Can I swap it for an XL?');
    // the operator cannot change the visitor's words, nor the visitor the operator's
    expect(await call(op, 'message:edit', { conversationId: id, messageId: second.message.id, body: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const reply = await expectOk(call(op, 'message:send', { conversationId: id, clientId: 'r', body: 'Sure, we will swap it' }));
    expect(await call(v, 'message:delete', { messageId: reply.message.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // the operator takes theirs back: the visitor sees it deleted, the list's preview follows
    const gone = next<Message>(v, 'message:changed');
    const preview = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.id === id && c.lastMessagePreview === '');
    await expectOk(call(op, 'message:delete', { conversationId: id, messageId: reply.message.id }));
    expect(await gone).toMatchObject({ id: reply.message.id, body: '', deletedAt: expect.any(Number) });
    await preview;
    const synced = await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }));
    expect(synced.messages.map((m) => [m.body, !!m.editedAt, !!m.deletedAt])).toEqual([
      ['I ordered the wrong size', false, false],
      ['Can I swap it for an XL?', true, false],
      ['', false, true],
    ]);
    // deleted stays deleted; after five minutes nothing can be changed
    expect(await call(op, 'message:edit', { conversationId: id, messageId: reply.message.id, body: 'back' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    skew = 5 * 60_000 + 1000;
    expect(await call(v, 'message:edit', { messageId: second.message.id, body: 'late' })).toMatchObject({ ok: false, error: { code: 'EDIT_WINDOW_CLOSED' } });
  });
});
