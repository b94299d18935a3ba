/**
 * `beckon migrate-to-postgres`: an embedded install's SQLite file, copied whole into an empty
 * PostgreSQL database. Both schemas are the same tables and columns (./schema.ts and
 * ./pg-schema.ts, held together by a test), so each row is read through drizzle's SQLite table
 * (JSON parsed, flags as booleans) and written through the PostgreSQL one, parents before
 * children, in one transaction: a failed copy leaves the target as empty as it was.
 */
import Database from 'better-sqlite3';
import { getTableName, is, sql } from 'drizzle-orm';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import * as lite from './schema';
import * as pgs from './pg-schema';
import { openPgStore } from './pg-store';
import { openSqliteStore } from './sqlite-store';
import { pgTypes } from './pg-sql';
import { lit } from './sqlite-limit';

const BATCH = 500;

/** every table, each after the ones it refers to */
export function tablesInOrder(): { name: string; lite: SQLiteTable; pg: PgTable }[] {
  const pairs = new Map<string, { name: string; lite: SQLiteTable; pg: PgTable }>();
  for (const [key, t] of Object.entries(lite)) {
    const p = (pgs as Record<string, unknown>)[key];
    if (is(t, SQLiteTable) && is(p, PgTable)) pairs.set(getTableName(p), { name: getTableName(p), lite: t, pg: p });
  }
  const out: { name: string; lite: SQLiteTable; pg: PgTable }[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (seen.has(name) || path.includes(name)) return;
    const t = pairs.get(name)!;
    for (const fk of pgConfig(t.pg).foreignKeys) visit(getTableName(fk.reference().foreignTable), [...path, name]);
    seen.add(name);
    out.push(t);
  };
  for (const name of [...pairs.keys()].sort()) visit(name, []);
  return out;
}

export interface CopyReport {
  tables: { name: string; rows: number }[];
  rows: number;
}

export async function copySqliteToPg(file: string, url: string, o: { onTable?: (name: string, rows: number) => void } = {}): Promise<CopyReport> {
  // both schemas brought up to date first (the file may be of an older version)
  await openSqliteStore({ file }).close();
  const target = await openPgStore({ url, poolSize: 1 });
  const nonEmpty = (await target.listSites()).length + (await target.countAccounts());
  await target.close();
  if (nonEmpty) throw new Error('the PostgreSQL database already holds sites or accounts: copy into an empty one');

  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  const from = sqliteDrizzle(sqlite);
  const client = new pg.Client({ connectionString: url, types: pgTypes });
  client.on('error', () => undefined);
  await client.connect();
  const to = pgDrizzle(client);
  const report: CopyReport = { tables: [], rows: 0 };
  try {
    await client.query('begin');
    for (const t of tablesInOrder()) {
      let rows = 0;
      const total = from.select({ n: sql<number>`count(*)` }).from(t.lite).get()?.n ?? 0;
      for (let offset = 0; offset < total; offset += BATCH) {
        const batch = from.select().from(t.lite).limit(lit(BATCH)).offset(lit(offset)).all();
        if (batch.length) await to.insert(t.pg).values(batch);
        rows += batch.length;
      }
      // serial ids go on after the copied ones
      for (const col of pgConfig(t.pg).columns) {
        if (col.columnType === 'PgBigSerial53') await client.query(`select setval(pg_get_serial_sequence('${t.name}', '${col.name}'), coalesce((select max(${col.name}) from ${t.name}), 0) + 1, false)`);
      }
      report.tables.push({ name: t.name, rows });
      report.rows += rows;
      o.onTable?.(t.name, rows);
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
    sqlite.close();
  }
  return report;
}
