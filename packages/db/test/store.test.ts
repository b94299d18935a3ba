/** The store contract: the same behaviour from the embedded SQLite store and from PostgreSQL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APPEARANCE } from '@beckon/protocol';
import type { Store } from '../src/index';
import { KINDS, openTestStore, type TestStore } from './stores';

describe.each(KINDS)('%s store', (kind) => {
  let t: TestStore;
  let store: Store;

  beforeEach(async () => {
    t = await openTestStore(kind);
    store = t.store;
  });
  afterEach(async () => {
    await t.dispose();
  });

  async function seed() {
    const site = await store.createSite({ name: 'Shop', allowedOrigins: ['https://shop.example'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, 1);
    await store.touchVisitor({ id: 'visitor-0000000000001', siteId: site.id, lang: 'en', userAgent: null }, 1);
    const conv = await store.createConversation({ siteId: site.id, visitorId: 'visitor-0000000000001', previousId: null }, 1);
    return { site, conv };
  }
  const msg = (conversationId: string, clientId: string, body: string, now = 10) => ({ conversationId, clientId, sender: 'visitor' as const, senderId: 'visitor-0000000000001', authorName: null, body, now });

    it('initMeta stores the first value only: every caller, racing or later, gets that one', async () => {
      const [x, y] = await Promise.all([store.initMeta('k', 'first'), store.initMeta('k', 'second')]);
      expect(x).toBe(y);
      expect(['first', 'second']).toContain(x);
      expect(await store.initMeta('k', 'third')).toBe(x);
      expect(await store.getMeta('k')).toBe(x);
    });

    it('gives random 22-character ids', async () => {
      const { site, conv } = await seed();
      for (const id of [site.id, site.key, conv.id]) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(site.id).not.toBe(site.key);
    });

    it('numbers messages 1, 2, 3 and stores a repeated client id once', async () => {
      const { conv } = await seed();
      const a = await store.appendMessage(msg(conv.id, 'a', 'one'));
      const b = await store.appendMessage(msg(conv.id, 'b', 'two'));
      const again = await store.appendMessage(msg(conv.id, 'a', 'one'));
      const clash = await store.appendMessage(msg(conv.id, 'a', 'something else'));
      expect(a.kind === 'created' && a.message.seq).toBe(1);
      expect(b.kind === 'created' && b.message.seq).toBe(2);
      expect(again.kind).toBe('duplicate');
      expect(again.kind === 'duplicate' && again.message.id).toBe(a.kind === 'created' && a.message.id);
      expect(clash.kind).toBe('conflict');
      expect((await store.messagesAfter(conv.id, 0, 100)).map((m) => m.body)).toEqual(['one', 'two']);
      expect((await store.getConversation(conv.id))?.lastSeq).toBe(2);
    });

    it('scopes client ids to the sender', async () => {
      const { conv } = await seed();
      await store.appendMessage(msg(conv.id, 'same', 'from visitor'));
      const op = await store.appendMessage({ ...msg(conv.id, 'same', 'from operator'), sender: 'operator', senderId: 'op-1' });
      expect(op.kind).toBe('created');
    });

    it('lists the queue oldest first, conversations of the same moment by id (the order the router gives places in line)', async () => {
      const { site } = await seed();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const visitorId = `visitor-q${String(i).padStart(12, '0')}`;
        await store.touchVisitor({ id: visitorId, siteId: site.id, lang: 'en', userAgent: null }, 1);
        ids.push((await store.createConversation({ siteId: site.id, visitorId, previousId: null }, 7)).id);
      }
      const queued = (await store.listQueued(site.id)).filter((c) => c.createdAt === 7).map((c) => c.id);
      expect(queued).toEqual([...ids].sort());
    });

    it('refuses messages to a closed conversation', async () => {
      const { conv } = await seed();
      await store.closeConversation(conv.id, 'operator', 5);
      expect((await store.appendMessage(msg(conv.id, 'x', 'late'))).kind).toBe('closed');
      expect(await store.closeConversation(conv.id, 'operator', 6)).toBeNull();
    });

    it('tells a missing conversation from a closed one, and an append to either changes nothing', async () => {
      const { conv } = await seed();
      await store.appendMessage(msg(conv.id, 'a', 'one'));
      expect((await store.appendMessage(msg('no-such-conversation00', 'b', 'two'))).kind).toBe('missing');
      await store.closeConversation(conv.id, 'operator', 20);
      expect((await store.appendMessage(msg(conv.id, 'c', 'three'))).kind).toBe('closed');
      expect((await store.getConversation(conv.id))?.lastSeq).toBe(1);
      expect((await store.messagesAfter(conv.id, 0, 100)).map((m) => m.body)).toEqual(['one']);
    });

    it('finds a browser subscribed after an earlier look-up found nobody, and forgets one taken back', async () => {
      const { site } = await seed();
      const a = await store.createAccount({ email: 'op@shop.example', name: 'Op', passwordHash: 'x' }, 1);
      await store.putMembership({ accountId: a.id, siteId: site.id, role: 'operator', capacity: 5 }, 1);
      expect(await store.push.subscriptionsOf([a.id])).toEqual([]);
      await store.push.subscribe(a.id, { endpoint: 'https://push.example/1', p256dh: 'k', auth: 'a', userAgent: null }, 2);
      expect((await store.push.subscriptionsOf([a.id])).map((x) => x.endpoint)).toEqual(['https://push.example/1']);
      await store.push.unsubscribe(a.id, 'https://push.example/1');
      expect(await store.push.subscriptionsOf([a.id])).toEqual([]);
    });

    it('expires the shown offers that are due and open, each once, and leaves the rest', async () => {
      const { site } = await seed();
      const v = 'visitor-0000000000001';
      const offer = (id: string, expiresAt: number | null, holdout = false) => store.createOffer({ id, siteId: site.id, visitorId: v, ruleId: null, ruleName: 'Coupon', variant: 'A', kind: 'coupon', holdout, sessionStartedAt: 1, createdAt: 1, goalEvent: null, goalWindowHours: null, invitedBy: null, expiresAt });
      await offer('offer-due-000000000001', 100);
      await offer('offer-due-000000000002', 200);
      await offer('offer-later-0000000001', 5_000);
      await offer('offer-dismissed-000001', 100);
      await offer('offer-holdout-00000001', null, true);
      await store.updateOffer('offer-dismissed-000001', { dismissedAt: 50 });
      const first = await store.expireDueOffers(1_000, 1_001, 100);
      expect(first.map((o) => o.id).sort()).toEqual(['offer-due-000000000001', 'offer-due-000000000002']);
      expect(first.every((o) => o.visitorId === v)).toBe(true);
      expect((await store.getOffer('offer-due-000000000001'))?.expiredAt).toBe(1_001);
      // once only, and what was dismissed, is not due or was never shown stays as it was
      expect(await store.expireDueOffers(1_000, 1_002, 100)).toEqual([]);
      expect((await store.getOffer('offer-dismissed-000001'))?.expiredAt).toBeNull();
      expect((await store.getOffer('offer-later-0000000001'))?.expiredAt).toBeNull();
      expect((await store.getOffer('offer-holdout-00000001'))?.expiredAt).toBeNull();
      // an offer expired by its own visitor's wake-up first is not expired again
      expect(await store.expireOffer('offer-later-0000000001', 4_000)).toBe(true);
      expect(await store.expireDueOffers(9_000, 9_001, 100)).toEqual([]);
    });

    it('keeps what it acknowledged across a reopen of the file', async () => {
      const { conv } = await seed();
      for (let i = 0; i < 20; i++) await store.appendMessage(msg(conv.id, `c${i}`, `m${i}`));
      store = await t.reopen();
      const all = await store.messagesAfter(conv.id, 0, 100);
      expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await store.messagesBefore(conv.id, 6, 3)).map((m) => m.seq)).toEqual([3, 4, 5]);
    });

    it('counts unread visitor messages and never moves a read mark backwards', async () => {
      const { conv } = await seed();
      for (let i = 0; i < 3; i++) await store.appendMessage(msg(conv.id, `c${i}`, `m${i}`));
      expect((await store.getConversation(conv.id))?.operatorUnread).toBe(3);
      await store.markRead(conv.id, 'operator', 2);
      await store.markRead(conv.id, 'operator', 1);
      expect((await store.getConversation(conv.id))?.operatorUnread).toBe(1);
      await store.appendMessage({ ...msg(conv.id, 'op', 'reply'), sender: 'operator', senderId: 'op-1' });
      expect((await store.getConversation(conv.id))?.operatorUnread).toBe(0);
      await store.markRead(conv.id, 'operator', 99);
      expect((await store.getConversation(conv.id))?.operatorReadSeq).toBe(4);
    });

    it('finds conversations idle past their site limit', async () => {
      const { conv } = await seed();
      await store.appendMessage(msg(conv.id, 'a', 'hi', 1000));
      expect(await store.listIdle(1000 + 29 * 60_000)).toEqual([]);
      expect((await store.listIdle(1000 + 31 * 60_000)).map((c) => c.id)).toEqual([conv.id]);
    });

    it('forgets journey events and hold reasons past the retention, keeping the newer ones', async () => {
      const { site } = await seed();
      const v = 'visitor-0000000000001';
      await store.addJourneyEvents([
        { siteId: site.id, visitorId: v, type: 'page', data: { url: 'old' }, at: 100 },
        { siteId: site.id, visitorId: v, type: 'page', data: { url: 'new' }, at: 5_000 },
      ]);
      await store.addHolds([{ siteId: site.id, visitorId: v, ruleId: 'r', reason: 'cooldown', at: 100 }]);
      expect(await store.pruneJourney(1_000)).toBe(2);
      expect((await store.journeyOf(v, 10)).map((e) => e.data.url)).toEqual(['new']);
      expect(await store.holdsOf(v, 10)).toEqual([]);
    });

    it('keeps the trail in arrival order when page views come in many turns and nobody waits for each', async () => {
      const { site } = await seed();
      const v = 'visitor-0000000000001';
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 30; i++) {
        writes.push(store.addJourneyEvents([{ siteId: site.id, visitorId: v, type: 'page', data: { url: `/p${i}` }, at: 1_000 }]));
        if (i % 10 === 0) writes.push(store.addHolds([{ siteId: site.id, visitorId: v, ruleId: `r${i}`, reason: 'cooldown', at: 1_000 + i }]));
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(writes);
      expect((await store.journeyOf(v, 100)).map((e) => e.data.url)).toEqual(Array.from({ length: 30 }, (_, i) => `/p${i}`));
      expect((await store.holdsOf(v, 10)).map((h) => h.ruleId)).toEqual(['r20', 'r10', 'r0']);
    });
});
