/**
 * One node of a cluster under test, in a process of its own: Beckon on PostgreSQL and Redis
 * (BENCH_DATABASE_URL, BENCH_REDIS_URL) with the same bench site as servers/beckon.ts (./seed.ts),
 * seeded by whichever node gets the lock first. Prints `READY <port>`; SIGTERM stops it.
 */
import { openPgStore } from '@beckon/db';
import { buildApp } from '@beckon/server';
import { seedBenchSite, serve } from './seed';

const [, portArg = '0', nodeId = 'node'] = process.argv.slice(2);
const store = await openPgStore({ url: process.env.BENCH_DATABASE_URL!, poolSize: 20 });
await store.exclusive('bench-seed', () => seedBenchSite(store));
// the chat benchmark's visitors write once a second, twice the per-visitor limit: lifted here, and only here
const beckon = await buildApp({ store, redisUrl: process.env.BENCH_REDIS_URL!, nodeId, trustProxy: true, idleSweepMs: 60_000, abuseLimits: { messagesPerVisitorPerMinute: 600 } });
await beckon.app.listen({ host: '127.0.0.1', port: Number(portArg) });
serve(beckon, store);
