/**
 * The widget's side of the Socket.IO wire: protocol 5 over Engine.IO 4, on one WebSocket.
 *
 * socket.io-client with engine.io-client was 11 KB of the loader's 15.7 KB (gzip), for a widget
 * that uses a small part of them: one namespace, JSON events, acks (some with a timeout), a
 * buffer while the connection is away, the server's heartbeat, and reconnection with backoff.
 * This is that part, with socket.io-client's semantics where the widget relies on them:
 * - emits made while disconnected wait and go out, in order, once the namespace is connected;
 *   one whose timeout passes first is dropped from the buffer;
 * - when the connection drops, timed acks of frames already sent fail at once ("socket has been
 *   disconnected"); plain acks are forgotten;
 * - a refusal by the server's middleware (`connect_error` with `data`) and the server ending the
 *   connection ("io server disconnect") leave the socket inactive: no automatic reconnection;
 * - any other loss reconnects after ~1 s, doubling (±50 %) up to `delayMax`.
 * The server is plain Socket.IO; the console and the tests keep socket.io-client.
 */
import { stringify } from './json-safe';

type Fn = (...a: any[]) => void;
type Ack = Fn & { timed?: boolean };

export interface WireOptions {
  /** the handshake's `auth`, asked for again at every (re)connection */
  auth: () => Record<string, unknown>;
  /** the longest wait between reconnection attempts, ms */
  delayMax?: number;
  /** outside a browser (tests): a WHATWG-style WebSocket class */
  WebSocket?: typeof WebSocket;
}

type Last<A extends unknown[]> = A extends [...unknown[], infer L] ? L : never;
type Timed<A extends unknown[]> = A extends [...infer P, (...r: infer R) => void] ? [...P, (err: Error | null, ...r: R) => void] : A;
type Payload<A extends unknown[]> = A extends [...infer P, Fn] ? P : never;
type Answer<A extends unknown[]> = A extends [...unknown[], (r: infer R) => void] ? R : never;
type Params<C, E extends keyof C> = C[E] extends Fn ? Parameters<C[E]> : never;

/** A socket.io-client-shaped handle: what the widget calls on its socket. */
export interface Wire<S extends object, C extends object> {
  readonly connected: boolean;
  /** it will (re)connect by itself */
  readonly active: boolean;
  on<E extends keyof S & string>(ev: E, fn: S[E]): void;
  on(ev: 'connect', fn: () => void): void;
  on(ev: 'disconnect', fn: (reason: string) => void): void;
  on(ev: 'connect_error', fn: (err: Error & { data?: { code?: string } }) => void): void;
  emit<E extends keyof C & string>(ev: E, ...args: Params<C, E>): void;
  /** the ack is called with an Error if no answer comes within `ms` */
  timeout(ms: number): {
    emit<E extends keyof C & string>(ev: E, ...args: Last<Params<C, E>> extends Fn ? Timed<Params<C, E>> : never): void;
    /** the answer, or a rejection after `ms` or when the connection drops first */
    emitWithAck<E extends keyof C & string>(ev: E, ...args: Payload<Params<C, E>>): Promise<Answer<Params<C, E>>>;
  };
  connect(): void;
  disconnect(): void;
}

export function wire<S extends object, C extends object>(base: string, nsp: string, o: WireOptions): Wire<S, C> {
  const Ws = o.WebSocket || WebSocket;
  const url = base.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
  const head = nsp + ',';
  const handlers: Record<string, Fn[]> = {};
  const acks = new Map<number, Ack>();
  /** frames emitted while not connected: [ack id, frame] */
  let waiting: [number | undefined, string][] = [];
  let ws: WebSocket | null = null;
  let connected = false;
  let active = false;
  let ackId = 0;
  let tries = 0;
  /** silence longer than this (the server's ping interval + timeout) means the link is dead */
  let silence = 20_000;
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const fire = (ev: string, ...a: unknown[]) => {
    for (const f of (handlers[ev] || []).slice()) f(...a);
  };

  function open() {
    clearTimeout(retry);
    const s = new Ws(url);
    ws = s;
    beat();
    s.onmessage = (m) => {
      if (s !== ws) return;
      try {
        receive(String(m.data));
      } catch {
        lost('parse error');
      }
    };
    s.onclose = () => s === ws && lost('transport close');
    // a close follows every error; Node's ws throws an error nobody listens for (a link dropped while connecting)
    s.onerror = () => {};
  }

  function beat() {
    clearTimeout(heartbeat);
    heartbeat = setTimeout(() => lost('ping timeout'), silence);
  }

  /** closes the current link; true if the namespace was connected */
  function drop() {
    const s = ws;
    const was = connected;
    ws = null;
    connected = false;
    clearTimeout(heartbeat);
    if (s) {
      s.onmessage = s.onclose = null;
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
    for (const [id, f] of acks)
      if (!waiting.some((w) => w[0] === id)) {
        acks.delete(id);
        if (f.timed) f(new Error('socket has been disconnected'));
      }
    return was;
  }

  function lost(reason: string) {
    if (drop()) fire('disconnect', reason);
    else fire('connect_error', new Error(reason));
    if (active) {
      const d = 1000 * 2 ** tries++;
      retry = setTimeout(open, Math.min(d * (0.5 + Math.random()), o.delayMax || 5000));
    }
  }

  function receive(frame: string) {
    beat();
    const t = frame[0];
    if (t === '0') {
      const h = JSON.parse(frame.slice(1)) as { pingInterval: number; pingTimeout: number };
      silence = h.pingInterval + h.pingTimeout;
      beat();
      ws!.send('40' + head + stringify(o.auth()));
    } else if (t === '2') ws!.send('3');
    else if (t === '1') lost('transport close');
    else if (t === '4' && frame.startsWith(head, 2)) {
      const rest = frame.slice(2 + head.length);
      const digits = /^\d*/.exec(rest)![0];
      const data = rest.length > digits.length ? JSON.parse(rest.slice(digits.length)) : undefined;
      const type = frame[1];
      if (type === '0') {
        connected = true;
        tries = 0;
        const out = waiting;
        waiting = [];
        for (const w of out) ws!.send(w[1]);
        fire('connect');
      } else if (type === '2' && Array.isArray(data)) fire(...(data as [string, ...unknown[]]));
      else if (type === '3') {
        const f = acks.get(+digits);
        acks.delete(+digits);
        f?.(null, ...(data as unknown[]));
      } else if (type === '1') {
        active = false;
        lost('io server disconnect');
      } else if (type === '4') {
        // refused by the server's middleware: not retried by itself (socket.io-client does the same)
        active = false;
        drop();
        fire('connect_error', Object.assign(new Error(data?.message), { data: data?.data }));
      }
    }
  }

  function emit(ev: string, args: unknown[], ms?: number) {
    let id: number | undefined;
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const cb = last as Fn;
      const n = (id = ackId++);
      args = args.slice(0, -1);
      let ack: Ack;
      if (ms === undefined) ack = (_: null, ...r: unknown[]) => cb(...r);
      else {
        const timer = setTimeout(() => {
          acks.delete(n);
          waiting = waiting.filter((w) => w[0] !== n);
          cb(new Error('operation has timed out'));
        }, ms);
        ack = (err: Error | null, ...r: unknown[]) => {
          clearTimeout(timer);
          cb(err, ...r);
        };
        ack.timed = true;
      }
      acks.set(n, ack);
    }
    const frame = '42' + head + (id ?? '') + stringify([ev, ...args]);
    if (connected) ws!.send(frame);
    else waiting.push([id, frame]);
  }

  // the browser knows first when the network goes (engine.io-client listens too); when it is back, try at once
  if (typeof addEventListener === 'function') {
    addEventListener('offline', () => ws && lost('transport close'));
    addEventListener('online', () => {
      if (active && !ws) {
        tries = 0;
        open();
      }
    });
  }

  const socket = {
    get connected() {
      return connected;
    },
    get active() {
      return active;
    },
    on(ev: string, fn: Fn) {
      (handlers[ev] = handlers[ev] || []).push(fn);
    },
    emit: (ev: string, ...args: unknown[]) => emit(ev, args),
    timeout: (ms: number) => ({
      emit: (ev: string, ...args: unknown[]) => emit(ev, args, ms),
      emitWithAck: (ev: string, ...args: unknown[]) => new Promise((ok, fail) => emit(ev, [...args, (err: Error | null, r: unknown) => (err ? fail(err) : ok(r))], ms)),
    }),
    connect() {
      active = true;
      if (!ws) open();
    },
    disconnect() {
      active = false;
      clearTimeout(retry);
      if (connected) ws!.send('41' + head);
      if (drop()) fire('disconnect', 'io client disconnect');
    },
  };
  socket.connect();
  return socket as unknown as Wire<S, C>;
}
