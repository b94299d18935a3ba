import { describe, expect, it } from 'vitest';
import { consoleLogin, shot, chatWorld, visitorPage, visitorSays, type World } from './harness';

let w: World;
chatWorld((world) => (w = world));

describe('one chat, end to end', () => {
  it('a visitor on the shop writes, an operator answers from the console', async () => {
    const op = await consoleLogin(w);
    const visitor = await visitorPage(w);
    await shot(visitor, 'widget-launcher');

    await visitorSays(visitor, 'Hi! Is the Ethiopia roast good for espresso?');

    // the conversation appears in the console, assigned to the online operator
    await op.click('.row >> text=Is the Ethiopia roast good for espresso?');
    await op.waitForSelector('.pane .bubble >> text=Is the Ethiopia roast good for espresso?');

    // typing shows both ways
    await op.fill('.pane textarea', 'Yes');
    await visitor.waitForSelector('.bk-typing >> text=Olga is typing');
    await visitor.fill('.bk-input', 'and for filter?');
    await op.waitForSelector('.pane .typing >> text=Visitor is typing');
    await visitor.fill('.bk-input', '');

    await op.fill('.pane textarea', 'Yes — a light roast, great as a filter too.');
    await op.press('.pane textarea', 'Enter');
    await visitor.waitForSelector('.bk-them >> text=Yes — a light roast, great as a filter too.');
    expect(await visitor.textContent('.bk-title span')).toContain('Olga is answering');
    await shot(visitor, 'widget-desktop');
    await shot(op, 'console');

    // another page of the shop: the open panel and the conversation are still there
    await visitor.click('text=Coffee');
    await visitor.waitForURL('**/coffee.html');
    await visitor.waitForSelector('.bk-panel');
    await visitor.waitForSelector('.bk-them >> text=Yes — a light roast, great as a filter too.');
    expect(await visitor.$$eval('.bk-me', (els) => els.map((e) => e.textContent))).toEqual([expect.stringContaining('Is the Ethiopia roast good for espresso?')]);

    // Escape closes the panel and gives focus back to the launcher
    await visitor.focus('.bk-input');
    await visitor.keyboard.press('Escape');
    await visitor.waitForSelector('.bk-panel', { state: 'detached' });
    expect(await visitor.evaluate(() => (document.querySelector('[data-beckon]')!.shadowRoot!.activeElement as HTMLElement | null)?.className)).toContain('bk-launcher');

    // a reply while the panel is closed shows an unread badge
    await op.fill('.pane textarea', 'Anything else I can help with?');
    await op.press('.pane textarea', 'Enter');
    await visitor.waitForSelector('.bk-badge >> text=1');
    expect(await visitor.getAttribute('.bk-launcher', 'aria-label')).toBe('Open chat, 1 unread');
    await shot(visitor, 'widget-unread');
    await visitor.click('.bk-launcher');
    await visitor.waitForSelector('.bk-them >> text=Anything else I can help with?');
    await visitor.waitForSelector('.bk-badge', { state: 'detached' });

    await op.context().close();
    await visitor.context().close();
  });

  it('shows the same conversation in two tabs of the visitor', async () => {
    const a = await visitorPage(w, '/grinders.html');
    await visitorSays(a, 'Two tabs, one chat');
    const b = await a.context().newPage();
    await b.goto(w.shop + '/');
    await b.click('.bk-launcher');
    await b.waitForSelector('.bk-me >> text=Two tabs, one chat');
    await visitorSays(b, 'written in tab B');
    await a.waitForSelector('.bk-me >> text=written in tab B');
    await a.context().close();
  });

  it('fills the screen on a phone', async () => {
    const phone = await visitorPage(w, '/', { viewport: { width: 390, height: 844 } });
    await visitorSays(phone, 'Hello from a phone');
    await phone.locator('.bk-panel').evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    const box = await phone.locator('.bk-panel').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    await shot(phone, 'widget-phone');
    await phone.context().close();
  });

  it('lets one operator hold three conversations at once', async () => {
    const op = await consoleLogin(w, w.admin);
    const names = ['Anna', 'Boris', 'Chen'];
    const visitors = [];
    for (const n of names) {
      const v = await visitorPage(w, '/coffee.html');
      await visitorSays(v, `${n} here, question about grinders`);
      visitors.push(v);
    }
    for (const n of names) await op.click(`.row >> text=${n} here, question about grinders`);
    await op.waitForFunction(() => document.querySelectorAll('.pane').length >= 3);
    const panes = op.locator('.pane');
    for (let i = 0; i < 3; i++) {
      const pane = panes.filter({ hasText: `${names[i]} here` });
      // a draft typed in one pane stays there while the others are used
      await pane.locator('textarea').fill(`Hello ${names[i]}, happy to help`);
    }
    for (let i = 0; i < 3; i++) {
      const pane = panes.filter({ hasText: `${names[i]} here` });
      expect(await pane.locator('textarea').inputValue()).toBe(`Hello ${names[i]}, happy to help`);
      await pane.locator('textarea').press('Enter');
    }
    for (let i = 0; i < 3; i++) {
      await visitors[i]!.waitForSelector(`.bk-them >> text=Hello ${names[i]}, happy to help`);
      const others = names.filter((_, j) => j !== i).map((n) => `Hello ${n}`);
      const text = (await visitors[i]!.locator('.bk-log').textContent()) ?? '';
      for (const o of others) expect(text).not.toContain(o);
    }
    await shot(op, 'console-three-chats');
    // ending them frees the operator's slots (capacity 5) and tells each visitor
    for (let i = 0; i < 3; i++) {
      const pane = panes.filter({ hasText: `${names[i]} here` });
      await pane.locator('.actions button', { hasText: 'End chat' }).click();
      await pane.locator('.confirm-bar button', { hasText: 'End chat' }).click();
      await pane.locator('.ended').waitFor();
    }
    for (const v of visitors) await v.waitForSelector('.bk-note >> text=This chat has ended');
    for (const v of visitors) await v.context().close();
    await op.context().close();
  });

  it('tells the operator of new messages, renders text as text, ends the chat, and pushes settings to the widget', async () => {
    const op = await consoleLogin(w, w.admin);
    await op.waitForSelector('.filters');
    // unread chats left by earlier tests count too: compare with what the title said before
    const unreadInTitle = () => op.evaluate(() => Number(document.title.match(/^\((\d+)\)/)?.[1] ?? 0));
    const before = await unreadInTitle();
    const visitor = await visitorPage(w, '/checkout.html');
    await visitorSays(visitor, 'Can I pay by invoice?');
    // the chat is not open in the console: the tab title counts it
    await expect.poll(unreadInTitle).toBe(before + 1);
    await op.click('.row >> text=Can I pay by invoice?');
    await expect.poll(unreadInTitle).toBe(before);

    const nasty = '<img src=x onerror="window.__xss=1"> see https://example.com/pay and javascript:alert(1)';
    await op.fill('.pane textarea', nasty);
    await op.press('.pane textarea', 'Enter');
    const bubble = visitor.locator('.bk-them', { hasText: 'see https://example.com/pay' });
    await bubble.waitFor();
    expect(await bubble.textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await bubble.locator('img').count()).toBe(0);
    expect(await bubble.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('rel')]))).toEqual([['https://example.com/pay', 'noopener noreferrer']]);
    expect(await visitor.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    await op.click('.pane .actions >> text=End chat');
    await op.click('.pane .confirm-bar >> text=End chat');
    await visitor.waitForSelector('.bk-note >> text=This chat has ended');
    await op.waitForSelector('.pane .ended');

    await op.click('nav >> text=Settings');
    await op.locator('input[name=color]').evaluate((el: HTMLInputElement) => {
      el.value = '#aa3300';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await op.fill('input[name=teamName]', 'Roastery baristas');
    await op.click('button >> text=Save');
    await op.waitForSelector('text=Saved.');
    await visitor.waitForFunction(() => getComputedStyle(document.querySelector('[data-beckon]')!.shadowRoot!.querySelector('.bk-launcher')!).backgroundColor === 'rgb(170, 51, 0)');
    await visitor.waitForSelector('.bk-title b >> text=Roastery baristas');
    await shot(op, 'console-settings');

    await op.click('.lang >> text=RU');
    await op.waitForSelector('nav >> text=Чаты');
    await op.context().close();
    await visitor.context().close();
  });
});
