/**
 * Durable appendMessage (idempotent, numbered, in one transaction) against raw better-sqlite3
 * doing the same transaction with the same statements' SQL: the cost of the store's layers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { newId, openSqliteStore } from '@beckon/db';

export async function runAppend(n: number): Promise<{ n: number; beckonPerSec: number; rawPerSec: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-append-'));
  try {
    const file = join(dir, 'beckon.db');
    const store = openSqliteStore({ file });
    const site = await store.createSite({ name: 'A', allowedOrigins: [], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, Date.now());
    const v = await store.touchVisitor({ id: newId(), siteId: site.id, lang: 'en', userAgent: null }, Date.now());
    const c1 = await store.createConversation({ siteId: site.id, visitorId: v.id, previousId: null }, Date.now());
    const c2 = await store.createConversation({ siteId: site.id, visitorId: v.id, previousId: null }, Date.now());
    const body = 'Hello, do you ship to Riga? I would like two bags of the Ethiopia roast.';
    for (let i = 0; i < 200; i++) await store.appendMessage({ conversationId: c1.id, clientId: `w${i}`, sender: 'visitor', senderId: v.id, authorName: null, body, now: Date.now() });
    let t = performance.now();
    for (let i = 0; i < n; i++) await store.appendMessage({ conversationId: c1.id, clientId: `m${i}`, sender: 'visitor', senderId: v.id, authorName: null, body, now: Date.now() });
    const beckonMs = performance.now() - t;
    await store.close();

    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // the store's own connection settings: its foreign keys (cascading erasure) are checked on every insert
    db.pragma('foreign_keys = ON');
    const getConv = db.prepare('select * from conversations where id = ?');
    const sent = db.prepare('select * from messages where sender_id = ? and client_id = ? and sender = ? limit 1');
    const ins = db.prepare('insert into messages (id, conversation_id, seq, client_id, sender, sender_id, author_name, body, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const bump = db.prepare('update conversations set last_seq = ?, last_message_at = ?, last_message_preview = ?, visitor_read_seq = ?, operator_unread = operator_unread + 1, visitor_messages = visitor_messages + 1 where id = ? returning *');
    const append = db.transaction((clientId: string) => {
      const conv = getConv.get(c2.id) as { last_seq: number };
      if (sent.get(v.id, clientId, 'visitor')) return;
      const seq = conv.last_seq + 1;
      ins.run(newId(), c2.id, seq, clientId, 'visitor', v.id, null, body, Date.now());
      bump.get(seq, Date.now(), body.slice(0, 140), seq, c2.id);
    });
    t = performance.now();
    for (let i = 0; i < n; i++) append.immediate(`r${i}`);
    const rawMs = performance.now() - t;
    db.close();
    return { n, beckonPerSec: (n / beckonMs) * 1000, rawPerSec: (n / rawMs) * 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
