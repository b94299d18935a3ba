import { RuleInput, type Condition, type Rule } from '@beckon/protocol';
import { emptyState, type JourneyState } from '../src';

let n = 0;
export function rule(p: { when: Condition; id?: string; name?: string; kind?: Rule['kind']; priority?: number; controls?: Record<string, unknown>; variants?: { key: string; weight: number }[]; goal?: { event: string } }): Rule {
  const id = p.id ?? `rule-${++n}`;
  const def = RuleInput.parse({
    name: p.name ?? id,
    kind: p.kind ?? 'coupon',
    priority: p.priority ?? 100,
    when: p.when,
    variants: (p.variants ?? [{ key: 'A', weight: 1 }]).map((v) => ({ ...v, content: { title: { en: v.key }, text: { en: v.key }, code: 'CODE' } })),
    controls: p.controls ?? {},
    goal: p.goal ?? null,
  });
  return { ...def, id, updatedAt: 0 };
}

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0); // a Monday, 12:00 UTC

export function state(patch: Partial<JourneyState> = {}): JourneyState {
  return {
    ...emptyState(T0),
    page: { url: 'https://shop.example/coffee/ethiopia?utm_source=ads', path: '/coffee/ethiopia', title: 'Ethiopia Guji', startedAt: T0, scroll: 40, exit: false },
    pages: 3,
    landingUrl: 'https://shop.example/',
    referrer: 'https://www.google.com/',
    utm: { source: 'ads', medium: 'cpc', campaign: 'Spring', term: 'coffee', content: 'banner' },
    device: 'desktop',
    language: 'ru-RU',
    visits: 2,
    cart: { value: 120, items: 3 },
    lastEvent: { name: 'added_to_cart', props: { sku: 'ETH-1', qty: 2, gift: true } },
    events: ['viewed_pricing', 'added_to_cart'],
    segment: ['vip'],
    identified: true,
    tzOffset: 180,
    operatorsAvailable: 2,
    ...patch,
  };
}
