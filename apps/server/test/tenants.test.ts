/**
 * Tenants stay apart (issue 8 §4): an admin of another site calls EVERY REST route and EVERY
 * /operator event with ids of this site's things, and gets NOT_FOUND, none of the data, and no
 * change in any table. The route list comes from the server itself, so a new route that is not
 * in the table below fails this test until it is.
 */
import Database from 'better-sqlite3';
import { io as connect } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { RuleInput, type ConversationSummary } from '@beckon/protocol';
import { OPERATOR_EVENTS } from '../src/index';
import { demoRules } from '../src/demo-rules';
import { call, callRaw, expectOk, login, onCleanup, operator, PASSWORD, startServer, visitorReady, type Harness } from './harness';

/** every row of every table, to prove nothing changed */
function snapshot(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name").all() as { name: string }[];
    return Object.fromEntries(tables.map((t) => [t.name, db.prepare(`select * from "${t.name}" order by rowid`).all()]));
  } finally {
    db.close();
  }
}

async function world(h: Harness) {
  const op = await operator(h);
  const { socket: v, session } = await visitorReady(h);
  const sent = await expectOk(call(v, 'message:send', { clientId: 'secret-1', body: 'my card number is 4242' }));
  await h.beckon.chat.idle();
  const rule = await h.store.createRule(h.site.id, RuleInput.parse(demoRules(null)[0]), Date.now());
  const canned = await h.store.createCanned({ siteId: h.site.id, ownerId: null, shortcut: 'hi', body: 'Hello!' }, Date.now());
  const item = await h.store.createInboxItem({ siteId: h.site.id, visitorId: session.visitorId, kind: 'message', name: 'Vera', email: 'vera@example.com', phone: '', preferredTime: '', body: 'call me', offerId: null, pageUrl: '' }, Date.now());
  const oleg = (await h.store.getAccountByEmail('op@shop.test'))!.id;
  const ada = (await h.store.getAccountByEmail('admin@shop.test'))!.id;
  const token = await h.store.integrations.createToken({ id: 'token-aaaaaaaaaaaaaaaa', siteId: h.site.id, name: 'CRM', prefix: 'bk_secret4', hash: 'f'.repeat(64), scopes: ['read', 'write'], createdBy: ada, createdAt: Date.now(), expiresAt: null });
  const endpoint = await h.store.integrations.createEndpoint({ id: 'endpoint-aaaaaaaaaaaaa', siteId: h.site.id, url: 'https://crm.example.com/hook', description: 'CRM', events: ['lead.created'], secret: 'whsec_4242', enabled: false, createdAt: Date.now() });
  await h.store.integrations.enqueue([{ id: 'delivery-aaaaaaaaaaaaa', endpointId: endpoint.id, siteId: h.site.id, eventId: 'event-aaaaaaaaaaaaaaaa', event: 'lead.created', orderKey: session.visitorId, visitorId: session.visitorId, body: '{"card":"4242"}', nextAt: Date.now() + 3_600_000, createdAt: Date.now() }]);
  await h.store.closeConversation(sent.conversation.id, 'operator', Date.now());
  await h.store.quality.putRating({ conversationId: sent.conversation.id, siteId: h.site.id, visitorId: session.visitorId, operatorId: null, verdict: 'worse', comment: 'card 4242 leaked', nps: null, createdAt: Date.now(), updatedAt: Date.now() });
  const followUp = (await h.store.quality.openFollowUp({ id: 'followup-aaaaaaaaaaaaa', siteId: h.site.id, conversationId: sent.conversation.id, visitorId: session.visitorId, operatorId: null, reason: 'worse', createdAt: Date.now() }))!;
  return { messageId: sent.message.id, followUpId: followUp.id, op, v, conversationId: sent.conversation.id, visitorId: session.visitorId, ruleId: rule.id, cannedId: canned.id, itemId: item.id, accountId: oleg, tokenId: token.id, endpointId: endpoint.id, deliveryId: 'delivery-aaaaaaaaaaaaa' };
}

describe('another site’s admin', () => {
  it('gets NOT_FOUND from every REST route, sees nothing, and changes nothing', async () => {
    const h = await startServer();
    const w = await world(h);
    const eve = await login(h, 'admin@other.test');
    const params: Record<string, string> = { siteId: h.site.id, ruleId: w.ruleId, itemId: w.itemId, cannedId: w.cannedId, accountId: w.accountId, visitorId: w.visitorId, conversationId: w.conversationId, tokenId: w.tokenId, endpointId: w.endpointId, deliveryId: w.deliveryId, followUpId: w.followUpId };
    const rule = demoRules(null)[0];
    const bodies: Record<string, unknown> = {
      'PATCH /api/sites/:siteId': { name: 'Taken over' },
      'POST /api/sites/:siteId/members': { email: 'spy@other.test', name: 'Spy', role: 'admin' },
      'PATCH /api/sites/:siteId/members/:accountId': { name: 'Renamed by Eve', role: 'admin' },
      'POST /api/sites/:siteId/rules': rule,
      'PUT /api/sites/:siteId/rules/:ruleId': rule,
      'PATCH /api/inbox/:itemId': { status: 'resolved' },
      'POST /api/sites/:siteId/canned': { shortcut: 'x', body: 'y' },
      'PUT /api/sites/:siteId/phrases': { phrases: [] },
      'DELETE /api/sites/:siteId': { confirmName: 'Shop' },
      'POST /api/sites/:siteId/tokens': { name: 'Eve’s', scope: 'write' },
      'POST /api/sites/:siteId/webhooks': { url: 'https://eve.example.com/', events: ['lead.created'] },
      'PATCH /api/sites/:siteId/webhooks/:endpointId': { enabled: true, rotateSecret: true },
      'PATCH /api/follow-ups/:followUpId': { status: 'resolved', outcome: 'recovered' },
      'POST /api/follow-ups/:followUpId/notes': { body: 'Eve was here' },
    };
    const queries: Record<string, string> = { 'GET /api/sites/:siteId/search': '?q=card', 'GET /api/sites/:siteId/funnel': '?days=30', 'GET /api/sites/:siteId/inbox': '?status=open', 'GET /api/sites/:siteId/metrics': `?from=0&to=${Date.now()}`, 'POST /api/attachments': `?conversationId=${w.conversationId}` };
    // routes that belong to no site: the caller's own account
    const own = new Set(['POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/auth/me', 'POST /api/auth/password', 'POST /api/sites', 'GET /api/push', 'POST /api/push/subscriptions', 'DELETE /api/push/subscriptions', 'PUT /api/push/prefs']);
    // /api/v1 takes API tokens, not the cookie (api.test.ts walks it with another site's token); /api/docs is public;
    // /api/widget takes a visitor's token from the site's own pages (attachments.test.ts: foreign pages, forged tokens)
    const tenantRoutes = h.beckon.routes.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/v1/') && !r.url.startsWith('/api/docs') && !r.url.startsWith('/api/widget/') && !own.has(`${r.method} ${r.url}`));
    expect(tenantRoutes.length).toBeGreaterThan(15);

    const before = snapshot(h.dbFile);
    for (const r of tenantRoutes) {
      const key = `${r.method} ${r.url}`;
      const path = r.url.replace(/:(\w+)/g, (_, name: string) => {
        expect(params[name], `${key}: add :${name} to the table of ids`).toBeDefined();
        return params[name]!;
      });
      const body = bodies[key] ?? (['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined);
      const res = await fetch(`${h.url}${path}${queries[key] ?? ''}`, { method: r.method, headers: { cookie: eve, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      expect(res.status, `${key} → ${text}`).toBe(404);
      expect(JSON.parse(text), key).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
      expect(text, key).not.toContain('4242');
      expect(text, key).not.toContain('crm.example.com');
    }
    expect(snapshot(h.dbFile)).toEqual(before);
  });

  it('gets NOT_FOUND from every /operator event about this site, sees none of its data, and changes nothing', async () => {
    const h = await startServer();
    const w = await world(h);
    const eve = await operator(h, 'admin@other.test');
    const seen: string[] = [];
    eve.onAny((event: string, payload: unknown) => seen.push(`${event} ${JSON.stringify(payload)}`));
    const payloads: Record<string, unknown> = {
      'conversation:sync': { conversationId: w.conversationId, lastSeq: 0 },
      'conversation:history': { conversationId: w.conversationId, beforeSeq: 5 },
      'conversation:read': { conversationId: w.conversationId, seq: 1 },
      'conversation:close': { conversationId: w.conversationId },
      'conversation:take': { conversationId: w.conversationId },
      'message:send': { conversationId: w.conversationId, clientId: 'eve-1', body: 'hello from another site' },
      'message:edit': { conversationId: w.conversationId, messageId: w.messageId, body: 'changed by Eve' },
      'message:delete': { conversationId: w.conversationId, messageId: w.messageId },
      'typing:set': { conversationId: w.conversationId, typing: true },
      'visitors:watch': { siteId: h.site.id, filter: '', offset: 0 },
      'visitor:invite': { visitorId: w.visitorId, text: 'come to us instead' },
      'visitor:journey': { visitorId: w.visitorId },
      'visitor:update': { visitorId: w.visitorId, name: 'Eve was here' },
      'conversation:transfer': { conversationId: w.conversationId, operatorId: w.accountId, note: '' },
      'conversation:reassign': { conversationId: w.conversationId, operatorId: w.accountId },
      'conversation:why': { conversationId: w.conversationId },
      'note:add': { conversationId: w.conversationId, body: 'a note' },
      'note:list': { conversationId: w.conversationId },
      'visitor:block': { visitorId: w.visitorId, reason: 'spite' },
      'floor:get': { siteId: h.site.id },
    };
    // events about no site of anyone else's: answered for the caller alone
    const own: Record<string, unknown> = { 'operator:status': { status: 'online' }, 'conversation:list': {}, 'visitors:unwatch': {} };
    expect([...Object.keys(payloads), ...Object.keys(own)].sort()).toEqual([...OPERATOR_EVENTS].sort());

    const before = snapshot(h.dbFile);
    for (const [event, payload] of Object.entries(payloads)) {
      const r = await callRaw(eve, event, payload);
      expect(r, event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(JSON.stringify(r), event).not.toContain('4242');
    }
    const list = await expectOk(call(eve, 'conversation:list', {}));
    expect(list.conversations).toEqual([]);
    await expectOk(call(eve, 'visitors:unwatch', {}));
    expect(snapshot(h.dbFile)).toEqual(before);
    expect(seen.filter((e) => e.includes(h.site.id) || e.includes(w.conversationId) || e.includes(w.visitorId))).toEqual([]);
  });

  it('cannot rename or add an account that works for another site, nor learn its name', async () => {
    const h = await startServer();
    const eve = await login(h, 'admin@other.test');
    const post = await fetch(`${h.url}/api/sites/${h.otherSite.id}/members`, { method: 'POST', headers: { cookie: eve, origin: h.url, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'op@shop.test', name: 'Whoever', role: 'operator' }) });
    const text = await post.text();
    expect(post.status).toBe(409);
    expect(text).not.toContain('Oleg');
    expect((await h.store.membershipsOf((await h.store.getAccountByEmail('op@shop.test'))!.id)).map((m) => m.siteId)).toEqual([h.site.id]);
    expect((await h.store.getAccountByEmail('op@shop.test'))!.name).toBe('Oleg');
    expect(PASSWORD).toBeTruthy();
  });
});

describe('the default Socket.IO namespace', () => {
  it('is closed', async () => {
    const h = await startServer();
    const s = connect(h.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    onCleanup(() => void s.disconnect());
    const err = await new Promise<Error & { data?: { code?: string } }>((res) => s.once('connect_error', res));
    expect(err.data?.code).toBe('NOT_FOUND');
    expect(s.connected).toBe(false);
  });
});
