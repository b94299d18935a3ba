/**
 * The SQLite store gives the hot writes of one turn of the event loop one commit
 * (sqlite-group.ts): offers shown with their expiry deadlines, a scheduler round's claims. Each
 * caller hears after the commit; one write that fails fails alone; a close commits what waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import { openSqliteStore, type Store } from '../src/index';
import { walCommits } from './wal';

describe('one commit a turn', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let siteId: string;
  const offer = (i: number) => ({ id: `offer-${String(i).padStart(16, '0')}`, siteId, visitorId: `visitor-${String(i).padStart(14, '0')}`, ruleId: null, ruleName: 'Cart rescue', variant: 'A', kind: 'coupon' as const, holdout: false, sessionStartedAt: 1, createdAt: 1_000 + i, goalEvent: 'purchase', goalWindowHours: 24, invitedBy: null, expiresAt: 5_000 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'beckon-turn-'));
    file = join(dir, 'beckon.db');
    // SQLite's own checkpoints (1,000 pages) are not reached here: the WAL holds every commit made
    store = openSqliteStore({ file, checkpointThread: false });
    siteId = (await store.createSite({ name: 'Shop', allowedOrigins: ['https://shop.example'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, 1)).id;
    for (let i = 0; i < 100; i++) await store.touchVisitor({ id: offer(i).visitorId, siteId, lang: 'en', userAgent: null }, 1);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a hundred offers with their expiry deadlines in one commit, not two hundred', async () => {
    const before = walCommits(file);
    const shown = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const row = await store.createOffer(offer(i));
      await store.deadlines.put({ kind: 'offer_expiry', key: row.id, dueAt: 5_000, payload: { visitorId: row.visitorId } });
      return row.id;
    }));
    const commits = walCommits(file) - before;
    expect(commits).toBeGreaterThan(0);
    // the offers in one turn, their deadlines in the next
    expect(commits).toBeLessThanOrEqual(3);
    // and each caller heard only once it was stored
    for (const id of shown) expect((await store.getOffer(id))?.id).toBe(id);
    expect(await store.deadlines.list('offer_expiry')).toHaveLength(100);
  });

  it('claims a round of a hundred due deadlines in one commit', async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.deadlines.put({ kind: 'offer_expiry', key: `k${i}`, dueAt: 1_000 + i, payload: null })));
    const before = walCommits(file);
    const claimed = await store.deadlines.claim(10_000, 'me', 60_000, 100);
    expect(claimed).toHaveLength(100);
    expect(walCommits(file) - before).toBe(1);
    // nobody else gets them while the lease holds
    expect(await store.deadlines.claim(10_001, 'other', 60_000, 100)).toEqual([]);
  });

  it('fails one write alone: the others of its turn are stored', async () => {
    await store.createOffer(offer(1));
    const [a, dup, b] = await Promise.allSettled([store.createOffer(offer(2)), store.createOffer(offer(1)), store.createOffer(offer(3))]);
    expect(a.status).toBe('fulfilled');
    expect(dup.status).toBe('rejected');
    expect(b.status).toBe('fulfilled');
    expect((await store.getOffer(offer(2).id))?.id).toBe(offer(2).id);
    expect((await store.getOffer(offer(3).id))?.id).toBe(offer(3).id);
  });

  it('alone in its turn, a write is its own transaction: a failure rejects, stores nothing of it, and the next one goes on', async () => {
    await store.createOffer(offer(1));
    await expect(store.createOffer(offer(1))).rejects.toThrow(/UNIQUE/);
    // what comes next is stored as usual
    const conv = await store.createConversation({ siteId, visitorId: offer(1).visitorId, previousId: null }, 1);
    const ok = await store.appendMessage({ conversationId: conv.id, clientId: 'a', sender: 'visitor', senderId: offer(1).visitorId, authorName: null, body: 'one', now: 2 });
    expect(ok.kind).toBe('created');
    expect((await store.createOffer(offer(4))).id).toBe(offer(4).id);
    expect((await store.getConversation(conv.id))?.lastSeq).toBe(1);
  });

  it('commits what waits when the store closes', async () => {
    const pending = store.createOffer(offer(7));
    await store.close();
    await pending;
    store = openSqliteStore({ file, checkpointThread: false });
    expect((await store.getOffer(offer(7).id))?.id).toBe(offer(7).id);
  });
});
