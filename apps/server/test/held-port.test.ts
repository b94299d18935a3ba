/** The port taken before Beckon loads (src/lib/held-port.ts): what waits is served, what is too many is let go. */
import { connect, type Socket } from 'node:net';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { holdPort } from '../src/lib/held-port';

/** a raw HTTP/1.1 request on a new connection: the whole answer once the server closes it ('' when it was closed or reset unanswered) */
function request(port: number, path: string): { socket: Promise<Socket>; answer: Promise<string> } {
  let opened!: (s: Socket) => void;
  const socket = new Promise<Socket>((r) => (opened = r));
  const answer = new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => (text += d));
    s.once('connect', () => {
      opened(s);
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    // a connection closed with the request unread is reset by the kernel
    s.once('error', () => resolve(text));
    s.once('close', () => resolve(text));
  });
  return { socket, answer };
}

const refused = (port: number) =>
  new Promise<boolean>((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(false)));
    s.once('error', (e: NodeJS.ErrnoException) => r(e.code === 'ECONNREFUSED'));
  });

it('requests made while the app loads are answered once it takes the port over, on the same port, and closing the app closes the port', async () => {
  const held = await holdPort('127.0.0.1', 0);
  const early = [request(held.port, '/hello?n=1'), request(held.port, '/hello?n=2')];
  await Promise.all(early.map((r) => r.socket));
  // accepted and waiting: nothing answered yet, since there is no app yet
  await expect.poll(() => held.waiting).toBe(2);

  const app = Fastify();
  app.get('/hello', async (req) => `hello ${(req.query as { n: string }).n}`);
  await held.adopt(app);
  expect((app.server.address() as { port: number }).port).toBe(held.port);
  const answers = await Promise.all(early.map((r) => r.answer));
  expect(answers[0]).toMatch(/^HTTP\/1\.1 200[\s\S]*hello 1$/);
  expect(answers[1]).toMatch(/^HTTP\/1\.1 200[\s\S]*hello 2$/);
  expect(held.waiting).toBe(0);
  // and what comes afterwards goes straight to the app
  expect(await request(held.port, '/hello?n=3').answer).toMatch(/hello 3$/);
  // letting go of the held port after the hand-over must not close the app's
  held.release();
  expect(await request(held.port, '/hello?n=4').answer).toMatch(/hello 4$/);

  await app.close();
  expect(await refused(held.port)).toBe(true);
});

it('holds at most so many connections (the next are closed at once), and a start-up that fails lets the port and them go', async () => {
  const held = await holdPort('127.0.0.1', 0, 2);
  const kept = [request(held.port, '/'), request(held.port, '/')];
  await Promise.all(kept.map((r) => r.socket));
  await expect.poll(() => held.waiting).toBe(2);
  // the third is closed without an answer; its client retries as after a refusal
  expect(await request(held.port, '/').answer).toBe('');
  expect(held.waiting).toBe(2);

  held.release();
  expect(await Promise.all(kept.map((r) => r.answer))).toEqual(['', '']);
  expect(await refused(held.port)).toBe(true);
  await expect(held.adopt(Fastify())).rejects.toThrow(/let go/);
});

it('a port in use is an error at once, before anything loads', async () => {
  const first = await holdPort('127.0.0.1', 0);
  await expect(holdPort('127.0.0.1', first.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  first.release();
});
