/**
 * A conversation's history stays as fast however much is stored (issue 9): the p99 of reading
 * a 1,000-message conversation's pages (as the console and the widget scroll back) with 1 k,
 * 100 k and 1 M messages in the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { newId, openSqliteStore } from '@beckon/db';

export interface HistoryPoint {
  stored: number;
  p50Us: number;
  p99Us: number;
}

export async function runHistory(sizes: number[], reads = 2000): Promise<HistoryPoint[]> {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-history-'));
  try {
    const file = join(dir, 'beckon.db');
    const store = openSqliteStore({ file });
    const site = await store.createSite({ name: 'A', allowedOrigins: [], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, Date.now());
    const v = await store.touchVisitor({ id: newId(), siteId: site.id, lang: 'en', userAgent: null }, Date.now());
    const target = await store.createConversation({ siteId: site.id, visitorId: v.id, previousId: null }, Date.now());
    for (let i = 0; i < 1000; i++) await store.appendMessage({ conversationId: target.id, clientId: `t${i}`, sender: i % 2 ? 'operator' : 'visitor', senderId: v.id, authorName: null, body: `message ${i} of the conversation we read`, now: Date.now() });
    await store.close();

    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    const conv = db.prepare(`insert into conversations (id, site_id, visitor_id, status, last_seq, last_message_at, last_message_preview, visitor_read_seq, operator_read_seq, created_at) values (?, ?, ?, 'closed', 100, 0, '', 0, 0, 0)`);
    const msg = db.prepare('insert into messages (id, conversation_id, seq, client_id, sender, sender_id, author_name, body, created_at) values (?, ?, ?, ?, ?, ?, null, ?, ?)');
    let stored = 1000;
    const out: HistoryPoint[] = [];
    for (const size of [...sizes].sort((a, b) => a - b)) {
      // other conversations of 100 messages each, until `size` messages are stored
      db.transaction(() => {
        while (stored < size) {
          const id = newId();
          conv.run(id, site.id, v.id);
          for (let s = 1; s <= 100 && stored < size; s++, stored++) msg.run(newId(), id, s, `c${s}`, 'visitor', v.id, 'another conversation, another message', 0);
        }
      })();
      const reader = openSqliteStore({ file });
      // warm-up (the JIT, the page cache), not measured
      for (let i = 0; i < 300; i++) await reader.messagesBefore(target.id, 51 + ((i * 37) % 950), 50);
      const times: number[] = [];
      for (let i = 0; i < reads; i++) {
        // a page of 50 from anywhere in the conversation, as scrolling back asks for it
        const before = 51 + ((i * 37) % 950);
        const t = performance.now();
        const page = await reader.messagesBefore(target.id, before, 50);
        times.push((performance.now() - t) * 1000);
        if (page.length !== 50) throw new Error(`a page of ${page.length}`);
      }
      await reader.close();
      times.sort((a, b) => a - b);
      out.push({ stored: size, p50Us: times[Math.floor(times.length / 2)]!, p99Us: times[Math.floor(times.length * 0.99)]! });
    }
    db.close();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
