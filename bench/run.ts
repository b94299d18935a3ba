/**
 * The benchmark suite (issue 9): every figure next to a baseline measured in the same run, as
 * a ratio. Client load comes from separate processes on loopback only; every loop is bounded in
 * count and time; every process started here is stopped here. Writes bench/RESULTS.md.
 *
 *   pnpm bench            the full run (10,000 visitors; a few minutes on 2 cores)
 *   pnpm bench --quick    the same scenarios, small (under a minute): numbers are not targets then
 *   pnpm bench --only visitors,chats   some of the sections (visitors, chats, cluster, storm,
 *                         append, history, metrics, latency, rules); RESULTS.md is left as it is
 *   BENCH_PROF=/tmp/prof pnpm bench --only chats   V8 CPU profiles of Beckon's server processes
 *   BENCH_SERVER_FLAGS="--max-semi-space-size=32" pnpm bench --only visitors   Node flags for them
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAppend } from './scenarios/append';
import { runStorm } from './scenarios/storm';
import { runMetrics } from './scenarios/metrics';
import { runHistory } from './scenarios/history';
import { runCluster, type ChatResult } from './scenarios/cluster';
import { heapAfterGc, lineOf, usage } from './lib/proc';
import { PROCESS_ENV } from '../apps/server/src/process-env';

const quick = process.argv.includes('--quick');
const SECTIONS = ['visitors', 'chats', 'cluster', 'storm', 'append', 'history', 'metrics', 'latency', 'rules'] as const;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : null;
for (const o of only ?? []) if (!(SECTIONS as readonly string[]).includes(o)) throw new Error(`--only: no section "${o}" (there are ${SECTIONS.join(', ')})`);
const runs = (section: (typeof SECTIONS)[number]) => !only || only.includes(section);
const VISITORS = quick ? 400 : Math.min(Number(process.env.BENCH_VISITORS ?? 10_000), 15_000);
const CLIENTS = 2;
const WARM_S = quick ? 6 : 12;
const WINDOW_S = quick ? 10 : 45;
/** BENCH_PROF=<folder>: Beckon's server processes write V8 CPU profiles there (open them in Chrome's DevTools) */
const PROFILE = process.env.BENCH_PROF ?? '';
/** BENCH_SERVER_FLAGS="--max-semi-space-size=32": Node flags for Beckon's server processes only (the baselines keep the defaults) */
const SERVER_FLAGS = process.env.BENCH_SERVER_FLAGS?.trim() ?? '';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const lines: string[] = [];
const say = (s: string) => {
  console.log(s);
  lines.push(s);
};

function node(file: string, args: string[]): ChildProcess {
  // every process, the baselines too, starts with the environment Beckon's `pnpm start` gives its server
  return spawn(process.execPath, ['--expose-gc', ...(PROFILE && file === 'servers/beckon.ts' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []), ...(SERVER_FLAGS && file === 'servers/beckon.ts' ? SERVER_FLAGS.split(' ') : []), '--import', 'tsx', here(file), ...args], { cwd: here('.'), env: { ...process.env, ...PROCESS_ENV }, stdio: ['pipe', 'pipe', 'inherit'] });
}


/** SIGTERM, then SIGKILL if the process is still there 5 s later */
async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LoadResult {
  handshakeMs: number;
  rssMb: number;
  /** before the first visitor (after a full GC) */
  idleRssMb: number;
  /** live heap after a full GC per visitor (the heap before any visitor taken away) */
  heapPerVisitorKb: number;
  cpuPct: number;
  p50: number | null;
  p99: number | null;
  acked: number;
  failed: number;
  offers: number;
  reconnectMs: number | null;
}

/**
 * A temporary data folder and the processes started in it, all stopped and removed afterwards
 * whatever happens: `start` launches a server of servers/ and waits for its READY line.
 */
async function scene<T>(prefix: string, body: (ctx: { dir: string; procs: ChildProcess[]; start: (file: string, port: number) => Promise<{ server: ChildProcess; port: number }> }) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const procs: ChildProcess[] = [];
  const start = async (file: string, port: number) => {
    const server = node(`servers/${file}.ts`, [dir, String(port)]);
    procs.push(server);
    return { server, port: Number((await lineOf(server, /^READY \d+/, 60_000)).split(' ')[1]) };
  };
  try {
    return await body({ dir, procs, start });
  } finally {
    // asked to stop first (a profiled server writes its profile as it exits), killed if it does not within 5 s
    await Promise.all(procs.map((p) => stop(p)));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(side: 'bare' | 'beckon'): Promise<LoadResult> {
  return scene(`bench-${side}-`, async ({ procs, start }) => {
    const first = await start(side, 0);
    let server = first.server;
    const port = first.port;
    const url = `http://127.0.0.1:${port}`;
    const heapBefore = await heapAfterGc(server);
    const idleRssMb = usage(server.pid!).rssMb;
    const per = Math.ceil(VISITORS / CLIENTS);
    // bounded; room for a slow first connect and a slow comeback (each is also bounded below)
    const total = WARM_S + WINDOW_S + 600;
    const clients = Array.from({ length: CLIENTS }, (_, k) => node('load/visitors.ts', [url, String(per), String(total), String(k + 1)]));
    procs.push(...clients);
    // listened for from the start: a client that reaches its deadline says it by itself
    const done = clients.map((c) => lineOf(c, /"event":"done"/, (total + 60) * 1000).then((l) => JSON.parse(l) as { p50: number; p99: number; acked: number; failed: number; offers: number }));
    const connected = await Promise.all(clients.map((c) => lineOf(c, /"event":"connected"/, 400_000).then((l) => JSON.parse(l) as { ms: number; connected: number })));
    const handshakeMs = Math.max(...connected.map((c) => c.ms));
    await sleep(WARM_S * 1000);
    for (const c of clients) c.stdin!.write('measure\n');
    const a = usage(server.pid!);
    const rss: number[] = [];
    for (let i = 0; i < WINDOW_S; i++) {
      await sleep(1000);
      rss.push(usage(server.pid!).rssMb);
    }
    const b = usage(server.pid!);
    const heapPerVisitorKb = ((await heapAfterGc(server)) - heapBefore) / VISITORS / 1024;
    // a deploy: SIGTERM, a new process on the same port and data; every widget comes back by itself
    // (timed from the new process being ready: its own start-up is not the widgets' doing)
    for (const c of clients) c.stdin!.write('restart\n');
    const restartAt = performance.now();
    const back = clients.map((c) => lineOf(c, /"event":"reconnected"/, 240_000).then((l) => JSON.parse(l) as { ms: number }));
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    server = (await start(side, port)).server;
    const readyAfter = performance.now() - restartAt;
    console.error(`${side}: the new process was ready ${(readyAfter / 1000).toFixed(1)} s after the restart began`);
    const reconnectMs = await Promise.all(back)
      .then((r) => Math.max(0, Math.max(...r.map((x) => x.ms)) - readyAfter))
      .catch(() => null);
    for (const c of clients) c.stdin!.write('stop\n');
    const results = await Promise.all(done);
    return {
      handshakeMs,
      rssMb: median(rss),
      idleRssMb,
      heapPerVisitorKb,
      cpuPct: ((b.cpu - a.cpu) / WINDOW_S) * 100,
      p50: median(results.map((r) => r.p50)),
      p99: Math.max(...results.map((r) => r.p99)),
      acked: results.reduce((n, r) => n + r.acked, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      offers: results.reduce((n, r) => n + r.offers, 0),
      reconnectMs,
    };
  });
}


/** conversations at 1 msg/s a side, against the server or a bare relay */
async function chats(side: 'beckon' | 'relay', conversations: number, seconds: number): Promise<ChatResult> {
  return scene(`bench-chat-${side}-`, async ({ procs, start }) => {
    const { port } = await start(side, 0);
    const url = `http://127.0.0.1:${port}`;
    let cookies = '';
    if (side === 'beckon') {
      const jar: string[] = [];
      for (let i = 1; i <= 8; i++) {
        const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `op${i}@bench.test`, password: 'bench password 123' }) });
        jar.push(r.headers.get('set-cookie')!.split(';')[0]!);
      }
      cookies = jar.join('|');
    }
    const client = node('load/chats.ts', [url, String(conversations), String(seconds), side === 'relay' ? 'bare' : 'beckon', cookies]);
    procs.push(client);
    return JSON.parse(await lineOf(client, /"event":"done"/, (seconds + 120) * 1000)) as ChatResult;
  });
}

/** runs another benchmark of this folder and keeps what it prints */
async function child(file: string, args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const p = spawn(process.execPath, ['--import', 'tsx', here(file), ...args], { cwd: here('.'), env: { ...process.env, ...PROCESS_ENV, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  if (code !== 0) throw new Error(`${file} exited with ${code}`);
  return out.trim().split('\n');
}

const f1 = (x: number | null) => (x === null ? '—' : x.toFixed(1));
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);

say(`# Beckon benchmarks${quick ? ' (--quick: small, for correctness; not the targets)' : ''}`);
say('');
say(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · socket.io 4.8.3 · better-sqlite3 12 · loopback only, client load from ${CLIENTS} separate processes`);
say('');

let ours: LoadResult | null = null;
if (runs('visitors')) {
  say(`## ${VISITORS.toLocaleString('en')} live visitors, a page view every ~5 s each, offers shown, expiring and dismissed`);
  say('');
  const bare = await load('bare');
  ours = await load('beckon');
  say('| what | Beckon | bare Socket.IO, same run | ratio | target |');
  say('| --- | --- | --- | --- | --- |');
  say(`| server RSS (median over ${WINDOW_S} s) | ${f1(ours.rssMb)} MB | ${f1(bare.rssMb)} MB | ${ratio(ours.rssMb, bare.rssMb)} | ≤ 1.5× |`);
  say(`| server RSS at idle, before the first visitor (Beckon has hashed its 9 operators' passwords) | ${f1(ours.idleRssMb)} MB | ${f1(bare.idleRssMb)} MB | ${ratio(ours.idleRssMb, bare.idleRssMb)} | — |`);
  say(`| live heap per visitor after a full GC | ${ours.heapPerVisitorKb.toFixed(1)} KB | ${bare.heapPerVisitorKb.toFixed(1)} KB | ${ratio(ours.heapPerVisitorKb, bare.heapPerVisitorKb)} | ≤ 1.5× (issue 9 §5) |`);
  say(`| server CPU (one core = 100 %) | ${f1(ours.cpuPct)} % | ${f1(bare.cpuPct)} % | ${ratio(ours.cpuPct, bare.cpuPct)} | ≤ 2.5× |`);
  say(`| journey event ack p50 / p99 | ${f1(ours.p50)} / ${f1(ours.p99)} ms | ${f1(bare.p50)} / ${f1(bare.p99)} ms | ${ratio(ours.p99, bare.p99)} (p99) | p99 ≤ 25 ms |`);
  say(`| all ${VISITORS.toLocaleString('en')} connected in | ${(ours.handshakeMs / 1000).toFixed(1)} s | ${(bare.handshakeMs / 1000).toFixed(1)} s | ${ratio(ours.handshakeMs, bare.handshakeMs)} | — |`);
  say(`| all back after a restart, from the new process being ready | ${ours.reconnectMs === null ? 'not all' : `${(ours.reconnectMs / 1000).toFixed(1)} s`} | ${bare.reconnectMs === null ? 'not all' : `${(bare.reconnectMs / 1000).toFixed(1)} s`} | ${ratio(ours.reconnectMs, bare.reconnectMs)} | ≤ 2× |`);
  say(`| events acknowledged / failed; offers shown | ${ours.acked.toLocaleString('en')} / ${ours.failed}; ${ours.offers.toLocaleString('en')} | ${bare.acked.toLocaleString('en')} / ${bare.failed}; — | | 0 failed |`);
  say('');
}

// the issue's figure; BENCH_CONVERSATIONS changes it (the cluster's chats stay at 200: two nodes on two cores)
const CONV = quick ? 30 : Math.min(Number(process.env.BENCH_CONVERSATIONS ?? 500), 1000);
const CLUSTER_CONV = quick ? 30 : 200;
const CHAT_S = quick ? 10 : 40;
let talk: ChatResult | null = null;
if (runs('chats') || runs('cluster')) {
  say(`## ${CONV} conversations, visitor and operator each 1 message a second, every message durable`);
  say('');
  const relay = await chats('relay', CONV, CHAT_S);
  talk = await chats('beckon', CONV, CHAT_S);
  say('| what | Beckon (8 operators) | bare Socket.IO relay, same run | ratio | target |');
  say('| --- | --- | --- | --- | --- |');
  say(`| visitor → operator p50 / p99 | ${f1(talk.p50)} / ${f1(talk.p99)} ms | ${f1(relay.p50)} / ${f1(relay.p99)} ms | ${ratio(talk.p99, relay.p99)} (p99) | ≤ 2× |`);
  say(`| visitor messages sent / received / lost / duplicated / out of order | ${talk.sent.toLocaleString('en')} / ${talk.received.toLocaleString('en')} / ${talk.lost} / ${talk.duplicated} / ${talk.reordered} | ${relay.sent.toLocaleString('en')} / ${relay.received.toLocaleString('en')} / ${relay.lost} / ${relay.duplicated} / ${relay.reordered} | | 0 lost, 0 duplicated, order kept |`);
  say(`| operator answers sent | ${talk.answers.toLocaleString('en')} | ${relay.answers.toLocaleString('en')} | | |`);
  say('');
}

if (runs('cluster') && talk) {
  const n = 2;
  const cv = quick ? 400 : 4000;
  say(`## ${n} nodes behind HAProxy, on PostgreSQL and Redis (the cluster mode)`);
  say('');
  // the single node with as many chats as the cluster gets
  const one = CLUSTER_CONV === CONV ? talk : await chats('beckon', CLUSTER_CONV, CHAT_S);
  const cl = await runCluster({ nodes: n, conversations: CLUSTER_CONV, chatSeconds: CHAT_S, visitors: cv, warmS: WARM_S, windowS: WINDOW_S });
  const each = (xs: number[], unit: string) => xs.map((x) => `${f1(x)}${unit}`).join(' / ');
  say(`This machine has 2 cores for both nodes, PostgreSQL, Redis, HAProxy and the load: read the figures as per-node cost and the latency the adapter adds, not as scaling. Visitors come from many addresses (the balancer spreads them by address); the eight operators from one (one node), so about half the messages cross nodes through Redis.`);
  say('');
  say('| what | 2 nodes | one node (SQLite), same run | ratio |');
  say('| --- | --- | --- | --- |');
  say(`| ${CLUSTER_CONV} chats: visitor → operator p50 / p99 | ${f1(cl.chat.p50)} / ${f1(cl.chat.p99)} ms | ${f1(one.p50)} / ${f1(one.p99)} ms | ${ratio(cl.chat.p99, one.p99)} (p99) |`);
  say(`| sent / received by the operator in the window / acknowledgement not within 10 s / duplicated / out of order | ${cl.chat.sent.toLocaleString('en')} / ${cl.chat.received.toLocaleString('en')} / ${cl.chat.failed.toLocaleString('en')} / ${cl.chat.duplicated} / ${cl.chat.reordered} | ${one.sent.toLocaleString('en')} / ${one.received.toLocaleString('en')} / ${one.failed.toLocaleString('en')} / ${one.duplicated} / ${one.reordered} | |`);
  say(`| node CPU during the chats (node 1 / node 2) | ${each(cl.chat.cpuPct, ' %')} | | |`);
  say(`| per message (visitor or operator): Redis commands / of them XADD / PostgreSQL transactions / rows written | ${cl.chat.redisPerMessage.toFixed(1)} / ${cl.chat.xaddPerMessage.toFixed(1)} / ${cl.chat.pgXactPerMessage.toFixed(1)} / ${cl.chat.pgRowsWrittenPerMessage.toFixed(1)} | | |`);
  say(`| ${cv.toLocaleString('en')} visitors, a page view every ~5 s: on each node | ${cl.visitors.perNode.join(' / ')} | | |`);
  say(`| node RSS / CPU | ${each(cl.visitors.rssMb, ' MB')} · ${each(cl.visitors.cpuPct, ' %')} | | |`);
  say(`| journey event ack p50 / p99 | ${f1(cl.visitors.p50)} / ${f1(cl.visitors.p99)} ms | | |`);
  say(`| per journey event: Redis commands / PostgreSQL transactions | ${cl.visitors.redisPerEvent.toFixed(2)} / ${cl.visitors.pgXactPerEvent.toFixed(2)} | | |`);
  say(`| events acknowledged / failed | ${cl.visitors.acked.toLocaleString('en')} / ${cl.visitors.failed} | | |`);
  say('');
}

let storm: Awaited<ReturnType<typeof runStorm>> | null = null;
if (runs('storm')) {
  say('## The storm: every live visitor’s offer expiring at the same instant');
  say('');
  const stormN = quick ? 1000 : 5000;
  storm = await runStorm({ visitors: stormN });
  say(`${storm.visitors.toLocaleString('en')} visitors, ${storm.shown.toLocaleString('en')} offers shown, ${storm.expired.toLocaleString('en')} expired at once: **${storm.evaluationsOnExpiry.toLocaleString('en')} evaluations** (${(storm.evaluationsOnExpiry / storm.visitors).toFixed(2)} per visitor; before: one evaluation of every visitor per expiry, ${(storm.visitors * storm.visitors).toLocaleString('en')}), ${(storm.ms.expiry / 1000).toFixed(1)} s. An operator coming online (\`operators.available\` 0 → 1 for the whole site): ${storm.evaluationsOnAvailability.toLocaleString('en')} evaluations, ${storm.invitationsAfter} invitations for 3 free slots.`);
  say('');
}

if (runs('append')) {
  say('## Durable appendMessage against raw better-sqlite3 (same transaction)');
  say('');
  const ap = await runAppend(quick ? 2000 : 20_000);
  say(`| Beckon store | raw better-sqlite3 | ratio | target |`);
  say('| --- | --- | --- | --- |');
  say(`| ${Math.round(ap.beckonPerSec).toLocaleString('en')} /s | ${Math.round(ap.rawPerSec).toLocaleString('en')} /s | ${(ap.beckonPerSec / ap.rawPerSec).toFixed(2)}× | ≥ 0.8× |`);
  say('');
}

if (runs('history')) {
  say('## History of a 1,000-message conversation as the database grows (pages of 50, as scrolling back reads them)');
  say('');
  const hist = await runHistory(quick ? [1000, 20_000] : [1000, 100_000, 1_000_000]);
  say('| messages stored | p50 | p99 | p99 against the smallest | target |');
  say('| --- | --- | --- | --- | --- |');
  for (const h of hist) say(`| ${h.stored.toLocaleString('en')} | ${Math.round(h.p50Us)} µs | ${Math.round(h.p99Us)} µs | ${(h.p99Us / hist[0]!.p99Us).toFixed(2)}× | flat |`);
  say('');
}

if (runs('metrics')) {
  say('## The dashboard over a year of conversations against one raw scan of them');
  say('');
  const mx = await runMetrics(quick ? 20_000 : 200_000);
  say('| conversations in the year | every dashboard figure (`metrics()`) | one raw aggregate over the same rows | ratio | target |');
  say('| --- | --- | --- | --- | --- |');
  say(`| ${mx.conversations.toLocaleString('en')} | ${Math.round(mx.beckonMs)} ms | ${Math.round(mx.rawMs)} ms | ${(mx.beckonMs / mx.rawMs).toFixed(1)}× | — (issue 10: "fast on a year of data") |`);
  say('');
}

if (runs('latency')) {
  say('## Visitor → operator message, one at a time, against a bare Socket.IO echo');
  say('');
  for (const l of await child('message-latency.ts', [], quick ? { BENCH_N: '500', BENCH_SECONDS: '10' } : {})) say(`    ${l}`);
  say('');
}

if (runs('rules')) {
  say('## Rules engine against json-rules-engine (the same rules and events, the same matching set on every event)');
  say('');
  for (const l of await child('rules-engine.ts', quick ? ['--events', '10000'] : [])) say(`    ${l}`);
  say('');
}

if (!quick && !only) writeFileSync(here('RESULTS.md'), lines.join('\n') + '\n');
const bad = (ours && (ours.failed > 0 || ours.reconnectMs === null)) || (storm && (storm.expired !== storm.shown || storm.evaluationsOnExpiry > storm.visitors * 1.2)) || (talk && (talk.lost > 0 || talk.duplicated > 0 || talk.reordered > 0));
process.exit(bad ? 1 : 0);
