/**
 * One node of a cluster under test, in a process of its own: Beckon on PostgreSQL and Redis
 * (BENCH_DATABASE_URL, BENCH_REDIS_URL) with the same bench site as servers/beckon.ts, seeded
 * by whichever node gets the lock first. Prints `READY <port>`; SIGTERM stops it.
 */
import { DEFAULT_APPEARANCE, RuleInput } from '@beckon/protocol';
import { openPgStore } from '@beckon/db';
import { buildApp, createMember } from '@beckon/server';
import { demoRules } from '../../apps/server/src/demo-rules';

const [, portArg = '0', nodeId = 'node'] = process.argv.slice(2);
const store = await openPgStore({ url: process.env.BENCH_DATABASE_URL!, poolSize: 20 });
await store.exclusive('bench-seed', async () => {
  if ((await store.listSites()).length) return;
  const site = await store.createSite({ name: 'Bench shop', key: 'bench-site-key-0001', allowedOrigins: ['http://shop.test'], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30 }, Date.now());
  for (const r of demoRules('http://shop.test')) await store.createRule(site.id, RuleInput.parse(r), Date.now());
  await store.updateSite(site.id, { engagement: { ...site.engagement, perSession: 50, perDay: 100, cooldownMinutes: 0 } });
  for (let i = 0; i <= 8; i++) {
    await createMember(store, site, { email: i ? `op${i}@bench.test` : 'op@bench.test', name: `Operator ${i}`, role: 'operator', password: 'bench password 123' }, Date.now());
    const a = await store.getAccountByEmail(i ? `op${i}@bench.test` : 'op@bench.test');
    await store.putMembership({ accountId: a!.id, siteId: site.id, role: 'operator', capacity: 50 }, Date.now());
  }
});
// the chat benchmark's visitors write once a second, twice the per-visitor limit: lifted here, and only here
const beckon = await buildApp({ store, redisUrl: process.env.BENCH_REDIS_URL!, nodeId, trustProxy: true, idleSweepMs: 60_000, abuseLimits: { messagesPerVisitorPerMinute: 600 } });
await beckon.app.listen({ host: '127.0.0.1', port: Number(portArg) });
console.log(`READY ${(beckon.app.server.address() as { port: number }).port}`);
process.on('SIGTERM', () => {
  beckon.app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});
