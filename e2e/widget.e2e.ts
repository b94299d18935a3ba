import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Request } from 'playwright-core';
import { consoleLogin, pageServer, personUA, shot, chatWorld, visitorPage, visitorSays, type World } from './harness';

// The budgets of DESIGN.md, as Chromium fetches the files (served compressed).
import { BEFORE_OPEN_CEILING, OPEN_CEILING } from '@beckon/widget/budgets';

let w: World;
chatWorld((world) => (w = world));

async function widgetBytes(requests: Request[]) {
  const out: { url: string; bytes: number; encoding: string }[] = [];
  for (const r of requests) {
    const res = await r.response();
    if (!res) continue;
    const sizes = await r.sizes();
    out.push({ url: new URL(r.url()).pathname, bytes: sizes.responseBodySize, encoding: (await res.allHeaders())['content-encoding'] ?? 'identity' });
  }
  return out;
}

describe('widget weight', () => {
  it('fetches only the loader before the chat opens, and the UI once it does, within budget', async () => {
    const context = await w.browser.newContext({ extraHTTPHeaders: { 'accept-encoding': 'gzip' } });
    const page = await context.newPage();
    const fetched: Request[] = [];
    page.on('requestfinished', (r) => {
      if (r.url().startsWith(w.url + '/widget/')) fetched.push(r);
    });
    await page.goto(w.shop + '/');
    await page.waitForSelector('.bk-launcher:not([hidden])');
    const before = await widgetBytes(fetched);
    expect(before.map((f) => f.url)).toEqual(['/widget/beckon.js']);
    expect(before[0]!.encoding).toBe('gzip');
    const beforeTotal = before.reduce((n, f) => n + f.bytes, 0);

    await page.click('.bk-launcher');
    await page.waitForSelector('.bk-input');
    const after = await widgetBytes(fetched);
    // the panel and the Preact chunk it shares with the offer cards; not the cards themselves
    expect(after.map((f) => f.url).sort()).toEqual(['/widget/beckon.js', expect.stringMatching(/^\/widget\/preact\.[\w-]{8}\.js$/), expect.stringMatching(/^\/widget\/ui\.[\w-]{8}\.js$/)]);
    const afterTotal = after.reduce((n, f) => n + f.bytes, 0);
    console.log(`widget bytes fetched by Chromium (gzip): before open ${beforeTotal} B (ceiling ${BEFORE_OPEN_CEILING}), open ${afterTotal} B (ceiling ${OPEN_CEILING})`);
    expect(beforeTotal).toBeLessThanOrEqual(BEFORE_OPEN_CEILING);
    expect(afterTotal).toBeLessThanOrEqual(OPEN_CEILING);

    // Socket.IO's client ships once: only the loader carries it, and only one socket connects
    for (const f of after.slice(1)) {
      const code = readFileSync(fileURLToPath(new URL(`../packages/widget/dist/${f.url.replace('/widget/', '')}`, import.meta.url)), 'utf8');
      expect(code).not.toContain('io server disconnect');
    }
    await context.close();
  });

  it('serves the loader short-cached and the UI immutable', async () => {
    const loader = await fetch(`${w.url}/widget/beckon.js`, { headers: { 'accept-encoding': 'br' } });
    expect(loader.headers.get('cache-control')).toBe('public, max-age=300');
    expect(loader.headers.get('content-encoding')).toBe('br');
    const name = (await loader.text()).match(/ui\.[\w-]{8}\.js/)![0];
    const ui = await fetch(`${w.url}/widget/${name}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(ui.status).toBe(200);
    expect(ui.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});

describe('the widget on hostile and unusual pages', () => {
  const snippet = (key: string) => `<script>window.Beckon=window.Beckon||function(){(Beckon.q=Beckon.q||[]).push(arguments)};</script><script async src="${w.url}/widget/beckon.js" data-site="${key}"></script>`;

  it('keeps working with aggressive CSS, a strict CSP, blocked storage and the snippet pasted twice', async () => {
    const site = (await w.beckon.store.getSite(w.siteId))!;
    const tag = snippet(site.key);
    const pages = await pageServer();
    await w.beckon.store.updateSite(site.id, { allowedOrigins: [...site.allowedOrigins, pages.origin] });
    const context = await w.browser.newContext();
    await context.addInitScript(() => {
      // storage blocked, as in some privacy modes
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });
      // an old library's globals
      (window as unknown as { $: unknown }).$ = () => 'not jQuery';
      (Array.prototype as unknown as { remove: () => void }).remove = function () {};
    });
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    pages.put(
      '/hostile',
      `<!doctype html><html><head><style>
        * { all: revert; font-size: 40px !important; color: red !important; box-sizing: content-box !important; }
        div { display: inline !important; position: static !important; }
        button { width: 10px !important; height: 10px !important; }
        html { font-size: 5px; }
      </style>${tag}${tag}</head><body><h1>Hostile shop</h1><script>Beckon('on', 'open', () => document.title = 'opened');</script></body></html>`,
      { 'content-security-policy': `default-src 'self'; script-src 'self' 'unsafe-inline' ${w.url}; connect-src 'self' ${w.url.replace('http', 'ws')}; style-src 'self' 'unsafe-inline'` },
    );
    await page.goto(pages.origin + '/hostile');
    await page.waitForSelector('.bk-launcher:not([hidden])');
    expect(await page.locator('[data-beckon]').count()).toBe(1);
    const size = await page.locator('.bk-launcher').boundingBox();
    expect(size).toMatchObject({ width: 60, height: 60 });
    await visitorSays(page, 'Hello from a hostile page');
    const panel = await page.locator('.bk-panel').boundingBox();
    expect(panel?.width).toBe(370);
    expect(await page.title()).toBe('opened');
    expect(logs.some((l) => l.includes('[Beckon]') && l.includes('twice'))).toBe(true);
    expect(logs.some((l) => l.includes('[Beckon]') && l.includes('localStorage is blocked'))).toBe(true);
    expect(errors).toEqual([]);
    await shot(page, 'widget-hostile');
    await context.close();
    await pages.close();
  });

  it('is not hidden by `div { display: none !important }`, survives Prototype.js-style toJSON, splits 40 long URLs into frames the server takes, and links mailto addresses whole', async () => {
    const site = (await w.beckon.store.getSite(w.siteId))!;
    const pages = await pageServer();
    await w.beckon.store.updateSite(site.id, { allowedOrigins: [...site.allowedOrigins, pages.origin] });
    const context = await w.browser.newContext({ userAgent: personUA(w) });
    await context.addInitScript(() => {
      // Prototype.js 1.6: JSON.stringify([1]) becomes '"[1]"'
      (Array.prototype as unknown as { toJSON: () => string }).toJSON = function (this: unknown[]) {
        return '[' + this.join(',') + ']';
      };
      (String.prototype as unknown as { toJSON: () => string }).toJSON = function (this: string) {
        return '"' + this + '"';
      };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    pages.put('/hides', `<!doctype html><html><head><style>div { display: none !important; } [data-beckon], body > * { display: none !important; visibility: hidden !important; }</style>${snippet(site.key)}</head><body><h1>Shop</h1></body></html>`);
    await page.goto(pages.origin + '/hides');
    await page.waitForSelector('.bk-launcher:not([hidden])');
    expect(await page.locator('.bk-launcher').isVisible()).toBe(true);
    const box = await page.locator('.bk-launcher').boundingBox();
    expect(box).toMatchObject({ width: 60, height: 60 });
    await visitorSays(page, 'write to mailto:bob@example.com.');
    const href = await page.locator('[data-beckon] >> .bk-me a').getAttribute('href');
    expect(href).toBe('mailto:bob@example.com');
    const conv = (await w.beckon.store.listConversations([w.siteId], 50)).find((c) => c.lastMessagePreview.includes('bob@example.com'))!;
    // forty single-page-app route changes with long URLs while the network is away: sent when it is
    // back, in frames the server takes (one 83 KB batch used to drop the connection, again and again)
    await context.setOffline(true);
    await page.waitForSelector('[data-beckon] >> .bk-banner');
    await page.evaluate(async () => {
      for (let i = 0; i < 40; i++) {
        history.pushState({}, '', `/hides?${'q'.repeat(1900)}&n=${i}`);
        await new Promise((r) => setTimeout(r, 80));
      }
    });
    await context.setOffline(false);
    await expect.poll(async () => (await w.beckon.store.journeyOf(conv.visitorId, 200)).filter((e) => e.type === 'page' && String(e.data.url).includes('&n=')).length, { timeout: 30_000 }).toBe(40);
    await page.waitForSelector('[data-beckon] >> .bk-banner', { state: 'detached' });
    expect(errors).toEqual([]);
    await shot(page, 'widget-hides');
    await context.close();
    await pages.close();
  });

  it('says in the browser console why it cannot run on an origin the site does not allow', async () => {
    const site = (await w.beckon.store.getSite(w.siteId))!;
    const context = await w.browser.newContext();
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const pages = await pageServer();
    pages.put('/foreign', `<!doctype html><body><p>not allowed</p>${snippet(site.key)}</body>`);
    await page.goto(pages.origin + '/foreign');
    await expect.poll(() => logs.find((l) => l.includes('not an allowed origin'))).toBeTruthy();
    expect(await page.locator('.bk-launcher:not([hidden])').count()).toBe(0);
    await context.close();
    await pages.close();
  });

  it('speaks Russian when the tag or the browser asks for it', async () => {
    const page = await visitorPage(w, '/?lang=ru');
    await page.click('.bk-launcher');
    expect(await page.getAttribute('.bk-input', 'placeholder')).toBe('Напишите сообщение…');
    await shot(page, 'widget-ru');
    await page.context().close();
    const browserRu = await visitorPage(w, '/', { locale: 'ru-RU' });
    expect(await browserRu.getAttribute('.bk-launcher', 'aria-label')).toBe('Открыть чат');
    await browserRu.context().close();
  });
});

describe('connection trouble', () => {
  it('shows reconnecting while offline, marks a message it could not send, and retries it once', async () => {
    const op = await consoleLogin(w);
    const page = await visitorPage(w, '/coffee.html');
    await visitorSays(page, 'first message');
    await op.click('.row >> text=first message');
    await page.context().setOffline(true);
    await page.waitForSelector('.bk-banner >> text=Reconnecting');
    await page.fill('.bk-input', 'sent while offline');
    await page.press('.bk-input', 'Enter');
    await page.waitForSelector('.bk-failed >> text=Not sent.', { timeout: 20_000 });
    await shot(page, 'widget-failed');
    await page.context().setOffline(false);
    await page.waitForSelector('.bk-banner', { state: 'detached', timeout: 20_000 });
    if (await page.$('.bk-failed')) await page.click('.bk-failed >> text=Retry');
    await page.waitForSelector('.bk-me:not(.bk-pending) >> text=sent while offline');
    await op.waitForSelector('.pane .bubble >> text=sent while offline');
    await new Promise((r) => setTimeout(r, 500));
    expect(await op.locator('.pane .bubble', { hasText: 'sent while offline' }).count()).toBe(1);
    expect(await page.locator('.bk-me', { hasText: 'sent while offline' }).count()).toBe(1);
    await page.context().close();
    await op.context().close();
  });

  it('scrolls back through a long history', async () => {
    const page = await visitorPage(w, '/');
    await visitorSays(page, 'message 1');
    const token = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':token'))![1]);
    const visitorId = token.split('.')[0]!;
    const conv = (await w.beckon.store.latestConversationOf(visitorId))!;
    for (let i = 2; i <= 70; i++) await w.beckon.store.appendMessage({ conversationId: conv.id, clientId: `seed-${i}`, sender: 'visitor', senderId: visitorId, authorName: null, body: `message ${i}`, now: Date.now() });
    await page.reload();
    await page.waitForSelector('.bk-me >> text=message 70');
    expect(await page.locator('.bk-me').count()).toBe(50);
    await page.click('text=Show earlier messages');
    await page.waitForSelector('.bk-me >> text="message 1"');
    expect(await page.locator('.bk-me').count()).toBe(70);
    expect(await page.locator('text=Show earlier messages').count()).toBe(0);
    await page.context().close();
  });
});
