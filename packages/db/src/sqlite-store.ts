/**
 * The embedded store: SQLite through better-sqlite3 and drizzle. WAL with synchronous=NORMAL:
 * a committed (and so acknowledged) message survives a crash of the process; `durability:
 * 'full'` also survives power loss. Every write that spans rows runs in one transaction.
 */
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, desc, eq, getTableColumns, gt, inArray, is, lt, ne, or, Param, Placeholder, sql, type InferSelectModel } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DEFAULT_ATTACHMENTS, DEFAULT_ENGAGEMENT, LIMITS, type AttachmentRef, type AttachmentSettings, DEFAULT_HOURS, DEFAULT_PHRASES, DEFAULT_QUALITY, DEFAULT_RETENTION, DEFAULT_ROUTING, type QualitySettings, type RetentionSettings, type PhraseRule, type RoutingSettings, type Appearance, type BusinessHours, type EngagementSettings, type FunnelRow, type Message, type Rule, type RuleDef, type SiteView } from '@beckon/protocol';
import { guardStore } from './guard';
import { newId } from './ids';
import { toMessage, toRule, toSite } from './rows';
import { SqliteDeadlines } from './sqlite-deadlines';
import { TurnCommit } from './sqlite-group';
import { SqliteIntegrations } from './sqlite-integrations';
import { SqliteTrail } from './sqlite-trail';
import { lit, perLimit } from './sqlite-limit';
import { SqliteQuality } from './sqlite-quality';
import { SqliteFiles } from './sqlite-files';
import { SqlitePush } from './sqlite-push';
import { Checkpointer } from './sqlite-checkpoint';
import { applyRetention, deleteSite, eraseVisitor, exportVisitor } from './sqlite-privacy';
import * as s from './schema';
import type { AppendResult, ConversationRow, InboxRow, NewInboxItem, NewMessage, NewSite, OfferRow, RouteUpdate, Store, VisitorPatch } from './store';

export interface SqliteOptions {
  /** file path, or ':memory:' */
  file: string;
  durability?: 'normal' | 'full';
  /** WAL checkpoints on a thread of their own (sqlite-checkpoint.ts); a file only, on unless false */
  checkpointThread?: boolean | { everyMs: number };
}

const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));
const PREVIEW = LIMITS.previewChars;

/**
 * How long one statement waits for a lock another process holds (a backup, `sqlite3` in a
 * shell). better-sqlite3 is synchronous: this wait stalls the event loop, so it stays short.
 */
const BUSY_WAIT_MS = 200;
/** while degraded, how often a write lock is tried for (nothing else waits meanwhile) */
const PROBE_MS = 250;

export function openSqliteStore(opts: SqliteOptions): Store {
  const sqlite = new Database(opts.file);
  sqlite.pragma('journal_mode = WAL');
  const synchronous = opts.durability === 'full' ? 'FULL' : 'NORMAL';
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  const db: BetterSQLite3Database<typeof s> = drizzle(sqlite, { schema: s });
  migrate(db, { migrationsFolder: MIGRATIONS });
  const onDisk = opts.file !== ':memory:' && opts.file !== '';
  const checkpointer = onDisk && opts.checkpointThread !== false ? new Checkpointer(opts.file, sqlite, { synchronous, everyMs: typeof opts.checkpointThread === 'object' ? opts.checkpointThread.everyMs : undefined, onError: (err) => process.emitWarning(err) }) : null;
  return busyGuard(new SqliteStore(sqlite, db, checkpointer), sqlite);
}

const isBusy = (e: unknown) => typeof (e as { code?: unknown })?.code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test((e as { code: string }).code);

/**
 * A locked database answers BUSY (retryable, the caller keeps its message id) instead of
 * freezing the server: after the first BUSY, statements stop waiting for the lock at all and a
 * probe tries for it every 250 ms; once it gets it, waits go back to 200 ms.
 */
function busyGuard(store: SqliteStore, sqlite: Database.Database): Store {
  let probe: ReturnType<typeof setInterval> | null = null;
  const degrade = () => {
    store.degraded = true;
    if (probe) return;
    sqlite.pragma('busy_timeout = 0');
    probe = setInterval(() => {
      if (!sqlite.open) return recover();
      try {
        sqlite.exec('BEGIN IMMEDIATE; ROLLBACK');
        recover();
      } catch {
        /* still held */
      }
    }, PROBE_MS);
    probe.unref();
  };
  const recover = () => {
    if (probe) clearInterval(probe);
    probe = null;
    store.degraded = false;
    if (sqlite.open) sqlite.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  };
  return guardStore(store as unknown as Store, { transient: isBusy, degrade, onClose: recover });
}

const ph = sql.placeholder;

/**
 * A drizzle query run as a plain better-sqlite3 statement: drizzle writes the SQL once, and each
 * call skips its per-call layers (placeholder filling, field ordering, row mapping by entity
 * checks), which were a quarter of a durable append. Rows are mapped by the table's own columns.
 */
function direct<T extends SQLiteTable>(sqlite: Database.Database, q: { toSQL(): { sql: string; params: unknown[] } }, table: T) {
  const { sql: text, params } = q.toSQL();
  // placeholders are filled per call; values drizzle bound itself (a constant) stay
  const slots = params.map((p) => {
    const inner = is(p, Param) ? p.value : p;
    const encode = is(p, Param) && p.encoder ? (v: unknown) => (v === null || v === undefined ? null : (p.encoder as { mapToDriverValue(v: unknown): unknown }).mapToDriverValue(v)) : (v: unknown) => v;
    return is(inner, Placeholder) ? { name: inner.name as string, value: undefined, encode } : { name: undefined, value: encode(inner), encode };
  });
  const cols = Object.entries(getTableColumns(table)).map(([key, c]) => ({ key, from: (v: unknown) => c.mapFromDriverValue(v) }));
  const prepare = (t: string) => {
    const st = sqlite.prepare(t);
    if (st.reader) st.raw();
    return st;
  };
  // the LIMIT is written into the text (./sqlite-limit.ts): drizzle's own value once, a placeholder's once per value
  const limit = / limit \?$/.test(text) ? slots.pop()! : null;
  const byLimit = limit ? perLimit(prepare, `${text.slice(0, -1)}$limit`) : null;
  const fixed = !byLimit ? prepare(text) : limit!.name === undefined ? byLimit(limit!.value as number) : null;
  const statement = (args: Record<string, unknown>) => fixed ?? byLimit!(args[limit!.name!] as number);
  const row = (r: unknown[] | undefined): InferSelectModel<T> | undefined => {
    if (!r) return undefined;
    const o: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) o[cols[i]!.key] = r[i] === null ? null : cols[i]!.from(r[i]);
    return o as InferSelectModel<T>;
  };
  const bind = (args: Record<string, unknown>) => slots.map((x) => (x.name !== undefined ? x.encode(args[x.name] ?? null) : x.value));
  return {
    get: (args: Record<string, unknown>) => row(statement(args).get(...bind(args)) as unknown[] | undefined),
    all: (args: Record<string, unknown>) => (statement(args).all(...bind(args)) as unknown[][]).map((r) => row(r)!),
    /** how many rows it changed */
    run: (args: Record<string, unknown>) => statement(args).run(...bind(args)).changes,
  };
}

/**
 * `update <table> set <the patch's columns> where id = ?` as direct statements, one per set of
 * patched columns (a handful each: a visitor's identity, an offer's outcome), built on first use.
 */
function patcher<T extends SQLiteTable & { id: SQLiteColumn }>(db: BetterSQLite3Database<typeof s>, sqlite: Database.Database, table: T) {
  const made = new Map<string, ReturnType<typeof direct<T>>>();
  return (id: string, patch: Record<string, unknown>) => {
    const keys = Object.keys(patch).sort();
    const key = keys.join(',');
    let stmt = made.get(key);
    if (!stmt) {
      const set = Object.fromEntries(keys.map((k) => [k, ph(k)]));
      made.set(key, (stmt = direct(sqlite, db.update(table).set(set as never).where(eq(table.id, ph('id'))).returning(), table)));
    }
    return stmt.get({ ...patch, id });
  };
}

/** The statements every chat message runs, built and prepared once (drizzle otherwise rebuilds and re-prepares each call). */
function hotStatements(db: BetterSQLite3Database<typeof s>, sqlite: Database.Database) {
  // the next seq is taken where it is kept: the row of an open conversation comes back with it
  // (an update's right-hand sides read the row as it was, so `last_seq + 1` is the new seq in each)
  const next = sql`${s.conversations.lastSeq} + 1`;
  const bump = (sender: 'visitor' | 'operator' | 'system') =>
    db
      .update(s.conversations)
      .set({
        lastSeq: next,
        lastMessageAt: sql`${ph('now')}`,
        lastMessagePreview: sql`${ph('preview')}`,
        // an operator's reply means the operators have read everything before it
        ...(sender === 'visitor'
          ? { visitorReadSeq: next, operatorUnread: sql`${s.conversations.operatorUnread} + 1`, visitorMessages: sql`${s.conversations.visitorMessages} + 1` }
          : sender === 'operator'
            ? { operatorReadSeq: next, operatorUnread: 0, lastOperatorAt: sql`${ph('now')}`, firstOperatorAt: sql`coalesce(${s.conversations.firstOperatorAt}, ${ph('now')})`, operatorMessages: sql`${s.conversations.operatorMessages} + 1` }
            : {}),
      })
      .where(and(eq(s.conversations.id, ph('id')), ne(s.conversations.status, 'closed')))
      .returning();
  return {
    conversation: direct(sqlite, db.select().from(s.conversations).where(eq(s.conversations.id, ph('id'))), s.conversations),
    // whether a conversation exists (an append that changed nothing: missing, or closed)
    conversationHead: sqlite.prepare<[{ id: string }], { status: string; lastSeq: number }>('select status, last_seq as lastSeq from conversations where id = @id'),
    latestOf: direct(sqlite, db.select().from(s.conversations).where(eq(s.conversations.visitorId, ph('visitorId'))).orderBy(desc(s.conversations.createdAt), desc(s.conversations.id)).limit(1), s.conversations),
    account: direct(sqlite, db.select().from(s.accounts).where(eq(s.accounts.id, ph('id'))), s.accounts),
    // what every handshake, journey event and offer reads and writes, prepared once and run
    // directly (issue 9: building and preparing these per call was the largest part of the busy
    // time under load; drizzle's per-call layers were the next)
    visitor: direct(sqlite, db.select().from(s.visitors).where(eq(s.visitors.id, ph('id'))), s.visitors),
    upsertVisitor: direct(
      sqlite,
      db
        .insert(s.visitors)
        .values({ id: ph('id'), siteId: ph('siteId'), lang: ph('lang'), userAgent: ph('userAgent'), createdAt: ph('now'), lastSeenAt: ph('now') })
        .onConflictDoUpdate({ target: s.visitors.id, set: { lastSeenAt: sql`excluded.last_seen_at`, lang: sql`excluded.lang`, userAgent: sql`excluded.user_agent` } })
        .returning(),
      s.visitors,
    ),
    patchVisitor: patcher(db, sqlite, s.visitors),
    site: direct(sqlite, db.select().from(s.sites).where(eq(s.sites.id, ph('id'))), s.sites),
    siteByKey: direct(sqlite, db.select().from(s.sites).where(eq(s.sites.key, ph('key'))), s.sites),
    members: db
      .select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, skills: s.memberships.skills, disabled: s.memberships.disabled, email: s.accounts.email, name: s.accounts.name })
      .from(s.memberships)
      .innerJoin(s.accounts, eq(s.accounts.id, s.memberships.accountId))
      .where(and(eq(s.memberships.siteId, ph('siteId')), eq(s.memberships.disabled, false)))
      .orderBy(asc(s.accounts.name))
      .prepare(),
    // every handshake asks: one statement for both (a null matches nothing)
    blocked: sqlite.prepare<[string, string | null, string | null], unknown>('select 1 from blocks where site_id = ? and (visitor_id = ? or ip = ?) limit 1').pluck(),
    recentOffers: direct(sqlite, db.select().from(s.offers).where(eq(s.offers.visitorId, ph('visitorId'))).orderBy(desc(s.offers.createdAt)).limit(ph('limit')), s.offers),
    offer: direct(sqlite, db.select().from(s.offers).where(eq(s.offers.id, ph('id'))), s.offers),
    insertOffer: direct(
      sqlite,
      db.insert(s.offers).values({ id: ph('id'), siteId: ph('siteId'), visitorId: ph('visitorId'), ruleId: ph('ruleId'), ruleName: ph('ruleName'), variant: ph('variant'), kind: ph('kind'), holdout: ph('holdout'), sessionStartedAt: ph('sessionStartedAt'), createdAt: ph('createdAt'), goalEvent: ph('goalEvent'), goalWindowHours: ph('goalWindowHours'), invitedBy: ph('invitedBy'), expiresAt: ph('expiresAt') }),
      s.offers,
    ),
    patchOffer: patcher(db, sqlite, s.offers),
    expireOffer: direct(sqlite, db.update(s.offers).set({ expiredAt: sql`${ph('now')}` }).where(and(eq(s.offers.id, ph('id')), sql`${s.offers.expiredAt} is null and ${s.offers.dismissedAt} is null and ${s.offers.acceptedAt} is null`)), s.offers),
    unseenAnswers: direct(sqlite, db.select().from(s.inboxItems).where(and(eq(s.inboxItems.visitorId, ph('visitorId')), sql`${s.inboxItems.answer} is not null`, sql`${s.inboxItems.answerSeenAt} is null`)).orderBy(asc(s.inboxItems.answeredAt)), s.inboxItems),
    // a reconnecting chat's catch-up and each page of history
    messagesAfter: direct(sqlite, db.select().from(s.messages).where(and(eq(s.messages.conversationId, ph('conversationId')), gt(s.messages.seq, ph('seq')))).orderBy(asc(s.messages.seq)).limit(ph('limit')), s.messages),
    messagesBefore: direct(sqlite, db.select().from(s.messages).where(and(eq(s.messages.conversationId, ph('conversationId')), lt(s.messages.seq, ph('seq')))).orderBy(desc(s.messages.seq)).limit(ph('limit')), s.messages),
    sentBy: direct(sqlite, db.select().from(s.messages).where(and(eq(s.messages.senderId, ph('senderId')), eq(s.messages.clientId, ph('clientId')), eq(s.messages.sender, ph('sender')))).limit(1), s.messages),
    insertMessage: direct(
      sqlite,
      db.insert(s.messages).values({ id: ph('id'), conversationId: ph('conversationId'), seq: ph('seq'), clientId: ph('clientId'), sender: ph('sender'), senderId: ph('senderId'), authorName: ph('authorName'), body: ph('body'), createdAt: ph('createdAt'), attachment: ph('attachment') }),
      s.messages,
    ),
    bump: { visitor: direct(sqlite, bump('visitor'), s.conversations), operator: direct(sqlite, bump('operator'), s.conversations), system: direct(sqlite, bump('system'), s.conversations) },
  };
}

class SqliteStore implements Store {
  private readonly hot: ReturnType<typeof hotStatements>;
  readonly deadlines: SqliteDeadlines;
  readonly integrations: SqliteIntegrations;
  readonly quality: SqliteQuality;
  readonly files: SqliteFiles;
  readonly push: SqlitePush;
  degraded = false;
  private readonly trail: SqliteTrail;
  /** appends, offers and deadlines asked for in one turn share one commit */
  private readonly turn: TurnCommit;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly db: BetterSQLite3Database<typeof s>,
    /** null: SQLite checkpoints inside commits, as it does by default */
    readonly checkpointer: Checkpointer | null = null,
  ) {
    this.hot = hotStatements(db, sqlite);
    this.turn = new TurnCommit(sqlite);
    this.deadlines = new SqliteDeadlines(db, sqlite, this.turn);
    this.trail = new SqliteTrail(sqlite);
    this.integrations = new SqliteIntegrations(db, sqlite, this.trail);
    this.quality = new SqliteQuality(sqlite);
    this.files = new SqliteFiles(sqlite);
    this.push = new SqlitePush(sqlite);
  }

  healthy() {
    return !this.degraded;
  }
  /** one process holds the file: its own per-key queues (the chat service's) are all it takes */
  exclusive<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async getMeta(key: string) {
    return this.db.select().from(s.meta).where(eq(s.meta.key, key)).get()?.value ?? null;
  }
  async setMeta(key: string, value: string) {
    this.db.insert(s.meta).values({ key, value }).onConflictDoUpdate({ target: s.meta.key, set: { value } }).run();
  }
  async initMeta(key: string, value: string) {
    this.db.insert(s.meta).values({ key, value }).onConflictDoNothing({ target: s.meta.key }).run();
    return (await this.getMeta(key))!;
  }

  async createSite(site: NewSite, now: number) {
    const row = { id: newId(), key: site.key ?? newId(), name: site.name, allowedOrigins: site.allowedOrigins, appearance: site.appearance, defaultLang: site.defaultLang, idleCloseMinutes: site.idleCloseMinutes, engagement: DEFAULT_ENGAGEMENT, hours: DEFAULT_HOURS, routing: DEFAULT_ROUTING, phrases: null, retention: null, quality: null, attachments: null, identitySecret: newId() + newId(), createdAt: now };
    this.db.insert(s.sites).values(row).run();
    return toSite(row);
  }
  async getSite(id: string) {
    const r = this.hot.site.get({ id });
    return r ? toSite(r) : null;
  }
  async getSiteByKey(key: string) {
    const r = this.hot.siteByKey.get({ key });
    return r ? toSite(r) : null;
  }
  async listSites() {
    return this.db.select().from(s.sites).orderBy(asc(s.sites.createdAt)).all().map(toSite);
  }
  async updateSite(id: string, patch: Partial<Omit<SiteView, 'id' | 'key' | 'createdAt'>>) {
    if (Object.keys(patch).length) this.db.update(s.sites).set(patch).where(eq(s.sites.id, id)).run();
    return this.getSite(id);
  }

  async deleteSite(id: string) {
    this.trail.flush();
    return deleteSite(this.sqlite, id);
  }
  async recordSighting(siteId: string, origin: string, allowed: boolean, now: number) {
    const o = s.originSightings;
    this.db
      .insert(o)
      .values({ siteId, origin: origin.slice(0, 200), allowed, lastSeenAt: now, count: 1 })
      .onConflictDoUpdate({ target: [o.siteId, o.origin], set: { allowed, lastSeenAt: now, count: sql`${o.count} + 1` } })
      .run();
    // bounded: a refused origin can be anything a stranger types
    this.sqlite.prepare('delete from origin_sightings where site_id = ? and origin not in (select origin from origin_sightings where site_id = ? order by last_seen_at desc limit 50)').run(siteId, siteId);
  }
  async sightings(siteId: string) {
    return this.db.select({ origin: s.originSightings.origin, allowed: s.originSightings.allowed, lastSeenAt: s.originSightings.lastSeenAt, count: s.originSightings.count }).from(s.originSightings).where(eq(s.originSightings.siteId, siteId)).orderBy(desc(s.originSightings.lastSeenAt)).all();
  }
  async exportVisitor(visitorId: string) {
    this.trail.flush();
    return exportVisitor(this.sqlite, visitorId);
  }
  async eraseVisitor(visitorId: string) {
    this.trail.flush();
    return eraseVisitor(this.sqlite, visitorId);
  }
  async applyRetention(siteId: string, r: RetentionSettings, now: number) {
    this.trail.flush();
    return applyRetention(this.sqlite, siteId, r, now);
  }

  async createAccount(a: { email: string; name: string; passwordHash: string }, now: number) {
    const row = { id: newId(), ...a, createdAt: now };
    this.db.insert(s.accounts).values(row).run();
    return row;
  }
  async getAccount(id: string) {
    return this.hot.account.get({ id }) ?? null;
  }
  async getAccountByEmail(email: string) {
    return this.db.select().from(s.accounts).where(eq(s.accounts.email, email)).get() ?? null;
  }
  async updateAccount(id: string, patch: { name?: string; passwordHash?: string }) {
    if (Object.keys(patch).length) this.db.update(s.accounts).set(patch).where(eq(s.accounts.id, id)).run();
  }
  async countAccounts() {
    return this.db.select({ n: sql<number>`count(*)` }).from(s.accounts).get()?.n ?? 0;
  }

  async putMembership(m: { accountId: string; siteId: string; role: 'admin' | 'supervisor' | 'operator'; capacity: number; skills?: string[]; disabled?: boolean }, now: number) {
    this.db
      .insert(s.memberships)
      .values({ ...m, skills: m.skills ?? [], disabled: m.disabled ?? false, createdAt: now })
      .onConflictDoUpdate({ target: [s.memberships.accountId, s.memberships.siteId], set: { role: m.role, capacity: m.capacity, ...(m.skills ? { skills: m.skills } : {}), ...(m.disabled !== undefined ? { disabled: m.disabled } : {}) } })
      .run();
  }
  async removeMembership(accountId: string, siteId: string) {
    return this.db.delete(s.memberships).where(and(eq(s.memberships.accountId, accountId), eq(s.memberships.siteId, siteId))).run().changes > 0;
  }
  async membershipsOf(accountId: string) {
    return this.db
      .select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, siteName: s.sites.name })
      .from(s.memberships)
      .innerJoin(s.sites, eq(s.sites.id, s.memberships.siteId))
      .where(and(eq(s.memberships.accountId, accountId), eq(s.memberships.disabled, false)))
      .orderBy(asc(s.sites.createdAt))
      .all();
  }
  async allMembershipsOf(accountId: string) {
    return this.db.select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, disabled: s.memberships.disabled }).from(s.memberships).where(eq(s.memberships.accountId, accountId)).all();
  }
  async listMembers(siteId: string, opts: { includeDisabled?: boolean } = {}) {
    if (!opts.includeDisabled) return this.hot.members.all({ siteId }).map((m) => ({ ...m, skills: m.skills ?? [] }));
    return this.db
      .select({ accountId: s.memberships.accountId, siteId: s.memberships.siteId, role: s.memberships.role, capacity: s.memberships.capacity, skills: s.memberships.skills, disabled: s.memberships.disabled, email: s.accounts.email, name: s.accounts.name })
      .from(s.memberships)
      .innerJoin(s.accounts, eq(s.accounts.id, s.memberships.accountId))
      .where(and(eq(s.memberships.siteId, siteId), ...(opts.includeDisabled ? [] : [eq(s.memberships.disabled, false)])))
      .orderBy(asc(s.accounts.name))
      .all()
      .map((m) => ({ ...m, skills: m.skills ?? [] }));
  }

  async createAuthSession(x: { id: string; accountId: string; expiresAt: number }, now: number) {
    this.db.insert(s.authSessions).values({ ...x, createdAt: now }).run();
    // keep the table small: expired sessions go when new ones arrive
    this.db.delete(s.authSessions).where(lt(s.authSessions.expiresAt, now)).run();
  }
  async getAuthSession(id: string, now: number) {
    const r = this.db.select().from(s.authSessions).where(and(eq(s.authSessions.id, id), gt(s.authSessions.expiresAt, now))).get();
    return r ? { accountId: r.accountId, expiresAt: r.expiresAt } : null;
  }
  async deleteAuthSession(id: string) {
    this.db.delete(s.authSessions).where(eq(s.authSessions.id, id)).run();
  }
  async deleteAuthSessionsOf(accountId: string) {
    this.db.delete(s.authSessions).where(eq(s.authSessions.accountId, accountId)).run();
  }

  /**
   * A returning visitor's handshake writes nothing unless something changed or the last write is
   * older than five minutes (lastSeenAt is for visits of 30 minutes and retention of days).
   */
  async touchVisitor(v: { id: string; siteId: string; lang: string | null; userAgent: string | null }, now: number) {
    const known = this.hot.visitor.get({ id: v.id });
    if (known && known.siteId === v.siteId && known.lang === v.lang && known.userAgent === v.userAgent && now - known.lastSeenAt < 300_000) return known;
    return this.hot.upsertVisitor.get({ ...v, now })!;
  }
  async getVisitor(id: string) {
    return this.hot.visitor.get({ id }) ?? null;
  }

  async updateVisitor(id: string, patch: VisitorPatch) {
    if (Object.keys(patch).length) this.hot.patchVisitor(id, patch);
  }

  async createConversation(c: { siteId: string; visitorId: string; previousId: string | null; offerId?: string | null; ruleId?: string | null; variant?: string | null }, now: number) {
    const row: ConversationRow = { id: newId(), offerId: null, ruleId: null, variant: null, priority: 0, department: null, moves: 0, tried: null, head: false, lastOperatorAt: null, ...c, status: 'queued', assigneeId: null, lastSeq: 0, lastMessageAt: now, lastMessagePreview: '', visitorReadSeq: 0, operatorReadSeq: 0, operatorUnread: 0, createdAt: now, assignedAt: null, closedAt: null, closedReason: null };
    this.db.insert(s.conversations).values(row).run();
    return row;
  }
  async getConversation(id: string) {
    return this.hot.conversation.get({ id }) ?? null;
  }
  async latestConversationOf(visitorId: string) {
    return this.hot.latestOf.get({ visitorId }) ?? null;
  }
  async assignConversation(id: string, operatorId: string | null, now: number) {
    const set = operatorId ? { status: 'active' as const, assigneeId: operatorId, assignedAt: now, firstAssignedAt: sql`coalesce(${s.conversations.firstAssignedAt}, ${now})` } : { status: 'queued' as const, assigneeId: null, assignedAt: null };
    return this.db.update(s.conversations).set(set).where(and(eq(s.conversations.id, id), ne(s.conversations.status, 'closed'))).returning().get() ?? null;
  }
  async routeConversation(id: string, r: RouteUpdate, now: number) {
    const set = r.assigneeId
      ? { status: 'active' as const, assigneeId: r.assigneeId, assignedAt: now, firstAssignedAt: sql`coalesce(${s.conversations.firstAssignedAt}, ${now})`, head: false }
      : { status: 'queued' as const, assigneeId: null, assignedAt: null, ...(r.head !== undefined ? { head: r.head } : {}) };
    return (
      this.db
        .update(s.conversations)
        .set({ ...set, ...(r.moves !== undefined ? { moves: r.moves } : {}), ...(r.tried !== undefined ? { tried: r.tried } : {}), ...(r.department !== undefined ? { department: r.department } : {}), ...(r.priority !== undefined ? { priority: r.priority } : {}) })
        .where(and(eq(s.conversations.id, id), ne(s.conversations.status, 'closed'), ...(r.onlyIfAssignee !== undefined ? [r.onlyIfAssignee === null ? sql`${s.conversations.assigneeId} is null` : eq(s.conversations.assigneeId, r.onlyIfAssignee)] : [])))
        .returning()
        .get() ?? null
    );
  }
  async activeOf(operatorId: string) {
    return this.db.select().from(s.conversations).where(and(eq(s.conversations.assigneeId, operatorId), eq(s.conversations.status, 'active'))).all();
  }
  async listActive(siteId: string) {
    return this.db.select().from(s.conversations).where(and(eq(s.conversations.siteId, siteId), eq(s.conversations.status, 'active'))).orderBy(asc(s.conversations.assignedAt)).all();
  }
  async handlingTimes(siteId: string, limit: number) {
    return this.db
      .select({ assignedAt: s.conversations.assignedAt, closedAt: s.conversations.closedAt })
      .from(s.conversations)
      .where(and(eq(s.conversations.siteId, siteId), eq(s.conversations.status, 'closed'), sql`${s.conversations.assignedAt} is not null`))
      .orderBy(desc(s.conversations.closedAt))
      .limit(lit(limit))
      .all()
      .map((r) => Math.max(0, r.closedAt! - r.assignedAt!));
  }
  async conversationsOfVisitor(visitorId: string, limit: number) {
    return this.db.select().from(s.conversations).where(eq(s.conversations.visitorId, visitorId)).orderBy(desc(s.conversations.createdAt)).limit(lit(limit)).all();
  }
  async searchMessages(siteIds: string[], q: string, limit: number) {
    if (!siteIds.length) return [];
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .select({ conversationId: s.messages.conversationId, seq: s.messages.seq, body: s.messages.body, sender: s.messages.sender, createdAt: s.messages.createdAt, visitorId: s.conversations.visitorId })
      .from(s.messages)
      .innerJoin(s.conversations, eq(s.conversations.id, s.messages.conversationId))
      .where(and(inArray(s.conversations.siteId, siteIds), sql`${s.messages.body} like ${like} escape '\\'`))
      .orderBy(desc(s.messages.createdAt))
      .limit(lit(limit))
      .all();
  }

  async addRoutingEvent(e: { siteId: string; conversationId: string; kind: string; operatorId: string | null; reason: Record<string, unknown>; at: number }) {
    this.db.insert(s.routingEvents).values(e).run();
  }
  async routingEventsOf(conversationId: string, limit: number) {
    return this.db.select().from(s.routingEvents).where(eq(s.routingEvents.conversationId, conversationId)).orderBy(desc(s.routingEvents.at), desc(s.routingEvents.id)).limit(lit(limit)).all() as { kind: string; operatorId: string | null; reason: Record<string, unknown>; at: number }[];
  }
  async lastWaitReasons(conversationIds: string[]) {
    if (!conversationIds.length) return new Map<string, Record<string, unknown>>();
    const rows = this.db.select().from(s.routingEvents).where(and(inArray(s.routingEvents.conversationId, conversationIds), eq(s.routingEvents.kind, 'queued'))).orderBy(asc(s.routingEvents.at), asc(s.routingEvents.id)).all();
    return new Map(rows.map((r) => [r.conversationId, r.reason as Record<string, unknown>]));
  }

  async addNote(n: { conversationId: string; authorId: string; authorName: string; body: string }, now: number) {
    const row = { id: newId(), ...n, createdAt: now };
    this.db.insert(s.notes).values(row).run();
    return row;
  }
  async notesOf(conversationId: string) {
    return this.db.select().from(s.notes).where(eq(s.notes.conversationId, conversationId)).orderBy(asc(s.notes.createdAt)).all();
  }

  async listCanned(siteId: string, accountId: string) {
    return this.db.select().from(s.canned).where(and(eq(s.canned.siteId, siteId), sql`(${s.canned.ownerId} is null or ${s.canned.ownerId} = ${accountId})`)).orderBy(asc(s.canned.shortcut)).all();
  }
  async createCanned(c: { siteId: string; ownerId: string | null; shortcut: string; body: string }, now: number) {
    const row = { id: newId(), ...c, createdAt: now };
    this.db.insert(s.canned).values(row).run();
    return row;
  }
  async getCanned(id: string) {
    return this.db.select().from(s.canned).where(eq(s.canned.id, id)).get() ?? null;
  }
  async deleteCanned(id: string) {
    return this.db.delete(s.canned).where(eq(s.canned.id, id)).run().changes > 0;
  }

  async setPhrases(siteId: string, phrases: PhraseRule[]) {
    this.db.update(s.sites).set({ phrases }).where(eq(s.sites.id, siteId)).run();
  }
  async getPhrases(siteId: string) {
    const r = this.db.select({ phrases: s.sites.phrases }).from(s.sites).where(eq(s.sites.id, siteId)).get();
    return (r?.phrases as PhraseRule[] | null) ?? DEFAULT_PHRASES;
  }

  async addBlock(b: { siteId: string; visitorId: string | null; ip: string | null; reason: string; byId: string }, now: number) {
    this.db.insert(s.blocks).values({ id: newId(), ...b, createdAt: now }).run();
  }
  async isBlocked(siteId: string, visitorId: string | null, ip: string | null) {
    if (!visitorId && !ip) return false;
    return this.hot.blocked.get(siteId, visitorId || null, ip || null) !== undefined;
  }

  async closeConversation(id: string, reason: 'operator' | 'visitor' | 'idle' | 'visitor_left', now: number) {
    return this.db.update(s.conversations).set({ status: 'closed', closedAt: now, closedReason: reason }).where(and(eq(s.conversations.id, id), ne(s.conversations.status, 'closed'))).returning().get() ?? null;
  }
  async listConversations(siteIds: string[], closedLimit: number) {
    if (!siteIds.length) return [];
    const open = this.db.select().from(s.conversations).where(and(inArray(s.conversations.siteId, siteIds), ne(s.conversations.status, 'closed'))).orderBy(desc(s.conversations.lastMessageAt)).all();
    const closed = this.db.select().from(s.conversations).where(and(inArray(s.conversations.siteId, siteIds), eq(s.conversations.status, 'closed'))).orderBy(desc(s.conversations.closedAt)).limit(lit(closedLimit)).all();
    return [...open, ...closed];
  }
  async listOpenPage(siteIds: string[], after: { at: number; id: string } | null, limit: number) {
    if (!siteIds.length) return [];
    const c = s.conversations;
    const keyset = after ? [sql`(${c.lastMessageAt} < ${after.at} or (${c.lastMessageAt} = ${after.at} and ${c.id} < ${after.id}))`] : [];
    return this.db.select().from(c).where(and(inArray(c.siteId, siteIds), ne(c.status, 'closed'), ...keyset)).orderBy(desc(c.lastMessageAt), desc(c.id)).limit(lit(limit)).all();
  }
  async listClosed(siteIds: string[], limit: number) {
    if (!siteIds.length) return [];
    return this.db.select().from(s.conversations).where(and(inArray(s.conversations.siteId, siteIds), eq(s.conversations.status, 'closed'))).orderBy(desc(s.conversations.closedAt)).limit(lit(limit)).all();
  }
  async activeCounts(accountIds?: string[]) {
    // with the accounts given, the (assignee, status) index answers each: the table is not scanned
    const c = s.conversations;
    const rows = this.db.select({ id: c.assigneeId, n: sql<number>`count(*)` }).from(c).where(accountIds ? and(inArray(c.assigneeId, accountIds.length ? accountIds : ['']), eq(c.status, 'active')) : eq(c.status, 'active')).groupBy(c.assigneeId).all();
    return new Map(rows.filter((r) => r.id).map((r) => [r.id as string, r.n]));
  }
  async listQueued(siteId: string) {
    return this.db.select().from(s.conversations).where(and(eq(s.conversations.siteId, siteId), eq(s.conversations.status, 'queued'))).orderBy(asc(s.conversations.createdAt), asc(s.conversations.id)).all();
  }
  async listIdle(now: number) {
    return this.db
      .select({ c: s.conversations })
      .from(s.conversations)
      .innerJoin(s.sites, eq(s.sites.id, s.conversations.siteId))
      .where(and(ne(s.conversations.status, 'closed'), sql`${s.conversations.lastMessageAt} < ${now} - ${s.sites.idleCloseMinutes} * 60000`))
      .all()
      .map((r) => r.c);
  }

  private append(m: NewMessage): AppendResult {
    // a client id is the sender's, whatever the conversation: a retry that arrives after its
    // conversation was closed (and another began) is the same message, not a new one
    const existing = this.hot.sentBy.get({ sender: m.sender, senderId: m.senderId, clientId: m.clientId });
    if (existing) {
      if (!this.hot.conversationHead.get({ id: m.conversationId })) return { kind: 'missing' };
      return existing.body === m.body ? { kind: 'duplicate', message: toMessage(existing), conversation: (this.hot.conversation.get({ id: existing.conversationId }) ?? this.hot.conversation.get({ id: m.conversationId }))! } : { kind: 'conflict' };
    }
    // two statements for a new message: the open conversation's row takes the next seq (and
    // comes back whole), the message is stored with it; both or neither (the caller's savepoint)
    const updated = this.hot.bump[m.sender].get({ id: m.conversationId, now: m.now, preview: m.body.slice(0, PREVIEW) });
    if (!updated) return this.hot.conversationHead.get({ id: m.conversationId }) ? { kind: 'closed' } : { kind: 'missing' };
    const row = { id: newId(), conversationId: m.conversationId, seq: updated.lastSeq, clientId: m.clientId, sender: m.sender, senderId: m.senderId, authorName: m.authorName, body: m.body, createdAt: m.now, attachment: m.attachment ?? null, editedAt: null, deletedAt: null };
    this.hot.insertMessage.run(row);
    // the file now belongs to this message (and its conversation: erasure and retention take both)
    if (m.attachment) this.sqlite.prepare('update attachments set conversation_id = ?, message_id = ? where id = ? and message_id is null').run(m.conversationId, row.id, m.attachment.id);
    return { kind: 'created', message: toMessage(row), conversation: updated };
  }
  /**
   * Appends that arrive in one turn of the event loop share one commit (./sqlite-group.ts: an
   * operator answering a dozen chats at once, a burst of visitors). A commit was most of an
   * append's time (~90 µs of ~120 under the chat benchmark).
   */
  appendMessage(m: NewMessage): Promise<AppendResult> {
    return this.turn.run(() => this.append(m));
  }
  async changeMessage(c: { messageId: string; conversationId: string; sender: 'visitor' | 'operator'; senderId: string; body: string | null; now: number; since: number }) {
    return this.sqlite.transaction((): Message | 'gone' | 'not_last' => {
      const m = this.db.select().from(s.messages).where(and(eq(s.messages.id, c.messageId), eq(s.messages.conversationId, c.conversationId), eq(s.messages.sender, c.sender), eq(s.messages.senderId, c.senderId))).get();
      if (!m || m.deletedAt !== null) return 'gone';
      // only one's own last message, and only for a short while
      const later = this.db.select({ n: sql<number>`count(*)` }).from(s.messages).where(and(eq(s.messages.conversationId, c.conversationId), eq(s.messages.sender, c.sender), eq(s.messages.senderId, c.senderId), gt(s.messages.seq, m.seq))).get()?.n ?? 0;
      if (later > 0 || m.createdAt < c.since) return 'not_last';
      const patch = c.body === null ? { body: '', attachment: null, deletedAt: c.now } : { body: c.body, editedAt: c.now };
      const updated = this.db.update(s.messages).set(patch).where(eq(s.messages.id, m.id)).returning().get()!;
      // a file taken back goes too (its bytes leave the disk in the next file sweep)
      if (c.body === null) this.sqlite.prepare('delete from attachments where message_id = ?').run(m.id);
      // the list's preview follows when it was the last line of the conversation
      this.db.update(s.conversations).set({ lastMessagePreview: updated.body.slice(0, PREVIEW) }).where(and(eq(s.conversations.id, c.conversationId), eq(s.conversations.lastSeq, m.seq))).run();
      return toMessage(updated);
    })();
  }
  async findSent(sender: 'visitor' | 'operator' | 'system', senderId: string, clientId: string) {
    const m = this.hot.sentBy.get({ sender, senderId, clientId });
    if (!m) return null;
    const conversation = this.hot.conversation.get({ id: m.conversationId });
    return conversation ? { message: toMessage(m), conversation } : null;
  }
  async messagesAfter(conversationId: string, seq: number, limit: number) {
    return this.hot.messagesAfter.all({ conversationId, seq, limit }).map(toMessage);
  }
  async messagesBefore(conversationId: string, beforeSeq: number, limit: number) {
    const rows = this.hot.messagesBefore.all({ conversationId, seq: beforeSeq, limit });
    return rows.reverse().map(toMessage);
  }
  async markRead(conversationId: string, who: 'visitor' | 'operator', seq: number) {
    // never move a read mark backwards, never past the last message
    if (who === 'visitor') {
      this.db.update(s.conversations).set({ visitorReadSeq: sql`min(max(${s.conversations.visitorReadSeq}, ${seq}), ${s.conversations.lastSeq})` }).where(eq(s.conversations.id, conversationId)).run();
      return;
    }
    this.sqlite.transaction(() => {
      const c = this.db.update(s.conversations).set({ operatorReadSeq: sql`min(max(${s.conversations.operatorReadSeq}, ${seq}), ${s.conversations.lastSeq})` }).where(eq(s.conversations.id, conversationId)).returning().get();
      if (!c) return;
      const left = this.db.select({ n: sql<number>`count(*)` }).from(s.messages).where(and(eq(s.messages.conversationId, conversationId), eq(s.messages.sender, 'visitor'), gt(s.messages.seq, c.operatorReadSeq))).get()?.n ?? 0;
      this.db.update(s.conversations).set({ operatorUnread: left }).where(eq(s.conversations.id, conversationId)).run();
    })();
  }

  // ---- engagement

  async listRules(siteId: string) {
    return this.db.select().from(s.rules).where(eq(s.rules.siteId, siteId)).orderBy(asc(s.rules.createdAt)).all().map(toRule);
  }
  async createRule(siteId: string, def: RuleDef, now: number) {
    const row = { id: newId(), siteId, definition: def, createdAt: now, updatedAt: now };
    this.db.insert(s.rules).values(row).run();
    return toRule(row);
  }
  async updateRule(siteId: string, id: string, def: RuleDef, now: number) {
    const r = this.db.update(s.rules).set({ definition: def, updatedAt: now }).where(and(eq(s.rules.id, id), eq(s.rules.siteId, siteId))).returning().get();
    return r ? toRule(r) : null;
  }
  async deleteRule(siteId: string, id: string) {
    return this.db.delete(s.rules).where(and(eq(s.rules.id, id), eq(s.rules.siteId, siteId))).run().changes > 0;
  }

  async createOffer(o: Omit<OfferRow, 'dismissedAt' | 'acceptedAt' | 'expiredAt' | 'convertedAt' | 'value' | 'conversationId'>) {
    const row: OfferRow = { ...o, dismissedAt: null, acceptedAt: null, expiredAt: null, convertedAt: null, value: null, conversationId: null };
    // thousands are shown in the same second when a rule starts matching everyone: one commit a turn
    return this.turn.run(() => (this.hot.insertOffer.run(o), row));
  }
  async getOffer(id: string) {
    return (this.hot.offer.get({ id }) as OfferRow | undefined) ?? null;
  }
  async updateOffer(id: string, patch: Partial<Pick<OfferRow, 'dismissedAt' | 'acceptedAt' | 'expiredAt' | 'convertedAt' | 'value' | 'conversationId'>>) {
    if (!Object.keys(patch).length) return this.getOffer(id);
    return this.turn.run(() => (this.hot.patchOffer(id, patch) as OfferRow | undefined) ?? null);
  }
  expireDueOffers(dueBy: number, now: number, limit: number) {
    // offers_open holds the open ones by due time: the sweep reads what is due, nothing else
    return this.turn.run(() => this.expireDue(limit).all(now, dueBy));
  }
  private readonly expireDue = perLimit(
    (t) => this.sqlite.prepare<[number, number], { id: string; visitorId: string }>(t),
    `update offers set expired_at = ? where id in (select id from offers where expires_at <= ? and expired_at is null and dismissed_at is null and accepted_at is null order by expires_at limit $limit) returning id, visitor_id as visitorId`,
  );
  async expireOffer(id: string, now: number) {
    return this.turn.run(() => this.hot.expireOffer.run({ id, now }) > 0);
  }
  async recentOffers(visitorId: string, limit: number) {
    return this.hot.recentOffers.all({ visitorId, limit }) as OfferRow[];
  }
  async funnel(siteId: string, since: number): Promise<FunnelRow[]> {
    const o = s.offers;
    const count = (cond: ReturnType<typeof sql>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
    return this.db
      .select({
        ruleId: o.ruleId,
        ruleName: sql<string>`max(${o.ruleName})`,
        variant: o.variant,
        shown: count(sql`${o.holdout} = 0`),
        dismissed: count(sql`${o.holdout} = 0 and ${o.dismissedAt} is not null`),
        accepted: count(sql`${o.holdout} = 0 and ${o.acceptedAt} is not null`),
        converted: count(sql`${o.holdout} = 0 and ${o.convertedAt} is not null`),
        value: sql<number>`coalesce(sum(case when ${o.holdout} = 0 then ${o.value} end), 0) / 100.0`,
        holdout: count(sql`${o.holdout} = 1`),
        holdoutConverted: count(sql`${o.holdout} = 1 and ${o.convertedAt} is not null`),
        holdoutValue: sql<number>`coalesce(sum(case when ${o.holdout} = 1 then ${o.value} end), 0) / 100.0`,
      })
      .from(o)
      .where(and(eq(o.siteId, siteId), gt(o.createdAt, since)))
      .groupBy(o.ruleId, o.variant)
      .orderBy(sql`max(${o.ruleName})`, o.variant)
      .all();
  }

  async holdsOf(visitorId: string, limit: number) {
    this.trail.flush();
    return this.db.select({ ruleId: s.offerHolds.ruleId, reason: s.offerHolds.reason, at: s.offerHolds.at }).from(s.offerHolds).where(eq(s.offerHolds.visitorId, visitorId)).orderBy(desc(s.offerHolds.at), desc(s.offerHolds.id)).limit(lit(limit)).all();
  }
  /** written in groups with the journey trail (see sqlite-trail.ts): resolves once committed */
  addHolds(rows: { siteId: string; visitorId: string; ruleId: string; reason: string; at: number }[]) {
    return this.trail.holds(rows);
  }
  async pruneJourney(before: number) {
    this.trail.flush();
    const a = this.db.delete(s.journeyEvents).where(lt(s.journeyEvents.at, before)).run().changes;
    const b = this.db.delete(s.offerHolds).where(lt(s.offerHolds.at, before)).run().changes;
    return a + b;
  }
  /** written in groups, in arrival order (see sqlite-trail.ts): resolves once committed */
  addJourneyEvents(rows: { siteId: string; visitorId: string; type: string; data: Record<string, unknown>; at: number }[]) {
    return this.trail.journey(rows);
  }
  async journeyOf(visitorId: string, limit: number) {
    this.trail.flush();
    const rows = this.db.select().from(s.journeyEvents).where(eq(s.journeyEvents.visitorId, visitorId)).orderBy(desc(s.journeyEvents.at), desc(s.journeyEvents.id)).limit(lit(limit)).all();
    return rows.reverse().map((r) => ({ type: r.type, at: r.at, data: r.data as Record<string, unknown> }));
  }

  async createInboxItem(i: NewInboxItem, now: number) {
    const row: InboxRow = { id: newId(), ...i, status: 'open', assigneeId: null, answer: null, answeredAt: null, answerSeenAt: null, createdAt: now, resolvedAt: null };
    this.db.insert(s.inboxItems).values(row).run();
    return row;
  }
  async getInboxItem(id: string) {
    return this.db.select().from(s.inboxItems).where(eq(s.inboxItems.id, id)).get() ?? null;
  }
  async listInbox(siteIds: string[], status: 'open' | 'resolved', limit: number, before: { at: number; id: string } | null = null) {
    if (!siteIds.length) return [];
    const i = s.inboxItems;
    const keyset = before ? [sql`(${i.createdAt} < ${before.at} or (${i.createdAt} = ${before.at} and ${i.id} < ${before.id}))`] : [];
    return this.db.select().from(i).where(and(inArray(i.siteId, siteIds), eq(i.status, status), ...keyset)).orderBy(desc(i.createdAt), desc(i.id)).limit(lit(limit)).all();
  }
  async countRules(siteId: string) {
    return this.db.select({ n: sql<number>`count(*)` }).from(s.rules).where(eq(s.rules.siteId, siteId)).get()?.n ?? 0;
  }
  async countCanned(siteId: string) {
    return this.db.select({ n: sql<number>`count(*)` }).from(s.canned).where(eq(s.canned.siteId, siteId)).get()?.n ?? 0;
  }
  async updateInboxItem(id: string, patch: Partial<Pick<InboxRow, 'status' | 'assigneeId' | 'answer' | 'answeredAt' | 'answerSeenAt' | 'resolvedAt'>>) {
    if (!Object.keys(patch).length) return this.getInboxItem(id);
    return this.db.update(s.inboxItems).set(patch).where(eq(s.inboxItems.id, id)).returning().get() ?? null;
  }
  async unseenAnswers(visitorId: string) {
    return this.hot.unseenAnswers.all({ visitorId });
  }

  async close() {
    if (!this.sqlite.open) return;
    try {
      // appends, offers and deadlines asked for before the close are committed, not lost
      this.turn.commit();
      this.trail.flush();
    } finally {
      // the thread's connection first: the last one to close folds the WAL into the file
      await this.checkpointer?.stop();
      this.sqlite.close();
    }
  }
}
