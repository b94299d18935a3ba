/**
 * One commit for the hot writes of one turn of the event loop. A commit costs more than the
 * insert or update it closes (the WAL frame, its header, the lock): an operator answering a dozen
 * chats at once, or thousands of offers shown, expiring and dismissed in the same second, each
 * paid one. Each write runs in a savepoint of its own, so one that fails fails alone, in the
 * order they were asked for; each caller hears only once the commit is done, so nothing is
 * reported stored that a failed commit lost.
 */
import type Database from 'better-sqlite3';

interface Job {
  fn: () => unknown;
  resolve: (v: never) => void;
  reject: (e: unknown) => void;
  /** what `fn` gave, or threw (`failed`), kept until the commit is done */
  out: unknown;
  failed: boolean;
}

export class TurnCommit {
  private queue: (Job | null)[] = [];
  private spare: (Job | null)[] = [];
  /** jobs waiting in `queue` */
  private count = 0;
  /** built once: better-sqlite3's transaction() makes a new wrapper per call */
  private readonly one: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly group: Database.Transaction<(each: () => void) => void>;

  constructor(private readonly sqlite: Database.Database) {
    // on its own a transaction; inside the group a savepoint
    this.one = sqlite.transaction((fn) => fn());
    this.group = sqlite.transaction((each) => each());
  }

  /** `fn` (synchronous statements) in this turn's commit; resolves with its result after the commit */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue[this.count++] = { fn, resolve: resolve as (v: never) => void, reject, out: undefined, failed: false };
      if (this.count === 1) setImmediate(() => this.commit());
    });
  }

  /** commits what waits now (a close calls it) */
  commit(): void {
    // two arrays taken in turn, kept at the size a busy turn needs: a turn of hundreds of offers
    // grew a new array every time, and its larger copies outlived the turn into the old generation
    const batch = this.queue;
    const n = this.count;
    this.queue = this.spare;
    this.count = 0;
    this.spare = batch;
    if (!n) return;
    try {
      this.settle(batch, n);
    } finally {
      batch.fill(null, 0, n);
    }
  }

  private settle(batch: (Job | null)[], n: number): void {
    if (!this.sqlite.open) {
      for (let i = 0; i < n; i++) batch[i]!.reject(new TypeError('The database connection is not open'));
      return;
    }
    if (n === 1) {
      // alone in its turn (a quiet server, one append at a time): the transaction is its own, no savepoint
      const j = batch[0]!;
      let r: unknown;
      try {
        r = this.group.immediate(j.fn);
      } catch (err) {
        return j.reject(err);
      }
      return j.resolve(r as never);
    }
    try {
      this.group.immediate(() => {
        for (let i = 0; i < n; i++) {
          const j = batch[i]!;
          try {
            j.out = this.one(j.fn);
          } catch (err) {
            // a failure SQLite ended the whole transaction for (a full disk, a lost lock): none is stored
            if (!this.sqlite.inTransaction) throw err;
            j.out = err;
            j.failed = true;
          }
        }
      });
    } catch (err) {
      // the commit itself failed (the file is locked): none of them is stored
      for (let i = 0; i < n; i++) batch[i]!.reject(err);
      return;
    }
    for (let i = 0; i < n; i++) {
      const j = batch[i]!;
      if (j.failed) j.reject(j.out);
      else j.resolve(j.out as never);
    }
  }
}
