/**
 * The cluster store: PostgreSQL through node-postgres and drizzle, the same `Store` as the
 * embedded SQLite one (./sqlite-store.ts) and held to it by the same contract tests. What an
 * in-process lock guards on one node is guarded here by the database, so any number of nodes
 * can share it: a message's number is taken under a row lock on its conversation; "one open
 * conversation per visitor" is a partial unique index; assigning checks the conversation is
 * still open (and with whom) in the same update; deadlines, webhook deliveries and emails are
 * claimed with `for update skip locked`, so a dead node's are picked up by another, once.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, asc, desc, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { DEFAULT_ATTACHMENTS, DEFAULT_ENGAGEMENT, LIMITS, DEFAULT_HOURS, DEFAULT_PHRASES, DEFAULT_QUALITY, DEFAULT_RETENTION, DEFAULT_ROUTING, type Appearance, type AttachmentRef, type AttachmentSettings, type BusinessHours, type EngagementSettings, type FunnelRow, type Message, type PhraseRule, type QualitySettings, type RetentionSettings, type RoutingSettings, type Rule, type RuleDef, type SiteView } from '@beckon/protocol';
import { guardStore } from './guard';
import { newId } from './ids';
import { toMessage, toRule, toSite } from './rows';
import * as s from './pg-schema';
import { Sql, inTransaction, pgTypes } from './pg-sql';
import { PgDeadlines, PgFiles, PgIntegrations, PgPush, pgApplyRetention, pgDeleteSite, pgEraseVisitor, pgExportVisitor } from './pg-parts';
import { PgQuality } from './pg-quality';
import { OpenConversationExists } from './store';
import type { AppendResult, ConversationRow, InboxRow, NewInboxItem, NewMessage, NewSite, OfferRow, RouteUpdate, Store, VisitorPatch } from './store';

export interface PgOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** connections this node keeps (default 10) */
  poolSize?: number;
  /** connections that hold advisory locks (sites routing at once on this node; default 8) */
  lockPoolSize?: number;
}

const MIGRATIONS = fileURLToPath(new URL('../drizzle-pg', import.meta.url));
const PREVIEW = LIMITS.previewChars;

type Db = NodePgDatabase<typeof s>;

/** Connects, brings the schema up to date (one node at a time: an advisory lock), and opens the store. */
export async function openPgStore(opts: PgOptions): Promise<Store> {
  // a database out of reach answers within seconds, not never
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, types: pgTypes, connectionTimeoutMillis: 3000 });
  // a broken idle connection must not take the process down; the next query reconnects
  pool.on('error', () => undefined);
  const db: Db = drizzle(pool, { schema: s });
  const lock = await pool.connect();
  try {
    await lock.query('select pg_advisory_lock(7251)');
    // on the connection that holds the lock (a pool of one has no other)
    await migrate(drizzle(lock, { schema: s }), { migrationsFolder: MIGRATIONS });
  } finally {
    await lock.query('select pg_advisory_unlock(7251)').catch(() => undefined);
    lock.release();
  }
  // advisory locks are held on connections of their own: work done under a lock takes the main pool's,
  // so holders waiting for those can never starve the locks (and the other way round)
  const locks = new pg.Pool({ connectionString: opts.url, max: opts.lockPoolSize ?? 8, types: pgTypes, connectionTimeoutMillis: 3000 });
  locks.on('error', () => undefined);
  const store = new PgStore(pool, db, locks);
  return guardStore(store, { transient: unreachable, degrade: () => store.unreachable() });
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** the database, not the statement, is the problem: no connection, the server going down, or full */
function unreachable(e: unknown): boolean {
  for (let x = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, n = 0; x && n < 4; x = x.cause as typeof x, n++) {
    const code = typeof x.code === 'string' ? x.code : '';
    if (NETWORK.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (typeof x.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(x.message)) return true;
  }
  return false;
}

const one = <T>(rows: T[]): T | null => rows[0] ?? null;
const count = sql<number>`count(*)::int`;

/**
 * Rows of equal time come back in one fixed order (SQLite's is the order they were written in;
 * PostgreSQL promises none): the queue's places in line must not change between two reads.
 */
class PgStore implements Store {
  readonly deadlines: PgDeadlines;
  readonly integrations: PgIntegrations;
  readonly quality: PgQuality;
  readonly files: PgFiles;
  readonly push: PgPush;
  private readonly sql: Sql;
  private reachable = true;

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: Db,
    private readonly locks: pg.Pool,
  ) {
    this.sql = new Sql(pool);
    this.deadlines = new PgDeadlines(this.sql);
    this.integrations = new PgIntegrations(db, this.sql);
    this.quality = new PgQuality(this.sql);
    this.files = new PgFiles(this.sql);
    this.push = new PgPush(this.sql);
  }

  healthy() {
    return this.reachable;
  }
  /**
   * A session advisory lock on a key's 64-bit hash, on a connection of the lock pool, for as long
   * as `fn` runs. A node that dies loses its connection and with it the lock.
   */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const c = await this.locks.connect();
    let broken: Error | undefined;
    try {
      await c.query('select pg_advisory_lock(hashtextextended($1, 7252))', [key]);
      try {
        return await fn();
      } finally {
        await c.query('select pg_advisory_unlock(hashtextextended($1, 7252))', [key]).catch((e: Error) => (broken = e));
      }
    } catch (e) {
      broken ??= e as Error;
      throw e;
    } finally {
      // a connection whose unlock failed is thrown away: its session (and any lock it holds) ends with it
      c.release(broken);
    }
  }
  private probe: ReturnType<typeof setInterval> | null = null;
  /** out of reach: /health says degraded, and a probe every second finds when it is back */
  unreachable() {
    this.reachable = false;
    if (this.probe || this.closed) return;
    this.probe = setInterval(() => {
      this.pool.query('select 1').then(
        () => {
          this.reachable = true;
          if (this.probe) clearInterval(this.probe);
          this.probe = null;
        },
        () => undefined,
      );
    }, 1000);
    this.probe.unref();
  }

  async getMeta(key: string) {
    return one(await this.db.select().from(s.meta).where(eq(s.meta.key, key)))?.value ?? null;
  }
  async setMeta(key: string, value: string) {
    await this.db.insert(s.meta).values({ key, value }).onConflictDoUpdate({ target: s.meta.key, set: { value } });
  }
  async initMeta(key: string, value: string) {
    await this.db.insert(s.meta).values({ key, value }).onConflictDoNothing({ target: s.meta.key });
    return (await this.getMeta(key))!;
  }

  async createSite(site: NewSite, now: number) {
    const row = { id: newId(), key: site.key ?? newId(), name: site.name, allowedOrigins: site.allowedOrigins, appearance: site.appearance, defaultLang: site.defaultLang, idleCloseMinutes: site.idleCloseMinutes, engagement: DEFAULT_ENGAGEMENT, hours: DEFAULT_HOURS, routing: DEFAULT_ROUTING, phrases: null, retention: null, quality: null, attachments: null, identitySecret: newId() + newId(), createdAt: now };
    await this.db.insert(s.sites).values(row);
    return toSite(row);
  }
  async getSite(id: string) {
    const r = one(await this.db.select().from(s.sites).where(eq(s.sites.id, id)));
    return r ? toSite(r) : null;
  }
  async getSiteByKey(key: string) {
    const r = one(await this.db.select().from(s.sites).where(eq(s.sites.key, key)));
    return r ? toSite(r) : null;
  }
  async listSites() {
    return (await this.db.select().from(s.sites).orderBy(asc(s.sites.createdAt), sql`${s.sites.id} collate "C"`)).map(toSite);
  }
  async updateSite(id: string, patch: Partial<Omit<SiteView, 'id' | 'key' | 'createdAt'>>) {
    if (Object.keys(patch).length) await this.db.update(s.sites).set(patch).where(eq(s.sites.id, id));
    return this.getSite(id);
  }
  async deleteSite(id: string) {
    return pgDeleteSite(this.pool, id);
  }
  async recordSighting(siteId: string, origin: string, allowed: boolean, now: number) {
    const o = s.originSightings;
    await this.db
      .insert(o)
      .values({ siteId, origin: origin.slice(0, 200), allowed, lastSeenAt: now, count: 1 })
      .onConflictDoUpdate({ target: [o.siteId, o.origin], set: { allowed, lastSeenAt: now, count: sql`${o.count} + 1` } });
    // bounded: a refused origin can be anything a stranger types
    await this.sql.run('delete from origin_sightings where site_id = @site and origin not in (select origin from origin_sightings where site_id = @site order by last_seen_at desc limit 50)', { site: siteId });
  }
  async sightings(siteId: string) {
    return this.db.select({ origin: s.originSightings.origin, allowed: s.originSightings.allowed, lastSeenAt: s.originSightings.lastSeenAt, count: s.originSightings.count }).from(s.originSightings).where(eq(s.originSightings.siteId, siteId)).orderBy(desc(s.originSightings.lastSeenAt));
  }
  async exportVisitor(visitorId: string) {
    return pgExportVisitor(this.sql, visitorId);
  }
  async eraseVisitor(visitorId: string) {
    return pgEraseVisitor(this.pool, visitorId);
  }
  async applyRetention(siteId: string, r: RetentionSettings, now: number) {
    return pgApplyRetention(this.pool, siteId, r, now);
  }

  async createAccount(a: { email: string; name: string; passwordHash: string }, now: number) {
    const row = { id: newId(), ...a, createdAt: now };
    await this.db.insert(s.accounts).values(row);
    return row;
  }
  async getAccount(id: string) {
    return one(await this.db.select({ id: s.accounts.id, email: s.accounts.email, name: s.accounts.name, passwordHash: s.accounts.passwordHash, createdAt: s.accounts.createdAt }).from(s.accounts).where(eq(s.accounts.id, id)));
  }
  async getAccountByEmail(email: string) {
    return one(await this.db.select({ id: s.accounts.id, email: s.accounts.email, name: s.accounts.name, passwordHash: s.accounts.passwordHash, createdAt: s.accounts.createdAt }).from(s.accounts).where(eq(s.accounts.email, email)));
  }
  async updateAccount(id: string, patch: { name?: string; passwordHash?: string }) {
    if (Object.keys(patch).length) await this.db.update(s.accounts).set(patch).where(eq(s.accounts.id, id));
  }
  async countAccounts() {
    return one(await this.db.select({ n: count }).from(s.accounts))?.n ?? 0;
  }

  async putMembership(m: { accountId: string; siteId: string; role: 'admin' | 'supervisor' | 'operator'; capacity: number; skills?: string[]; disabled?: boolean }, now: number) {
    await this.db
      .insert(s.memberships)
      .values({ ...m, skills: m.skills ?? [], disabled: m.disabled ?? false, createdAt: now })
      .onConflictDoUpdate({ target: [s.memberships.accountId, s.memberships.siteId], set: { role: m.role, capacity: m.capacity, ...(m.skills ? { skills: m.skills } : {}), ...(m.disabled !== undefined ? { disabled: m.disabled } : {}) } });
  }
  async removeMembership(accountId: string, siteId: string) {
    return ((await this.db.delete(s.memberships).where(and(eq(s.memberships.accountId, accountId), eq(s.memberships.siteId, siteId)))).rowCount ?? 0) > 0;
  }
  async membershipsOf(accountId: string) {
    return this.db
      .select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, siteName: s.sites.name })
      .from(s.memberships)
      .innerJoin(s.sites, eq(s.sites.id, s.memberships.siteId))
      .where(and(eq(s.memberships.accountId, accountId), eq(s.memberships.disabled, false)))
      .orderBy(asc(s.sites.createdAt));
  }
  async allMembershipsOf(accountId: string) {
    return this.db.select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, disabled: s.memberships.disabled }).from(s.memberships).where(eq(s.memberships.accountId, accountId));
  }
  async listMembers(siteId: string, opts: { includeDisabled?: boolean } = {}) {
    const rows = await this.db
      .select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, skills: s.memberships.skills, disabled: s.memberships.disabled, email: s.accounts.email, name: s.accounts.name })
      .from(s.memberships)
      .innerJoin(s.accounts, eq(s.accounts.id, s.memberships.accountId))
      .where(and(eq(s.memberships.siteId, siteId), ...(opts.includeDisabled ? [] : [eq(s.memberships.disabled, false)])))
      // the same order as SQLite's binary collation
      .orderBy(sql`${s.accounts.name} collate "C"`);
    return rows.map((m) => ({ ...m, skills: m.skills ?? [] }));
  }

  async createAuthSession(x: { id: string; accountId: string; expiresAt: number }, now: number) {
    await this.db.insert(s.authSessions).values({ ...x, createdAt: now });
    await this.db.delete(s.authSessions).where(lt(s.authSessions.expiresAt, now));
  }
  async getAuthSession(id: string, now: number) {
    const r = one(await this.db.select().from(s.authSessions).where(and(eq(s.authSessions.id, id), gt(s.authSessions.expiresAt, now))));
    return r ? { accountId: r.accountId, expiresAt: r.expiresAt } : null;
  }
  async deleteAuthSession(id: string) {
    await this.db.delete(s.authSessions).where(eq(s.authSessions.id, id));
  }
  async deleteAuthSessionsOf(accountId: string) {
    await this.db.delete(s.authSessions).where(eq(s.authSessions.accountId, accountId));
  }

  /** as in SQLite: a returning visitor's handshake writes nothing unless something changed or five minutes passed */
  async touchVisitor(v: { id: string; siteId: string; lang: string | null; userAgent: string | null }, now: number) {
    const known = one(await this.db.select().from(s.visitors).where(eq(s.visitors.id, v.id)));
    if (known && known.siteId === v.siteId && known.lang === v.lang && known.userAgent === v.userAgent && now - known.lastSeenAt < 300_000) return known;
    return (await this.db
      .insert(s.visitors)
      .values({ ...v, createdAt: now, lastSeenAt: now })
      .onConflictDoUpdate({ target: s.visitors.id, set: { lastSeenAt: now, lang: v.lang, userAgent: v.userAgent } })
      .returning())[0]!;
  }
  async getVisitor(id: string) {
    return one(await this.db.select().from(s.visitors).where(eq(s.visitors.id, id)));
  }
  async updateVisitor(id: string, patch: VisitorPatch) {
    if (Object.keys(patch).length) await this.db.update(s.visitors).set(patch).where(eq(s.visitors.id, id));
  }

  async createConversation(c: { siteId: string; visitorId: string; previousId: string | null; offerId?: string | null; ruleId?: string | null; variant?: string | null }, now: number) {
    const row: ConversationRow = { id: newId(), offerId: null, ruleId: null, variant: null, priority: 0, department: null, moves: 0, tried: null, head: false, lastOperatorAt: null, ...c, status: 'queued', assigneeId: null, lastSeq: 0, lastMessageAt: now, lastMessagePreview: '', visitorReadSeq: 0, operatorReadSeq: 0, operatorUnread: 0, createdAt: now, assignedAt: null, closedAt: null, closedReason: null };
    try {
      await this.db.insert(s.conversations).values(row);
    } catch (e) {
      if (constraintOf(e) === 'conversations_one_open') throw new OpenConversationExists(c.visitorId);
      throw e;
    }
    return row;
  }
  async getConversation(id: string) {
    return one(await this.db.select().from(s.conversations).where(eq(s.conversations.id, id)));
  }
  async latestConversationOf(visitorId: string) {
    return one(await this.db.select().from(s.conversations).where(eq(s.conversations.visitorId, visitorId)).orderBy(desc(s.conversations.createdAt), desc(s.conversations.id)).limit(1));
  }
  async assignConversation(id: string, operatorId: string | null, now: number) {
    const set = operatorId ? { status: 'active' as const, assigneeId: operatorId, assignedAt: now, firstAssignedAt: sql`coalesce(${s.conversations.firstAssignedAt}, ${now})` } : { status: 'queued' as const, assigneeId: null, assignedAt: null };
    return one(await this.db.update(s.conversations).set(set).where(and(eq(s.conversations.id, id), ne(s.conversations.status, 'closed'))).returning());
  }
  async routeConversation(id: string, r: RouteUpdate, now: number) {
    const set = r.assigneeId
      ? { status: 'active' as const, assigneeId: r.assigneeId, assignedAt: now, firstAssignedAt: sql`coalesce(${s.conversations.firstAssignedAt}, ${now})`, head: false }
      : { status: 'queued' as const, assigneeId: null, assignedAt: null, ...(r.head !== undefined ? { head: r.head } : {}) };
    return one(
      await this.db
        .update(s.conversations)
        .set({ ...set, ...(r.moves !== undefined ? { moves: r.moves } : {}), ...(r.tried !== undefined ? { tried: r.tried } : {}), ...(r.department !== undefined ? { department: r.department } : {}), ...(r.priority !== undefined ? { priority: r.priority } : {}) })
        .where(and(eq(s.conversations.id, id), ne(s.conversations.status, 'closed'), ...(r.onlyIfAssignee !== undefined ? [r.onlyIfAssignee === null ? sql`${s.conversations.assigneeId} is null` : eq(s.conversations.assigneeId, r.onlyIfAssignee)] : [])))
        .returning(),
    );
  }
  async activeOf(operatorId: string) {
    return this.db.select().from(s.conversations).where(and(eq(s.conversations.assigneeId, operatorId), eq(s.conversations.status, 'active')));
  }
  async listActive(siteId: string) {
    return this.db.select().from(s.conversations).where(and(eq(s.conversations.siteId, siteId), eq(s.conversations.status, 'active'))).orderBy(asc(s.conversations.assignedAt), sql`${s.conversations.id} collate "C"`);
  }
  async handlingTimes(siteId: string, limit: number) {
    const rows = await this.db
      .select({ assignedAt: s.conversations.assignedAt, closedAt: s.conversations.closedAt })
      .from(s.conversations)
      .where(and(eq(s.conversations.siteId, siteId), eq(s.conversations.status, 'closed'), sql`${s.conversations.assignedAt} is not null`))
      .orderBy(desc(s.conversations.closedAt))
      .limit(limit);
    return rows.map((r) => Math.max(0, r.closedAt! - r.assignedAt!));
  }
  async conversationsOfVisitor(visitorId: string, limit: number) {
    return this.db.select().from(s.conversations).where(eq(s.conversations.visitorId, visitorId)).orderBy(desc(s.conversations.createdAt)).limit(limit);
  }
  async searchMessages(siteIds: string[], q: string, limit: number) {
    if (!siteIds.length) return [];
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .select({ conversationId: s.messages.conversationId, seq: s.messages.seq, body: s.messages.body, sender: s.messages.sender, createdAt: s.messages.createdAt, visitorId: s.conversations.visitorId })
      .from(s.messages)
      .innerJoin(s.conversations, eq(s.conversations.id, s.messages.conversationId))
      // SQLite's like is case-insensitive for ASCII; ilike is, for every letter
      .where(and(inArray(s.conversations.siteId, siteIds), sql`${s.messages.body} ilike ${like} escape '\\'`))
      .orderBy(desc(s.messages.createdAt))
      .limit(limit);
  }

  async addRoutingEvent(e: { siteId: string; conversationId: string; kind: string; operatorId: string | null; reason: Record<string, unknown>; at: number }) {
    await this.db.insert(s.routingEvents).values(e);
  }
  async routingEventsOf(conversationId: string, limit: number) {
    return (await this.db.select().from(s.routingEvents).where(eq(s.routingEvents.conversationId, conversationId)).orderBy(desc(s.routingEvents.at), desc(s.routingEvents.id)).limit(limit)) as { kind: string; operatorId: string | null; reason: Record<string, unknown>; at: number }[];
  }
  async lastWaitReasons(conversationIds: string[]) {
    if (!conversationIds.length) return new Map<string, Record<string, unknown>>();
    const rows = await this.db.select().from(s.routingEvents).where(and(inArray(s.routingEvents.conversationId, conversationIds), eq(s.routingEvents.kind, 'queued'))).orderBy(asc(s.routingEvents.at), asc(s.routingEvents.id));
    return new Map(rows.map((r) => [r.conversationId, r.reason as Record<string, unknown>]));
  }

  async addNote(n: { conversationId: string; authorId: string; authorName: string; body: string }, now: number) {
    const row = { id: newId(), ...n, createdAt: now };
    await this.db.insert(s.notes).values(row);
    return row;
  }
  async notesOf(conversationId: string) {
    return this.db.select().from(s.notes).where(eq(s.notes.conversationId, conversationId)).orderBy(asc(s.notes.createdAt), sql`${s.notes.id} collate "C"`);
  }

  async listCanned(siteId: string, accountId: string) {
    return this.db.select().from(s.canned).where(and(eq(s.canned.siteId, siteId), sql`(${s.canned.ownerId} is null or ${s.canned.ownerId} = ${accountId})`)).orderBy(sql`${s.canned.shortcut} collate "C"`);
  }
  async createCanned(c: { siteId: string; ownerId: string | null; shortcut: string; body: string }, now: number) {
    const row = { id: newId(), ...c, createdAt: now };
    await this.db.insert(s.canned).values(row);
    return row;
  }
  async getCanned(id: string) {
    return one(await this.db.select().from(s.canned).where(eq(s.canned.id, id)));
  }
  async deleteCanned(id: string) {
    return ((await this.db.delete(s.canned).where(eq(s.canned.id, id))).rowCount ?? 0) > 0;
  }

  async setPhrases(siteId: string, phrases: PhraseRule[]) {
    await this.db.update(s.sites).set({ phrases }).where(eq(s.sites.id, siteId));
  }
  async getPhrases(siteId: string) {
    const r = one(await this.db.select({ phrases: s.sites.phrases }).from(s.sites).where(eq(s.sites.id, siteId)));
    return (r?.phrases as PhraseRule[] | null) ?? DEFAULT_PHRASES;
  }

  async addBlock(b: { siteId: string; visitorId: string | null; ip: string | null; reason: string; byId: string }, now: number) {
    await this.db.insert(s.blocks).values({ id: newId(), ...b, createdAt: now });
  }
  async isBlocked(siteId: string, visitorId: string | null, ip: string | null) {
    if (!visitorId && !ip) return false;
    const r = await this.sql.get('select 1 from blocks where site_id = @site and ((@visitor::text is not null and visitor_id = @visitor) or (@ip::text is not null and ip = @ip)) limit 1', { site: siteId, visitor: visitorId, ip });
    return !!r;
  }

  async closeConversation(id: string, reason: 'operator' | 'visitor' | 'idle' | 'visitor_left', now: number) {
    return one(await this.db.update(s.conversations).set({ status: 'closed', closedAt: now, closedReason: reason }).where(and(eq(s.conversations.id, id), ne(s.conversations.status, 'closed'))).returning());
  }
  async listConversations(siteIds: string[], closedLimit: number) {
    if (!siteIds.length) return [];
    const open = await this.db.select().from(s.conversations).where(and(inArray(s.conversations.siteId, siteIds), ne(s.conversations.status, 'closed'))).orderBy(desc(s.conversations.lastMessageAt));
    const closed = await this.listClosed(siteIds, closedLimit);
    return [...open, ...closed];
  }
  async listOpenPage(siteIds: string[], after: { at: number; id: string } | null, limit: number) {
    if (!siteIds.length) return [];
    const c = s.conversations;
    const keyset = after ? [sql`(${c.lastMessageAt} < ${after.at} or (${c.lastMessageAt} = ${after.at} and ${c.id} collate "C" < ${after.id}))`] : [];
    return this.db.select().from(c).where(and(inArray(c.siteId, siteIds), ne(c.status, 'closed'), ...keyset)).orderBy(desc(c.lastMessageAt), sql`${c.id} collate "C" desc`).limit(limit);
  }
  async listClosed(siteIds: string[], limit: number) {
    if (!siteIds.length) return [];
    return this.db.select().from(s.conversations).where(and(inArray(s.conversations.siteId, siteIds), eq(s.conversations.status, 'closed'))).orderBy(desc(s.conversations.closedAt)).limit(limit);
  }
  async activeCounts(accountIds?: string[]) {
    const c = s.conversations;
    const rows = await this.db.select({ id: c.assigneeId, n: count }).from(c).where(accountIds ? and(inArray(c.assigneeId, accountIds.length ? accountIds : ['']), eq(c.status, 'active')) : eq(c.status, 'active')).groupBy(c.assigneeId);
    return new Map(rows.filter((r) => r.id).map((r) => [r.id as string, r.n]));
  }
  async listQueued(siteId: string) {
    return this.db.select().from(s.conversations).where(and(eq(s.conversations.siteId, siteId), eq(s.conversations.status, 'queued'))).orderBy(asc(s.conversations.createdAt), sql`${s.conversations.id} collate "C"`);
  }
  async listIdle(now: number) {
    const rows = await this.db
      .select({ c: s.conversations })
      .from(s.conversations)
      .innerJoin(s.sites, eq(s.sites.id, s.conversations.siteId))
      .where(and(ne(s.conversations.status, 'closed'), sql`${s.conversations.lastMessageAt} < ${now}::bigint - ${s.sites.idleCloseMinutes} * 60000`));
    return rows.map((r) => r.c);
  }

  /** the conversation's row is locked for the transaction: numbers are taken one at a time, on any node */
  async appendMessage(m: NewMessage): Promise<AppendResult> {
    return this.db.transaction(async (tx) => {
      const c = s.conversations;
      const conv = one(await tx.select().from(c).where(eq(c.id, m.conversationId)).for('update'));
      if (!conv) return { kind: 'missing' } as const;
      const existing = one(await tx.select().from(s.messages).where(and(eq(s.messages.senderId, m.senderId), eq(s.messages.clientId, m.clientId), eq(s.messages.sender, m.sender))).limit(1));
      if (existing) {
        if (existing.body !== m.body) return { kind: 'conflict' } as const;
        const of = existing.conversationId === conv.id ? conv : (one(await tx.select().from(c).where(eq(c.id, existing.conversationId))) ?? conv);
        return { kind: 'duplicate', message: toMessage(existing), conversation: of } as const;
      }
      if (conv.status === 'closed') return { kind: 'closed' } as const;
      const seq = conv.lastSeq + 1;
      const row = { id: newId(), conversationId: m.conversationId, seq, clientId: m.clientId, sender: m.sender, senderId: m.senderId, authorName: m.authorName, body: m.body, createdAt: m.now, attachment: m.attachment ?? null, editedAt: null, deletedAt: null };
      await tx.insert(s.messages).values(row);
      if (m.attachment) await tx.update(s.attachments).set({ conversationId: m.conversationId, messageId: row.id }).where(and(eq(s.attachments.id, m.attachment.id), sql`${s.attachments.messageId} is null`));
      const bump =
        m.sender === 'visitor'
          ? { visitorReadSeq: seq, operatorUnread: sql`${c.operatorUnread} + 1`, visitorMessages: sql`${c.visitorMessages} + 1` }
          : m.sender === 'operator'
            ? { operatorReadSeq: seq, operatorUnread: 0, lastOperatorAt: m.now, firstOperatorAt: sql`coalesce(${c.firstOperatorAt}, ${m.now}::bigint)`, operatorMessages: sql`${c.operatorMessages} + 1` }
            : {};
      const updated = (await tx.update(c).set({ lastSeq: seq, lastMessageAt: m.now, lastMessagePreview: m.body.slice(0, PREVIEW), ...bump }).where(eq(c.id, m.conversationId)).returning())[0]!;
      return { kind: 'created', message: toMessage(row), conversation: updated } as const;
    });
  }
  async changeMessage(c: { messageId: string; conversationId: string; sender: 'visitor' | 'operator'; senderId: string; body: string | null; now: number; since: number }) {
    return this.db.transaction(async (tx): Promise<Message | 'gone' | 'not_last'> => {
      const M = s.messages;
      // the conversation's lock: no message arrives between "is it the last?" and the change
      await tx.select({ id: s.conversations.id }).from(s.conversations).where(eq(s.conversations.id, c.conversationId)).for('update');
      const m = one(await tx.select().from(M).where(and(eq(M.id, c.messageId), eq(M.conversationId, c.conversationId), eq(M.sender, c.sender), eq(M.senderId, c.senderId))));
      if (!m || m.deletedAt !== null) return 'gone';
      const later = one(await tx.select({ n: count }).from(M).where(and(eq(M.conversationId, c.conversationId), eq(M.sender, c.sender), eq(M.senderId, c.senderId), gt(M.seq, m.seq))))?.n ?? 0;
      if (later > 0 || m.createdAt < c.since) return 'not_last';
      const patch = c.body === null ? { body: '', attachment: null, deletedAt: c.now } : { body: c.body, editedAt: c.now };
      const updated = (await tx.update(M).set(patch).where(eq(M.id, m.id)).returning())[0]!;
      if (c.body === null) await tx.delete(s.attachments).where(eq(s.attachments.messageId, m.id));
      await tx.update(s.conversations).set({ lastMessagePreview: updated.body.slice(0, PREVIEW) }).where(and(eq(s.conversations.id, c.conversationId), eq(s.conversations.lastSeq, m.seq)));
      return toMessage(updated);
    });
  }
  async findSent(sender: 'visitor' | 'operator' | 'system', senderId: string, clientId: string) {
    const m = one(await this.db.select().from(s.messages).where(and(eq(s.messages.senderId, senderId), eq(s.messages.clientId, clientId), eq(s.messages.sender, sender))).limit(1));
    if (!m) return null;
    const conversation = await this.getConversation(m.conversationId);
    return conversation ? { message: toMessage(m), conversation } : null;
  }
  async messagesAfter(conversationId: string, seq: number, limit: number) {
    return (await this.db.select().from(s.messages).where(and(eq(s.messages.conversationId, conversationId), gt(s.messages.seq, seq))).orderBy(asc(s.messages.seq)).limit(limit)).map(toMessage);
  }
  async messagesBefore(conversationId: string, beforeSeq: number, limit: number) {
    const rows = await this.db.select().from(s.messages).where(and(eq(s.messages.conversationId, conversationId), lt(s.messages.seq, beforeSeq))).orderBy(desc(s.messages.seq)).limit(limit);
    return rows.reverse().map(toMessage);
  }
  async markRead(conversationId: string, who: 'visitor' | 'operator', seq: number) {
    const c = s.conversations;
    if (who === 'visitor') {
      await this.db.update(c).set({ visitorReadSeq: sql`least(greatest(${c.visitorReadSeq}, ${seq}::bigint), ${c.lastSeq})` }).where(eq(c.id, conversationId));
      return;
    }
    // one statement: the unread count is of the visitor's messages after the new read mark
    await this.sql.run(
      `update conversations set operator_read_seq = least(greatest(operator_read_seq, @seq::bigint), last_seq),
         operator_unread = (select count(*) from messages m where m.conversation_id = @id and m.sender = 'visitor' and m.seq > least(greatest(conversations.operator_read_seq, @seq::bigint), conversations.last_seq))
       where id = @id`,
      { id: conversationId, seq },
    );
  }

  // ---- engagement

  async listRules(siteId: string) {
    return (await this.db.select().from(s.rules).where(eq(s.rules.siteId, siteId)).orderBy(asc(s.rules.createdAt), sql`${s.rules.id} collate "C"`)).map(toRule);
  }
  async createRule(siteId: string, def: RuleDef, now: number) {
    const row = { id: newId(), siteId, definition: def, createdAt: now, updatedAt: now };
    await this.db.insert(s.rules).values(row);
    return toRule(row);
  }
  async updateRule(siteId: string, id: string, def: RuleDef, now: number) {
    const r = one(await this.db.update(s.rules).set({ definition: def, updatedAt: now }).where(and(eq(s.rules.id, id), eq(s.rules.siteId, siteId))).returning());
    return r ? toRule(r) : null;
  }
  async deleteRule(siteId: string, id: string) {
    return ((await this.db.delete(s.rules).where(and(eq(s.rules.id, id), eq(s.rules.siteId, siteId)))).rowCount ?? 0) > 0;
  }

  async createOffer(o: Omit<OfferRow, 'dismissedAt' | 'acceptedAt' | 'expiredAt' | 'convertedAt' | 'value' | 'conversationId'>) {
    const row: OfferRow = { ...o, dismissedAt: null, acceptedAt: null, expiredAt: null, convertedAt: null, value: null, conversationId: null };
    await this.db.insert(s.offers).values(o);
    return row;
  }
  async getOffer(id: string) {
    return one(await this.db.select().from(s.offers).where(eq(s.offers.id, id))) as OfferRow | null;
  }
  async updateOffer(id: string, patch: Partial<Pick<OfferRow, 'dismissedAt' | 'acceptedAt' | 'expiredAt' | 'convertedAt' | 'value' | 'conversationId'>>) {
    if (!Object.keys(patch).length) return this.getOffer(id);
    return one(await this.db.update(s.offers).set(patch).where(eq(s.offers.id, id)).returning()) as OfferRow | null;
  }
  async expireDueOffers(dueBy: number, now: number, limit: number) {
    // each node's sweep takes its own rows: one offer comes back to one of them
    const r = await this.pool.query<{ id: string; visitor_id: string }>(
      `update offers o set expired_at = $1
       from (select id from offers where expires_at <= $2 and expired_at is null and dismissed_at is null and accepted_at is null order by expires_at limit $3 for update skip locked) due
       where o.id = due.id and o.expired_at is null and o.dismissed_at is null and o.accepted_at is null
       returning o.id, o.visitor_id`,
      [now, dueBy, limit],
    );
    return r.rows.map((x) => ({ id: x.id, visitorId: x.visitor_id }));
  }
  async expireOffer(id: string, now: number) {
    const o = s.offers;
    return ((await this.db.update(o).set({ expiredAt: now }).where(and(eq(o.id, id), sql`${o.expiredAt} is null and ${o.dismissedAt} is null and ${o.acceptedAt} is null`))).rowCount ?? 0) > 0;
  }
  async recentOffers(visitorId: string, limit: number) {
    return (await this.db.select().from(s.offers).where(eq(s.offers.visitorId, visitorId)).orderBy(desc(s.offers.createdAt)).limit(limit)) as OfferRow[];
  }
  async funnel(siteId: string, since: number): Promise<FunnelRow[]> {
    const o = s.offers;
    const n = (cond: ReturnType<typeof sql>) => sql<number>`(count(*) filter (where ${cond}))::int`;
    return this.db
      .select({
        ruleId: o.ruleId,
        ruleName: sql<string>`max(${o.ruleName})`,
        variant: o.variant,
        shown: n(sql`not ${o.holdout}`),
        dismissed: n(sql`not ${o.holdout} and ${o.dismissedAt} is not null`),
        accepted: n(sql`not ${o.holdout} and ${o.acceptedAt} is not null`),
        converted: n(sql`not ${o.holdout} and ${o.convertedAt} is not null`),
        value: sql<number>`(coalesce(sum(${o.value}) filter (where not ${o.holdout}), 0) / 100.0)::float8`,
        holdout: n(sql`${o.holdout}`),
        holdoutConverted: n(sql`${o.holdout} and ${o.convertedAt} is not null`),
        holdoutValue: sql<number>`(coalesce(sum(${o.value}) filter (where ${o.holdout}), 0) / 100.0)::float8`,
      })
      .from(o)
      .where(and(eq(o.siteId, siteId), gt(o.createdAt, since)))
      .groupBy(o.ruleId, o.variant)
      .orderBy(sql`max(${o.ruleName}) collate "C"`, sql`${o.variant} collate "C"`);
  }

  async holdsOf(visitorId: string, limit: number) {
    return this.db.select({ ruleId: s.offerHolds.ruleId, reason: s.offerHolds.reason, at: s.offerHolds.at }).from(s.offerHolds).where(eq(s.offerHolds.visitorId, visitorId)).orderBy(desc(s.offerHolds.at), desc(s.offerHolds.id)).limit(limit);
  }
  async addHolds(rows: { siteId: string; visitorId: string; ruleId: string; reason: string; at: number }[]) {
    if (rows.length) await this.db.insert(s.offerHolds).values(rows);
  }
  async pruneJourney(before: number) {
    const a = (await this.db.delete(s.journeyEvents).where(lt(s.journeyEvents.at, before))).rowCount ?? 0;
    const b = (await this.db.delete(s.offerHolds).where(lt(s.offerHolds.at, before))).rowCount ?? 0;
    return a + b;
  }
  /** the events of one turn of the event loop go in one multi-row insert, in arrival order */
  async addJourneyEvents(rows: { siteId: string; visitorId: string; type: string; data: Record<string, unknown>; at: number }[]) {
    if (!rows.length) return;
    for (const r of rows) this.journeyBuffer.push(r);
    this.journeyFlush ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const batch = this.journeyBuffer;
        this.journeyBuffer = [];
        this.journeyFlush = null;
        // one batch after the other: the trail keeps its order
        const run = this.journeyWritten.then(() => this.db.insert(s.journeyEvents).values(batch));
        this.journeyWritten = run.then(() => undefined, () => undefined);
        run.then(() => resolve(), reject);
      }),
    );
    return this.journeyFlush;
  }
  private journeyBuffer: { siteId: string; visitorId: string; type: string; data: Record<string, unknown>; at: number }[] = [];
  private journeyFlush: Promise<void> | null = null;
  private journeyWritten: Promise<void> = Promise.resolve();
  async journeyOf(visitorId: string, limit: number) {
    const rows = await this.db.select().from(s.journeyEvents).where(eq(s.journeyEvents.visitorId, visitorId)).orderBy(desc(s.journeyEvents.at), desc(s.journeyEvents.id)).limit(limit);
    return rows.reverse().map((r) => ({ type: r.type, at: r.at, data: r.data as Record<string, unknown> }));
  }

  async createInboxItem(i: NewInboxItem, now: number) {
    const row: InboxRow = { id: newId(), ...i, status: 'open', assigneeId: null, answer: null, answeredAt: null, answerSeenAt: null, createdAt: now, resolvedAt: null };
    await this.db.insert(s.inboxItems).values(row);
    return row;
  }
  async getInboxItem(id: string) {
    return one(await this.db.select().from(s.inboxItems).where(eq(s.inboxItems.id, id)));
  }
  async listInbox(siteIds: string[], status: 'open' | 'resolved', limit: number, before: { at: number; id: string } | null = null) {
    if (!siteIds.length) return [];
    const i = s.inboxItems;
    const keyset = before ? [sql`(${i.createdAt} < ${before.at} or (${i.createdAt} = ${before.at} and ${i.id} collate "C" < ${before.id}))`] : [];
    return this.db.select().from(i).where(and(inArray(i.siteId, siteIds), eq(i.status, status), ...keyset)).orderBy(desc(i.createdAt), sql`${i.id} collate "C" desc`).limit(limit);
  }
  async countRules(siteId: string) {
    return one(await this.db.select({ n: count }).from(s.rules).where(eq(s.rules.siteId, siteId)))?.n ?? 0;
  }
  async countCanned(siteId: string) {
    return one(await this.db.select({ n: count }).from(s.canned).where(eq(s.canned.siteId, siteId)))?.n ?? 0;
  }
  async updateInboxItem(id: string, patch: Partial<Pick<InboxRow, 'status' | 'assigneeId' | 'answer' | 'answeredAt' | 'answerSeenAt' | 'resolvedAt'>>) {
    if (!Object.keys(patch).length) return this.getInboxItem(id);
    return one(await this.db.update(s.inboxItems).set(patch).where(eq(s.inboxItems.id, id)).returning());
  }
  async unseenAnswers(visitorId: string) {
    return this.db.select().from(s.inboxItems).where(and(eq(s.inboxItems.visitorId, visitorId), sql`${s.inboxItems.answer} is not null`, sql`${s.inboxItems.answerSeenAt} is null`)).orderBy(asc(s.inboxItems.answeredAt));
  }

  private closed = false;
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    await this.journeyFlush?.catch(() => undefined);
    await this.journeyWritten;
    await this.pool.end();
    await this.locks.end();
  }
}

/** the constraint a unique violation is of (drizzle wraps the driver's error in `cause`) */
function constraintOf(e: unknown): string | null {
  for (let x = e as { code?: unknown; constraint?: unknown; cause?: unknown } | undefined, n = 0; x && n < 4; x = x.cause as typeof x, n++) if (x.code === '23505' && typeof x.constraint === 'string') return x.constraint;
  return null;
}

export { inTransaction };
