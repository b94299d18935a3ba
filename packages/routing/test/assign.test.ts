import { describe, expect, it } from 'vitest';
import { assign, pickOperator, queuePosition, type OperatorLoad, type WaitingConversation } from '../src/index';

const op = (id: string, o: Partial<OperatorLoad> = {}): OperatorLoad => ({ id, status: 'online', capacity: 5, active: 0, lastAssignedAt: 0, ...o });
const conv = (id: string, since: number, priority = 0): WaitingConversation => ({ id, since, priority });

describe('pickOperator', () => {
  it('prefers the least loaded online operator', () => {
    expect(pickOperator([op('a', { active: 3 }), op('b', { active: 1 }), op('c', { active: 2 })])?.id).toBe('b');
  });
  it('breaks ties by the longest wait since the last assignment', () => {
    expect(pickOperator([op('a', { active: 1, lastAssignedAt: 500 }), op('b', { active: 1, lastAssignedAt: 100 })])?.id).toBe('b');
  });
  it('skips away, offline and full operators', () => {
    expect(pickOperator([op('a', { status: 'away' }), op('b', { status: 'offline' }), op('c', { active: 5 })])).toBeNull();
  });
});

describe('assign', () => {
  it('serves the queue oldest first and leaves the rest waiting', () => {
    const out = assign([conv('late', 30), conv('early', 10), conv('mid', 20)], [op('a', { capacity: 1 }), op('b', { capacity: 1 })], 1000);
    expect(out.assignments.map((a) => a.conversationId)).toEqual(['early', 'mid']);
    expect(out.waiting.map((c) => c.id)).toEqual(['late']);
    expect(new Set(out.assignments.map((a) => a.operatorId))).toEqual(new Set(['a', 'b']));
  });
  it('spreads a burst evenly', () => {
    const queue = Array.from({ length: 6 }, (_, i) => conv(`c${i}`, i));
    const out = assign(queue, [op('a'), op('b'), op('c')], 1);
    expect(out.operators.map((o) => o.active)).toEqual([2, 2, 2]);
  });
  it('serves higher priority first', () => {
    const out = assign([conv('old', 1), conv('vip', 50, 10)], [op('a', { capacity: 1 })], 100);
    expect(out.assignments).toEqual([{ conversationId: 'vip', operatorId: 'a' }]);
    expect(queuePosition(out.waiting, 'old')).toBe(1);
  });
  it('does not mutate its inputs', () => {
    const ops = [op('a')];
    assign([conv('x', 1)], ops, 5);
    expect(ops[0]).toEqual(op('a'));
  });
  it('never exceeds capacity over thousands of random arrivals and departures', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let ops: OperatorLoad[] = Array.from({ length: 4 }, (_, i) => op(`o${i}`, { capacity: 1 + Math.floor(rand() * 5) }));
    const chats = new Map<string, string>();
    let queue: WaitingConversation[] = [];
    let n = 0;
    for (let step = 0; step < 5000; step++) {
      const r = rand();
      if (r < 0.45) queue.push(conv(`c${n++}`, step));
      else if (r < 0.8 && chats.size) {
        const ids = [...chats.keys()];
        const id = ids[Math.floor(rand() * ids.length)]!;
        const who = chats.get(id)!;
        chats.delete(id);
        ops = ops.map((o) => (o.id === who ? { ...o, active: o.active - 1 } : o));
      } else if (r < 0.9) {
        const i = Math.floor(rand() * ops.length);
        ops = ops.map((o, j) => (j === i ? { ...o, status: o.status === 'online' ? 'away' : 'online' } : o));
      }
      const out = assign(queue, ops, step);
      for (const a of out.assignments) chats.set(a.conversationId, a.operatorId);
      ops = out.operators;
      queue = out.waiting;
      for (const o of ops) {
        expect(o.active).toBeLessThanOrEqual(o.capacity);
        expect(o.active).toBe([...chats.values()].filter((v) => v === o.id).length);
      }
    }
    expect(n).toBeGreaterThan(1000);
  });
});
