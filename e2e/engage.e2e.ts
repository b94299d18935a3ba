/** Proactive engagement in Chromium: the demo shop's rules, offer cards, forms, SPA page views, consent. */
import type { Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RuleInput, type Rule } from '@beckon/protocol';
import { OPEN_CEILING } from '@beckon/widget/budgets';
import { consoleLogin, pageServer, shot, startWorld, visitorContext, visitorPage, visitorSays, type World } from './harness';

let w: World;
let pages: Awaited<ReturnType<typeof pageServer>>;
const added: string[] = [];

beforeAll(async () => {
  w = await startWorld();
  pages = await pageServer();
  const site = (await w.beckon.store.getSite(w.siteId))!;
  await w.beckon.store.updateSite(w.siteId, { allowedOrigins: [...site.allowedOrigins, pages.origin] });
});
afterAll(async () => {
  await pages?.close();
  await w?.close();
});
afterEach(async () => {
  for (const id of added.splice(0)) await w.beckon.store.deleteRule(w.siteId, id);
  await w.beckon.engage.reload(w.siteId);
});

/** A rule of the test's own, above the demo rules; removed after the test. */
async function addRule(r: Partial<RuleInput> & Pick<RuleInput, 'kind' | 'when'> & { content?: Record<string, unknown> }): Promise<Rule> {
  const { content, ...rest } = r;
  const rule = await w.beckon.store.createRule(w.siteId, RuleInput.parse({ name: `${r.kind} test`, priority: 500, variants: [{ key: 'A', weight: 1, content: content ?? {} }], ...rest }), Date.now());
  added.push(rule.id);
  await w.beckon.engage.reload(w.siteId);
  return rule;
}

const snippet = (attrs = '') => `<script>window.Beckon=window.Beckon||function(){(Beckon.q=Beckon.q||[]).push(arguments)};</script><script async src="${w.url}/widget/beckon.js" data-site="${w.siteKey}" ${attrs}></script>`;
const t = (en: string, ru = '') => ({ en, ru });

describe('the demo shop', () => {
  it('invites after the configured delay on a product page; accepting opens the chat and the operator sees the journey', async () => {
    const op = await consoleLogin(w);
    const visitor = await visitorPage(w, '/?utm_source=newsletter&utm_campaign=autumn');
    await visitor.click('header >> text=Coffee');
    await visitor.waitForURL('**/coffee.html');
    const arrived = Date.now();
    // "Help choosing a coffee": 15 s on a coffee page, with an operator free
    await visitor.waitForSelector('.bk-offer', { timeout: 25_000 });
    expect(Date.now() - arrived).toBeGreaterThanOrEqual(14_000);
    const text = (await visitor.textContent('.bk-offer .bk-obubble'))!;
    expect(['Looking for the right roast? I can help you choose.', 'Hi! Tell me how you brew and I will suggest a coffee.']).toContain(text);
    expect(await visitor.textContent('.bk-offer .bk-ohead')).toContain('Olga');
    await shot(visitor, 'offer-invite-demo');

    await visitor.click('.bk-offer >> text=Reply');
    await visitor.waitForSelector('.bk-panel');
    await visitor.waitForSelector(`.bk-them >> text=${text}`);
    await visitorSays(visitor, 'I brew with a V60');

    await op.click('.row >> text=I brew with a V60');
    await op.waitForSelector('.pane .journey .origin >> text=Started by the rule “Help choosing a coffee”');
    const trail = await op.$$eval('.pane .journey .trail li', (els) => els.map((e) => e.getAttribute('title')));
    expect(trail).toEqual([`${w.shop}/?utm_source=newsletter&utm_campaign=autumn`, `${w.shop}/coffee.html`]);
    expect(await op.textContent('.pane .journey dl')).toContain('newsletter / autumn');
    await shot(op, 'console-journey');
    await op.context().close();
    await visitor.context().close();
  });

  it('a dismissed offer hides, and does not come back on the next page', async () => {
    await addRule({ kind: 'coupon', when: { fact: 'page.path', op: 'starts_with', value: '/grinders' }, controls: { repeat: 'day' }, content: { title: t('10% off grinders'), code: 'GRIND10' } });
    const visitor = await visitorPage(w, '/grinders.html');
    await visitor.waitForSelector('.bk-offer >> text=GRIND10');
    await visitor.click('.bk-offer .bk-ox');
    await visitor.waitForSelector('.bk-offer', { state: 'detached' });
    await visitor.click('header >> text=Coffee');
    await visitor.waitForURL('**/coffee.html');
    await visitor.click('header >> text=Grinders');
    await visitor.waitForURL('**/grinders.html');
    await visitor.waitForSelector('.bk-launcher:not([hidden])');
    await visitor.waitForTimeout(1500);
    expect(await visitor.$('.bk-offer')).toBeNull();
    await visitor.context().close();
  });

  it('Escape dismisses too; a coupon code copies with one click', async () => {
    await addRule({ kind: 'coupon', when: { fact: 'page.path', op: 'eq', value: '/checkout.html' }, content: { title: t('Free shipping today'), text: t('Paste the code at checkout.'), code: 'SHIPFREE' } });
    const context = await visitorContext(w, { permissions: ['clipboard-read', 'clipboard-write'] });
    const visitor = await visitorPage(w, '/checkout.html', { context });
    await visitor.waitForSelector('.bk-offer >> text=SHIPFREE');
    // the page hears about it through the public API
    await visitor.evaluate(() => {
      const w = window as unknown as { Beckon: (...a: unknown[]) => void; heard: string[] };
      w.heard = [];
      w.Beckon('on', 'offer:accepted', (e: { kind: string; how: string }) => w.heard.push(`accepted ${e.kind} ${e.how}`));
      w.Beckon('on', 'offer:dismissed', (e: { kind: string }) => w.heard.push(`dismissed ${e.kind}`));
    });
    await visitor.click('.bk-offer >> text=Copy');
    await visitor.waitForSelector('.bk-offer >> text=Copied!');
    expect(await visitor.evaluate(() => navigator.clipboard.readText())).toBe('SHIPFREE');
    await visitor.keyboard.press('Escape');
    await visitor.waitForSelector('.bk-offer', { state: 'detached' });
    expect(await visitor.evaluate(() => (window as unknown as { heard: string[] }).heard)).toEqual(['accepted coupon copy', 'dismissed coupon']);
    await context.close();
  });

  it('a lead form submission lands in the console inbox', async () => {
    await addRule({ kind: 'lead_form', when: { fact: 'page.path', op: 'eq', value: '/' }, content: { title: t('Get our brewing guide'), text: t('We will send it by email.') } });
    const visitor = await visitorPage(w, '/');
    await visitor.waitForSelector('.bk-offer form');
    await visitor.click('.bk-offer button.bk-obtn');
    await visitor.waitForSelector('.bk-oerr >> text=Please enter your name.');
    await visitor.fill('.bk-offer [name=name]', 'Anna Lead');
    await visitor.fill('.bk-offer [name=email]', 'anna@example.com');
    await visitor.click('.bk-offer [name=consent]');
    await visitor.click('.bk-offer button.bk-obtn');
    await visitor.waitForSelector('.bk-offer >> text=Thank you! We will be in touch soon.');
    const op = await consoleLogin(w);
    await op.click('nav >> text=Inbox');
    await op.waitForSelector('.inbox-item >> text=Anna Lead');
    expect(await op.textContent('.inbox-item')).toContain('anna@example.com');
    await shot(op, 'console-inbox');
    await op.click('.inbox-item >> text=Resolve');
    await op.waitForSelector('.inbox-item', { state: 'detached' });
    await op.context().close();
    await visitor.context().close();
  });
});

describe('the console', () => {
  it('an admin writes a rule with a live preview; visitors get it; the board shows them and a manual invitation reaches them; the funnel counts', async () => {
    const admin = await consoleLogin(w, w.admin);
    await admin.click('nav >> text=Rules');
    await admin.waitForSelector('.rule-item >> text=Help choosing a coffee');
    expect(await admin.$$eval('.rule-item b', (els) => els.length)).toBe(7);
    await shot(admin, 'console-rules');

    await admin.selectOption('select.new-rule', 'coupon');
    await admin.waitForSelector('.rule-editor');
    // the browser asks for a name; the protocol schema checks the rest, and says what is wrong
    await admin.click('.rule-editor button[type=submit]');
    expect(await admin.$eval('.rule-editor [name=name]', (el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    await admin.fill('.rule-editor [name=name]', 'Checkout nudge');
    await admin.selectOption('.cond-row select[aria-label=fact]', 'page.path');
    await admin.selectOption('.cond-row select[aria-label=operator]', 'in');
    await admin.fill('.cond-row input[aria-label=value]', '');
    await admin.click('.rule-editor button[type=submit]');
    await admin.waitForSelector('.rule-editor .error >> text="in" needs a list of values');
    // an empty offer is not saved (it showed visitors a blank bar): the editor says what is missing
    const why = await admin.locator('.rule-editor .error').textContent();
    expect(why).toContain('the offer is empty — give it a title or a text.');
    expect(why).toContain('a coupon needs its code');
    expect((await w.beckon.store.listRules(w.siteId)).some((r) => r.name === 'Checkout nudge')).toBe(false);
    await admin.selectOption('.cond-row select[aria-label=operator]', 'starts_with');
    await admin.fill('.cond-row input[aria-label=value]', '/checkout');
    await admin.fill('[name=title-en]', 'Free grinder cleaning kit');
    await admin.fill('[name=title-ru]', 'Набор для чистки кофемолки в подарок');
    await admin.fill('[name=text-en]', 'With any order today. Use the code at checkout.');
    await admin.fill('[name=code]', 'CLEANKIT');
    // the preview is the widget's own card, updated as the admin types
    await admin.waitForSelector('.preview-host .bk-offer >> text=CLEANKIT');
    await admin.click('.rule-preview .tabs >> text=RU');
    await admin.waitForSelector('.preview-host .bk-offer >> text=Набор для чистки кофемолки в подарок');
    await shot(admin, 'console-rule-editor');
    await admin.click('.rule-editor button[type=submit]');
    await admin.waitForSelector('.rule-item >> text=Checkout nudge');
    // a new rule starts off; the admin switches it on when it is ready
    expect((await w.beckon.store.listRules(w.siteId)).find((r) => r.name === 'Checkout nudge')!.enabled).toBe(false);
    await admin.locator('.rule-item', { hasText: 'Checkout nudge' }).locator('.toggle input').check();
    await admin.waitForSelector('.rule-item:not(.off) >> text=Checkout nudge');
    const created = (await w.beckon.store.listRules(w.siteId)).find((r) => r.name === 'Checkout nudge')!;
    expect(created.enabled).toBe(true);
    added.push(created.id);

    const visitor = await visitorPage(w, '/checkout.html');
    await visitor.waitForSelector('.bk-offer >> text=CLEANKIT');

    // the live board: the visitor, their page, and what they are seeing
    await admin.click('nav >> text=Visitors');
    const row = admin.locator('.visitor-row', { hasText: '/checkout.html' });
    await row.waitFor();
    await row.locator('text=seeing “Checkout nudge”').waitFor();
    await shot(admin, 'console-visitors');
    await visitor.click('.bk-offer .bk-ox');
    await visitor.waitForSelector('.bk-offer', { state: 'detached' });
    await row.locator('button >> text=Invite').click();
    await admin.fill('.invite-form textarea', 'Hello from Alex — can I help with the order?');
    await admin.click('.invite-form >> text=Send invitation');
    await visitor.waitForSelector('.bk-offer >> text=Hello from Alex — can I help with the order?');
    expect(await visitor.textContent('.bk-offer .bk-ohead')).toContain('Alex Admin');

    // switching a rule off takes effect at once; the funnel shows what was shown and dismissed
    await admin.click('nav >> text=Rules');
    const item = admin.locator('.rule-item', { hasText: 'Checkout nudge' });
    await item.locator('input[type=checkbox]').uncheck();
    await expect.poll(async () => (await w.beckon.store.listRules(w.siteId)).find((r) => r.id === created.id)?.enabled).toBe(false);
    await admin.reload();
    await admin.waitForSelector('.shell');
    await admin.click('nav >> text=Rules');
    const funnelRow = admin.locator('.funnel tr', { hasText: 'Checkout nudge' });
    await funnelRow.waitFor();
    expect(await funnelRow.locator('td').allTextContents()).toEqual(['Checkout nudge', 'A', '1', '1 100%', '0 0%', '0 0%', '0.00', '—', '—']);
    expect(await admin.locator('.funnel tr', { hasText: 'Manual invitations' }).count()).toBe(1);
    await admin.context().close();
    await visitor.context().close();
  });
});

describe('on any page', () => {
  it('counts a single-page app route change as a page view', async () => {
    await addRule({ kind: 'article', when: { all: [{ fact: 'session.pages', op: 'gte', value: 2 }, { fact: 'page.path', op: 'eq', value: '/app/step-2' }] }, content: { title: t('You made it to step 2'), url: 'https://example.com/guide' } });
    pages.put('/app', `<!doctype html><title>SPA</title>${snippet()}<button id="go" onclick="history.pushState({}, '', '/app/step-2'); document.title = 'Step 2'">Next step</button>`);
    const context = await visitorContext(w);
    const page = await context.newPage();
    await page.goto(`${pages.origin}/app`);
    await page.waitForSelector('.bk-launcher:not([hidden])');
    await page.waitForTimeout(800);
    expect(await page.$('.bk-offer')).toBeNull();
    await page.click('#go');
    await page.waitForSelector('.bk-offer >> text=You made it to step 2');
    await context.close();
  });

  it('in consent mode connects and stores nothing until the page grants consent', async () => {
    pages.put('/consent', `<!doctype html><title>Consent</title>${snippet('data-consent="required"')}<button id="yes" onclick="Beckon('consent', true)">Accept cookies</button>`);
    const context = await visitorContext(w);
    const page = await context.newPage();
    const sockets: string[] = [];
    const fetched: string[] = [];
    page.on('websocket', (s) => sockets.push(s.url()));
    page.on('request', (r: Request) => fetched.push(r.url()));
    await page.goto(`${pages.origin}/consent`);
    await page.waitForTimeout(1500);
    expect(sockets).toEqual([]);
    expect(fetched.filter((u) => u.startsWith(w.url) && !u.endsWith('/widget/beckon.js'))).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage).concat(Object.keys(sessionStorage)))).toEqual([]);
    expect(await page.$('.bk-launcher:not([hidden])')).toBeNull();

    await page.click('#yes');
    await page.waitForSelector('.bk-launcher:not([hidden])');
    expect(sockets.length).toBe(1);
    expect(await page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('beckon:')))).toBe(true);
    // and the journey starts: the visitor is on the board with the page they are on
    await expect.poll(async () => (await w.beckon.engage.watch('test-watch', { siteId: w.siteId, filter: '/consent', offset: 0 })).total, { timeout: 5000 }).toBe(1);
    w.beckon.engage.unwatch('test-watch');
    await context.close();
  });

  it('does not track a headless crawler', async () => {
    pages.put('/bot', `<!doctype html><title>Bot page</title>${snippet()}`);
    // Chromium's own headless user agent says HeadlessChrome
    const context = await w.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${pages.origin}/bot`);
    await page.waitForSelector('.bk-launcher:not([hidden])');
    await page.waitForTimeout(800);
    expect((await w.beckon.engage.watch('bot-watch', { siteId: w.siteId, filter: '/bot', offset: 0 })).total).toBe(0);
    w.beckon.engage.unwatch('bot-watch');
    await context.close();
  });
});

describe('every offer type, desktop and phone', () => {
  const kinds: [RuleInput['kind'], Record<string, unknown>][] = [
    ['invite', { text: t('Hi! Need help choosing a grinder?', 'Здравствуйте! Помочь выбрать кофемолку?') }],
    ['coupon', { title: t('Wait — 10% off your order', 'Постойте — скидка 10%'), text: t('Use this code at checkout today.', 'Используйте код при оформлении сегодня.'), code: 'BEANS10' }],
    ['lead_form', { title: t('Get our brewing guide', 'Получите гид по завариванию'), text: t('Leave your contact and we will send it.', 'Оставьте контакт — пришлём.'), button: t('Send me the guide', 'Прислать гид') }],
    ['callback', {}],
    ['article', { title: t('Which grind for which brew?', 'Какой помол для какого способа?'), text: t('A two-minute read on grind sizes.', 'Двухминутный гид по помолу.'), url: 'https://example.com/guide', button: t('Read the guide', 'Читать') }],
    ['media', { title: t('Fresh this week: Kenya Nyeri', 'Свежая обжарка: Кения Ньери'), text: t('Blackcurrant and grapefruit.', 'Смородина и грейпфрут.'), button: t('See the coffee', 'Смотреть') }],
  ];

  it('renders each card, in English and in Russian, and stays compact on a phone', async () => {
    for (const [kind, content] of kinds) {
      const c = kind === 'media' ? { ...content, imageUrl: `${w.shop}/roast.svg`, url: `${w.shop}/coffee.html` } : content;
      await addRule({ kind, when: { fact: 'page.path', op: 'eq', value: `/offer/${kind}` }, controls: { needsOperator: false }, content: c });
      pages.put(`/offer/${kind}`, `<!doctype html><html lang="en"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${kind}</title><body style="margin:0;font:16px system-ui;background:#f4efe9"><main style="padding:40px"><h1>Roastery</h1><p>Some page content behind the offer.</p></main>${snippet()}</body></html>`);
    }
    const shots: [string, { viewport: { width: number; height: number }; isMobile?: boolean; hasTouch?: boolean; locale?: string }][] = [
      ['desktop', { viewport: { width: 1280, height: 800 } }],
      ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ru-RU' }],
    ];
    for (const [name, opts] of shots) {
      for (const [kind] of kinds) {
        const context = await visitorContext(w, opts);
        const page = await context.newPage();
        const fetched: Request[] = [];
        page.on('requestfinished', (r) => {
          if (r.url().startsWith(`${w.url}/widget/`)) fetched.push(r);
        });
        await page.goto(`${pages.origin}/offer/${kind}`);
        const card = await page.waitForSelector('.bk-offer');
        await page.evaluate(() => Promise.all(Array.from(document.querySelector('[data-beckon]')!.shadowRoot!.querySelectorAll('img')).map((i) => (i.complete ? null : new Promise((r) => (i.onload = i.onerror = r))))));
        const box = (await card.boundingBox())!;
        if (name === 'phone') {
          // compact: inside the screen with a margin, leaving most of the page visible
          expect(box.x).toBeGreaterThanOrEqual(8);
          expect(box.x + box.width).toBeLessThanOrEqual(390 - 8);
          expect(box.height).toBeLessThan(844 * 0.6);
          expect(await page.textContent('.bk-offer .bk-ox[aria-label]')).toBe('');
          expect(await page.getAttribute('.bk-offer .bk-ox', 'aria-label')).toBe('Закрыть');
        } else {
          expect(box.width).toBeLessThanOrEqual(340);
          // an offer loads the cards and Preact, not the chat panel
          const names = fetched.map((r) => new URL(r.url()).pathname.replace('/widget/', '').split('.')[0]).sort();
          expect(names).toEqual(['beckon', 'offer', 'preact']);
          let total = 0;
          for (const r of fetched) total += (await r.sizes()).responseBodySize;
          expect(total).toBeLessThanOrEqual(OPEN_CEILING);
        }
        await shot(page, `offer-${kind}-${name}`);
        await context.close();
      }
    }
  });
});

export type { Page };
