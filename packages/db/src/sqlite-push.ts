/** Web push subscriptions and each person's push preferences, in SQLite. */
import type Database from 'better-sqlite3';
import { DEFAULT_PUSH_PREFS, type PushPrefs } from '@beckon/protocol';
import type { PushStore, PushSubscriptionRow } from './store';
import { newId } from './ids';

export interface RawPush {
  id: string;
  account_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: number;
  last_ok_at: number | null;
  failures: number;
}
export const pushRow = (r: RawPush): PushSubscriptionRow => ({ id: r.id, accountId: r.account_id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth, userAgent: r.user_agent, createdAt: r.created_at, lastOkAt: r.last_ok_at, failures: r.failures });

export class SqlitePush implements PushStore {
  /** `… where account_id in (?, …)`, prepared once per number of ids (every message asks: a site's members) */
  private readonly byArity = new Map<number, Database.Statement>();
  /**
   * Who has a browser subscribed: every visitor message asks about its assignee, and nearly
   * always nobody is. Read once, forgotten on every write here (this process holds the file:
   * no subscription arrives by another way); a stale "yes" only costs the query it saves.
   */
  private subscribed: Set<string> | null = null;
  constructor(private readonly db: Database.Database) {}

  async subscribe(accountId: string, s: { endpoint: string; p256dh: string; auth: string; userAgent: string | null }, now: number) {
    this.subscribed = null;
    // one browser is one endpoint: signing in as someone else on it moves the subscription
    this.db
      .prepare(
        `insert into push_subscriptions (id, account_id, endpoint, p256dh, auth, user_agent, created_at, failures) values (@id, @accountId, @endpoint, @p256dh, @auth, @userAgent, @now, 0)
         on conflict (endpoint) do update set account_id = excluded.account_id, p256dh = excluded.p256dh, auth = excluded.auth, user_agent = excluded.user_agent, failures = 0`,
      )
      .run({ id: newId(), accountId, ...s, now });
    // a person has at most 10 browsers subscribed: the oldest goes
    this.db.prepare('delete from push_subscriptions where account_id = ? and id not in (select id from push_subscriptions where account_id = ? order by created_at desc limit 10)').run(accountId, accountId);
    return pushRow(this.db.prepare('select * from push_subscriptions where endpoint = ?').get(s.endpoint) as RawPush);
  }
  async unsubscribe(accountId: string, endpoint: string) {
    this.subscribed = null;
    return this.db.prepare('delete from push_subscriptions where account_id = ? and endpoint = ?').run(accountId, endpoint).changes > 0;
  }
  async subscriptionsOf(accountIds: string[]) {
    this.subscribed ??= new Set((this.db.prepare('select distinct account_id from push_subscriptions').pluck().all() as string[]));
    if (!accountIds.some((id) => this.subscribed!.has(id))) return [];
    let st = this.byArity.get(accountIds.length);
    if (!st) {
      if (this.byArity.size > 64) this.byArity.clear();
      this.byArity.set(accountIds.length, (st = this.db.prepare(`select * from push_subscriptions where account_id in (${accountIds.map(() => '?').join(',')})`)));
    }
    return (st.all(...accountIds) as RawPush[]).map(pushRow);
  }
  async delivered(id: string, ok: boolean, now: number) {
    if (ok) this.db.prepare('update push_subscriptions set last_ok_at = ?, failures = 0 where id = ?').run(now, id);
    else this.db.prepare('update push_subscriptions set failures = failures + 1 where id = ?').run(id);
  }
  async remove(id: string) {
    this.subscribed = null;
    this.db.prepare('delete from push_subscriptions where id = ?').run(id);
  }
  async prefs(accountId: string) {
    const r = this.db.prepare('select push_prefs from accounts where id = ?').get(accountId) as { push_prefs: string | null } | undefined;
    return { ...DEFAULT_PUSH_PREFS, ...(r?.push_prefs ? (JSON.parse(r.push_prefs) as Partial<PushPrefs>) : {}) };
  }
  async setPrefs(accountId: string, prefs: PushPrefs) {
    this.db.prepare('update accounts set push_prefs = ? where id = ?').run(JSON.stringify(prefs), accountId);
  }
}
