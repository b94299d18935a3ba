/**
 * A real server on an ephemeral port with a temporary SQLite file, and real socket.io-client
 * sockets typed by protocol. Everything made here is disposed of after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, expect } from 'vitest';
import { DEFAULT_APPEARANCE, OperatorServerEventSchemas, type AckData, type OperatorMessage, VisitorServerEventSchemas, type OperatorClientEvents, type OperatorServerEvents, type Result, type SiteView, type VisitorClientEvents, type VisitorServerEvents, type VisitorSession } from '@beckon/protocol';
import { openPgStore, openSqliteStore, throwawayDatabase, type Store } from '@beckon/db';
import { buildApp, createMember, type Beckon, type BuildOptions } from '../src/index';

export type VisitorSocket = Socket<VisitorServerEvents, VisitorClientEvents>;
export type OperatorSocket = Socket<OperatorServerEvents, OperatorClientEvents>;

export const SHOP = 'http://shop.test';
export const OTHER_SHOP = 'http://other.test';
export const PASSWORD = 'correct horse battery';

const cleanups: (() => Promise<void> | void)[] = [];
/** every event the server sends in any test must match its protocol schema */
const contractViolations: string[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  const found = contractViolations.splice(0);
  expect(found, 'server events that break the protocol schemas').toEqual([]);
});

function checkContract(socket: Socket, schemas: Record<string, { safeParse: (x: unknown) => { success: boolean; error?: { message: string } } }>) {
  socket.onAny((event: string, payload: unknown) => {
    const schema = schemas[event];
    if (!schema) return void contractViolations.push(`unexpected event ${event}`);
    const r = schema.safeParse(payload);
    if (!r.success) contractViolations.push(`${event}: ${r.error?.message}`);
  });
}
export const onCleanup = (fn: () => Promise<void> | void) => cleanups.push(fn);

export interface Harness {
  url: string;
  beckon: Beckon;
  store: Store;
  dbFile: string;
  site: SiteView;
  otherSite: SiteView;
  /** close the server and build a new one on the same data file and port-0 */
  restart(): Promise<void>;
  /** PostgreSQL's URL when the tests run there (BECKON_TEST_STORE=postgres), else null */
  databaseUrl: string | null;
  /** a second store on the same data: another process, or another node */
  openOtherStore(): Promise<Store>;
  /** one statement straight on the data (`?` parameters), as an operator at a shell would */
  onData(statement: string, params: unknown[]): Promise<void>;
}

/**
 * BECKON_TEST_STORE=postgres runs the same tests on PostgreSQL (a throwaway database per server,
 * on BECKON_TEST_PG_URL or the machine's 127.0.0.1:5432): the store contract, end to end.
 */
export const ON_POSTGRES = process.env.BECKON_TEST_STORE === 'postgres';
const PG_URL = process.env.BECKON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function startServer(opts: Partial<BuildOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-it-'));
  const dbFile = join(dir, 'beckon.db');
  const pgDb = ON_POSTGRES ? await throwawayDatabase(PG_URL) : null;
  const seedStore = pgDb ? await openPgStore({ url: pgDb.url, poolSize: 2 }) : openSqliteStore({ file: dbFile });
  const now = Date.now();
  const site = await seedStore.createSite({ name: 'Shop', allowedOrigins: [SHOP], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, now);
  const otherSite = await seedStore.createSite({ name: 'Other', allowedOrigins: [OTHER_SHOP], appearance: DEFAULT_APPEARANCE, defaultLang: 'ru', idleCloseMinutes: 30 }, now);
  await createMember(seedStore, site, { email: 'admin@shop.test', name: 'Ada', role: 'admin', password: PASSWORD }, now);
  await createMember(seedStore, site, { email: 'op@shop.test', name: 'Oleg', role: 'operator', password: PASSWORD }, now);
  await createMember(seedStore, otherSite, { email: 'admin@other.test', name: 'Eve', role: 'admin', password: PASSWORD }, now);
  await seedStore.close();

  const h = { dbFile, site, otherSite, databaseUrl: pgDb?.url ?? null } as Harness;
  h.openOtherStore = async () => (pgDb ? openPgStore({ url: pgDb.url, poolSize: 2 }) : openSqliteStore({ file: dbFile }));
  h.onData = async (statement, params) => {
    if (pgDb) {
      const c = new pg.Client({ connectionString: pgDb.url });
      await c.connect();
      let n = 0;
      await c.query(statement.replace(/\?/g, () => `$${++n}`), params).finally(() => c.end());
      return;
    }
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(dbFile);
    try {
      db.prepare(statement).run(...params);
    } finally {
      db.close();
    }
  };
  const boot = async () => {
    h.beckon = await buildApp(pgDb ? { databaseUrl: pgDb.url, filesDir: join(dir, 'files'), idleSweepMs: 0, ...opts } : { dbFile, idleSweepMs: 0, ...opts });
    h.store = h.beckon.store;
    h.url = await h.beckon.app.listen({ host: '127.0.0.1', port: 0 });
  };
  await boot();
  h.restart = async () => {
    await h.beckon.app.close();
    await boot();
  };
  onCleanup(async () => {
    await h.beckon.app.close();
    rmSync(dir, { recursive: true, force: true });
    await pgDb?.drop();
  });
  return h;
}

export function visitor(h: Harness, o: { origin?: string; token?: string | null; siteKey?: string; lang?: string; userAgent?: string } = {}): VisitorSocket {
  const s: VisitorSocket = connect(`${h.url}/visitor`, {
    auth: { siteKey: o.siteKey ?? h.site.key, token: o.token ?? null, ...(o.lang ? { lang: o.lang } : {}) },
    extraHeaders: { origin: o.origin ?? SHOP, ...(o.userAgent ? { 'user-agent': o.userAgent } : {}) },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  onCleanup(() => void s.disconnect());
  checkContract(s, VisitorServerEventSchemas);
  return s;
}

/** Connects and waits for `session:ready`. */
export async function visitorReady(h: Harness, o: Parameters<typeof visitor>[1] = {}): Promise<{ socket: VisitorSocket; session: VisitorSession }> {
  const socket = visitor(h, o);
  const session = await new Promise<VisitorSession>((res, rej) => {
    socket.once('session:ready', res);
    socket.once('connect_error', rej);
  });
  return { socket, session };
}

export async function login(h: Harness, email: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${h.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!;
  return cookie.split(';')[0]!;
}

export async function operator(h: Harness, email = 'op@shop.test'): Promise<OperatorSocket> {
  const cookie = await login(h, email);
  const s: OperatorSocket = connect(`${h.url}/operator`, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  onCleanup(() => void s.disconnect());
  checkContract(s, OperatorServerEventSchemas);
  await new Promise<void>((res, rej) => {
    s.once('operator:status', () => res());
    s.once('connect_error', rej);
  });
  return s;
}

// socket.io's own EventsMap: protocol's event interfaces fit it
type Events = { [event: string]: any };

/**
 * Emit an event of the socket's own map and get its acknowledgement, typed by protocol: the
 * payload must fit the event and the result is the event's ack data.
 *
 *   const r = await call(visitorSocket, 'message:send', { clientId: 'a', body: 'hi' }); // Result<{ message; conversation }>
 */
export function call<M extends Events, E extends keyof M & string>(socket: Socket<Events, M>, event: E, payload?: Parameters<M[E]>[0]): Promise<Result<AckData<M[E]>>> {
  return callRaw(socket as unknown as Socket, event, payload) as Promise<Result<AckData<M[E]>>>;
}

/** Anything at all, for tests of what the server does with bad input. */
export function callRaw(socket: Socket, event: string, payload?: unknown): Promise<Result<unknown>> {
  return new Promise((res) => (payload === undefined ? socket.emit(event, res) : socket.emit(event, payload, res)));
}
export async function expectOk<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.data;
}

/** Resolves with the next event of that name (or rejects after a timeout). */
export function next<T = unknown>(socket: Socket, event: string, filter: (x: T) => boolean = () => true, ms = 5000): Promise<T> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => {
      socket.off(event, on);
      rej(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (x: T) => {
      if (!filter(x)) return;
      clearTimeout(t);
      socket.off(event, on);
      res(x);
    };
    socket.on(event, on);
  });
}

/** The next message an operator's console gets that passes `filter` (consoles get them in `messages:new` frames). */
export function nextMessage(socket: Socket, filter: (m: OperatorMessage) => boolean = () => true, ms = 5000): Promise<OperatorMessage> {
  return next<OperatorMessage[]>(socket, 'messages:new', (batch) => batch.some(filter), ms).then((batch) => batch.find(filter)!);
}

/** Every message an operator's console gets from now on, one by one. */
export function collectMessages(socket: Socket): OperatorMessage[] {
  const got: OperatorMessage[] = [];
  socket.on('messages:new', (batch: OperatorMessage[]) => got.push(...batch));
  return got;
}

/** Collect every event of that name from now on. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const got: T[] = [];
  socket.on(event, (x: T) => got.push(x));
  return got;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
