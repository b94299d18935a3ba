/**
 * The service loop in SQLite (issue 10): ratings, follow-ups with notes, the email outbox, and
 * the owner's metrics — every figure an aggregate over stored rows, in SQL, on indexed ranges
 * (a year of a busy site is a few hundred thousand conversations). Percentiles are nearest-rank:
 * the value at rank ceil(p·n) of the sorted values, picked from one indexed read of the period's
 * times (a window function per figure and operator took ten times as long on 200,000 rows).
 */
import type Database from 'better-sqlite3';
import { limitText } from './sqlite-limit';
import type { Metrics, OperatorMetrics, RatingBrief, RuleMetrics, Spread, Verdict } from '@beckon/protocol';
import type { EmailRow, FollowUpRow, NewEmail, QualityStore, RatingRow } from './store';

export interface MetricsFilter {
  from: number;
  to: number;
  operatorId?: string;
  department?: string;
  source?: 'rule' | 'manual' | 'visitor';
}

/** 15-minute buckets: local days and hours are worked out from them in any zone, half-hour offsets included */
export const BUCKET = 900_000;

export class SqliteQuality implements QualityStore {
  constructor(private readonly db: Database.Database) {}

  // ---- ratings

  async putRating(r: RatingRow) {
    this.db.prepare('update conversations set rating_verdict = @verdict, rating_nps = @nps where id = @conversationId').run(r);
    this.db
      .prepare(
        `insert into ratings (conversation_id, site_id, visitor_id, operator_id, verdict, comment, nps, created_at, updated_at) values (@conversationId, @siteId, @visitorId, @operatorId, @verdict, @comment, @nps, @createdAt, @updatedAt)
         on conflict (conversation_id) do update set verdict = excluded.verdict, comment = excluded.comment, nps = excluded.nps, updated_at = excluded.updated_at`,
      )
      .run(r);
    return (await this.getRating(r.conversationId))!;
  }
  async getRating(conversationId: string) {
    const r = this.db.prepare('select * from ratings where conversation_id = ?').get(conversationId) as RawRating | undefined;
    return r ? rating(r) : null;
  }
  async ratingsOf(conversationIds: string[]) {
    const out = new Map<string, RatingBrief>();
    if (!conversationIds.length) return out;
    const rows = this.db.prepare('select * from ratings where conversation_id in (select value from json_each(?))').all(JSON.stringify(conversationIds)) as RawRating[];
    for (const r of rows) out.set(r.conversation_id, brief(rating(r)));
    return out;
  }

  // ---- follow-ups

  async openFollowUp(f: Omit<FollowUpRow, 'status' | 'assigneeId' | 'outcome' | 'resolvedAt'>) {
    const done = this.db
      .prepare(`insert into follow_ups (id, site_id, conversation_id, visitor_id, operator_id, reason, status, created_at) values (@id, @siteId, @conversationId, @visitorId, @operatorId, @reason, 'open', @createdAt) on conflict (conversation_id) do nothing`)
      .run(f).changes;
    return done ? (await this.getFollowUp(f.id))! : null;
  }
  async getFollowUp(id: string) {
    const r = this.db.prepare('select * from follow_ups where id = ?').get(id) as RawFollowUp | undefined;
    return r ? followUp(r) : null;
  }
  async followUpOf(conversationId: string) {
    const r = this.db.prepare('select * from follow_ups where conversation_id = ?').get(conversationId) as RawFollowUp | undefined;
    return r ? followUp(r) : null;
  }
  async listFollowUps(siteIds: string[], status: 'open' | 'resolved', before: { at: number; id: string } | null, limit: number) {
    const rows = this.db
      .prepare(`select * from follow_ups where site_id in (select value from json_each(@sites)) and status = @status and (@at is null or created_at < @at or (created_at = @at and id < @id)) order by created_at desc, id desc limit ${limitText(limit)}`)
      .all({ sites: JSON.stringify(siteIds), status, at: before?.at ?? null, id: before?.id ?? null }) as RawFollowUp[];
    return rows.map(followUp);
  }
  async countOpenFollowUps(siteId: string) {
    return (this.db.prepare("select count(*) n from follow_ups where site_id = ? and status = 'open'").get(siteId) as { n: number }).n;
  }
  async updateFollowUp(id: string, patch: Partial<Pick<FollowUpRow, 'status' | 'assigneeId' | 'outcome' | 'resolvedAt'>>) {
    const cols: Record<string, string> = { status: 'status', assigneeId: 'assignee_id', outcome: 'outcome', resolvedAt: 'resolved_at' };
    const keys = Object.keys(patch).filter((k) => k in cols);
    if (keys.length) this.db.prepare(`update follow_ups set ${keys.map((k) => `${cols[k]} = @${k}`).join(', ')} where id = @id`).run({ ...patch, id });
    return this.getFollowUp(id);
  }
  async addFollowUpNote(n: { id: string; followUpId: string; authorId: string; authorName: string; body: string; createdAt: number }) {
    this.db.prepare('insert into follow_up_notes (id, follow_up_id, author_id, author_name, body, created_at) values (@id, @followUpId, @authorId, @authorName, @body, @createdAt)').run(n);
    return n;
  }
  async followUpNotes(followUpId: string) {
    return (this.db.prepare('select id, author_id authorId, author_name authorName, body, created_at createdAt from follow_up_notes where follow_up_id = ? order by created_at, id').all(followUpId) as { id: string; authorId: string; authorName: string; body: string; createdAt: number }[]);
  }

  // ---- the email outbox

  async enqueueEmail(e: NewEmail) {
    this.db
      .prepare(`insert into emails (id, site_id, kind, ref, visitor_id, "to", subject, text, html, status, attempts, next_at, created_at) values (@id, @siteId, @kind, @ref, @visitorId, @to, @subject, @text, @html, 'pending', 0, @nextAt, @createdAt)`)
      .run({ ref: null, visitorId: null, ...e });
  }
  async claimEmails(now: number, leaseMs: number, limit: number) {
    const due = this.db.prepare(`select * from emails where status = 'pending' and next_at <= ? and (lease_until is null or lease_until <= ?) order by next_at limit ${limitText(limit)}`).all(now, now) as RawEmail[];
    const lease = this.db.prepare(`update emails set lease_until = ? where id = ? and status = 'pending' and (lease_until is null or lease_until <= ?)`);
    return due.filter((r) => lease.run(now + leaseMs, r.id, now).changes > 0).map(email);
  }
  async nextEmailAt() {
    return (this.db.prepare(`select min(max(next_at, coalesce(lease_until, 0))) at from emails where status = 'pending'`).get() as { at: number | null }).at;
  }
  async finishEmail(id: string, r: { status: 'pending' | 'sent' | 'failed'; attempts: number; nextAt: number; now: number; error: string | null }) {
    this.db.prepare(`update emails set status = @status, attempts = @attempts, next_at = @nextAt, lease_until = null, last_error = @error, sent_at = case when @status = 'sent' then @now else sent_at end where id = @id`).run({ ...r, id });
  }
  async emailsFor(refs: string[]) {
    if (!refs.length) return [];
    return (this.db.prepare('select * from emails where ref in (select value from json_each(?)) order by created_at').all(JSON.stringify(refs)) as RawEmail[]).map(email);
  }
  async recentEmails(siteId: string, limit: number) {
    return (this.db.prepare(`select * from emails where site_id = ? order by created_at desc limit ${limitText(limit)}`).all(siteId) as RawEmail[]).map(email);
  }

  async pruneEmails(before: number) {
    return this.db.prepare("delete from emails where status <> 'pending' and created_at < ?").run(before).changes;
  }

  // ---- metrics

  async metrics(siteId: string, f: MetricsFilter, tz: string): Promise<Metrics> {
    return computeMetrics(this.dialect, siteId, f, tz);
  }
  private readonly dialect: MetricsDialect = {
    all: async <T>(q: string, p: Record<string, unknown>) => this.db.prepare(q).all(p) as T[],
    arrays: async <T>(q: string, p: Record<string, unknown>) => this.db.prepare(q).raw().all(p) as T[],
    n: (cond) => `total(${cond})`,
    inList: (col, param) => `${col} in (select value from json_each(@${param}))`,
    list: (xs) => JSON.stringify(xs),
  };
}

/** nearest rank: the value at rank ceil(p·n) of the sorted values */
export function percentiles(xs: number[]): Spread {
  if (!xs.length) return { median: null, p90: null, count: 0 };
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => s[Math.max(1, Math.ceil((p * s.length) / 100)) - 1]!;
  return { median: at(50), p90: at(90), count: s.length };
}

/** conversion against the holdout: the difference of two proportions with its 95% (Wald) interval */
export function withLift(r: Omit<RuleMetrics, 'conversion' | 'holdoutConversion' | 'lift'>): RuleMetrics {
  const conversion = r.shown ? r.converted / r.shown : null;
  const holdoutConversion = r.holdout ? r.holdoutConverted / r.holdout : null;
  let lift: RuleMetrics['lift'] = null;
  if (conversion !== null && holdoutConversion !== null) {
    const diff = conversion - holdoutConversion;
    const se = Math.sqrt((conversion * (1 - conversion)) / r.shown + (holdoutConversion * (1 - holdoutConversion)) / r.holdout);
    lift = { diff, low: diff - 1.96 * se, high: diff + 1.96 * se };
  }
  return { ...r, conversion, holdoutConversion, lift };
}

/** 15-minute buckets → local days (every day of the period, empty ones too) and weekday × hour */
export function local(buckets: { b: number; n: number; answered: number; within20: number; worse: number }[], tz: string, from: number, to: number) {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', weekday: 'short', hourCycle: 'h23' });
  const parts = (ms: number) => {
    const o = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
    return { day: `${o.year}-${o.month}-${o.day}`, hour: Number(o.hour), weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(o.weekday!) };
  };
  const days = new Map<string, { day: string; conversations: number; answered: number; within20: number; worse: number }>();
  // every local day the period touches, in order
  for (let ms = from; ms < to; ms += 3_600_000) {
    const d = parts(ms).day;
    if (!days.has(d)) days.set(d, { day: d, conversations: 0, answered: 0, within20: 0, worse: 0 });
  }
  const busiest = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const x of buckets) {
    const at = parts(Math.max(from, x.b * BUCKET));
    const d = days.get(at.day) ?? { day: at.day, conversations: 0, answered: 0, within20: 0, worse: 0 };
    d.conversations += x.n;
    d.answered += x.answered ?? 0;
    d.within20 += x.within20 ?? 0;
    d.worse += x.worse ?? 0;
    days.set(at.day, d);
    busiest[at.weekday]![at.hour]! += x.n;
  }
  const daily = [...days.values()].sort((a, b) => a.day.localeCompare(b.day)).map((d) => ({ day: d.day, conversations: d.conversations, answered: d.answered, within20s: d.conversations ? d.within20 / d.conversations : null, worse: d.worse }));
  return { daily, busiest };
}

export interface RawRating {
  conversation_id: string;
  site_id: string;
  visitor_id: string;
  operator_id: string | null;
  verdict: Verdict;
  comment: string;
  nps: number | null;
  created_at: number;
  updated_at: number;
}
export const rating = (r: RawRating): RatingRow => ({ conversationId: r.conversation_id, siteId: r.site_id, visitorId: r.visitor_id, operatorId: r.operator_id, verdict: r.verdict, comment: r.comment, nps: r.nps, createdAt: r.created_at, updatedAt: r.updated_at });
export const brief = (r: RatingRow): RatingBrief => ({ verdict: r.verdict, comment: r.comment, nps: r.nps, at: r.updatedAt });

export interface RawFollowUp {
  id: string;
  site_id: string;
  conversation_id: string;
  visitor_id: string;
  operator_id: string | null;
  reason: 'worse' | 'detractor';
  status: 'open' | 'resolved';
  assignee_id: string | null;
  outcome: 'recovered' | 'not_recovered' | null;
  created_at: number;
  resolved_at: number | null;
}
export const followUp = (r: RawFollowUp): FollowUpRow => ({ id: r.id, siteId: r.site_id, conversationId: r.conversation_id, visitorId: r.visitor_id, operatorId: r.operator_id, reason: r.reason, status: r.status, assigneeId: r.assignee_id, outcome: r.outcome, createdAt: r.created_at, resolvedAt: r.resolved_at });

export interface RawEmail {
  id: string;
  site_id: string;
  kind: string;
  ref: string | null;
  visitor_id: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  status: EmailRow['status'];
  attempts: number;
  next_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}
export const email = (r: RawEmail): EmailRow => ({ id: r.id, siteId: r.site_id, kind: r.kind, ref: r.ref, visitorId: r.visitor_id, to: r.to, subject: r.subject, text: r.text, html: r.html, status: r.status, attempts: r.attempts, nextAt: r.next_at, lastError: r.last_error, createdAt: r.created_at, sentAt: r.sent_at });

/** what the metrics need of a database: the same statements run on SQLite and PostgreSQL */
export interface MetricsDialect {
  all<T>(q: string, p: Record<string, unknown>): Promise<T[]>;
  /** rows as arrays (no object per row: a year of a busy site is a few hundred thousand) */
  arrays<T>(q: string, p: Record<string, unknown>): Promise<T[]>;
  /** how many rows of the group meet `cond`, as a number */
  n(cond: string): string;
  /** `col` is one of the list in parameter `param` */
  inList(col: string, param: string): string;
  list(xs: string[]): unknown;
}

export async function computeMetrics(d: MetricsDialect, siteId: string, f: MetricsFilter, tz: string): Promise<Metrics> {
  const scope = [`c.site_id = @site`, `c.created_at >= @from`, `c.created_at < @to`];
  if (f.operatorId) scope.push('c.assignee_id = @operator');
  if (f.department) scope.push('c.department = @department');
  if (f.source === 'rule') scope.push('c.rule_id is not null');
  if (f.source === 'manual') scope.push('c.offer_id is not null and c.rule_id is null');
  if (f.source === 'visitor') scope.push('c.offer_id is null');
  const where = scope.join(' and ');
  const base = { site: siteId, from: f.from, to: f.to };
  // only the parameters a statement names (PostgreSQL wants a type for each one it is given)
  const p = { ...base, ...(f.operatorId ? { operator: f.operatorId } : {}), ...(f.department ? { department: f.department } : {}) };
  const all = <T>(q: string) => d.all<T>(q, p);
  const one = async <T>(q: string) => (await d.all<T>(q, p))[0]!;
  const n = d.n;

  // one pass over the period, by 15-minute bucket: every count and sum of the dashboard
  // (totals are the buckets' sums; local days and hours come from the buckets)
  const buckets = await all<{ b: number; n: number; answered: number; within20: number; abandoned: number; missed: number; msgs: number; better: number; as_: number; worse: number; promoters: number; passives: number; detractors: number; responses: number }>(`
    select c.created_at / ${BUCKET} b, count(*) n,
      ${n('c.first_operator_at is not null')} answered,
      ${n('c.first_operator_at is not null and c.first_operator_at - c.created_at <= 20000')} within20,
      ${n("c.first_operator_at is null and c.status = 'closed' and c.closed_reason in ('visitor', 'visitor_left')")} abandoned,
      ${n("c.first_operator_at is null and c.status = 'closed' and c.closed_reason not in ('visitor', 'visitor_left')")} missed,
      coalesce(sum(c.visitor_messages + c.operator_messages), 0) msgs,
      ${n("c.rating_verdict = 'better'")} better, ${n("c.rating_verdict = 'as'")} as_, ${n("c.rating_verdict = 'worse'")} worse,
      ${n('c.rating_nps >= 9')} promoters, ${n('c.rating_nps between 7 and 8')} passives, ${n('c.rating_nps <= 6')} detractors, count(c.rating_nps) responses
    from conversations c where ${where} group by b order by b`);
  const sum = (k: keyof (typeof buckets)[number]) => buckets.reduce((a, x) => a + x[k], 0);
  const t = { n: sum('n'), answered: sum('answered'), within20: sum('within20'), abandoned: sum('abandoned'), missed: sum('missed'), msgs: sum('msgs') };
  const r = { better: sum('better'), as_: sum('as_'), worse: sum('worse'), promoters: sum('promoters'), passives: sum('passives'), detractors: sum('detractors'), responses: sum('responses') };
  const rated = r.better + r.as_ + r.worse;

  // the times each conversation took, read in one pass over the period (an indexed range);
  // their nearest-rank percentiles, overall and per operator, are picked from the sorted values
  const vals = await d.arrays<[string | null, number | null, number | null, number | null]>(`select c.assignee_id, c.first_operator_at - c.created_at, c.first_assigned_at - c.created_at, case when c.status = 'closed' then c.closed_at - c.created_at end from conversations c where ${where}`, p);
  const spreadOf = (col: 1 | 2 | 3, op?: string): Spread => {
    const xs: number[] = [];
    for (const v of vals) if (v[col] !== null && (op === undefined || v[0] === op)) xs.push(v[col]!);
    return percentiles(xs);
  };
  const frt = spreadOf(1);
  const wait = spreadOf(2);
  const duration = spreadOf(3);

  const fu = await one<{ opened: number; resolved: number; recovered: number }>(`
    select count(*) opened, ${n("f.status = 'resolved'")} resolved, ${n("f.outcome = 'recovered'")} recovered
    from conversations c join follow_ups f on f.conversation_id = c.id where ${where}`);

  // came back: a visit (session) that started after the chat ended
  const back = await one<{ of: number; returned: number; worseOf: number; worseReturned: number }>(`
    select count(*) "of", ${n('v.session_started_at > c.closed_at')} returned, ${n("c.rating_verdict = 'worse'")} "worseOf", ${n("c.rating_verdict = 'worse' and v.session_started_at > c.closed_at")} "worseReturned"
    from conversations c join visitors v on v.id = c.visitor_id where ${where} and c.status = 'closed'`);
  const recovered = await one<{ of: number; returned: number }>(`
    select count(*) "of", ${n('v.session_started_at > c.closed_at')} returned
    from follow_ups f join conversations c on c.id = f.conversation_id join visitors v on v.id = c.visitor_id where ${where} and f.outcome = 'recovered' and c.status = 'closed'`);
  const rate = (of: number, returned: number) => ({ of, returned, rate: of ? returned / of : null });

  const { daily, busiest } = local(buckets, tz, f.from, f.to);

  const rules = await d.all<Omit<RuleMetrics, 'conversion' | 'holdoutConversion' | 'lift'>>(
    `select o.rule_id "ruleId", max(o.rule_name) "ruleName", o.variant,
      ${n('not o.holdout')} shown, ${n('not o.holdout and o.accepted_at is not null')} accepted, ${n('not o.holdout and o.conversation_id is not null')} conversations,
      ${n('not o.holdout and o.converted_at is not null')} converted, coalesce(sum(case when not o.holdout then o.value_cents end), 0) / 100.0 revenue,
      ${n('o.holdout')} holdout, ${n('o.holdout and o.converted_at is not null')} "holdoutConverted", coalesce(sum(case when o.holdout then o.value_cents end), 0) / 100.0 "holdoutRevenue"
    from offers o where o.site_id = @site and o.created_at >= @from and o.created_at < @to
    group by o.rule_id, o.variant order by max(o.rule_name), o.variant`,
    base,
  );

  const ops = await all<{ id: string; n: number; better: number; as_: number; worse: number }>(`
    select c.assignee_id id, count(*) n, ${n("c.rating_verdict = 'better'")} better, ${n("c.rating_verdict = 'as'")} as_, ${n("c.rating_verdict = 'worse'")} worse
    from conversations c where ${where} and c.assignee_id is not null group by c.assignee_id`);
  const names = new Map((await d.all<{ id: string; name: string }>(`select id, name from accounts where ${d.inList('id', 'ids')}`, { ids: d.list(ops.map((o) => o.id)) })).map((a) => [a.id, a.name]));
  const operators = ops
    .map((o): OperatorMetrics => ({ operatorId: o.id, name: names.get(o.id) ?? '', conversations: o.n, firstResponse: spreadOf(1, o.id), durationMedian: spreadOf(3, o.id).median, better: o.better, as: o.as_, worse: o.worse }))
    .sort((a, b) => b.conversations - a.conversations || a.name.localeCompare(b.name) || (a.operatorId < b.operatorId ? -1 : 1));

  return {
    from: f.from,
    to: f.to,
    tz,
    conversations: t.n,
    answered: t.answered,
    firstResponse: { ...frt, within20s: t.n ? t.within20 / t.n : null },
    queueWait: wait,
    abandoned: t.abandoned,
    missed: t.missed,
    duration,
    messagesPerChat: t.n ? t.msgs / t.n : null,
    ratings: { better: r.better, as: r.as_, worse: r.worse, rated },
    nps: { score: r.responses ? Math.round(((r.promoters - r.detractors) / r.responses) * 100) : null, promoters: r.promoters, passives: r.passives, detractors: r.detractors, responses: r.responses },
    followUps: { opened: fu.opened, resolved: fu.resolved ?? 0, recovered: fu.recovered ?? 0 },
    returns: { everyone: rate(back.of, back.returned), afterWorse: rate(back.worseOf, back.worseReturned), afterRecovered: rate(recovered.of, recovered.returned) },
    daily,
    busiest,
    rules: rules.map(withLift),
    operators,
  };
}
