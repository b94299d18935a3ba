/** Abuse (issue 8 §6): limits per visitor and per address, not per socket; floods end the socket; the real address behind a proxy. */
import { io as connect } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { VisitorServerEventSchemas } from '@beckon/protocol';
import { call, expectOk, login, onCleanup, operator, SHOP, startServer, visitorReady, type Harness, type VisitorSocket } from './harness';

/** a visitor's socket arriving through a reverse proxy that names the browser's address */
async function viaProxy(h: Harness, address: string, token: string | null = null) {
  const s: VisitorSocket = connect(`${h.url}/visitor`, { auth: { siteKey: h.site.key, token }, extraHeaders: { origin: SHOP, 'x-forwarded-for': `${address}, 10.0.0.1` }, transports: ['websocket'], reconnection: false, forceNew: true });
  onCleanup(() => void s.disconnect());
  const session = await new Promise<{ visitorId: string; token: string }>((res, rej) => {
    s.once('session:ready', res);
    s.once('connect_error', rej);
  });
  expect(VisitorServerEventSchemas['session:ready']).toBeDefined();
  return { socket: s, session };
}

describe('limits that hold whatever the number of sockets', () => {
  it('five tabs of one visitor share one message allowance', async () => {
    const h = await startServer();
    const first = await visitorReady(h);
    const tabs = [first, ...(await Promise.all(Array.from({ length: 4 }, () => visitorReady(h, { token: first.session.token }))))];
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => call(tabs[i % 5]!.socket, 'message:send', { clientId: `m${i}`, body: `message ${i}` })));
    expect(acks.filter((a) => a.ok)).toHaveLength(30);
    expect(acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toHaveLength(10);
  });

  it('journey events are counted per visitor across tabs; another visitor keeps their own allowance', async () => {
    const h = await startServer({ abuseLimits: { journeyEventsPerVisitorPerMinute: 20 } });
    const first = await visitorReady(h);
    const second = await visitorReady(h, { token: first.session.token });
    const other = await visitorReady(h);
    const batch = (n: number) => ({ events: Array.from({ length: 5 }, (_, i) => ({ type: 'scroll' as const, depth: n * 5 + i, ago: 0 })) });
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await call(i % 2 ? second.socket : first.socket, 'journey:batch', batch(i)));
    expect(acks.slice(0, 4).every((a) => a.ok)).toBe(true);
    const last = acks[4]!;
    expect(!last.ok && last.error.code).toBe('RATE_LIMITED');
    expect(!last.ok && last.error.message).toMatch(/try again in \d+ s/);
    await expectOk(call(other.socket, 'journey:batch', batch(0)));
  });

  it('new conversations are limited per address: 20 an hour, the 21st visitor from it is refused', async () => {
    const h = await startServer();
    const visitors = await Promise.all(Array.from({ length: 24 }, () => visitorReady(h)));
    const acks = [];
    for (const [i, v] of visitors.entries()) acks.push(await call(v.socket, 'message:send', { clientId: `c${i}`, body: 'hello' }));
    expect(acks.filter((a) => a.ok)).toHaveLength(20);
    expect(acks.slice(20).every((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toBe(true);
    // nothing of the refused ones was stored
    expect((await h.store.listConversations([h.site.id], 100)).length).toBe(20);
  });

  it('a socket that keeps flooding after RATE_LIMITED is disconnected; a calm one stays', async () => {
    const h = await startServer();
    const flood = await visitorReady(h);
    const calm = await visitorReady(h);
    const gone = new Promise<string>((res) => flood.socket.once('disconnect', res));
    for (let i = 0; i < 200; i++) flood.socket.emit('conversation:read', { seq: 1 });
    expect(await gone).toBe('io server disconnect');
    await expectOk(call(calm.socket, 'message:send', { clientId: 'calm', body: 'still fine' }));
  });
});

describe('behind a reverse proxy (BECKON_TRUST_PROXY=1)', () => {
  it('blocking one visitor blocks that visitor only; an address block is an explicit choice and takes the real address', async () => {
    const h = await startServer({ trustProxy: true });
    const op = await operator(h);
    const spammer = await viaProxy(h, '203.0.113.5');
    const neighbour = await viaProxy(h, '203.0.113.5');
    const other = await viaProxy(h, '198.51.100.7');
    await expectOk(call(spammer.socket, 'message:send', { clientId: 's1', body: 'spam' }));
    await h.beckon.chat.idle();

    await expectOk(call(op, 'visitor:block', { visitorId: spammer.session.visitorId, reason: 'spam' }));
    // by visitor id: someone else behind the same address still chats
    await expectOk(call(neighbour.socket, 'message:send', { clientId: 'n1', body: 'a real question' }));
    await expect(viaProxy(h, '203.0.113.5', spammer.session.token)).rejects.toMatchObject({ data: { code: 'BLOCKED' } });

    // by address, asked for: the proxy's own address is not what gets blocked
    await expectOk(call(op, 'visitor:block', { visitorId: neighbour.session.visitorId, reason: 'same spam', byAddress: true }));
    await expect(viaProxy(h, '203.0.113.5')).rejects.toMatchObject({ data: { code: 'BLOCKED' } });
    await expectOk(call(other.socket, 'message:send', { clientId: 'o1', body: 'hello from elsewhere' }));
    await viaProxy(h, '198.51.100.7');
  });
});

describe('lists the console loads', () => {
  it('conversation:list comes in pages: 250 open conversations arrive as 100 + 100 + 50, none twice, newest first', async () => {
    const h = await startServer();
    const base = Date.now() - 1_000_000;
    for (let i = 0; i < 250; i++) {
      const v = await h.store.touchVisitor({ id: `bulk-visitor-${String(i).padStart(6, '0')}`, siteId: h.site.id, lang: 'en', userAgent: null }, base);
      const c = await h.store.createConversation({ siteId: h.site.id, visitorId: v.id, previousId: null }, base + i);
      await h.store.appendMessage({ conversationId: c.id, clientId: `b${i}`, sender: 'visitor', senderId: v.id, authorName: null, body: `question ${i}`, now: base + i });
    }
    const op = await operator(h);
    type Page = { conversations: { id: string; lastMessagePreview: string }[]; next: { at: number; id: string } | null };
    const pages: Page[] = [await expectOk(call(op, 'conversation:list', {}))];
    while (pages[pages.length - 1]!.next && pages.length < 10) pages.push(await expectOk(call(op, 'conversation:list', { after: pages[pages.length - 1]!.next! })));
    expect(pages.map((p) => p.conversations.length)).toEqual([100, 100, 50]);
    const all = pages.flatMap((p) => p.conversations);
    expect(new Set(all.map((c) => c.id)).size).toBe(250);
    expect(all[0]!.lastMessagePreview).toBe('question 249');
    expect(all[249]!.lastMessagePreview).toBe('question 0');
  });

  it('the inbox comes in pages of 50 with a cursor; rules and saved replies are capped per site, so their lists stay bounded', async () => {
    const h = await startServer();
    const v = await h.store.touchVisitor({ id: 'inbox-visitor-000001', siteId: h.site.id, lang: 'en', userAgent: null }, Date.now());
    for (let i = 0; i < 120; i++) await h.store.createInboxItem({ siteId: h.site.id, visitorId: v.id, kind: 'message', name: `n${i}`, email: '', phone: '', preferredTime: '', body: `item ${i}`, offerId: null, pageUrl: '' }, Date.now() - 1000 + i);
    const admin = await login(h, 'admin@shop.test');
    const get = async (q: string) => (await fetch(`${h.url}/api/sites/${h.site.id}/inbox?status=open${q}`, { headers: { cookie: admin } })).json();
    const pages = [await get('')];
    while (pages[pages.length - 1].next && pages.length < 10) pages.push(await get(`&before=${encodeURIComponent(pages[pages.length - 1].next)}`));
    expect(pages.map((p: { items: unknown[] }) => p.items.length)).toEqual([50, 50, 20]);
    const bodies = pages.flatMap((p: { items: { body: string }[] }) => p.items.map((i) => i.body));
    expect(new Set(bodies).size).toBe(120);
    expect(bodies[0]).toBe('item 119');
    expect((await fetch(`${h.url}/api/sites/${h.site.id}/inbox?before=drop%20table`, { headers: { cookie: admin } })).status).toBe(400);

    const { demoRules } = await import('../src/demo-rules');
    const { RuleInput, LIMITS } = await import('@beckon/protocol');
    for (let i = 0; i < LIMITS.rulesPerSite; i++) await h.store.createRule(h.site.id, RuleInput.parse(demoRules(null)[0]), Date.now());
    const over = await fetch(`${h.url}/api/sites/${h.site.id}/rules`, { method: 'POST', headers: { cookie: admin, origin: h.url, 'content-type': 'application/json' }, body: JSON.stringify(demoRules(null)[0]) });
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toMatch(/at most 200 rules/);
  });
});
