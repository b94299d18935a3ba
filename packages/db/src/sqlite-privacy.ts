/**
 * What a site owner must be able to do with personal data (issue 8 §8): keep each kind only as
 * long as the site says, hand one visitor everything stored about them, and erase it all. Also
 * deleting a whole site. Every table that mentions a visitor is listed here, once.
 */
import type Database from 'better-sqlite3';

/** rows about one visitor, by table: [table, where-clause on ? = visitor id] */
const BY_VISITOR: [string, string][] = [
  ['messages', 'conversation_id in (select id from conversations where visitor_id = ?)'],
  ['notes', 'conversation_id in (select id from conversations where visitor_id = ?)'],
  ['routing_events', 'conversation_id in (select id from conversations where visitor_id = ?)'],
  ['deadlines', "key in (select id from conversations where visitor_id = ?)"],
  ['conversations', 'visitor_id = ?'],
  ['offers', 'visitor_id = ?'],
  ['offer_holds', 'visitor_id = ?'],
  ['journey_events', 'visitor_id = ?'],
  ['inbox_items', 'visitor_id = ?'],
  ['blocks', 'visitor_id = ?'],
  // copies of events about them, queued or sent to the site's webhooks
  ['webhook_deliveries', 'visitor_id = ?'],
  ['follow_up_notes', 'follow_up_id in (select id from follow_ups where visitor_id = ?)'],
  ['follow_ups', 'visitor_id = ?'],
  ['ratings', 'visitor_id = ?'],
  ['emails', 'visitor_id = ?'],
  // the rows of their files (the bytes leave the disk in the server's next file sweep)
  ['attachments', 'visitor_id = ?'],
  ['deadlines', 'key = ?'],
  ['visitors', 'id = ?'],
];

export function exportVisitor(sqlite: Database.Database, visitorId: string): Record<string, unknown[]> | null {
  const visitor = sqlite.prepare('select * from visitors where id = ?').get(visitorId);
  if (!visitor) return null;
  const out: Record<string, unknown[]> = {};
  for (const [table, where] of BY_VISITOR) {
    if (table === 'deadlines' || table === 'webhook_deliveries') continue;
    const rows = sqlite.prepare(`select * from ${table} where ${where}`).all(visitorId) as Record<string, unknown>[];
    out[table] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^[[{]/.test(v) ? tryJson(v) : v])));
  }
  return out;
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function eraseVisitor(sqlite: Database.Database, visitorId: string): boolean {
  return sqlite.transaction(() => {
    if (!sqlite.prepare('select 1 from visitors where id = ?').get(visitorId)) return false;
    for (const [table, where] of BY_VISITOR) sqlite.prepare(`delete from ${table} where ${where}`).run(visitorId);
    return true;
  })();
}

export function deleteSite(sqlite: Database.Database, siteId: string): boolean {
  return sqlite.transaction(() => {
    // the tables without a foreign key to sites; the rest cascade
    for (const t of ['offer_holds', 'journey_events', 'routing_events']) sqlite.prepare(`delete from ${t} where site_id = ?`).run(siteId);
    sqlite.prepare("delete from deadlines where key in (select id from conversations where site_id = ?) or key in (select id from visitors where site_id = ?)").run(siteId, siteId);
    return sqlite.prepare('delete from sites where id = ?').run(siteId).changes > 0;
  })();
}

export interface Retention {
  conversationsDays: number | null;
  journeyDays: number | null;
  visitorsDays: number | null;
  inboxDays: number | null;
}

/** Deletes what the site keeps no longer; returns how many rows of each kind went. */
export function applyRetention(sqlite: Database.Database, siteId: string, r: Retention, now: number): Record<string, number> {
  const before = (days: number) => now - days * 86_400_000;
  const out = { conversations: 0, journey: 0, visitors: 0, inbox: 0 };
  sqlite.transaction(() => {
    if (r.journeyDays !== null) {
      const t = before(r.journeyDays);
      out.journey = sqlite.prepare('delete from journey_events where site_id = ? and at < ?').run(siteId, t).changes + sqlite.prepare('delete from offer_holds where site_id = ? and at < ?').run(siteId, t).changes;
    }
    if (r.conversationsDays !== null) {
      const t = before(r.conversationsDays);
      const old = "select id from conversations where site_id = ? and status = 'closed' and closed_at < ?";
      sqlite.prepare(`delete from routing_events where conversation_id in (${old})`).run(siteId, t);
      out.conversations = sqlite.prepare(`delete from conversations where id in (${old})`).run(siteId, t).changes;
    }
    if (r.inboxDays !== null) out.inbox = sqlite.prepare("delete from inbox_items where site_id = ? and status = 'resolved' and resolved_at < ?").run(siteId, before(r.inboxDays)).changes;
    if (r.visitorsDays !== null) {
      // a visitor in an open conversation stays, however long ago they were seen
      const gone = sqlite.prepare("select id from visitors where site_id = ? and last_seen_at < ? and not exists (select 1 from conversations c where c.visitor_id = visitors.id and c.status <> 'closed')").all(siteId, before(r.visitorsDays)) as { id: string }[];
      for (const v of gone) {
        for (const [table, where] of BY_VISITOR) sqlite.prepare(`delete from ${table} where ${where}`).run(v.id);
      }
      out.visitors = gone.length;
    }
  })();
  return out;
}
