/**
 * Every console page and every chat has a URL: `/chats/<id>`, `/rules`, `/followups/<id>`…
 * The URL is derived from the state (view, the chat in focus, the follow-up shown), so a reload
 * lands where the person was, a link opens that chat, and back/forward walk the pages.
 * Alert emails of earlier versions linked `/#followups/<id>` and `/#inbox/<id>`: still understood.
 */
export type View = 'chats' | 'visitors' | 'inbox' | 'floor' | 'rules' | 'replies' | 'settings' | 'team' | 'integrations' | 'install' | 'account' | 'dashboard' | 'followups' | 'setup';

export const VIEWS: readonly View[] = ['chats', 'visitors', 'inbox', 'floor', 'rules', 'replies', 'settings', 'team', 'integrations', 'install', 'account', 'dashboard', 'followups', 'setup'];

export interface Route {
  view: View;
  /** the chat in focus (on a phone: the one on screen) */
  focus: string | null;
  followUpId: string | null;
}

const ID = /^[\w-]{1,64}$/;

export function parseRoute(pathname: string, hash = ''): Route {
  const legacy = /^#(followups|inbox)(?:\/([\w-]+))?/.exec(hash);
  const parts = (legacy ? `/${legacy[1]}/${legacy[2] ?? ''}` : pathname).split('/').filter(Boolean).map(decodeURIComponent);
  const view = (VIEWS as readonly string[]).includes(parts[0] ?? '') ? (parts[0] as View) : 'chats';
  const id = parts[1] && ID.test(parts[1]) ? parts[1] : null;
  return { view, focus: view === 'chats' ? id : null, followUpId: view === 'followups' ? id : null };
}

export function routePath(r: Route): string {
  if (r.view === 'chats') return r.focus ? `/chats/${encodeURIComponent(r.focus)}` : '/chats';
  if (r.view === 'followups' && r.followUpId) return `/followups/${encodeURIComponent(r.followUpId)}`;
  return `/${r.view}`;
}

/** the route as the address bar should show it; `replace` for moves that should not add a history step */
export function showRoute(r: Route, replace = false): void {
  const path = routePath(r);
  if (path === location.pathname && !location.hash) return;
  const depth = (history.state as { depth?: number } | null)?.depth ?? 0;
  if (replace) history.replaceState({ depth }, '', path);
  else history.pushState({ depth: depth + 1 }, '', path);
}

/** true when the previous history entry is one of ours (so "back" stays in the console) */
export const canGoBack = (): boolean => ((history.state as { depth?: number } | null)?.depth ?? 0) > 0;
