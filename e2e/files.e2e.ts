/** Files both ways in Chromium: a screenshot from the widget, a PDF and a dropped picture from the console. */
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { SHOTS, chatWorld, consoleLogin, shot, visitorPage, visitorSays, type World } from './harness';

let w: World;
chatWorld((x) => (w = x));

const picture = (bg: string, width = 900, height = 560) =>
  sharp({ create: { width, height, channels: 3, background: bg } })
    .composite([{ input: Buffer.from(`<svg width="${width}" height="${height}"><rect x="40" y="40" width="${width - 80}" height="80" rx="12" fill="#fff"/><text x="70" y="95" font-size="36" font-family="sans-serif">Order #1042 — error 500</text></svg>`), top: 0, left: 0 }])
    .png()
    .toBuffer();

it('a visitor sends a screenshot, the operator a PDF and a dropped picture; what could run is refused', async () => {
  const visitor = await visitorPage(w, '/checkout.html');
  await visitorSays(visitor, 'The checkout fails, here is what I see');
  const op = await consoleLogin(w);
  await op.click('.row >> text=The checkout fails');
  await op.waitForSelector('.pane .bubble >> text=The checkout fails');

  // the widget: the paperclip, a PNG; the visitor sees its preview in their own bubble
  await visitor.setInputFiles('[data-beckon] .bk-clip input', { name: 'screenshot.png', mimeType: 'image/png', buffer: await picture('#d0e2ff') });
  const own = visitor.locator('.bk-me .bk-pic img');
  await own.waitFor();
  await expect.poll(() => own.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
  // …and the operator sees it in the chat, opening the whole file in a new tab
  const seen = op.locator('.pane .pic img');
  await seen.waitFor();
  await expect.poll(() => seen.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
  expect(await op.locator('.pane .pic').getAttribute('target')).toBe('_blank');

  // the console: a PDF from the paperclip…
  await op.setInputFiles('.pane .compose .attach input', { name: 'invoice-1042.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') });
  await visitor.waitForSelector('.bk-them .bk-doc >> text=invoice-1042.pdf');
  // …and a picture dropped on the chat
  const dropped = (await picture('#ffe4d6', 600, 400)).toString('base64');
  await op.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'fixed.png', { type: 'image/png' }));
    const pane = document.querySelector('.pane')!;
    pane.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    pane.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, dropped);
  const theirs = visitor.locator('.bk-them .bk-pic img');
  await theirs.waitFor();
  await expect.poll(() => theirs.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await visitorSays(visitor, 'Thanks, that worked!');
  await shot(visitor, 'widget-attachments');
  await op.screenshot({ path: join(SHOTS, 'console-attachments.png') });

  // an SVG with a script, named .png: refused, and the widget says why
  await visitor.setInputFiles('[data-beckon] .bk-clip input', { name: 'cute.png', mimeType: 'image/png', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') });
  await visitor.waitForSelector('.bk-note >> text=This kind of file cannot be sent');
  expect(await visitor.locator('.bk-me .bk-pic').count()).toBe(1);
  await op.context().close();
  await visitor.context().close();
});

it('on a phone the widget sends a picture too', async () => {
  const visitor = await visitorPage(w, '/', { viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  await visitorSays(visitor, 'Вот фото');
  await visitor.setInputFiles('[data-beckon] .bk-clip input', { name: 'фото.png', mimeType: 'image/png', buffer: await picture('#e8f7e0', 500, 900) });
  const img = visitor.locator('.bk-me .bk-pic img');
  await img.waitFor();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
  await shot(visitor, 'widget-attachments-phone-ru');
  await visitor.context().close();
});
