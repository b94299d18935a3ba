/**
 * The benchmark suite (issue 9): every figure next to a baseline measured in the same run, as
 * a ratio. Client load comes from separate processes on loopback only; every loop is bounded in
 * count and time; every process started here is stopped here. Writes bench/RESULTS.md.
 *
 *   pnpm bench            the full run (10,000 visitors; a few minutes on 2 cores)
 *   pnpm bench --quick    the same scenarios, small, in under a minute (the cluster only with --only cluster): numbers are not targets then
 *   pnpm bench --only visitors,chats   some of the sections (visitors, chats, cluster, storm,
 *                         append, history, metrics, latency, rules); RESULTS.md is left as it is
 *   BENCH_PROF=/tmp/prof pnpm bench --only chats   V8 CPU profiles of Beckon's server processes
 *   BENCH_SERVER_FLAGS="--max-semi-space-size=32" pnpm bench --only visitors   Node flags for them
 *   BENCH_WINDOW_S=600 BENCH_REPEATS=1 pnpm bench --only visitors   ten minutes under the visitors' load
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
const WARM_S = quick ? 4 : 12;
/** BENCH_WINDOW_S=600: how long the visitors' load is measured (the issue's ten-minute soak; at most an hour) */
const WINDOW_S = quick ? 6 : Math.min(Math.max(10, Number(process.env.BENCH_WINDOW_S ?? 45)), 3600);
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
  /** the highest second of the window: a heap that keeps growing shows here first */
  rssMaxMb: number;
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
    const goneAfter = performance.now() - restartAt;
    server = (await start(side, port)).server;
    const readyAfter = performance.now() - restartAt;
    console.error(`${side}: the old process was gone ${(goneAfter / 1000).toFixed(1)} s and the new one ready ${(readyAfter / 1000).toFixed(1)} s after the restart began`);
    const reconnectMs = await Promise.all(back)
      .then((r) => Math.max(0, Math.max(...r.map((x) => x.ms)) - readyAfter))
      .catch(() => null);
    for (const c of clients) c.stdin!.write('stop\n');
    const results = await Promise.all(done);
    return {
      handshakeMs,
      rssMb: median(rss),
      rssMaxMb: Math.max(...rss),
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
  const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', here(file), ...args], { cwd: here('.'), env: { ...process.env, ...PROCESS_ENV, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

/** BENCH_REPEATS: how many times the visitors and the chats are run (each time Beckon and its baseline in turn); the tables give medians */
const REPEATS = quick ? 1 : Math.min(Math.max(1, Math.round(Number(process.env.BENCH_REPEATS ?? 3))), 9);
/** the median of the per-run values, and of the per-run ratios with their spread */
function rowOf<T>(pairs: { ours: T; base: T }[], get: (x: T) => number | null, show: (x: number | null) => string): { ours: string; base: string; ratio: string } {
  const med = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]));
  const ratios = pairs.map((p) => {
    const a = get(p.ours);
    const b = get(p.base);
    return a === null || b === null || b === 0 ? null : a / b;
  });
  const r = med(ratios);
  const spread = pairs.length > 1 && r !== null ? ` (${Math.min(...(ratios as number[])).toFixed(2)}–${Math.max(...(ratios as number[])).toFixed(2)})` : '';
  return { ours: show(med(pairs.map((p) => get(p.ours)))), base: show(med(pairs.map((p) => get(p.base)))), ratio: r === null ? '—' : `${r.toFixed(2)}×${spread}` };
}

let ours: LoadResult | null = null;
if (runs('visitors')) {
  say(`## ${VISITORS.toLocaleString('en')} live visitors, a page view every ~5 s each, offers shown, expiring and dismissed`);
  say('');
  const pairs: { ours: LoadResult; base: LoadResult }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const base = await load('bare');
    pairs.push({ base, ours: await load('beckon') });
  }
  const all = pairs.map((p) => p.ours);
  // the pass/fail check below looks at every run
  ours = { ...all[0]!, failed: all.reduce((n, x) => n + x.failed, 0), reconnectMs: all.some((x) => x.reconnectMs === null) ? null : all[0]!.reconnectMs };
  const row = (label: string, get: (x: LoadResult) => number | null, show: (x: number | null) => string, target: string) => {
    const r = rowOf(pairs, get, show);
    say(`| ${label} | ${r.ours} | ${r.base} | ${r.ratio} | ${target} |`);
  };
  const mb = (x: number | null) => `${f1(x)} MB`;
  const sec = (x: number | null) => (x === null ? 'not all' : `${(x / 1000).toFixed(1)} s`);
  say(REPEATS > 1 ? `Medians of ${REPEATS} runs, Beckon and bare Socket.IO in turn; the ratio is the median of the runs' ratios, their spread in brackets.` : 'One run.');
  say('');
  say('| what | Beckon | bare Socket.IO, same run | ratio | target |');
  say('| --- | --- | --- | --- | --- |');
  row(`server RSS (median over ${WINDOW_S} s)`, (x) => x.rssMb, mb, '≤ 1.5×');
  row(`server RSS, highest second of the ${WINDOW_S} s`, (x) => x.rssMaxMb, mb, '—');
  row("server RSS at idle, before the first visitor (Beckon has hashed its 9 operators' passwords)", (x) => x.idleRssMb, mb, '—');
  row('live heap per visitor after a full GC', (x) => x.heapPerVisitorKb, (x) => `${f1(x)} KB`, '≤ 1.5× (issue 9 §5)');
  row('server CPU (one core = 100 %)', (x) => x.cpuPct, (x) => `${f1(x)} %`, '≤ 2.5×');
  row('journey event ack p50', (x) => x.p50, (x) => `${f1(x)} ms`, '—');
  row('journey event ack p99', (x) => x.p99, (x) => `${f1(x)} ms`, 'p99 ≤ 25 ms');
  row(`all ${VISITORS.toLocaleString('en')} connected in`, (x) => x.handshakeMs, sec, '—');
  row('all back after a restart, from the new process being ready', (x) => x.reconnectMs, sec, '≤ 2×');
  const sum = (xs: LoadResult[], f: (x: LoadResult) => number) => xs.reduce((n, x) => n + f(x), 0).toLocaleString('en');
  const bases = pairs.map((p) => p.base);
  say(`| events acknowledged / failed; offers shown (all runs) | ${sum(all, (x) => x.acked)} / ${sum(all, (x) => x.failed)}; ${sum(all, (x) => x.offers)} | ${sum(bases, (x) => x.acked)} / ${sum(bases, (x) => x.failed)}; — | | 0 failed |`);
  say('');
  say(`The restart: SIGTERM, then a new process on the same port and data once the old one is gone; the widgets come back by themselves with Socket.IO's back-off (1 s doubling, ±50 %, at most 10 s). Beckon takes its port before it loads (apps/server/src/lib/held-port.ts) and holds the widgets that come back while it starts; bare Socket.IO listens when it is ready, about 0.7 s after the old one is gone.`);
  say('');
}

// the figure; BENCH_CONVERSATIONS changes it (the cluster's chats stay at 200: two nodes on two cores)
const CONV = quick ? 30 : Math.min(Number(process.env.BENCH_CONVERSATIONS ?? 500), 1000);
const CLUSTER_CONV = quick ? 30 : 200;
const CHAT_S = quick ? 5 : 40;
let talk: ChatResult | null = null;
if (runs('chats') || runs('cluster')) {
  say(`## ${CONV} conversations, visitor and operator each 1 message a second, every message durable`);
  say('');
  const pairs: { ours: ChatResult; base: ChatResult }[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const base = await chats('relay', CONV, CHAT_S);
    pairs.push({ base, ours: await chats('beckon', CONV, CHAT_S) });
  }
  const all = pairs.map((p) => p.ours);
  const relays = pairs.map((p) => p.base);
  // the cluster below compares with the first; the pass/fail check looks at every run
  talk = { ...all[0]!, lost: all.reduce((n, x) => n + x.lost, 0), duplicated: all.reduce((n, x) => n + x.duplicated, 0), reordered: all.reduce((n, x) => n + x.reordered, 0) };
  const ms = (x: number | null) => `${f1(x)} ms`;
  const p50 = rowOf(pairs, (x) => x.p50, ms);
  const p99 = rowOf(pairs, (x) => x.p99, ms);
  const total = (xs: ChatResult[], f: (x: ChatResult) => number) => xs.reduce((n, x) => n + f(x), 0).toLocaleString('en');
  const counts = (xs: ChatResult[]) => `${total(xs, (x) => x.sent)} / ${total(xs, (x) => x.received)} / ${total(xs, (x) => x.lost)} / ${total(xs, (x) => x.duplicated)} / ${total(xs, (x) => x.reordered)}`;
  say(`Every visitor and every conversation's operator sends once a second, each at its own moment of the second. Both servers forward both ways: a visitor's message to every operator console, an operator's to its visitor and every console; Beckon also validates, stores (one commit a turn) and sends each console a turn's messages in one frame, each with what it changed in its conversation (unread, read mark). Both hold eight operator consoles.`);
  say('');
  say(REPEATS > 1 ? `Medians of ${REPEATS} runs, Beckon and the relay in turn; the ratio is the median of the runs' ratios, their spread in brackets.` : 'One run.');
  say('');
  say('| what | Beckon (8 operators) | bare Socket.IO relay, same run | ratio | target |');
  say('| --- | --- | --- | --- | --- |');
  say(`| visitor → operator p50 | ${p50.ours} | ${p50.base} | ${p50.ratio} | — |`);
  say(`| visitor → operator p99 | ${p99.ours} | ${p99.base} | ${p99.ratio} | ≤ 2× |`);
  say(`| visitor messages sent / received / lost / duplicated / out of order (all runs) | ${counts(all)} | ${counts(relays)} | | 0 lost, 0 duplicated, order kept |`);
  say(`| operator answers sent (all runs) | ${total(all, (x) => x.answers)} | ${total(relays, (x) => x.answers)} | | |`);
  say('');
}

// --quick leaves the cluster out unless it is asked for (`--quick --only cluster`): its set-up alone
// (a PostgreSQL database, Redis, HAProxy, two nodes) takes ~35 s, and its tests are test-cluster/
if (runs('cluster') && talk && (!quick || only?.includes('cluster'))) {
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
  for (const l of await child('rules-engine.ts', quick ? ['--events', '3000'] : [])) say(`    ${l}`);
  say('');
}

if (!quick && !only) writeFileSync(here('RESULTS.md'), lines.join('\n') + '\n');
const bad = (ours && (ours.failed > 0 || ours.reconnectMs === null)) || (storm && (storm.expired !== storm.shown || storm.evaluationsOnExpiry > storm.visitors * 1.2)) || (talk && (talk.lost > 0 || talk.duplicated > 0 || talk.reordered > 0));
process.exit(bad ? 1 : 0);
