/**
 * Deadlines in SQLite (DESIGN.md "Production … what survives a restart"): due times are rows,
 * claimed with a conditional update so two processes never act on one twice.
 */
import type Database from 'better-sqlite3';
import { and, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as s from './schema';
import { perLimit } from './sqlite-limit';
import type { DeadlineRow, DeadlineStore } from './store';
import type { TurnCommit } from './sqlite-group';

type Db = BetterSQLite3Database<typeof s>;
const d = s.deadlines;

const ph = sql.placeholder;

export class SqliteDeadlines implements DeadlineStore {
  // one written per offer shown and per assignment: prepared once
  private readonly upsert;
  private readonly insertNew;
  private readonly remove;

  // what the scheduler runs each round and per deadline (claim, take, finish), plain statements
  // prepared once: drizzle built and prepared each of them per call
  private readonly nextDue;
  private readonly due;
  private readonly take;
  private readonly finish;

  /** a claim round: its takes in one transaction */
  private readonly claimAll;

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
    /** puts, cancels and finishes share the turn's commit (one per offer shown, expired, dismissed) */
    private readonly turn: TurnCommit,
  ) {
    const free = '(claimed_at is null or claimed_at < ?)';
    this.nextDue = sqlite.prepare<[number], number | null>(`select min(due_at) from deadlines where ${free}`).pluck();
    this.due = perLimit((t) => sqlite.prepare<[number, number], { kind: string; key: string; dueAt: number; payload: string | null }>(t), `select kind, key, due_at as dueAt, payload from deadlines where due_at <= ? and ${free} order by due_at limit $limit`);
    this.take = sqlite.prepare<[number, string, string, string, number, number]>(`update deadlines set claimed_at = ?, claimed_by = ? where kind = ? and key = ? and due_at = ? and ${free}`);
    this.finish = sqlite.prepare<[string, string, number, string]>('delete from deadlines where kind = ? and key = ? and due_at = ? and claimed_by = ?');
    const values = { kind: ph('kind'), key: ph('key'), dueAt: ph('dueAt'), payload: ph('payload'), claimedAt: null, claimedBy: null };
    // a new due time replaces the old one and any claim of it (the holder's `done` then finds no match)
    this.upsert = db
      .insert(d)
      .values(values)
      .onConflictDoUpdate({ target: [d.kind, d.key], set: { dueAt: sql`excluded.due_at`, payload: sql`excluded.payload`, claimedAt: null, claimedBy: null } })
      .prepare();
    this.insertNew = db.insert(d).values(values).onConflictDoNothing().prepare();
    this.remove = db.delete(d).where(and(eq(d.kind, ph('kind')), eq(d.key, ph('key')))).prepare();
    this.claimAll = sqlite.transaction((now: number, owner: string, stale: number, limit: number) => {
      const claimed: DeadlineRow[] = [];
      for (const r of this.due(limit).all(now, stale)) {
        // only if nobody claimed (or rescheduled) it in between
        if (this.take.run(now, owner, r.kind, r.key, r.dueAt, stale).changes) claimed.push({ kind: r.kind, key: r.key, dueAt: r.dueAt, payload: r.payload === null ? null : (JSON.parse(r.payload) as Record<string, unknown>) });
      }
      return claimed;
    });
  }

  async put(row: DeadlineRow, opts: { keepExisting?: boolean } = {}) {
    const p = { kind: row.kind, key: row.key, dueAt: row.dueAt, payload: row.payload };
    await this.turn.run(() => (opts.keepExisting ? this.insertNew : this.upsert).run(p));
  }
  async cancel(kind: string, key: string) {
    await this.turn.run(() => this.remove.run({ kind, key }));
  }
  async get(kind: string, key: string) {
    const r = this.db.select().from(d).where(and(eq(d.kind, kind), eq(d.key, key))).get();
    return r ? { kind: r.kind, key: r.key, dueAt: r.dueAt, payload: r.payload ?? null } : null;
  }
  async next(now: number, leaseMs: number) {
    return (this.nextDue.get(now - leaseMs) as number | null | undefined) ?? null;
  }
  async claim(now: number, owner: string, leaseMs: number, limit: number) {
    // one commit for the round (a storm claims hundreds)
    return this.claimAll.immediate(now, owner, now - leaseMs, limit);
  }
  async done(row: Pick<DeadlineRow, 'kind' | 'key' | 'dueAt'>, owner: string) {
    await this.turn.run(() => this.finish.run(row.kind, row.key, row.dueAt, owner));
  }
  async list(kind?: string) {
    const rows = kind ? this.db.select().from(d).where(eq(d.kind, kind)).all() : this.db.select().from(d).all();
    return rows.map((r) => ({ kind: r.kind, key: r.key, dueAt: r.dueAt, payload: r.payload ?? null }));
  }
}
