/**
 * The REST API for integrations (issue 11 §1–3): API tokens (scopes, revocation, expiry, rate,
 * audit), a site's data through /api/v1 and nothing of another's, an operator message sent by an
 * integration reaching the visitor live, and the OpenAPI document generated from the routes.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { RuleInput, type TokenView } from '@beckon/protocol';
import { demoRules } from '../src/demo-rules';
import { call, expectOk, login, next, operator, startServer, visitorReady, type Harness } from './harness';

async function adminCall<T = unknown>(h: Harness, cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as T };
}

async function newToken(h: Harness, o: { scope: 'read' | 'write'; name?: string; expiresInDays?: number | null; siteId?: string; admin?: string } = { scope: 'read' }) {
  const cookie = await login(h, o.admin ?? 'admin@shop.test');
  const r = await adminCall<{ token: TokenView; secret: string }>(h, cookie, 'POST', `/api/sites/${o.siteId ?? h.site.id}/tokens`, { name: o.name ?? `${o.scope} token`, scope: o.scope, expiresInDays: o.expiresInDays ?? null });
  expect(r.status).toBe(201);
  return { ...r.json, cookie };
}

function api(h: Harness, token: string, method: string, path: string, body?: unknown) {
  return fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** a visitor who wrote, so there is a conversation, a visitor, messages */
async function chatWorld(h: Harness) {
  const { socket: v, session } = await visitorReady(h);
  const sent = await expectOk(call(v, 'message:send', { clientId: 'v-1', body: 'Do you ship to Riga?' }));
  await h.beckon.chat.idle();
  return { v, visitorId: session.visitorId, conversationId: sent.conversation.id };
}

describe('API tokens', () => {
  it('are shown once, stored hashed, and listed with their prefix and last use', async () => {
    const h = await startServer();
    const { token, secret, cookie } = await newToken(h, { scope: 'read', name: 'CRM sync' });
    expect(secret).toMatch(/^bk_[\w-]{40,}$/);
    expect(token.prefix).toBe(secret.slice(0, 10));
    // the database has only its hash
    const rows = await h.store.integrations.listTokens(h.site.id);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect((await api(h, secret, 'GET', '/api/v1/site')).status).toBe(200);
    const listed = await adminCall<{ tokens: TokenView[] }>(h, cookie, 'GET', `/api/sites/${h.site.id}/tokens`);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    expect(listed.json.tokens[0]).toMatchObject({ name: 'CRM sync', scopes: ['read'], lastUsedAt: expect.any(Number) });
  });

  it('read scope cannot write; write scope can', async () => {
    const h = await startServer();
    const w = await chatWorld(h);
    const ro = await newToken(h, { scope: 'read' });
    const rw = await newToken(h, { scope: 'write' });
    const send = (t: string) => api(h, t, 'POST', `/api/v1/conversations/${w.conversationId}/messages`, { text: 'Yes, we do.' });
    const refused = await send(ro.secret);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'INSUFFICIENT_SCOPE' } });
    expect((await h.store.messagesAfter(w.conversationId, 0, 100)).map((m) => m.body)).toEqual(['Do you ship to Riga?']);
    expect((await send(rw.secret)).status).toBe(201);
  });

  it('a revoked, an expired, a wrong or a missing token is refused', async () => {
    const h = await startServer();
    const t = await newToken(h, { scope: 'write' });
    expect((await api(h, t.secret, 'GET', '/api/v1/conversations')).status).toBe(200);
    const revoked = await adminCall(h, t.cookie, 'DELETE', `/api/sites/${h.site.id}/tokens/${t.token.id}`);
    expect(revoked.status).toBe(200);
    const after = await api(h, t.secret, 'GET', '/api/v1/conversations');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: 'INVALID_API_TOKEN' } });

    const short = await newToken(h, { scope: 'read', expiresInDays: 1 });
    expect((await api(h, short.secret, 'GET', '/api/v1/site')).status).toBe(200);
    // a day later (the token's expiry is stored data: move it into the past)
    const row = (await h.store.integrations.listTokens(h.site.id)).find((x) => x.id === short.token.id)!;
    expect(row.expiresAt).toBeGreaterThan(Date.now() + 86_000_000);
    await h.beckon.app.close();
    await h.onData('update api_tokens set expires_at = ? where id = ?', [Date.now() - 1, short.token.id]);
    await h.restart();
    const expired = await api(h, short.secret, 'GET', '/api/v1/site');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'INVALID_API_TOKEN', message: expect.stringContaining('expired') } });

    for (const auth of [undefined, 'Bearer bk_' + 'x'.repeat(43), 'Basic Zm9vOmJhcg==', `Bearer ${t.secret}`]) {
      const res = await fetch(`${h.url}/api/v1/site`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status, auth).toBe(401);
    }
    // the console's cookie is not an API credential
    const cookie = await login(h, 'admin@shop.test');
    expect((await fetch(`${h.url}/api/v1/site`, { headers: { cookie } })).status).toBe(401);
  });

  it('are rate-limited per token, and every call is in the audit log', async () => {
    const h = await startServer({ apiPerMinute: 5 });
    const a = await newToken(h, { scope: 'read', name: 'busy' });
    const b = await newToken(h, { scope: 'read', name: 'calm' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api(h, a.secret, 'GET', `/api/v1/site?i=${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await api(h, a.secret, 'GET', '/api/v1/site');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // the other token has its own budget
    expect((await api(h, b.secret, 'GET', '/api/v1/site')).status).toBe(200);

    await h.beckon.app.close();
    await h.restart();
    const cookie = await login(h, 'admin@shop.test');
    const audit = await adminCall<{ items: { tokenName: string; method: string; path: string; status: number }[] }>(h, cookie, 'GET', `/api/sites/${h.site.id}/audit?limit=200`);
    const busy = audit.json.items.filter((x) => x.tokenName === 'busy');
    expect(busy.map((x) => x.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(busy.some((x) => x.path === '/api/v1/site?i=3' && x.method === 'GET')).toBe(true);
    // only admins read it
    const op = await login(h, 'op@shop.test');
    expect((await adminCall(h, op, 'GET', `/api/sites/${h.site.id}/audit`)).status).toBe(403);
  });
});

describe('the REST API', () => {
  it('lists conversations with filters and cursors, and gives the transcript', async () => {
    const h = await startServer();
    const { secret } = await newToken(h, { scope: 'read' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { socket } = await visitorReady(h);
      ids.push((await expectOk(call(socket, 'message:send', { clientId: `m${i}`, body: `question ${i}` }))).conversation.id);
      await h.beckon.chat.idle();
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(h, secret, 'GET', `/api/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as { items: { id: string; status: string }[]; next: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.next;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const queued = (await (await api(h, secret, 'GET', '/api/v1/conversations?status=closed')).json()) as { items: unknown[] };
    expect(queued.items).toEqual([]);

    const transcript = (await (await api(h, secret, 'GET', `/api/v1/conversations/${ids[2]}/messages`)).json()) as { items: { body: string; sender: string; seq: number }[]; next: number | null };
    expect(transcript.items.map((m) => [m.seq, m.sender, m.body])).toEqual([[1, 'visitor', 'question 2']]);
    expect(transcript.next).toBeNull();
    const bad = await api(h, secret, 'GET', '/api/v1/conversations?limit=100000');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await api(h, secret, 'GET', '/api/v1/conversations?cursor=bm9wZQ')).status).toBe(400);
  });

  it('an integration sends as an operator, and the visitor sees it live; a retry is stored once', async () => {
    const h = await startServer();
    const w = await chatWorld(h);
    const { secret } = await newToken(h, { scope: 'write' });
    const oleg = (await h.store.getAccountByEmail('op@shop.test'))!.id;
    const arrives = next<{ body: string; sender: string; authorName: string }>(w.v, 'message:new', (m) => m.sender === 'operator');
    const body = { text: 'Yes — 2 days to Riga.', clientId: 'crm-42', operatorId: oleg };
    const res = await api(h, secret, 'POST', `/api/v1/conversations/${w.conversationId}/messages`, body);
    expect(res.status).toBe(201);
    expect(await arrives).toMatchObject({ body: 'Yes — 2 days to Riga.', authorName: 'Oleg' });
    expect((await api(h, secret, 'POST', `/api/v1/conversations/${w.conversationId}/messages`, body)).status).toBe(201);
    const stored = await h.store.messagesAfter(w.conversationId, 0, 100);
    expect(stored.filter((m) => m.sender === 'operator').map((m) => m.body)).toEqual(['Yes — 2 days to Riga.']);
    // it took the queued conversation, as an operator's reply does
    expect((await h.store.getConversation(w.conversationId))?.assigneeId).toBe(oleg);
    const notMember = await api(h, secret, 'POST', `/api/v1/conversations/${w.conversationId}/messages`, { text: 'x', operatorId: (await h.store.getAccountByEmail('admin@other.test'))!.id });
    expect(notMember.status).toBe(400);
  });

  it('answers and resolves inbox items, switches rules, lists visitors, offers, goals and metrics', async () => {
    const h = await startServer();
    const w = await chatWorld(h);
    const { secret } = await newToken(h, { scope: 'write' });
    const item = await h.store.createInboxItem({ siteId: h.site.id, visitorId: w.visitorId, kind: 'callback', name: 'Vera', email: 'vera@example.com', phone: '+371 2000 0000', preferredTime: 'after 5', body: '', offerId: null, pageUrl: 'http://shop.test/cart' }, Date.now());
    const inbox = (await (await api(h, secret, 'GET', '/api/v1/inbox')).json()) as { items: { id: string; phone: string }[] };
    expect(inbox.items).toEqual([expect.objectContaining({ id: item.id, phone: '+371 2000 0000' })]);
    const answered = await api(h, secret, 'PATCH', `/api/v1/inbox/${item.id}`, { answer: 'We called you.', status: 'resolved' });
    expect(answered.status).toBe(200);
    expect(await h.store.getInboxItem(item.id)).toMatchObject({ status: 'resolved', answer: 'We called you.' });

    const rule = await h.store.createRule(h.site.id, RuleInput.parse(demoRules(null)[0]), Date.now());
    const off = await api(h, secret, 'PATCH', `/api/v1/rules/${rule.id}`, { enabled: false });
    expect(await off.json()).toMatchObject({ id: rule.id, enabled: false });
    expect((await h.store.listRules(h.site.id)).find((r) => r.id === rule.id)).toMatchObject({ enabled: false, name: rule.name, when: rule.when });

    const offer = await h.store.createOffer({ id: 'offer-aaaaaaaaaaaaaaaa', siteId: h.site.id, visitorId: w.visitorId, ruleId: rule.id, ruleName: rule.name, variant: 'a', kind: 'invite', holdout: false, sessionStartedAt: Date.now(), createdAt: Date.now(), goalEvent: 'purchase', goalWindowHours: 24, invitedBy: null, expiresAt: Date.now() + 90_000 });
    await h.store.updateOffer(offer.id, { acceptedAt: Date.now(), convertedAt: Date.now(), value: 4990 });
    const goals = (await (await api(h, secret, 'GET', '/api/v1/goals')).json()) as { items: { id: string; value: number; outcome: string }[] };
    expect(goals.items).toEqual([expect.objectContaining({ id: offer.id, value: 49.9, outcome: 'accepted' })]);
    const metrics = (await (await api(h, secret, 'GET', '/api/v1/metrics?days=7')).json()) as { conversations: number; rules: { ruleId: string; shown: number; converted: number; revenue: number }[] };
    expect(metrics.conversations).toBe(1);
    expect(metrics.rules).toEqual([expect.objectContaining({ ruleId: rule.id, shown: 1, converted: 1, revenue: 49.9 })]);
    expect((await api(h, secret, 'GET', '/api/v1/metrics?tz=Mars/Olympus')).status).toBe(400);

    const visitors = (await (await api(h, secret, 'GET', '/api/v1/visitors')).json()) as { items: { id: string; online: boolean }[] };
    expect(visitors.items).toEqual([expect.objectContaining({ id: w.visitorId, online: true })]);
    // the journey and the rules are paged like every list
    await h.store.addJourneyEvents([1, 2, 3, 4, 5].map((n) => ({ siteId: h.site.id, visitorId: w.visitorId, type: 'page', data: { url: `http://shop.test/p${n}` }, at: Date.now() + n })));
    const urls: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page = (await (await api(h, secret, 'GET', `/api/v1/visitors/${w.visitorId}/journey?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: { type: string; data: { url?: string } }[]; next: string | null };
      urls.push(...page.items.filter((e) => e.type === 'page').map((e) => e.data.url!));
      cursor = page.next;
      if (!cursor) break;
    }
    expect(urls).toEqual([5, 4, 3, 2, 1].map((n) => `http://shop.test/p${n}`));
    for (let i = 0; i < 2; i++) await h.store.createRule(h.site.id, RuleInput.parse({ ...demoRules(null)[0], name: `extra ${i}` }), Date.now());
    const first = (await (await api(h, secret, 'GET', '/api/v1/rules?limit=2')).json()) as { items: { id: string }[]; next: string | null };
    const rest = (await (await api(h, secret, 'GET', `/api/v1/rules?limit=2&cursor=${first.next}`)).json()) as { items: { id: string }[]; next: string | null };
    expect(first.items).toHaveLength(2);
    expect(rest).toMatchObject({ items: [expect.anything()], next: null });
    expect(new Set([...first.items, ...rest.items].map((r) => r.id)).size).toBe(3);
  });

  it('a token of one site reaches nothing of another, on every route', async () => {
    const h = await startServer();
    const w = await chatWorld(h);
    await operator(h);
    const rule = await h.store.createRule(h.site.id, RuleInput.parse(demoRules(null)[0]), Date.now());
    const item = await h.store.createInboxItem({ siteId: h.site.id, visitorId: w.visitorId, kind: 'message', name: 'Vera', email: 'vera@example.com', phone: '', preferredTime: '', body: 'my card is 4242', offerId: null, pageUrl: '' }, Date.now());
    const eve = await newToken(h, { scope: 'write', siteId: h.otherSite.id, admin: 'admin@other.test' });
    const ids: Record<string, string> = { '/api/v1/conversations/:id': w.conversationId, '/api/v1/conversations/:id/messages': w.conversationId, '/api/v1/visitors/:id': w.visitorId, '/api/v1/visitors/:id/journey': w.visitorId, '/api/v1/inbox/:id': item.id, '/api/v1/rules/:id': rule.id };
    const bodies: Record<string, unknown> = { 'POST /api/v1/conversations/:id/messages': { text: 'hijack' }, 'PATCH /api/v1/inbox/:id': { status: 'resolved' }, 'PATCH /api/v1/rules/:id': { enabled: false } };
    const routes = h.beckon.routes.filter((r) => r.url.startsWith('/api/v1/'));
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      const res = await api(h, eve.secret, r.method, r.url.replace(':id', ids[r.url] ?? 'x'), bodies[key]);
      const text = await res.text();
      if (r.url.includes(':id')) {
        expect(res.status, `${key} → ${text}`).toBe(404);
        expect(JSON.parse(text)).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
      } else expect(res.status, `${key} → ${text}`).toBe(200);
      // lists answer with the other site's own (empty) data
      for (const secret of [w.conversationId, w.visitorId, item.id, rule.id, 'Riga', '4242']) expect(text, key).not.toContain(secret);
    }
    expect(await h.store.getInboxItem(item.id)).toMatchObject({ status: 'open' });
    expect((await h.store.listRules(h.site.id))[0]).toMatchObject({ enabled: true });
    expect((await h.store.messagesAfter(w.conversationId, 0, 10)).map((m) => m.body)).toEqual(['Do you ship to Riga?']);
  });
});

describe('the OpenAPI document', () => {
  it('validates, and lists every /api/v1 route with its schemas; the reference is served at /api/docs', async () => {
    const h = await startServer();
    const res = await fetch(`${h.url}/api/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenAPIV3.Document;
    await SwaggerParser.validate(structuredClone(doc) as never);
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item ?? {}).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)));
    const served = h.beckon.routes.filter((r) => r.url.startsWith('/api/v1/')).map((r) => `${r.method} ${r.url}`);
    expect([...documented].sort()).toEqual([...served].sort());
    // nothing of the console's cookie API leaks into it
    expect([...documented].every((k) => k.includes('/api/v1/'))).toBe(true);
    const send = doc.paths['/api/v1/conversations/{id}/messages']!.post!;
    expect(send.security).toEqual([{ bearerAuth: [] }]);
    expect(JSON.stringify(send.requestBody)).toContain('text');
    expect(Object.keys(send.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '404']));
    const page = await fetch(`${h.url}/api/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });
});
