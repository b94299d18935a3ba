/**
 * Applies the loader's journey events to a visitor's in-memory state, reporting which facts
 * changed (the rules engine re-evaluates only rules that read them) and what to persist.
 */
import type { Fact, JourneyEventParsed } from '@beckon/protocol';
import type { JourneyState } from '@beckon/rules';

export interface Applied {
  /** whose events these are: the trail's rows carry it */
  siteId: string;
  visitorId: string;
  changed: Set<Fact>;
  /** events worth keeping for the journey trail and analytics, as the trail stores them */
  persist: { siteId: string; visitorId: string; type: string; data: Record<string, unknown>; at: number }[];
  /** the tab's visibility, when the event says */
  visible?: boolean;
  typing?: boolean;
  goal?: { name: string; value: number };
  identify?: Extract<JourneyEventParsed, { type: 'identify' }>;
}

const UTM = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/**
 * One string object for each text seen again and again (a shop's page addresses and titles): a
 * visitor's page keeps it for seconds, and a fresh copy from every frame was kept long enough to
 * be moved to the old generation, then dropped there (issue 9: what filled the old space under
 * load). Bounded: forgotten all at once past 5,000 texts.
 */
const seen = new Map<string, string>();
function intern(s: string): string {
  const hit = seen.get(s);
  if (hit !== undefined) return hit;
  if (seen.size >= 5_000) seen.clear();
  seen.set(s, s);
  return s;
}

/**
 * A page address's path, worked out once per address (addresses repeat: a shop has some pages and
 * many visitors); the whole URL is parsed again only for a session's landing page (its UTM
 * parameters and host). Bounded as `seen` is.
 */
const paths = new Map<string, string>();
function pathOf(url: string): string {
  let p = paths.get(url);
  if (p === undefined) {
    p = intern(parseUrl(url)?.pathname ?? '');
    if (paths.size >= 5_000) paths.clear();
    paths.set(url, p);
  }
  return p;
}

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
      // a reload of the same page (or a second tab on it) is not a new page view
      if (s.page && s.page.url === e.url && (e.again || at - s.page.startedAt < 2_000)) return;
      const url = intern(e.url);
      const path = pathOf(url);
      const title = intern(e.title);
      // the visitor's one page object, moved on (readers copy what they keep)
      if (s.page) {
        const p = s.page;
        p.url = url;
        p.path = path;
        p.title = title;
        p.startedAt = at;
        p.scroll = 0;
        p.exit = false;
      } else s.page = { url, path, title, startedAt: at, scroll: 0, exit: false };
      s.pages += 1;
      s.idle = false;
      c.add('page.url').add('page.path').add('page.title').add('page.seconds').add('session.pages').add('scroll.depth').add('exit.intent').add('idle');
      if (s.pages === 1) {
        s.landingUrl = e.url;
        const u = parseUrl(e.url);
        const ref = e.referrer && parseUrl(e.referrer);
        // a referrer from the site itself is not a source
        s.referrer = ref && (!u || ref.host !== u.host) ? e.referrer : '';
        for (const k of UTM) s.utm[k] = (u?.searchParams.get(`utm_${k}`) ?? '').slice(0, 200);
        c.add('landing.url').add('referrer').add('utm.source').add('utm.medium').add('utm.campaign').add('utm.term').add('utm.content');
      }
      out.persist.push({ siteId: out.siteId, visitorId: out.visitorId, type: 'page', data: s.pages === 1 && s.referrer ? { url, title, referrer: s.referrer } : { url, title }, at });
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
        out.persist.push({ siteId: out.siteId, visitorId: out.visitorId, type: 'exit', data: { url: s.page.url }, at });
      }
      return;
    case 'track': {
      s.lastEvent = { name: e.name, props: e.props };
      if (!s.events.includes(e.name) && s.events.length < 100) s.events.push(e.name);
      c.add('event.name').add('event.prop').add('events');
      out.persist.push({ siteId: out.siteId, visitorId: out.visitorId, type: 'track', data: { name: e.name, props: e.props }, at });
      const v = e.props.value;
      out.goal = { name: e.name, value: typeof v === 'number' && Number.isFinite(v) ? v : 0 };
      return;
    }
    case 'cart':
      s.cart = { value: e.value, items: e.items };
      c.add('cart.value').add('cart.items');
      out.persist.push({ siteId: out.siteId, visitorId: out.visitorId, type: 'cart', data: { value: e.value, currency: e.currency, items: e.items }, at });
      return;
    case 'identify':
      out.identify = e;
      return;
    case 'typing':
      out.typing = true;
      return;
  }
}
