/**
 * The bench site, whatever the store: the demo's rules plus a sale coupon (offers shown, expiring,
 * dismissed), caps lifted, and nine operators of 50 chats each (op@ is kept online by the
 * single-node server; op1@…op8@ sign in for the chat benchmark). Only when there is no site yet.
 */
import { DEFAULT_APPEARANCE, RuleInput } from '@beckon/protocol';
import type { Store } from '@beckon/db';
import { createMember, type Beckon } from '@beckon/server';
import { answerHeapAfterGc } from '../lib/proc';
import { demoRules } from '../../apps/server/src/demo-rules';

export async function seedBenchSite(store: Store): Promise<void> {
  if ((await store.listSites()).length) return;
  const site = await store.createSite({ name: 'Bench shop', key: 'bench-site-key-0001', allowedOrigins: ['http://shop.test'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, Date.now());
  for (const r of demoRules('http://shop.test')) await store.createRule(site.id, RuleInput.parse(r), Date.now());
  const sale: RuleInput = { name: 'Sale coupon', priority: 70, kind: 'coupon', when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/sale' }, { fact: 'page.seconds', op: 'gte', value: 2 }] }, variants: [{ key: 'A', weight: 1, content: { title: { en: '10% off', ru: '10%' }, text: { en: 'Today', ru: 'Сегодня' }, code: 'SALE10' } }], controls: { expiresSeconds: 20 } };
  await store.createRule(site.id, RuleInput.parse(sale), Date.now());
  await store.updateSite(site.id, { engagement: { ...site.engagement, perSession: 50, perDay: 100, cooldownMinutes: 0 } });
  for (let i = 0; i <= 8; i++) {
    const email = i ? `op${i}@bench.test` : 'op@bench.test';
    await createMember(store, site, { email, name: `Operator ${i}`, role: 'operator', password: 'bench password 123' }, Date.now());
    const a = await store.getAccountByEmail(email);
    await store.putMembership({ accountId: a!.id, siteId: site.id, role: 'operator', capacity: 50 }, Date.now());
  }
}

/** listening: says `READY <port>`; SIGTERM closes the server, then the store */
export function serve(beckon: Beckon, store: Store): void {
  answerHeapAfterGc();
  console.log(`READY ${(beckon.app.server.address() as { port: number }).port}`);
  process.on('SIGTERM', () => {
    beckon.app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  });
}
