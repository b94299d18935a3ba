/**
 * Durable appendMessage (idempotent, numbered, in one transaction) against raw better-sqlite3
 * doing the same transaction with the same statements' SQL: the cost of the store's layers.
 * Both work on one file, in alternating rounds; each side's rate is its median round.
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
    for (let i = 0; i < 200; i++) append.immediate(`w${i}`);

    // rounds taken in turn, so both sides see the same machine (this one is shared and its disk
    // slows down and speeds up); the rate of each is its median round
    const rounds = 10;
    const per = Math.max(1, Math.round(n / rounds));
    const beckon: number[] = [];
    const raw: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      for (let i = 0; i < per; i++) await store.appendMessage({ conversationId: c1.id, clientId: `m${r}-${i}`, sender: 'visitor', senderId: v.id, authorName: null, body, now: Date.now() });
      beckon.push((per / (performance.now() - t)) * 1000);
      t = performance.now();
      for (let i = 0; i < per; i++) append.immediate(`r${r}-${i}`);
      raw.push((per / (performance.now() - t)) * 1000);
    }
    await store.close();
    db.close();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const beckonPerSec = median(beckon);
    const rawPerSec = median(raw);
    return { n: per * rounds, beckonPerSec, rawPerSec };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
