/**
 * The owner's dashboard over a year of a busy site (issue 10 §4: "fast on a year of data"):
 * every figure of `metrics()` against the one plain scan those figures need at least — a raw
 * better-sqlite3 aggregate over the same conversations of the same period.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { newId, openSqliteStore } from '@beckon/db';

const YEAR = 365 * 86_400_000;

export async function runMetrics(conversations: number, repeats = 5): Promise<{ conversations: number; beckonMs: number; rawMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-metrics-'));
  try {
    const file = join(dir, 'beckon.db');
    const store = openSqliteStore({ file });
    const to = Date.now();
    const from = to - YEAR;
    const site = await store.createSite({ name: 'A', allowedOrigins: [], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, from);
    const ops = await Promise.all([0, 1, 2, 3].map((i) => store.createAccount({ email: `op${i}@a.test`, name: `Op ${i}`, passwordHash: 'x' }, from)));
    await store.close();

    // a year of conversations, written raw (the seeding is not what is measured)
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    const visitor = db.prepare('insert into visitors (id, site_id, name, email, lang, user_agent, created_at, last_seen_at, user_id, visits, session_started_at, segment) values (?, ?, null, null, ?, null, ?, ?, null, 1, ?, null)');
    const conv = db.prepare(`insert into conversations (id, site_id, visitor_id, status, assignee_id, previous_id, last_seq, last_message_at, last_message_preview, visitor_read_seq, operator_read_seq, operator_unread, created_at, assigned_at, closed_at, closed_reason, offer_id, rule_id, variant, priority, department, moves, tried, head, last_operator_at, first_operator_at, first_assigned_at, visitor_messages, operator_messages)
      values (?, ?, ?, 'closed', ?, null, ?, ?, '', 0, 0, 0, ?, ?, ?, ?, null, null, null, 0, null, 0, null, 0, ?, ?, ?, ?, ?)`);
    const rating = db.prepare('insert into ratings (conversation_id, site_id, visitor_id, operator_id, verdict, comment, nps, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    db.transaction(() => {
      for (let i = 0; i < conversations; i++) {
        const at = from + Math.floor(rnd() * YEAR);
        const vid = newId();
        const cid = newId();
        const op = ops[i % ops.length]!.id;
        const answered = rnd() < 0.9;
        const first = answered ? at + Math.floor(rnd() * 90_000) : null;
        const close = at + 60_000 + Math.floor(rnd() * 1_800_000);
        visitor.run(vid, site.id, 'en', at, close, rnd() < 0.3 ? close + 86_400_000 : at);
        const vm = 1 + Math.floor(rnd() * 8);
        const om = answered ? 1 + Math.floor(rnd() * 8) : 0;
        conv.run(cid, site.id, vid, answered ? op : null, vm + om, close, at, answered ? at + 2000 : null, close, answered ? 'operator' : rnd() < 0.5 ? 'visitor_left' : 'idle', first, first, answered ? at + 2000 : null, vm, om);
        if (rnd() < 0.3) rating.run(cid, site.id, vid, op, (['better', 'as', 'worse'] as const)[Math.floor(rnd() * 3)], '', rnd() < 0.5 ? Math.floor(rnd() * 11) : null, close, close);
      }
    })();
    // what putRating keeps on the conversation too
    db.exec('update conversations set rating_verdict = (select verdict from ratings r where r.conversation_id = conversations.id), rating_nps = (select nps from ratings r where r.conversation_id = conversations.id)');
    db.exec('analyze');

    const again = openSqliteStore({ file });
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      const m = await again.quality.metrics(site.id, { from, to }, 'Europe/Berlin');
      times.push(performance.now() - t);
      if (m.conversations !== conversations) throw new Error(`metrics counted ${m.conversations} of ${conversations}`);
    }
    await again.close();
    const raw = db.prepare('select count(*) n, avg(first_operator_at - created_at) frt, sum(first_operator_at is null) unanswered, avg(visitor_messages + operator_messages) msgs from conversations where site_id = ? and created_at >= ? and created_at < ?');
    const rawTimes: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      raw.get(site.id, from, to);
      rawTimes.push(performance.now() - t);
    }
    db.close();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { conversations, beckonMs: median(times), rawMs: median(rawTimes) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
