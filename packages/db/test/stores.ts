/**
 * The contract suites run against both stores: the embedded SQLite file and a throwaway
 * PostgreSQL database (created per store, dropped afterwards) on the machine's server,
 * BECKON_TEST_PG_URL or postgres://postgres@127.0.0.1:5432/postgres.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgStore, openSqliteStore, throwawayDatabase, type Store } from '../src/index';

export type StoreKind = 'sqlite' | 'postgres';
export const KINDS: StoreKind[] = ['sqlite', 'postgres'];

export const PG_ADMIN_URL = process.env.BECKON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  store: Store;
  /** close and open the same data again (a restart) */
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'beckon-db-'));
    const file = join(dir, 'beckon.db');
    const t: TestStore = {
      store: openSqliteStore({ file }),
      reopen: async () => {
        await t.store.close();
        t.store = openSqliteStore({ file });
        return t.store;
      },
      dispose: async () => {
        await t.store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return t;
  }
  const db = await throwawayDatabase(PG_ADMIN_URL);
  const t: TestStore = {
    store: await openPgStore({ url: db.url, poolSize: 4 }),
    reopen: async () => {
      await t.store.close();
      t.store = await openPgStore({ url: db.url, poolSize: 4 });
      return t.store;
    },
    dispose: async () => {
      await t.store.close();
      await db.drop();
    },
  };
  return t;
}
