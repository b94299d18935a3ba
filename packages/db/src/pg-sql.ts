/**
 * A thin layer over node-postgres for the hand-written statements of the PostgreSQL store:
 * named (`@site`) or positional (`?`) parameters, as the SQLite store writes them, become `$n`;
 * rows come back as plain objects; a transaction is one pooled client between BEGIN and COMMIT.
 * bigint and numeric columns are read as JS numbers (times are milliseconds, far below 2^53).
 */
import pg from 'pg';

export type Params = Record<string, unknown> | unknown[];
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  query(config: pg.QueryArrayConfig): Promise<pg.QueryArrayResult>;
}

const INT8 = 20;
const NUMERIC = 1700;
const asNumber = (v: string) => (v === null ? null : Number(v));
/** per pool (pg.types is global and other code in the process may want strings) */
export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return asNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

interface Compiled {
  text: string;
  names: string[] | null;
}
const compiled = new Map<string, Compiled>();

function compile(text: string, named: boolean): Compiled {
  const key = (named ? 'n:' : 'p:') + text;
  let c = compiled.get(key);
  if (c) return c;
  if (named) {
    const names: string[] = [];
    const out = text.replace(/@([A-Za-z_]\w*)/g, (_m, name: string) => {
      let i = names.indexOf(name);
      if (i < 0) i = names.push(name) - 1;
      return `$${i + 1}`;
    });
    c = { text: out, names };
  } else {
    let n = 0;
    c = { text: text.replace(/\?/g, () => `$${++n}`), names: null };
  }
  if (compiled.size > 2000) compiled.clear();
  compiled.set(key, c);
  return c;
}

const value = (v: unknown) => (v === undefined ? null : v);

export class Sql {
  constructor(readonly q: Queryable) {}

  private bind(text: string, params: Params) {
    const c = compile(text, !Array.isArray(params));
    const values = c.names ? c.names.map((n) => value((params as Record<string, unknown>)[n])) : (params as unknown[]).map(value);
    return { text: c.text, values };
  }
  async query(text: string, params: Params = []): Promise<pg.QueryResult> {
    const b = this.bind(text, params);
    return this.q.query(b.text, b.values);
  }
  /** rows as arrays: no object per row */
  async arrays<T>(text: string, params: Params = []): Promise<T[]> {
    return (await this.q.query({ ...this.bind(text, params), rowMode: 'array' })).rows as T[];
  }
  async all<T = Record<string, unknown>>(text: string, params?: Params): Promise<T[]> {
    return (await this.query(text, params)).rows as T[];
  }
  async get<T = Record<string, unknown>>(text: string, params?: Params): Promise<T | undefined> {
    return (await this.query(text, params)).rows[0] as T | undefined;
  }
  /** how many rows it changed */
  async run(text: string, params?: Params): Promise<number> {
    return (await this.query(text, params)).rowCount ?? 0;
  }
}

/** one transaction on one pooled client; rolled back when `fn` throws */
export async function inTransaction<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const out = await fn(new Sql(client));
    await client.query('commit');
    return out;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** a jsonb parameter: node-postgres would turn a JS array into a PostgreSQL array */
export const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
