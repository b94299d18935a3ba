import { afterAll, beforeAll, expect, it } from 'vitest';
import { consoleLogin, shot, startWorld, visitorPage, visitorSays, type World } from './harness';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

it('sets an idle operator Away, tells the widget nobody is online, and comes back on activity', async () => {
  const op = await consoleLogin(w, w.operator, (page) => page.clock.install());
  const context = op.context();
  await op.waitForSelector('.dot.online');

  const visitor = await (await w.browser.newContext()).newPage();
  await visitor.goto(w.shop + '/');
  await visitor.waitForSelector('.bk-launcher:not([hidden])');
  await visitor.click('.bk-launcher');
  await visitor.waitForSelector('.bk-title >> text=We are online');

  // ten idle minutes later
  await op.clock.fastForward('10:40');
  await op.waitForSelector('.dot.away');
  await op.waitForSelector('.banner >> text=You were set to Away');
  expect(await op.locator('.status-pick select').inputValue()).toBe('away');
  await visitor.waitForSelector('.bk-title >> text=We will reply as soon as we can');

  // the operator moves the mouse: back online, and the widget says so
  await op.mouse.move(200, 200);
  await op.mouse.move(220, 240);
  await op.waitForSelector('.dot.online');
  await visitor.waitForSelector('.bk-title >> text=We are online');
  await context.close();
  await visitor.context().close();
});

it('lets a person change their password; their other browser is signed out', async () => {
  const elsewhere = await consoleLogin(w, w.admin);
  const page = await consoleLogin(w, w.admin);
  await page.click('button.me');
  await page.fill('input[name=current]', 'not my password');
  await page.fill('input[name=next]', 'my own new password');
  await page.click('form >> button[type=submit]');
  await page.waitForSelector('.error >> text=The current password is wrong.');
  await page.fill('input[name=current]', w.admin.password);
  await page.click('form >> button[type=submit]');
  await page.waitForSelector('.ok >> text=Password changed');
  // this browser stays signed in and connected; the other one is back at the sign-in form
  await page.click('nav >> text=Chats');
  await page.waitForSelector('.dot.online');
  await elsewhere.waitForSelector('input[name=password]');
  w.admin.password = 'my own new password';
  await page.context().close();
  await elsewhere.context().close();
});

it('says how long ago the last message was in words in Russian too ("5 мин. назад", not "−5 мин")', async () => {
  const store = w.beckon.store;
  const then = Date.now() - 5 * 60_000;
  const v = await store.touchVisitor({ id: 'visitor-five-minutes-ago', siteId: w.siteId, lang: 'ru', userAgent: null }, then);
  const c = await store.createConversation({ siteId: w.siteId, visitorId: v.id, previousId: null }, then);
  await store.appendMessage({ conversationId: c.id, clientId: 'a', sender: 'visitor', senderId: v.id, authorName: null, body: 'Пять минут назад', now: then });
  for (const [locale, want] of [
    ['ru-RU', /^5 мин\. назад$/],
    ['en-US', /^5m ago$/],
  ] as const) {
    // on a phone, where the list's time column is narrowest
    const page = await consoleLogin(w, w.operator, undefined, { locale, viewport: { width: 390, height: 800 }, mobile: true });
    const item = page.locator('li').filter({ hasText: 'Пять минут назад' }).first();
    await expect.poll(async () => (await item.locator('time').textContent())?.trim(), { timeout: 10_000 }).toMatch(want);
    await shot(page, `phone-console-list-ago-${locale}`);
    await page.context().close();
  }
});

it("keeps the chat list current from each message alone: the last words and the unread count, cleared by another console's answer (a phone, in Russian)", async () => {
  const watcher = await consoleLogin(w, w.operator, undefined, { locale: 'ru-RU', viewport: { width: 390, height: 800 }, mobile: true });
  await watcher.waitForSelector('.dot.online');
  const visitor = await visitorPage(w, '/');
  await visitorSays(visitor, 'Первый вопрос про обжарку');
  // the visitor's row, found by the name the list gives them (its preview changes below)
  const first = watcher.locator('button.row').filter({ hasText: 'Первый вопрос про обжарку' });
  await first.waitFor();
  const name = (await first.locator('b').textContent())!.trim();
  const row = watcher.locator('button.row').filter({ has: watcher.locator('b', { hasText: name }) });
  await visitorSays(visitor, 'И второй: есть ли помол под турку?');
  await expect.poll(async () => (await row.locator('.preview').textContent())?.trim()).toBe('И второй: есть ли помол под турку?');
  await expect.poll(async () => (await row.locator('.badge').textContent())?.trim()).toBe('2');
  expect(await row.getAttribute('aria-label')).toContain('2');
  await shot(watcher, 'phone-console-list-unread-ru-RU');
  // another console answers: the phone's list shows the answer and nothing unread
  const other = await consoleLogin(w, w.admin);
  await other.locator('button.row').filter({ has: other.locator('b', { hasText: name }) }).click();
  await other.fill('.pane textarea', 'Да, мелем под турку бесплатно.');
  await other.press('.pane textarea', 'Enter');
  await expect.poll(async () => (await row.locator('.preview').textContent())?.trim()).toBe('Да, мелем под турку бесплатно.');
  await expect.poll(() => row.locator('.badge').count()).toBe(0);
  await shot(watcher, 'phone-console-list-answered-ru-RU');
  await other.context().close();
  await watcher.context().close();
  await visitor.context().close();
});
