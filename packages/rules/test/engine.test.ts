import { describe, expect, it } from 'vitest';
import { Condition, FACT_NAMES, type Fact } from '@beckon/protocol';
import { compileCondition, Engine } from '../src';
import { rule, state, T0 } from './helpers';

const ok = (c: unknown, s = state(), now = T0) => compileCondition(Condition.parse(c)).test(s, now, { at: Infinity });

describe('facts and operators', () => {
  // [fact, op, value, expected on state()] — one or more cases per documented fact
  const cases: [Fact, string, unknown, boolean, string?][] = [
    ['page.url', 'contains', '/coffee/', true],
    ['page.url', 'matches', 'https://shop.example/coffee/*', true],
    ['page.path', 'eq', '/Coffee/Ethiopia', true],
    ['page.path', 'neq', '/checkout', true],
    ['page.path', 'starts_with', '/checkout', false],
    ['page.path', 'in', ['/a', '/coffee/ethiopia'], true],
    ['page.title', 'contains', 'guji', true],
    ['page.seconds', 'gte', 0, true],
    ['page.seconds', 'gt', 0, false],
    ['site.seconds', 'lt', 5, true],
    ['site.seconds', 'lte', 0, true],
    ['session.pages', 'gte', 3, true],
    ['session.pages', 'gt', 3, false],
    ['session.pages', 'lt', 3, false],
    ['session.pages', 'lte', 3, true],
    ['session.pages', 'eq', 3, true],
    ['session.pages', 'neq', 3, false],
    ['session.pages', 'in', [1, 2, 3], true],
    ['landing.url', 'eq', 'https://shop.example/', true],
    ['referrer', 'contains', 'google', true],
    ['utm.source', 'eq', 'ads', true],
    ['utm.medium', 'eq', 'CPC', true],
    ['utm.campaign', 'starts_with', 'spr', true],
    ['utm.term', 'exists', undefined, true],
    ['utm.content', 'eq', 'banner', true],
    ['scroll.depth', 'gte', 50, false],
    ['idle', 'eq', false, true],
    ['exit.intent', 'eq', true, false],
    ['device', 'eq', 'desktop', true],
    ['language', 'starts_with', 'ru', true],
    ['returning', 'eq', true, true],
    ['visits', 'gt', 1, true],
    ['cart.value', 'gte', 100, true],
    ['cart.items', 'lt', 3, false],
    ['event.name', 'eq', 'added_to_cart', true],
    ['event.prop', 'eq', 'eth-1', true, 'sku'],
    ['event.prop', 'gt', 1, true, 'qty'],
    ['event.prop', 'exists', undefined, false, 'colour'],
    ['events', 'contains', 'viewed_pricing', true],
    ['events', 'exists', undefined, true],
    ['segment', 'contains', 'VIP', true],
    ['identified', 'eq', true, true],
    // 12:00 UTC at UTC+3 is 15:00 on Monday
    ['local.hour', 'eq', 15, true],
    ['local.hour', 'in', [9, 10], false],
    ['local.weekday', 'lte', 5, true],
    ['operators.available', 'gte', 1, true],
  ];
  it.each(cases)('%s %s %j → %s', (fact, op, value, expected, key) => {
    const leaf = { fact, op, ...(value === undefined ? {} : { value }), ...(key ? { key } : {}) };
    expect(ok(leaf)).toBe(expected);
  });

  it('covers every documented fact', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(FACT_NAMES));
  });

  it('absent facts: a missing cart compares false, exists is false, neq is true', () => {
    const s = state({ cart: null, page: null });
    expect(ok({ fact: 'cart.value', op: 'gte', value: 0 }, s)).toBe(false);
    expect(ok({ fact: 'cart.value', op: 'exists' }, s)).toBe(false);
    expect(ok({ fact: 'page.path', op: 'neq', value: '/x' }, s)).toBe(true);
    expect(ok({ fact: 'page.seconds', op: 'gt', value: 1 }, s)).toBe(false);
  });

  it('the schema refuses operators that make no sense for a fact, and missing values', () => {
    expect(Condition.safeParse({ fact: 'cart.value', op: 'contains', value: 'x' }).success).toBe(false);
    expect(Condition.safeParse({ fact: 'page.seconds', op: 'eq', value: 3 }).success).toBe(false);
    expect(Condition.safeParse({ fact: 'page.path', op: 'eq' }).success).toBe(false);
    expect(Condition.safeParse({ fact: 'cart.value', op: 'gt', value: '100' }).success).toBe(false);
    expect(Condition.safeParse({ fact: 'page.path', op: 'in', value: [] }).success).toBe(false);
    expect(Condition.safeParse({ fact: 'event.prop', op: 'eq', value: 'x' }).success).toBe(false);
    expect(Condition.safeParse({ fact: 'nope', op: 'eq', value: 1 }).success).toBe(false);
  });
});

describe('trees', () => {
  const cartBig = { fact: 'cart.value', op: 'gte', value: 100 };
  const onCheckout = { fact: 'page.path', op: 'starts_with', value: '/checkout' };
  const fromAds = { fact: 'utm.source', op: 'eq', value: 'ads' };
  it('all / any / not nest', () => {
    expect(ok({ all: [cartBig, fromAds] })).toBe(true);
    expect(ok({ all: [cartBig, onCheckout] })).toBe(false);
    expect(ok({ any: [onCheckout, fromAds] })).toBe(true);
    expect(ok({ not: onCheckout })).toBe(true);
    expect(ok({ all: [{ any: [onCheckout, { not: { not: fromAds } }] }, { not: { all: [cartBig, onCheckout] } }] })).toBe(true);
    expect(ok({ all: [] })).toBe(true);
    expect(ok({ any: [] })).toBe(false);
  });
  it('a value that looks like code is only ever compared: each condition is compiled to a function of its own, with no value in its source', () => {
    const hostile = `x"); globalThis.pwned = true; ("`;
    const path = `/a\`;\${globalThis.pwned = true}\``;
    expect(ok({ fact: 'page.path', op: 'eq', value: hostile }, state({ page: { ...state().page!, path: hostile } }))).toBe(true);
    expect(ok({ any: [{ fact: 'page.path', op: 'starts_with', value: path }, { fact: 'event.prop', key: "sku'] || (globalThis.pwned = true) || ['", op: 'exists' }] })).toBe(false);
    expect(ok({ fact: 'page.path', op: 'in', value: [hostile, '*/'] })).toBe(false);
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });
  it('bounds the size of a tree', () => {
    const wide = { any: Array.from({ length: 31 }, () => fromAds) };
    expect(Condition.safeParse(wide).success).toBe(false);
  });
});

describe('time wake-ups', () => {
  it('reports when "30 s on the page" becomes true, and fires then on a fake clock', () => {
    const r = rule({ when: { all: [{ fact: 'page.seconds', op: 'gte', value: 30 }, { fact: 'cart.value', op: 'gte', value: 100 }] } });
    const e = new Engine([r]);
    const memo = e.memo();
    const s = state();
    let now = T0 + 1_000;
    let res = e.match(s, now, memo, null);
    expect(res.matching).toEqual([]);
    expect(res.wakeAt).toBe(T0 + 30_000);
    // nothing changed and the time has not come: the rule is not even evaluated again
    now = T0 + 29_999;
    res = e.match(s, now, memo, []);
    expect(res.matching).toEqual([]);
    now = res.wakeAt;
    res = e.match(s, now, memo, []);
    expect(res.matching).toEqual([r]);
    expect(res.wakeAt).toBe(Infinity);
  });

  it('"less than 10 s on site" ends at a known moment; strict > waits one more millisecond', () => {
    const lt = rule({ when: { fact: 'site.seconds', op: 'lt', value: 10 } });
    const gt = rule({ when: { fact: 'site.seconds', op: 'gt', value: 10 } });
    const e = new Engine([lt, gt]);
    const memo = e.memo();
    const res = e.match(state(), T0, memo, null);
    expect(res.matching).toEqual([lt]);
    expect(res.wakeAt).toBe(T0 + 10_000);
    expect(e.match(state(), T0 + 10_000, memo, []).matching).toEqual([]);
    expect(e.match(state(), T0 + 10_001, memo, []).matching).toEqual([gt]);
  });

  it('local hour conditions wake at the next local hour, weekday ones at local midnight', () => {
    const hour = new Engine([rule({ when: { fact: 'local.hour', op: 'gte', value: 16 } })]);
    const res = hour.match(state(), T0 + 5 * 60_000, hour.memo(), null); // 15:05 local
    expect(res.matching).toEqual([]);
    expect(res.wakeAt).toBe(T0 + 60 * 60_000); // 16:00 local = 13:00 UTC
    const day = new Engine([rule({ when: { fact: 'local.weekday', op: 'eq', value: 2 } })]);
    const r2 = day.match(state(), T0, day.memo(), null);
    expect(r2.wakeAt).toBe(Date.UTC(2026, 10, 23, 21, 0, 0)); // midnight at UTC+3
    expect(day.match(state(), r2.wakeAt, day.memo(), null).matching.length).toBe(1);
  });
});

describe('index', () => {
  it('re-evaluates only rules that read a changed fact', () => {
    const onScroll = rule({ when: { fact: 'scroll.depth', op: 'gte', value: 50 } });
    const onCart = rule({ when: { fact: 'cart.value', op: 'gte', value: 500 } });
    const e = new Engine([onScroll, onCart]);
    expect(e.rulesReading('scroll.depth')).toEqual([onScroll]);
    const memo = e.memo();
    const s = state();
    expect(e.match(s, T0, memo, null).matching).toEqual([]);
    s.page = { ...s.page!, scroll: 80 };
    s.cart = { value: 900, items: 1 };
    // only scroll.depth is reported as changed: the cart rule keeps its memoised answer
    expect(e.match(s, T0, memo, ['scroll.depth']).matching).toEqual([onScroll]);
    expect(e.match(s, T0, memo, ['cart.value']).matching).toEqual([onScroll, onCart]);
  });

  it('visitors on pages that differ only in case and in path answer for themselves, and an unchanged answer is the same array', () => {
    const onCoffee = rule({ when: { fact: 'page.path', op: 'eq', value: '/coffee' } });
    const onTea = rule({ when: { any: [{ fact: 'page.path', op: 'eq', value: '/tea' }, { fact: 'page.title', op: 'contains', value: 'TEA' }] } });
    const e = new Engine([onCoffee, onTea]);
    const page = (path: string, title: string) => state({ page: { url: `https://shop.example${path}`, path, title, startedAt: T0, scroll: 0, exit: false } });
    const a = page('/COFFEE', 'Coffee');
    const b = page('/tea', 'Green');
    const c = page('/Coffee', 'Tea time');
    const [ma, mb, mc] = [e.memo(), e.memo(), e.memo()];
    // taking turns, as visitors do: each answer is read from its own state, not the last one read
    for (let round = 0; round < 3; round++) {
      expect(e.match(a, T0, ma, null).matching).toEqual([onCoffee]);
      expect(e.match(b, T0, mb, null).matching).toEqual([onTea]);
      expect(e.match(c, T0, mc, null).matching).toEqual([onCoffee, onTea]);
    }
    const first = e.match(a, T0, ma, ['page.path']).matching;
    expect(e.match(a, T0, ma, ['page.path']).matching).toBe(first);
    a.page = { ...a.page!, path: '/tea' };
    expect(e.match(a, T0, ma, ['page.path']).matching).toEqual([onTea]);
  });

  it('orders by priority and skips disabled rules', () => {
    const low = rule({ priority: 1, when: { fact: 'device', op: 'eq', value: 'desktop' } });
    const high = rule({ priority: 9, when: { fact: 'device', op: 'eq', value: 'desktop' } });
    const off = { ...rule({ priority: 99, when: { fact: 'device', op: 'eq', value: 'desktop' } }), enabled: false };
    const e = new Engine([low, off, high]);
    expect(e.match(state(), T0, e.memo(), null).matching).toEqual([high, low]);
  });
});

describe('patterns cannot hang the server', () => {
  it('a pathological wildcard against a 50,000-character URL answers in milliseconds', () => {
    const url = 'https://x.example/' + 'a'.repeat(50_000);
    const pattern = '*' + 'a*'.repeat(200) + 'b';
    const t = compileCondition(Condition.parse({ fact: 'page.url', op: 'matches', value: pattern }));
    const s = state({ page: { url, path: '/', title: '', startedAt: T0, scroll: 0, exit: false } });
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(t.test(s, T0, { at: Infinity })).toBe(false);
    // a backtracking regex (/^(.*a)*b$/-like) would take minutes here; this is a linear scan
    expect(performance.now() - started).toBeLessThan(2_000);
    const yes = compileCondition(Condition.parse({ fact: 'page.url', op: 'matches', value: '*a*a*' }));
    expect(yes.test(s, T0, { at: Infinity })).toBe(true);
  });
  it('wildcards anchor both ends and keep literal parts in order', () => {
    const m = (p: string, v: string) => ok({ fact: 'page.path', op: 'matches', value: p }, state({ page: { url: '', path: v, title: '', startedAt: T0, scroll: 0, exit: false } }));
    expect(m('/shop/*/buy', '/shop/tea/buy')).toBe(true);
    expect(m('/shop/*/buy', '/shop/tea/buy/now')).toBe(false);
    expect(m('*/buy*', '/x/buy')).toBe(true);
    expect(m('/a*b*c', '/acb')).toBe(false);
    expect(m('/a*a', '/a')).toBe(false);
    expect(m('/exact', '/exact')).toBe(true);
    expect(m('/exact', '/exact/')).toBe(false);
  });
});
