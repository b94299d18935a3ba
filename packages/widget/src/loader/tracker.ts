/**
 * The journey tracker: page views (also single-page apps), scroll depth, idle, tab
 * visibility and exit intent, batched into one `journey:batch` every few hundred ms. Time on
 * page and on site are derived on the server from when events happened (`ago`), never ticked
 * from here. Exit intent is desktop only: the pointer leaving through the top edge. Touch
 * devices have no such signal (guessing from a quick scroll up annoys more than it helps), so
 * rules for phones use time, scroll depth or pages instead.
 */
import { stringify } from './json-safe';
import type { JourneyEvent } from '@beckon/protocol';

const IDLE_MS = 30_000;
const FLUSH_MS = 400;
const MAX_QUEUE = 200;

type Stamped = JourneyEvent & { t?: number };

export const isBot = () => (navigator as { webdriver?: boolean }).webdriver === true || /bot\b|crawl|spider|slurp|headless|lighthouse|prerender|phantomjs/i.test(navigator.userAgent);

function device(): 'desktop' | 'tablet' | 'phone' {
  const coarse = matchMedia('(pointer:coarse)').matches;
  if (!coarse) return 'desktop';
  return Math.min(screen.width, screen.height) < 600 ? 'phone' : 'tablet';
}

export function createTracker(send: (events: JourneyEvent[], done: (ok: boolean) => void) => void, lang: string) {
  let queue: Stamped[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let connected = false;
  let url = '';
  let depth = 0;
  let idle = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let exited = false;

  const flush = () => {
    timer = undefined;
    if (!connected || inFlight || !queue.length) return;
    const now = Date.now();
    // at most 40 events and ~24 KB a batch: a frame past the server's 64 KiB limit drops the
    // connection, and the same batch would be sent again on every reconnect
    let bytes = 0;
    let n = 0;
    while (n < queue.length && n < 40) {
      bytes += stringify(queue[n]).length + 20;
      if (n && bytes > 24_000) break;
      n++;
    }
    const batch = queue.slice(0, n);
    inFlight = true;
    send(
      batch.map(({ t, ...e }) => (t ? { ...e, ago: Math.min(120_000, now - t) } : e) as JourneyEvent),
      (ok) => {
        inFlight = false;
        // sent, or refused as invalid: either way it goes; a lost connection keeps it for the next one
        if (ok || connected) queue = queue.slice(batch.length);
        if (queue.length) schedule();
      },
    );
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(flush, FLUSH_MS);
  };
  const push = (e: JourneyEvent) => {
    if (queue.length >= MAX_QUEUE) queue.shift();
    queue.push({ ...e, t: Date.now() } as Stamped);
    schedule();
  };

  const page = (again?: boolean) => {
    const href = location.href.slice(0, 2048);
    if (href === url && !again) return;
    url = href;
    depth = 0;
    exited = false;
    push({ type: 'page', url: href, title: document.title.slice(0, 300), referrer: document.referrer.slice(0, 2048), ...(again ? { again: true } : {}) });
  };
  // single-page apps: wrap history, listen to back/forward and hash changes; titles change a moment later
  const later = () => setTimeout(() => page(), 60);
  for (const k of ['pushState', 'replaceState'] as const) {
    const orig = history[k];
    history[k] = function (this: History, ...args: Parameters<History['pushState']>) {
      const r = orig.apply(this, args);
      later();
      return r;
    };
  }
  addEventListener('popstate', later);
  addEventListener('hashchange', later);

  const activity = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idle = true;
      push({ type: 'idle', idle: true });
    }, IDLE_MS);
    if (idle) {
      idle = false;
      push({ type: 'idle', idle: false });
    }
  };
  const opts = { passive: true, capture: true };
  for (const ev of ['pointerdown', 'keydown', 'mousemove', 'touchstart', 'wheel']) addEventListener(ev, activity, opts);
  addEventListener(
    'scroll',
    () => {
      activity();
      const h = document.documentElement.scrollHeight;
      const d = h > 0 ? Math.min(100, Math.round(((scrollY + innerHeight) / h) * 100)) : 100;
      // tens of percent are enough for rules, and keep the traffic down
      if (d >= depth + 10 || (d === 100 && depth < 100)) {
        depth = d;
        push({ type: 'scroll', depth: d });
      }
    },
    opts,
  );
  document.addEventListener('visibilitychange', () => push({ type: 'visibility', visible: document.visibilityState !== 'hidden' }));
  page();
  document.addEventListener('mouseout', (e) => {
    if (exited || e.relatedTarget || e.clientY > 0) return;
    exited = true;
    push({ type: 'exit' });
  });

  return {
    /** on every (re)connect: who we are, and the page we are on */
    connected() {
      connected = true;
      queue = queue.filter((e) => e.type !== 'context');
      queue.unshift({ type: 'context', device: device(), tzOffset: -new Date().getTimezoneOffset(), lang, visible: document.visibilityState !== 'hidden' });
      // the server may have lost us (a restart): the page we are on, marked as already counted
      if (!queue.some((e) => e.type === 'page')) {
        url = '';
        page(true);
      }
      activity();
      flush();
    },
    disconnected() {
      connected = false;
    },
    push,
  };
}

export type Tracker = ReturnType<typeof createTracker>;
