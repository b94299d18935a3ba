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
