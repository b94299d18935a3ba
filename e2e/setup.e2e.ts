/** A site owner's first setup, as they would do it: the checklist ticks itself off, and a test message arrives. */
import { expect, it } from 'vitest';
import { consoleLogin, pageServer, shot, startWorld, type World } from './harness';
import { afterAll, beforeAll } from 'vitest';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

it('a new site: allow its address, paste the snippet, see it detected, a teammate, a rule — and a test message in Chats', async () => {
  const pages = await pageServer();
  const admin = await consoleLogin(w, w.admin);
  // the owner creates their own site (Settings does it; REST here): empty, nothing allowed yet
  const site = (await admin.evaluate(async () => (await fetch('/api/sites', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Tea House', allowedOrigins: [], defaultLang: 'en' }) })).json())) as { id: string; key: string };
  await admin.reload();
  await admin.selectOption('select.site-pick', site.id);
  // a site that is not set up opens on its checklist (the first time); later a banner leads there
  await admin.waitForSelector('.setup h1 >> text=Set up your chat');
  expect(new URL(admin.url()).pathname).toBe('/setup');
  await admin.click('nav >> text=Chats');
  await admin.click('.setup-banner >> text=Setup 0/5');
  await admin.waitForSelector('.setup h1 >> text=Set up your chat');

  // 1. the address: a wrong one is explained, the right one ticks the step
  await admin.fill('.setup input[name=origin]', 'tea.example/shop');
  await admin.click('.setup .inline-form button[type=submit]');
  await admin.waitForSelector('.setup .error >> text=An address looks like https://shop.example');
  await admin.fill('.setup input[name=origin]', pages.origin);
  await admin.click('.setup .inline-form button[type=submit]');
  await admin.waitForSelector('.setup-step.done[data-step=origins]');

  // 2. the snippet, as each kind of site takes it
  await admin.click('.platform-tabs >> text=WordPress');
  await admin.waitForSelector('.setup-step[data-step=snippet] >> text=footer.php');
  await admin.click('.platform-tabs >> text=Plain HTML');
  const code = await admin.locator('.setup-step[data-step=snippet] pre.code').textContent();
  expect(code).toContain(`data-site="${site.key}"`);

  // 3. pasted on the owner's page and opened in a browser: the checklist sees it by itself
  pages.put('/', `<!doctype html><html><body><h1>Tea House</h1>${code}</body></html>`);
  const shop = await (await w.browser.newContext()).newPage();
  await shop.goto(`${pages.origin}/`);
  await shop.waitForSelector('[data-beckon]', { state: 'attached' });
  await admin.waitForSelector('.setup-step.done[data-step=detected]', { timeout: 15_000 });
  await admin.waitForSelector('.setup-step.done[data-step=snippet]');

  // 4 and 5: a teammate, a rule switched on (their own pages; REST here)
  await admin.evaluate(async (id) => {
    await fetch(`/api/sites/${id}/members`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'mia@tea.example', name: 'Mia', role: 'operator' }) });
    await fetch(`/api/sites/${id}/rules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Hello', enabled: true, kind: 'invite', when: { all: [{ fact: 'page.seconds', op: 'gte', value: 20 }] }, variants: [{ key: 'A', weight: 1, content: { text: { en: 'Need help choosing a tea?', ru: '' } } }] }) });
  }, site.id);
  await admin.waitForSelector('.setup-step.done[data-step=teammate]', { timeout: 15_000 });
  await admin.waitForSelector('.setup-step.done[data-step=rule]', { timeout: 15_000 });
  await admin.waitForSelector('.ok-banner >> text=All set');
  await shot(admin, 'console-setup-done');

  // the test message arrives as a chat, and opens
  await admin.click('.setup-test button >> text=Send a test message');
  await admin.click('.setup-test >> text=Open it');
  await admin.waitForSelector('.pane >> text=This is a test message from Beckon’s setup');
  expect(new URL(admin.url()).pathname).toMatch(/^\/chats\//);
  // done: no more banner
  expect(await admin.locator('.setup-banner').count()).toBe(0);

  // in Russian, on a phone
  await admin.setViewportSize({ width: 390, height: 844 });
  await admin.click('.lang >> text=RU');
  await admin.goto(`${w.url}/setup`);
  await admin.waitForSelector('.setup h1 >> text=Настройте чат');
  await admin.click('.platform-tabs >> text=Tilda');
  await admin.waitForSelector('.setup-step[data-step=snippet] >> text=HTML-код для вставки внутрь HEAD');
  expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(admin, 'phone-console-setup-ru');
  await admin.click('.lang >> text=EN');
  await shop.context().close();
  await admin.context().close();
  await pages.close();
});
