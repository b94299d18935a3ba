/**
 * The one place timers that matter live (DESIGN.md "deadline"): a due time is a row in the
 * store, so it survives a restart and any node may act on it; a node claims it with a
 * conditional update, runs the handler of its kind once, and deletes it. One in-process timer
 * wakes the scheduler at the earliest due time; a poll picks up rows other processes wrote.
 *
 *   scheduler.on('no_answer', async (key, payload) => …);
 *   await scheduler.at('no_answer', conversationId, now + 30_000);
 *   await scheduler.cancel('no_answer', conversationId); // answered in time
 */
import { background } from './background';
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { DeadlineRow, DeadlineStore } from '@beckon/db';
import type { Clock, Timer } from './clock';
import { Rounds } from './rounds';

export type DeadlineHandler = (key: string, payload: Record<string, unknown> | null, row: DeadlineRow) => Promise<void>;

export interface SchedulerOptions {
  /** how often rows written by other processes (or left by a dead one) are looked for */
  pollMs?: number;
  /** a claim older than this is taken over: its holder died while acting on it */
  leaseMs?: number;
  /** rows acted on per round */
  batch?: number;
}

export class Scheduler {
  readonly owner = randomBytes(8).toString('hex');
  private readonly handlers = new Map<string, DeadlineHandler>();
  private timer: Timer | null = null;
  private wakeAt = Infinity;
  private stopped = true;
  private readonly rounds: Rounds;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;

  constructor(
    private readonly store: DeadlineStore,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    opts: SchedulerOptions = {},
  ) {
    this.rounds = new Rounds(() => this.round(), log, 'scheduler round', () => this.stopped);
    this.pollMs = opts.pollMs ?? 30_000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.batch = opts.batch ?? 100;
  }

  on(kind: string, handler: DeadlineHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Acts on whatever fell due while no process was running, then keeps going. */
  start(): Promise<void> {
    this.stopped = false;
    return this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.wakeAt = Infinity;
  }

  /** Set (or move) the due time of (kind, key). */
  async at(kind: string, key: string, dueAt: number, payload: Record<string, unknown> | null = null, opts: { keepExisting?: boolean } = {}): Promise<void> {
    await this.store.put({ kind, key, dueAt, payload }, opts);
    this.arm(dueAt);
  }

  cancel(kind: string, key: string): Promise<void> {
    return this.store.cancel(kind, key);
  }

  /** Resolves once the round under way (if any) is over: tests, shutdown. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  /** Claims and acts on every due row; re-arms for the next. Rounds never overlap. */
  tick(): Promise<void> {
    return this.rounds.run();
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = null;
    this.wakeAt = Infinity;
    for (let n = 0; n < 50 && !this.stopped; n++) {
      const due = await this.store.claim(this.clock.now(), this.owner, this.leaseMs, this.batch);
      for (const row of due) {
        const handler = this.handlers.get(row.kind);
        try {
          if (handler) await handler(row.key, row.payload, row);
          else this.log.warn({ kind: row.kind }, 'a deadline of a kind nobody handles');
        } catch (err) {
          // a failed handler leaves its claim: the row is taken up again after the lease
          this.log.error({ err, kind: row.kind, key: row.key }, 'deadline handler failed');
          continue;
        }
        await this.store.done(row, this.owner);
      }
      if (due.length < this.batch) break;
      // thousands due at once (offers shown together expire together): sockets get their turn between batches
      await new Promise<void>((r) => setImmediate(r));
    }
    if (this.stopped) return;
    const next = await this.store.next(this.clock.now(), this.leaseMs);
    this.arm(Math.min(next ?? Infinity, this.clock.now() + this.pollMs));
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.wakeAt) return;
    this.timer?.cancel();
    this.wakeAt = at;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.wakeAt = Infinity;
      background(this.tick(), this.log, 'scheduler round');
    }, at - this.clock.now());
  }
}
