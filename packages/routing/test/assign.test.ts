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
    expect(out.assignments).toEqual([{ conversationId: 'vip', operatorId: 'a', reason: { policy: 'least_loaded', active: 0, capacity: 1, eligible: 1 } }]);
    expect(queuePosition(out.waiting, 'old')).toBe(1);
  });
  it('does not mutate its inputs', () => {
    const ops = [op('a')];
    assign([conv('x', 1)], ops, 5);
    expect(ops[0]).toEqual(op('a'));
  });
  it.each(['least_loaded', 'round_robin'] as const)('never exceeds capacity over thousands of random arrivals and departures (%s, with skills)', (policy) => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const deps = ['sales', 'billing', null];
    let ops: OperatorLoad[] = Array.from({ length: 4 }, (_, i) => op(`o${i}`, { capacity: 1 + Math.floor(rand() * 5), skills: i === 0 ? ['billing'] : [] }));
    const chats = new Map<string, string>();
    let queue: WaitingConversation[] = [];
    let n = 0;
    for (let step = 0; step < 5000; step++) {
      const r = rand();
      if (r < 0.45) queue.push({ ...conv(`c${n++}`, step, Math.floor(rand() * 2)), department: deps[Math.floor(rand() * 3)] });
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
      const out = assign(queue, ops, step, policy);
      for (const a of out.assignments) {
        const c = queue.find((q) => q.id === a.conversationId)!;
        const o = ops.find((x) => x.id === a.operatorId)!;
        // only operators with the skill take a department's conversations
        if (c.department && o.skills?.length) expect(o.skills).toContain(c.department);
        chats.set(a.conversationId, a.operatorId);
      }
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

describe('policies, skills and reasons', () => {
  it('round-robin takes turns whatever the load; least-loaded fills the emptiest', () => {
    const ops = [op('a', { active: 0, lastAssignedAt: 300 }), op('b', { active: 3, lastAssignedAt: 100 }), op('c', { active: 1, lastAssignedAt: 200 })];
    expect(pickOperator(ops, undefined, 'round_robin')?.id).toBe('b');
    expect(pickOperator(ops, undefined, 'least_loaded')?.id).toBe('a');
    const out = assign([conv('x', 1), conv('y', 2), conv('z', 3)], ops, 1000, 'round_robin');
    expect(out.assignments.map((a) => a.operatorId)).toEqual(['b', 'c', 'a']);
  });
  it('gives a department’s conversation only to operators with the skill; others serve everything', () => {
    const ops = [op('sales-only', { skills: ['sales'] }), op('billing-only', { skills: ['billing'], active: 2 })];
    expect(pickOperator(ops, { department: 'billing' })?.id).toBe('billing-only');
    expect(pickOperator(ops, { department: 'support' })).toBeNull();
    expect(pickOperator([...ops, op('generalist', { active: 4 })], { department: 'support' })?.id).toBe('generalist');
    expect(pickOperator(ops, {})?.id).toBe('sales-only');
  });
  it('does not offer a conversation again to an operator who let it go unanswered', () => {
    expect(pickOperator([op('a'), op('b', { active: 2 })], { exclude: ['a'] })?.id).toBe('b');
  });
  it('a conversation sent back to the queue goes first among its priority', () => {
    const out = assign([conv('old', 1), { ...conv('back', 50), head: true }, conv('vip', 60, 5)], [], 100);
    expect(out.waiting.map((c) => c.id)).toEqual(['vip', 'back', 'old']);
  });
  it('says why a conversation waits', () => {
    expect(assign([conv('x', 1)], [op('a', { status: 'away' })], 5).waiting[0]!.reason).toEqual({ code: 'nobody_online' });
    expect(assign([conv('x', 1)], [op('a', { active: 5 })], 5).waiting[0]!.reason).toEqual({ code: 'all_busy', online: 1 });
    expect(assign([{ ...conv('x', 1), department: 'billing' }], [op('a', { skills: ['sales'] })], 5).waiting[0]!.reason).toEqual({ code: 'no_skill', department: 'billing' });
    expect(assign([conv('x', 1), conv('y', 2)], [op('a', { active: 5 })], 5).waiting[1]!.reason).toEqual({ code: 'ahead_in_queue', ahead: 1 });
  });
});
