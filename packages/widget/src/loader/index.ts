/**
 * beckon.js — the loader a site pastes. No framework: it reports to the server over one
 * Socket.IO connection, shows the launcher, runs the `Beckon(...)` command queue, and loads
 * the Preact UI (ui.<hash>.js) only when the chat is opened.
 */
import type { Lang } from '@beckon/protocol';
import { UI_REGISTER, type WidgetContext } from '../shared/types';
import { createClient } from './client';
import { createLauncher, LAUNCHER_CSS } from './launcher';
import { safeStorage } from './storage';
import { addStyles } from '../shared/styles';

declare const __UI_FILE__: string;

type Command = [string, ...unknown[]];
interface BeckonFn {
  (...args: unknown[]): void;
  q?: IArguments[] | unknown[][];
  loaded?: boolean;
}

const w = window as unknown as { Beckon?: BeckonFn; [UI_REGISTER]?: unknown };
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

  const client = createClient({ base, siteKey, lang, langFixed: asked === 'ru' || asked === 'en', local: safeStorage('localStorage', (m) => log('warn', m)), session: safeStorage('sessionStorage', () => {}), log, emitPublic });

  const host = document.createElement('div');
  host.setAttribute('data-beckon', '');
  const shadow = host.attachShadow ? host.attachShadow({ mode: 'open' }) : null;
  if (!shadow) return log('error', 'this browser has no Shadow DOM; the chat is not shown.');
  const root = document.createElement('div');
  shadow.appendChild(root);
  addStyles(shadow, LAUNCHER_CSS);

  let ui: 'none' | 'loading' | 'ready' = 'none';
  const launcher = createLauncher(root, () => client.setOpen(!client.getState().open));

  function loadUi() {
    if (ui !== 'none') return;
    ui = 'loading';
    w[UI_REGISTER] = (render: (ctx: WidgetContext) => void) => {
      delete w[UI_REGISTER];
      ui = 'ready';
      const mount = document.createElement('div');
      root.appendChild(mount);
      render({ ...client, mount, launcher: launcher.el, emitPublic });
    };
    const s = document.createElement('script');
    s.src = `${base}/widget/${__UI_FILE__}`;
    s.async = true;
    s.crossOrigin = 'anonymous';
    s.onerror = () => {
      ui = 'none';
      log('error', `could not load ${s.src}; a Content-Security-Policy must allow ${base}.`);
    };
    document.head.appendChild(s);
  }

  const render = () => {
    const s = client.getState();
    launcher.render(s);
    if (s.open && s.site) loadUi();
  };
  client.subscribe(render);
  render();

  const attach = () => document.body.appendChild(host);
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);

  document.addEventListener('securitypolicyviolation', (e) => {
    if (e.blockedURI && e.blockedURI.indexOf(base.replace(/^http/, '')) >= 0) log('error', `the Content-Security-Policy blocks ${e.blockedURI} (${e.violatedDirective}).`);
  });

  // The public API: a command queue (DESIGN.md "Journey and rules").
  const run = (args: Command) => {
    const [cmd, a, b] = args;
    if (cmd === 'open') client.setOpen(true);
    else if (cmd === 'close') client.setOpen(false);
    else if (cmd === 'toggle') client.setOpen(!client.getState().open);
    else if (cmd === 'on' && typeof a === 'string' && typeof b === 'function') (listeners[a] = listeners[a] || []).push(b as (d?: unknown) => void);
    else log('warn', `unknown command Beckon(${JSON.stringify(cmd)}).`);
  };
  const queued = (w.Beckon && w.Beckon.q) || [];
  const api: BeckonFn = function (...args: unknown[]) {
    run(args as Command);
  };
  api.loaded = true;
  w.Beckon = api;
  for (const args of queued) run(Array.prototype.slice.call(args) as Command);
}

try {
  start();
} catch (e) {
  // whatever happens, the host page keeps working
  log('error', `failed to start: ${String(e)}`);
}
