/** The widget ships to every visitor: protocol comes in as types only, nothing of the server comes in at all. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

it('imports @beckon/protocol with `import type` only, and no server package or zod', () => {
  const files = walk(src).filter((f) => /\.tsx?$/.test(f));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) {
    const code = readFileSync(f, 'utf8');
    for (const m of code.matchAll(/^\s*import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      const [, typeOnly, spec] = m;
      if (spec === '@beckon/protocol') expect(typeOnly, `${f}: value import of protocol`).toBeTruthy();
      expect(['@beckon/db', '@beckon/server', '@beckon/routing', 'zod', 'fastify', 'socket.io'], `${f} imports ${spec}`).not.toContain(spec);
    }
  }
});
