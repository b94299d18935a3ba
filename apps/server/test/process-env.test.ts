/** The server's launchers start it with PROCESS_ENV (process-env.ts): it must be there before the process starts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROCESS_ENV } from '../src/process-env';

const read = (p: string) => readFileSync(new URL(p, import.meta.url), 'utf8');
const assignments = Object.entries(PROCESS_ENV).map(([k, v]) => `${k}=${v}`);

describe('the server process environment', () => {
  it('`pnpm start` and `pnpm cluster` set it before tsx starts the server, and the deploy guide tells systemd to', () => {
    const scripts = (JSON.parse(read('../package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'cluster']) expect(scripts[name]!.startsWith(`${assignments.join(' ')} tsx `), `${name}: ${scripts[name]}`).toBe(true);
    const guide = read('../../../deploy/README.md');
    for (const a of assignments) expect(guide).toContain(`Environment=${a}`);
  });

});
