/** Creating and dropping whole PostgreSQL databases: for tests (one per run) and `beckon migrate-to-postgres`. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `url` with another database name */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(url: string, name: string): Promise<string> {
  if (!NAME.test(name)) throw new Error(`not a database name: ${name}`);
  await admin(url, (c) => c.query(`create database ${name}`));
  return withDatabase(url, name);
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  if (!NAME.test(name)) throw new Error(`not a database name: ${name}`);
  await admin(url, (c) => c.query(`drop database if exists ${name} with (force)`));
}

/** a new empty database with a unique name on the server at `url`; its URL and how to drop it */
export async function throwawayDatabase(url: string, prefix = 'beckon_t'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  return { url: await createDatabase(url, name), name, drop: () => dropDatabase(url, name) };
}
