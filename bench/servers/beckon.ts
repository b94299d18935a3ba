/**
 * The server under test, in a process of its own: Beckon on a temporary SQLite file with the
 * demo's rules plus a sale coupon (offers shown, expiring, dismissed), one operator online with
 * room for invitations. Prints `READY <port>`; SIGTERM stops it (and the benchmark may start it
 * again on the same port and data: the reconnect test).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_APPEARANCE, RuleInput } from '@beckon/protocol';
import { openSqliteStore } from '@beckon/db';
import { buildApp, createMember } from '@beckon/server';
import { demoRules } from '../../apps/server/src/demo-rules';

const [dir = '/tmp/beckon-bench', portArg = '0'] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
const store = openSqliteStore({ file: join(dir, 'beckon.db') });
let site = (await store.listSites())[0];
if (!site) {
  site = await store.createSite({ name: 'Bench shop', key: 'bench-site-key-0001', allowedOrigins: ['http://shop.test'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, Date.now());
  for (const r of demoRules('http://shop.test')) await store.createRule(site.id, RuleInput.parse(r), Date.now());
  const sale: RuleInput = { name: 'Sale coupon', priority: 70, kind: 'coupon', when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/sale' }, { fact: 'page.seconds', op: 'gte', value: 2 }] }, variants: [{ key: 'A', weight: 1, content: { title: { en: '10% off', ru: '10%' }, text: { en: 'Today', ru: 'Сегодня' }, code: 'SALE10' } }], controls: { expiresSeconds: 20 } };
  await store.createRule(site.id, RuleInput.parse(sale), Date.now());
  await store.updateSite(site.id, { engagement: { ...site.engagement, perSession: 50, perDay: 100, cooldownMinutes: 0 } });
  // eight operators of 50 chats each (op@ is kept online by this process; op1@…op8@ sign in for the chat benchmark)
  for (let i = 0; i <= 8; i++) {
    await createMember(store, site, { email: i ? `op${i}@bench.test` : 'op@bench.test', name: `Operator ${i}`, role: 'operator', password: 'bench password 123' }, Date.now());
    const a = await store.getAccountByEmail(i ? `op${i}@bench.test` : 'op@bench.test');
    await store.putMembership({ accountId: a!.id, siteId: site.id, role: 'operator', capacity: 50 }, Date.now());
  }
}
// the chat benchmark's visitors write once a second, twice the per-visitor limit: lifted here, and only here
const beckon = await buildApp({ store, idleSweepMs: 60_000, abuseLimits: { messagesPerVisitorPerMinute: 600 } });
// an operator online, as a console tab would make them (no browser in the benchmark)
const op = await store.getAccountByEmail('op@bench.test');
beckon.presence.connect(op!.id);
await beckon.app.listen({ host: '127.0.0.1', port: Number(portArg) });
const port = (beckon.app.server.address() as { port: number }).port;
console.log(`READY ${port}`);
process.on('SIGTERM', () => {
  beckon.app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});
