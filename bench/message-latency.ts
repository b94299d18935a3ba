/**
 * Message latency: a visitor's message until its acknowledgement (validated, stored durably in
 * SQLite, numbered, fanned out to the operator) against a bare Socket.IO echo with an ack, both
 * on loopback in this process, same client library, same payload. Prints the ratio.
 *
 *   pnpm bench            (bounded: at most N round trips and T seconds per side)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { openSqliteStore } from '@beckon/db';
import { buildApp, createMember } from '@beckon/server';

const N = Number(process.env.BENCH_N ?? 3000);
const WARMUP = 300;
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BODY = 'Hello, do you ship to Riga? I would like two bags of the Ethiopia roast.';

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, median: q(0.5), p90: q(0.9), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function measure(send: (i: number) => Promise<void>) {
  for (let i = 0; i < WARMUP; i++) await send(-i - 1);
  const samples: number[] = [];
  const deadline = performance.now() + MAX_SECONDS * 1000;
  for (let i = 0; i < N && performance.now() < deadline; i++) {
    const t = performance.now();
    await send(i);
    samples.push((performance.now() - t) * 1000);
  }
  return stats(samples);
}

const ack = (s: Socket, event: string, payload: unknown) => new Promise<unknown>((res) => s.emit(event, payload, res));
const connected = (s: Socket) => new Promise<void>((res, rej) => (s.once('connect', () => res()), s.once('connect_error', rej)));

async function baseline() {
  const http = createServer();
  const srv = new Server(http);
  srv.of('/echo').on('connection', (sock) => sock.on('message:send', (p: unknown, cb: (r: unknown) => void) => cb({ ok: true, data: p })));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  const c = io(`http://127.0.0.1:${port}/echo`, { transports: ['websocket'] });
  await connected(c);
  const r = await measure((i) => ack(c, 'message:send', { clientId: `b${i}`, body: BODY }).then(() => undefined));
  c.disconnect();
  await new Promise<void>((res) => srv.close(() => res()));
  return r;
}

async function beckon() {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-bench-'));
  const store = openSqliteStore({ file: join(dir, 'beckon.db') });
  const site = await store.createSite({ name: 'Bench', allowedOrigins: ['http://shop.test'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, Date.now());
  await createMember(store, site, { email: 'op@bench.test', name: 'Op', role: 'operator', password: 'bench password 123' }, Date.now());
  // one visitor sending thousands of messages in a row: the abuse limits would (rightly) stop it
  const { app } = await buildApp({ store, idleSweepMs: 0, eventRate: { perSecond: 1e6, burst: 1e6 }, abuseLimits: { messagesPerVisitorPerMinute: 1e9, conversationsPerVisitorPerHour: 1e6, conversationsPerAddressPerHour: 1e6 } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'op@bench.test', password: 'bench password 123' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const op = io(`${url}/operator`, { transports: ['websocket'], extraHeaders: { cookie }, forceNew: true });
  await connected(op);
  let received = 0;
  op.on('messages:new', (ms: unknown[]) => (received += ms.length));
  const v = io(`${url}/visitor`, { transports: ['websocket'], auth: { siteKey: site.key }, extraHeaders: { origin: 'http://shop.test' }, forceNew: true });
  await new Promise((r) => v.once("session:ready", r));
  const r = await measure(async (i) => {
    const res = (await ack(v, 'message:send', { clientId: `m${i}`, body: BODY })) as { ok: boolean };
    if (!res.ok) throw new Error('send failed');
  });
  // the operator's copy of the last message may still be on its way when its ack arrives (bounded wait)
  const until = Date.now() + 3000;
  while (received < r.n + WARMUP && Date.now() < until) await new Promise((res) => setTimeout(res, 10));
  v.disconnect();
  op.disconnect();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ...r, operatorReceived: received };
}

const fmt = (x: number) => `${x.toFixed(0)} µs`;
const base = await baseline();
const ours = await beckon();
console.log(`message round trip, ${ours.n} sequential messages (+${WARMUP} warm-up), loopback`);
console.log(`  bare Socket.IO echo   median ${fmt(base.median)}  p90 ${fmt(base.p90)}  p99 ${fmt(base.p99)}`);
console.log(`  Beckon message:send   median ${fmt(ours.median)}  p90 ${fmt(ours.p90)}  p99 ${fmt(ours.p99)}   (validated, stored in SQLite WAL, fanned out; operator got ${ours.operatorReceived})`);
console.log(`  ratio Beckon / echo   median ${(ours.median / base.median).toFixed(2)}×  p99 ${(ours.p99 / base.p99).toFixed(2)}×`);
process.exit(0);
