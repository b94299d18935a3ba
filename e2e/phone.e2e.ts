/**
 * The console on a phone and in the address bar: one chat at a time with a way back, a saved
 * reply with the thumb, URLs for every page and chat (reload, link, back/forward).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { consoleLogin, operatorOnline, personUA, shot, startWorld, visitorSays, visitorPage, type World } from './harness';

let w: World;
let offline = () => {};
beforeAll(async () => {
  w = await startWorld();
  offline = await operatorOnline(w);
});
afterAll(async () => {
  offline();
  await w?.close();
});

const login = (viewport: { width: number; height: number }, mobile: boolean, locale = 'en-US', who = w.operator): Promise<Page> => consoleLogin(w, who, undefined, { viewport, mobile, locale });

it('on a phone: the list, then one chat full screen, a saved reply, and back', async () => {
  const cookie = (await (await fetch(`${w.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: w.operator.email, password: w.operator.password }) })).headers.get('set-cookie'))!.split(';')[0]!;
  const made = await fetch(`${w.url}/api/sites/${w.siteId}/canned`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: w.url }, body: JSON.stringify({ shortcut: 'wait', body: 'Thanks for waiting, {visitor.name}! Let me look.' }) });
  expect(made.status).toBe(201);

  const visitor = await visitorPage(w);
  await visitorSays(visitor, 'Do you ship to Norway?');

  const op = await login({ width: 375, height: 667 }, true);
  // the navigation is behind the menu button, and every item is reachable
  expect(await op.locator('.menu nav').isVisible()).toBe(false);
  await op.click('.menu-btn');
  await op.waitForSelector('.menu nav >> text=Rules');
  await shot(op, 'phone-console-menu');
  await op.click('.menu nav >> text=Chats');
  expect(await op.locator('.menu nav').isVisible()).toBe(false);

  await op.click('.row >> text=Do you ship to Norway?');
  const pane = op.locator('.pane.focus');
  await pane.waitFor();
  // the chat takes the screen (it measured 0×0 before), the list makes way
  const box = (await pane.boundingBox())!;
  expect(box.width).toBeGreaterThan(360);
  expect(box.height).toBeGreaterThan(500);
  expect(await op.locator('.list').isVisible()).toBe(false);
  expect(new URL(op.url()).pathname).toMatch(/^\/chats\/[\w-]+$/);
  await pane.locator('.bubble >> text=Do you ship to Norway?').waitFor();

  // the saved replies button, no keyboard shortcut needed
  await pane.locator('button[aria-label^="Saved replies"]').tap();
  await pane.locator('.canned-pop li >> text=/wait').tap();
  expect(await pane.locator('textarea').inputValue()).toBe('Thanks for waiting! Let me look.');
  await pane.locator('button[type=submit]').tap();
  await visitor.waitForSelector('.bk-them >> text=Thanks for waiting! Let me look.');
  await shot(op, 'phone-console-chat');

  // the pane's back button and the browser's back both return to the list
  await pane.locator('.back').tap();
  await op.waitForSelector('.list .row >> text=Thanks for waiting');
  expect(new URL(op.url()).pathname).toBe('/chats');
  expect(await op.locator('.pane.focus').isVisible()).toBe(false);
  await shot(op, 'phone-console-list');
  await op.click('.row >> text=Thanks for waiting');
  await op.locator('.pane.focus').waitFor();
  await op.goBack();
  await op.waitForSelector('.list');
  expect(await op.locator('.pane.focus').isVisible()).toBe(false);
  await op.goForward();
  await op.locator('.pane.focus').waitFor();

  // the visitor's details are one tap away in the chat
  await op.locator('.pane.focus .journey summary').tap();
  await op.locator('.pane.focus .journey dl').waitFor();
  await op.context().close();
  await visitor.context().close();
});

it('on a desktop the panes stay side by side; every page and chat has a URL', async () => {
  const visitor = await visitorPage(w);
  await visitorSays(visitor, 'Is the blue mug back in stock?');
  const op = await login({ width: 1400, height: 860 }, false);
  expect(await op.locator('.menu-btn').isVisible()).toBe(false);
  await op.click('.row >> text=blue mug');
  await op.waitForSelector('.pane >> text=Is the blue mug back in stock?');
  await op.click('.row >> text=Thanks for waiting');
  await op.waitForSelector('.pane >> text=Do you ship to Norway?');
  // both chats on screen next to the list
  expect(await op.locator('.pane').count()).toBe(2);
  expect(await op.locator('.list').isVisible()).toBe(true);
  for (const p of await op.locator('.pane').all()) expect((await p.boundingBox())!.width).toBeGreaterThan(300);
  // the visitor's details: browser, system, local time; the operator corrects the name
  const details = op.locator('.pane').first().locator('.journey');
  await details.locator('summary').click();
  await details.locator('dt >> text=Browser').waitFor();
  expect(await details.locator('dd').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^Chrome \d+ · Linux$/), expect.stringMatching(/^\d\d:\d\d (AM |PM )?\(UTC[+−]\d+(:\d\d)?\)$/)]));
  await details.locator('.contact >> text=Edit').click();
  await details.locator('input[name=visitor-name]').fill('Ingrid');
  await details.locator('input[name=visitor-email]').fill('ingrid@example.no');
  await details.locator('.contact-form button[type=submit]').click();
  await op.waitForSelector('.pane h3 >> text=Ingrid');
  await op.waitForSelector('.row >> text=Ingrid');
  await details.locator('.contact >> text=Ingrid · ingrid@example.no').waitFor();
  await details.locator('summary').click();
  await shot(op, 'desktop-console-two-chats');
  const chatUrl = op.url();
  expect(new URL(chatUrl).pathname).toMatch(/^\/chats\/[\w-]+$/);

  // reload on Rules stays on Rules
  await op.click('nav >> text=Rules');
  await op.waitForURL(/\/rules$/);
  await op.reload();
  await op.waitForSelector('nav button.on >> text=Rules');
  await op.goBack();
  await op.waitForURL(/\/chats\//);
  await op.waitForSelector('nav button.on >> text=Chats');

  // a chat's URL in a new tab opens that chat
  const tab = await op.context().newPage();
  await tab.goto(chatUrl);
  await tab.waitForSelector('.pane.focus >> text=Do you ship to Norway?');
  // a chat that is not there says so
  await tab.goto(`${w.url}/chats/no-such-chat`);
  await tab.waitForSelector('.banner >> text=That chat does not exist');
  await op.context().close();
  await visitor.context().close();
});

it('in Russian the header fits a 1366 px screen on one line, and the phone layout holds', async () => {
  const visitor = await visitorPage(w, '/', { locale: 'ru-RU' });
  await visitorSays(visitor, 'Есть ли доставка в Казань?');
  // the admin has the most items (follow-ups, dashboard, integrations)
  const op = await login({ width: 1366, height: 768 }, false, 'ru-RU', w.admin);
  await op.waitForSelector('nav >> text=Интеграции');
  await shot(op, 'desktop-console-ru-1366');
  const header = (await op.locator('header.top').boundingBox())!;
  expect(header.height).toBeLessThan(60);
  for (const b of await op.locator('header.top button, header.top select').all()) {
    const box = await b.boundingBox();
    if (!box) continue; // the phone's menu button
    expect(box.x + box.width).toBeLessThanOrEqual(1366);
    expect(box.y + box.height).toBeLessThanOrEqual(header.y + header.height);
  }
  // rule summaries say «да», not "true"
  await op.click('nav >> text=Правила');
  await op.waitForSelector('.rule-item >> text=намерение уйти');
  const summaries = (await op.locator('.rule-item').allTextContents()).join('\n');
  expect(summaries).not.toMatch(/\btrue\b|\bfalse\b/);
  expect(summaries).toContain('да');
  await op.click('nav >> text=Чаты');
  await op.setViewportSize({ width: 375, height: 667 });
  await op.click('.row >> text=доставка в Казань');
  await op.locator('.pane.focus').waitFor();
  // nothing is wider than the phone
  expect(await op.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await shot(op, 'phone-console-chat-ru');
  await op.context().close();
  await visitor.context().close();
});

it('the console installs as an app: a manifest with icons, a service worker, push settings per person; a notification\'s click opens its chat', async () => {
  const manifest = await fetch(`${w.url}/manifest.webmanifest`);
  expect(manifest.headers.get('content-type')).toContain('manifest+json');
  const m = (await manifest.json()) as { start_url: string; display: string; icons: { src: string; sizes: string }[] };
  expect(m).toMatchObject({ start_url: '/chats', display: 'standalone' });
  for (const icon of m.icons) {
    const r = await fetch(`${w.url}${icon.src}`);
    expect(r.headers.get('content-type'), icon.src).toBe('image/png');
    await r.arrayBuffer();
  }
  const visitor = await visitorPage(w);
  await visitorSays(visitor, 'A question about the espresso machine');
  const op = await login({ width: 375, height: 667 }, true);
  // the service worker controls the console
  expect(await op.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toBe(`${w.url}/sw.js`);
  await op.click('.menu-btn');
  await op.click('.menu .me');
  await op.waitForSelector('.push-settings h2 >> text=Notifications on this device');
  await op.waitForSelector('.push-state >> text=Notifications are off for this device.');
  await op.uncheck('input[name=push-waiting]');
  await shot(op, 'phone-console-push-settings');
  await op.reload();
  await op.waitForSelector('input[name=push-waiting]');
  expect(await op.isChecked('input[name=push-waiting]')).toBe(false);
  expect(await op.isChecked('input[name=push-myMessage]')).toBe(true);

  // what the service worker tells the tab when a notification is clicked: from any page, that chat
  const conv = (await w.beckon.store.searchMessages([w.siteId], 'espresso machine', 5))[0]!;
  expect(conv).toBeTruthy();
  await op.evaluate((url) => navigator.serviceWorker.dispatchEvent(new MessageEvent('message', { data: { type: 'beckon:open', url } })), `${w.url}/chats/${conv.conversationId}`);
  await op.waitForSelector('.pane.focus >> text=A question about the espresso machine');
  expect(new URL(op.url()).pathname).toBe(`/chats/${conv.conversationId}`);
  await op.context().close();
  await visitor.context().close();
});

it('the demo shop on a phone: the header wraps, nothing is wider than the screen, the launcher is in reach', async () => {
  const context = await w.browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, userAgent: personUA(w) });
  const page = await context.newPage();
  for (const path of ['/', '/coffee.html', '/checkout.html']) {
    await page.goto(w.shop + path);
    await page.waitForSelector('.bk-launcher:not([hidden])');
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
    const box = (await page.locator('.bk-launcher').boundingBox())!;
    expect(box.x + box.width, path).toBeLessThanOrEqual(375);
    expect(box.y + box.height, path).toBeLessThanOrEqual(667);
  }
  await shot(page, 'phone-demo-shop');
  await context.close();
});
