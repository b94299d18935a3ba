/**
 * `pnpm bench --quick` as a correctness pass in `pnpm test` (issue 9): counts, never timings.
 * The storm of offers expiring at once finishes with a bounded number of evaluations.
 */
import { expect, it } from 'vitest';
import { runStorm } from '../scenarios/storm';

it('1,000 offers expiring at once: each visitor is evaluated about once, not once per expiry; an operator coming online evaluates each once and invites no more than the slots', async () => {
  const r = await runStorm({ visitors: 1000 });
  expect(r.shown).toBe(1000);
  expect(r.expired).toBe(1000);
  // one evaluation per expiring offer (its own visitor), plus at most a few: N × N before
  expect(r.evaluationsOnExpiry).toBeGreaterThanOrEqual(1000);
  expect(r.evaluationsOnExpiry).toBeLessThanOrEqual(1100);
  // the fact every visitor's callback rule reads changed: one evaluation each, coalesced
  expect(r.evaluationsOnAvailability).toBeLessThanOrEqual(1100);
  expect(r.invitationsAfter).toBe(3);
}, 120_000);

/** runs a benchmark of this folder small, as `pnpm bench --quick` does, and keeps what it prints */
async function quickRun(file: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`../${file}`, import.meta.url)), ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  return { code, out };
}

it('the rules engine matches the same set of rules as json-rules-engine after every event (indexed, and every rule)', async () => {
  const r = await quickRun('rules-engine.ts', ['--events', '3000'], {});
  expect(r.out).toMatch(/the same set of matching rules after every event in all three: yes/);
  expect(r.code).toBe(0);
}, 120_000);

it('the message path acknowledges every message and the operator receives each one once', async () => {
  const r = await quickRun('message-latency.ts', [], { BENCH_N: '300', BENCH_SECONDS: '20' });
  expect(r.code, r.out).toBe(0);
  const got = /operator got (\d+)/.exec(r.out);
  const sent = /(\d+) sequential messages \(\+(\d+) warm-up\)/.exec(r.out);
  expect(Number(got?.[1])).toBe(Number(sent?.[1]) + Number(sent?.[2]));
}, 120_000);
