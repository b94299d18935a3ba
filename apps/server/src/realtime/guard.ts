/**
 * Every inbound socket event goes through here: rate limit, parse with its schema, run, ack.
 * Bad input gets `{ ok: false, error }` with a stable code, is counted, and never throws.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { fail, ok, BeckonError, type AckData, type Result } from '@beckon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { TokenBucket } from './rate-limit';

export interface GuardContext {
  log: FastifyBaseLogger;
  now: () => number;
  counters: { rejected: number; rateLimited: number };
  /** per-socket event rate; LIMITS by default */
  eventRate: { perSecond: number; burst: number };
}

const buckets = new WeakMap<Socket, TokenBucket>();
/** refusals a socket may collect (as many again as its burst, refilled at its rate) before it is disconnected */
const strikes = new WeakMap<Socket, TokenBucket>();

function allowed(socket: Socket, ctx: GuardContext): boolean {
  let b = buckets.get(socket);
  if (!b) buckets.set(socket, (b = new TokenBucket(ctx.eventRate.perSecond, ctx.eventRate.burst, ctx.now())));
  if (b.take(ctx.now())) return true;
  // a client that keeps flooding after RATE_LIMITED is not a widget having a bad second: it goes
  let s = strikes.get(socket);
  if (!s) strikes.set(socket, (s = new TokenBucket(ctx.eventRate.perSecond, ctx.eventRate.burst, ctx.now())));
  if (!s.take(ctx.now())) {
    ctx.log.warn({ id: socket.id, nsp: socket.nsp.name }, 'socket disconnected: it kept flooding after RATE_LIMITED');
    socket.disconnect(true);
  }
  return false;
}

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A string with half a surrogate pair is not text: SQLite and JSON would store and send it
 * differently from what was acknowledged, so it is refused (VALIDATION_FAILED) at the boundary.
 */
export function loneSurrogate(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return LONE.test(v);
  if (depth > 8 || v === null || typeof v !== 'object') return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (loneSurrogate(x, depth + 1)) return true;
  return Array.isArray(v) ? false : Object.keys(v).some((k) => LONE.test(k));
}

/** What is wrong, in words: the first few issues (an empty coupon lacks both a title and a code). */
export function issuesText(error: z.ZodError): string {
  const said = [...new Set(error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`))];
  return said.length ? said.join('; ') : 'invalid payload';
}

/** One event through the guard: rate limit, parse, run, acknowledge. Never throws. */
async function guarded<S extends z.ZodType, T>(socket: Socket, ctx: GuardContext, event: string, schema: S, run: (data: z.output<S>) => Promise<Result<T> | T | void>, payload: unknown, ack: unknown): Promise<void> {
  const reply = typeof ack === 'function' ? (ack as (r: Result<T>) => void) : typeof payload === 'function' ? (payload as (r: Result<T>) => void) : null;
  if (!allowed(socket, ctx)) {
    ctx.counters.rateLimited++;
    reply?.(fail('RATE_LIMITED'));
    return;
  }
  const parsed = schema.safeParse(typeof payload === 'function' ? undefined : payload);
  if (parsed.success && loneSurrogate(parsed.data)) {
    ctx.counters.rejected++;
    reply?.(fail('VALIDATION_FAILED', 'text with a lone surrogate (half of a character) is not accepted'));
    return;
  }
  if (!parsed.success) {
    ctx.counters.rejected++;
    reply?.(fail('VALIDATION_FAILED', issuesText(parsed.error)));
    return;
  }
  try {
    const out = await run(parsed.data);
    if (!reply) return;
    if (out && typeof out === 'object' && 'ok' in out) reply(out as Result<T>);
    else reply(ok(out as T));
  } catch (e) {
    if (e instanceof BeckonError) {
      ctx.counters.rejected++;
      reply?.(fail(e.code, e.message));
      return;
    }
    ctx.log.error({ err: e, event }, 'socket handler failed');
    reply?.(fail('INTERNAL'));
  }
}

/** Registers `event` with a schema-checked handler. Handlers return a Result or throw BeckonError. */
export function handle<S extends z.ZodType, T>(socket: Socket, ctx: GuardContext, event: string, schema: S, run: (data: z.output<S>) => Promise<Result<T> | T | void>): void {
  socket.on(event, (payload: unknown, ack?: unknown) => guarded(socket, ctx, event, schema, run, payload, ack));
}

/** Events nobody registered: counted, and answered when the sender asked for an ack. */
export function rejectUnknown(socket: Socket, ctx: GuardContext, known: readonly string[]): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && known.includes(event)) return;
    ctx.counters.rejected++;
    const last = args[args.length - 1];
    if (typeof last === 'function') (last as (r: unknown) => void)(fail('UNKNOWN_EVENT'));
  });
}

/**
 * The handlers of one namespace, each with its schema from protocol's table and its
 * acknowledgement typed by protocol's event map; events not in the table are UNKNOWN_EVENT.
 *
 *   const on = handlers<VisitorClientEvents>()(socket, ctx, VisitorClientEventSchemas);
 *   on('message:send', async (p) => chat.visitorSend(me, p)); // p parsed; the result must fit the ack
 */
export function handlers<M>() {
  return <S extends { [K in keyof M]: z.ZodType }>(socket: Socket, ctx: GuardContext, schemas: S) => {
    rejectUnknown(socket, ctx, Object.keys(schemas));
    return <E extends keyof M & keyof S & string>(event: E, run: (data: z.output<S[E]>) => Promise<AckData<M[E]> | void>) => handle(socket, ctx, event, schemas[event], run);
  };
}

/**
 * A namespace's handlers written once for all its sockets: each socket gets one listener (not
 * one closure and context per event per socket: the widget's twenty events were most of a
 * visitor's heap beyond a bare socket's). Handlers get the socket (its `data` says who) and the
 * parsed payload; every event of the table must have one; others are UNKNOWN_EVENT.
 *
 *   const attach = eventTable<VisitorClientEvents>()(ctx, VisitorClientEventSchemas, {
 *     'message:send': async (socket, p) => chat.visitorSend(socket.data, p),
 *     …
 *   });
 *   ns.on('connection', (socket) => attach(socket));
 */
export function eventTable<M>() {
  return <S extends { [K in keyof M]: z.ZodType }, K extends Socket = Socket>(
    ctx: GuardContext,
    schemas: S,
    table: { [E in keyof M & keyof S & string]-?: (socket: K, data: z.output<S[E]>) => Promise<AckData<M[E]> | void> },
  ) => {
    const runs = new Map<string, { schema: z.ZodType; run: (socket: K, data: unknown) => Promise<unknown> }>();
    for (const event of Object.keys(schemas)) runs.set(event, { schema: schemas[event as keyof S], run: table[event as keyof typeof table] as (socket: K, data: unknown) => Promise<unknown> });
    return (socket: K) => {
      socket.onAny((event: unknown, ...args: unknown[]) => {
        const h = typeof event === 'string' ? runs.get(event) : undefined;
        if (!h) {
          ctx.counters.rejected++;
          const last = args[args.length - 1];
          if (typeof last === 'function') (last as (r: unknown) => void)(fail('UNKNOWN_EVENT'));
          return;
        }
        guarded(socket, ctx, event as string, h.schema, (data) => h.run(socket, data), args[0], args[1]).catch((err: unknown) => ctx.log.error({ err, event }, 'socket handler failed'));
      });
    };
  };
}
