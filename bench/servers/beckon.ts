/**
 * The server under test, in a process of its own: Beckon on a temporary SQLite file with the
 * demo's rules plus a sale coupon (offers shown, expiring, dismissed), one operator online with
 * room for invitations. Prints `READY <port>`; SIGTERM stops it (and the benchmark may start it
 * again on the same port and data: the reconnect test).
 *
 * It starts as Beckon's main.ts does: the port is held first, before the rest loads, and the
 * widgets that come back meanwhile wait for it instead of being refused.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { holdPort } from '@beckon/server/held-port';

const [dir = '/tmp/beckon-bench', portArg = '0'] = process.argv.slice(2);
const held = await holdPort('127.0.0.1', Number(portArg));
const [{ openSqliteStore }, { buildApp }, { seedBenchSite, serve }] = await Promise.all([import('@beckon/db'), import('@beckon/server'), import('./seed')]);
mkdirSync(dir, { recursive: true });
const store = openSqliteStore({ file: join(dir, 'beckon.db') });
await seedBenchSite(store);
// the chat benchmark's visitors write once a second, twice the per-visitor limit: lifted here, and only here
const beckon = await buildApp({ store, idleSweepMs: 60_000, abuseLimits: { messagesPerVisitorPerMinute: 600 } });
// an operator online, as a console tab would make them (no browser in the benchmark)
const op = await store.getAccountByEmail('op@bench.test');
beckon.presence.connect(op!.id);
await held.adopt(beckon.app);
serve(beckon, store);
