/**
 * A condition tree compiles once into one closure. Each call also lowers `wake.at` to the
 * earliest moment its answer could change by the clock alone (time on page, local hour, …),
 * so the server sets one timer per visitor instead of polling.
 */
import { FACTS, type Condition, type Fact, type Leaf } from '@beckon/protocol';
import { CLOCK, READ, TIME_BASE, type FactValue, type JourneyState } from './state';
import { compileWildcard } from './wildcard';

export interface Wake {
  at: number;
}
export type Test = (s: JourneyState, now: number, wake: Wake) => boolean;
export interface Compiled {
  test: Test;
  facts: Set<Fact>;
}

const NEVER = Number.POSITIVE_INFINITY;

export function compileCondition(c: Condition): Compiled {
  const facts = new Set<Fact>();
  const test = build(c, facts);
  return { test, facts };
}

function build(c: Condition, facts: Set<Fact>): Test {
  if ('all' in c) {
    const parts = c.all.map((x) => build(x, facts));
    // false stays false at least until the first false part may change: short-circuiting is exact
    if (parts.length === 2) {
      const [a, b] = parts as [Test, Test];
      return (s, now, w) => a(s, now, w) && b(s, now, w);
    }
    if (parts.length === 3) {
      const [a, b, c] = parts as [Test, Test, Test];
      return (s, now, w) => a(s, now, w) && b(s, now, w) && c(s, now, w);
    }
    return (s, now, w) => {
      for (const p of parts) if (!p(s, now, w)) return false;
      return true;
    };
  }
  if ('any' in c) {
    const parts = c.any.map((x) => build(x, facts));
    if (parts.length === 2) {
      const [a, b] = parts as [Test, Test];
      return (s, now, w) => a(s, now, w) || b(s, now, w);
    }
    if (parts.length === 3) {
      const [a, b, c] = parts as [Test, Test, Test];
      return (s, now, w) => a(s, now, w) || b(s, now, w) || c(s, now, w);
    }
    return (s, now, w) => {
      for (const p of parts) if (p(s, now, w)) return true;
      return false;
    };
  }
  if ('not' in c) {
    const inner = build(c.not, facts);
    return (s, now, w) => !inner(s, now, w);
  }
  facts.add(c.fact);
  return leaf(c);
}

function leaf(l: Leaf): Test {
  const type = FACTS[l.fact];
  if (type === 'time') return timeLeaf(l);
  if (type === 'clock') {
    const clock = CLOCK[l.fact]!;
    const cmp = compare(l);
    return (s, now, w) => {
      const next = clock.next(s, now);
      if (next < w.at) w.at = next;
      return cmp(clock.read(s, now));
    };
  }
  const read = READ[l.fact]!;
  const cmp = compare(l);
  const key = l.key;
  return (s) => cmp(read(s, key));
}

/** `page.seconds > 30`: true from startedAt + 30 s on; the flip moment is known in advance. */
function timeLeaf(l: Leaf): Test {
  const base = TIME_BASE[l.fact]!;
  const ms = Number(l.value) * 1000;
  const strict = l.op === 'gt' || l.op === 'lte';
  const whenTrue = l.op === 'gt' || l.op === 'gte';
  return (s, now, w) => {
    const b = base(s);
    if (b === undefined) return false;
    const flip = b + ms + (strict ? 1 : 0);
    const reached = now >= flip;
    if (!reached && flip < w.at) w.at = flip;
    return whenTrue ? reached : !reached;
  };
}

function compare(l: Leaf): (v: FactValue) => boolean {
  const raw = l.value;
  const x = typeof raw === 'string' ? raw.toLowerCase() : raw;
  switch (l.op) {
    case 'exists':
      return (v) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v.length > 0 : v !== undefined);
    case 'eq':
      return (v) => v === x;
    case 'neq':
      return (v) => v !== x;
    case 'gt':
      return (v) => typeof v === 'number' && v > (x as number);
    case 'gte':
      return (v) => typeof v === 'number' && v >= (x as number);
    case 'lt':
      return (v) => typeof v === 'number' && v < (x as number);
    case 'lte':
      return (v) => typeof v === 'number' && v <= (x as number);
    case 'in': {
      const set = new Set((raw as (string | number)[]).map((e) => (typeof e === 'string' ? e.toLowerCase() : e)));
      return (v) => (typeof v === 'string' || typeof v === 'number') && set.has(v);
    }
    case 'contains':
      return (v) => (Array.isArray(v) ? v.includes(x as string) : typeof v === 'string' && v.includes(x as string));
    case 'starts_with':
      return (v) => typeof v === 'string' && v.startsWith(x as string);
    case 'matches': {
      const m = compileWildcard(String(raw));
      return (v) => typeof v === 'string' && m(v);
    }
  }
}

export { NEVER };
