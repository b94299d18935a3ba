/**
 * The service loop on a real server (issue 10 §1–2): a visitor rates an ended chat (and may
 * change it for a while, not after); "worse" or an NPS detractor opens a follow-up for
 * supervisors, who assign it, add notes and resolve it with an outcome; the operator sees the
 * rating; integrations hear of it.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary, FollowUpView, Metrics, SiteView } from '@beckon/protocol';
import { fakeClock } from '../src/lib/clock';
import { call, callRaw, expectOk, login, next, operator, startServer, visitorReady, type Harness } from './harness';

/** signed in once per server and person (sign-ins are rate-limited) */
const cookies = new Map<string, string>();
async function rest<T = unknown>(h: Harness, who: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const key = `${h.url} ${who}`;
  let cookie = cookies.get(key);
  if (!cookie) cookies.set(key, (cookie = await login(h, who)));
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as T };
}

/** a chat the operator answered and closed */
async function endedChat(h: Harness) {
  const op = await operator(h);
  const { socket: v, session } = await visitorReady(h);
  const sent = await expectOk(call(v, 'message:send', { clientId: 'q1', body: 'My order is late' }));
  await h.beckon.chat.idle();
  const conversationId = sent.conversation.id;
  await expectOk(call(op, 'message:send', { conversationId, clientId: 'a1', body: 'Sorry, checking' }));
  const update = next<{ status: string; rateUntil: number | null }>(v, 'conversation:update', (c) => c.status === 'closed');
  await expectOk(call(op, 'conversation:close', { conversationId }));
  const closed = await update;
  return { op, v, session, conversationId, closed };
}

describe('the rating', () => {
  it('is asked once the chat ends; "worse" opens a follow-up the supervisor works to an outcome', async () => {
    const h = await startServer();
    const { op, v, conversationId, closed } = await endedChat(h);
    expect(closed.rateUntil).toBeGreaterThan(Date.now());
    const seen = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.id === conversationId && c.rating !== null);
    const r = await expectOk(call(v, 'conversation:rate', { conversationId, verdict: 'worse', comment: 'Took ages' }));
    expect(r.rating).toMatchObject({ verdict: 'worse', comment: 'Took ages', nps: null });
    // the operator sees it in the chat
    expect((await seen).rating).toMatchObject({ verdict: 'worse', comment: 'Took ages' });

    const list = await rest<{ items: FollowUpView[]; open: number }>(h, 'admin@shop.test', 'GET', `/api/sites/${h.site.id}/follow-ups`);
    expect(list.json.open).toBe(1);
    const f = list.json.items[0]!;
    expect(f).toMatchObject({ conversationId, reason: 'worse', status: 'open', operatorName: 'Oleg', rating: { verdict: 'worse', comment: 'Took ages' } });
    // operators do not see follow-ups
    expect((await rest(h, 'op@shop.test', 'GET', `/api/sites/${h.site.id}/follow-ups`)).status).toBe(403);
    // the transcript comes with it
    const detail = await rest<{ messages: { body: string }[] }>(h, 'admin@shop.test', 'GET', `/api/follow-ups/${f.id}`);
    expect(detail.json.messages.map((m) => m.body)).toEqual(['My order is late', 'Sorry, checking']);

    expect((await rest(h, 'admin@shop.test', 'PATCH', `/api/follow-ups/${f.id}`, { assignee: 'me' })).json).toMatchObject({ assigneeName: 'Ada' });
    // only to a supervisor or admin of the site
    const oleg = (await h.store.getAccountByEmail('op@shop.test'))!.id;
    expect((await rest(h, 'admin@shop.test', 'PATCH', `/api/follow-ups/${f.id}`, { assignee: oleg })).status).toBe(400);
    expect((await rest(h, 'admin@shop.test', 'POST', `/api/follow-ups/${f.id}/notes`, { body: 'Called her; sent a voucher' })).json).toMatchObject({ notes: [{ authorName: 'Ada', body: 'Called her; sent a voucher' }] });
    // resolving needs an outcome
    expect((await rest(h, 'admin@shop.test', 'PATCH', `/api/follow-ups/${f.id}`, { status: 'resolved' })).status).toBe(400);
    const done = await rest<FollowUpView>(h, 'admin@shop.test', 'PATCH', `/api/follow-ups/${f.id}`, { status: 'resolved', outcome: 'recovered' });
    expect(done.json).toMatchObject({ status: 'resolved', outcome: 'recovered', resolvedAt: expect.any(Number) });
    expect((await rest<{ open: number }>(h, 'admin@shop.test', 'GET', `/api/sites/${h.site.id}/follow-ups`)).json.open).toBe(0);

    // and the dashboard counts it
    const m = await rest<Metrics>(h, 'admin@shop.test', 'GET', `/api/sites/${h.site.id}/metrics?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`);
    expect(m.json).toMatchObject({ conversations: 1, answered: 1, ratings: { worse: 1, rated: 1 }, followUps: { opened: 1, resolved: 1, recovered: 1 } });
  });

  it('may be changed until the site’s limit, not after; only an ended chat of one’s own can be rated', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const { v, conversationId } = await endedChat(h);
    await expectOk(call(v, 'conversation:rate', { conversationId, verdict: 'as' }));
    await clock.advance(23 * 3_600_000);
    const changed = await expectOk(call(v, 'conversation:rate', { conversationId, verdict: 'better', comment: 'They fixed it' }));
    expect(changed.rating).toMatchObject({ verdict: 'better', comment: 'They fixed it' });
    expect(await h.store.quality.getRating(conversationId)).toMatchObject({ verdict: 'better' });
    await clock.advance(2 * 3_600_000);
    expect(await call(v, 'conversation:rate', { conversationId, verdict: 'worse' })).toMatchObject({ ok: false, error: { code: 'RATING_CLOSED' } });
    expect(await h.store.quality.getRating(conversationId)).toMatchObject({ verdict: 'better' });
    // nobody else's, and nothing ongoing
    const other = await visitorReady(h);
    expect(await call(other.socket, 'conversation:rate', { conversationId, verdict: 'worse' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const open = await expectOk(call(other.socket, 'message:send', { clientId: 'x', body: 'still here' }));
    expect(await call(other.socket, 'conversation:rate', { conversationId: open.conversation.id, verdict: 'better' })).toMatchObject({ ok: false, error: { code: 'RATING_CLOSED' } });
    expect(await callRaw(other.socket, 'conversation:rate', { conversationId, verdict: 'meh' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // "as", then "better": nothing to put right, so no follow-up
    expect(await h.store.quality.followUpOf(conversationId)).toBeNull();
  });

  it('asks the NPS question when the site turns it on; a detractor opens a follow-up, a promoter does not', async () => {
    const h = await startServer();
    const on = await rest<SiteView>(h, 'admin@shop.test', 'PATCH', `/api/sites/${h.site.id}`, { quality: { nps: true } });
    expect(on.json.quality.nps).toBe(true);
    const a = await endedChat(h);
    const s = await visitorReady(h, { token: a.session.token });
    expect(s.session.site.nps).toBe(true);
    await expectOk(call(a.v, 'conversation:rate', { conversationId: a.conversationId, verdict: 'as', nps: 4 }));
    expect(await h.store.quality.followUpOf(a.conversationId)).toMatchObject({ reason: 'detractor' });
    const b = await endedChat(h);
    await expectOk(call(b.v, 'conversation:rate', { conversationId: b.conversationId, verdict: 'better', nps: 10 }));
    expect(await h.store.quality.followUpOf(b.conversationId)).toBeNull();
    // without the setting, an NPS is not kept
    await rest(h, 'admin@shop.test', 'PATCH', `/api/sites/${h.site.id}`, { quality: { nps: false } });
    const c = await endedChat(h);
    await expectOk(call(c.v, 'conversation:rate', { conversationId: c.conversationId, verdict: 'better', nps: 2 }));
    expect(await h.store.quality.getRating(c.conversationId)).toMatchObject({ nps: null });
  });
});
