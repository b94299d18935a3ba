/**
 * What ships: the built files (run `pnpm build` first; `pnpm test` does). Raising a ceiling is
 * a deliberate edit in the same commit as the change that needs it (DESIGN.md budgets).
 * The e2e suite measures the same budgets as Chromium fetches them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@beckon/protocol';
import { LIMITS_MESSAGE_LENGTH } from '../src/ui/limits';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
import { BEFORE_OPEN_CEILING, OPEN_CEILING } from '../budgets';

describe('widget bundle', () => {
  it('has been built', () => {
    expect(existsSync(join(dist, 'manifest.json')), 'run `pnpm build` first').toBe(true);
  });
  const manifest = () => JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { loader: string; ui: string; offer: string; shared: string[] };
  const lazy = () => [manifest().ui, manifest().offer, ...manifest().shared];
  const file = (name: string) => readFileSync(join(dist, name), 'utf8');
  const gz = (name: string) => gzipSync(readFileSync(join(dist, name)), { level: 9 }).length;

  it('stays inside the gzip budgets', () => {
    const m = manifest();
    const shared = m.shared.reduce((n, f) => n + gz(f), 0);
    expect(gz(m.loader)).toBeLessThanOrEqual(BEFORE_OPEN_CEILING);
    // the chat open: loader + Preact + panel; an offer on screen: loader + Preact + cards
    expect(gz(m.loader) + shared + gz(m.ui)).toBeLessThanOrEqual(OPEN_CEILING);
    expect(gz(m.loader) + shared + gz(m.offer)).toBeLessThanOrEqual(OPEN_CEILING);
  });

  it('ships the wire client once, in the loader', () => {
    const m = manifest();
    // strings only the wire client (src/loader/wire.ts) contains
    const markers = ['transport close', 'ping timeout', 'io server disconnect'];
    for (const s of markers) {
      expect(file(m.loader)).toContain(s);
      for (const f of lazy()) expect(file(f)).not.toContain(s);
    }
  });

  it('ships no zod, no server code, and only the WebSocket transport', () => {
    const all = [manifest().loader, ...lazy()].map(file).join('\n');
    for (const s of ['ZodError', 'zod', 'better-sqlite3', 'fastify', 'drizzle']) expect(all.toLowerCase()).not.toContain(s.toLowerCase());
    // the transport classes themselves: WebTransport and XHR long-polling are aliased away
    for (const s of ['new WebTransport', 'XMLHttpRequest']) expect(all).not.toContain(s);
    expect(all).toContain('WebSocket');
  });

  it('tells the loader the content-hashed part files, which share one Preact, and has compressed twins', () => {
    const m = manifest();
    expect(m.ui).toMatch(/^ui\.[A-Za-z0-9_-]{8}\.js$/);
    expect(m.offer).toMatch(/^offer\.[A-Za-z0-9_-]{8}\.js$/);
    expect(file(m.loader)).toContain(m.ui);
    expect(file(m.loader)).toContain(m.offer);
    expect(m.shared).toHaveLength(1);
    for (const f of [m.ui, m.offer]) expect(file(f)).toContain(`./${m.shared[0]}`);
    for (const f of [m.loader, ...lazy()]) for (const ext of ['.gz', '.br']) expect(existsSync(join(dist, f + ext))).toBe(true);
  });

  it('keeps the UI message limit in step with protocol', () => {
    expect(LIMITS_MESSAGE_LENGTH).toBe(LIMITS.messageLength);
  });
});
