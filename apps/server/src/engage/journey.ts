/**
 * Applies the loader's journey events to a visitor's in-memory state, reporting which facts
 * changed (the rules engine re-evaluates only rules that read them) and what to persist.
 */
import type { Fact, JourneyEventParsed } from '@beckon/protocol';
import type { JourneyState } from '@beckon/rules';

export interface Applied {
  changed: Set<Fact>;
  /** events worth keeping for the journey trail and analytics */
  persist: { type: string; data: Record<string, unknown>; at: number }[];
  /** the tab's visibility, when the event says */
  visible?: boolean;
  typing?: boolean;
  goal?: { name: string; value: number };
  identify?: Extract<JourneyEventParsed, { type: 'identify' }>;
}

const UTM = ['source', 'medium', 'campaign', 'term', 'content'] as const;

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Names of known crawlers and headless browsers: their journeys are not tracked. */
export const BOT_UA = /bot\b|crawl|spider|slurp|headless|lighthouse|prerender|phantomjs|facebookexternalhit|embedly|quora link preview|bingpreview|yandex(bot|images)|google-inspectiontool/i;

export function applyEvent(s: JourneyState, e: JourneyEventParsed, now: number, out: Applied): void {
  const at = now - ('ago' in e ? e.ago : 0);
  const c = out.changed;
  switch (e.type) {
    case 'context':
      if (s.device !== e.device) c.add('device');
      if (s.language !== e.lang) c.add('language');
      s.device = e.device;
      s.language = e.lang;
      s.tzOffset = e.tzOffset;
      c.add('local.hour').add('local.weekday');
      out.visible = e.visible;
      return;
    case 'page': {
      const u = parseUrl(e.url);
      // a reload of the same page (or a second tab on it) is not a new page view
      if (s.page && s.page.url === e.url && (e.again || at - s.page.startedAt < 2_000)) return;
      s.page = { url: e.url, path: u ? u.pathname : '', title: e.title, startedAt: at, scroll: 0, exit: false };
      s.pages += 1;
      s.idle = false;
      c.add('page.url').add('page.path').add('page.title').add('page.seconds').add('session.pages').add('scroll.depth').add('exit.intent').add('idle');
      if (s.pages === 1) {
        s.landingUrl = e.url;
        const ref = e.referrer && parseUrl(e.referrer);
        // a referrer from the site itself is not a source
        s.referrer = ref && (!u || ref.host !== u.host) ? e.referrer : '';
        for (const k of UTM) s.utm[k] = (u?.searchParams.get(`utm_${k}`) ?? '').slice(0, 200);
        c.add('landing.url').add('referrer').add('utm.source').add('utm.medium').add('utm.campaign').add('utm.term').add('utm.content');
      }
      out.persist.push({ type: 'page', data: { url: e.url, title: e.title, ...(s.pages === 1 && s.referrer ? { referrer: s.referrer } : {}) }, at });
      return;
    }
    case 'scroll':
      if (s.page && e.depth > s.page.scroll) {
        s.page.scroll = e.depth;
        c.add('scroll.depth');
      }
      return;
    case 'idle':
      if (s.idle !== e.idle) c.add('idle');
      s.idle = e.idle;
      return;
    case 'visibility':
      out.visible = e.visible;
      return;
    case 'exit':
      if (s.page && !s.page.exit) {
        s.page.exit = true;
        c.add('exit.intent');
        out.persist.push({ type: 'exit', data: { url: s.page.url }, at });
      }
      return;
    case 'track': {
      s.lastEvent = { name: e.name, props: e.props };
      if (!s.events.includes(e.name) && s.events.length < 100) s.events.push(e.name);
      c.add('event.name').add('event.prop').add('events');
      out.persist.push({ type: 'track', data: { name: e.name, props: e.props }, at });
      const v = e.props.value;
      out.goal = { name: e.name, value: typeof v === 'number' && Number.isFinite(v) ? v : 0 };
      return;
    }
    case 'cart':
      s.cart = { value: e.value, items: e.items };
      c.add('cart.value').add('cart.items');
      out.persist.push({ type: 'cart', data: { value: e.value, currency: e.currency, items: e.items }, at });
      return;
    case 'identify':
      out.identify = e;
      return;
    case 'typing':
      out.typing = true;
      return;
  }
}
