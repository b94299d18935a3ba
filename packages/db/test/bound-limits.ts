/**
 * A setup file of the db and server tests: every statement prepared on a SQLite database while a
 * test file runs is looked at, and the file fails if one binds its LIMIT (or OFFSET). SQLite
 * prepares such a statement again on each run (see src/sqlite-limit.ts): ten times the cost of
 * the same lookup with the LIMIT written in, on every handshake and message that runs it.
 */
import Database from 'better-sqlite3';
import { afterAll, expect } from 'vitest';

const BOUND = /\b(limit|offset)\s+(\?\d*|[@:$][A-Za-z_]\w*)/i;
type Watched = { prepare: (this: unknown, text: string) => unknown; __boundLimits?: Set<string> };
const proto = Database.prototype as unknown as Watched;
if (!proto.__boundLimits) {
  const found = (proto.__boundLimits = new Set<string>());
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, text: string) {
    if (BOUND.test(text)) found.add(text.replace(/\s+/g, ' ').trim());
    return prepare.call(this, text);
  };
}

afterAll(() => {
  const found = [...proto.__boundLimits!];
  proto.__boundLimits!.clear();
  expect(found, 'statements that bind their LIMIT: write it in (src/sqlite-limit.ts)').toEqual([]);
});
