/**
 * Browser tests: the real server (port 0, temporary SQLite file), the demo shop on its own
 * origin, and Debian's Chromium driven by playwright-core.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildDemo } from '@beckon/demo';
import { openSqliteStore } from '@beckon/db';
import { buildApp, seedDemo, type Beckon, type Credentials } from '@beckon/server';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

export interface World {
  beckon: Beckon;
  demo: FastifyInstance;
  url: string;
  shop: string;
  siteId: string;
  siteKey: string;
  admin: Credentials;
  operator: Credentials;
  browser: Browser;
  /** stop the server gracefully and start a new one on the same port and database */
  restart(): Promise<void>;
  /** the SQLite file (tests lock it from outside, as a backup tool would) */
  dbFile: string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: run \`apt-get install chromium\` (pnpm test does it when it can)`);
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'beckon-e2e-'));
  const store = openSqliteStore({ file: join(dir, 'beckon.db') });
  const seeded = (await seedDemo(store, { demoOrigins: [], now: Date.now() }))!;
  const beckon = await buildApp({ store, idleSweepMs: 0, webhooks: { allowPrivate: true }, filesDir: join(dir, 'files') });
  const url = await beckon.app.listen({ host: '127.0.0.1', port: 0 });
  // the shop on another host name and port: a cross-origin embed, as on a real site
  const demo = await buildDemo({ port: 0, beckonUrl: url, siteKey: seeded.site.key });
  const shopAddr = await demo.listen({ host: '127.0.0.1', port: 0 });
  const shop = shopAddr.replace('127.0.0.1', 'localhost');
  await store.updateSite(seeded.site.id, { allowedOrigins: [shop] });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-blink-features=AutomationControlled', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const world: World = {
    dbFile: join(dir, 'beckon.db'),
    beckon,
    demo,
    url,
    shop,
    siteId: seeded.site.id,
    siteKey: seeded.site.key,
    admin: seeded.credentials.find((c) => c.role === 'admin')!,
    operator: seeded.credentials.find((c) => c.role === 'operator')!,
    browser,
    async restart() {
      // what a deploy does: the graceful stop of SIGTERM, then a new process on the same port and data
      const port = Number(new URL(world.url).port);
      await world.beckon.app.close();
      world.beckon = await buildApp({ store, idleSweepMs: 0, webhooks: { allowPrivate: true }, filesDir: join(dir, 'files') });
      await world.beckon.app.listen({ host: '127.0.0.1', port });
    },
    async close() {
      await browser.close();
      await demo.close();
      await world.beckon.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * Keeps an operator online without a browser (a console tab's socket): with nobody online the
 * widget offers the message form instead of the chat. Returns the function that goes offline.
 */
export async function operatorOnline(w: World, who: Credentials = w.operator): Promise<() => void> {
  const { io } = await import('socket.io-client');
  const res = await fetch(`${w.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: who.email, password: who.password }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const s = io(`${w.url}/operator`, { extraHeaders: { cookie }, transports: ['websocket'], forceNew: true });
  await new Promise<void>((ok, fail) => {
    s.once('operator:status', () => ok());
    s.once('connect_error', fail);
  });
  return () => void s.disconnect();
}

/**
 * One world for a test file whose subject is the chat itself: someone stays online, so the
 * widget shows the chat rather than the message form (routing.e2e.ts tests the form).
 */
export function chatWorld(set: (w: World) => void): void {
  let world: World | undefined;
  let offline = () => {};
  beforeAll(async () => {
    world = await startWorld();
    set(world);
    offline = await operatorOnline(world);
  });
  afterAll(async () => {
    offline();
    await world?.close();
  });
}

/** Signs in to the console in a new context; `before` runs on the page before it loads (e.g. a fake clock). */
export async function consoleLogin(w: World, who: Credentials = w.operator, before?: (page: Page) => Promise<void>, device: { viewport?: { width: number; height: number }; mobile?: boolean; locale?: string } = {}): Promise<Page> {
  const context = await w.browser.newContext({ viewport: device.viewport ?? { width: 1400, height: 860 }, isMobile: device.mobile, hasTouch: device.mobile, locale: device.locale });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('console page error:', e.message));
  await before?.(page);
  await page.goto(w.url);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.shell');
  return page;
}

/** A person's browser: headless Chromium says "HeadlessChrome", which Beckon (rightly) does not track. */
export const personUA = (w: World) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${w.browser.version()} Safari/537.36`;

export async function visitorContext(w: World, opts: { viewport?: { width: number; height: number }; locale?: string; permissions?: string[]; isMobile?: boolean; hasTouch?: boolean } = {}): Promise<BrowserContext> {
  return w.browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: opts.locale ?? 'en-US', userAgent: personUA(w), permissions: opts.permissions, isMobile: opts.isMobile, hasTouch: opts.hasTouch });
}

export async function visitorPage(w: World, path = '/', opts: { viewport?: { width: number; height: number }; locale?: string; context?: BrowserContext } = {}): Promise<Page> {
  const context = opts.context ?? (await visitorContext(w, opts));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(w.shop + path);
  await page.waitForSelector('.bk-launcher:not([hidden])');
  return page;
}

/** Opens the panel and sends a message as the visitor. */
export async function visitorSays(page: Page, text: string): Promise<void> {
  if (!(await page.$('.bk-panel'))) await page.click('.bk-launcher');
  await page.waitForSelector('.bk-input');
  await page.fill('.bk-input', text);
  await page.press('.bk-input', 'Enter');
  await page.waitForSelector(`.bk-me:not(.bk-pending) >> text=${text}`);
}

/** A screenshot once the widget's opening animation has settled. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => Promise.all((document.querySelector('[data-beckon]')?.shadowRoot?.getAnimations() ?? []).map((a) => a.finished)));
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** A page server of our own, for pages the demo shop has no reason to carry (hostile sites, foreign origins). */
export async function pageServer(): Promise<{ origin: string; put(path: string, html: string, headers?: Record<string, string>): void; close(): Promise<void> }> {
  const Fastify = (await import('fastify')).default;
  const app = Fastify();
  const pages = new Map<string, { html: string; headers: Record<string, string> }>();
  app.get('/*', async (req, reply) => {
    const p = pages.get(req.url.split('?')[0]!);
    if (!p) return reply.status(404).send('no such page');
    return reply.headers(p.headers).type('text/html; charset=utf-8').send(p.html);
  });
  const origin = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('127.0.0.1', 'localhost');
  return { origin, put: (path, html, headers = {}) => pages.set(path, { html, headers }), close: () => app.close() };
}
