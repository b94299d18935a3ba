/** Files both ways: recognised by content, stored by hash, served inert, gone with the visitor. */
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { AttachmentRef, Message } from '@beckon/protocol';
import { SHOP, call, expectOk, login, next, nextMessage, operator, startServer, visitorReady, type Harness } from './harness';

const png = () => sharp({ create: { width: 640, height: 400, channels: 3, background: '#1f6feb' } }).png().toBuffer();

async function widgetUpload(h: Harness, token: string, bytes: Buffer, name: string, origin = SHOP) {
  const res = await fetch(`${h.url}/api/widget/attachments?key=${h.site.key}`, { method: 'POST', headers: { origin, authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(name) }, body: new Uint8Array(bytes) });
  return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: (await res.json()) as { attachment: AttachmentRef; error?: { code: string; message: string } } & { error?: { code: string } } };
}

function blobs(h: Harness): string[] {
  const root = join(dirname(h.dbFile), 'files');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe('attachments', () => {
  it('a visitor sends a screenshot, the operator a PDF: stored once by content, served with their type and inert', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v, session } = await visitorReady(h);
    const image = await png();

    // the preflight of the shop's page is answered for the site's own origin only
    const pre = await fetch(`${h.url}/api/widget/attachments?key=${h.site.key}`, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-file-name, content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(SHOP);
    await pre.arrayBuffer();

    const up = await widgetUpload(h, session.token, image, 'C:\\Users\\me\\screen shot.png');
    expect(up.status).toBe(201);
    expect(up.cors).toBe(SHOP);
    expect(up.body.attachment).toMatchObject({ name: 'screen shot.png', type: 'image/png', size: image.length, width: 640, height: 400, thumb: true });

    const got = nextMessage(op);
    const sent = await expectOk(call(v, 'message:send', { clientId: 'shot', body: 'screen shot.png', attachmentId: up.body.attachment.id }));
    expect(sent.message.attachment?.id).toBe(up.body.attachment.id);
    expect((await got).attachment).toMatchObject({ type: 'image/png', width: 640 });
    // the same message id again is the same message; the file cannot be sent a second time
    expect((await expectOk(call(v, 'message:send', { clientId: 'shot', body: 'screen shot.png', attachmentId: up.body.attachment.id }))).message.id).toBe(sent.message.id);
    expect(await call(v, 'message:send', { clientId: 'again', body: 'x', attachmentId: up.body.attachment.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // as stored: a reload shows the picture again
    const synced = await expectOk(call(v, 'conversation:sync', { lastSeq: 0 }));
    expect(synced.messages[0]!.attachment).toEqual(up.body.attachment);
    const file = await fetch(`${h.url}/files/${up.body.attachment.id}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(image)).toBe(true);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toContain('sandbox');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; /);
    const thumb = await fetch(`${h.url}/files/${up.body.attachment.id}/thumb`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(320);

    // the same picture again is stored once
    const twice = await widgetUpload(h, session.token, image, 'again.png');
    expect(twice.status).toBe(201);
    expect(blobs(h).length).toBe(2); // the picture and its preview

    // the operator's PDF goes to the visitor as a download
    const cookie = await login(h, 'op@shop.test');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const res = await fetch(`${h.url}/api/attachments?conversationId=${sent.conversation.id}`, { method: 'POST', headers: { cookie, origin: h.url, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent('Счёт №5.pdf') }, body: new Uint8Array(pdf) });
    expect(res.status).toBe(201);
    const doc = ((await res.json()) as { attachment: AttachmentRef }).attachment;
    expect(doc).toMatchObject({ type: 'application/pdf', name: 'Счёт №5.pdf', thumb: false });
    const toVisitor = next<Message>(v, 'message:new', (m) => m.sender === 'operator');
    await expectOk(call(op, 'message:send', { conversationId: sent.conversation.id, clientId: 'inv', body: 'Your invoice', attachmentId: doc.id }));
    expect((await toVisitor).attachment?.name).toBe('Счёт №5.pdf');
    const served = await fetch(`${h.url}/files/${doc.id}`);
    expect(served.headers.get('content-disposition')).toBe(`attachment; filename="____ _5.pdf"; filename*=UTF-8''${encodeURIComponent('Счёт №5.pdf')}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('refuses what could run or is too big, whatever it is called, and tells the widget why', async () => {
    const h = await startServer();
    const { session } = await visitorReady(h);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>');
    const html = Buffer.from('<!doctype html><html><script>fetch("/api/auth/me")</script></html>');
    for (const [bytes, name] of [
      [svg, 'cat.svg'],
      [svg, 'cat.png'],
      [html, 'photo.png'],
      [html, 'notes.txt.html'],
      [Buffer.from('MZ\x90\x00 not a document'), 'invoice.pdf'],
    ] as const) {
      const r = await widgetUpload(h, session.token, bytes, name);
      expect(r.status, name).toBe(415);
      expect(r.body.error?.code).toBe('UNSUPPORTED_FILE');
      expect(r.cors).toBe(SHOP); // the widget can read why
    }
    // a text file is served as text, never as a page
    const text = await widgetUpload(h, session.token, Buffer.from('<script>alert(1)</script> order #42'), 'note.txt');
    expect(text.status).toBe(201);
    const served = await fetch(`${h.url}/files/${text.body.attachment.id}`);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; /);
    await served.arrayBuffer();

    // the site's size limit
    const admin = await login(h, 'admin@shop.test');
    expect((await fetch(`${h.url}/api/sites/${h.site.id}`, { method: 'PATCH', headers: { cookie: admin, origin: h.url, 'content-type': 'application/json' }, body: JSON.stringify({ attachments: { maxMb: 1 } }) })).status).toBe(200);
    const big = await sharp({ create: { width: 1400, height: 1400, channels: 3, background: '#888' }, }).raw().toBuffer().then((raw) => sharp(raw, { raw: { width: 1400, height: 1400, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer());
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const tooBig = await widgetUpload(h, session.token, big, 'big.png');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error?.code).toBe('PAYLOAD_TOO_LARGE');

    // a foreign page, a forged token: refused
    expect((await widgetUpload(h, session.token, await png(), 'a.png', 'http://evil.test')).status).toBe(403);
    expect((await widgetUpload(h, 'forged', await png(), 'a.png')).status).toBe(401);
    // nothing refused was stored
    expect(blobs(h).length).toBe(1);
  });

  it('a visitor cannot send another visitor\'s file; erasing the visitor removes their files from the disk', async () => {
    const h = await startServer();
    await operator(h);
    const a = await visitorReady(h);
    const b = await visitorReady(h);
    const up = await widgetUpload(h, a.session.token, await png(), 'mine.png');
    expect(await call(b.socket, 'message:send', { clientId: 'steal', body: 'x', attachmentId: up.body.attachment.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expectOk(call(a.socket, 'message:send', { clientId: 'ok', body: 'mine.png', attachmentId: up.body.attachment.id }));
    expect(blobs(h).length).toBe(2);

    const admin = await login(h, 'admin@shop.test');
    const erased = await fetch(`${h.url}/api/sites/${h.site.id}/visitors/${a.session.visitorId}`, { method: 'DELETE', headers: { cookie: admin, origin: h.url } });
    expect(erased.status).toBe(200);
    await expect.poll(() => blobs(h).length).toBe(0);
    const gone = await fetch(`${h.url}/files/${up.body.attachment.id}`);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();
  });

  it('retention takes old conversations\' files off the disk, and uploads never sent after a day', async () => {
    const h = await startServer();
    const op = await operator(h);
    const { socket: v, session } = await visitorReady(h);
    const up = await widgetUpload(h, session.token, await png(), 'old.png');
    const { conversation } = await expectOk(call(v, 'message:send', { clientId: 'old', body: 'old.png', attachmentId: up.body.attachment.id }));
    await expectOk(call(op, 'conversation:close', { conversationId: conversation.id }));
    // a second upload never sent
    const stray = await widgetUpload(h, session.token, await sharp({ create: { width: 50, height: 50, channels: 3, background: '#f00' } }).png().toBuffer(), 'stray.png');
    expect(stray.status).toBe(201);
    expect(blobs(h).length).toBe(4);
    // two days later, with conversations kept one day
    const admin = await login(h, 'admin@shop.test');
    expect((await fetch(`${h.url}/api/sites/${h.site.id}`, { method: 'PATCH', headers: { cookie: admin, origin: h.url, 'content-type': 'application/json' }, body: JSON.stringify({ retention: { conversationsDays: 1 } }) })).status).toBe(200);
    await h.store.files.dropUnsent(Date.now() + 1); // what a day later does to the stray upload
    await h.store.applyRetention(h.site.id, { ...(await h.store.getSite(h.site.id))!.retention }, Date.now() + 2 * 86_400_000);
    await h.beckon.applyRetention();
    expect(blobs(h)).toEqual([]);
    expect(await h.store.files.get(up.body.attachment.id)).toBeNull();
  });
});
