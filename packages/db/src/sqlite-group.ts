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
}

export class TurnCommit {
  private queue: Job[] = [];
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
      if (this.queue.push({ fn, resolve: resolve as (v: never) => void, reject }) === 1) setImmediate(() => this.commit());
    });
  }

  /** commits what waits now (a close calls it) */
  commit(): void {
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    if (!this.sqlite.open) {
      for (const j of batch) j.reject(new TypeError('The database connection is not open'));
      return;
    }
    if (batch.length === 1) {
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
    const out: ({ ok: unknown } | { err: unknown })[] = [];
    try {
      this.group.immediate(() => {
        for (const j of batch) {
          try {
            out.push({ ok: this.one(j.fn) });
          } catch (err) {
            // a failure SQLite ended the whole transaction for (a full disk, a lost lock): none is stored
            if (!this.sqlite.inTransaction) throw err;
            out.push({ err });
          }
        }
      });
    } catch (err) {
      // the commit itself failed (the file is locked): none of them is stored
      for (const j of batch) j.reject(err);
      return;
    }
    batch.forEach((j, i) => {
      const r = out[i]!;
      if ('ok' in r) j.resolve(r.ok as never);
      else j.reject(r.err);
    });
  }
}
