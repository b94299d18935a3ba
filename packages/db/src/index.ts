export * from './store';
export * from './ids';
export { openSqliteStore, type SqliteOptions } from './sqlite-store';
export { INLINE_CHECKPOINT_PAGES } from './sqlite-checkpoint';
export { brief as ratingBrief, withLift } from './sqlite-quality';
export { openPgStore, type PgOptions } from './pg-store';
export { createDatabase, dropDatabase, throwawayDatabase, withDatabase } from './pg-admin';
export { copySqliteToPg, tablesInOrder, type CopyReport } from './copy-to-pg';
