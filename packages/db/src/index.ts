export * from './store';
export * from './ids';
export { openSqliteStore, type SqliteOptions } from './sqlite-store';
