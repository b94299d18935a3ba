/**
 * A condition tree compiles once into one function. Each call also lowers `wake.at` to the
 * earliest moment its answer could change by the clock alone (time on page, local hour, …),
 * so the server sets one timer per visitor instead of polling.
 */
import { FACTS, type Condition, type Fact, type Leaf } from '@beckon/protocol';
import { CLOCK, READ, TIME_BASE, type JourneyState } from './state';
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
  const g: Gen = { k: [], fns: [] };
  const body = gen(c, facts, g);
  return { test: assemble(g, body), facts };
}

/**
 * A rule's condition becomes the source of one function of its own, built with `new Function`.
 *
 * Why: closures composed at run time (`(s) => a(s) && b(s)`) share their code and its type
 * feedback across every rule of every site, so each call inside them goes to a different
 * closure and V8 can inline none of them. A function per rule has call sites of its own that
 * always reach the same leaf, and V8 inlines the reads and comparisons into it. In
 * `pnpm bench:rules` (medians of 5, three A/B runs): every rule per event 547-577 → 378-445 ms,
 * with the fact index 359-532 → 328-336 ms.
 *
 * (One generated function for a whole run of rules was tried too, and was slower.)
 *
 * The source holds no value from the rule: facts, keys and values are passed in as constants
 * (`k[i]`) and the source is made only of this file's fixed fragments and numbers.
 */
interface Gen {
  /** constants the generated source refers to as k0, k1, … */
  k: unknown[];
  /** leaf functions, each `function fN(s, now, w) { … }` */
  fns: string[];
}

const konst = (g: Gen, v: unknown): string => `k${g.k.push(v) - 1}`;

function gen(c: Condition, facts: Set<Fact>, g: Gen): string {
  // false stays false at least until the first false part may change: short-circuiting is exact
  if ('all' in c) return c.all.length ? `(${c.all.map((x) => gen(x, facts, g)).join(' && ')})` : 'true';
  if ('any' in c) return c.any.length ? `(${c.any.map((x) => gen(x, facts, g)).join(' || ')})` : 'false';
  if ('not' in c) return `!${gen(c.not, facts, g)}`;
  facts.add(c.fact);
  const name = `f${g.fns.length}`;
  g.fns.push(`function ${name}(s, now, w) { ${leafSource(c, g)} }`);
  return `${name}(s, now, w)`;
}

/** the body of a leaf's function: reads its fact into v, then compares it */
function leafSource(l: Leaf, g: Gen): string {
  const type = FACTS[l.fact];
  if (type === 'time') return `return ${konst(g, timeLeaf(l))}(s, now, w);`;
  if (type === 'clock') {
    const clock = CLOCK[l.fact]!;
    const next = konst(g, clock.next);
    return `const n = ${next}(s, now); if (n < w.at) w.at = n; const v = ${konst(g, clock.read)}(s, now); return ${comparison(l, g)};`;
  }
  return `const v = ${konst(g, READ[l.fact]!)}(s, ${konst(g, l.key)}); return ${comparison(l, g)};`;
}

/** the comparison of v with the leaf's value, as an expression */
function comparison(l: Leaf, g: Gen): string {
  const raw = l.value;
  const x = konst(g, typeof raw === 'string' ? raw.toLowerCase() : raw);
  switch (l.op) {
    case 'exists':
      return `(Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v.length > 0 : v !== undefined)`;
    case 'eq':
      return `v === ${x}`;
    case 'neq':
      return `v !== ${x}`;
    case 'gt':
      return `typeof v === 'number' && v > ${x}`;
    case 'gte':
      return `typeof v === 'number' && v >= ${x}`;
    case 'lt':
      return `typeof v === 'number' && v < ${x}`;
    case 'lte':
      return `typeof v === 'number' && v <= ${x}`;
    case 'in':
      return `(typeof v === 'string' || typeof v === 'number') && ${konst(g, new Set((raw as (string | number)[]).map((e) => (typeof e === 'string' ? e.toLowerCase() : e))))}.has(v)`;
    case 'contains':
      return `(Array.isArray(v) ? v.includes(${x}) : typeof v === 'string' && v.includes(${x}))`;
    case 'starts_with':
      return `typeof v === 'string' && v.startsWith(${x})`;
    case 'matches':
      return `typeof v === 'string' && ${konst(g, compileWildcard(String(raw)))}(v)`;
  }
}

function assemble(g: Gen, body: string): Test {
  return build<Test>(g, `function test(s, now, w) { return ${body}; }`);
}

/** the generated source's function, with its constants and leaf functions around it */
function build<T>(g: Gen, main: string): T {
  const source = `"use strict";\n${g.k.map((_, i) => `const k${i} = k[${i}];`).join('\n')}\n${g.fns.join('\n')}\nreturn ${main};`;
  // the source is built from this file's fragments only (see Gen)
  return new Function('k', source)(g.k) as T;
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

export { NEVER };
