/**
 * Several Beckon nodes behind one balancer (docs/SCALING.md): Socket.IO's Redis Streams adapter
 * carries every room broadcast to the nodes holding its sockets (and keeps connection-state
 * recovery), and its server-side emits carry what the nodes tell each other — presence, the
 * visitors board, invitations on screen, places in line.
 *
 * Without BECKON_REDIS_URL there is one node and `Link` is the local one: nothing is sent and
 * nothing is heard, so every caller works the same on its own.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server } from 'socket.io';
import type { FastifyBaseLogger } from 'fastify';

/** what the nodes tell each other, by type */
export interface ClusterMessages {
  /** a node's operators: [account, chosen status, console tabs, chosen at, last assigned at] */
  presence: { entries: [string, string, number, number, number][] };
  /** a node starts: everyone sends what it holds right away */
  hello: Record<string, never>;
  /** a node stops: forget what it held */
  bye: Record<string, never>;
  /** a site's live visitors on the sender: changed views and the ids of those gone, or all of them */
  board: { siteId: string; full: boolean; visitors: unknown[]; gone: string[] };
  /** invitations on screen on the sender, per site (each holds an operator slot cluster-wide) */
  invites: { counts: [string, number][] };
  /** a site's rules, settings or operators changed on the sender, or it was deleted: caches here are read again */
  site: { siteId: string; kind: 'rules' | 'changed' | 'deleted' };
  /** the sites whose visitors board someone watches on the sender (only those boards are sent there) */
  watching: { siteIds: string[] };
  /** an offer recorded for a visitor on the sender (`until`: on screen until then; null: a holdout) */
  offer: { visitorId: string; record: { id: string; ruleId: string | null; at: number; sessionStartedAt: number; dismissedAt: number | null; holdout: boolean }; until: number | null };
  /** that offer left the screen (dismissed at, or null: accepted, expired, replaced) */
  offerEnd: { visitorId: string; offerId: string; dismissedAt: number | null };
  /** a visitor's data was erased on the sender */
  erased: { visitorId: string };
  /** places in line of a site's queue as the sender just computed them */
  queue: { siteId: string; entries: [string, number, number | null, boolean][] };
}

type Handler<K extends keyof ClusterMessages> = (from: string, data: ClusterMessages[K]) => void;

/** how often a node speaks (at least), and how long after its last word it is taken for gone */
export const BEAT_MS = 2000;
export const PEER_TTL_MS = 7000;

export class Link {
  readonly nodeId: string;
  private readonly handlers = new Map<string, Set<(from: string, data: unknown) => void>>();
  private io: Server | null = null;
  /** the other nodes, and when each last spoke */
  private readonly peers = new Map<string, number>();
  private readonly joined: ((node: string) => void)[] = [];
  private readonly left: ((node: string) => void)[] = [];
  private readonly beats: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  readonly clustered: boolean;

  constructor(
    /** null: a single node; nothing leaves it */
    private readonly redis: RedisLink | null,
    nodeId?: string,
  ) {
    this.clustered = !!redis;
    this.nodeId = nodeId ?? randomBytes(6).toString('hex');
    // Redis came back: what was said meanwhile may be lost, so everything is said again, and the
    // others are given their full time to speak before any of them is taken for gone
    redis?.onReady(() => {
      const now = Date.now();
      for (const node of this.peers.keys()) this.peers.set(node, now);
      for (const fn of this.joined) fn('*');
    });
  }

  /** wire to the Socket.IO server whose adapter reaches the other nodes */
  attach(io: Server): void {
    if (!this.clustered) return;
    this.io = io;
    // the default namespace refuses every client; it is only the nodes' channel
    io.of('/').on('beckon', (msg: { from: string; type: string; data: unknown }) => {
      if (!msg || typeof msg.from !== 'string' || msg.from === this.nodeId) return;
      if (msg.type === 'bye') return this.gone(msg.from);
      const known = this.peers.has(msg.from);
      this.peers.set(msg.from, Date.now());
      // a node heard for the first time (started, or back after Redis was away): it gets everything
      if (!known) for (const fn of this.joined) fn(msg.from);
      for (const fn of this.handlers.get(msg.type) ?? []) fn(msg.from, msg.data);
    });
  }

  /** say hello, then beat: each beat every part sends what it holds, and silent peers are let go */
  start(): void {
    if (!this.io || this.timer) return;
    this.send('hello', {});
    this.timer = setInterval(() => {
      for (const fn of this.beats) fn();
      // while Redis is away nobody can be heard: silence then says nothing about the others
      if (!this.redis?.ready()) return;
      const now = Date.now();
      for (const [node, at] of this.peers) if (now - at > PEER_TTL_MS) this.gone(node);
    }, BEAT_MS);
    this.timer.unref();
  }

  /**
   * Resolves once another node has spoken (they answer a hello at once), or after `ms` if none
   * does: a node that starts learns who is online elsewhere before it acts on deadlines.
   */
  listened(ms: number): Promise<void> {
    if (!this.io) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(res, ms);
      t.unref();
      this.joined.push(() => {
        clearTimeout(t);
        // the others' answers arrive together: a moment for the rest of them
        setTimeout(res, 200).unref();
      });
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.send('bye', {});
    // nothing after goodbye: the tabs closing next would otherwise make this node a new peer again
    this.io = null;
  }

  private gone(node: string): void {
    if (!this.peers.delete(node)) return;
    for (const fn of this.left) fn(node);
  }

  /** another node appeared (or came back, or Redis did: node '*'): send what this one holds */
  onJoin(fn: (node: string) => void): void {
    this.joined.push(fn);
  }
  /** a node said goodbye, or has been silent too long: forget what it held */
  onLeave(fn: (node: string) => void): void {
    this.left.push(fn);
  }
  /** every beat */
  onBeat(fn: () => void): void {
    this.beats.push(fn);
  }
  /** nodes heard from lately */
  peerCount(): number {
    return this.peers.size;
  }

  send<K extends keyof ClusterMessages>(type: K, data: ClusterMessages[K]): void {
    // while Redis is away it is dropped: every part says all it holds again when Redis is back
    if (!this.io || !this.redis?.ready()) return;
    this.io.of('/').serverSideEmit('beckon', { from: this.nodeId, type, data });
  }

  on<K extends keyof ClusterMessages>(type: K, fn: Handler<K>): void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(fn as (from: string, data: unknown) => void);
  }
}

export interface RedisLink {
  /** for the rate limiters */
  client: Redis;
  adapter: ReturnType<typeof createAdapter>;
  ready(): boolean;
  onReady(fn: () => void): void;
  close(): Promise<void>;
}

/** broadcasts kept while Redis is away, to be published when it is back (the oldest go first past this) */
const OUTAGE_KEEP = 20_000;

/**
 * One connection to Redis (the adapter duplicates it to read the stream and for pub/sub). A Redis
 * out of reach is retried for ever with a backoff and said once per outage in the log, and the
 * node goes on serving its own sockets:
 * - a broadcast reaches this node's sockets at once (the adapter delivers locally after its
 *   publish fails, and the publish fails at once rather than wait for Redis), and is published to
 *   the others when Redis is back, in order: their sockets get what they missed, late, not never;
 * - the stream reader waits (its commands queue) and resumes where it was.
 */
export async function connectRedis(url: string, log: FastifyBaseLogger): Promise<RedisLink> {
  // loaded only when there is a Redis to talk to: a single node never loads them (issue 9 §5)
  const [{ Redis }, { createAdapter }] = await Promise.all([import('ioredis'), import('@socket.io/redis-streams-adapter')]);
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (n) => Math.min(200 * n, 2000),
    connectionName: 'beckon',
  });
  let down = false;
  let kept: unknown[][] = [];
  let dropped = 0;
  const readyFns: (() => void)[] = [];
  client.on('error', (err) => {
    if (down) return;
    down = true;
    log.warn({ err: err.message }, 'redis: out of reach, retrying');
  });
  client.on('ready', () => {
    const replay = kept;
    kept = [];
    for (const args of replay) client.xadd(...(args as [string, ...string[]])).catch((err: Error) => log.warn({ err: err.message }, 'redis: a kept broadcast was not published'));
    if (down) log.info({ published: replay.length, dropped }, 'redis: back');
    down = false;
    dropped = 0;
    for (const fn of readyFns) fn();
  });
  const away = () => Promise.reject(new Error('redis is out of reach'));
  // what the adapter publishes with: fails at once while Redis is away (broadcasts are kept)
  const publisher = new Proxy(client, {
    get(t, prop) {
      if (prop === 'xadd')
        return (...args: unknown[]) => {
          if (t.status === 'ready') return t.xadd(...(args as [string, ...string[]]));
          kept.push(args);
          if (kept.length > OUTAGE_KEEP) {
            kept.shift();
            dropped++;
          }
          return away();
        };
      if (prop === 'publish' || prop === 'spublish' || prop === 'set' || prop === 'getdel' || prop === 'xrange' || prop === 'pubsub') {
        const fn = Reflect.get(t, prop) as (...a: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => (t.status === 'ready' ? fn.apply(t, args) : away());
      }
      const v = Reflect.get(t, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return {
    client,
    adapter: createAdapter(publisher, { streamName: 'beckon', channelPrefix: 'beckon', maxLen: 50_000 }),
    ready: () => client.status === 'ready',
    onReady: (fn) => readyFns.push(fn),
    async close() {
      client.disconnect();
    },
  };
}
