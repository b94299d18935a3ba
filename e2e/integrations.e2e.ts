/**
 * Integrations as an admin and a visitor see them (issue 11): an admin makes an API token in the
 * console, an integration sends a message with it and the visitor's widget shows it at once; an
 * admin adds a webhook endpoint, sends a test and reads the delivery log. Screenshots: desktop
 * in English, a phone in Russian.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatWorld, consoleLogin, SHOTS, visitorPage, visitorSays, type World } from './harness';

let w: World;
chatWorld((world) => (w = world));

describe('Settings → Integrations', () => {
  it('an admin makes a token; an integration sends through the API and the widget shows it live', async () => {
    const visitor = await visitorPage(w);
    await visitorSays(visitor, 'Where is my order #1042?');

    const admin = await consoleLogin(w, w.admin);
    await admin.click('nav >> text=Integrations');
    await admin.fill('input[name=tokenName]', 'Order bot');
    await admin.selectOption('select[name=scope]', 'write');
    await admin.click('button >> text=Create token');
    const secret = (await admin.textContent('.reveal-secret code'))!;
    expect(secret).toMatch(/^bk_/);
    await admin.waitForSelector('.tokens >> text=Order bot');

    const conv = (await w.beckon.store.integrations.pageConversations(w.siteId, { status: 'active' }, null, 10)).find((c) => c.lastMessagePreview.includes('#1042'))!;
    const res = await fetch(`${w.url}/api/v1/conversations/${conv.id}/messages`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Order #1042 left the warehouse today.' }) });
    expect(res.status).toBe(201);
    await visitor.waitForSelector('.bk-them >> text=Order #1042 left the warehouse today.');

    // the call is in the audit log
    await admin.reload();
    await admin.waitForSelector('.shell');
    await admin.click('nav >> text=Integrations');
    await admin.waitForSelector(`.audit td:has-text("POST /api/v1/conversations/${conv.id}/messages")`);
    await visitor.context().close();
    await admin.context().close();
  });

  it('an admin adds a webhook, sends a test, and reads the delivery log — in English and Russian, on a phone', async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const rx = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hooks/beckon`;

    const admin = await consoleLogin(w, w.admin);
    await admin.click('nav >> text=Integrations');
    await admin.fill('input[name=webhookUrl]', url);
    await admin.fill('input[name=webhookDescription]', 'CRM: new leads and closed chats');
    await admin.click('.event-picks legend button');
    for (const name of ['Lead', 'Conversation closed', 'Callback request']) await admin.check(`.event-picks label:has-text("${name}") input`);
    await admin.click('button >> text=Add endpoint');
    await admin.waitForSelector(`.endpoint-url >> text=${url}`);
    expect(await admin.textContent('.reveal-secret code')).toMatch(/^whsec_/);

    await admin.click('.endpoint button >> text=Send test');
    await expect.poll(() => got.length).toBe(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ type: 'ping', siteId: w.siteId });
    expect(got[0]!.headers['beckon-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    await admin.click('.endpoint button >> text=Deliveries');
    await admin.waitForSelector('.deliveries .chip.d-delivered');
    // the console scrolls inside its page: a window as tall as the page shows all of it
    const tall = async (width: number) => admin.setViewportSize({ width, height: Math.min(4000, await admin.evaluate(() => document.querySelector('.page')!.scrollHeight + 160)) });
    await tall(1400);
    await admin.screenshot({ path: join(SHOTS, 'console-integrations.png') });

    await admin.click('.lang >> text=RU');
    await admin.waitForSelector('h1 >> text=Интеграции');
    await admin.waitForSelector('.deliveries .chip >> text=доставлено');
    await admin.setViewportSize({ width: 390, height: 844 });
    await tall(390);
    await admin.screenshot({ path: join(SHOTS, 'console-integrations-ru-phone.png') });
    await admin.click('.lang >> text=EN');
    await admin.context().close();
    await new Promise<void>((r) => rx.close(() => r()));
  });

  it('the API reference at /api/docs renders every operation, under the console’s CSP', async () => {
    const context = await w.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${w.url}/api/docs/`);
    await page.waitForSelector('.opblock-summary-path[data-path="/api/v1/conversations/{id}/messages"]');
    const ops = await page.$$eval('.opblock', (els) => els.length);
    const served = w.beckon.routes.filter((r) => r.url.startsWith('/api/v1/')).length;
    expect(ops).toBe(served);
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'api-docs.png') });
    await context.close();
  });
});
