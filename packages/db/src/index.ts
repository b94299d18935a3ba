export * from './store';
export * from './ids';
export { openSqliteStore, type SqliteOptions } from './sqlite-store';
export { brief as ratingBrief, withLift } from './sqlite-quality';
