export * from './store';
export * from './ids';
export { openSqliteStore, type SqliteOptions } from './sqlite-store';
export { INLINE_CHECKPOINT_PAGES } from './sqlite-checkpoint';
export { brief as ratingBrief, withLift } from './sqlite-quality';
export type { PgOptions } from './pg-store';
export type { CopyReport } from './copy-to-pg';

// PostgreSQL's side (the pg client, drizzle's pg dialect) is loaded when it is first asked for:
// the embedded default never loads it (~15 MB of a server's memory, issue 9 §5)
import type { PgOptions } from './pg-store';
import type { Store } from './store';

/** the cluster store on PostgreSQL (BECKON_DATABASE_URL) */
export const openPgStore = async (opts: PgOptions): Promise<Store> => (await import('./pg-store')).openPgStore(opts);
export const createDatabase = async (url: string, name: string): Promise<string> => (await import('./pg-admin')).createDatabase(url, name);
export const dropDatabase = async (url: string, name: string): Promise<void> => (await import('./pg-admin')).dropDatabase(url, name);
/** a database of its own for a test, dropped by `drop` */
export const throwawayDatabase = async (url: string, prefix?: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> => (await import('./pg-admin')).throwawayDatabase(url, prefix);
/** `beckon copy-to-postgres`: every row of the SQLite file into an empty PostgreSQL database */
export const copySqliteToPg = async (file: string, url: string, o?: { onTable?: (name: string, rows: number) => void }) => (await import('./copy-to-pg')).copySqliteToPg(file, url, o);
