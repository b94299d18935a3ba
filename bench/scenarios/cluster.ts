/**
 * Two Beckon nodes on PostgreSQL and a Redis of their own, behind HAProxy (issue 13): the same
 * chat and visitor loads as the single node, through the balancer, with what each node costs and
 * how many Redis commands and PostgreSQL transactions each message and each journey event takes.
 * Every process it starts is stopped by its id; the database is thrown away.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { throwawayDatabase } from '@beckon/db';
import { freePort, haproxyConfig, LocalRedis, PROCESS_ENV } from '@beckon/server';
import { lineOf, usage } from '../lib/proc';

const here = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const PG_URL = process.env.BECKON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** what load/chats.ts reports */
export interface ChatResult {
  sent: number;
  received: number;
  lost: number;
  failed: number;
  duplicated: number;
  reordered: number;
  answers: number;
  p50: number | null;
  p99: number | null;
}
export interface ClusterResult {
  nodes: number;
  chat: ChatResult & { cpuPct: number[]; redisPerMessage: number; xaddPerMessage: number; pgXactPerMessage: number; pgRowsWrittenPerMessage: number };
  visitors: { count: number; perNode: number[]; rssMb: number[]; cpuPct: number[]; p50: number | null; p99: number | null; acked: number; failed: number; redisPerEvent: number; pgXactPerEvent: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Redis commands run so far (all, and XADD: one per broadcast that leaves a node) */
async function redisCalls(r: Redis): Promise<{ all: number; xadd: number }> {
  const info = await r.info('commandstats');
  let all = 0;
  let xadd = 0;
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
    if (m[1] === 'info') continue;
    all += Number(m[2]);
    if (m[1] === 'xadd') xadd += Number(m[2]);
  }
  return { all, xadd };
}
async function pgStats(url: string, name: string): Promise<{ xact: number; written: number }> {
  // cumulative statistics reach pg_stat_database within a second of a transaction's end
  await sleep(1500);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query('select xact_commit + xact_rollback as xact, tup_inserted + tup_updated + tup_deleted as written from pg_stat_database where datname = $1', [name]);
    return { xact: Number(r.rows[0].xact), written: Number(r.rows[0].written) };
  } finally {
    await c.end();
  }
}

export async function runCluster(o: { nodes: number; conversations: number; chatSeconds: number; visitors: number; warmS: number; windowS: number }): Promise<ClusterResult> {
  // before anything is started: a missing balancer used to crash the run and leave the nodes running
  if (spawnSync('haproxy', ['-v']).error) throw new Error('haproxy is not installed: `node scripts/ensure-cluster-tools.mjs` installs it');
  const db = await throwawayDatabase(PG_URL, 'beckon_bench');
  const redis = await LocalRedis.start();
  const stats = new Redis(redis.url);
  const procs: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  const start = (file: string, args: string[], env: Record<string, string> = {}) => {
    const p = spawn(process.execPath, ['--import', 'tsx', here(file), ...args], { cwd: here('.'), env: { ...process.env, ...PROCESS_ENV, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(p);
    return p;
  };
  try {
    const nodes: { proc: ChildProcess; port: number }[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const proc = start('servers/node.ts', [dir, '0', `node${i + 1}`], { BENCH_DATABASE_URL: db.url, BENCH_REDIS_URL: redis.url });
      nodes.push({ proc, port: Number((await lineOf(proc, /^READY \d+/, 60_000)).split(' ')[1]) });
    }
    const port = await freePort();
    const cfg = join(dir, 'haproxy.cfg');
    let lbSays = '';
    writeFileSync(cfg, haproxyConfig({ bind: `127.0.0.1:${port}`, nodes: nodes.map((n, i) => ({ name: `node${i + 1}`, port: n.port })) }));
    const lb = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    lb.on('error', (err) => (lbSays += `\n${err.message}`));
    lb.stderr!.on('data', (d: Buffer) => (lbSays = (lbSays + d.toString()).slice(-5000)));
    procs.push(lb);
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (i > 100) throw new Error('haproxy did not answer');
      await sleep(100);
    }
    await sleep(2500);

    // chats: eight operators through the balancer (one address: one node), visitors from many (both nodes)
    const jar: string[] = [];
    for (let i = 1; i <= 8; i++) {
      const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `op${i}@bench.test`, password: 'bench password 123' }) });
      jar.push(r.headers.get('set-cookie')!.split(';')[0]!);
    }
    const r0 = await redisCalls(stats);
    const p0 = await pgStats(PG_URL, db.name);
    const c0 = nodes.map((n) => usage(n.proc.pid!).cpu);
    const t0 = performance.now();
    const client = start('load/chats.ts', [url, String(o.conversations), String(o.chatSeconds), 'beckon', jar.join('|')]);
    const chat = JSON.parse(await lineOf(client, /"event":"done"/, (o.chatSeconds + 120) * 1000)) as ChatResult;
    const secs = (performance.now() - t0) / 1000;
    const c1 = nodes.map((n) => usage(n.proc.pid!).cpu);
    const r1 = await redisCalls(stats);
    const p1 = await pgStats(PG_URL, db.name);
    const messages = chat.sent + chat.answers;

    // visitors: page views every ~5 s each, through the balancer from many addresses
    const per = Math.ceil(o.visitors / 2);
    const clients = [0, 1].map((k) => start('load/visitors.ts', [url, String(per), String(o.warmS + o.windowS + 120), String(k + 20)]));
    await Promise.all(clients.map((c) => lineOf(c, /"event":"connected"/, 180_000)));
    const perNode = await Promise.all(nodes.map(async (n) => Number(((await (await fetch(`http://127.0.0.1:${n.port}/health`, { headers: { cookie: jar[0]! } })).json()) as { visitors: number }).visitors)));
    if (process.env.BENCH_DEBUG) console.error(perNode, lbSays);
    await sleep(o.warmS * 1000);
    for (const c of clients) c.stdin!.write('measure\n');
    const v0 = nodes.map((n) => usage(n.proc.pid!).cpu);
    const vr0 = await redisCalls(stats);
    const vp0 = await pgStats(PG_URL, db.name);
    const rss: number[][] = nodes.map(() => []);
    const w0 = performance.now();
    for (let i = 0; i < o.windowS; i++) {
      await sleep(1000);
      nodes.forEach((n, j) => rss[j]!.push(usage(n.proc.pid!).rssMb));
    }
    const window = (performance.now() - w0) / 1000;
    const v1 = nodes.map((n) => usage(n.proc.pid!).cpu);
    const vr1 = await redisCalls(stats);
    const done = clients.map((c) => lineOf(c, /"event":"done"/, 30_000).then((l) => JSON.parse(l) as { p50: number; p99: number; acked: number; failed: number; samples: number }));
    for (const c of clients) c.stdin!.write('stop\n');
    const results = await Promise.all(done);
    const vp1 = await pgStats(PG_URL, db.name);
    const events = results.reduce((n, r) => n + r.samples, 0);
    return {
      nodes: o.nodes,
      chat: {
        ...chat,
        cpuPct: c1.map((c, i) => ((c - c0[i]!) / secs) * 100),
        redisPerMessage: (r1.all - r0.all) / messages,
        xaddPerMessage: (r1.xadd - r0.xadd) / messages,
        pgXactPerMessage: (p1.xact - p0.xact) / messages,
        pgRowsWrittenPerMessage: (p1.written - p0.written) / messages,
      },
      visitors: {
        count: o.visitors,
        perNode,
        rssMb: rss.map(median),
        cpuPct: v1.map((c, i) => ((c - v0[i]!) / window) * 100),
        p50: median(results.map((r) => r.p50)),
        p99: Math.max(...results.map((r) => r.p99)),
        acked: results.reduce((n, r) => n + r.acked, 0),
        failed: results.reduce((n, r) => n + r.failed, 0),
        redisPerEvent: events ? (vr1.all - vr0.all) / events : 0,
        pgXactPerEvent: events ? (vp1.xact - vp0.xact) / events : 0,
      },
    };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    stats.disconnect();
    await redis.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
