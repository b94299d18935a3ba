/**
 * A first installation never fails silently (issue 8 §3): the Install page says the origin must
 * be allowed, shows where the widget was seen and where it was refused, and allows a refused
 * origin with one click; admins create sites and set how long data is kept.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleLogin, pageServer, personUA, SHOTS, startWorld, type World } from './harness';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

describe('the Install page and the site’s lifecycle', () => {
  it('shows the widget seen on the shop, refused elsewhere, and one click allows the refused origin', async () => {
    const site = (await w.beckon.store.getSite(w.siteId))!;
    const pages = await pageServer();
    pages.put('/new-shop', `<!doctype html><body><h1>New shop</h1><script async src="${w.url}/widget/beckon.js" data-site="${site.key}"></script></body>`);
    const visitor = await w.browser.newContext({ userAgent: personUA(w) });
    const shop = await visitor.newPage();
    await shop.goto(w.shop + '/');
    await shop.waitForSelector('.bk-launcher:not([hidden])');
    const other = await visitor.newPage();
    await other.goto(pages.origin + '/new-shop');
    await expect.poll(async () => (await w.beckon.store.sightings(w.siteId)).length).toBe(2);

    const admin = await consoleLogin(w, w.admin);
    await admin.click('nav >> text=Install');
    await admin.waitForSelector('.note >> text=allowed origins');
    await admin.waitForSelector(`.sightings li.ok >> text=${w.shop}`);
    await admin.waitForSelector(`.sightings li.refused >> text=${pages.origin}`);
    await admin.screenshot({ path: join(SHOTS, 'console-install.png'), fullPage: true });
    await admin.click('.sightings li.refused >> button');
    await admin.waitForSelector(`.sightings li >> text=${pages.origin}`);
    expect((await w.beckon.store.getSite(w.siteId))!.allowedOrigins).toContain(pages.origin);
    // the widget now runs there
    await other.reload();
    await other.waitForSelector('.bk-launcher:not([hidden])');

    // Russian, and a phone
    await admin.click('.lang >> text=RU');
    await admin.waitForSelector('.note >> text=Разрешённые адреса');
    await admin.setViewportSize({ width: 375, height: 740 });
    await admin.screenshot({ path: join(SHOTS, 'console-install-ru-phone.png'), fullPage: true });
    await admin.click('.lang >> text=EN');
    await admin.setViewportSize({ width: 1400, height: 860 });
    await visitor.close();
    await admin.context().close();
    await pages.close();
  });

  it('an admin creates a site from Settings and sets retention; the new site appears in the site picker', async () => {
    const admin = await consoleLogin(w, w.admin);
    await admin.click('nav >> text=Settings');
    await admin.fill('.site-admin input[required]', 'Tea House');
    await admin.fill('.site-admin textarea', 'https://tea.example');
    await admin.click('.site-admin button >> text=Create site');
    await admin.waitForSelector('.site-admin [role=status] >> text=Tea House');
    await admin.waitForSelector('select.site-pick >> option >> text=Tea House', { state: 'attached' });
    const sites = await w.beckon.store.listSites();
    expect(sites.map((s) => s.name)).toContain('Tea House');

    const forever = admin.locator('.site-admin label.retention').first().locator('input[type=checkbox]');
    await forever.uncheck();
    await admin.locator('.site-admin label.retention').first().locator('input[type=number]').fill('90');
    await admin.click('.site-admin button >> text=Save retention');
    await admin.waitForSelector('.site-admin [role=status] >> text=Saved.');
    expect((await w.beckon.store.getSite(w.siteId))!.retention.conversationsDays).toBe(90);
    // the delete button waits for the exact name
    expect(await admin.locator('.danger-zone button').isDisabled()).toBe(true);
    await admin.locator('.site-admin').screenshot({ path: join(SHOTS, 'console-site-admin.png') });
    await admin.click('.lang >> text=RU');
    await admin.locator('.site-admin').screenshot({ path: join(SHOTS, 'console-site-admin-ru.png') });
    await admin.context().close();
  });
});
