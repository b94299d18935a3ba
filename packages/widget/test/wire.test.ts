/**
 * The widget's wire client (src/loader/wire.ts) against a real Socket.IO server on loopback, with
 * the ws package's WebSocket standing in for the browser's. The e2e suite drives it in Chromium.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { wire, type WireOptions } from '../src/loader/wire';

interface ServerEvents {
  hello: (p: { n: number }) => void;
}
interface ClientEvents {
  echo: (p: { n: number }, ack: (r: { n: number }) => void) => void;
  silent: (p: { n: number }, ack: (r: { n: number }) => void) => void;
  note: (p: { n: number }) => void;
}

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function listen(http: HttpServer) {
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise<void>((r) => http.close(() => r())));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** a Socket.IO server whose /visitor namespace refuses `{ refuse: true }` and records what it gets */
async function server(opts: { pingInterval?: number; pingTimeout?: number } = {}) {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], ...opts });
  stops.push(() => new Promise<void>((r) => io.close(() => r())));
  const got: { event: string; n: number }[] = [];
  const sockets: Socket[] = [];
  const auths: unknown[] = [];
  let refuse = true;
  const nsp = io.of('/visitor');
  nsp.use((s, next) => {
    auths.push(s.handshake.auth);
    if (refuse && (s.handshake.auth as { refuse?: boolean }).refuse) return next(Object.assign(new Error('not you'), { data: { code: 'BLOCKED' } }));
    next();
  });
  nsp.on('connection', (s) => {
    sockets.push(s);
    s.on('echo', (p: { n: number }, ack: (r: unknown) => void) => {
      got.push({ event: 'echo', n: p.n });
      ack({ n: p.n * 2 });
    });
    s.on('silent', (p: { n: number }) => void got.push({ event: 'silent', n: p.n }));
    s.on('note', (p: { n: number }) => void got.push({ event: 'note', n: p.n }));
  });
  const url = await listen(http);
  return { url, io, got, sockets, auths, accept: () => (refuse = false) };
}

function client(url: string, o: Partial<WireOptions> = {}) {
  const c = wire<ServerEvents, ClientEvents>(url, '/visitor', { auth: () => ({ tab: 1 }), delayMax: 200, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, ...o });
  stops.push(() => c.disconnect());
  return c;
}

const next = <T>(on: (f: (v: T) => void) => void) => new Promise<T>((r) => on(r));
const until = async (ok: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`not within 5 s: ${what}`);
};

describe('the widget wire client', () => {
  it('connects with its auth, answers acks, hears server events, and sends what was emitted before it connected, in order', async () => {
    const s = await server();
    const c = client(s.url);
    expect(c.connected).toBe(false);
    c.emit('note', { n: 1 });
    const early = new Promise((r) => c.emit('echo', { n: 2 }, r));
    c.emit('note', { n: 3 });
    await next<void>((f) => c.on('connect', f));
    expect(c.connected).toBe(true);
    expect(s.auths).toEqual([{ tab: 1 }]);
    expect(await early).toEqual({ n: 4 });
    await until(() => s.got.length === 3, 'three events');
    expect(s.got.map((g) => g.n)).toEqual([1, 2, 3]);
    const heard = next<{ n: number }>((f) => c.on('hello', f));
    s.sockets[0]!.emit('hello', { n: 7 });
    expect(await heard).toEqual({ n: 7 });
    expect(await c.timeout(1000).emitWithAck('echo', { n: 5 })).toEqual({ n: 10 });
  });

  it('fails a timed ack that gets no answer, and drops it from the buffer if it never went out', async () => {
    const s = await server();
    const c = client(s.url);
    await next<void>((f) => c.on('connect', f));
    await expect(c.timeout(150).emitWithAck('silent', { n: 1 })).rejects.toThrow('operation has timed out');
    expect(s.got).toEqual([{ event: 'silent', n: 1 }]);

    // while away: the timed emit expires in the buffer, the plain one waits and goes out later
    c.disconnect();
    const expired = await new Promise<Error | null>((r) => c.timeout(50).emit('echo', { n: 2 }, r));
    expect(expired?.message).toBe('operation has timed out');
    c.emit('note', { n: 3 });
    c.connect();
    await until(() => s.got.length === 2, 'the buffered note');
    expect(s.got.map((g) => g.n)).toEqual([1, 3]);
  });

  it('comes back by itself when the link drops, and fails the timed acks that were in flight', async () => {
    const s = await server();
    const c = client(s.url);
    await next<void>((f) => c.on('connect', f));
    const inFlight = c.timeout(5000).emitWithAck('silent', { n: 1 });
    await until(() => s.got.length === 1, 'the silent event');
    const reason = next<string>((f) => c.on('disconnect', f));
    s.sockets[0]!.conn.close();
    expect(await reason).toBe('transport close');
    await expect(inFlight).rejects.toThrow('socket has been disconnected');
    expect(c.active).toBe(true);
    await next<void>((f) => c.on('connect', f));
    expect(c.connected).toBe(true);
    expect(s.sockets).toHaveLength(2);
    expect(await c.timeout(1000).emitWithAck('echo', { n: 4 })).toEqual({ n: 8 });
  });

  it('stays down after the server ends the connection or its middleware refuses, until told to connect', async () => {
    const s = await server();
    const c = client(s.url);
    await next<void>((f) => c.on('connect', f));
    const reason = next<string>((f) => c.on('disconnect', f));
    s.sockets[0]!.disconnect(true);
    expect(await reason).toBe('io server disconnect');
    expect(c.active).toBe(false);
    c.connect();
    await next<void>((f) => c.on('connect', f));

    const refused = client(s.url, { auth: () => ({ refuse: true }) });
    const err = await next<Error & { data?: { code?: string } }>((f) => refused.on('connect_error', f));
    expect(err.message).toBe('not you');
    expect(err.data).toEqual({ code: 'BLOCKED' });
    expect(refused.active).toBe(false);
    expect(refused.connected).toBe(false);
    s.accept();
    refused.connect();
    await next<void>((f) => refused.on('connect', f));
    expect(refused.connected).toBe(true);
  });

  it('answers the server heartbeat, so a quiet connection stays up', async () => {
    const s = await server({ pingInterval: 60, pingTimeout: 200 });
    const c = client(s.url);
    let drops = 0;
    c.on('disconnect', () => drops++);
    await next<void>((f) => c.on('connect', f));
    let pongs = 0;
    s.sockets[0]!.conn.on('packet', (p: { type: string }) => void (p.type === 'pong' && pongs++));
    await until(() => pongs >= 5, 'five pongs');
    expect(drops).toBe(0);
    expect(c.connected).toBe(true);
  });

  it('can be told to disconnect while its link is still opening, and quietly drops that link', async () => {
    const s = await server();
    const early = client(s.url);
    early.disconnect(); // the WebSocket is still CONNECTING: Node's ws reports an error a tick later
    const later = client(s.url);
    await next<void>((f) => later.on('connect', f));
    expect(early.connected).toBe(false);
    expect(later.connected).toBe(true);
    expect(s.sockets.filter((k) => k.connected)).toHaveLength(1);
  });

  it('notices a server that went silent (no ping within interval + timeout) and reconnects', async () => {
    // a raw Engine.IO peer that opens, connects the namespace, and then never pings
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    stops.push(() => new Promise<void>((r) => wss.close(() => r())));
    let opened = 0;
    wss.on('connection', (ws) => {
      opened++;
      ws.send(`0${JSON.stringify({ sid: `s${opened}`, upgrades: [], pingInterval: 100, pingTimeout: 100, maxPayload: 1e6 })}`);
      ws.on('message', (m) => String(m).startsWith('40/visitor,') && ws.send('40/visitor,{"sid":"x"}'));
    });
    const url = await listen(http);
    const c = client(url);
    await next<void>((f) => c.on('connect', f));
    const t0 = Date.now();
    expect(await next<string>((f) => c.on('disconnect', f))).toBe('ping timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    await until(() => opened === 2, 'a second connection');
  });

  it('encodes JSON as the standard says on a page that gave arrays a toJSON', async () => {
    const s = await server();
    const c = client(s.url);
    await next<void>((f) => c.on('connect', f));
    // the frame is built inside emit(), so the page's toJSON is there only for that call (the
    // server shares this process and must not see it)
    const proto = Array.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = () => 'twice-encoded';
    let answer: Promise<unknown>;
    try {
      answer = c.timeout(1000).emitWithAck('echo', { n: 21 });
      expect(proto.toJSON).toBeTypeOf('function');
    } finally {
      delete proto.toJSON;
    }
    expect(await answer).toEqual({ n: 42 });
  });
});
