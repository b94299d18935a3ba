/**
 * WAL checkpoints run on a thread of their own (src/sqlite-checkpoint.ts): a commit that takes
 * the WAL past SQLite's 1,000 pages does not copy pages into the database file and fsync on the
 * event loop; the thread does, and closing the store leaves everything in the file.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { openSqliteStore, type Store } from '../src/index';
import { Checkpointer } from '../src/sqlite-checkpoint';

const HOUR = 3_600_000;
const PAGE = 4096;
const pages = (file: string) => Math.round(statSync(file).size / PAGE);

describe('SQLite checkpoints', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beckon-checkpoint-'));
    file = join(dir, 'beckon.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** ~2,500 pages of journey rows (well past SQLite's 1,000-page threshold), in commits of 100 rows */
  async function write(store: Store): Promise<string> {
    const site = await store.createSite({ name: 'Shop', allowedOrigins: ['https://shop.example'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, 1);
    const title = 'x'.repeat(3000);
    for (let c = 0; c < 30; c++) {
      await store.addJourneyEvents(Array.from({ length: 100 }, (_, i) => ({ siteId: site.id, visitorId: `visitor-${String((c * 100 + i) % 500).padStart(14, '0')}`, type: 'page', data: { url: `https://shop.example/p/${c}/${i}`, title }, at: c * 1000 + i })));
      await (store as unknown as { trail: { flush(): void } }).trail.flush();
    }
    return site.id;
  }

  it('a commit past 1,000 WAL pages leaves the database file alone; the thread folds the WAL in', async () => {
    const store = openSqliteStore({ file, checkpointThread: { everyMs: HOUR } });
    const cp = (store as unknown as { checkpointer: Checkpointer }).checkpointer;
    await cp.now();
    const before = pages(file);
    await write(store);
    // inline, SQLite would have copied ~2,500 pages into the file by now
    expect(pages(file) - before).toBeLessThan(50);
    expect(pages(`${file}-wal`)).toBeGreaterThan(2000);
    const stats = await cp.now();
    expect(stats.frames).toBeGreaterThan(2000);
    expect(pages(file) - before).toBeGreaterThan(2000);
    await store.close();
  });

  it('without the thread SQLite checkpoints inside the commit, as it always did', async () => {
    const store = openSqliteStore({ file, checkpointThread: false });
    const before = pages(file);
    await write(store);
    expect(pages(file) - before).toBeGreaterThan(1000);
    await store.close();
  });

  it('closing the store stops the thread and leaves every row in the file, no WAL behind', async () => {
    const store = openSqliteStore({ file });
    const siteId = await write(store);
    await store.close();
    expect(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0).toBe(false);
    const db = new Database(file, { readonly: true });
    expect((db.prepare('select count(*) as n from journey_events where site_id = ?').get(siteId) as { n: number }).n).toBe(3000);
    db.close();
  });

  it('a thread that cannot run puts SQLite’s own threshold back', async () => {
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    const failed = new Promise<Error>((resolve) => new Checkpointer(join(dir, 'missing.db'), sqlite, { synchronous: 'NORMAL', onError: resolve }));
    expect((await failed).message).toContain('SQLITE_CANTOPEN');
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    sqlite.close();
  });
});
