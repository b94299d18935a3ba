/**
 * Several real nodes (main.ts processes) on one PostgreSQL database and a Redis of their own,
 * behind HAProxy: what the cluster tests talk to, with real Socket.IO clients.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { openPgStore, throwawayDatabase, type Store } from '@beckon/db';
import { DEFAULT_APPEARANCE, type Message, type Result, type RoutingSettings, type SiteView } from '@beckon/protocol';
import { LocalCluster, LocalRedis } from '../src/cluster/local';
import { hashPassword } from '../src/http/passwords';

export const PG_URL = process.env.BECKON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SHOP = 'http://shop.test';
export const PASSWORD = 'correct horse battery';

export interface World {
  cluster: LocalCluster;
  redis: LocalRedis;
  store: Store;
  close(): Promise<void>;
}

export async function startWorld(nodes: number): Promise<World> {
  const db = await throwawayDatabase(PG_URL);
  const redis = await LocalRedis.start();
  let cluster: LocalCluster;
  try {
    cluster = await LocalCluster.start({ nodes, databaseUrl: db.url, redisUrl: redis.url });
  } catch (e) {
    await redis.stop();
    await db.drop();
    throw e;
  }
  const store = await openPgStore({ url: db.url, poolSize: 4 });
  return {
    cluster,
    redis,
    store,
    async close() {
      await cluster.close();
      await redis.stop();
      await store.close();
      await db.drop();
    },
  };
}

let sites = 0;
/** a site of its own for each test, with its operators (known password) */
export async function newSite(store: Store, routing: Partial<RoutingSettings>, operators: { name: string; capacity?: number; role?: 'operator' | 'admin' }[]): Promise<{ site: SiteView; ops: { id: string; email: string }[] }> {
  const now = Date.now();
  const n = ++sites;
  let site = await store.createSite({ name: `Shop ${n}`, allowedOrigins: [SHOP], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, now);
  site = (await store.updateSite(site.id, { routing: { ...site.routing, ...routing } }))!;
  const ops = [];
  for (const o of operators) {
    const email = `${o.name.toLowerCase()}.${n}@shop.test`;
    const a = await store.createAccount({ email, name: o.name, passwordHash: await hashPassword(PASSWORD) }, now);
    await store.putMembership({ accountId: a.id, siteId: site.id, role: o.role ?? 'operator', capacity: o.capacity ?? 5 }, now);
    ops.push({ id: a.id, email });
  }
  return { site, ops };
}

export async function login(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const open: Socket[] = [];
/** every socket a test opened, closed */
export function closeSockets(): void {
  for (const s of open.splice(0)) s.disconnect();
}

/** reconnects like the widget and the console do (backoff, a fresh handshake each time) */
const RECONNECT = { reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 1000, randomizationFactor: 0.3 };

export interface Visitor {
  socket: Socket;
  visitorId: string;
  token: string;
  /** why its last connection attempt failed, if it did ('' once connected) */
  readonly lastError: string;
}

/**
 * Socket.IO retries a failed transport by itself, but not a refusal by the server's middleware
 * (a node busy, a handshake limit, a store that failed): the widget tries again after a while,
 * and so do the tests' sockets. Returns what the socket was last told.
 */
function retryRefusals(socket: Socket): () => string {
  let last = '';
  socket.on('connect', () => (last = ''));
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    last = `${err.data?.code ?? 'transport'}: ${err.message}`;
    if (!socket.active && open.includes(socket)) setTimeout(() => open.includes(socket) && !socket.connected && socket.connect(), 500 + Math.random() * 1000);
  });
  return () => last;
}

/** a widget: keeps its token, so a reconnect (to any node) is the same visitor */
export async function visitorAt(url: string, site: SiteView, o: { localAddress?: string; token?: string } = {}): Promise<Visitor> {
  const v = { token: (o.token ?? null) as string | null };
  const socket = connect(`${url}/visitor`, {
    auth: (cb: (d: object) => void) => cb({ siteKey: site.key, token: v.token }),
    extraHeaders: { origin: SHOP },
    transports: ['websocket'],
    forceNew: true,
    ...RECONNECT,
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
  } as Parameters<typeof connect>[1]);
  open.push(socket);
  const lastError = retryRefusals(socket);
  const session = await new Promise<{ visitorId: string; token: string }>((res, rej) => {
    socket.once('session:ready', res);
    socket.once('connect_error', rej);
  });
  v.token = session.token;
  socket.on('session:ready', (s: { token: string }) => (v.token = s.token));
  return {
    socket,
    visitorId: session.visitorId,
    get token() {
      return v.token!;
    },
    get lastError() {
      return lastError();
    },
  };
}

export async function operatorAt(url: string, cookie: string): Promise<Socket> {
  const s = connect(`${url}/operator`, { extraHeaders: { cookie }, transports: ['websocket'], forceNew: true, ...RECONNECT });
  open.push(s);
  retryRefusals(s);
  await new Promise<void>((res, rej) => {
    s.once('operator:status', () => res());
    s.once('connect_error', rej);
  });
  return s;
}

export function call<T = unknown>(s: Socket, event: string, payload?: unknown, ms = 10_000): Promise<Result<T>> {
  return new Promise((res, rej) => {
    s.timeout(ms).emit(event, payload ?? {}, (err: Error | null, r: Result<T>) => (err ? rej(err) : res(r)));
  });
}

export async function ok<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.data;
}

export function next<T = unknown>(s: Socket, event: string, filter: (x: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => {
      s.off(event, on);
      rej(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (x: T) => {
      if (!filter(x)) return;
      clearTimeout(t);
      s.off(event, on);
      res(x);
    };
    s.on(event, on);
  });
}

/** the next message an operator's console gets that passes `filter` (consoles get them in `messages:new` frames) */
export function nextMessage(s: Socket, filter: (m: Message) => boolean, ms = 10_000): Promise<Message> {
  return next<Message[]>(s, 'messages:new', (batch) => batch.some(filter), ms).then((batch) => batch.find(filter)!);
}

/** polls until `fn` gives something truthy; bounded in time */
export async function until<T>(fn: () => Promise<T> | T, ms: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** the visitor's messages as stored, by client id: each exactly once? */
export async function stored(store: Store, conversationId: string): Promise<Message[]> {
  return store.messagesAfter(conversationId, 0, 10_000);
}

/**
 * What the widget does about a dropped connection and about messages that cross nodes (they
 * may arrive out of order), for the tests: a message is sent again with the same client id
 * until it is acknowledged (bounded, `sendReliably`); a message past a gap is not taken but
 * makes it fetch what it lacks with `conversation:sync` from the last seq it holds in a row, as
 * does every reconnect. (The console's conversations are checked in the store; `sync` null.)
 */
export class Receiver {
  /** message id → message, as this side holds them */
  readonly got = new Map<string, Message>();
  /** the last seq held with none missing before it */
  lastSeq = 0;
  constructor(
    private readonly s: Socket,
    private readonly sync: () => object | null,
  ) {
    const one = (m: Message) => {
      if (this.sync() && m.seq > this.lastSeq + 1) return this.again();
      this.take(m);
    };
    // a widget gets each message in a frame of its own, a console those of a turn in one
    s.on('message:new', one);
    s.on('messages:new', (ms: Message[]) => ms.forEach(one));
    s.io.on('reconnect', () => this.again());
  }
  private again(): void {
    const p = this.sync();
    if (p) void call<{ messages: Message[] }>(this.s, 'conversation:sync', { ...p, lastSeq: this.lastSeq }).then((r) => r.ok && r.data.messages.forEach((m) => this.take(m)), () => undefined);
  }
  private take(m: Message): void {
    this.got.set(m.id, m);
    if (m.seq === this.lastSeq + 1 || !this.sync()) this.lastSeq = Math.max(this.lastSeq, m.seq);
  }
}

/** sends until acknowledged (the same client id each time: the server stores it once); bounded in tries and time */
export async function sendReliably<T = { message: Message }>(s: Socket, payload: object, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    if (!s.connected) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      const r = await call<T>(s, 'message:send', payload, 3000);
      if (r.ok) return r.data;
      last = r.error.code;
      // a retryable answer (the store busy, a node shutting down) is tried again; anything else is a failure
      if (r.error.code !== 'BUSY' && r.error.code !== 'INTERNAL') throw new Error(`${r.error.code}: ${r.error.message}`);
    } catch (e) {
      if (e instanceof Error && /^[A-Z_]+:/.test(e.message)) throw e;
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not acknowledged within ${ms} ms (${last})`);
}

/** staff view of one node's /health: how many sockets it holds */
export async function nodeHealth(url: string, cookie: string): Promise<{ visitors: number; operators: number; peers?: number }> {
  return (await fetch(`${url}/health`, { headers: { cookie } })).json() as Promise<{ visitors: number; operators: number; peers?: number }>;
}
