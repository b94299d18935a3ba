/**
 * The PostgreSQL store beside the SQLite one: the same tables, columns and indexes; migrations
 * generated from its schema; an embedded install copied into it reads back the same and goes
 * on (numbers, serial ids); "one open conversation per visitor" and message numbers hold when
 * two nodes race.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as liteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BeckonError, DEFAULT_APPEARANCE } from '@beckon/protocol';
import * as lite from '../src/schema';
import { copySqliteToPg, OpenConversationExists, openPgStore, openSqliteStore, throwawayDatabase, type Store } from '../src/index';
import { tablesInOrder } from '../src/copy-to-pg';
import { PG_ADMIN_URL } from './stores';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the PostgreSQL schema', () => {
  it('has every table of the SQLite schema with the same columns, keys and indexes', () => {
    const pairs = tablesInOrder();
    const liteTables = Object.values(lite).filter((t) => is(t, SQLiteTable)) as SQLiteTable[];
    expect(pairs.map((p) => p.name).sort()).toEqual(liteTables.map((t) => getTableName(t)).sort());
    for (const p of pairs) {
      const a = liteConfig(p.lite);
      const b = pgConfig(p.pg);
      expect(b.columns.map((c) => [c.name, c.notNull, c.primary]).sort(), p.name).toEqual(a.columns.map((c) => [c.name, c.notNull, c.primary]).sort());
      expect(b.foreignKeys.map((f) => getTableName(f.reference().foreignTable)).sort(), p.name).toEqual(a.foreignKeys.map((f) => getTableName(f.reference().foreignTable)).sort());
      // PostgreSQL has one more: one open conversation per visitor, whichever node starts it
      const extra = p.name === 'conversations' ? ['conversations_one_open'] : [];
      expect(b.indexes.map((i) => i.config.name).sort(), p.name).toEqual([...a.indexes.map((i) => i.config.name), ...extra].sort());
    }
    // parents before children
    const at = new Map(pairs.map((p, i) => [p.name, i]));
    for (const p of pairs) for (const f of pgConfig(p.pg).foreignKeys) expect(at.get(getTableName(f.reference().foreignTable))!).toBeLessThan(at.get(p.name)!);
  });

  it('has migrations generated from the current schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beckon-pg-migrations-'));
    try {
      cpSync(join(pkg, 'drizzle-pg'), join(dir, 'drizzle-pg'), { recursive: true });
      const config = join(dir, 'drizzle.config.mjs');
      writeFileSync(config, `export default { dialect: 'postgresql', schema: ${JSON.stringify(relative(dir, join(pkg, 'src/pg-schema.ts')))}, out: './drizzle-pg' };`);
      const before = readdirSync(join(dir, 'drizzle-pg')).sort();
      const out = execFileSync(join(pkg, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', config], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      expect(out).toMatch(/No schema changes/);
      expect(readdirSync(join(dir, 'drizzle-pg')).sort(), out).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function pgStore(): Promise<{ url: string; store: Store }> {
  const db = await throwawayDatabase(PG_ADMIN_URL);
  cleanups.push(db.drop);
  const store = await openPgStore({ url: db.url, poolSize: 8 });
  cleanups.push(() => store.close());
  return { url: db.url, store };
}

async function seedSite(store: Store) {
  const site = await store.createSite({ name: 'Shop', allowedOrigins: ['https://shop.example'], appearance: DEFAULT_APPEARANCE, defaultLang: 'ru', idleCloseMinutes: 30 }, 1000);
  await store.touchVisitor({ id: 'visitor-0000000000001', siteId: site.id, lang: 'ru', userAgent: 'UA' }, 1000);
  return site;
}

describe('two nodes on one PostgreSQL database', () => {
  it('number messages without gaps or repeats when they append to one conversation at once', async () => {
    const { url, store: a } = await pgStore();
    const b = await openPgStore({ url, poolSize: 8 });
    cleanups.push(() => b.close());
    const site = await seedSite(a);
    const conv = await a.createConversation({ siteId: site.id, visitorId: 'visitor-0000000000001', previousId: null }, 1000);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).appendMessage({ conversationId: conv.id, clientId: `c${i}`, sender: 'visitor', senderId: 'visitor-0000000000001', authorName: null, body: `m${i}`, now: 2000 + i })));
    expect(results.every((r) => r.kind === 'created')).toBe(true);
    const stored = await a.messagesAfter(conv.id, 0, 100);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(40);
    expect((await b.getConversation(conv.id))!.lastSeq).toBe(40);
    // the same retry reaching both nodes is stored once
    const again = await Promise.all([a, b].map((s) => s.appendMessage({ conversationId: conv.id, clientId: 'c0', sender: 'visitor', senderId: 'visitor-0000000000001', authorName: null, body: 'm0', now: 9000 })));
    expect(again.map((r) => r.kind)).toEqual(['duplicate', 'duplicate']);
  });

  it('refuse a second open conversation for one visitor', async () => {
    const { store } = await pgStore();
    const site = await seedSite(store);
    const first = await store.createConversation({ siteId: site.id, visitorId: 'visitor-0000000000001', previousId: null }, 1000);
    // the constraint's refusal comes out as its own error: the chat service writes into the open one
    await expect(store.createConversation({ siteId: site.id, visitorId: 'visitor-0000000000001', previousId: null }, 1001)).rejects.toBeInstanceOf(OpenConversationExists);
    await store.closeConversation(first.id, 'visitor', 1002);
    expect((await store.createConversation({ siteId: site.id, visitorId: 'visitor-0000000000001', previousId: first.id }, 1003)).previousId).toBe(first.id);
  });

  it('run one task at a time per key across nodes (a site’s routing), and tasks of other keys beside it', async () => {
    const { url, store: a } = await pgStore();
    const b = await openPgStore({ url, poolSize: 4 });
    cleanups.push(() => b.close());
    let inside = 0;
    let most = 0;
    const task = (s: typeof a, key: string) =>
      s.exclusive(key, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 20));
        inside--;
      });
    await Promise.all(Array.from({ length: 10 }, (_, i) => task(i % 2 ? a : b, 'site:one')));
    expect(most).toBe(1);
    most = 0;
    await Promise.all(Array.from({ length: 4 }, (_, i) => task(i % 2 ? a : b, `site:${i}`)));
    expect(most).toBeGreaterThan(1);
    // a task that fails lets the next one in
    await expect(a.exclusive('site:one', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await b.exclusive('site:one', async () => undefined);
  });

  it('let only one node claim a due deadline, and any node take over a dead one’s claim after the lease', async () => {
    const { url, store: a } = await pgStore();
    const b = await openPgStore({ url, poolSize: 8 });
    cleanups.push(() => b.close());
    for (let i = 0; i < 50; i++) await a.deadlines.put({ kind: 'no_answer', key: `k${i}`, dueAt: 100 + i, payload: { i } });
    const [x, y] = await Promise.all([a.deadlines.claim(1000, 'node-a', 60_000, 50), b.deadlines.claim(1000, 'node-b', 60_000, 50)]);
    expect(x.length + y.length).toBe(50);
    expect(new Set([...x, ...y].map((r) => r.key)).size).toBe(50);
    // whichever node won them acts on them: done, they are gone
    for (const r of x) await a.deadlines.done(r, 'node-a');
    for (const r of y) await b.deadlines.done(r, 'node-b');
    expect(await a.deadlines.list()).toEqual([]);
    // node-a claims more and dies holding them: node-b gets them after the lease, not before, once
    for (let i = 0; i < 10; i++) await a.deadlines.put({ kind: 'grace', key: `g${i}`, dueAt: 2000 + i, payload: null });
    const held = await a.deadlines.claim(3000, 'node-a', 60_000, 100);
    expect(held).toHaveLength(10);
    expect(await b.deadlines.claim(30_000, 'node-b', 60_000, 100)).toEqual([]);
    const taken = await b.deadlines.claim(70_000, 'node-b', 60_000, 100);
    expect(taken.map((r) => r.key).sort()).toEqual(held.map((r) => r.key).sort());
    expect(await a.deadlines.claim(70_001, 'node-a', 60_000, 100)).toEqual([]);
  });
});

describe('beckon migrate-to-postgres', () => {
  it('copies an embedded install whole; PostgreSQL reads back the same and goes on from there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beckon-copy-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'beckon.db');
    const src = openSqliteStore({ file });
    const site = await seedSite(src);
    const acc = await src.createAccount({ email: 'ann@shop.test', name: 'Анна', passwordHash: 'h' }, 1000);
    await src.putMembership({ accountId: acc.id, siteId: site.id, role: 'admin', capacity: 4, skills: ['billing'] }, 1000);
    await src.updateSite(site.id, { routing: { ...site.routing, waitLimitSeconds: 90 } });
    const conv = await src.createConversation({ siteId: site.id, visitorId: 'visitor-0000000000001', previousId: null }, 1000);
    for (let i = 0; i < 3; i++) await src.appendMessage({ conversationId: conv.id, clientId: `c${i}`, sender: i === 1 ? 'operator' : 'visitor', senderId: i === 1 ? acc.id : 'visitor-0000000000001', authorName: null, body: `сообщение ${i} <b>`, now: 2000 + i });
    await src.addJourneyEvents([{ siteId: site.id, visitorId: 'visitor-0000000000001', type: 'page', data: { url: 'https://shop.example/a', n: 1 }, at: 1500 }]);
    await src.routeConversation(conv.id, { assigneeId: acc.id, tried: [acc.id], head: false }, 2500);
    const before = { site: await src.getSite(site.id), members: await src.listMembers(site.id), messages: await src.messagesAfter(conv.id, 0, 10), conv: await src.getConversation(conv.id), journey: await src.journeyOf('visitor-0000000000001', 10) };
    await src.close();

    const db = await throwawayDatabase(PG_ADMIN_URL);
    cleanups.push(db.drop);
    const report = await copySqliteToPg(file, db.url);
    expect(report.tables.find((t) => t.name === 'messages')!.rows).toBe(3);
    const dst = await openPgStore({ url: db.url });
    cleanups.push(() => dst.close());
    expect(await dst.getSite(site.id)).toEqual(before.site);
    expect(await dst.listMembers(site.id)).toEqual(before.members);
    expect(await dst.messagesAfter(conv.id, 0, 10)).toEqual(before.messages);
    expect(await dst.getConversation(conv.id)).toEqual(before.conv);
    expect(await dst.journeyOf('visitor-0000000000001', 10)).toEqual(before.journey);
    // numbers and serial ids go on after the copied ones
    const next = await dst.appendMessage({ conversationId: conv.id, clientId: 'c9', sender: 'visitor', senderId: 'visitor-0000000000001', authorName: null, body: 'after the move', now: 3000 });
    expect(next.kind === 'created' && next.message.seq).toBe(4);
    await dst.addJourneyEvents([{ siteId: site.id, visitorId: 'visitor-0000000000001', type: 'page', data: { url: 'https://shop.example/b' }, at: 3000 }]);
    expect((await dst.journeyOf('visitor-0000000000001', 10)).map((e) => e.data.url)).toEqual(['https://shop.example/a', 'https://shop.example/b']);
    // a second copy into the same (now full) database is refused, and changes nothing
    await expect(copySqliteToPg(file, db.url)).rejects.toThrow(/empty/);
    expect((await dst.messagesAfter(conv.id, 0, 10)).length).toBe(4);
  }, 60_000);
});

/** a TCP relay on loopback to the test server that can be cut and restored, as a network would */
async function relay(target: URL) {
  const open = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const start = () =>
    new Promise<void>((res) => {
      server = net.createServer((c) => {
        const up = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [c, up]) {
          open.add(s);
          s.on('error', () => undefined);
          s.on('close', () => open.delete(s));
        }
        c.pipe(up).pipe(c);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        res();
      });
    });
  await start();
  return {
    get port() {
      return port;
    },
    cut: async () => {
      await new Promise<void>((res) => {
        server!.close(() => res());
        for (const s of open) s.destroy();
      });
    },
    restore: start,
  };
}

describe('a PostgreSQL out of reach', () => {
  it('answers BUSY (retryable) and says degraded, then recovers by itself when it is back', async () => {
    const db = await throwawayDatabase(PG_ADMIN_URL);
    cleanups.push(db.drop);
    const r = await relay(new URL(db.url));
    cleanups.push(() => r.cut().catch(() => undefined));
    const via = new URL(db.url);
    via.hostname = '127.0.0.1';
    via.port = String(r.port);
    const store = await openPgStore({ url: via.toString(), poolSize: 2 });
    cleanups.push(() => store.close());
    const site = await seedSite(store);
    expect(store.healthy()).toBe(true);

    await r.cut();
    const refused = await store.getSite(site.id).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(BeckonError);
    expect((refused as BeckonError).code).toBe('BUSY');
    expect(store.healthy()).toBe(false);
    // a mistake in a statement is not an outage: it is not turned into BUSY
    await r.restore();
    await expect.poll(() => store.healthy(), { timeout: 10_000, interval: 100 }).toBe(true);
    expect((await store.getSite(site.id))?.name).toBe('Shop');
    await expect(store.createSite({ name: 'Again', allowedOrigins: [], appearance: DEFAULT_APPEARANCE, defaultLang: 'en', idleCloseMinutes: 30, key: site.key }, 1)).rejects.not.toBeInstanceOf(BeckonError);
  }, 30_000);
});
