/**
 * Durable appendMessage (idempotent, numbered, in one transaction) against raw better-sqlite3
 * doing the same transaction with the same statements' SQL: the cost of the store's layers.
 * Both work on one file, in short alternating rounds; each side's rate is its total over them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { INLINE_CHECKPOINT_PAGES, newId, openSqliteStore } from '@beckon/db';

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

    // raw better-sqlite3 on the same file, beside the store
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // the store's own connection settings: its foreign keys (cascading erasure) are checked on every insert
    db.pragma('foreign_keys = ON');
    // and its checkpoints: the store's thread checkpoints the shared WAL for both, so neither
    // side's commits copy pages into the file (SQLite's default, 1,000, would make this one do all of it)
    db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    // the store's transaction: the retry look-up, the open conversation's row taking the next seq, the message
    const sent = db.prepare('select * from messages where sender_id = ? and client_id = ? and sender = ? limit 1');
    const bump = db.prepare("update conversations set last_seq = last_seq + 1, last_message_at = ?, last_message_preview = ?, visitor_read_seq = last_seq + 1, operator_unread = operator_unread + 1, visitor_messages = visitor_messages + 1 where id = ? and status <> 'closed' returning *");
    const ins = db.prepare('insert into messages (id, conversation_id, seq, client_id, sender, sender_id, author_name, body, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const append = db.transaction((clientId: string) => {
      if (sent.get(v.id, clientId, 'visitor')) return;
      const conv = bump.get(Date.now(), body.slice(0, 140), c2.id) as { last_seq: number };
      ins.run(newId(), c2.id, conv.last_seq, clientId, 'visitor', v.id, null, body, Date.now());
    });
    for (let i = 0; i < 200; i++) append.immediate(`w${i}`);

    // many short rounds taken in turn (which side goes first alternates), so both sides see the
    // same machine: it is shared, its disk slows down and speeds up, and the store's checkpoint
    // thread copies pages into the file once a second. The side that follows the other's writes
    // starts with a page cache the other connection made stale, so the order alternates too
    // (longer rounds in a fixed order measured 0.61× to 1.68× for the same code).
    const rounds = 200;
    const per = Math.max(1, Math.round(n / rounds));
    let oursMs = 0;
    let theirsMs = 0;
    const ours = async (r: number) => {
      const t = performance.now();
      for (let i = 0; i < per; i++) await store.appendMessage({ conversationId: c1.id, clientId: `m${r}-${i}`, sender: 'visitor', senderId: v.id, authorName: null, body, now: Date.now() });
      oursMs += performance.now() - t;
    };
    const theirs = (r: number) => {
      const t = performance.now();
      for (let i = 0; i < per; i++) append.immediate(`r${r}-${i}`);
      theirsMs += performance.now() - t;
    };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        await ours(r);
        theirs(r);
      } else {
        theirs(r);
        await ours(r);
      }
    }
    await store.close();
    db.close();
    return { n: per * rounds, beckonPerSec: (per * rounds * 1000) / oursMs, rawPerSec: (per * rounds * 1000) / theirsMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
