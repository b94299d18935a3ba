/**
 * The SQLite store writes the journey trail and hold reasons in groups (sqlite-trail.ts): many
 * page views arriving in separate turns share one commit, reads see rows still waiting, and
 * closing the store writes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { openSqliteStore, type Store } from '../src/index';
import { walCommits } from './wal';

describe('the SQLite journey trail', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let siteId: string;
  const v = 'visitor-0000000000001';

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'beckon-trail-'));
    file = join(dir, 'beckon.db');
    store = openSqliteStore({ file });
    siteId = (await store.createSite({ name: 'Shop', allowedOrigins: ['https://shop.example'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, 1)).id;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a hundred page views that arrive in a hundred turns in a few transactions, not one each', async () => {
    const before = walCommits(file);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      writes.push(store.addJourneyEvents([{ siteId, visitorId: `visitor-${String(i).padStart(16, '0')}`, type: 'page', data: { url: `/p${i}` }, at: 1_000 + i }]));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    const commits = walCommits(file) - before;
    expect(commits).toBeGreaterThan(0);
    // one per 50 ms at most: a very slow machine may need a few; one commit per turn would be 100
    expect(commits).toBeLessThanOrEqual(10);
  });

  it('shows rows still waiting to be written to every reader, and writes them when the store closes', async () => {
    await store.touchVisitor({ id: v, siteId, lang: 'en', userAgent: null }, 1);
    void store.addJourneyEvents([{ siteId, visitorId: v, type: 'page', data: { url: '/a' }, at: 1_000 }]);
    void store.addHolds([{ siteId, visitorId: v, ruleId: 'r1', reason: 'cooldown', at: 1_000 }]);
    expect((await store.journeyOf(v, 10)).map((e) => e.data.url)).toEqual(['/a']);
    expect((await store.holdsOf(v, 10)).map((h) => h.ruleId)).toEqual(['r1']);
    void store.addJourneyEvents([{ siteId, visitorId: v, type: 'page', data: { url: '/b' }, at: 2_000 }]);
    expect(((await store.exportVisitor(v))?.journey_events ?? []).length).toBe(2);
    void store.addJourneyEvents([{ siteId, visitorId: v, type: 'page', data: { url: '/c' }, at: 3_000 }]);
    await store.close();
    store = openSqliteStore({ file });
    expect((await store.journeyOf(v, 10)).map((e) => e.data.url)).toEqual(['/a', '/b', '/c']);
  });

  it('erases a visitor’s trail including rows not yet written', async () => {
    await store.touchVisitor({ id: v, siteId, lang: 'en', userAgent: null }, 1);
    void store.addJourneyEvents([{ siteId, visitorId: v, type: 'page', data: { url: '/secret' }, at: 1_000 }]);
    expect(await store.eraseVisitor(v)).toBe(true);
    // nothing of theirs is written later either
    await store.close();
    store = openSqliteStore({ file });
    expect(await store.journeyOf(v, 10)).toEqual([]);
  });
});
