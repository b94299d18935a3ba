/** The operator's working day in Chromium: three chats at once, saved replies, the phrase guard, an honest queue. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleLogin, operatorOnline, shot, startWorld, visitorPage, visitorSays, type World } from './harness';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

describe('an operator with capacity 3', () => {
  it('handles three visitors, inserts a saved reply with /, is warned of a blame phrase, and the fourth visitor waits honestly until a slot frees', async () => {
    const store = w.beckon.store;
    const olga = (await store.getAccountByEmail(w.operator.email))!;
    await store.putMembership({ accountId: olga.id, siteId: w.siteId, role: 'operator', capacity: 3 }, Date.now());
    // the admin is not online: only Olga takes chats
    await store.createCanned({ siteId: w.siteId, ownerId: null, shortcut: 'hello', body: 'Hi {visitor.name}, thanks for waiting! How can I help?' }, Date.now());
    // five chats handled before, two minutes each: an estimate is possible
    const past = Date.now() - 3_600_000;
    for (let i = 0; i < 5; i++) {
      const v = await store.touchVisitor({ id: `earlier-visitor-${String(i).padStart(6, '0')}`, siteId: w.siteId, lang: 'en', userAgent: null }, past);
      const c = await store.createConversation({ siteId: w.siteId, visitorId: v.id, previousId: null }, past);
      await store.routeConversation(c.id, { assigneeId: olga.id }, past);
      await store.closeConversation(c.id, 'operator', past + 120_000);
    }

    const op = await consoleLogin(w);
    const visitors = [];
    for (const [i, text] of ['Where is my order?', 'Can I change the grind?', 'Do you ship to Kazan?'].entries()) {
      const v = await visitorPage(w, i === 0 ? '/' : i === 1 ? '/coffee.html' : '/grinders.html');
      await visitorSays(v, text);
      await op.click(`.row >> text=${text}`);
      visitors.push(v);
    }
    await op.waitForSelector('.pane >> nth=2');
    expect(await op.$$eval('.pane', (els) => els.length)).toBe(3);

    // a saved reply: type / and a few letters, pick it with Enter, send it with Enter
    const first = op.locator('.pane').nth(0);
    await first.locator('textarea').fill('/hel');
    await first.locator('.canned-pop >> text=/hello').waitFor();
    await shot(op, 'console-canned');
    await first.locator('textarea').press('Enter');
    expect(await first.locator('textarea').inputValue()).toBe('Hi, thanks for waiting! How can I help?');
    await first.locator('textarea').press('Enter');
    await visitors[0]!.waitForSelector('.bk-them >> text=Hi, thanks for waiting! How can I help?');

    // a blame phrase is stopped before it reaches the customer, with a better wording
    const second = op.locator('.pane').nth(1);
    await second.locator('textarea').fill('Well, you SHOULD  have chosen the finer grind.');
    await second.locator('textarea').press('Enter');
    await second.locator('.guard >> text=This may sound like blame').waitFor();
    expect(await second.locator('.guard').textContent()).toContain('Let’s sort this out together');
    await shot(op, 'console-phrase-guard');
    await visitors[1]!.waitForTimeout(500);
    expect(await visitors[1]!.$('.bk-them >> text=chosen the finer grind')).toBeNull();
    await second.locator('.guard >> text=Edit').click();
    await second.locator('textarea').fill('Let’s sort this out together: I can swap it for a finer grind today.');
    await second.locator('textarea').press('Enter');
    await visitors[1]!.waitForSelector('.bk-them >> text=I can swap it for a finer grind today.');

    // the fourth visitor: Olga is at 3 of 3, so they see their place and an honest wait
    const fourth = await visitorPage(w, '/checkout.html');
    await visitorSays(fourth, 'Is anyone there?');
    await fourth.waitForSelector('.bk-queue >> text=You are #1 in line');
    // 120 s a chat over 3 slots: about 40 s, shown as about 1 min
    expect(await fourth.textContent('.bk-queue b')).toBe('You are #1 in line · about 1 min');
    expect(await fourth.textContent('.bk-queue')).toContain('Leave a message');
    await shot(fourth, 'widget-queue');
    await op.click('nav >> text=Floor');
    await op.waitForSelector('.floor .op-card >> text=3/3');
    await op.waitForSelector('.floor table >> text=about'.replace('about', 'Visitor'));
    await shot(op, 'console-floor');
    // the same floor in Russian
    await op.click('.lang >> text=RU');
    await op.waitForSelector('h2 >> text=Зал');
    await op.waitForSelector('.floor table >> text=все операторы в сети заняты');
    await shot(op, 'console-floor-ru');
    await op.click('nav >> text=Шаблоны');
    await op.waitForSelector('h2 >> text=Фильтр фраз');
    await shot(op, 'console-replies-ru');
    await op.click('.lang >> text=EN');
    await op.click('nav >> text=Chats');

    // one chat ends: the slot goes to the fourth visitor, whose queue notice turns into Olga answering
    await first.locator('.actions button >> text=End chat').click();
    await first.locator('.confirm-bar button >> text=End chat').click();
    await fourth.waitForSelector('.bk-title >> text=Olga is answering');
    await fourth.waitForSelector('.bk-queue', { state: 'detached' });
    await op.waitForSelector('.row >> text=Is anyone there?');

    for (const v of [...visitors, fourth]) await v.context().close();
    await op.context().close();
  });
});

describe('nobody online', () => {
  it('offers a message form instead of the chat, and the answer shows on the next visit', async () => {
    const visitor = await visitorPage(w, '/');
    await visitor.click('.bk-launcher');
    await visitor.waitForSelector('.bk-leave >> text=Nobody is here right now');
    await visitor.fill('.bk-leave [name=name]', 'Pavel');
    await visitor.fill('.bk-leave [name=email]', 'pavel@example.com');
    await visitor.fill('.bk-leave [name=body]', 'Do you roast decaf?');
    await shot(visitor, 'widget-offline-form');
    // this server has no SMTP: nothing promises an email
    expect(await visitor.textContent('.bk-leave p')).not.toMatch(/e-?mail/i);
    await visitor.click('.bk-leave >> text=Send message');
    await visitor.waitForSelector('.bk-note >> text=Thank you! We will answer here, next time you visit.');
    expect(await visitor.textContent('.bk-note[role=status]')).not.toMatch(/e-?mail/i);
    // sent: the form is empty again (it stays on screen while nobody is online)
    for (const f of ['name', 'email', 'body']) expect(await visitor.inputValue(`.bk-leave [name=${f}]`), f).toBe('');
    await visitor.click('.bk-x');

    const op = await consoleLogin(w);
    await op.click('nav >> text=Inbox');
    const item = op.locator('.inbox-item', { hasText: 'Do you roast decaf?' });
    await item.locator('textarea').fill('Yes — a Colombian Swiss Water decaf, every other week.');
    await item.locator('button >> text=Answer').click();
    await item.locator('text=Answered by Olga').waitFor();
    await op.context().close();

    await visitor.reload();
    await visitor.waitForSelector('.bk-badge >> text=1');
    await visitor.click('.bk-launcher');
    await visitor.waitForSelector('.bk-answer >> text=Yes — a Colombian Swiss Water decaf, every other week.');
    await shot(visitor, 'widget-answer');
    await visitor.context().close();
  });
});

describe('blocking', () => {
  // last in this file: a block also covers the visitor's address, and every browser here is 127.0.0.1
  it('an operator blocks a spammer from the chat’s visitor details; their widget goes away', async () => {
    const offline = await operatorOnline(w);
    const spammer = await visitorPage(w, '/');
    await visitorSays(spammer, 'cheap watches www.spam.example');
    const op = await consoleLogin(w, w.admin);
    await op.click('.row >> text=cheap watches');
    const pane = op.locator('.pane', { hasText: 'cheap watches' });
    await pane.locator('.journey summary').click();
    op.on('dialog', (d) => void (d.type() === 'prompt' ? d.accept('spam links') : d.accept()));
    await pane.locator('button >> text=Block').click();
    await pane.locator('.ended').waitFor();
    await spammer.reload();
    await spammer.waitForTimeout(1_000);
    expect(await spammer.$('.bk-launcher:not([hidden])')).toBeNull();
    offline();
    await spammer.context().close();
    await op.context().close();
  });
});
