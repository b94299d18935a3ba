/**
 * beckon.js — the loader a site pastes. No framework: it reports to the server over one
 * Socket.IO connection, shows the launcher, runs the `Beckon(...)` command queue, and loads
 * the Preact UI (ui.<hash>.js) only when the chat is opened.
 */
import type { Lang } from '@beckon/protocol';
import { UI_REGISTER, type UiRegister } from '../shared/types';
import { createClient } from './client';
import { createLauncher, LAUNCHER_CSS } from './launcher';
import { safeStorage } from './storage';
import { createTracker, isBot, type Tracker } from './tracker';
import { addStyles } from '../shared/styles';

declare const __UI_FILE__: string;
declare const __OFFER_FILE__: string;
declare const __RATING_FILE__: string;
declare const __MORE_FILE__: string;

type Command = [string, ...unknown[]];
interface BeckonFn {
  (...args: unknown[]): void;
  q?: IArguments[] | unknown[][];
  loaded?: boolean;
}

const w = window as unknown as { Beckon?: BeckonFn; [UI_REGISTER]?: UiRegister };
const log = (level: 'warn' | 'error', msg: string) => console[level](`[Beckon] ${msg}`);

// Read synchronously: document.currentScript is null once this first run is over.
const script = document.currentScript as HTMLScriptElement | null;

function start() {
  if (!script || !script.src) return log('error', 'load beckon.js with a plain <script src> tag.');
  if (w.Beckon && w.Beckon.loaded) return log('warn', 'the Beckon snippet is on this page twice; the second copy is ignored.');
  const siteKey = script.getAttribute('data-site');
  if (!siteKey) return log('error', 'the script tag needs data-site="<site key>" (console → Install).');
  const base = new URL(script.src).origin;
  if ((Array.prototype as { toJSON?: unknown }).toJSON) log('warn', 'Array.prototype.toJSON is set on this page (an old Prototype.js?); it corrupts JSON and may break the chat.');
  const asked = (script.getAttribute('data-lang') || '').toLowerCase();
  const browser = (navigator.language || 'en').slice(0, 2).toLowerCase();
  const lang: Lang = asked === 'ru' || asked === 'en' ? asked : browser === 'ru' ? 'ru' : 'en';

  const listeners: Record<string, ((data?: unknown) => void)[]> = {};
  const emitPublic = (event: string, data?: unknown) => {
    for (const cb of listeners[event] || []) {
      try {
        cb(data);
      } catch (e) {
        log('error', `a Beckon('on', '${event}') callback threw: ${String(e)}`);
      }
    }
  };

  const q = (w.Beckon && w.Beckon.q) || [];
  const queued: Command[] = Array.prototype.map.call(q, (a: IArguments | unknown[]) => Array.prototype.slice.call(a)) as Command[];
  // consent mode: nothing is stored or sent (not even a connection) until Beckon('consent', true)
  const needsConsent = script.getAttribute('data-consent') === 'required';
  let consent = !needsConsent || queued.some((c) => c[0] === 'consent' && c[1] === true);
  let booted: ((c: Command) => void) | null = null;
  let waiting: Command[] = [];

  const api: BeckonFn = function (...args: unknown[]) {
    const c = args as Command;
    if (c[0] === 'consent') {
      if (c[1] === true && !consent) {
        consent = true;
        boot();
      } else if (c[1] === false && needsConsent && consent) {
        consent = false;
        booted?.(['__off']);
        booted = null;
        forget(siteKey);
      }
      return;
    }
    if (booted) booted(c);
    else if (waiting.length < 100) waiting.push(c);
  };
  api.loaded = true;
  w.Beckon = api;
  waiting = queued.filter((c) => c[0] !== 'consent');
  if (consent) boot();

  function boot() {
    booted = run(siteKey!, base, lang, asked === 'ru' || asked === 'en', emitPublic, listeners);
    for (const c of waiting.splice(0)) booted(c);
  }
}

/** Consent withdrawn: what this site's widget kept in the browser goes. */
function forget(siteKey: string) {
  for (const s of [localStorage, sessionStorage])
    try {
      for (const k of Object.keys(s)) if (k.indexOf(`beckon:${siteKey}:`) === 0) s.removeItem(k);
    } catch {
      /* blocked storage holds nothing of ours */
    }
}

function run(siteKey: string, base: string, lang: Lang, langFixed: boolean, emitPublic: (e: string, d?: unknown) => void, listeners: Record<string, ((data?: unknown) => void)[]>) {
  const client = createClient({ base, siteKey, lang, langFixed, local: safeStorage('localStorage', (m) => log('warn', m)), session: safeStorage('sessionStorage', () => {}), log, emitPublic });
  const bot = isBot();
  const tracker: Tracker | null = bot
    ? null
    : createTracker(
        (events, done) =>
          client.socket.timeout(10_000).emit('journey:batch', { events }, (err: Error | null, res?: { ok: boolean }) => {
            if (res && !res.ok) log('warn', `journey event refused: ${JSON.stringify((res as { error?: unknown }).error)}`);
            done(!err && !!res && res.ok);
          }),
        navigator.language || '',
      );
  if (tracker) {
    client.socket.on('session:ready', () => tracker.connected());
    client.socket.on('disconnect', () => tracker.disconnected());
  }

  // a custom element (no `div { display: none !important }` of the page matches it) with its
  // essentials inline and !important, which beats any stylesheet's !important
  const host = document.createElement('beckon-widget');
  host.setAttribute('data-beckon', '');
  host.setAttribute('style', 'display:block!important;visibility:visible!important;opacity:1!important;position:static!important;transform:none!important;filter:none!important;contain:none!important;clip-path:none!important;width:0!important;height:0!important;overflow:visible!important;margin:0!important;padding:0!important');
  const shadow = host.attachShadow ? host.attachShadow({ mode: 'open' }) : null;
  if (!shadow) {
    log('error', 'this browser has no Shadow DOM; the chat is not shown.');
    return () => {};
  }
  const root = document.createElement('div');
  shadow.appendChild(root);
  addStyles(shadow, LAUNCHER_CSS);

  const launcher = createLauncher(root, () => client.setOpen(!client.getState().open));

  // the lazy parts: ES modules sharing one Preact chunk, each loaded the first time it is needed
  const FILES = { panel: __UI_FILE__, offer: __OFFER_FILE__, rating: __RATING_FILE__, more: __MORE_FILE__ };
  const parts: Record<string, 'loading' | 'ready'> = {};
  const url = (p: keyof typeof FILES) => `${base}/widget/${FILES[p]}`;
  w[UI_REGISTER] = (part, render) => {
    parts[part] = 'ready';
    const mount = document.createElement('div');
    root.appendChild(mount);
    render({ ...client, mount, launcher: launcher.el, emitPublic, partUrl: url });
  };
  function load(part: 'panel' | 'offer') {
    if (parts[part]) return;
    parts[part] = 'loading';
    const s = document.createElement('script');
    s.type = 'module';
    s.src = url(part);
    s.crossOrigin = 'anonymous';
    s.onerror = () => {
      delete parts[part];
      log('error', `could not load ${s.src}; a Content-Security-Policy must allow ${base}.`);
    };
    document.head.appendChild(s);
  }

  const render = () => {
    const s = client.getState();
    launcher.render(s);
    if (!s.site) return;
    if (s.open) load('panel');
    else if (s.offer) load('offer');
  };
  client.subscribe(render);
  render();

  const attach = () => document.body.appendChild(host);
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);

  document.addEventListener('securitypolicyviolation', (e) => {
    if (e.blockedURI && e.blockedURI.indexOf(base.replace(/^http/, '')) >= 0) log('error', `the Content-Security-Policy blocks ${e.blockedURI} (${e.violatedDirective}).`);
  });

  // The public API: a command queue (DESIGN.md "Journey and rules"; README "JavaScript API").
  const obj = (x: unknown) => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {});
  return (args: Command) => {
    const [cmd, a, b] = args;
    if (cmd === '__off') {
      client.socket.disconnect();
      host.remove();
    } else if (cmd === 'open') client.setOpen(true);
    else if (cmd === 'close') client.setOpen(false);
    else if (cmd === 'toggle') client.setOpen(!client.getState().open);
    else if (cmd === 'on' && typeof a === 'string' && typeof b === 'function') (listeners[a] = listeners[a] || []).push(b as (d?: unknown) => void);
    else if (cmd === 'track' && typeof a === 'string') tracker?.push({ type: 'track', name: a, props: obj(b) as Record<string, string> });
    else if (cmd === 'cart') {
      const c = obj(a);
      tracker?.push({ type: 'cart', value: Number(c.value) || 0, currency: String(c.currency || 'USD').toUpperCase(), items: Math.round(Number(c.items) || 0) });
    } else if (cmd === 'identify') tracker?.push({ type: 'identify', ...(obj(a) as { userId: string; hash: string }) });
    else log('warn', `unknown command Beckon(${JSON.stringify(cmd)}).`);
  };
}

try {
  start();
} catch (e) {
  // whatever happens, the host page keeps working
  log('error', `failed to start: ${String(e)}`);
}
