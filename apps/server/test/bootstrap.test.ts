/**
 * Nodes starting together on a new database (a cluster's first deploy) must end up with one
 * visitor-token secret: a widget that connected through one node and comes back through another
 * after the first went away is the same visitor there, with the same conversation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openPgStore, openSqliteStore, throwawayDatabase, type Store } from '@beckon/db';
import { ensureSecret } from '../src/bootstrap';
import { signVisitor, verifyVisitor } from '../src/realtime/visitor-token';
import { ON_POSTGRES } from './harness';

const PG_URL = process.env.BECKON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** two connections to one new database, as two nodes have */
async function twoNodes(): Promise<[Store, Store]> {
  if (ON_POSTGRES) {
    const db = await throwawayDatabase(PG_URL);
    cleanup.push(() => db.drop());
    const [a, b] = await Promise.all([openPgStore({ url: db.url, poolSize: 2 }), openPgStore({ url: db.url, poolSize: 2 })]);
    cleanup.push(() => a.close(), () => b.close());
    return [a, b];
  }
  const dir = mkdtempSync(join(tmpdir(), 'beckon-boot-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const a = openSqliteStore({ file: join(dir, 'beckon.db') });
  const b = openSqliteStore({ file: join(dir, 'beckon.db') });
  cleanup.push(() => a.close(), () => b.close());
  return [a, b];
}

it('two nodes starting at once on a new database sign visitors with the same secret', async () => {
  const [a, b] = await twoNodes();
  const [secretA, secretB] = await Promise.all([ensureSecret(a), ensureSecret(b)]);
  expect(secretA).toBe(secretB);
  expect(await a.getMeta('visitor_token_secret')).toBe(secretA);
  // a visitor who met node A is recognised by node B
  const token = signVisitor(secretA, 'site-0000000000000001', 'visitor-00000000000001');
  expect(verifyVisitor(secretB, 'site-0000000000000001', token)).toBe('visitor-00000000000001');
  // and a later start keeps it
  expect(await ensureSecret(b)).toBe(secretA);
});
