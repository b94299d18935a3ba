import { describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { LIMITS, type ConversationSummary, type Message, type SyncResult, type VisitorConversation } from '@beckon/protocol';
import { call, callRaw, collect, collectMessages, expectOk, login, next, nextMessage, onCleanup, operator, OTHER_SHOP, PASSWORD, SHOP, sleep, startServer, visitor, visitorReady } from './harness';

type Sent = { message: Message; conversation: VisitorConversation };

function connectError(s: { once: (e: 'connect_error', f: (err: Error & { data?: { code: string } }) => void) => unknown }) {
  return new Promise<Error & { data?: { code: string } }>((res) => s.once('connect_error', res));
}

describe('bad input', () => {
  it('answers malformed events with error codes and keeps serving others', async () => {
    const h = await startServer();
    const { socket: bad } = await visitorReady(h);
    const { socket: good } = await visitorReady(h);
    const cases: [string, unknown, string][] = [
      ['message:send', { clientId: 'x' }, 'VALIDATION_FAILED'],
      ['message:send', { clientId: 'x', body: 'x'.repeat(LIMITS.messageLength + 1) }, 'VALIDATION_FAILED'],
      ['message:send', 'just a string', 'VALIDATION_FAILED'],
      ['message:send', null, 'VALIDATION_FAILED'],
      ['conversation:sync', { lastSeq: -5 }, 'VALIDATION_FAILED'],
      ['conversation:history', { beforeSeq: 'x' }, 'VALIDATION_FAILED'],
      ['admin:drop-tables', {}, 'UNKNOWN_EVENT'],
    ];
    for (const [event, payload, code] of cases) {
      const r = await callRaw(bad, event, payload);
      expect(r, event).toMatchObject({ ok: false, error: { code } });
    }
    const r = await expectOk(call(good, 'message:send', { clientId: 'ok', body: 'still here' }));
    expect(r.message.body).toBe('still here');
    expect(bad.connected).toBe(true);
    // the counts are for signed-in staff; the public learns only whether the server is well
    expect(await (await fetch(`${h.url}/health`)).json()).toEqual({ status: 'ok' });
    const health = await (await fetch(`${h.url}/health`, { headers: { cookie: await login(h, 'op@shop.test') } })).json();
    expect(health.rejected).toBeGreaterThanOrEqual(cases.length);
  });

  it('gives a signed-in console more room than the public endpoint, but still a limit', async () => {
    const h = await startServer();
    const op = await operator(h);
    // a console opening a dozen chats at once (history, notes, journey, routing for each) stays well within it
    const opening = await Promise.all(Array.from({ length: 60 }, () => call(op, 'conversation:list', {})));
    expect(opening.every((r) => r.ok)).toBe(true);
    const flood = await Promise.all(Array.from({ length: 300 }, () => call(op, 'conversation:list', {})));
    expect(flood.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
  });

  it('rate-limits a flooding socket without touching others', async () => {
    const h = await startServer();
    const { socket: flood } = await visitorReady(h);
    const { socket: calm } = await visitorReady(h);
    const results = await Promise.all(Array.from({ length: LIMITS.socketEventBurst + 20 }, (_, i) => call(flood, 'conversation:sync', { lastSeq: i })));
    expect(results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(15);
    expect((await call(calm, 'conversation:sync', { lastSeq: 0 })).ok).toBe(true);
  });

  it('drops a connection that sends a frame above the size limit', async () => {
    const h = await startServer();
    const { socket } = await visitorReady(h);
    const gone = new Promise<string>((res) => socket.once('disconnect', res));
    socket.emit('message:send', { clientId: 'big', body: 'x'.repeat(LIMITS.frameBytes + 10) }, () => {});
    expect(await gone).toMatch(/transport/);
    const { socket: other } = await visitorReady(h);
    expect((await call(other, 'conversation:sync', { lastSeq: 0 })).ok).toBe(true);
  });

  it('answers bad HTTP bodies with codes', async () => {
    const h = await startServer();
    const post = (body: string, type = 'application/json') => fetch(`${h.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': type }, body });
    let res = await post('{not json');
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('VALIDATION_FAILED');
    res = await post(JSON.stringify({ email: 'x' }));
    expect((await res.json()).error.code).toBe('VALIDATION_FAILED');
    res = await post(JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(LIMITS.httpBodyBytes) }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    res = await post(JSON.stringify({ email: 'admin@shop.test', password: 'wrong password' }));
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('isolation', () => {
  it('refuses a handshake from an origin not on the site list, or with no origin, or an unknown key', async () => {
    const h = await startServer();
    expect((await connectError(visitor(h, { origin: 'http://evil.test' }))).data?.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await connectError(visitor(h, { origin: OTHER_SHOP }))).data?.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await connectError(visitor(h, { siteKey: 'nosuchsitekey123' }))).data?.code).toBe('UNKNOWN_SITE');
    const bare = connect(`${h.url}/visitor`, { auth: { siteKey: h.site.key }, transports: ['websocket'], reconnection: false, forceNew: true });
    onCleanup(() => void bare.disconnect());
    expect((await connectError(bare)).data?.code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('does not let a visitor read or write another visitor\'s conversation', async () => {
    const h = await startServer();
    const alice = await visitorReady(h);
    const secret = await expectOk(call(alice.socket, 'message:send', { clientId: 'a', body: 'my card ends in 4242' }));
    const mallory = await visitorReady(h);
    const seen = collect<Message>(mallory.socket, 'message:new');
    // asking for Alice's conversation by id
    expect(await call(mallory.socket, 'conversation:history', { beforeSeq: 99, conversationId: secret.conversation.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const sync = await expectOk(call(mallory.socket, 'conversation:sync', { lastSeq: 0, conversationId: secret.conversation.id }));
    expect(sync.conversation).toBeNull();
    expect(sync.messages).toEqual([]);
    // a forged token (Alice's id, wrong signature) gets a fresh identity, not Alice's
    const forged = await visitorReady(h, { token: `${alice.session.visitorId}.AAAA` });
    expect(forged.session.visitorId).not.toBe(alice.session.visitorId);
    expect(forged.session.conversation).toBeNull();
    // a token from another site does not carry over either
    const elsewhere = await visitorReady(h, { siteKey: h.otherSite.key, origin: OTHER_SHOP, token: alice.session.token });
    expect(elsewhere.session.visitorId).not.toBe(alice.session.visitorId);
    // writing goes into Mallory's own conversation
    const own = await expectOk(call(mallory.socket, 'message:send', { clientId: 'a', body: 'hi' }));
    expect(own.conversation.id).not.toBe(secret.conversation.id);
    await expectOk(call(alice.socket, 'message:send', { clientId: 'b', body: 'second secret' }));
    await sleep(100);
    expect(seen.map((m) => m.body)).toEqual(['hi']);
  });

  it('refuses /operator without a valid session', async () => {
    const h = await startServer();
    const none = connect(`${h.url}/operator`, { transports: ['websocket'], reconnection: false, forceNew: true });
    const forged = connect(`${h.url}/operator`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: 'beckon_session=made-up' } });
    onCleanup(() => void none.disconnect());
    onCleanup(() => void forged.disconnect());
    expect((await connectError(none)).data?.code).toBe('UNAUTHENTICATED');
    expect((await connectError(forged)).data?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses /operator from a foreign browser origin even with a valid cookie', async () => {
    const h = await startServer();
    const cookie = await login(h, 'op@shop.test');
    const s = connect(`${h.url}/operator`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: 'http://evil.test' } });
    onCleanup(() => void s.disconnect());
    expect((await connectError(s)).data?.code).toBe('FORBIDDEN');
  });

  it('shows an operator nothing of another site', async () => {
    const h = await startServer();
    const eve = await operator(h, 'admin@other.test');
    const eveEvents = [...collect(eve, 'conversation:upsert'), ...collect(eve, 'messages:new')];
    const up = collect(eve, 'conversation:upsert');
    const msgs = collectMessages(eve);
    const shopOp = await operator(h);
    const { socket: v } = await visitorReady(h);
    const shopSaw = nextMessage(shopOp);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'shop secret' }));
    await shopSaw;
    await sleep(100);
    expect(up).toEqual([]);
    expect(msgs).toEqual([]);
    expect(eveEvents).toEqual([]);
    const list = await expectOk(call(eve, 'conversation:list', {}));
    expect(list.conversations).toEqual([]);
    for (const [event, payload] of [
      ['conversation:sync', { conversationId: sent.conversation.id, lastSeq: 0 }],
      ['conversation:history', { conversationId: sent.conversation.id, beforeSeq: 5 }],
      ['message:send', { conversationId: sent.conversation.id, clientId: 'x', body: 'hi from elsewhere' }],
      ['conversation:close', { conversationId: sent.conversation.id }],
    ] as const) {
      expect(await call(eve, event, payload), event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    const evesCookie = await login(h, 'admin@other.test');
    const res = await fetch(`${h.url}/api/sites/${h.site.id}`, { headers: { cookie: evesCookie } });
    expect(res.status).toBe(404);
    const members = await fetch(`${h.url}/api/sites/${h.site.id}/members`, { headers: { cookie: evesCookie } });
    expect(members.status).toBe(404);
  });
});

describe('accounts and settings', () => {
  it('logs in with a cookie, logs out, and the cookie stops working', async () => {
    const h = await startServer();
    const cookie = await login(h, 'ADMIN@shop.test');
    const me = await (await fetch(`${h.url}/api/auth/me`, { headers: { cookie } })).json();
    expect(me.account.email).toBe('admin@shop.test');
    expect(me.memberships).toEqual([expect.objectContaining({ siteId: h.site.id, role: 'admin' })]);
    await fetch(`${h.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    expect((await fetch(`${h.url}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('stores no plain password', async () => {
    const h = await startServer();
    const acc = await h.store.getAccountByEmail('admin@shop.test');
    expect(acc?.passwordHash).toMatch(/^scrypt\$/);
    expect(acc?.passwordHash).not.toContain('correct horse');
  });

  it('lets an admin change origins and appearance, pushes it to the widget, and refuses operators', async () => {
    const h = await startServer();
    const admin = await login(h, 'admin@shop.test');
    const op = await login(h, 'op@shop.test');
    const { socket: v } = await visitorReady(h);
    const update = next<{ appearance: { color: string } }>(v, 'site:update');
    const patch = (cookie: string, body: unknown) => fetch(`${h.url}/api/sites/${h.site.id}`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch(op, { appearance: { color: '#000000' } })).status).toBe(403);
    const bad = await patch(admin, { allowedOrigins: ['not an origin'] });
    expect((await bad.json()).error.code).toBe('VALIDATION_FAILED');
    const res = await patch(admin, { allowedOrigins: [SHOP, 'https://new.example/'], appearance: { color: '#aa3300', teamName: 'Baristas' } });
    expect(res.status).toBe(200);
    const site = await res.json();
    expect(site.allowedOrigins).toEqual([SHOP, 'https://new.example']);
    expect(site.appearance).toMatchObject({ color: '#aa3300', teamName: 'Baristas', position: 'right' });
    expect((await update).appearance.color).toBe('#aa3300');
    expect((await connectError(visitor(h, { origin: 'http://evil.test' }))).data?.code).toBe('ORIGIN_NOT_ALLOWED');
    await visitorReady(h, { origin: 'https://new.example' });
  });

  it('lets an admin add an operator with a generated password, and keeps the last admin', async () => {
    const h = await startServer();
    const admin = await login(h, 'admin@shop.test');
    const json = { cookie: admin, 'content-type': 'application/json' };
    const res = await fetch(`${h.url}/api/sites/${h.site.id}/members`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'new@shop.test', name: 'Nina', role: 'operator' }) });
    expect(res.status).toBe(201);
    const { member, password } = await res.json();
    expect(password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await login(h, 'new@shop.test', password);
    const again = await fetch(`${h.url}/api/sites/${h.site.id}/members`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'new@shop.test', name: 'Nina', role: 'operator' }) });
    expect((await again.json()).error.code).toBe('EMAIL_TAKEN');
    const me = (await (await fetch(`${h.url}/api/auth/me`, { headers: { cookie: admin } })).json()).account.id;
    const demote = await fetch(`${h.url}/api/sites/${h.site.id}/members/${me}`, { method: 'PATCH', headers: json, body: JSON.stringify({ role: 'operator' }) });
    expect((await demote.json()).error.code).toBe('LAST_ADMIN');
    const cap = await fetch(`${h.url}/api/sites/${h.site.id}/members/${member.accountId}`, { method: 'PATCH', headers: json, body: JSON.stringify({ capacity: 3 }) });
    expect((await cap.json()).capacity).toBe(3);
    const del = await fetch(`${h.url}/api/sites/${h.site.id}/members/${member.accountId}`, { method: 'DELETE', headers: { cookie: admin } });
    expect(del.status).toBe(200);
  });

  it('changes a password: the current one is required, other sessions end, the new one works', async () => {
    const h = await startServer();
    const other = await login(h, 'op@shop.test');
    const cookie = await login(h, 'op@shop.test');
    const change = (body: unknown) => fetch(`${h.url}/api/auth/password`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await (await change({ current: 'wrong password', next: 'a brand new password' })).json()).error.code).toBe('INVALID_CREDENTIALS');
    expect((await (await change({ current: PASSWORD, next: 'short' })).json()).error.code).toBe('VALIDATION_FAILED');
    const ok = await change({ current: PASSWORD, next: 'a brand new password' });
    expect(ok.status).toBe(200);
    const fresh = ok.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${h.url}/api/auth/me`, { headers: { cookie: other } })).status).toBe(401);
    expect((await fetch(`${h.url}/api/auth/me`, { headers: { cookie: fresh } })).status).toBe(200);
    await expect(login(h, 'op@shop.test')).rejects.toThrow(/401/);
    await login(h, 'op@shop.test', 'a brand new password');
  });
});

describe('odd text', () => {
  it('refuses a lone surrogate with VALIDATION_FAILED (the ack and the history never disagree); whole emoji pass', async () => {
    const h = await startServer();
    const { socket: v } = await visitorReady(h);
    for (const body of ['half \uD83D of a smile', 'tail \uDE00 only', '\uDBFF']) {
      const r = await call(v, 'message:send', { clientId: `s-${body.length}`, body });
      expect(r, JSON.stringify(body)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    const good = await expectOk(call(v, 'message:send', { clientId: 'emoji', body: 'a whole one 😀 and ‮gnp.exe' }));
    const sync = await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }));
    expect(sync.messages.map((m) => m.body)).toEqual([good.message.body]);
    expect(good.message.body).toBe('a whole one 😀 and ‮gnp.exe');
    // and over HTTP
    const admin = await login(h, 'admin@shop.test');
    const res = await fetch(`${h.url}/api/sites/${h.site.id}`, { method: 'PATCH', headers: { cookie: admin, 'content-type': 'application/json' }, body: '{"name":"Shop \\ud800"}' });
    expect(res.status).toBe(400);
    expect((await h.store.getSite(h.site.id))!.name).toBe('Shop');
  });
});
