/**
 * The committed migrations match the schema: drizzle-kit, run on a copy of them, finds
 * nothing to generate. When this fails, run `pnpm db:generate` and commit the new migration.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

it('has migrations generated from the current schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beckon-migrations-'));
  try {
    cpSync(join(pkg, 'drizzle'), join(dir, 'drizzle'), { recursive: true });
    const config = join(dir, 'drizzle.config.mjs');
    // drizzle-kit wants paths relative to its working directory
    writeFileSync(config, `export default { dialect: 'sqlite', schema: ${JSON.stringify(relative(dir, join(pkg, 'src/schema.ts')))}, out: './drizzle' };`);
    const before = readdirSync(join(dir, 'drizzle')).sort();
    const out = execFileSync(join(pkg, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', config], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    expect(out).toMatch(/No schema changes/);
    expect(readdirSync(join(dir, 'drizzle')).sort(), out).toEqual(before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
