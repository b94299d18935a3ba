/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside whichever
 * commit pushes the WAL past 1,000 pages: that commit copies the pages into the database file
 * and waits for fsync, on the event loop. Under the 10,000-visitor benchmark this was most of the
 * cost of a commit (a commit of 135 journey rows: 24.7 µs a row inline against 9.7 µs without
 * the checkpoint; `bench/` and packages/db/test/checkpoint.test.ts).
 *
 * A worker thread with its own connection runs a PASSIVE checkpoint every CHECKPOINT_MS, which
 * waits for nothing and blocks nobody. The writer's automatic checkpoint stays as the safety net,
 * only far later (INLINE_CHECKPOINT_PAGES): if the thread dies or falls behind, the WAL still
 * cannot grow without bound, and a thread that fails puts the normal threshold back.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_MS = 1000;
/** the writer checkpoints by itself only once the WAL holds this many pages (~80 MB) */
export const INLINE_CHECKPOINT_PAGES = 20_000;
const SQLITE_DEFAULT_PAGES = 1000;

export interface CheckpointStats {
  runs: number;
  frames: number;
}

export class Checkpointer {
  private readonly worker: Worker;
  private readonly started: Promise<void>;
  private failed = false;
  private stopped: Promise<void> | null = null;

  constructor(
    file: string,
    private readonly sqlite: Database.Database,
    opts: { synchronous: 'NORMAL' | 'FULL'; everyMs?: number; onError?: (err: Error) => void },
  ) {
    // plain JavaScript: none of the process's loaders (tsx) in the thread, which saves their memory
    this.worker = new Worker(new URL('./sqlite-checkpoint-worker.cjs', import.meta.url), { execArgv: [], workerData: { file, synchronous: opts.synchronous, everyMs: opts.everyMs ?? CHECKPOINT_MS } });
    // the store's close() stops it; a process that never closes its store is not kept alive by it
    this.worker.unref();
    sqlite.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    this.started = new Promise((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.on('error', (err: unknown) => {
      this.fallBack();
      // SQLite's errors cross the thread as plain objects: { code }
      const code = (err as { code?: unknown } | null)?.code;
      opts.onError?.(err instanceof Error ? err : new Error(`checkpoint thread: ${typeof code === 'string' ? code : String(err)}`));
    });
    this.worker.once('exit', () => this.fallBack());
  }

  /** the writer checkpoints by itself again, at SQLite's own threshold */
  private fallBack(): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
  }

  /** checkpoint now, on the thread, and say how many it has run (tests, the benchmark) */
  async now(): Promise<CheckpointStats> {
    if (this.stopped) throw new Error('the checkpoint thread is stopped');
    this.worker.ref();
    await this.started;
    if (this.failed) throw new Error('the checkpoint thread is not running');
    return new Promise((resolve) => {
      const on = (m: unknown) => {
        if (typeof m === 'object' && m !== null && 'runs' in m) {
          this.worker.off('message', on);
          this.worker.unref();
          resolve(m as CheckpointStats);
        }
      };
      this.worker.on('message', on);
      this.worker.postMessage('now');
    });
  }

  /** the thread closes its connection and ends; before the writer's connection closes */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      // waited for: an unreferenced thread would let the process end in the middle of this
      this.worker.ref();
      await this.started;
      if (this.failed) return;
      const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
      this.worker.postMessage('stop');
      await exited;
    })();
    return this.stopped;
  }
}
