/**
 * The PostgreSQL side of deadlines, integrations, files, web push and privacy: the statements of
 * the SQLite versions in PostgreSQL's words, and claims that any node can make at once without
 * two winning (`for update skip locked` inside one update).
 */
import type pg from 'pg';
import { and, desc, eq, gte, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { DEFAULT_PUSH_PREFS, type PushPrefs } from '@beckon/protocol';
import { newId } from './ids';
import * as s from './pg-schema';
import { Sql, inTransaction, json } from './pg-sql';
import type { ApiTokenRow, AttachmentRow, AuditRow, ConversationRow, Cursor, DeadlineRow, DeadlineStore, DeliveryRow, FileStore, IntegrationStore, NewAttachment, NewDelivery, OfferRow, PushStore, PushSubscriptionRow, VisitorRow, WebhookEndpointRow } from './store';
import type { Retention } from './sqlite-privacy';
import { fromRaw, type RawDelivery } from './sqlite-integrations';
import { fileRow, type RawFile } from './sqlite-files';
import { pushRow, type RawPush } from './sqlite-push';

// ---- deadlines

interface RawDeadline {
  kind: string;
  key: string;
  due_at: number;
  payload: Record<string, unknown> | null;
}
const deadline = (r: RawDeadline): DeadlineRow => ({ kind: r.kind, key: r.key, dueAt: r.due_at, payload: r.payload ?? null });

export class PgDeadlines implements DeadlineStore {
  constructor(private readonly sql: Sql) {}

  async put(row: DeadlineRow, opts: { keepExisting?: boolean } = {}) {
    const p = { kind: row.kind, key: row.key, due: row.dueAt, payload: json(row.payload) };
    if (opts.keepExisting) await this.sql.run('insert into deadlines (kind, key, due_at, payload) values (@kind, @key, @due, @payload) on conflict do nothing', p);
    else await this.sql.run('insert into deadlines (kind, key, due_at, payload) values (@kind, @key, @due, @payload) on conflict (kind, key) do update set due_at = excluded.due_at, payload = excluded.payload, claimed_at = null, claimed_by = null', p);
  }
  async cancel(kind: string, key: string) {
    await this.sql.run('delete from deadlines where kind = ? and key = ?', [kind, key]);
  }
  async get(kind: string, key: string) {
    const r = await this.sql.get<RawDeadline>('select * from deadlines where kind = ? and key = ?', [kind, key]);
    return r ? deadline(r) : null;
  }
  async next(now: number, leaseMs: number) {
    return (await this.sql.get<{ at: number | null }>('select min(due_at) at from deadlines where claimed_at is null or claimed_at < ?', [now - leaseMs]))?.at ?? null;
  }
  /** one statement: the rows another node is claiming right now are skipped, not waited for */
  async claim(now: number, owner: string, leaseMs: number, limit: number) {
    const rows = await this.sql.all<RawDeadline>(
      `update deadlines d set claimed_at = @now, claimed_by = @owner
       from (select kind, key from deadlines where due_at <= @now and (claimed_at is null or claimed_at < @stale) order by due_at limit @limit for update skip locked) due
       where d.kind = due.kind and d.key = due.key
       returning d.kind, d.key, d.due_at, d.payload`,
      { now, owner, stale: now - leaseMs, limit },
    );
    return rows.sort((a, b) => a.due_at - b.due_at).map(deadline);
  }
  async done(row: Pick<DeadlineRow, 'kind' | 'key' | 'dueAt'>, owner: string) {
    await this.sql.run('delete from deadlines where kind = ? and key = ? and due_at = ? and claimed_by = ?', [row.kind, row.key, row.dueAt, owner]);
  }
  async list(kind?: string) {
    const rows = kind ? await this.sql.all<RawDeadline>('select * from deadlines where kind = ?', [kind]) : await this.sql.all<RawDeadline>('select * from deadlines');
    return rows.map(deadline);
  }
}

// ---- integrations

type Db = NodePgDatabase<typeof s>;
const D = s.webhookDeliveries;

/** newest first, strictly after the cursor (ids compared bytewise, as SQLite does) */
function keyset(at: PgColumn, id: PgColumn, c: Cursor | null): SQL | undefined {
  return c ? or(lt(at, c.at), and(eq(at, c.at), sql`${id} collate "C" < ${c.id}`)) : undefined;
}
const byteOrder = (id: PgColumn) => sql`${id} collate "C" desc`;

export class PgIntegrations implements IntegrationStore {
  constructor(
    private readonly db: Db,
    private readonly sql: Sql,
  ) {}

  async createToken(t: Omit<ApiTokenRow, 'lastUsedAt' | 'revokedAt'>) {
    const row = { ...t, lastUsedAt: null, revokedAt: null };
    await this.db.insert(s.apiTokens).values(row);
    return row;
  }
  async listTokens(siteId: string) {
    return this.db.select().from(s.apiTokens).where(eq(s.apiTokens.siteId, siteId)).orderBy(desc(s.apiTokens.createdAt));
  }
  async tokenByHash(hash: string) {
    return (await this.db.select().from(s.apiTokens).where(eq(s.apiTokens.hash, hash)))[0] ?? null;
  }
  async touchToken(id: string, now: number) {
    await this.db.update(s.apiTokens).set({ lastUsedAt: now }).where(eq(s.apiTokens.id, id));
  }
  async revokeToken(siteId: string, id: string, now: number) {
    const t = s.apiTokens;
    return ((await this.db.update(t).set({ revokedAt: now }).where(and(eq(t.id, id), eq(t.siteId, siteId), sql`${t.revokedAt} is null`))).rowCount ?? 0) > 0;
  }
  async addAudit(rows: Omit<AuditRow, 'seq'>[]) {
    if (rows.length) await this.db.insert(s.auditLog).values(rows);
  }
  async listAudit(siteId: string, before: number | null, limit: number) {
    const a = s.auditLog;
    return this.db.select().from(a).where(and(eq(a.siteId, siteId), before === null ? undefined : lt(a.seq, before))).orderBy(desc(a.seq)).limit(limit);
  }

  async createEndpoint(e: WebhookEndpointRow) {
    await this.db.insert(s.webhookEndpoints).values(e);
    return e;
  }
  async listEndpoints(siteId?: string) {
    const e = s.webhookEndpoints;
    return this.db.select().from(e).where(siteId ? eq(e.siteId, siteId) : undefined).orderBy(e.createdAt);
  }
  async getEndpoint(id: string) {
    return (await this.db.select().from(s.webhookEndpoints).where(eq(s.webhookEndpoints.id, id)))[0] ?? null;
  }
  async updateEndpoint(id: string, patch: Partial<Pick<WebhookEndpointRow, 'url' | 'description' | 'events' | 'enabled' | 'secret'>>) {
    if (Object.keys(patch).length) await this.db.update(s.webhookEndpoints).set(patch).where(eq(s.webhookEndpoints.id, id));
    return this.getEndpoint(id);
  }
  async deleteEndpoint(id: string) {
    return ((await this.db.delete(s.webhookEndpoints).where(eq(s.webhookEndpoints.id, id))).rowCount ?? 0) > 0;
  }

  /**
   * In the order they were called: a stream's deliveries go out in `seq` order, and concurrent
   * inserts on several pooled connections could commit out of order (SQLite runs each at once).
   */
  enqueue(rows: NewDelivery[]): Promise<void> {
    if (!rows.length) return Promise.resolve();
    const run = this.enqueued.then(async () => {
      await this.db.insert(D).values(rows.map((r) => ({ ...r, status: 'pending' as const, attempts: 0, leaseUntil: null, finishedAt: null, lastStatus: null, lastError: null, lastMs: null })));
    });
    this.enqueued = run.catch(() => undefined);
    return run;
  }
  private enqueued: Promise<void> = Promise.resolve();
  /** the head of each stream, due and not leased, at most `perEndpoint` per endpoint; leased in the same statement */
  async claimDeliveries(now: number, leaseMs: number, limit: number, o: { busyEndpoints?: string[]; perEndpoint?: number } = {}) {
    const rows = await this.sql.all<RawDelivery>(
      `with heads as (
         select d.seq, row_number() over (partition by d.endpoint_id order by d.next_at, d.seq) nth, d.next_at from webhook_deliveries d
         where d.status = 'pending' and d.next_at <= @now and (d.lease_until is null or d.lease_until <= @now)
           and not (d.endpoint_id = any(@busy::text[]))
           and not exists (select 1 from webhook_deliveries e where e.endpoint_id = d.endpoint_id and e.order_key = d.order_key and e.status = 'pending' and e.seq < d.seq)
       ), picked as (
         select w.seq from webhook_deliveries w join heads h on h.seq = w.seq where h.nth <= @per order by h.next_at, h.seq limit @limit for update of w skip locked
       )
       update webhook_deliveries u set lease_until = @until from picked where u.seq = picked.seq and u.status = 'pending' and (u.lease_until is null or u.lease_until <= @now)
       returning u.*`,
      { now, busy: o.busyEndpoints ?? [], per: o.perEndpoint ?? limit, limit, until: now + leaseMs },
    );
    return rows.sort((a, b) => a.next_at - b.next_at || a.seq - b.seq).map((r) => fromRaw(r, r.lease_until));
  }
  async nextDeliveryAt() {
    return (
      (
        await this.sql.get<{ at: number | null }>(`
      select min(greatest(d.next_at, coalesce(d.lease_until, 0))) as at from webhook_deliveries d
      where d.status = 'pending'
        and not exists (select 1 from webhook_deliveries e where e.endpoint_id = d.endpoint_id and e.order_key = d.order_key and e.status = 'pending' and e.seq < d.seq)`)
      )?.at ?? null
    );
  }
  async finishAttempt(id: string, r: { status: DeliveryRow['status']; attempts: number; nextAt: number; now: number; lastStatus: number | null; lastError: string | null; lastMs: number | null }) {
    await this.db
      .update(D)
      .set({ status: r.status, attempts: r.attempts, nextAt: r.nextAt, leaseUntil: null, finishedAt: r.status === 'pending' ? null : r.now, lastStatus: r.lastStatus, lastError: r.lastError, lastMs: r.lastMs })
      .where(eq(D.id, id));
  }
  async getDelivery(id: string) {
    return (await this.db.select().from(D).where(eq(D.id, id)))[0] ?? null;
  }
  async listDeliveries(endpointId: string, before: number | null, limit: number) {
    return this.db.select().from(D).where(and(eq(D.endpointId, endpointId), before === null ? undefined : lt(D.seq, before))).orderBy(desc(D.seq)).limit(limit);
  }
  async pruneIntegrations(before: { deliveries: number; audit: number }) {
    const a = (await this.db.delete(D).where(and(isNotNull(D.finishedAt), lt(D.finishedAt, before.deliveries)))).rowCount ?? 0;
    const b = (await this.db.delete(s.auditLog).where(lt(s.auditLog.at, before.audit))).rowCount ?? 0;
    return a + b;
  }

  async pageConversations(siteId: string, f: { status?: ConversationRow['status']; visitorId?: string; since?: number }, after: Cursor | null, limit: number) {
    const c = s.conversations;
    return (await this.db
      .select()
      .from(c)
      .where(and(eq(c.siteId, siteId), f.status ? eq(c.status, f.status) : undefined, f.visitorId ? eq(c.visitorId, f.visitorId) : undefined, f.since !== undefined ? gte(c.createdAt, f.since) : undefined, keyset(c.createdAt, c.id, after)))
      .orderBy(desc(c.createdAt), byteOrder(c.id))
      .limit(limit)) as ConversationRow[];
  }
  async pageOffers(siteId: string, f: { ruleId?: string; converted?: boolean; since?: number }, after: Cursor | null, limit: number) {
    const o = s.offers;
    return (await this.db
      .select()
      .from(o)
      .where(and(eq(o.siteId, siteId), eq(o.holdout, false), f.ruleId ? eq(o.ruleId, f.ruleId) : undefined, f.converted ? isNotNull(o.convertedAt) : undefined, f.since !== undefined ? gte(o.createdAt, f.since) : undefined, keyset(o.createdAt, o.id, after)))
      .orderBy(desc(o.createdAt), byteOrder(o.id))
      .limit(limit)) as OfferRow[];
  }
  async pageJourney(visitorId: string, beforeId: number | null, limit: number) {
    const j = s.journeyEvents;
    const rows = await this.db
      .select()
      .from(j)
      .where(and(eq(j.visitorId, visitorId), beforeId === null ? undefined : lt(j.id, beforeId)))
      .orderBy(desc(j.id))
      .limit(limit);
    return rows.map((r) => ({ id: r.id, type: r.type, at: r.at, data: r.data as Record<string, unknown> }));
  }
  async pageVisitors(siteId: string, f: { email?: string; since?: number }, after: Cursor | null, limit: number) {
    const v = s.visitors;
    return (await this.db
      .select()
      .from(v)
      .where(and(eq(v.siteId, siteId), f.email ? eq(v.email, f.email) : undefined, f.since !== undefined ? gte(v.lastSeenAt, f.since) : undefined, keyset(v.lastSeenAt, v.id, after)))
      .orderBy(desc(v.lastSeenAt), byteOrder(v.id))
      .limit(limit)) as VisitorRow[];
  }
}

// ---- files

export class PgFiles implements FileStore {
  constructor(private readonly sql: Sql) {}

  async create(a: NewAttachment, now: number) {
    const r: AttachmentRow = { ...a, id: newId(), messageId: null, createdAt: now };
    await this.sql.run(
      `insert into attachments (id, site_id, visitor_id, conversation_id, message_id, uploader, uploader_id, sha256, thumb_sha256, name, type, size, width, height, created_at)
       values (@id, @siteId, @visitorId, @conversationId, @messageId, @uploader, @uploaderId, @sha256, @thumbSha256, @name, @type, @size, @width, @height, @createdAt)`,
      { ...r },
    );
    return r;
  }
  async get(id: string) {
    const r = await this.sql.get<RawFile>('select * from attachments where id = ?', [id]);
    return r ? fileRow(r) : null;
  }
  async dropUnsent(before: number) {
    return this.sql.run('delete from attachments where message_id is null and created_at < ?', [before]);
  }
  async blobsInUse() {
    const out = new Set<string>();
    for (const r of await this.sql.all<{ sha256: string; thumb_sha256: string | null }>('select sha256, thumb_sha256 from attachments')) {
      out.add(r.sha256);
      if (r.thumb_sha256) out.add(r.thumb_sha256);
    }
    return out;
  }
}

// ---- web push

export class PgPush implements PushStore {
  constructor(private readonly sql: Sql) {}

  async subscribe(accountId: string, x: { endpoint: string; p256dh: string; auth: string; userAgent: string | null }, now: number) {
    const r = await this.sql.get<RawPush>(
      `insert into push_subscriptions (id, account_id, endpoint, p256dh, auth, user_agent, created_at, failures) values (@id, @accountId, @endpoint, @p256dh, @auth, @userAgent, @now, 0)
       on conflict (endpoint) do update set account_id = excluded.account_id, p256dh = excluded.p256dh, auth = excluded.auth, user_agent = excluded.user_agent, failures = 0
       returning *`,
      { id: newId(), accountId, ...x, now },
    );
    await this.sql.run('delete from push_subscriptions where account_id = @a and id not in (select id from push_subscriptions where account_id = @a order by created_at desc limit 10)', { a: accountId });
    return pushRow(r!);
  }
  async unsubscribe(accountId: string, endpoint: string) {
    return (await this.sql.run('delete from push_subscriptions where account_id = ? and endpoint = ?', [accountId, endpoint])) > 0;
  }
  async subscriptionsOf(accountIds: string[]) {
    if (!accountIds.length) return [];
    return (await this.sql.all<RawPush>('select * from push_subscriptions where account_id = any(?::text[])', [accountIds])).map(pushRow);
  }
  async delivered(id: string, ok: boolean, now: number) {
    if (ok) await this.sql.run('update push_subscriptions set last_ok_at = ?, failures = 0 where id = ?', [now, id]);
    else await this.sql.run('update push_subscriptions set failures = failures + 1 where id = ?', [id]);
  }
  async remove(id: string) {
    await this.sql.run('delete from push_subscriptions where id = ?', [id]);
  }
  async prefs(accountId: string) {
    const r = await this.sql.get<{ push_prefs: Partial<PushPrefs> | null }>('select push_prefs from accounts where id = ?', [accountId]);
    return { ...DEFAULT_PUSH_PREFS, ...(r?.push_prefs ?? {}) };
  }
  async setPrefs(accountId: string, prefs: PushPrefs) {
    await this.sql.run('update accounts set push_prefs = ?::jsonb where id = ?', [json(prefs), accountId]);
  }
}

// ---- privacy (the same tables in the same order as ./sqlite-privacy.ts)

const BY_VISITOR: [string, string][] = [
  ['messages', 'conversation_id in (select id from conversations where visitor_id = $1)'],
  ['notes', 'conversation_id in (select id from conversations where visitor_id = $1)'],
  ['routing_events', 'conversation_id in (select id from conversations where visitor_id = $1)'],
  ['deadlines', 'key in (select id from conversations where visitor_id = $1)'],
  ['conversations', 'visitor_id = $1'],
  ['offers', 'visitor_id = $1'],
  ['offer_holds', 'visitor_id = $1'],
  ['journey_events', 'visitor_id = $1'],
  ['inbox_items', 'visitor_id = $1'],
  ['blocks', 'visitor_id = $1'],
  ['webhook_deliveries', 'visitor_id = $1'],
  ['follow_up_notes', 'follow_up_id in (select id from follow_ups where visitor_id = $1)'],
  ['follow_ups', 'visitor_id = $1'],
  ['ratings', 'visitor_id = $1'],
  ['emails', 'visitor_id = $1'],
  ['attachments', 'visitor_id = $1'],
  ['deadlines', 'key = $1'],
  ['visitors', 'id = $1'],
];

export async function pgExportVisitor(q: Sql, visitorId: string): Promise<Record<string, unknown[]> | null> {
  if (!(await q.get('select 1 from visitors where id = ?', [visitorId]))) return null;
  const out: Record<string, unknown[]> = {};
  for (const [table, where] of BY_VISITOR) {
    if (table === 'deadlines' || table === 'webhook_deliveries') continue;
    out[table] = (await q.q.query(`select * from ${table} where ${where}`, [visitorId])).rows;
  }
  return out;
}

const eraseAll = async (q: Sql, visitorId: string) => {
  for (const [table, where] of BY_VISITOR) await q.q.query(`delete from ${table} where ${where}`, [visitorId]);
};

export function pgEraseVisitor(pool: pg.Pool, visitorId: string): Promise<boolean> {
  return inTransaction(pool, async (q) => {
    if (!(await q.get('select 1 from visitors where id = ? for update', [visitorId]))) return false;
    await eraseAll(q, visitorId);
    return true;
  });
}

export function pgDeleteSite(pool: pg.Pool, siteId: string): Promise<boolean> {
  return inTransaction(pool, async (q) => {
    for (const t of ['offer_holds', 'journey_events', 'routing_events']) await q.run(`delete from ${t} where site_id = ?`, [siteId]);
    await q.run('delete from deadlines where key in (select id from conversations where site_id = @s) or key in (select id from visitors where site_id = @s)', { s: siteId });
    return (await q.run('delete from sites where id = ?', [siteId])) > 0;
  });
}

export function pgApplyRetention(pool: pg.Pool, siteId: string, r: Retention, now: number): Promise<Record<string, number>> {
  const before = (days: number) => now - days * 86_400_000;
  return inTransaction(pool, async (q) => {
    const out = { conversations: 0, journey: 0, visitors: 0, inbox: 0 };
    if (r.journeyDays !== null) {
      const t = before(r.journeyDays);
      out.journey = (await q.run('delete from journey_events where site_id = ? and at < ?', [siteId, t])) + (await q.run('delete from offer_holds where site_id = ? and at < ?', [siteId, t]));
    }
    if (r.conversationsDays !== null) {
      const p = { s: siteId, t: before(r.conversationsDays) };
      const old = "select id from conversations where site_id = @s and status = 'closed' and closed_at < @t";
      await q.run(`delete from routing_events where conversation_id in (${old})`, p);
      out.conversations = await q.run(`delete from conversations where id in (${old})`, p);
    }
    if (r.inboxDays !== null) out.inbox = await q.run("delete from inbox_items where site_id = ? and status = 'resolved' and resolved_at < ?", [siteId, before(r.inboxDays)]);
    if (r.visitorsDays !== null) {
      const gone = await q.all<{ id: string }>("select id from visitors where site_id = ? and last_seen_at < ? and not exists (select 1 from conversations c where c.visitor_id = visitors.id and c.status <> 'closed')", [siteId, before(r.visitorsDays)]);
      for (const v of gone) await eraseAll(q, v.id);
      out.visitors = gone.length;
    }
    return out;
  });
}
