import { describe, expect, it } from 'vitest';
import { assign, DEFAULT_NO_ANSWER, expectedWait, graceStep, noAnswer, type OperatorLoad } from '../src/index';

const op = (id: string, o: Partial<OperatorLoad> = {}): OperatorLoad => ({ id, status: 'online', capacity: 5, active: 0, lastAssignedAt: 0, ...o });

describe('no answer', () => {
  it('waits for the timeout, then moves to the next operator, and after the bound goes back to the queue', () => {
    const s = DEFAULT_NO_ANSWER; // 30 s, 2 moves
    let now = 1_000;
    let conv = { assignedAt: now, repliedAt: null as number | null, moves: 0 };
    const tried = ['a'];
    const ops = [op('a'), op('b', { active: 1 }), op('c', { active: 2 })];
    expect(noAnswer(conv, now + 29_999, s)).toEqual({ step: 'wait', until: 31_000 });
    // fake clock: at the moment it said, it moves, to someone not tried yet
    now = 31_000;
    expect(noAnswer(conv, now, s)).toEqual({ step: 'move' });
    let next = assign([{ id: 'x', since: 0, exclude: tried }], ops, now).assignments[0]!.operatorId;
    expect(next).toBe('b');
    tried.push(next);
    conv = { assignedAt: now, repliedAt: null, moves: 1 };
    now += 30_000;
    expect(noAnswer(conv, now, s)).toEqual({ step: 'move' });
    next = assign([{ id: 'x', since: 0, exclude: tried }], ops, now).assignments[0]!.operatorId;
    expect(next).toBe('c');
    conv = { assignedAt: now, repliedAt: null, moves: 2 };
    now += 30_000;
    // bounded: no more bouncing
    expect(noAnswer(conv, now, s)).toEqual({ step: 'requeue' });
  });
  it('a reply after the assignment settles it; a reply before (to an earlier operator) does not', () => {
    expect(noAnswer({ assignedAt: 100, repliedAt: 150, moves: 0 }, 1e9, DEFAULT_NO_ANSWER)).toEqual({ step: 'done' });
    expect(noAnswer({ assignedAt: 100, repliedAt: 50, moves: 0 }, 100 + 30_000, DEFAULT_NO_ANSWER)).toEqual({ step: 'move' });
  });
});

describe('grace period', () => {
  it('keeps an operator’s chats for 60 s after the last tab dropped, then re-queues', () => {
    expect(graceStep(null, 5_000)).toEqual({ step: 'keep' });
    expect(graceStep(10_000, 69_999)).toEqual({ step: 'wait', until: 70_000 });
    expect(graceStep(10_000, 70_000)).toEqual({ step: 'requeue' });
    expect(graceStep(10_000, 20_000, 5_000)).toEqual({ step: 'requeue' });
  });
});

describe('expected wait', () => {
  it('equals the value computed by hand from seeded handling times', () => {
    // handling times 4, 6, 5, 5, 5 minutes: mean 5 min; 2 free-able slots; third in line:
    // 3 × 5 min / 2 = 7.5 min
    const min = 60_000;
    expect(expectedWait(3, [4 * min, 6 * min, 5 * min, 5 * min, 5 * min], 2)).toBe(7.5 * min);
    expect(expectedWait(1, [4 * min, 6 * min, 5 * min, 5 * min, 5 * min], 1)).toBe(5 * min);
  });
  it('is "no estimate yet" on a cold start', () => {
    expect(expectedWait(1, [], 3)).toBeNull();
    expect(expectedWait(1, [60_000, 60_000, 60_000, 60_000], 3)).toBeNull();
  });
  it('uses only the 50 most recent handling times', () => {
    const recent = Array.from({ length: 50 }, () => 60_000);
    const old = Array.from({ length: 100 }, () => 3_600_000);
    expect(expectedWait(1, [...recent, ...old], 1)).toBe(60_000);
  });
});
