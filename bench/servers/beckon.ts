/**
 * The server under test, in a process of its own: Beckon on a temporary SQLite file with the
 * demo's rules plus a sale coupon (offers shown, expiring, dismissed), one operator online with
 * room for invitations. Prints `READY <port>`; SIGTERM stops it (and the benchmark may start it
 * again on the same port and data: the reconnect test).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '@beckon/db';
import { buildApp } from '@beckon/server';
import { seedBenchSite, serve } from './seed';

const [dir = '/tmp/beckon-bench', portArg = '0'] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
const store = openSqliteStore({ file: join(dir, 'beckon.db') });
await seedBenchSite(store);
// the chat benchmark's visitors write once a second, twice the per-visitor limit: lifted here, and only here
const beckon = await buildApp({ store, idleSweepMs: 60_000, abuseLimits: { messagesPerVisitorPerMinute: 600 } });
// an operator online, as a console tab would make them (no browser in the benchmark)
const op = await store.getAccountByEmail('op@bench.test');
beckon.presence.connect(op!.id);
await beckon.app.listen({ host: '127.0.0.1', port: Number(portArg) });
serve(beckon, store);
