/**
 * Ratings, follow-ups, the email outbox and the metrics in PostgreSQL: the statements of
 * ./sqlite-quality.ts in PostgreSQL's words; the metrics are the same function on both.
 */
import type { Metrics, RatingBrief } from '@beckon/protocol';
import { brief, computeMetrics, email, followUp, rating, type MetricsDialect, type MetricsFilter, type RawEmail, type RawFollowUp, type RawRating } from './sqlite-quality';
import type { Sql } from './pg-sql';
import type { EmailRow, FollowUpRow, NewEmail, QualityStore, RatingRow } from './store';

export class PgQuality implements QualityStore {
  constructor(private readonly sql: Sql) {}

  async putRating(r: RatingRow) {
    await this.sql.run('update conversations set rating_verdict = @verdict, rating_nps = @nps where id = @conversationId', { ...r });
    const row = await this.sql.get<RawRating>(
      `insert into ratings (conversation_id, site_id, visitor_id, operator_id, verdict, comment, nps, created_at, updated_at) values (@conversationId, @siteId, @visitorId, @operatorId, @verdict, @comment, @nps, @createdAt, @updatedAt)
       on conflict (conversation_id) do update set verdict = excluded.verdict, comment = excluded.comment, nps = excluded.nps, updated_at = excluded.updated_at
       returning *`,
      { ...r },
    );
    return rating(row!);
  }
  async getRating(conversationId: string) {
    const r = await this.sql.get<RawRating>('select * from ratings where conversation_id = ?', [conversationId]);
    return r ? rating(r) : null;
  }
  async ratingsOf(conversationIds: string[]) {
    const out = new Map<string, RatingBrief>();
    if (!conversationIds.length) return out;
    for (const r of await this.sql.all<RawRating>('select * from ratings where conversation_id = any(?::text[])', [conversationIds])) out.set(r.conversation_id, brief(rating(r)));
    return out;
  }

  async openFollowUp(f: Omit<FollowUpRow, 'status' | 'assigneeId' | 'outcome' | 'resolvedAt'>) {
    const r = await this.sql.get<RawFollowUp>(
      `insert into follow_ups (id, site_id, conversation_id, visitor_id, operator_id, reason, status, created_at) values (@id, @siteId, @conversationId, @visitorId, @operatorId, @reason, 'open', @createdAt) on conflict (conversation_id) do nothing returning *`,
      { ...f },
    );
    return r ? followUp(r) : null;
  }
  async getFollowUp(id: string) {
    const r = await this.sql.get<RawFollowUp>('select * from follow_ups where id = ?', [id]);
    return r ? followUp(r) : null;
  }
  async followUpOf(conversationId: string) {
    const r = await this.sql.get<RawFollowUp>('select * from follow_ups where conversation_id = ?', [conversationId]);
    return r ? followUp(r) : null;
  }
  async listFollowUps(siteIds: string[], status: 'open' | 'resolved', before: { at: number; id: string } | null, limit: number) {
    const keyset = before ? 'and (created_at < @at or (created_at = @at and id collate "C" < @id))' : '';
    const rows = await this.sql.all<RawFollowUp>(`select * from follow_ups where site_id = any(@sites::text[]) and status = @status ${keyset} order by created_at desc, id collate "C" desc limit @limit`, { sites: siteIds, status, limit, ...(before ? { at: before.at, id: before.id } : {}) });
    return rows.map(followUp);
  }
  async countOpenFollowUps(siteId: string) {
    return (await this.sql.get<{ n: number }>("select count(*) n from follow_ups where site_id = ? and status = 'open'", [siteId]))!.n;
  }
  async updateFollowUp(id: string, patch: Partial<Pick<FollowUpRow, 'status' | 'assigneeId' | 'outcome' | 'resolvedAt'>>) {
    const cols: Record<string, string> = { status: 'status', assigneeId: 'assignee_id', outcome: 'outcome', resolvedAt: 'resolved_at' };
    const keys = Object.keys(patch).filter((k) => k in cols);
    if (keys.length) await this.sql.run(`update follow_ups set ${keys.map((k) => `${cols[k]} = @${k}`).join(', ')} where id = @id`, { ...patch, id });
    return this.getFollowUp(id);
  }
  async addFollowUpNote(n: { id: string; followUpId: string; authorId: string; authorName: string; body: string; createdAt: number }) {
    await this.sql.run('insert into follow_up_notes (id, follow_up_id, author_id, author_name, body, created_at) values (@id, @followUpId, @authorId, @authorName, @body, @createdAt)', { ...n });
    return n;
  }
  async followUpNotes(followUpId: string) {
    return this.sql.all<{ id: string; authorId: string; authorName: string; body: string; createdAt: number }>('select id, author_id "authorId", author_name "authorName", body, created_at "createdAt" from follow_up_notes where follow_up_id = ? order by created_at, id collate "C"', [followUpId]);
  }

  async enqueueEmail(e: NewEmail) {
    await this.sql.run(`insert into emails (id, site_id, kind, ref, visitor_id, "to", subject, text, html, status, attempts, next_at, created_at) values (@id, @siteId, @kind, @ref, @visitorId, @to, @subject, @text, @html, 'pending', 0, @nextAt, @createdAt)`, { ref: null, visitorId: null, ...e });
  }
  /** due and not leased, leased in the same statement: two nodes never send one email */
  async claimEmails(now: number, leaseMs: number, limit: number) {
    const rows = await this.sql.all<RawEmail>(
      `update emails u set lease_until = @until
       from (select id from emails where status = 'pending' and next_at <= @now and (lease_until is null or lease_until <= @now) order by next_at limit @limit for update skip locked) due
       where u.id = due.id returning u.*`,
      { now, until: now + leaseMs, limit },
    );
    return rows.sort((a, b) => a.next_at - b.next_at).map(email);
  }
  async nextEmailAt() {
    return (await this.sql.get<{ at: number | null }>(`select min(greatest(next_at, coalesce(lease_until, 0))) at from emails where status = 'pending'`))?.at ?? null;
  }
  async finishEmail(id: string, r: { status: EmailRow['status']; attempts: number; nextAt: number; now: number; error: string | null }) {
    await this.sql.run(`update emails set status = @status::text, attempts = @attempts, next_at = @nextAt, lease_until = null, last_error = @error, sent_at = case when @status::text = 'sent' then @now::bigint else sent_at end where id = @id`, { ...r, id });
  }
  async emailsFor(refs: string[]) {
    if (!refs.length) return [];
    return (await this.sql.all<RawEmail>('select * from emails where ref = any(?::text[]) order by created_at', [refs])).map(email);
  }
  async recentEmails(siteId: string, limit: number) {
    return (await this.sql.all<RawEmail>('select * from emails where site_id = ? order by created_at desc limit ?', [siteId, limit])).map(email);
  }
  async pruneEmails(before: number) {
    return this.sql.run("delete from emails where status <> 'pending' and created_at < ?", [before]);
  }

  async metrics(siteId: string, f: MetricsFilter, tz: string): Promise<Metrics> {
    return computeMetrics(this.dialect, siteId, f, tz);
  }
  private readonly dialect: MetricsDialect = {
    all: (q, p) => this.sql.all(q, p),
    arrays: (q, p) => this.sql.arrays(q, p),
    n: (cond) => `(count(*) filter (where ${cond}))`,
    inList: (col, param) => `${col} = any(@${param}::text[])`,
    list: (xs) => xs,
  };
}
