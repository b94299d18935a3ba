import { describe, expect, it } from 'vitest';
import { newId } from '../src/ids';

describe('ids', () => {
  it('are 22 base64url characters, and 10,000 of them (several refills of the random pool) never repeat', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // no byte position is stuck: every character shows up at the first place over many ids
    expect(new Set(ids.map((id) => id[0])).size).toBe(64);
  });
});
