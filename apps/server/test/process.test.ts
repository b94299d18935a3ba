/** The real `start` entry point as a process: first start, then SIGTERM finishes cleanly. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { expect, it } from 'vitest';
import type { Message, Result } from '@beckon/protocol';
import { openSqliteStore } from '@beckon/db';

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

/**
 * `node --import tsx src/main.ts` in a data folder of its own (node itself, not tsx's wrapper: a
 * test that fails kills the server, not a wrapper that would leave it running); `ready` once it
 * printed where the console is
 */
function beckonProcess(env: NodeJS.ProcessEnv) {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], { env, cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const ready = new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no start within 20 s:\n${out}`)), 20_000);
    child.stdout.on('data', () => {
      if (out.includes('Beckon console')) {
        clearTimeout(t);
        setTimeout(res, 100);
      }
    });
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, ready, exited, output: () => out };
}

it('starts with embedded defaults, prints the demo passwords once, and shuts down cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-proc-'));
  const [port, demoPort] = [await freePort(), await freePort()];
  const env = { ...process.env, PORT: String(port), BECKON_DEMO_PORT: String(demoPort), BECKON_DATA_DIR: dir, BECKON_LOG_LEVEL: 'warn' };
  const start = () => beckonProcess(env);
  try {
    const first = start();
    await first.ready;
    expect(first.output()).toMatch(/admin\s+admin@demo\.beckon\s+[a-z2-9]{4}-/);
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health.status).toBe('ok');
    const demo = await (await fetch(`http://127.0.0.1:${demoPort}/`)).text();
    const key = demo.match(/data-site="([\w-]+)"/)![1]!;
    expect(demo).toContain(`src="http://localhost:${port}/widget/beckon.js"`);

    const v = io(`http://127.0.0.1:${port}/visitor`, { auth: { siteKey: key }, extraHeaders: { origin: `http://localhost:${demoPort}` }, transports: ['websocket'], reconnection: false });
    await new Promise((r) => v.once('session:ready', r));
    const acked: Result<{ message: Message }> = await new Promise((r) => v.emit('message:send', { clientId: 'before-term', body: 'written just before SIGTERM' }, r));
    expect(acked.ok).toBe(true);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    v.disconnect();

    const store = openSqliteStore({ file: join(dir, 'beckon.db') });
    const conv = (await store.listConversations((await store.listSites()).map((s) => s.id), 10))[0]!;
    expect((await store.messagesAfter(conv.id, 0, 10)).map((m) => m.body)).toEqual(['written just before SIGTERM']);
    await store.close();

    // a second start finds its data and does not print passwords again
    const second = start();
    await second.ready;
    expect(second.output()).not.toContain('passwords');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it('a deploy: a widget that comes back while the new process is still loading waits for it and gets its chat back, not a refusal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-deploy-'));
  const [port, demoPort] = [await freePort(), await freePort()];
  const env = { ...process.env, PORT: String(port), BECKON_DEMO_PORT: String(demoPort), BECKON_DATA_DIR: dir, BECKON_LOG_LEVEL: 'warn' };
  const procs: ReturnType<typeof beckonProcess>[] = [];
  try {
    const old = beckonProcess(env);
    procs.push(old);
    await old.ready;
    const key = (await (await fetch(`http://127.0.0.1:${demoPort}/`)).text()).match(/data-site="([\w-]+)"/)![1]!;
    const widget = (token: string | null) => io(`http://127.0.0.1:${port}/visitor`, { auth: { siteKey: key, token }, extraHeaders: { origin: `http://localhost:${demoPort}` }, transports: ['websocket'], reconnection: false });
    const v = widget(null);
    const { token } = await new Promise<{ token: string }>((r) => v.once('session:ready', r));
    await new Promise((r) => v.emit('message:send', { clientId: 'before-deploy', body: 'is the grinder in stock?' }, r));
    v.disconnect();
    old.child.kill('SIGTERM');
    expect(await old.exited).toBe(0);

    const next = beckonProcess(env);
    procs.push(next);
    // the first moment the port takes a connection (bounded: 15 s of tries 10 ms apart); a
    // request for /health goes on it at once
    const until = Date.now() + 15_000;
    // (wrapped: a promise resolved with a promise would wait for the answer)
    type Health = { answer: Promise<{ ms: number; text: string }> };
    let health: Health | null = null;
    while (!health) {
      health = await new Promise<Health | null>((r) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          const at = performance.now();
          let text = '';
          s.on('data', (d) => (text += d));
          s.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
          r({ answer: new Promise((done) => s.once('end', () => done({ ms: performance.now() - at, text }))) });
        });
        s.once('error', () => r(null));
      });
      if (!health && Date.now() > until) throw new Error(`the port never opened:\n${next.output()}`);
      if (!health) await new Promise((r) => setTimeout(r, 10));
    }
    // it was taken long before the server could answer: the answer comes once Beckon has loaded
    // (a server that opens its port only when ready answers within a few milliseconds)
    expect(next.output()).not.toContain('Beckon console');
    // the widget's one try, without retries: refused would fail here
    const back = widget(token);
    const refused = new Promise<Error>((r) => back.once('connect_error', r));
    const ready = new Promise<{ conversation: { id: string } | null }>((r) => back.once('session:ready', r));
    const got = await Promise.race([ready, refused]);
    expect(got).not.toBeInstanceOf(Error);
    // the same visitor, with their conversation
    const conv = (got as Awaited<typeof ready>).conversation;
    expect(conv).not.toBeNull();
    const history: Result<{ messages: Message[] }> = await new Promise((r) => back.emit('conversation:history', { conversationId: conv!.id, beforeSeq: 1_000_000 }, r));
    expect(history.ok && history.data.messages.map((m) => m.body)).toEqual(['is the grinder in stock?']);
    back.disconnect();
    const answered = await health.answer;
    expect(answered.text).toMatch(/^HTTP\/1\.1 200/);
    expect(answered.ms).toBeGreaterThan(250);
    await next.ready;
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
