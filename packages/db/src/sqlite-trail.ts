/**
 * The append-only analytics rows of the SQLite store — the visitors' journey trail and the
 * reasons an offer was held back — written in groups: rows wait at most `TRAIL_FLUSH_MS` (or
 * until `TRAIL_FLUSH_ROWS` are waiting) and then go in one transaction through prepared
 * statements, in arrival order. A commit costs about three row inserts, and 10,000 visitors
 * make a couple of thousand of these rows a second: one commit each was an eighth of a core.
 *
 * Nothing reads a stale table: every read or delete of these tables calls `flush()` first (one
 * process holds the file), and closing the store writes what is waiting.
 */
import type Database from 'better-sqlite3';

export const TRAIL_FLUSH_MS = 50;
export const TRAIL_FLUSH_ROWS = 1000;

export interface TrailJourneyRow {
  siteId: string;
  visitorId: string;
  type: string;
  data: Record<string, unknown>;
  at: number;
}
export interface TrailHoldRow {
  siteId: string;
  visitorId: string;
  ruleId: string;
  reason: string;
  at: number;
}

type Pending = { kind: 'journey'; row: TrailJourneyRow } | { kind: 'hold'; row: TrailHoldRow };

export class SqliteTrail {
  private readonly insertJourney: Database.Statement;
  private readonly insertHold: Database.Statement;
  private pending: Pending[] = [];
  /** settles when the waiting rows are committed: one per group, shared by every add in it */
  private group: { done: Promise<void>; resolve: () => void; reject: (e: Error) => void } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sqlite: Database.Database) {
    this.insertJourney = sqlite.prepare('insert into journey_events (site_id, visitor_id, type, data, at) values (?, ?, ?, ?, ?)');
    this.insertHold = sqlite.prepare('insert into offer_holds (site_id, visitor_id, rule_id, reason, at) values (?, ?, ?, ?, ?)');
  }

  /** resolves once the rows are committed (or rejects with the write's error) */
  journey(rows: TrailJourneyRow[]): Promise<void> {
    return this.add(rows.map((row) => ({ kind: 'journey' as const, row })));
  }

  holds(rows: TrailHoldRow[]): Promise<void> {
    return this.add(rows.map((row) => ({ kind: 'hold' as const, row })));
  }

  private add(rows: Pending[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    for (const r of rows) this.pending.push(r);
    if (!this.group) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.group = { done, resolve, reject };
    }
    const done = this.group.done;
    if (this.pending.length >= TRAIL_FLUSH_ROWS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), TRAIL_FLUSH_MS);
    return done;
  }

  /** writes every waiting row now, in one transaction (a no-op when nothing waits) */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending;
    const group = this.group;
    this.pending = [];
    this.group = null;
    try {
      this.sqlite
        .transaction(() => {
          for (const p of batch) {
            if (p.kind === 'journey') this.insertJourney.run(p.row.siteId, p.row.visitorId, p.row.type, JSON.stringify(p.row.data), p.row.at);
            else this.insertHold.run(p.row.siteId, p.row.visitorId, p.row.ruleId, p.row.reason, p.row.at);
          }
        })
        .immediate();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      group?.reject(err);
      return;
    }
    group?.resolve();
  }
}
