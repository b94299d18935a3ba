/** Proactive engagement on a real server: journeys in, offers out, controls, outcomes, reasons. */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary, FunnelRow, JourneyEvent, OfferView, Rule, RuleInput, VisitorConversation, VisitorsPage } from '@beckon/protocol';
import { inHoldout } from '@beckon/rules';
import { fakeClock } from '../src/lib/clock';
import { call, callRaw, collect, expectOk, login, next, operator, sleep, startServer, visitorReady, type Harness, type VisitorSocket } from './harness';

async function api<T>(h: Harness, cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function addRule(h: Harness, r: Partial<RuleInput> & Pick<RuleInput, 'kind' | 'when'>): Promise<Rule> {
  const cookie = await login(h, 'admin@shop.test');
  const body: RuleInput = { name: r.name ?? `${r.kind} rule`, variants: [{ key: 'A', weight: 1, content: { text: { en: 'Need a hand with your order?', ru: 'Помочь с заказом?' }, code: 'SAVE10' } }], ...r };
  const res = await api<Rule>(h, cookie, 'POST', `/api/sites/${h.site.id}/rules`, body);
  expect(res.status).toBe(201);
  return res.body;
}

const page = (path: string, extra: Partial<Extract<JourneyEvent, { type: 'page' }>> = {}): JourneyEvent => ({ type: 'page', url: `http://shop.test${path}`, title: path, ...extra });
const context: JourneyEvent = { type: 'context', device: 'desktop', tzOffset: 0, lang: 'en-US', visible: true };
const send = (s: VisitorSocket, ...events: JourneyEvent[]) => expectOk(call(s, 'journey:batch', { events }));

/** A visitor tab: connects (optionally as a returning visitor) and reports its context. */
async function tab(h: Harness, token?: string) {
  const { socket, session } = await visitorReady(h, { token });
  await send(socket, context);
  return { socket, session, token: session.token };
}

async function setCapacity(h: Harness, email: string, capacity: number) {
  const cookie = await login(h, 'admin@shop.test');
  const members = await api<{ accountId: string; email: string }[]>(h, cookie, 'GET', `/api/sites/${h.site.id}/members`);
  const m = members.body.find((x) => x.email === email)!;
  expect((await api(h, cookie, 'PATCH', `/api/sites/${h.site.id}/members/${m.accountId}`, { capacity })).status).toBe(200);
}

describe('journey → offer', () => {
  it('a page view that matches a rule shows its offer in the visitor language; rules are validated', async () => {
    const h = await startServer();
    const cookie = await login(h, 'admin@shop.test');
    const bad = await api<{ error: { code: string; message: string } }>(h, cookie, 'POST', `/api/sites/${h.site.id}/rules`, { name: 'x', kind: 'coupon', when: { fact: 'cart.value', op: 'contains', value: 'a' }, variants: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const opCookie = await login(h, 'op@shop.test');
    expect((await api(h, opCookie, 'POST', `/api/sites/${h.site.id}/rules`, { name: 'x', kind: 'coupon', when: { all: [] }, variants: [{ key: 'A', weight: 1, content: {} }] })).status).toBe(403);
    // a coupon with only a name went live and showed a blank bar: an empty offer is refused, and says why
    const before = (await h.store.listRules(h.site.id)).length;
    const empty = await api<{ error: { code: string; message: string } }>(h, cookie, 'POST', `/api/sites/${h.site.id}/rules`, { name: 'Only a name', kind: 'coupon', when: { all: [] }, variants: [{ key: 'A', weight: 1, content: {} }] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    expect(empty.body.error.message).toContain('needs a title or a text');
    expect(empty.body.error.message).toContain('a coupon needs its code');
    const blankInvite = await api<{ error: { code: string; message: string } }>(h, cookie, 'POST', `/api/sites/${h.site.id}/rules`, { name: 'Blank', kind: 'invite', when: { all: [] }, variants: [{ key: 'A', weight: 1, content: { text: { en: '  ', ru: '' } } }] });
    expect(blankInvite.body.error.message).toContain('an invitation needs its text');
    expect((await h.store.listRules(h.site.id)).length).toBe(before);

    await addRule(h, { kind: 'coupon', when: { fact: 'page.path', op: 'starts_with', value: '/checkout' } });
    const { socket } = await tab(h);
    const shown = collect<OfferView>(socket, 'offer:show');
    await send(socket, page('/coffee'));
    await sleep(150);
    expect(shown).toEqual([]);
    const offer = next<OfferView>(socket, 'offer:show');
    await send(socket, page('/checkout'));
    const o = await offer;
    expect(o).toMatchObject({ kind: 'coupon', text: 'Need a hand with your order?', code: 'SAVE10' });
  });

  it('a time condition fires by itself, without further events (one timer, no polling by the browser)', async () => {
    const h = await startServer();
    await addRule(h, { kind: 'article', when: { all: [{ fact: 'page.seconds', op: 'gte', value: 1 }, { fact: 'page.path', op: 'eq', value: '/grinders' }] } });
    const { socket } = await tab(h);
    const started = Date.now();
    const offer = next<OfferView>(socket, 'offer:show');
    await send(socket, page('/grinders'));
    await offer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('controls', () => {
  it('a dismissal hides the offer in the visitor’s other tabs (the one it was dismissed in took it down itself), and the cooldown holds across page loads', async () => {
    const h = await startServer();
    await addRule(h, { kind: 'coupon', when: { fact: 'page.path', op: 'starts_with', value: '/' }, controls: { repeat: 'day', cooldownMinutes: 60 } });
    const a = await tab(h);
    const shown = next<OfferView>(a.socket, 'offer:show');
    await send(a.socket, page('/'));
    const o = await shown;
    // a second tab of the same visitor opened while the offer is up gets it too (same offer)
    const b = await tab(h, a.token);
    const hiddenA = next<{ id: string }>(a.socket, 'offer:hide');
    const toB = collect<{ id: string }>(b.socket, 'offer:hide');
    await expectOk(call(b.socket, 'offer:dismiss', { offerId: o.id }));
    expect((await hiddenA).id).toBe(o.id);
    // the tab it was dismissed in took the card down itself: no second frame for it
    await sleep(100);
    expect(toB).toEqual([]);
    // next page load: no offer comes back
    a.socket.disconnect();
    b.socket.disconnect();
    const c = await tab(h, a.token);
    const again = collect(c.socket, 'offer:show');
    await send(c.socket, page('/coffee'));
    await sleep(300);
    expect(again).toEqual([]);
    // and the reason is on record
    const holds = await h.store.holdsOf(a.session.visitorId, 10);
    expect(holds.map((x) => x.reason)).toContain('cooldown');
  });

  it('shows an offer in a visible tab only: a hidden tab gets nothing (held as tab_hidden), a visible tab gets it', async () => {
    const h = await startServer();
    await addRule(h, { kind: 'coupon', when: { fact: 'page.path', op: 'eq', value: '/sale' } });
    const { socket: hidden, session } = await visitorReady(h);
    await send(hidden, { ...context, visible: false } as JourneyEvent);
    const hiddenShown = collect<OfferView>(hidden, 'offer:show');
    await send(hidden, page('/sale'));
    await sleep(200);
    expect(hiddenShown).toEqual([]);
    expect((await h.store.holdsOf(session.visitorId, 5))[0]?.reason).toBe('tab_hidden');
    const { socket: visible } = await visitorReady(h, { token: session.token });
    const shown = next<OfferView>(visible, 'offer:show');
    await send(visible, context, page('/sale'));
    await shown;
    expect(hiddenShown).toEqual([]);
  });

  it('no invitation while every operator is at capacity; one when a slot frees; ten visitors and one slot get one', async () => {
    const h = await startServer();
    await setCapacity(h, 'op@shop.test', 1);
    await setCapacity(h, 'admin@shop.test', 1);
    const op = await operator(h, 'op@shop.test');
    await addRule(h, { kind: 'invite', when: { fact: 'page.path', op: 'eq', value: '/pricing' } });

    // Oleg is busy with one conversation: nobody can answer
    const busy = await tab(h);
    const assigned = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.status === 'active');
    await expectOk(call(busy.socket, 'message:send', { clientId: 'b1', body: 'hello' }));
    await assigned;

    const visitors = await Promise.all(Array.from({ length: 10 }, () => tab(h)));
    const shown = visitors.map((v) => collect<OfferView>(v.socket, 'offer:show'));
    await Promise.all(visitors.map((v) => send(v.socket, page('/pricing'))));
    await sleep(300);
    expect(shown.flat()).toEqual([]);
    const held = await h.store.holdsOf(visitors[0]!.session.visitorId, 5);
    expect(held[0]?.reason).toBe('no_free_operator');

    // the busy chat ends: exactly one of the ten is invited
    const conv = await expectOk(call(busy.socket, 'conversation:sync', { lastSeq: 0 }));
    await expectOk(call(op, 'conversation:close', { conversationId: (conv as unknown as { conversation: { id: string } }).conversation.id }));
    await sleep(600);
    expect(shown.flat().length).toBe(1);
    expect(shown.flat()[0]).toMatchObject({ kind: 'invite', operator: { name: 'Oleg' } });
  });

  it('accepting an invitation starts a conversation carrying the rule, variant and journey', async () => {
    const h = await startServer();
    const op = await operator(h, 'op@shop.test');
    const rule = await addRule(h, { kind: 'invite', when: { fact: 'cart.value', op: 'gte', value: 100 } });
    const v = await tab(h);
    const shown = next<OfferView>(v.socket, 'offer:show');
    await send(v.socket, page('/?utm_source=newsletter', { referrer: 'https://mail.example/' }), page('/coffee/ethiopia'), { type: 'cart', value: 120, currency: 'EUR', items: 2 });
    const offer = await shown;
    const upsert = next<ConversationSummary>(op, 'conversation:upsert', (c) => c.origin?.offerId === offer.id);
    const accepted = await expectOk(call(v.socket, 'offer:accept', { offerId: offer.id, how: 'chat' }));
    expect(accepted.conversation).toBeTruthy();
    const summary = await upsert;
    expect(summary.origin).toEqual({ offerId: offer.id, ruleId: rule.id, variant: 'A' });
    // the invitation's words open the conversation
    const history = await expectOk(call(op, 'conversation:history', { conversationId: summary.id, beforeSeq: 100 }));
    expect(history.messages[0]).toMatchObject({ sender: 'system', body: 'Need a hand with your order?' });
    const j = await expectOk(call(op, 'visitor:journey', { visitorId: v.session.visitorId }));
    expect(j.visitor).toMatchObject({ source: 'newsletter', cart: { value: 120 } });
    expect(j.entries.filter((e) => e.type === 'page').map((e) => e.data.url)).toEqual(['http://shop.test/?utm_source=newsletter', 'http://shop.test/coffee/ethiopia']);
  });
});

describe('outcomes', () => {
  it('a goal after acceptance is credited to the offer; a holdout visitor’s goal is recorded as holdout', async () => {
    const h = await startServer();
    const rule = await addRule(h, { kind: 'coupon', when: { fact: 'page.path', op: 'eq', value: '/checkout' }, controls: { holdoutPercent: 50 }, goal: { event: 'purchase', windowHours: 24 } });
    // find one visitor in the holdout and one not (the split is by visitor id)
    let treated: Awaited<ReturnType<typeof tab>> | null = null;
    let holdout: Awaited<ReturnType<typeof tab>> | null = null;
    for (let i = 0; i < 30 && !(treated && holdout); i++) {
      const t = await tab(h);
      if (inHoldout(t.session.visitorId, rule.id, 50)) holdout ??= t;
      else treated ??= t;
    }
    const offer = next<OfferView>(treated!.socket, 'offer:show');
    await send(treated!.socket, page('/checkout'));
    const o = await offer;
    await expectOk(call(treated!.socket, 'offer:accept', { offerId: o.id, how: 'copy' }));
    await send(treated!.socket, { type: 'track', name: 'purchase', props: { value: 42.5 } });

    const nothing = collect(holdout!.socket, 'offer:show');
    await send(holdout!.socket, page('/checkout'));
    await send(holdout!.socket, { type: 'track', name: 'purchase', props: { value: 10 } });
    await sleep(200);
    expect(nothing).toEqual([]);

    const cookie = await login(h, 'admin@shop.test');
    const f = await api<{ rows: FunnelRow[] }>(h, cookie, 'GET', `/api/sites/${h.site.id}/funnel`);
    expect(f.body.rows).toEqual([{ ruleId: rule.id, ruleName: rule.name, variant: 'A', shown: 1, dismissed: 0, accepted: 1, converted: 1, value: 42.5, holdout: 1, holdoutConverted: 1, holdoutValue: 10 }]);
    const holds = await h.store.holdsOf(holdout!.session.visitorId, 5);
    expect(new Set(holds.map((x) => x.reason))).toEqual(new Set(['holdout']));
  });

  it('a lead form submission lands in the inbox; bad forms are refused with a clear code', async () => {
    const h = await startServer();
    await addRule(h, { kind: 'lead_form', when: { fact: 'session.pages', op: 'gte', value: 2 } });
    const v = await tab(h);
    const shown = next<OfferView>(v.socket, 'offer:show');
    await send(v.socket, page('/'), page('/coffee'));
    const o = await shown;
    const bad = await call(v.socket, 'offer:lead', { offerId: o.id, name: 'Ann', email: 'nope', consent: true });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // (the schema wants consent: true; a page could send anything)
    const noConsent = await callRaw(v.socket, 'offer:lead', { offerId: o.id, name: 'Ann', email: 'ann@example.com', consent: false });
    expect(noConsent).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const hidden = next(v.socket, 'offer:hide');
    await expectOk(call(v.socket, 'offer:lead', { offerId: o.id, name: 'Ann', email: 'ann@example.com', phone: '', consent: true }));
    await hidden;
    const cookie = await login(h, 'op@shop.test');
    const inbox = await api<{ items: { kind: string; name: string; email: string; pageUrl: string }[] }>(h, cookie, 'GET', `/api/sites/${h.site.id}/inbox`);
    expect(inbox.body.items).toEqual([expect.objectContaining({ kind: 'lead', name: 'Ann', email: 'ann@example.com', pageUrl: 'http://shop.test/coffee' })]);
  });

  it('a callback request with nobody online lands in the inbox too, with the preferred time', async () => {
    const h = await startServer();
    await addRule(h, { kind: 'callback', when: { all: [{ fact: 'operators.available', op: 'eq', value: 0 }, { fact: 'page.path', op: 'eq', value: '/contact' }] } });
    const v = await tab(h);
    const shown = next<OfferView>(v.socket, 'offer:show');
    await send(v.socket, page('/contact'));
    const o = await shown;
    expect(o.kind).toBe('callback');
    expect(await call(v.socket, 'offer:callback', { offerId: o.id, phone: 'call me' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    await expectOk(call(v.socket, 'offer:callback', { offerId: o.id, phone: '+7 900 123-45-67', time: 'after 6 pm' }));
    const cookie = await login(h, 'op@shop.test');
    const inbox = await api<{ items: { kind: string; phone: string; preferredTime: string }[] }>(h, cookie, 'GET', `/api/sites/${h.site.id}/inbox`);
    expect(inbox.body.items).toEqual([expect.objectContaining({ kind: 'callback', phone: '+7 900 123-45-67', preferredTime: 'after 6 pm' })]);
    // an operator comes online: operators.available changes, and the rule no longer matches
    const op = await operator(h);
    await expectOk(call(op, 'operator:status', { status: 'online' }));
    await expect.poll(() => h.beckon.engage.liveVisitor(v.session.visitorId)?.matching).toEqual([]);
    expect(o.title).toBe('');
  });

  it('the live board stays one page of 50 and filters among 2,000 visitors', async () => {
    const h = await startServer();
    const e = h.beckon.engage;
    for (let i = 0; i < 2000; i++) {
      const id = `synthetic-visitor-${String(i).padStart(5, '0')}`;
      await h.store.touchVisitor({ id, siteId: h.site.id, lang: 'en', userAgent: null }, Date.now());
      await e.connect({ siteId: h.site.id, visitorId: id, socketId: `sock-${i}`, lang: 'en' });
      await e.journey(id, `sock-${i}`, false, [{ type: 'page', url: `http://shop.test/item/${i}`, title: `Item ${i}`, referrer: '', ago: 0 }]);
    }
    const started = performance.now();
    const all = await e.watch('w1', { siteId: h.site.id, filter: '', offset: 0 });
    const built = performance.now() - started;
    expect(all.total).toBe(2000);
    expect(all.visitors).toHaveLength(50);
    const one = await e.watch('w1', { siteId: h.site.id, filter: '/item/1234', offset: 0 });
    expect(one.visitors.map((v) => v.page?.title)).toEqual(['Item 1234']);
    const last = await e.watch('w1', { siteId: h.site.id, filter: '', offset: 1950 });
    expect(last.visitors).toHaveLength(50);
    e.unwatch('w1');
    console.log(`visitors board: a page of 50 out of 2,000 live visitors built in ${built.toFixed(1)} ms`);
  });

  it("another visitor's offer cannot be dismissed or accepted", async () => {
    const h = await startServer();
    await addRule(h, { kind: 'coupon', when: { fact: 'page.path', op: 'starts_with', value: '/' } });
    const a = await tab(h);
    const shown = next<OfferView>(a.socket, 'offer:show');
    await send(a.socket, page('/'));
    const o = await shown;
    const b = await tab(h);
    expect(await call(b.socket, 'offer:dismiss', { offerId: o.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call(b.socket, 'offer:accept', { offerId: o.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call(b.socket, 'journey:batch', { events: [{ type: 'page', url: 'x'.repeat(3000), title: '' }] })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('console', () => {
  it('the live visitors board pages and filters, explains held offers, and an operator can invite by hand', async () => {
    const h = await startServer();
    const op = await operator(h, 'op@shop.test');
    await addRule(h, { name: 'Coupon on checkout', kind: 'coupon', when: { fact: 'page.path', op: 'eq', value: '/checkout' }, controls: { schedule: 'business_hours' } });
    // a site that is never open: the rule is held for its hours
    const admin = await login(h, 'admin@shop.test');
    expect((await api(h, admin, 'PATCH', `/api/sites/${h.site.id}`, { hours: { timeZone: 'Europe/Moscow', days: [], from: '09:00', to: '18:00' } })).status).toBe(200);
    await expectOk(call(op, 'operator:status', { status: 'online' }));
    const vs = await Promise.all(Array.from({ length: 3 }, () => tab(h)));
    await send(vs[0]!.socket, page('/checkout'));
    await send(vs[1]!.socket, page('/coffee'));
    await send(vs[2]!.socket, page('/grinders'));
    const first = await expectOk(call(op, 'visitors:watch', { siteId: h.site.id, filter: '' }));
    expect(first.total).toBe(3);
    const filtered = await expectOk(call(op, 'visitors:watch', { siteId: h.site.id, filter: 'checkout' }));
    expect(filtered.visitors.map((v) => v.visitorId)).toEqual([vs[0]!.session.visitorId]);
    expect(filtered.visitors[0]!.held).toEqual([{ ruleName: 'Coupon on checkout', reason: 'outside_hours' }]);
    expect(filtered.visitors[0]!.matching).toEqual(['Coupon on checkout']);
    // batched updates arrive for the watched page
    const update = next<VisitorsPage>(op, 'visitors:page', (p) => p.visitors.some((v) => v.page?.url.endsWith('/checkout/pay')));
    await send(vs[0]!.socket, page('/checkout/pay'));
    await update;

    const invited = next<OfferView>(vs[1]!.socket, 'offer:show');
    await expectOk(call(op, 'visitor:invite', { visitorId: vs[1]!.session.visitorId, text: 'Hi! Looking for a light roast?' }));
    expect(await invited).toMatchObject({ kind: 'invite', text: 'Hi! Looking for a light roast?', operator: { name: 'Oleg' } });
    // a visitor of another site is not reachable
    const other = await startServer();
    expect(await call(op, 'visitors:watch', { siteId: other.site.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('offers going at their time', () => {
  const coupon = { name: 'Sale coupon', kind: 'coupon' as const, when: { fact: 'page.path' as const, op: 'starts_with' as const, value: '/sale' }, controls: { expiresSeconds: 20 } };

  it('goes by itself at its expiry, recorded as expired then, with no deadline row written for it', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    await addRule(h, coupon);
    const v = await tab(h);
    const hidden = collect<{ id: string; reason: string }>(v.socket, 'offer:hide');
    const shown = next<OfferView>(v.socket, 'offer:show');
    await send(v.socket, page('/sale'));
    const o = await shown;
    const shownAt = clock.now();
    // the offer carries its own due time: nothing else is stored for it (its row is written after the card goes out)
    await h.beckon.engage.quiet();
    expect((await h.store.getOffer(o.id))?.expiresAt).toBe(shownAt + 20_000);
    expect(await h.store.deadlines.list('offer_expiry')).toEqual([]);
    await clock.advance(19_000);
    await h.beckon.engage.quiet();
    await sleep(50);
    expect(hidden).toEqual([]);
    await clock.advance(1_000);
    await h.beckon.engage.quiet();
    await expect.poll(() => hidden).toEqual([{ id: o.id, reason: 'expired' }]);
    expect((await h.store.getOffer(o.id))?.expiredAt).toBe(shownAt + 20_000);
  });

  it('shown before a restart, it is recorded as expired after it, and a tab that came back loses the card', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    await addRule(h, coupon);
    const v = await tab(h);
    const shown = next<OfferView>(v.socket, 'offer:show');
    await send(v.socket, page('/sale'));
    const o = await shown;
    const gone = await tab(h);
    const shownToo = next<OfferView>(gone.socket, 'offer:show');
    await send(gone.socket, page('/sale'));
    const other = await shownToo;
    v.socket.disconnect();
    gone.socket.disconnect();
    await h.restart();
    // one visitor's tab is back (its page still shows the card); the other never comes back
    const back = await visitorReady(h, { token: v.token });
    const hide = next<{ id: string; reason: string }>(back.socket, 'offer:hide');
    await clock.advance(40_000);
    await h.beckon.scheduler.idle();
    expect(await hide).toEqual({ id: o.id, reason: 'expired' });
    await expect.poll(async () => (await h.store.getOffer(other.id))?.expiredAt ?? null).not.toBeNull();
    expect((await h.store.getOffer(o.id))?.expiredAt).not.toBeNull();
  });
});
