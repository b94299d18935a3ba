/**
 * An install upgraded with offers on screen keeps their expiry: migration 0012 moves each open
 * offer's expiry deadline (a row in `deadlines` until then) onto the offer itself.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { expect, it } from 'vitest';
import { openSqliteStore } from '../src/index';

const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

it('moves the expiry deadlines of open offers onto the offers when it upgrades (0012)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-upgrade-'));
  try {
    // the database as the release before left it: migrations up to 0011
    const before = join(dir, 'drizzle');
    cpSync(MIGRATIONS, before, { recursive: true });
    const journal = JSON.parse(readFileSync(join(before, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0012');
    writeFileSync(join(before, 'meta/_journal.json'), JSON.stringify(journal));
    const file = join(dir, 'beckon.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: before });
    old.exec(`insert into sites (id, key, name, allowed_origins, appearance, default_lang, idle_close_minutes, created_at) values ('site-0000000000000001', 'key-00000000000000001', 'Shop', '[]', '{}', 'en', 30, 1)`);
    old.exec(`insert into visitors (id, site_id, created_at, last_seen_at) values ('visitor-0000000000001', 'site-0000000000000001', 1, 1)`);
    const offer = old.prepare(`insert into offers (id, site_id, visitor_id, rule_name, variant, kind, holdout, session_started_at, created_at, dismissed_at) values (?, 'site-0000000000000001', 'visitor-0000000000001', 'Coupon', 'A', 'coupon', 0, 1, 1, ?)`);
    offer.run('offer-open-00000000001', null);
    offer.run('offer-dismissed-000001', 5);
    const deadline = old.prepare(`insert into deadlines (kind, key, due_at, payload) values (?, ?, ?, ?)`);
    deadline.run('offer_expiry', 'offer-open-00000000001', 20_001, '{"visitorId":"visitor-0000000000001"}');
    deadline.run('offer_expiry', 'offer-dismissed-000001', 20_002, '{"visitorId":"visitor-0000000000001"}');
    deadline.run('no_answer', 'conversation-000000001', 30_000, null);
    old.close();

    const store = openSqliteStore({ file, checkpointThread: false });
    try {
      expect((await store.getOffer('offer-open-00000000001'))?.expiresAt).toBe(20_001);
      expect((await store.getOffer('offer-dismissed-000001'))?.expiresAt).toBe(20_002);
      // no expiry deadline is left to act on; the other deadlines stay
      expect((await store.deadlines.list()).map((d) => d.kind)).toEqual(['no_answer']);
      // and the open one is due as it was
      expect(await store.expireDueOffers(20_001, 20_010, 10)).toEqual([{ id: 'offer-open-00000000001', visitorId: 'visitor-0000000000001' }]);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
