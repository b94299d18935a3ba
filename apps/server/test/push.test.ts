/**
 * Web push as a push service sees it: a local stub on loopback checks each request's VAPID
 * signature (ES256 over the claims, by the key the console was given) and decrypts the payload
 * with the "browser's" keys (RFC 8291, aes128gcm) — the one part that cannot run here is the
 * real push service.
 */
import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, verify } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { PushPayload } from '@beckon/protocol';
import { fakeClock } from '../src/index';
import { call, expectOk, login, onCleanup, startServer, operator, visitorReady } from './harness';

const b64u = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** A browser's push keys: what PushManager.subscribe() makes. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, auth: randomBytes(16) };
}

/** RFC 8291: what the service worker's push event would read. */
function decrypt(body: Buffer, keys: ReturnType<typeof browserKeys>): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const uaPublic = keys.ecdh.getPublicKey();
  const secret = keys.ecdh.computeSecret(asPublic);
  const prkKey = hmac(keys.auth, secret);
  const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  expect(plain[end]).toBe(2); // the last record's delimiter
  return plain.subarray(0, end).toString('utf8');
}

/** The VAPID check a push service makes: ES256 over header.claims, by the key in k=, for our origin. */
function checkVapid(authorization: string, audience: string): string {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
  expect(m, authorization).not.toBeNull();
  const [, jwt, k] = m!;
  const [h, c, sig] = jwt!.split('.');
  expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256' });
  const claims = JSON.parse(Buffer.from(c!, 'base64url').toString()) as { aud: string; exp: number; sub: string };
  expect(claims.aud).toBe(audience);
  expect(claims.exp * 1000).toBeGreaterThan(Date.now());
  expect(claims.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
  expect(claims.sub).toMatch(/^(mailto:|https:)/);
  const raw = Buffer.from(k!, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) }, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url'))).toBe(true);
  return k!;
}

async function pushService() {
  const app = Fastify();
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, b, done) => done(null, b));
  const got: { box: string; auth: string; encoding: string; ttl: string; urgency: string; body: Buffer }[] = [];
  const waiters: (() => void)[] = [];
  const gone = new Set<string>();
  app.post('/push/:box', async (req, reply) => {
    const { box } = req.params as { box: string };
    if (gone.has(box)) return reply.status(410).send();
    got.push({ box, auth: String(req.headers.authorization), encoding: String(req.headers['content-encoding']), ttl: String(req.headers.ttl), urgency: String(req.headers.urgency), body: req.body as Buffer });
    waiters.splice(0).forEach((w) => w());
    return reply.status(201).send();
  });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  onCleanup(() => app.close());
  /** the next request at or after index n (bounded: 5 s) */
  const nth = async (n: number) => {
    const until = Date.now() + 5000;
    while (got.length <= n) {
      if (Date.now() > until) throw new Error(`no push #${n + 1} within 5 s (got ${got.length})`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return got[n]!;
  };
  return { origin, got, nth, gone };
}

describe('web push', () => {
  it('a subscribed operator is pushed "a chat for you" and the visitor\'s messages, signed and encrypted as the protocol says; each kind can be switched off', async () => {
    const h = await startServer({ publicUrl: 'https://chat.shop.example' });
    const ps = await pushService();
    const cookie = await login(h, 'op@shop.test');
    const headers = { cookie, origin: h.url, 'content-type': 'application/json' };
    const info = (await (await fetch(`${h.url}/api/push`, { headers: { cookie } })).json()) as { publicKey: string; prefs: Record<string, boolean> };
    expect(info.prefs).toEqual({ newChat: true, myMessage: true, waiting: true, inbox: true });
    const keys = browserKeys();
    const sub = { endpoint: `${ps.origin}/push/phone`, keys: { p256dh: b64u(keys.ecdh.getPublicKey()), auth: b64u(keys.auth) } };
    expect((await fetch(`${h.url}/api/push/subscriptions`, { method: 'POST', headers, body: JSON.stringify(sub) })).status).toBe(201);
    // a malformed subscription is refused with the catalogue's code
    const bad = await fetch(`${h.url}/api/push/subscriptions`, { method: 'POST', headers, body: JSON.stringify({ endpoint: 'javascript:alert(1)', keys: sub.keys }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');

    await operator(h); // Oleg online: the chat is routed to him
    const { socket: v } = await visitorReady(h);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'Do you deliver on Sundays?' }));

    const first = await ps.nth(0);
    expect(checkVapid(first.auth, ps.origin)).toBe(info.publicKey);
    expect(first.encoding).toBe('aes128gcm');
    expect(Number(first.ttl)).toBeGreaterThan(0);
    const p1 = JSON.parse(decrypt(first.body, keys)) as PushPayload;
    expect(p1).toMatchObject({ title: expect.stringMatching(/^A chat for you: Visitor /), body: 'Do you deliver on Sundays?', url: `/chats/${sent.conversation.id}`, tag: `chat-${sent.conversation.id}` });

    await expectOk(call(v, 'message:send', { clientId: 'b', body: 'Or Saturdays?' }));
    const p2 = JSON.parse(decrypt((await ps.nth(1)).body, keys)) as PushPayload;
    expect(p2).toMatchObject({ body: 'Or Saturdays?', url: `/chats/${sent.conversation.id}` });

    // messages off; an inbox item still comes, and nothing about the message came before it
    expect((await fetch(`${h.url}/api/push/prefs`, { method: 'PUT', headers, body: JSON.stringify({ myMessage: false }) })).status).toBe(200);
    await expectOk(call(v, 'message:send', { clientId: 'c', body: 'Hello?' }));
    await expectOk(call(v, 'inbox:message', { name: 'Vera', email: 'vera@example.com', body: 'Call me about the grinder' }));
    const p3 = JSON.parse(decrypt((await ps.nth(2)).body, keys)) as PushPayload;
    expect(p3).toMatchObject({ title: 'New message for the inbox', url: '/inbox' });
    expect(p3.body).toContain('Call me about the grinder');
    expect(ps.got.length).toBe(3);
  });

  it('a subscription the push service says is gone is forgotten; unsubscribing stops pushes', async () => {
    const h = await startServer();
    const ps = await pushService();
    const cookie = await login(h, 'op@shop.test');
    const headers = { cookie, origin: h.url, 'content-type': 'application/json' };
    const a = browserKeys();
    const b = browserKeys();
    const subOf = (box: string, k: ReturnType<typeof browserKeys>) => ({ endpoint: `${ps.origin}/push/${box}`, keys: { p256dh: b64u(k.ecdh.getPublicKey()), auth: b64u(k.auth) } });
    for (const s of [subOf('laptop', a), subOf('old-phone', b)]) await fetch(`${h.url}/api/push/subscriptions`, { method: 'POST', headers, body: JSON.stringify(s) });
    ps.gone.add('old-phone');
    const oleg = (await h.store.getAccountByEmail('op@shop.test'))!.id;
    expect((await h.store.push.subscriptionsOf([oleg])).length).toBe(2);

    await operator(h);
    const { socket: v } = await visitorReady(h);
    await expectOk(call(v, 'message:send', { clientId: 'a', body: 'hi' }));
    expect((await ps.nth(0)).box).toBe('laptop');
    await expect.poll(async () => (await h.store.push.subscriptionsOf([oleg])).map((s) => s.endpoint)).toEqual([`${ps.origin}/push/laptop`]);

    expect((await fetch(`${h.url}/api/push/subscriptions`, { method: 'DELETE', headers, body: JSON.stringify({ endpoint: `${ps.origin}/push/laptop` }) })).status).toBe(204);
    expect(await h.store.push.subscriptionsOf([oleg])).toEqual([]);
  });

  it('with nobody online: the team hears of a new chat after a few seconds, and again when it has waited past the site\'s limit', async () => {
    const clock = fakeClock();
    const h = await startServer({ clock });
    const ps = await pushService();
    const cookie = await login(h, 'admin@shop.test');
    const headers = { cookie, origin: h.url, 'content-type': 'application/json' };
    expect((await fetch(`${h.url}/api/sites/${h.site.id}`, { method: 'PATCH', headers, body: JSON.stringify({ routing: { waitLimitSeconds: 60 } }) })).status).toBe(200);
    const keys = browserKeys();
    await fetch(`${h.url}/api/push/subscriptions`, { method: 'POST', headers, body: JSON.stringify({ endpoint: `${ps.origin}/push/owner`, keys: { p256dh: b64u(keys.ecdh.getPublicKey()), auth: b64u(keys.auth) } }) });

    const { socket: v } = await visitorReady(h);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'a', body: 'Is anyone there?' }));
    // the push deadlines are written after the message is acknowledged (the clock is the test's: it must not move before)
    for (let i = 0; i < 200 && (await h.store.deadlines.list('push_new')).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await clock.advance(5_000);
    await h.beckon.scheduler.idle();
    const p1 = JSON.parse(decrypt((await ps.nth(0)).body, keys)) as PushPayload;
    expect(p1).toMatchObject({ title: expect.stringMatching(/^New chat: Visitor /), body: 'Is anyone there?', url: `/chats/${sent.conversation.id}` });
    await clock.advance(60_000);
    await h.beckon.scheduler.idle();
    const p2 = JSON.parse(decrypt((await ps.nth(1)).body, keys)) as PushPayload;
    expect(p2).toMatchObject({ title: expect.stringMatching(/has waited 1 min$/), body: 'Nobody has taken this chat yet.', url: `/chats/${sent.conversation.id}` });
    expect(ps.got.length).toBe(2);
  });
});
