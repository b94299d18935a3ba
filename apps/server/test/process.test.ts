/** The real `start` entry point as a process: first start, then SIGTERM finishes cleanly. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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

it('starts with embedded defaults, prints the demo passwords once, and shuts down cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-proc-'));
  const [port, demoPort] = [await freePort(), await freePort()];
  const env = { ...process.env, PORT: String(port), BECKON_DEMO_PORT: String(demoPort), BECKON_DATA_DIR: dir, BECKON_LOG_LEVEL: 'warn' };
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const start = () => {
    const child = spawn(tsx, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  };
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
