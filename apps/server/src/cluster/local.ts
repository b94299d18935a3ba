/**
 * Several Beckon nodes and HAProxy in front of them, on this machine: what `deploy/start-cluster.sh`
 * runs and what the cluster tests drive. Each node is `main.ts` in a process of its own (so it can
 * be stopped, killed and started again); HAProxy comes from Debian's packages (`apt-get install
 * haproxy`). Every process started here is stopped by its id in `close()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROCESS_ENV } from '../process-env';

export const freePort = (host = '127.0.0.1') =>
  new Promise<number>((res, rej) => {
    const s = createServer().listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** a wait that cannot succeed any more */
class Fatal extends Error {}

export interface BalancedNode {
  name: string;
  port: number;
}

/**
 * The balancer: WebSockets pass through (HTTP mode handles the upgrade; `timeout tunnel` keeps
 * them open); a client's address picks its node (`balance source`, consistent hashing), so a
 * visitor's tabs land together; /health is checked every second and a node that fails it twice
 * gets no new connections (its open ones are left alone), while `redispatch` sends a connection a
 * dead node refused to another.
 */
export function haproxyConfig(o: { bind: string; nodes: BalancedNode[]; maxconn?: number; stats?: string }): string {
  return [
    'global',
    `  maxconn ${o.maxconn ?? 8000}`,
    '',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  option redispatch',
    '  retries 3',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // a WebSocket is a tunnel once upgraded: Socket.IO pings every 20 s, so an hour idle is plenty
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    '',
    'frontend beckon',
    `  bind ${o.bind}`,
    '  default_backend nodes',
    '',
    'backend nodes',
    '  balance source',
    '  hash-type consistent',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    // a busy node may take a moment to answer: three misses in a row, not one slow answer, take it out;
    // and taking it out sends no new connections there but cuts none of its open ones (cutting them
    // during a connect storm sends them all back at once: the storm feeds itself). A dead node's
    // connections end by themselves, and a connection it refuses is redispatched at once.
    '  timeout check 3s',
    '  default-server inter 2s fall 3 rise 2',
    ...o.nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.port} check`),
    '',
    // the balancer's own view of the nodes (CSV at /stats;csv), on loopback only
    ...(o.stats ? ['frontend stats', `  bind ${o.stats}`, '  stats enable', '  stats uri /stats', '  stats refresh 0', ''] : []),
  ].join('\n');
}

export interface NodeProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess | null;
  output(): string;
}

export interface ClusterOptions {
  nodes: number;
  databaseUrl: string;
  redisUrl: string;
  /** the balancer's port (default: a free one) */
  port?: number;
  /** node ports (default: free ones) */
  nodePorts?: number[];
  /** more environment for every node (BECKON_DEMO, BECKON_LOG_LEVEL…) */
  env?: Record<string, string>;
  /** files every node shares (default: a temporary directory) */
  dataDir?: string;
  /** node i's own extra environment */
  nodeEnv?: (i: number) => Record<string, string>;
}

export class LocalCluster {
  private haproxy: ChildProcess | null = null;
  private haproxyOut = '';

  private constructor(
    readonly url: string,
    /** HAProxy's statistics page (its view of every node) */
    readonly statsUrl: string,
    readonly nodes: NodeProcess[],
    private readonly env: Record<string, string>,
    private readonly cfgFile: string,
    private readonly tmp: string | null,
    private readonly nodeEnv: (i: number) => Record<string, string>,
  ) {}

  static async start(o: ClusterOptions): Promise<LocalCluster> {
    if (spawnSync('sh', ['-c', 'command -v haproxy'], { stdio: 'ignore' }).status !== 0) throw new Error('haproxy is not installed: apt-get install haproxy (scripts/ensure-cluster-tools.mjs does it)');
    const port = o.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const tmp = o.dataDir ? null : mkdtempSync(join(tmpdir(), 'beckon-cluster-'));
    const dataDir = o.dataDir ?? tmp!;
    const nodes: NodeProcess[] = [];
    for (let i = 0; i < o.nodes; i++) {
      const p = o.nodePorts?.[i] ?? (await freePort());
      nodes.push({ name: `node${i + 1}`, port: p, url: `http://127.0.0.1:${p}`, child: null, output: () => '' });
    }
    const env = {
      BECKON_DATABASE_URL: o.databaseUrl,
      BECKON_REDIS_URL: o.redisUrl,
      BECKON_PUBLIC_URL: url,
      BECKON_TRUST_PROXY: '1',
      BECKON_DATA_DIR: dataDir,
      BECKON_LOG_LEVEL: 'warn',
      BECKON_DEMO: '0',
      ...o.env,
    };
    const cfgFile = join(tmp ?? dataDir, 'haproxy.cfg');
    const statsPort = await freePort();
    writeFileSync(cfgFile, haproxyConfig({ bind: `127.0.0.1:${port}`, nodes, stats: `127.0.0.1:${statsPort}` }));
    const c = new LocalCluster(url, `http://127.0.0.1:${statsPort}/stats`, nodes, env, cfgFile, tmp, o.nodeEnv ?? (() => ({})));
    try {
      await Promise.all(nodes.map((_, i) => c.startNode(i)));
      await c.startBalancer();
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  private async startBalancer(): Promise<void> {
    const check = spawnSync('haproxy', ['-c', '-q', '-f', this.cfgFile], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy refused its configuration:\n${check.stderr}${check.stdout}`);
    const child = spawn('haproxy', ['-db', '-f', this.cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (this.haproxyOut = (this.haproxyOut + d).slice(-20_000)));
    child.stderr!.on('data', (d) => (this.haproxyOut = (this.haproxyOut + d).slice(-20_000)));
    this.haproxy = child;
    // up when /health answers through it (every node is up by now)
    await this.waitFor(async () => (await fetch(`${this.url}/health`)).ok, 15_000, () => `haproxy did not answer:\n${this.haproxyOut}`);
  }

  /** start node i (again), and wait until it serves */
  async startNode(i: number): Promise<void> {
    const n = this.nodes[i]!;
    if (n.child) throw new Error(`${n.name} is running`);
    // node itself with tsx's loader (not the tsx command, whose child a SIGKILL would leave running)
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: SERVER_DIR, env: { ...process.env, ...PROCESS_ENV, ...this.env, PORT: String(n.port), HOST: '127.0.0.1', BECKON_NODE_ID: n.name, BECKON_DEMO_PORT: i === 0 ? (this.env.BECKON_DEMO_PORT ?? '0') : '0', ...this.nodeEnv(i) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out = (out + d).slice(-50_000)));
    child.stderr!.on('data', (d) => (out = (out + d).slice(-50_000)));
    n.child = child;
    n.output = () => out;
    child.on('exit', () => {
      if (n.child === child) n.child = null;
    });
    await this.waitFor(
      async () => {
        if (n.child !== child) throw new Fatal(`${n.name} exited:\n${out}`);
        return out.includes('Beckon console');
      },
      60_000,
      () => `${n.name} did not start:\n${out}`,
    );
  }

  /** stop node i the way a deploy does (SIGTERM: it closes its sockets and finishes its work) */
  async stopNode(i: number): Promise<number | null> {
    return this.signal(i, 'SIGTERM');
  }

  /** the machine dies under node i: nothing is finished, nothing is said */
  async killNode(i: number): Promise<void> {
    await this.signal(i, 'SIGKILL');
  }

  private async signal(i: number, sig: NodeJS.Signals): Promise<number | null> {
    const child = this.nodes[i]!.child;
    if (!child || child.exitCode !== null) return null;
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill(sig);
    return exited;
  }

  /** waits until HAProxy has node i as up (or down) */
  async balancerSees(i: number, up: boolean, ms = 30_000): Promise<void> {
    const name = this.nodes[i]!.name;
    let last = '';
    await this.waitFor(
      async () => {
        last = (await this.balancerView())[name] ?? '(not listed)';
        return up ? last === 'UP' : last.startsWith('DOWN');
      },
      ms,
      () => `the balancer has ${name} ${last}, not ${up ? 'UP' : 'DOWN'}`,
    );
  }

  /** what HAProxy makes of each node now: UP, DOWN, "UP 1/2" (going down), "DOWN 1/3" (coming up)… */
  async balancerView(): Promise<Record<string, string>> {
    const csv = await (await fetch(`${this.statsUrl};csv`, { signal: AbortSignal.timeout(5000) })).text();
    const [head, ...rows] = csv.replace(/^# /, '').trim().split('\n').map((l) => l.split(','));
    const col = (k: string) => head!.indexOf(k);
    const view: Record<string, string> = {};
    for (const r of rows) if (r[col('pxname')] === 'nodes' && r[col('svname')] !== 'BACKEND') view[r[col('svname')]!] = r[col('status')]!;
    return view;
  }

  private async waitFor(ok: () => Promise<boolean>, ms: number, why: () => string): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        if (await ok()) return;
      } catch (e) {
        if (e instanceof Fatal) throw e;
      }
      if (Date.now() > until) throw new Error(why());
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** every node and the balancer, stopped by their ids */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.stopWithin(i, 10_000)));
    if (this.haproxy && this.haproxy.exitCode === null) {
      const h = this.haproxy;
      const gone = new Promise((r) => h.once('exit', r));
      h.kill('SIGTERM');
      await gone;
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  private async stopWithin(i: number, ms: number): Promise<void> {
    const child = this.nodes[i]!.child;
    if (!child || child.exitCode !== null) return;
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    await this.stopNode(i);
    clearTimeout(t);
  }
}

/** A Redis server of its own (Debian's redis-server), on a free loopback port: it can be stopped and started again. */
export class LocalRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  static async start(port?: number): Promise<LocalRedis> {
    const r = new LocalRedis(port ?? (await freePort()));
    await r.start();
    return r;
  }
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    this.child = child;
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    const until = Date.now() + 10_000;
    while (!/Ready to accept connections/.test(out)) {
      if (Date.now() > until || !this.child) throw new Error(`redis-server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
}
