/**
 * The embedded default loads nothing it does not use (issue 9 §5: memory): PostgreSQL's client,
 * Redis and its adapter, libvips, the mailer and web push are loaded when configured or first
 * needed. Each was 12–20 MB of a running server's memory.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('starts on the embedded defaults without loading PostgreSQL, Redis, sharp, nodemailer or web-push', () => {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const script = fileURLToPath(new URL('./fixtures/loaded-packages.ts', import.meta.url));
  const out = execFileSync(tsx, [script], { encoding: 'utf8', timeout: 60_000 });
  const loaded = JSON.parse(out.trim().split('\n').pop()!) as string[];
  // it did load what it runs on (the check sees CommonJS packages)
  expect(loaded).toEqual(expect.arrayContaining(['better-sqlite3', 'fastify', 'socket.io']));
  for (const optional of ['pg', 'ioredis', '@socket.io/redis-streams-adapter', 'sharp', 'nodemailer', 'web-push']) expect(loaded, optional).not.toContain(optional);
}, 90_000);
