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

export class SqliteTrail {
  private readonly insertJourney: Database.Statement;
  private readonly insertHold: Database.Statement;
  /** waiting rows of each table, in arrival order (the rows as given: nothing is made per row) */
  private journeys: TrailJourneyRow[] = [];
  private holdRows: TrailHoldRow[] = [];
  /** settles when the waiting rows are committed: one per group, shared by every add in it */
  private group: { done: Promise<void>; resolve: () => void; reject: (e: Error) => void } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sqlite: Database.Database) {
    this.insertJourney = sqlite.prepare('insert into journey_events (site_id, visitor_id, type, data, at) values (?, ?, ?, ?, ?)');
    this.insertHold = sqlite.prepare('insert into offer_holds (site_id, visitor_id, rule_id, reason, at) values (?, ?, ?, ?, ?)');
  }

  /**
   * Resolves once the rows are committed (or rejects with the write's error): the same promise
   * for every add of one group, so a caller can listen once per group rather than once per add.
   */
  journey(rows: TrailJourneyRow[]): Promise<void> {
    for (const r of rows) this.journeys.push(r);
    return this.added(rows.length);
  }

  holds(rows: TrailHoldRow[]): Promise<void> {
    for (const r of rows) this.holdRows.push(r);
    return this.added(rows.length);
  }

  private get waiting(): number {
    return this.journeys.length + this.holdRows.length;
  }

  private added(n: number): Promise<void> {
    if (!n) return Promise.resolve();
    if (!this.group) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.group = { done, resolve, reject };
    }
    const done = this.group.done;
    if (this.waiting >= TRAIL_FLUSH_ROWS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), TRAIL_FLUSH_MS);
    return done;
  }

  /** writes every waiting row now, in one transaction (a no-op when nothing waits) */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.waiting) return;
    const journeys = this.journeys;
    const holds = this.holdRows;
    const group = this.group;
    this.journeys = [];
    this.holdRows = [];
    this.group = null;
    try {
      this.sqlite
        .transaction(() => {
          for (const r of journeys) this.insertJourney.run(r.siteId, r.visitorId, r.type, JSON.stringify(r.data), r.at);
          for (const r of holds) this.insertHold.run(r.siteId, r.visitorId, r.ruleId, r.reason, r.at);
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
