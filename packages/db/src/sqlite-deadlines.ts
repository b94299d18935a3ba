/**
 * Deadlines in SQLite (DESIGN.md "Production … what survives a restart"): due times are rows,
 * claimed with a conditional update so two processes never act on one twice.
 */
import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as s from './schema';
import type { DeadlineRow, DeadlineStore } from './store';

type Db = BetterSQLite3Database<typeof s>;
const d = s.deadlines;

const ph = sql.placeholder;

export class SqliteDeadlines implements DeadlineStore {
  // one written per offer shown and per assignment: prepared once
  private readonly upsert;
  private readonly insertNew;
  private readonly remove;

  constructor(private readonly db: Db) {
    const values = { kind: ph('kind'), key: ph('key'), dueAt: ph('dueAt'), payload: ph('payload'), claimedAt: null, claimedBy: null };
    // a new due time replaces the old one and any claim of it (the holder's `done` then finds no match)
    this.upsert = db
      .insert(d)
      .values(values)
      .onConflictDoUpdate({ target: [d.kind, d.key], set: { dueAt: sql`excluded.due_at`, payload: sql`excluded.payload`, claimedAt: null, claimedBy: null } })
      .prepare();
    this.insertNew = db.insert(d).values(values).onConflictDoNothing().prepare();
    this.remove = db.delete(d).where(and(eq(d.kind, ph('kind')), eq(d.key, ph('key')))).prepare();
  }

  async put(row: DeadlineRow, opts: { keepExisting?: boolean } = {}) {
    const p = { kind: row.kind, key: row.key, dueAt: row.dueAt, payload: row.payload };
    (opts.keepExisting ? this.insertNew : this.upsert).run(p);
  }
  async cancel(kind: string, key: string) {
    this.remove.run({ kind, key });
  }
  async get(kind: string, key: string) {
    const r = this.db.select().from(d).where(and(eq(d.kind, kind), eq(d.key, key))).get();
    return r ? { kind: r.kind, key: r.key, dueAt: r.dueAt, payload: r.payload ?? null } : null;
  }
  async next(now: number, leaseMs: number) {
    const r = this.db
      .select({ at: sql<number | null>`min(${d.dueAt})` })
      .from(d)
      .where(or(isNull(d.claimedAt), lt(d.claimedAt, now - leaseMs)))
      .get();
    return r?.at ?? null;
  }
  async claim(now: number, owner: string, leaseMs: number, limit: number) {
    const free = or(isNull(d.claimedAt), lt(d.claimedAt, now - leaseMs));
    const due = this.db.select().from(d).where(and(lte(d.dueAt, now), free)).orderBy(asc(d.dueAt)).limit(limit).all();
    const claimed: DeadlineRow[] = [];
    for (const r of due) {
      // only if nobody claimed (or rescheduled) it in between
      const won = this.db
        .update(d)
        .set({ claimedAt: now, claimedBy: owner })
        .where(and(eq(d.kind, r.kind), eq(d.key, r.key), eq(d.dueAt, r.dueAt), free))
        .run().changes;
      if (won) claimed.push({ kind: r.kind, key: r.key, dueAt: r.dueAt, payload: r.payload ?? null });
    }
    return claimed;
  }
  async done(row: Pick<DeadlineRow, 'kind' | 'key' | 'dueAt'>, owner: string) {
    this.db.delete(d).where(and(eq(d.kind, row.kind), eq(d.key, row.key), eq(d.dueAt, row.dueAt), eq(d.claimedBy, owner))).run();
  }
  async list(kind?: string) {
    const rows = kind ? this.db.select().from(d).where(eq(d.kind, kind)).all() : this.db.select().from(d).all();
    return rows.map((r) => ({ kind: r.kind, key: r.key, dueAt: r.dueAt, payload: r.payload ?? null }));
  }
}
