/**
 * The storm (issue 9 §1): thousands of live visitors, an offer each, all expiring at once, then
 * an operator coming online. Before, each expiry re-scheduled every visitor of the site (N × N
 * evaluations, memory and the event loop filled up); now an ending offer wakes its own visitor
 * and at most as many waiting ones as slots freed, and a change of `operators.available`
 * evaluates each visitor once, coalesced. Runs in-process on a fake clock: it counts work, it
 * does not time it (the ratios of the benchmark suite do that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_APPEARANCE, RuleInput } from '@beckon/protocol';
import { newId, openSqliteStore } from '@beckon/db';
import { buildApp, fakeClock } from '@beckon/server';

const t = (en: string) => ({ en, ru: en });

export interface StormResult {
  visitors: number;
  shown: number;
  expired: number;
  /** evaluations while every offer expired at once */
  evaluationsOnExpiry: number;
  /** evaluations when operators.available changed for the whole site */
  evaluationsOnAvailability: number;
  /** invitations shown once one operator with 3 slots came online (never more than the slots) */
  invitationsAfter: number;
  ms: { setup: number; expiry: number; availability: number };
}

export async function runStorm(opts: { visitors: number }): Promise<StormResult> {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-storm-'));
  const clock = fakeClock(Date.UTC(2026, 11, 1, 12));
  const store = openSqliteStore({ file: join(dir, 'beckon.db') });
  const site = await store.createSite({ name: 'Storm', allowedOrigins: ['http://shop.test'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, clock.now());
  await store.updateSite(site.id, { engagement: { ...site.engagement, perSession: 10, perDay: 20, cooldownMinutes: 0 } });
  const rules: RuleInput[] = [
    // held for every visitor while nobody is online: they all wait for a slot
    { name: 'Invite', priority: 100, kind: 'invite', when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/' }] }, variants: [{ key: 'A', weight: 1, content: { text: t('Can I help?') } }] },
    // shown to everyone, expiring together
    { name: 'Coupon', priority: 50, kind: 'coupon', when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/sale' }] }, variants: [{ key: 'A', weight: 1, content: { title: t('10% off'), text: t('Today only'), code: 'SALE10' } }], controls: { expiresSeconds: 30, repeat: 'session' } },
    // reads operators.available, as the demo's callback offer does
    { name: 'Callback', priority: 10, kind: 'callback', when: { all: [{ fact: 'operators.available', op: 'eq', value: 0 }, { fact: 'page.seconds', op: 'gte', value: 3600 }] }, variants: [{ key: 'A', weight: 1, content: { title: t('Call me back') } }] },
  ];
  for (const r of rules) await store.createRule(site.id, RuleInput.parse(r), clock.now());
  const beckon = await buildApp({ store, clock, idleSweepMs: 0 });
  const { engage } = beckon;
  try {
    const t0 = performance.now();
    const ids = Array.from({ length: opts.visitors }, () => newId());
    for (const [i, id] of ids.entries()) {
      // what the handshake does (realtime/visitor-namespace.ts)
      await store.touchVisitor({ id, siteId: site.id, lang: 'en', userAgent: 'storm' }, clock.now());
      await engage.connect({ siteId: site.id, visitorId: id, socketId: `s${i}`, lang: 'en' });
      await engage.journey(id, `s${i}`, false, [{ type: 'page', url: 'http://shop.test/sale', title: 'Sale', referrer: '', ago: 0 }]);
    }
    await engage.quiet();
    const shown = (await Promise.all(ids.map((id) => store.recentOffers(id, 5)))).filter((o) => o.some((x) => x.kind === 'coupon')).length;
    const setup = performance.now() - t0;

    // every offer expires in the same instant
    const e0 = engage.evaluations;
    const t1 = performance.now();
    await clock.advance(31_000);
    await beckon.scheduler.idle();
    await engage.quiet();
    await beckon.chat.idle();
    const expiry = performance.now() - t1;
    const evaluationsOnExpiry = engage.evaluations - e0;
    const expired = (await Promise.all(ids.map((id) => store.recentOffers(id, 5)))).filter((o) => o.some((x) => x.kind === 'coupon' && x.expiredAt !== null)).length;

    // an operator with 3 slots comes online: available 0 → 1 for the whole site
    const e1 = engage.evaluations;
    const t2 = performance.now();
    const account = await store.createAccount({ email: 'op@storm.test', name: 'Olga', passwordHash: 'x' }, clock.now());
    await store.putMembership({ accountId: account.id, siteId: site.id, role: 'operator', capacity: 3 }, clock.now());
    // what a console tab connecting does (realtime/operator-namespace.ts)
    beckon.presence.connect(account.id);
    beckon.chat.router.presenceChanged(account.id, [site.id], 'online');
    engage.capacityChanged(site.id);
    await clock.advance(10);
    await engage.quiet();
    const availability = performance.now() - t2;
    const evaluationsOnAvailability = engage.evaluations - e1;
    const invitationsAfter = (await Promise.all(ids.map((id) => store.recentOffers(id, 5)))).filter((o) => o.some((x) => x.kind === 'invite' && !x.holdout)).length;
    return { visitors: opts.visitors, shown, expired, evaluationsOnExpiry, evaluationsOnAvailability, invitationsAfter, ms: { setup, expiry, availability } };
  } finally {
    await beckon.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
