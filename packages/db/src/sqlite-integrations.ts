/**
 * Integrations in SQLite: API tokens and their audit log, webhook endpoints, and the durable
 * delivery queue (ordered per stream, claimed with a conditional update like the deadlines).
 */
import { and, desc, eq, gte, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SqliteTrail } from './sqlite-trail';
import type Database from 'better-sqlite3';
import * as s from './schema';
import { lit, perLimit } from './sqlite-limit';
import type { ApiTokenRow, AuditRow, ConversationRow, Cursor, DeliveryRow, IntegrationStore, NewDelivery, OfferRow, VisitorRow, WebhookEndpointRow } from './store';

type Db = BetterSQLite3Database<typeof s>;
const D = s.webhookDeliveries;

/** newest first, strictly after the cursor */
function keyset(at: SQLiteColumn, id: SQLiteColumn, c: Cursor | null): SQL | undefined {
  return c ? or(lt(at, c.at), and(eq(at, c.at), lt(id, c.id))) : undefined;
}

export class SqliteIntegrations implements IntegrationStore {
  private readonly claimable: (limit: number) => Database.Statement<[number, number, string, number]>;
  private readonly lease: Database.Statement<[number, number, number]>;
  private readonly nextDue: Database.Statement<[]>;

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
    private readonly trail: SqliteTrail,
  ) {
    // the head of each stream (no older pending delivery of the same endpoint and key), due and not leased
    // at most `perEndpoint` of one endpoint (a slow receiver does not take every slot), none of the busy ones
    this.claimable = perLimit((t) => sqlite.prepare<[number, number, string, number]>(t), `
      select * from (
        select d.*, row_number() over (partition by d.endpoint_id order by d.next_at, d.seq) as nth from webhook_deliveries d
        where d.status = 'pending' and d.next_at <= ? and (d.lease_until is null or d.lease_until <= ?)
          and d.endpoint_id not in (select value from json_each(?))
          and not exists (select 1 from webhook_deliveries e where e.endpoint_id = d.endpoint_id and e.order_key = d.order_key and e.status = 'pending' and e.seq < d.seq)
      ) where nth <= ? order by next_at, seq limit $limit`);
    this.lease = sqlite.prepare(`update webhook_deliveries set lease_until = ? where seq = ? and status = 'pending' and (lease_until is null or lease_until <= ?)`);
    // of stream heads only: a delivery behind a pending one waits for it, whatever its own time
    this.nextDue = sqlite.prepare(`
      select min(max(d.next_at, coalesce(d.lease_until, 0))) as at from webhook_deliveries d
      where d.status = 'pending'
        and not exists (select 1 from webhook_deliveries e where e.endpoint_id = d.endpoint_id and e.order_key = d.order_key and e.status = 'pending' and e.seq < d.seq)`);
  }

  async createToken(t: Omit<ApiTokenRow, 'lastUsedAt' | 'revokedAt'>) {
    const row = { ...t, lastUsedAt: null, revokedAt: null };
    this.db.insert(s.apiTokens).values(row).run();
    return row;
  }
  async listTokens(siteId: string) {
    return this.db.select().from(s.apiTokens).where(eq(s.apiTokens.siteId, siteId)).orderBy(desc(s.apiTokens.createdAt)).all();
  }
  async tokenByHash(hash: string) {
    return this.db.select().from(s.apiTokens).where(eq(s.apiTokens.hash, hash)).get() ?? null;
  }
  async touchToken(id: string, now: number) {
    this.db.update(s.apiTokens).set({ lastUsedAt: now }).where(eq(s.apiTokens.id, id)).run();
  }
  async revokeToken(siteId: string, id: string, now: number) {
    const t = s.apiTokens;
    return this.db.update(t).set({ revokedAt: now }).where(and(eq(t.id, id), eq(t.siteId, siteId), sql`${t.revokedAt} is null`)).run().changes > 0;
  }
  async addAudit(rows: Omit<AuditRow, 'seq'>[]) {
    if (rows.length) this.db.insert(s.auditLog).values(rows).run();
  }
  async listAudit(siteId: string, before: number | null, limit: number) {
    const a = s.auditLog;
    return this.db.select().from(a).where(and(eq(a.siteId, siteId), before === null ? undefined : lt(a.seq, before))).orderBy(desc(a.seq)).limit(lit(limit)).all();
  }

  async createEndpoint(e: WebhookEndpointRow) {
    this.db.insert(s.webhookEndpoints).values(e).run();
    return e;
  }
  async listEndpoints(siteId?: string) {
    const e = s.webhookEndpoints;
    return this.db.select().from(e).where(siteId ? eq(e.siteId, siteId) : undefined).orderBy(e.createdAt).all();
  }
  async getEndpoint(id: string) {
    return this.db.select().from(s.webhookEndpoints).where(eq(s.webhookEndpoints.id, id)).get() ?? null;
  }
  async updateEndpoint(id: string, patch: Partial<Pick<WebhookEndpointRow, 'url' | 'description' | 'events' | 'enabled' | 'secret'>>) {
    if (Object.keys(patch).length) this.db.update(s.webhookEndpoints).set(patch).where(eq(s.webhookEndpoints.id, id)).run();
    return this.getEndpoint(id);
  }
  async deleteEndpoint(id: string) {
    return this.db.delete(s.webhookEndpoints).where(eq(s.webhookEndpoints.id, id)).run().changes > 0;
  }

  async enqueue(rows: NewDelivery[]) {
    if (!rows.length) return;
    this.db
      .insert(D)
      .values(rows.map((r) => ({ ...r, status: 'pending' as const, attempts: 0, leaseUntil: null, finishedAt: null, lastStatus: null, lastError: null, lastMs: null })))
      .run();
  }
  async claimDeliveries(now: number, leaseMs: number, limit: number, o: { busyEndpoints?: string[]; perEndpoint?: number } = {}) {
    const due = this.claimable(limit).all(now, now, JSON.stringify(o.busyEndpoints ?? []), o.perEndpoint ?? limit) as RawDelivery[];
    const won: DeliveryRow[] = [];
    for (const r of due) if (this.lease.run(now + leaseMs, r.seq, now).changes) won.push(fromRaw(r, now + leaseMs));
    return won;
  }
  async nextDeliveryAt() {
    return (this.nextDue.get() as { at: number | null } | undefined)?.at ?? null;
  }
  async finishAttempt(id: string, r: { status: DeliveryRow['status']; attempts: number; nextAt: number; now: number; lastStatus: number | null; lastError: string | null; lastMs: number | null }) {
    this.db
      .update(D)
      .set({ status: r.status, attempts: r.attempts, nextAt: r.nextAt, leaseUntil: null, finishedAt: r.status === 'pending' ? null : r.now, lastStatus: r.lastStatus, lastError: r.lastError, lastMs: r.lastMs })
      .where(eq(D.id, id))
      .run();
  }
  async getDelivery(id: string) {
    return this.db.select().from(D).where(eq(D.id, id)).get() ?? null;
  }
  async listDeliveries(endpointId: string, before: number | null, limit: number) {
    return this.db.select().from(D).where(and(eq(D.endpointId, endpointId), before === null ? undefined : lt(D.seq, before))).orderBy(desc(D.seq)).limit(lit(limit)).all();
  }
  async pruneIntegrations(before: { deliveries: number; audit: number }) {
    const a = this.db.delete(D).where(and(isNotNull(D.finishedAt), lt(D.finishedAt, before.deliveries))).run().changes;
    const b = this.db.delete(s.auditLog).where(lt(s.auditLog.at, before.audit)).run().changes;
    return a + b;
  }

  async pageConversations(siteId: string, f: { status?: ConversationRow['status']; visitorId?: string; since?: number }, after: Cursor | null, limit: number) {
    const c = s.conversations;
    return this.db
      .select()
      .from(c)
      .where(and(eq(c.siteId, siteId), f.status ? eq(c.status, f.status) : undefined, f.visitorId ? eq(c.visitorId, f.visitorId) : undefined, f.since !== undefined ? gte(c.createdAt, f.since) : undefined, keyset(c.createdAt, c.id, after)))
      .orderBy(desc(c.createdAt), desc(c.id))
      .limit(lit(limit))
      .all() as ConversationRow[];
  }
  async pageOffers(siteId: string, f: { ruleId?: string; converted?: boolean; since?: number }, after: Cursor | null, limit: number) {
    const o = s.offers;
    return this.db
      .select()
      .from(o)
      .where(and(eq(o.siteId, siteId), eq(o.holdout, false), f.ruleId ? eq(o.ruleId, f.ruleId) : undefined, f.converted ? isNotNull(o.convertedAt) : undefined, f.since !== undefined ? gte(o.createdAt, f.since) : undefined, keyset(o.createdAt, o.id, after)))
      .orderBy(desc(o.createdAt), desc(o.id))
      .limit(lit(limit))
      .all() as OfferRow[];
  }
  async pageJourney(visitorId: string, beforeId: number | null, limit: number) {
    this.trail.flush();
    const j = s.journeyEvents;
    return this.db
      .select()
      .from(j)
      .where(and(eq(j.visitorId, visitorId), beforeId === null ? undefined : lt(j.id, beforeId)))
      .orderBy(desc(j.id))
      .limit(lit(limit))
      .all()
      .map((r) => ({ id: r.id, type: r.type, at: r.at, data: r.data as Record<string, unknown> }));
  }
  async pageVisitors(siteId: string, f: { email?: string; since?: number }, after: Cursor | null, limit: number) {
    const v = s.visitors;
    return this.db
      .select()
      .from(v)
      .where(and(eq(v.siteId, siteId), f.email ? eq(v.email, f.email) : undefined, f.since !== undefined ? gte(v.lastSeenAt, f.since) : undefined, keyset(v.lastSeenAt, v.id, after)))
      .orderBy(desc(v.lastSeenAt), desc(v.id))
      .limit(lit(limit))
      .all() as VisitorRow[];
  }
}

export interface RawDelivery {
  seq: number;
  id: string;
  endpoint_id: string;
  site_id: string;
  event_id: string;
  event: string;
  order_key: string;
  visitor_id: string | null;
  body: string;
  status: DeliveryRow['status'];
  attempts: number;
  next_at: number;
  lease_until: number | null;
  created_at: number;
  finished_at: number | null;
  last_status: number | null;
  last_error: string | null;
  last_ms: number | null;
}
export function fromRaw(r: RawDelivery, leaseUntil: number | null): DeliveryRow {
  return { seq: r.seq, id: r.id, endpointId: r.endpoint_id, siteId: r.site_id, eventId: r.event_id, event: r.event, orderKey: r.order_key, visitorId: r.visitor_id, body: r.body, status: r.status, attempts: r.attempts, nextAt: r.next_at, leaseUntil, createdAt: r.created_at, finishedAt: r.finished_at, lastStatus: r.last_status, lastError: r.last_error, lastMs: r.last_ms };
}
