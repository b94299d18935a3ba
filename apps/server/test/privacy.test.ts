/** Privacy (issue 8 §8): export and erase everything about one visitor; retention per site, per kind of data. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '@beckon/protocol';
import { call, expectOk, login, operator, startServer, visitorReady, type Harness } from './harness';

/** every table and text column where a string occurs */
function whereIs(file: string, needle: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const found: string[] = [];
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'").all() as { name: string }[];
    for (const { name } of tables) {
      const cols = db.prepare(`pragma table_info("${name}")`).all() as { name: string }[];
      for (const c of cols) {
        const n = (db.prepare(`select count(*) as n from "${name}" where cast("${c.name}" as text) like ?`).get(`%${needle}%`) as { n: number }).n;
        if (n) found.push(`${name}.${c.name}`);
      }
    }
    return found;
  } finally {
    db.close();
  }
}

const api = async (h: Harness, cookie: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.json().catch(() => null) };
};

describe('one visitor’s data', () => {
  it('an admin exports everything about a visitor as JSON, then erases it: nothing of them is left in any table', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v, session } = await visitorReady(h);
    const id = session.visitorId;
    // a visitor with a bit of everything: identity, journey, a conversation with a note and routing, an inbox item, a block
    await expectOk(call(v, 'journey:batch', { events: [{ type: 'page', url: 'https://shop.test/secret-page-7731', title: 'Secret page', referrer: '' }] }));
    await expectOk(call(v, 'message:send', { clientId: 'pii-1', body: 'I am Zelda Quixote, card 4242' }));
    await expectOk(call(v, 'inbox:message', { name: 'Zelda Quixote', email: 'zelda@example.com', body: 'please call me' }));
    await h.beckon.chat.idle();
    const conv = (await h.store.latestConversationOf(id))!;
    await expectOk(call(op, 'note:add', { conversationId: conv.id, body: 'Zelda is a regular' }));
    await expectOk(call(op, 'conversation:close', { conversationId: conv.id }));
    await h.beckon.chat.idle();
    const admin = await login(h, 'admin@shop.test');

    const exp = await api(h, admin, 'GET', `/api/sites/${h.site.id}/visitors/${id}/export`);
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-disposition')).toContain('attachment');
    expect(exp.body.data.messages.map((m: { body: string }) => m.body)).toContain('I am Zelda Quixote, card 4242');
    expect(exp.body.data.inbox_items[0].email).toBe('zelda@example.com');
    expect(exp.body.data.journey_events.length).toBeGreaterThan(0);
    expect(exp.body.data.notes[0].body).toBe('Zelda is a regular');
    // operators may not export or erase
    const opCookie = await login(h, 'op@shop.test');
    expect((await api(h, opCookie, 'GET', `/api/sites/${h.site.id}/visitors/${id}/export`)).status).toBe(403);

    expect(whereIs(h.dbFile, id).length).toBeGreaterThan(3);
    const gone = new Promise((r) => v.once('disconnect', r));
    expect((await api(h, admin, 'DELETE', `/api/sites/${h.site.id}/visitors/${id}`)).status).toBe(200);
    await gone;
    await h.beckon.chat.idle();
    // needles are text no timestamp can hold: a bare "4242" also matches a created_at in milliseconds
    for (const needle of [id, conv.id, 'Zelda', 'zelda@example.com', 'secret-page-7731', 'card 4242']) expect(whereIs(h.dbFile, needle), needle).toEqual([]);
    expect(h.beckon.engage.liveVisitor(id)).toBeNull();
    expect((await api(h, admin, 'GET', `/api/sites/${h.site.id}/visitors/${id}/export`)).status).toBe(404);
  });
});

describe('retention', () => {
  it('each kind of data goes after its own number of days; "keep forever" keeps it; open conversations stay', async () => {
    const h = await startServer();
    const day = 86_400_000;
    const now = Date.now();
    const old = now - 40 * day;
    const s = h.store;
    const mk = async (name: string, seen: number) => s.touchVisitor({ id: `retention-${name}-0000000`, siteId: h.site.id, lang: 'en', userAgent: null }, seen);
    const oldVisitor = await mk('old', old);
    const openVisitor = await mk('open', old);
    const fresh = await mk('fresh', now);
    const closed = await s.createConversation({ siteId: h.site.id, visitorId: fresh.id, previousId: null }, old);
    await s.appendMessage({ conversationId: closed.id, clientId: 'c', sender: 'visitor', senderId: fresh.id, authorName: null, body: 'old chat', now: old });
    await s.closeConversation(closed.id, 'operator', old);
    const open = await s.createConversation({ siteId: h.site.id, visitorId: openVisitor.id, previousId: null }, old);
    await s.addJourneyEvents([{ siteId: h.site.id, visitorId: fresh.id, type: 'page', data: { url: 'x' }, at: old }]);
    const item = await s.createInboxItem({ siteId: h.site.id, visitorId: fresh.id, kind: 'message', name: 'n', email: '', phone: '', preferredTime: '', body: 'b', offerId: null, pageUrl: '' }, old);
    await s.updateInboxItem(item.id, { status: 'resolved', resolvedAt: old });

    // defaults: only the journey (180 days) has a limit; 40 days old: everything stays
    await h.beckon.applyRetention();
    expect(await s.getConversation(closed.id)).not.toBeNull();
    expect(await s.journeyOf(fresh.id, 10)).toHaveLength(1);

    const admin = await login(h, 'admin@shop.test');
    const r = await api(h, admin, 'PATCH', `/api/sites/${h.site.id}`, { retention: { conversationsDays: 30, journeyDays: 30, visitorsDays: 30, inboxDays: 30 } });
    expect(r.status).toBe(200);
    expect(r.body.retention).toEqual({ conversationsDays: 30, journeyDays: 30, visitorsDays: 30, inboxDays: 30 });
    await h.beckon.applyRetention();
    expect(await s.getConversation(closed.id)).toBeNull();
    expect(await s.messagesAfter(closed.id, 0, 10)).toEqual([]);
    expect(await s.journeyOf(fresh.id, 10)).toEqual([]);
    expect(await s.getInboxItem(item.id)).toBeNull();
    expect(await s.getVisitor(oldVisitor.id)).toBeNull();
    // seen long ago but in an open conversation: kept
    expect(await s.getVisitor(openVisitor.id)).not.toBeNull();
    expect(await s.getConversation(open.id)).not.toBeNull();
    expect(await s.getVisitor(fresh.id)).not.toBeNull();
    // bad input is refused with a clear code
    expect((await api(h, admin, 'PATCH', `/api/sites/${h.site.id}`, { retention: { journeyDays: 0 } })).status).toBe(400);
  });
});
