/**
 * The journey state a visitor's rules read: plain data the server keeps per live visitor,
 * and how each documented fact (protocol FACTS) is read from it at a moment `now`.
 */
import type { Fact } from '@beckon/protocol';

export interface JourneyState {
  page: { url: string; path: string; title: string; startedAt: number; scroll: number; exit: boolean } | null;
  sessionStartedAt: number;
  /** page views this session */
  pages: number;
  landingUrl: string;
  referrer: string;
  utm: { source: string; medium: string; campaign: string; term: string; content: string };
  idle: boolean;
  device: string;
  language: string;
  /** visits including this one */
  visits: number;
  cart: { value: number; items: number } | null;
  lastEvent: { name: string; props: Record<string, string | number | boolean> } | null;
  /** event names tracked this session */
  events: string[];
  segment: string[];
  identified: boolean;
  /** the visitor's clock: minutes east of UTC */
  tzOffset: number;
  operatorsAvailable: number;
}

export function emptyState(now: number): JourneyState {
  return {
    page: null,
    sessionStartedAt: now,
    pages: 0,
    landingUrl: '',
    referrer: '',
    utm: { source: '', medium: '', campaign: '', term: '', content: '' },
    idle: false,
    device: 'desktop',
    language: '',
    visits: 1,
    cart: null,
    lastEvent: null,
    events: [],
    segment: [],
    identified: false,
    tzOffset: 0,
    operatorsAvailable: 0,
  };
}

export type FactValue = string | number | boolean | string[] | undefined;
type Reader = (s: JourneyState, key: string | undefined) => FactValue;

/**
 * Text facts are compared in lower case. Each reader keeps its last answer: one evaluation reads
 * the same fact for many rules, and the same string object gives the same lower-case string.
 */
function lowerer(): (v: string | undefined) => string | undefined {
  let from: string | undefined;
  let to: string | undefined;
  return (v) => {
    if (!v) return undefined;
    if (v !== from) (from = v), (to = v.toLowerCase());
    return to;
  };
}
function text(get: (s: JourneyState) => string | undefined): Reader {
  const lower = lowerer();
  return (s) => lower(get(s));
}
const MINUTE = 60_000;

/** Facts that grow with time: the moment they count from. */
export const TIME_BASE: Partial<Record<Fact, (s: JourneyState) => number | undefined>> = {
  'page.seconds': (s) => s.page?.startedAt,
  'site.seconds': (s) => s.sessionStartedAt,
};

/** The visitor's local minute since the epoch. */
export const localMinutes = (s: JourneyState, now: number) => Math.floor(now / MINUTE) + s.tzOffset;

export const CLOCK: Partial<Record<Fact, { read: (s: JourneyState, now: number) => number; next: (s: JourneyState, now: number) => number }>> = {
  'local.hour': {
    read: (s, now) => Math.floor((((localMinutes(s, now) % 1440) + 1440) % 1440) / 60),
    next: (s, now) => (Math.floor(localMinutes(s, now) / 60) + 1) * 60 * MINUTE - s.tzOffset * MINUTE,
  },
  'local.weekday': {
    // the epoch's day 0 was a Thursday (4)
    read: (s, now) => ((((Math.floor(localMinutes(s, now) / 1440) + 3) % 7) + 7) % 7) + 1,
    next: (s, now) => (Math.floor(localMinutes(s, now) / 1440) + 1) * 1440 * MINUTE - s.tzOffset * MINUTE,
  },
};

/** Facts that do not depend on the clock. Text is compared without regard to case. */
export const READ: Partial<Record<Fact, Reader>> = {
  'page.url': text((s) => s.page?.url),
  'page.path': text((s) => s.page?.path),
  'page.title': text((s) => s.page?.title),
  'session.pages': (s) => s.pages,
  'landing.url': text((s) => s.landingUrl),
  referrer: text((s) => s.referrer),
  'utm.source': text((s) => s.utm.source),
  'utm.medium': text((s) => s.utm.medium),
  'utm.campaign': text((s) => s.utm.campaign),
  'utm.term': text((s) => s.utm.term),
  'utm.content': text((s) => s.utm.content),
  'scroll.depth': (s) => s.page?.scroll ?? 0,
  idle: (s) => s.idle,
  'exit.intent': (s) => s.page?.exit ?? false,
  device: (s) => s.device,
  language: text((s) => s.language),
  returning: (s) => s.visits > 1,
  visits: (s) => s.visits,
  'cart.value': (s) => s.cart?.value,
  'cart.items': (s) => s.cart?.items,
  'event.name': text((s) => s.lastEvent?.name),
  'event.prop': (s, key) => {
    const v = key === undefined ? undefined : s.lastEvent?.props[key];
    return typeof v === 'string' ? v.toLowerCase() : v;
  },
  events: (s) => s.events.map((e) => e.toLowerCase()),
  segment: (s) => s.segment.map((e) => e.toLowerCase()),
  identified: (s) => s.identified,
  'operators.available': (s) => s.operatorsAvailable,
};
