/**
 * Email (issue 10 §3) delivered to a real SMTP server on loopback (smtp-server) and parsed as it
 * arrived (mailparser): the answer to an offline message reaches the address the visitor left,
 * in their language, as text and HTML; a transcript on request; alerts of new inbox items and
 * follow-ups to the site's notification addresses; a failing server is retried and a refused
 * email is shown as failed; with no SMTP nothing offers email.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../src/lib/clock';
import { call, expectOk, login, onCleanup, operator, startServer, visitorReady, type Harness } from './harness';

/** An SMTP server on loopback; `answer(n)` may refuse the n-th message with an SMTP code. */
async function smtp(answer: (n: number) => number | null = () => null) {
  const got: ParsedMail[] = [];
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      const code = answer(++n);
      void simpleParser(stream).then((mail) => {
        if (code) return cb(Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }));
        got.push(mail);
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.server.address() as AddressInfo).port;
  return { got, attempts: () => n, config: { host: '127.0.0.1', port, secure: false, from: 'Shop <help@shop.test>' } };
}

/** signed in once per server and person (sign-ins are rate-limited) */
const cookies = new Map<string, string>();
async function rest<T = unknown>(h: Harness, method: string, path: string, body?: unknown, who = 'admin@shop.test'): Promise<{ status: number; json: T }> {
  const key = `${h.url} ${who}`;
  let cookie = cookies.get(key);
  if (!cookie) cookies.set(key, (cookie = await login(h, who)));
  const res = await fetch(`${h.url}${path}`, { method, headers: { cookie, origin: h.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as T };
}

async function until(h: Harness, cond: () => boolean, what: string) {
  for (let i = 0; i < 200 && !cond(); i++) {
    await h.beckon.mailer.idle();
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(cond(), what).toBe(true);
}

const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []);

describe('email', () => {
  it('the answer to an offline message reaches the visitor’s address, in their language, as text and HTML', async () => {
    const mail = await smtp();
    const h = await startServer({ smtp: mail.config });
    for (const [lang, addr, expectText] of [
      ['ru-RU', 'vera@example.com', 'Наш ответ'],
      ['en-GB', 'sam@example.com', 'Our answer'],
    ] as const) {
      const { socket, session } = await visitorReady(h, { lang });
      expect(session.site.email).toBe(true);
      const { itemId } = await expectOk(call(socket, 'inbox:message', { name: 'Vera <b>', email: addr, body: 'Do you ship to Riga?' }));
      const r = await rest<{ answerEmail: { status: string } | null }>(h, 'PATCH', `/api/inbox/${itemId}`, { answer: 'Yes — in 2 days. <script>x</script>' });
      expect(r.status).toBe(200);
      await until(h, () => mail.got.some((m) => to(m).includes(addr)), `mail to ${addr}`);
      const m = mail.got.find((x) => to(x).includes(addr))!;
      expect(m.from?.value[0]).toMatchObject({ name: 'Shop', address: 'help@shop.test' });
      expect(m.subject).toContain('Shop');
      expect(m.text).toContain(expectText);
      expect(m.text).toContain('Yes — in 2 days.');
      expect(m.text).toContain('Do you ship to Riga?');
      // visitors' and operators' words are text in the HTML part
      expect(m.html).toContain('&#60;script&#62;');
      expect(m.html).not.toContain('<script>');
      expect(m.html).toContain('Vera &#60;b&#62;');
    }
    const inbox = await rest<{ items: { answerEmail: { status: string; to: string } | null }[] }>(h, 'GET', `/api/sites/${h.site.id}/inbox?status=open`);
    expect(inbox.json.items.map((i) => i.answerEmail?.status)).toEqual(['sent', 'sent']);
  });

  it('sends a transcript on request, and alerts the site’s addresses of new inbox items and follow-ups', async () => {
    const mail = await smtp();
    const h = await startServer({ smtp: mail.config });
    expect((await rest(h, 'PATCH', `/api/sites/${h.site.id}`, { quality: { notifyEmails: ['owner@shop.test', 'team@shop.test'] } })).status).toBe(200);
    const op = await operator(h);
    const { socket: v } = await visitorReady(h, { lang: 'en' });
    const sent = await expectOk(call(v, 'message:send', { clientId: 'm1', body: 'Which grinder for espresso?' }));
    await h.beckon.chat.idle();
    await expectOk(call(op, 'message:send', { conversationId: sent.conversation.id, clientId: 'o1', body: 'The Niche Zero.' }));
    await expectOk(call(op, 'conversation:close', { conversationId: sent.conversation.id }));
    await expectOk(call(v, 'conversation:transcript', { conversationId: sent.conversation.id, email: 'me@example.com' }));
    await until(h, () => mail.got.some((m) => to(m).includes('me@example.com')), 'the transcript');
    const t = mail.got.find((m) => to(m).includes('me@example.com'))!;
    expect(t.text).toMatch(/You: Which grinder for espresso\?[\s\S]*Oleg: The Niche Zero\./);

    await expectOk(call(v, 'conversation:rate', { conversationId: sent.conversation.id, verdict: 'worse', comment: 'Too slow' }));
    await expectOk(call(v, 'offer:callback', { offerId: null, phone: '+371 2000 0000', time: 'after 5', name: 'Vera' }));
    await until(h, () => mail.got.filter((m) => to(m).includes('owner@shop.test')).length === 2, 'two alerts');
    const alerts = mail.got.filter((m) => to(m).includes('owner@shop.test'));
    expect(alerts.map((m) => m.subject).sort()).toEqual(['Shop: A bad chat needs a follow-up', 'Shop: New callback request — Vera']);
    expect(alerts.find((m) => m.subject!.includes('follow-up'))!.text).toContain('Too slow');
    expect(alerts.find((m) => m.subject!.includes('callback'))!.text).toContain('+371 2000 0000');
    expect(mail.got.filter((m) => to(m).includes('team@shop.test'))).toHaveLength(2);
  });

  it('a server that says "try later" is tried again with backoff; a refused email is shown as failed', async () => {
    const clock = fakeClock();
    // the first two attempts get 451; the next one goes through
    const mail = await smtp((n) => (n <= 2 ? 451 : null));
    const h = await startServer({ clock, smtp: mail.config });
    const { socket } = await visitorReady(h);
    const { itemId } = await expectOk(call(socket, 'inbox:message', { name: 'Vera', email: 'vera@example.com', body: 'Hello?' }));
    await rest(h, 'PATCH', `/api/inbox/${itemId}`, { answer: 'Hello!' });
    await until(h, () => mail.attempts() === 1, 'first attempt');
    const pending = await rest<{ recent: { status: string; attempts: number; error: string }[] }>(h, 'GET', `/api/sites/${h.site.id}/email`);
    expect(pending.json.recent[0]).toMatchObject({ status: 'pending', attempts: 1, error: expect.stringContaining('451') });
    for (let i = 0; i < 3 && mail.got.length === 0; i++) {
      await clock.advance(120_000);
      await until(h, () => mail.attempts() >= i + 2, `attempt ${i + 2}`);
    }
    expect(mail.got).toHaveLength(1);
    expect(mail.attempts()).toBe(3);
    expect((await rest<{ recent: { status: string; attempts: number }[] }>(h, 'GET', `/api/sites/${h.site.id}/email`)).json.recent[0]).toMatchObject({ status: 'sent', attempts: 3 });
    // a month later (the clock jumps there) the retention sweep forgets it
    clock.set(clock.now() + 31 * 86_400_000);
    await h.beckon.applyRetention();
    expect(await h.store.quality.recentEmails(h.site.id, 10)).toEqual([]);
  });

  it('an address the server refuses (5xx) is not tried again, and the inbox shows the failure', async () => {
    const mail = await smtp(() => 550);
    const h = await startServer({ smtp: mail.config });
    const { socket } = await visitorReady(h);
    const { itemId } = await expectOk(call(socket, 'inbox:message', { name: 'Vera', email: 'nobody@example.com', body: 'Hello?' }));
    await rest(h, 'PATCH', `/api/inbox/${itemId}`, { answer: 'Hello!' });
    await until(h, () => mail.attempts() === 1, 'one attempt');
    await h.beckon.mailer.idle();
    const inbox = await rest<{ items: { answerEmail: { status: string; error: string } | null }[] }>(h, 'GET', `/api/sites/${h.site.id}/inbox?status=open`);
    expect(inbox.json.items[0]!.answerEmail).toMatchObject({ status: 'failed', error: expect.stringContaining('550') });
  });

  it('with no SMTP configured nothing offers email: the widget is told so and a transcript is refused', async () => {
    const h = await startServer();
    const { socket, session } = await visitorReady(h);
    expect(session.site.email).toBe(false);
    const sent = await expectOk(call(socket, 'message:send', { clientId: 'a', body: 'hi' }));
    expect(await call(socket, 'conversation:transcript', { conversationId: sent.conversation.id, email: 'me@example.com' })).toMatchObject({ ok: false, error: { code: 'EMAIL_OFF' } });
    const { itemId } = await expectOk(call(socket, 'inbox:message', { name: 'Vera', email: 'vera@example.com', body: 'Hello?' }));
    await rest(h, 'PATCH', `/api/inbox/${itemId}`, { answer: 'Hello!' });
    expect(await h.store.quality.emailsFor([itemId])).toEqual([]);
    expect((await rest<{ enabled: boolean }>(h, 'GET', `/api/sites/${h.site.id}/email`)).json.enabled).toBe(false);
  });
});
