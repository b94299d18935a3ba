/**
 * Real sites, not only the demo (issue 8 §3): a production start is clean, the CLI creates and
 * deletes sites, and the Install page learns where the widget runs and where it was refused.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@beckon/db';
import { login, onCleanup, OTHER_SHOP, SHOP, startServer, visitor, visitorReady } from './harness';

const run = promisify(execFile);
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const cliFile = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-install-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function cli(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(tsx, [cliFile, ...args], { env: { ...process.env, BECKON_DATA_DIR: dir }, encoding: 'utf8' });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

describe('a production install', () => {
  it('BECKON_DEMO=0 starts clean: the first site and admin from the environment, no demo shop, accounts or rules', async () => {
    const dir = tempDir();
    const [port, demoPort] = [await freePort(), await freePort()];
    const env = { ...process.env, PORT: String(port), BECKON_DEMO_PORT: String(demoPort), BECKON_DATA_DIR: dir, BECKON_LOG_LEVEL: 'warn', BECKON_DEMO: '0', BECKON_SITE_NAME: 'Coffee Corner', BECKON_SITE_ORIGINS: 'https://coffee.example', BECKON_ADMIN_EMAIL: 'owner@coffee.example' };
    const child = spawn(tsx, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    try {
      await expect.poll(() => out.includes('Beckon console'), { timeout: 20_000 }).toBe(true);
      expect(out).toMatch(/admin\s+owner@coffee\.example\s+\S+/);
      expect(out).not.toContain('Demo shop');
      expect(out).not.toContain('demo.beckon');
      await expect(fetch(`http://127.0.0.1:${demoPort}/`)).rejects.toThrow();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const store = openSqliteStore({ file: join(dir, 'beckon.db') });
    try {
      const sites = await store.listSites();
      expect(sites.map((s) => [s.name, s.allowedOrigins])).toEqual([['Coffee Corner', ['https://coffee.example']]]);
      expect(await store.listRules(sites[0]!.id)).toEqual([]);
      expect(await store.countAccounts()).toBe(1);
      expect(await store.getAccountByEmail('admin@demo.beckon')).toBeNull();
    } finally {
      await store.close();
    }
  }, 40_000);

  it('the CLI makes the first site and admin, another site, exports and erases a visitor, and deletes a site', async () => {
    const dir = tempDir();
    const bad = await cli(dir, 'init', '--site', 'Shop', '--origin', 'not a url', '--admin', 'me@shop.example');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/allowedOrigins/);
    const first = await cli(dir, 'init', '--site', 'Shop', '--origin', 'https://shop.example', '--admin', 'me@shop.example', '--name', 'Mia');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/password: \S+/);
    expect((await cli(dir, 'init', '--site', 'Again', '--admin', 'x@y.example')).code).toBe(2);
    const second = await cli(dir, 'create-site', 'Second shop', '--origin', 'https://two.example', '--admin', 'me@shop.example');
    expect(second.out).toContain('an existing account');
    const listed = (await cli(dir, 'sites')).out;
    expect(listed).toContain('Shop');
    expect(listed).toContain('Second shop');
    const secondId = /id=(\S+)/.exec(second.out)![1]!;

    const store = openSqliteStore({ file: join(dir, 'beckon.db') });
    const v = await store.touchVisitor({ id: 'visitor-to-erase-0001', siteId: secondId, lang: 'en', userAgent: null }, Date.now());
    const c = await store.createConversation({ siteId: secondId, visitorId: v.id, previousId: null }, Date.now());
    await store.appendMessage({ conversationId: c.id, clientId: 'x', sender: 'visitor', senderId: v.id, authorName: null, body: 'my phone is 555-0100', now: Date.now() });
    await store.close();
    const exported = await cli(dir, 'export-visitor', v.id);
    expect(JSON.parse(exported.out).data.messages[0].body).toBe('my phone is 555-0100');
    expect((await cli(dir, 'erase-visitor', v.id)).code).toBe(2);
    expect((await cli(dir, 'erase-visitor', v.id, '--yes')).code).toBe(0);
    expect((await cli(dir, 'export-visitor', v.id)).code).toBe(2);
    // ids are base64url: one in 64 begins with a dash, and is an id, not an option
    const dashed = await cli(dir, 'export-visitor', '-LdashedVisitorId00001');
    expect(dashed.code, dashed.out).toBe(2);
    expect(dashed.out).toContain('-LdashedVisitorId00001');

    const wrong = await cli(dir, 'delete-site', secondId, '--confirm', 'wrong');
    expect(wrong.code, wrong.out).toBe(2);
    expect((await cli(dir, 'delete-site', secondId, '--confirm', 'Second shop')).code).toBe(0);
    expect((await cli(dir, 'sites')).out).not.toContain('Second shop');
  }, 60_000);
});

describe('sites in the console', () => {
  it('an admin creates a site (and becomes its admin), and deletes one with all its data after typing its name', async () => {
    const h = await startServer();
    const admin = await login(h, 'admin@shop.test');
    const post = (path: string, method: string, body: unknown) => fetch(`${h.url}${path}`, { method, headers: { cookie: admin, origin: h.url, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post('/api/sites', 'POST', { name: 'Tea House', allowedOrigins: ['https://tea.example'] });
    expect(created.status).toBe(201);
    const site = await created.json();
    const me = await (await fetch(`${h.url}/api/auth/me`, { headers: { cookie: admin } })).json();
    expect(me.memberships.map((m: { siteName: string; role: string }) => `${m.siteName}:${m.role}`).sort()).toEqual(['Shop:admin', 'Tea House:admin']);
    // an operator may not create sites
    const op = await login(h, 'op@shop.test');
    expect((await fetch(`${h.url}/api/sites`, { method: 'POST', headers: { cookie: op, origin: h.url, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Mine' }) })).status).toBe(403);

    const { socket } = await visitorReady(h);
    await new Promise((r) => socket.emit('message:send', { clientId: 'a', body: 'hello' }, r));
    expect((await post(`/api/sites/${h.site.id}`, 'DELETE', { confirmName: 'Shp' })).status).toBe(400);
    const gone = new Promise((r) => socket.once('disconnect', r));
    expect((await post(`/api/sites/${h.site.id}`, 'DELETE', { confirmName: 'Shop' })).status).toBe(200);
    await gone;
    expect(await h.store.getSite(h.site.id)).toBeNull();
    expect(await h.store.listConversations([h.site.id], 10)).toEqual([]);
    expect(await h.store.getSite(site.id)).not.toBeNull();
  });

  it('the Install page shows where the widget was seen and on which origin it was refused', async () => {
    const h = await startServer();
    await visitorReady(h);
    const refused = visitor(h, { origin: OTHER_SHOP });
    await new Promise((r) => refused.once('connect_error', r));
    const admin = await login(h, 'admin@shop.test');
    const install = await (await fetch(`${h.url}/api/sites/${h.site.id}/install`, { headers: { cookie: admin } })).json();
    expect(install.allowedOrigins).toEqual([SHOP]);
    expect(install.sightings.map((s: { origin: string; allowed: boolean }) => `${s.origin} ${s.allowed}`).sort()).toEqual([`${OTHER_SHOP} false`, `${SHOP} true`]);
  });
});
