import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGAGEMENT, DEFAULT_HOURS, type Rule } from '@beckon/protocol';
import { decide, inHoldout, isOpen, nextHoursChange, pickVariant, type DecideInput, type OfferRecord } from '../src';
import { rule, T0 } from './helpers';

const always = { fact: 'device', op: 'eq', value: 'desktop' } as const;
const coupon = rule({ id: 'coupon', priority: 50, when: always });
const invite = rule({ id: 'invite', kind: 'invite', priority: 90, when: always });

function input(p: Partial<DecideInput> & { matching: Rule[] }): DecideInput {
  return { now: T0, visitorId: 'visitor-1', history: [], sessionStartedAt: T0 - 60_000, showing: false, chatting: false, typingUntil: 0, visible: true, freeSlots: 1, engagement: DEFAULT_ENGAGEMENT, hours: DEFAULT_HOURS, ...p };
}
const rec = (p: Partial<OfferRecord>): OfferRecord => ({ ruleId: 'x', at: T0 - 1000, sessionStartedAt: T0 - 60_000, dismissedAt: null, holdout: false, ...p });
const reasons = (d: ReturnType<typeof decide>) => Object.fromEntries(d.held.map((h) => [h.ruleId, h.reason]));

describe('one offer, by priority', () => {
  it('shows the highest-priority rule and holds the rest back as lower priority', () => {
    const d = decide(input({ matching: [invite, coupon] }));
    expect(d.show?.rule.id).toBe('invite');
    expect(reasons(d)).toEqual({ coupon: 'lower_priority' });
  });
  it('shows nothing while another offer is on screen, while chatting, typing, or in a hidden tab', () => {
    expect(reasons(decide(input({ matching: [coupon], showing: true })))).toEqual({ coupon: 'showing_other' });
    expect(reasons(decide(input({ matching: [coupon], chatting: true })))).toEqual({ coupon: 'chatting' });
    const typing = decide(input({ matching: [coupon], typingUntil: T0 + 4000 }));
    expect(reasons(typing)).toEqual({ coupon: 'typing' });
    expect(typing.wakeAt).toBe(T0 + 4000);
    expect(reasons(decide(input({ matching: [coupon], visible: false })))).toEqual({ coupon: 'tab_hidden' });
  });
  it('an invitation waits for a free operator slot; a lower rule may go instead', () => {
    const d = decide(input({ matching: [invite, coupon], freeSlots: 0 }));
    expect(reasons(d)).toEqual({ invite: 'no_free_operator' });
    expect(d.show?.rule.id).toBe('coupon');
    const anyway = rule({ id: 'anyway', kind: 'invite', when: always, controls: { needsOperator: false } });
    expect(decide(input({ matching: [anyway], freeSlots: 0 })).show?.rule.id).toBe('anyway');
  });
});

describe('budgets and cooldowns', () => {
  it('per-session and per-day caps count offers across all rules', () => {
    const two = [rec({}), rec({ ruleId: 'y' })];
    expect(reasons(decide(input({ matching: [coupon], history: two })))).toEqual({ coupon: 'session_cap' });
    // earlier sessions today: the daily cap, lifted 24 h after the oldest of them
    const old = [1, 2, 3, 4].map((h) => rec({ ruleId: `r${h}`, at: T0 - h * 3_600_000, sessionStartedAt: T0 - 9e6 }));
    const d = decide(input({ matching: [coupon], history: old }));
    expect(reasons(d)).toEqual({ coupon: 'daily_cap' });
    expect(d.wakeAt).toBe(T0 - 4 * 3_600_000 + 24 * 3_600_000 + 1);
    expect(decide(input({ matching: [coupon], history: old, now: d.wakeAt })).show?.rule.id).toBe('coupon');
  });
  it('any dismissal pauses every rule for the global cooldown', () => {
    const history = [rec({ ruleId: 'other', sessionStartedAt: 0, dismissedAt: T0 - 60_000 })];
    const d = decide(input({ matching: [coupon], history }));
    expect(reasons(d)).toEqual({ coupon: 'cooldown' });
    expect(d.wakeAt).toBe(T0 - 60_000 + 10 * 60_000);
    expect(decide(input({ matching: [coupon], history, now: d.wakeAt })).show?.rule.id).toBe('coupon');
  });
  it("a rule's own cooldown after its dismissal outlasts the global one", () => {
    const daily = rule({ id: 'daily', when: always, controls: { repeat: 'day', cooldownMinutes: 120 } });
    const history = [rec({ ruleId: 'daily', at: T0 - 25 * 3_600_000, sessionStartedAt: 0, dismissedAt: T0 - 30 * 60_000 })];
    const d = decide(input({ matching: [daily], history }));
    expect(reasons(d)).toEqual({ daily: 'rule_cooldown' });
    expect(d.wakeAt).toBe(T0 + 90 * 60_000);
  });
  it('a rule shows once per session by default, once per day or once ever when asked', () => {
    const seen = [rec({ ruleId: 'coupon', at: T0 - 5 * 60_000 })];
    expect(reasons(decide(input({ matching: [coupon], history: seen })))).toEqual({ coupon: 'already_shown' });
    // a new session: shown again
    expect(decide(input({ matching: [coupon], history: seen, sessionStartedAt: T0 })).show).not.toBeNull();
    const once = rule({ id: 'once', when: always, controls: { repeat: 'once' } });
    const long = [rec({ ruleId: 'once', at: T0 - 40 * 86_400_000, sessionStartedAt: 0 })];
    expect(reasons(decide(input({ matching: [once], history: long })))).toEqual({ once: 'already_shown' });
  });
});

describe('business hours', () => {
  const hours = { timeZone: 'Europe/Moscow', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' };
  it('reads the hours in the site time zone and knows the next change', () => {
    expect(isOpen(hours, T0)).toBe(true); // Monday 15:00 in Moscow
    expect(isOpen(hours, T0 + 3 * 3_600_000)).toBe(false); // 18:00
    expect(nextHoursChange(hours, T0)).toBe(T0 + 3 * 3_600_000);
    expect(isOpen(hours, Date.UTC(2026, 10, 28, 12))).toBe(false); // Saturday
    expect(isOpen({ ...hours, from: '20:00', to: '02:00' }, Date.UTC(2026, 10, 23, 22))).toBe(true); // 01:00 Tuesday, Monday's night
  });
  it('rules limited to business hours wait for them', () => {
    const callback = rule({ id: 'cb', kind: 'callback', when: always, controls: { schedule: 'outside_business_hours' } });
    const d = decide(input({ matching: [callback], hours }));
    expect(reasons(d)).toEqual({ cb: 'outside_hours' });
    expect(d.wakeAt).toBe(T0 + 3 * 3_600_000);
    expect(decide(input({ matching: [callback], hours, now: d.wakeAt })).show?.rule.id).toBe('cb');
  });
});

describe('variants and holdout', () => {
  const ab = rule({ id: 'ab', when: always, variants: [{ key: 'A', weight: 70 }, { key: 'B', weight: 30 }] });
  it('a visitor keeps their variant; shares follow the weights within 2 points over 20,000 visitors', () => {
    let a = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = pickVariant(`visitor-${i}`, 'ab', ab.variants);
      expect(pickVariant(`visitor-${i}`, 'ab', ab.variants)).toBe(v);
      if (v.key === 'A') a++;
    }
    expect(Math.abs(a / 20_000 - 0.7)).toBeLessThan(0.02);
  });
  it('a holdout share gets nothing from the rule; its would-be offer is returned for recording', () => {
    const held = rule({ id: 'held', when: always, controls: { holdoutPercent: 20 } });
    let holdouts = 0;
    for (let i = 0; i < 5_000; i++) {
      const id = `visitor-${i}`;
      const d = decide(input({ visitorId: id, matching: [held] }));
      if (inHoldout(id, 'held', 20)) {
        holdouts++;
        expect(d.show).toBeNull();
        expect(d.holdouts.map((h) => h.rule.id)).toEqual(['held']);
        expect(reasons(d)).toEqual({ held: 'holdout' });
      } else expect(d.show?.rule.id).toBe('held');
    }
    expect(Math.abs(holdouts / 5_000 - 0.2)).toBeLessThan(0.02);
    // once recorded, the holdout is not recorded again in the same session
    const id = Array.from({ length: 100 }, (_, i) => `visitor-${i}`).find((v) => inHoldout(v, 'held', 20))!;
    const again = decide(input({ visitorId: id, matching: [held], history: [rec({ ruleId: 'held', holdout: true })] }));
    expect(again.holdouts).toEqual([]);
    expect(reasons(again)).toEqual({ held: 'holdout' });
  });
  it('holdout records do not use up the visitor budget', () => {
    const history = [rec({ ruleId: 'a', holdout: true }), rec({ ruleId: 'b', holdout: true })];
    expect(decide(input({ matching: [coupon], history })).show?.rule.id).toBe('coupon');
  });
});
