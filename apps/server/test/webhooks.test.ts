/**
 * Outgoing webhooks (issue 11 §4) against a real HTTP receiver on loopback: every event arrives
 * signed (and a wrong secret fails the check), a receiver that answers 500 gets the delivery
 * again later and exactly once after it succeeds, deliveries keep their order per conversation,
 * a restart between attempts loses nothing, private addresses are refused unless allowed, and
 * the console's delivery log and "redeliver" work. Time runs on a fake clock: retries an hour
 * apart take no real time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS, type DeliveryView, type EndpointView, type JourneyEvent, type OfferView, type RuleInput, type WebhookPayload } from '@beckon/protocol';
import { fakeClock, type FakeClock } from '../src/lib/clock';
import { checkWebhookUrl, guardedLookup } from '../src/integrations/addresses';
import { call, expectOk, login, next, onCleanup, operator, startServer, visitorReady, type Harness } from './harness';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: WebhookPayload;
  status: number;
}

/** A receiver on loopback; `answer` picks the status of the n-th request (1-based). */
async function receiver(answer: (n: number, r: Omit<Received, 'status'>) => number = () => 200) {
  const got: Received[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = { headers: req.headers, body, json: JSON.parse(body) as WebhookPayload };
      const status = answer(++n, r);
      got.push({ ...r, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/beckon`, got, delivered: () => got.filter((g) => g.status === 200) };
}

/** The README's verification snippet, as a receiver would write it. */
function verify(secret: string, header: string | undefined, rawBody: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!t || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return parts.v1?.length === expected.length && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
}

const cookies = new WeakMap<Harness, string>();
async function admin<T = unknown>(h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  let cookie = cookies.get(h);
  if (!cookie) cookies.set(h, (cookie = await login(h, 'admin@shop.test')));
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as T };
}

async function endpoint(h: Harness, url: string, events: readonly string[] = WEBHOOK_EVENTS) {
  const r = await admin<{ endpoint: EndpointView; secret: string }>(h, 'POST', `/api/sites/${h.site.id}/webhooks`, { url, events, description: 'CRM' });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json;
}

/** until every queued delivery has been tried (on the fake clock, nothing waits for real time) */
async function settle(h: Harness) {
  await h.beckon.chat.idle();
  await h.beckon.scheduler.idle();
  await h.beckon.webhooks.idle();
}
/** bounded: a few rounds of the event loop while sockets and HTTP finish */
async function until(h: Harness, cond: () => boolean, what: string | (() => string)) {
  for (let i = 0; i < 200 && !cond(); i++) {
    await settle(h);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(cond(), typeof what === 'string' ? what : what()).toBe(true);
}
async function pass(h: Harness, clock: FakeClock, ms: number) {
  await clock.advance(ms);
  await settle(h);
}

const page = (path: string): JourneyEvent => ({ type: 'page', url: `http://shop.test${path}`, title: path });
const context: JourneyEvent = { type: 'context', device: 'desktop', tzOffset: 0, lang: 'en-US', visible: true };

async function rule(h: Harness, r: Partial<RuleInput> & Pick<RuleInput, 'kind' | 'when'>) {
  const res = await admin<{ id: string }>(h, 'POST', `/api/sites/${h.site.id}/rules`, { name: `${r.kind} rule`, variants: [{ key: 'A', weight: 1, content: { text: { en: 'Hello there', ru: 'Здравствуйте' }, code: 'SAVE10' } }], ...r });
  expect(res.status).toBe(201);
  return res.json;
}

describe('webhooks', () => {
  it('every event reaches the receiver, signed with the endpoint secret; a wrong secret fails', async () => {
    // real time: offers wait for their moment on the clock
    const h = await startServer({ webhooks: { allowPrivate: true } });
    const rx = await receiver();
    const { secret } = await endpoint(h, rx.url);
    const oleg = await operator(h);
    const adaId = (await h.store.getAccountByEmail('admin@shop.test'))!.id;

    // a chat: started, visitor and operator messages, assigned, transferred, closed
    const { socket: v } = await visitorReady(h);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'v1', body: 'Is the grinder in stock?' }));
    const conversationId = sent.conversation.id;
    await until(h, () => rx.got.some((g) => g.json.type === 'conversation.assigned'), 'assigned to Oleg, the one online');
    // Ada comes online after: the transfer hands it over to her
    const ada = await operator(h, 'admin@shop.test');
    await expectOk(call(oleg, 'message:send', { conversationId, clientId: 'o1', body: 'It is.' }));
    await expectOk(call(oleg, 'conversation:transfer', { conversationId, operatorId: adaId, note: 'billing question' }));
    await expectOk(call(ada, 'conversation:close', { conversationId }));
    // the visitor rates it "worse": a follow-up, which a supervisor resolves
    await expectOk(call(v, 'conversation:rate', { conversationId, verdict: 'worse', comment: 'slow' }));
    const followUp = (await h.store.quality.followUpOf(conversationId))!;
    expect((await admin(h, 'PATCH', `/api/follow-ups/${followUp.id}`, { status: 'resolved', outcome: 'recovered' })).status).toBe(200);

    // offers: shown and accepted with its goal reached; a lead form; a manual invitation dismissed
    await rule(h, { kind: 'coupon', when: { fact: 'page.path', op: 'eq', value: '/checkout' }, goal: { event: 'purchase', windowHours: 24 } });
    await rule(h, { kind: 'lead_form', when: { fact: 'page.path', op: 'eq', value: '/contact' } });
    const buyer = await visitorReady(h);
    const coupon = next<OfferView>(buyer.socket, 'offer:show');
    await expectOk(call(buyer.socket, 'journey:batch', { events: [context, page('/checkout')] }));
    await expectOk(call(buyer.socket, 'offer:accept', { offerId: (await coupon).id, how: 'copy' }));
    await expectOk(call(buyer.socket, 'journey:batch', { events: [{ type: 'track', name: 'purchase', props: { value: 49 } }] }));
    const browser = await visitorReady(h);
    await expectOk(call(browser.socket, 'journey:batch', { events: [context] }));
    const lead = next<OfferView>(browser.socket, 'offer:show', (o) => o.kind === 'lead_form');
    await expectOk(call(browser.socket, 'journey:batch', { events: [page('/contact')] }));
    await expectOk(call(browser.socket, 'offer:lead', { offerId: (await lead).id, name: 'Vera', email: 'vera@example.com', phone: '', consent: true }));
    const invite = next<OfferView>(browser.socket, 'offer:show');
    await expectOk(call(oleg, 'visitor:invite', { visitorId: browser.session.visitorId, text: 'Can I help?' }));
    await expectOk(call(browser.socket, 'offer:dismiss', { offerId: (await invite).id }));
    // the inbox: a callback request and an offline message
    await expectOk(call(browser.socket, 'offer:callback', { offerId: null, phone: '+371 2000 0000', time: 'after 5', name: 'Vera' }));
    await expectOk(call(browser.socket, 'inbox:message', { name: 'Vera', email: 'vera@example.com', body: 'Call me about wholesale' }));

    const missing = () => WEBHOOK_EVENTS.filter((t) => !rx.got.some((g) => g.json.type === t));
    await until(h, () => missing().length === 0, () => `missing: ${missing().join(', ')}`);
    expect(new Set(rx.got.map((g) => g.json.type))).toEqual(new Set(WEBHOOK_EVENTS));
    const nowS = Math.floor(Date.now() / 1000);
    for (const g of rx.got) {
      expect(g.headers['beckon-event']).toBe(g.json.type);
      expect(g.headers['beckon-event-id']).toBe(g.json.id);
      expect(g.json.siteId).toBe(h.site.id);
      expect(verify(secret, g.headers['beckon-signature'] as string, g.body, nowS), g.json.type).toBe(true);
      expect(verify(secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), g.headers['beckon-signature'] as string, g.body, nowS)).toBe(false);
      // a body changed on the way fails too
      expect(verify(secret, g.headers['beckon-signature'] as string, g.body.replace('"data"', '"date"'), nowS)).toBe(false);
    }
    const of = (type: string) => rx.got.find((g) => g.json.type === type)!.json.data as Record<string, any>;
    expect(of('message.visitor')).toMatchObject({ conversation: { id: conversationId }, message: { body: 'Is the grinder in stock?', sender: 'visitor' } });
    expect(of('conversation.transferred')).toMatchObject({ conversation: { id: conversationId, assigneeId: adaId }, note: 'billing question' });
    expect(of('conversation.closed')).toMatchObject({ conversation: { id: conversationId, status: 'closed', closedReason: 'operator' } });
    expect(of('goal.reached')).toMatchObject({ goal: 'purchase', value: 49, offer: { kind: 'coupon' } });
    expect(of('lead.created')).toMatchObject({ item: { kind: 'lead', name: 'Vera', email: 'vera@example.com' } });
    expect(of('offline_message.created')).toMatchObject({ item: { body: 'Call me about wholesale' } });
    // the conversation's events came in the order they happened
    const chat = rx.got.filter((g) => (g.json.data as any).conversation?.id === conversationId).map((g) => g.json.type);
    expect(chat.indexOf('conversation.started')).toBe(0);
    expect(chat.indexOf('message.visitor')).toBeLessThan(chat.indexOf('message.operator'));
    expect(chat.indexOf('conversation.transferred')).toBeLessThan(chat.indexOf('conversation.closed'));
    expect(chat.slice(-1)).toEqual(['conversation.closed']);
    expect(rx.got.filter((g) => (g.json.data as any).conversationId === conversationId || (g.json.data as any).followUp?.conversationId === conversationId).map((g) => g.json.type)).toEqual(['rating.submitted', 'follow_up.opened', 'follow_up.resolved']);
    expect(of('rating.submitted')).toMatchObject({ conversationId, rating: { verdict: 'worse', comment: 'slow' } });
    expect(of('follow_up.resolved')).toMatchObject({ followUp: { conversationId, outcome: 'recovered' } });
  });

  it('only subscribed events are sent; a site with no endpoint stores nothing', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock, webhooks: { allowPrivate: true } });
    const { socket: v } = await visitorReady(h);
    await expectOk(call(v, 'message:send', { clientId: 'a', body: 'nobody listens' }));
    await settle(h);
    expect(await h.store.integrations.listEndpoints()).toEqual([]);
    const rx = await receiver();
    const e = await endpoint(h, rx.url, ['conversation.closed']);
    await expectOk(call(v, 'message:send', { clientId: 'b', body: 'still nobody' }));
    await settle(h);
    expect(await h.store.integrations.listDeliveries(e.endpoint.id, null, 10)).toEqual([]);
    expect(rx.got).toEqual([]);
  });

  it('a receiver that answers 500 gets it again later, exactly once after it succeeds, and later events of the conversation wait in order', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock, webhooks: { allowPrivate: true } });
    // the first two attempts fail
    const rx = await receiver((n) => (n <= 2 ? 500 : 200));
    const e = await endpoint(h, rx.url, ['message.visitor']);
    const { socket: v } = await visitorReady(h);
    for (let i = 1; i <= 5; i++) await expectOk(call(v, 'message:send', { clientId: `m${i}`, body: `message ${i}` }));
    await until(h, () => rx.got.length === 1, 'the first attempt');
    // the others wait behind the failed first one: nothing more until its retry falls due
    await settle(h);
    expect(rx.got.map((g) => g.status)).toEqual([500]);
    const log = await admin<{ items: DeliveryView[] }>(h, 'GET', `/api/sites/${h.site.id}/webhooks/${e.endpoint.id}/deliveries`);
    const first = log.json.items.find((d) => d.attempts === 1)!;
    expect(first).toMatchObject({ status: 'pending', lastStatus: 500, lastError: expect.stringContaining('500') });
    expect(first.nextAt! - clock.now()).toBeGreaterThanOrEqual(5_000);
    expect(first.nextAt! - clock.now()).toBeLessThanOrEqual(10_000);

    await pass(h, clock, 10_000);
    await until(h, () => rx.got.length >= 2, 'the first retry');
    await pass(h, clock, 20_000);
    await until(h, () => rx.delivered().length === 5, 'all five delivered');
    const bodies = rx.delivered().map((g) => (g.json.data as { message: { body: string } }).message.body);
    expect(bodies).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    // nothing is sent again once received, however long we wait
    await pass(h, clock, 86_400_000);
    expect(rx.got.map((g) => g.status)).toEqual([500, 500, 200, 200, 200, 200, 200]);
    expect(new Set(rx.delivered().map((g) => g.headers['beckon-delivery'])).size).toBe(5);
    const after = await admin<{ items: DeliveryView[]; }>(h, 'GET', `/api/sites/${h.site.id}/webhooks/${e.endpoint.id}/deliveries`);
    expect(after.json.items.map((d) => [d.status, d.attempts])).toEqual([['delivered', 1], ['delivered', 1], ['delivered', 1], ['delivered', 1], ['delivered', 3]]);
  });

  it('a receiver that hangs holds at most two attempts at once; other endpoints keep getting theirs', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock, webhooks: { allowPrivate: true, timeoutMs: 60_000 } });
    let open = 0;
    let most = 0;
    const held: http.ServerResponse[] = [];
    const slow = http.createServer((req, res) => {
      open++;
      most = Math.max(most, open);
      req.resume();
      held.push(res);
      res.on('close', () => open--);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => (held.forEach((x) => x.destroy()), slow.close(() => r()))));
    const fast = await receiver();
    await endpoint(h, `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, ['conversation.started']);
    await endpoint(h, fast.url, ['conversation.started']);
    for (let i = 0; i < 10; i++) {
      const { socket } = await visitorReady(h);
      await expectOk(call(socket, 'message:send', { clientId: `s${i}`, body: `visitor ${i}` }));
    }
    // (not `until`: that waits for every attempt, and two never end)
    for (let i = 0; i < 250 && fast.delivered().length < 10; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fast.delivered().length).toBe(10);
    expect(most).toBeLessThanOrEqual(2);
    expect(open).toBe(2);
  });

  it('a delivery queued before a restart is delivered after it', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock, webhooks: { allowPrivate: true } });
    let up = false;
    const rx = await receiver(() => (up ? 200 : 503));
    await endpoint(h, rx.url, ['message.visitor', 'conversation.started']);
    const { socket: v } = await visitorReady(h);
    await expectOk(call(v, 'message:send', { clientId: 'r1', body: 'before the deploy' }));
    await until(h, () => rx.got.length >= 1, 'a failed attempt');
    await h.restart();
    up = true;
    await pass(h, clock, 3_600_000);
    await until(h, () => rx.delivered().length === 2, 'both delivered after the restart');
    expect(rx.delivered().map((g) => g.json.type)).toEqual(['conversation.started', 'message.visitor']);
  });

  it('gives up after a day, and says so in the delivery log; redeliver sends the same event again', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock, webhooks: { allowPrivate: true } });
    let up = false;
    const rx = await receiver(() => (up ? 200 : 500));
    const e = await endpoint(h, rx.url, ['message.visitor']);
    const { socket: v } = await visitorReady(h);
    await expectOk(call(v, 'message:send', { clientId: 'g1', body: 'lost cause' }));
    await until(h, () => rx.got.length === 1, 'first attempt');
    for (let i = 0; i < 40; i++) await pass(h, clock, 3_600_000);
    const attempts = rx.got.length;
    // about every hour once the backoff reaches its ceiling, for a day; then no more
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(60);
    const row = (await h.store.integrations.listDeliveries(e.endpoint.id, null, 5))[0]!;
    expect(row.finishedAt! - row.createdAt).toBeGreaterThan(22 * 3_600_000);
    expect(row.finishedAt! - row.createdAt).toBeLessThanOrEqual(24 * 3_600_000);
    await pass(h, clock, 10 * 3_600_000);
    expect(rx.got.length).toBe(attempts);
    const log = await admin<{ items: DeliveryView[] }>(h, 'GET', `/api/sites/${h.site.id}/webhooks/${e.endpoint.id}/deliveries`);
    expect(log.json.items).toEqual([expect.objectContaining({ status: 'failed', attempts, lastStatus: 500, nextAt: null })]);
    const list = await admin<{ endpoints: EndpointView[] }>(h, 'GET', `/api/sites/${h.site.id}/webhooks`);
    expect(list.json.endpoints[0]).toMatchObject({ failed: 1, pending: 0, last: { ok: false, status: 500 } });

    up = true;
    const again = await admin<{ deliveryId: string }>(h, 'POST', `/api/sites/${h.site.id}/webhooks/${e.endpoint.id}/deliveries/${log.json.items[0]!.id}/redeliver`);
    expect(again.status).toBe(200);
    await until(h, () => rx.delivered().length === 1, 'redelivered');
    expect(rx.delivered()[0]!.json.id).toBe(rx.got[0]!.json.id);
    expect(rx.delivered()[0]!.headers['beckon-delivery']).toBe(again.json.deliveryId);
    // and a test ping
    const ping = await admin<{ deliveryId: string }>(h, 'POST', `/api/sites/${h.site.id}/webhooks/${e.endpoint.id}/test`);
    await until(h, () => rx.delivered().some((g) => g.json.type === 'ping'), 'ping');
    expect(rx.delivered().find((g) => g.json.type === 'ping')!.headers['beckon-delivery']).toBe(ping.json.deliveryId);
  });

  it('refuses private and loopback addresses unless the installation allows them', async () => {
    const h = await startServer();
    for (const url of ['http://127.0.0.1:9/x', 'http://localhost/x', 'http://10.1.2.3/', 'http://192.168.1.1/', 'http://172.20.0.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/', 'http://100.64.0.1/']) {
      const r = await admin<{ error: { code: string } }>(h, 'POST', `/api/sites/${h.site.id}/webhooks`, { url, events: ['lead.created'] });
      expect(r.status, url).toBe(400);
      expect(r.json.error.code, url).toBe('URL_NOT_ALLOWED');
    }
    for (const url of ['ftp://example.com/', 'javascript:alert(1)', 'http://user:pw@example.com/']) {
      const r = await admin<{ error: { code: string } }>(h, 'POST', `/api/sites/${h.site.id}/webhooks`, { url, events: ['lead.created'] });
      expect(r.status, url).toBe(400);
    }
    expect(checkWebhookUrl('https://hooks.example.com/beckon', false).hostname).toBe('hooks.example.com');
    expect(checkWebhookUrl('http://93.184.216.34/', false).hostname).toBe('93.184.216.34');
    expect(checkWebhookUrl('http://127.0.0.1:9/x', true).port).toBe('9');
    // a name that resolves to a private address is caught when connecting (DNS answers can change)
    const refused = await new Promise<NodeJS.ErrnoException | null>((r) => guardedLookup(false)('localhost', {}, (err) => r(err)));
    expect(refused?.code).toBe('EPRIVATE');
    const allowed = await new Promise<string>((r) => guardedLookup(true)('localhost', {}, (_e, address) => r(address as string)));
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
    // only admins manage endpoints
    const cookie = await login(h, 'op@shop.test');
    const res = await fetch(`${h.url}/api/sites/${h.site.id}/webhooks`, { headers: { cookie } });
    expect(res.status).toBe(403);
  });
});
