/**
 * The console's state and its one /operator socket. Views read `state` through useConsole()
 * and call the functions exported here; nothing else talks to the server in real time.
 */
import { useEffect, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import { LIMITS, phraseGuard, type FloorView, type Note, type PhraseHit, type PhraseRule, type RoutingEvent, type VisitorDetails } from '@beckon/protocol';
import type { AckData, ConversationSummary, ListCursor, HistoryResult, Lang, MeView, Message, MessageHead, OperatorMessage, OperatorClientEvents, OperatorServerEvents, OperatorStatus, Result, SyncResult, VisitorsPage } from '@beckon/protocol';
import { initialLang } from './i18n';
import { api } from './api';
import { chime, desktopNotify, setTitleBadge } from './notify';
import { canGoBack, parseRoute, showRoute, type View } from './router';
import { registerWorker } from './push';

export type { View } from './router';

export interface Pending {
  clientId: string;
  body: string;
  status: 'sending' | 'failed';
  error?: string;
  /** a file: uploading (no id yet) or uploaded (sent with the message) */
  attachmentId?: string;
  uploading?: boolean;
}
export interface Conv {
  summary: ConversationSummary;
  messages: Message[];
  loaded: boolean;
  hasMore: boolean;
  loadingOlder: boolean;
  visitorTyping: boolean;
  /** with the site's sneak peek on: what the visitor is typing */
  peek: string | null;
  pending: Pending[];
  notes: Note[];
}
export interface Canned {
  id: string;
  shortcut: string;
  body: string;
  shared: boolean;
}
export type Filter = 'open' | 'mine' | 'closed';

export interface ConsoleState {
  lang: Lang;
  me: MeView | null;
  siteId: string | null;
  connection: 'connecting' | 'online' | 'reconnecting';
  status: OperatorStatus;
  autoAway: boolean;
  convs: Record<string, Conv>;
  /** where the next page of open conversations starts (null: all loaded) */
  listNext: ListCursor | null;
  panes: string[];
  /** the chat in focus: in the URL, and the one on screen on a phone */
  focus: string | null;
  drafts: Record<string, string>;
  filter: Filter;
  view: View;
  sound: boolean;
  notice: string | null;
  /** the live visitors board, as last sent by the server */
  board: VisitorsPage | null;
  /** inbox items that arrived since the inbox was last looked at */
  inboxNew: number;
  /** open follow-ups of the site (supervisors and admins) */
  followUpsOpen: number;
  /** a follow-up to show (from an alert email's link) */
  followUpId: string | null;
  canned: Canned[];
  phrases: PhraseRule[];
  /** per conversation: our message being edited in the composer */
  editing: Record<string, string>;
}

type OpSocket = Socket<OperatorServerEvents, OperatorClientEvents>;

const session = {
  get<T>(key: string, fallback: T): T {
    try {
      return JSON.parse(sessionStorage.getItem(`beckon:console:${key}`) ?? 'null') ?? fallback;
    } catch {
      return fallback;
    }
  },
  set(key: string, value: unknown) {
    try {
      sessionStorage.setItem(`beckon:console:${key}`, JSON.stringify(value));
    } catch {
      /* blocked storage: drafts live in memory only */
    }
  },
};

export let state: ConsoleState = {
  lang: initialLang(),
  me: null,
  // the site last looked at in this tab (a reload stays on it)
  siteId: session.get<string | null>('site', null),
  connection: 'connecting',
  status: 'offline',
  autoAway: false,
  convs: {},
  listNext: null,
  panes: session.get<string[]>('panes', []),
  drafts: session.get<Record<string, string>>('drafts', {}),
  filter: 'open',
  // the address bar says which page, chat or follow-up (an alert email's link included)
  ...parseRoute(location.pathname, location.hash),
  followUpsOpen: 0,
  sound: session.get('sound', true),
  notice: null,
  board: null,
  inboxNew: 0,
  canned: [],
  phrases: [],
  editing: {},
};
const subs = new Set<() => void>();

let routing = false;
export function set(patch: Partial<ConsoleState>, opts: { replace?: boolean } = {}): void {
  const before = state;
  state = { ...state, ...patch };
  if (!routing && (before.view !== state.view || before.focus !== state.focus || before.followUpId !== state.followUpId)) showRoute(state, opts.replace);
  if (patch.panes) session.set('panes', state.panes);
  if (patch.drafts) session.set('drafts', state.drafts);
  if ('sound' in patch) session.set('sound', state.sound);
  if ('siteId' in patch) session.set('site', state.siteId);
  if (patch.convs) setTitleBadge(Object.values(state.convs).reduce((n, c) => n + (c.summary.status === 'closed' ? 0 : c.summary.unread), 0));
  subs.forEach((f) => f());
}

// the address bar is canonical from the first moment (an old `#followups/…` link becomes a path)
showRoute(state, true);
window.addEventListener('popstate', () => {
  const r = parseRoute(location.pathname, location.hash);
  routing = true;
  try {
    set(r);
  } finally {
    routing = false;
  }
  if (r.focus) openPane(r.focus);
});

/** Back from one chat to the list (a phone's back button does the same through history). */
export function backToList(): void {
  if (canGoBack()) history.back();
  else set({ focus: null }, { replace: true });
}

export function useConsole(): ConsoleState {
  const [s, setS] = useState(state);
  useEffect(() => {
    setS(state);
    const f = () => setS(state);
    subs.add(f);
    return () => void subs.delete(f);
  }, []);
  return s;
}

function patchConv(id: string, patch: Partial<Conv> | ((c: Conv) => Partial<Conv>)): void {
  const c = state.convs[id];
  if (!c) return;
  set({ convs: { ...state.convs, [id]: { ...c, ...(typeof patch === 'function' ? patch(c) : patch) } } });
}

const emptyConv = (summary: ConversationSummary): Conv => ({ summary, messages: [], loaded: false, hasMore: false, loadingOlder: false, visitorTyping: false, peek: null, pending: [], notes: [] });
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

let socket: OpSocket | null = null;

/** Events that answer: what they carry back is typed by protocol's event map. */
type Answering = { [E in keyof OperatorClientEvents]: AckData<OperatorClientEvents[E]> extends void ? never : E }[keyof OperatorClientEvents];

/** An event with its acknowledgement, typed end to end; no answer within 10 s is an error, not a hang. */
async function call<E extends Answering>(event: E, payload: Parameters<OperatorClientEvents[E]>[0]): Promise<Result<AckData<OperatorClientEvents[E]>>> {
  if (!socket) return { ok: false, error: { code: 'INTERNAL', message: 'not connected' } };
  const timed = socket.timeout(10_000);
  // the one place the generic event meets Socket.IO's own typing (which cannot resolve an open E); callers are typed
  const emit = timed.emitWithAck.bind(timed) as (e: E, p: Parameters<OperatorClientEvents[E]>[0]) => Promise<Result<AckData<OperatorClientEvents[E]>>>;
  return emit(event, payload).catch(() => ({ ok: false, error: { code: 'INTERNAL', message: 'no answer from the server' } }) as const);
}

export function connect(me: MeView): void {
  set({ me, siteId: me.memberships.some((m) => m.siteId === state.siteId) ? state.siteId : (me.memberships[0]?.siteId ?? null) });
  // the service worker: web push, and a notification's click opens its chat here
  void registerWorker((r) => {
    set(r);
    if (r.focus) openPane(r.focus);
  });
  socket?.disconnect();
  const s: OpSocket = io('/operator', { transports: ['websocket'], withCredentials: true });
  socket = s;
  s.on('connect', async () => {
    set({ connection: 'online' });
    void loadFollowUpCount();
    if (boardQuery) void watchVisitors(boardQuery.filter, boardQuery.offset);
    const r = await call('conversation:list', {});
    if (!r.ok) return;
    set({ listNext: r.data.next });
    const convs: Record<string, Conv> = {};
    for (const sum of r.data.conversations) convs[sum.id] = state.convs[sum.id] ? { ...state.convs[sum.id]!, summary: sum } : emptyConv(sum);
    // panes of conversations that are no longer listed stay open if we hold them
    for (const id of state.panes) if (!convs[id] && state.convs[id]) convs[id] = state.convs[id]!;
    set({ convs, panes: state.panes.filter((id) => convs[id]) });
    for (const id of state.panes) void sync(id);
    // a chat's URL (a reload, a link, a notification) opens that chat
    if (state.focus && !state.panes.includes(state.focus)) openPane(state.focus, { replace: true });
    void loadTools();
  });
  s.on('disconnect', (reason) => {
    set({ connection: 'reconnecting' });
    // the server ended the connection (password changed, membership changed): connect again,
    // which either picks up the new state or finds the session gone and signs out
    // (a deploy ends every console at once: a random delay spreads them out)
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 300 + Math.random() * 3000);
  });
  s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (err.data?.code === 'UNAUTHENTICATED') return signedOut();
    set({ connection: 'reconnecting' });
    // a refusal by the server's middleware (e.g. a store busy during a restart) is not retried by Socket.IO
    if (!s.active) setTimeout(() => s.connect(), 1000 + Math.random() * 4000);
  });
  s.on('operator:status', ({ status }) => set({ status }));
  s.on('visitors:page', (page) => {
    if (page.siteId === state.siteId && state.view === 'visitors') set({ board: page });
  });
  s.on('followup:new', () => void loadFollowUpCount());
  s.on('inbox:new', () => {
    set({ inboxNew: state.inboxNew + 1 });
    if (state.sound) chime();
  });
  const upsert = (sum: ConversationSummary) => {
    const c = state.convs[sum.id];
    set({ convs: { ...state.convs, [sum.id]: c ? { ...c, summary: sum } : emptyConv(sum) } });
  };
  s.on('conversation:upsert', upsert);
  /** a message's news in its conversation's row: it is the last message now, with the unread count and read mark after it */
  const advance = (m: Message, head: MessageHead) => {
    const c = state.convs[m.conversationId];
    // a conversation not known yet comes whole in its own upsert; older news changes nothing
    if (!c || c.summary.lastSeq >= m.seq) return;
    const summary: ConversationSummary = { ...c.summary, lastSeq: m.seq, lastMessageAt: m.createdAt, lastMessagePreview: m.body.slice(0, LIMITS.previewChars), unread: head.unread, visitorReadSeq: head.visitorReadSeq };
    set({ convs: { ...state.convs, [m.conversationId]: { ...c, summary } } });
  };
  s.on('typing:update', ({ conversationId, typing, text }) => {
    clearTimeout(typingTimers.get(conversationId));
    patchConv(conversationId, { visitorTyping: typing, peek: typing && text ? text : null });
    if (typing) typingTimers.set(conversationId, setTimeout(() => patchConv(conversationId, { visitorTyping: false, peek: null }), 6000));
  });
  s.on('message:changed', (m) => changed(m));
  s.on('note:new', (n) => patchConv(n.conversationId, (c) => (c.notes.some((x) => x.id === n.id) ? {} : { notes: [...c.notes, n] })));
  // the messages stored in one turn of the server come in one frame, oldest first
  s.on('messages:new', (ms) => {
    for (const m of ms) arrived(m);
  });
  const arrived = ({ head, ...m }: OperatorMessage) => {
    // what the message changed in its conversation's row comes with it
    if (head) advance(m, head);
    const c = state.convs[m.conversationId];
    if (m.sender === 'visitor') attention(m, c?.summary.visitorName ?? '');
    if (!c || !c.loaded) return;
    const last = c.messages[c.messages.length - 1]?.seq ?? 0;
    if (m.seq <= last) return;
    if (m.seq > last + 1) return void sync(m.conversationId);
    patchConv(m.conversationId, { messages: [...c.messages, m], peek: m.sender === 'visitor' ? null : c.peek, visitorTyping: m.sender === 'visitor' ? false : c.visitorTyping, pending: c.pending.filter((p) => p.clientId !== m.clientId) });
    markRead(m.conversationId);
  };
}

function attention(m: Message, who: string): void {
  const visible = document.visibilityState === 'visible' && state.panes.includes(m.conversationId) && state.view === 'chats';
  if (visible) return;
  if (state.sound) chime();
  desktopNotify(who || 'Beckon', m.body, () => openPane(m.conversationId));
}

function signedOut(): void {
  socket?.disconnect();
  socket = null;
  set({ me: null, convs: {}, connection: 'connecting' });
}

/** how many follow-ups wait (only supervisors and admins see them) */
export async function loadFollowUpCount(): Promise<void> {
  const role = state.me?.memberships.find((m) => m.siteId === state.siteId)?.role;
  if (!state.siteId || role === 'operator' || !role) return set({ followUpsOpen: 0 });
  const r = await api<{ open: number }>('GET', `/api/sites/${state.siteId}/follow-ups?limit=1`).catch(() => null);
  if (r) set({ followUpsOpen: r.open });
}

export function disconnect(): void {
  signedOut();
}

async function sync(id: string): Promise<void> {
  const c = state.convs[id];
  if (!c) return;
  const lastSeq = c.loaded ? (c.messages[c.messages.length - 1]?.seq ?? 0) : 0;
  const r = await call('conversation:sync', { conversationId: id, lastSeq });
  if (!r.ok) return;
  patchConv(id, (cur) => {
    const tail = cur.messages[cur.messages.length - 1]?.seq ?? 0;
    const messages = r.data.reset ? r.data.messages : [...cur.messages, ...r.data.messages.filter((m) => m.seq > tail)];
    return { loaded: true, messages, hasMore: r.data.reset ? r.data.hasMore : cur.hasMore, summary: r.data.conversation ?? cur.summary };
  });
  markRead(id);
}

export function markRead(id: string): void {
  const c = state.convs[id];
  if (!c || !c.loaded || !socket || document.visibilityState !== 'visible' || !state.panes.includes(id)) return;
  const last = c.messages[c.messages.length - 1]?.seq ?? 0;
  if (c.summary.unread > 0 && last) socket.emit('conversation:read', { conversationId: id, seq: last });
}
document.addEventListener('visibilitychange', () => state.panes.forEach(markRead));

export function openPane(id: string, opts: { replace?: boolean } = {}): void {
  const c = state.convs[id];
  if (!c) return void openConversation(id, opts);
  set({ view: 'chats', focus: id, panes: state.panes.includes(id) ? state.panes : [...state.panes, id] }, opts);
  if (!c.loaded) void sync(id);
  else markRead(id);
  void call('note:list', { conversationId: id }).then((r) => r.ok && patchConv(id, { notes: r.data.notes }));
}

/** Open a conversation that is not in the list (an old one found by search). */
export async function openConversation(id: string, opts: { replace?: boolean } = {}): Promise<void> {
  const r = await call('conversation:sync', { conversationId: id, lastSeq: 0 });
  // an id that is malformed, someone else's or gone: the same "no such chat" (the server tells nothing more)
  const missing = r.ok ? !r.data.conversation : ['NOT_FOUND', 'VALIDATION_FAILED', 'FORBIDDEN'].includes(r.error.code);
  if (!r.ok || !r.data.conversation) return set({ notice: missing || r.ok ? 'NOT_FOUND' : r.error.message, focus: state.focus === id ? null : state.focus }, { replace: true });
  set({ convs: { ...state.convs, [id]: { ...emptyConv(r.data.conversation), messages: r.data.messages, loaded: true, hasMore: r.data.hasMore } } });
  openPane(id, opts);
}

export function closePane(id: string): void {
  const panes = state.panes.filter((p) => p !== id);
  set({ panes, focus: state.focus === id ? (panes[panes.length - 1] ?? null) : state.focus }, { replace: true });
}

export function setDraft(id: string, text: string): void {
  set({ drafts: { ...state.drafts, [id]: text } });
}

/** The next page of open conversations (the list comes in pages of 100). */
export async function loadMoreConversations(): Promise<void> {
  if (!state.listNext) return;
  const r = await call('conversation:list', { after: state.listNext });
  if (!r.ok) return;
  const convs = { ...state.convs };
  for (const sum of r.data.conversations) convs[sum.id] = convs[sum.id] ? { ...convs[sum.id]!, summary: sum } : emptyConv(sum);
  set({ convs, listNext: r.data.next });
}

function deliver(id: string, p: Pending, attempt = 0): void {
  void call('message:send', { conversationId: id, clientId: p.clientId, body: p.body, ...(p.attachmentId ? { attachmentId: p.attachmentId } : {}) }).then((r) => {
    // a locked database answers BUSY: the same message id again, a little later, is stored once
    if (!r.ok && r.error.code === 'BUSY' && attempt < 6) return void setTimeout(() => deliver(id, p, attempt + 1), 500 * 2 ** attempt);
    if (!r.ok) return patchConv(id, (c) => ({ pending: c.pending.map((x) => (x.clientId === p.clientId ? { ...x, status: 'failed', error: r.error.code } : x)) }));
    const m = r.data.message;
    patchConv(id, (c) => {
      const last = c.messages[c.messages.length - 1]?.seq ?? 0;
      return { pending: c.pending.filter((x) => x.clientId !== p.clientId), messages: m.seq === last + 1 ? [...c.messages, m] : c.messages };
    });
  });
}

export function send(id: string, body: string): void {
  const text = body.trim();
  if (!text) return;
  const p: Pending = { clientId: `op-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, body: text, status: 'sending' };
  patchConv(id, (c) => ({ pending: [...c.pending, p] }));
  setDraft(id, '');
  typing(id, false);
  deliver(id, p);
}

/** Uploads a file (picked, dropped or pasted) and sends it in the conversation; resolves with an error text or null. */
export async function sendFile(id: string, file: File): Promise<string | null> {
  const p: Pending = { clientId: `op-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, body: file.name.slice(-120) || 'file', status: 'sending', uploading: true };
  patchConv(id, (c) => ({ pending: [...c.pending, p] }));
  const drop = () => patchConv(id, (c) => ({ pending: c.pending.filter((x) => x.clientId !== p.clientId) }));
  const res = await fetch(`/api/attachments?conversationId=${encodeURIComponent(id)}`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) }, body: file }).catch(() => null);
  const data = res && ((await res.json().catch(() => null)) as { attachment?: { id: string }; error?: { message: string } } | null);
  if (!res || !res.ok || !data?.attachment) {
    drop();
    return data?.error?.message ?? 'The server cannot be reached.';
  }
  const sent: Pending = { ...p, uploading: false, attachmentId: data.attachment.id };
  patchConv(id, (c) => ({ pending: c.pending.map((x) => (x.clientId === p.clientId ? sent : x)) }));
  deliver(id, sent);
  return null;
}

/** an edit or a deletion (ours or the visitor's): the pane shows the message as it is now */
function changed(m: Message): void {
  patchConv(m.conversationId, (c) => ({ messages: c.messages.map((x) => (x.id === m.id ? m : x)) }));
}

/** our own last message: a new text, or (null) taken back; resolves with an error text or null */
export async function changeMessage(id: string, messageId: string, body: string | null): Promise<string | null> {
  const r = body === null ? await call('message:delete', { conversationId: id, messageId }) : await call('message:edit', { conversationId: id, messageId, body });
  if (!r.ok) return r.error.message || r.error.code;
  changed(r.data.message);
  return null;
}

export function startEditing(id: string, m: Message | null): void {
  const editing = { ...state.editing };
  if (m) editing[id] = m.id;
  else delete editing[id];
  set({ editing, drafts: { ...state.drafts, [id]: m ? m.body : '' } });
}

export function retry(id: string, clientId: string): void {
  const p = state.convs[id]?.pending.find((x) => x.clientId === clientId);
  if (!p) return;
  patchConv(id, (c) => ({ pending: c.pending.map((x) => (x.clientId === clientId ? { ...x, status: 'sending', error: undefined } : x)) }));
  deliver(id, p);
}

export async function loadOlder(id: string): Promise<void> {
  const c = state.convs[id];
  const first = c?.messages[0];
  if (!c || !first || c.loadingOlder) return;
  patchConv(id, { loadingOlder: true });
  const r = await call('conversation:history', { conversationId: id, beforeSeq: first.seq });
  patchConv(id, (cur) => (r.ok ? { loadingOlder: false, hasMore: r.data.hasMore, messages: [...r.data.messages.filter((m) => m.seq < first.seq), ...cur.messages] } : { loadingOlder: false }));
}

const typingSent = new Map<string, number>();
export function typing(id: string, on: boolean): void {
  const now = Date.now();
  if (on && now - (typingSent.get(id) ?? 0) < 2000) return;
  typingSent.set(id, on ? now : 0);
  socket?.emit('typing:set', { conversationId: id, typing: on });
}

export async function endChat(id: string): Promise<void> {
  const r = await call('conversation:close', { conversationId: id });
  if (!r.ok) set({ notice: r.error.message });
}

export async function take(id: string): Promise<boolean> {
  const r = await call('conversation:take', { conversationId: id });
  if (!r.ok) set({ notice: r.error.code });
  return r.ok;
}

export async function setStatus(status: 'online' | 'away', auto = false): Promise<void> {
  set({ autoAway: auto && status === 'away' });
  await call('operator:status', { status });
}

// Auto-away: no mouse or keyboard for a while sets Away; activity after that brings them back.
const AWAY_AFTER_MS = 10 * 60_000;
let lastActivity = Date.now();
for (const ev of ['mousemove', 'keydown', 'mousedown', 'touchstart', 'focus']) {
  window.addEventListener(
    ev,
    () => {
      lastActivity = Date.now();
      if (state.autoAway && state.status === 'away') void setStatus('online');
    },
    { passive: true },
  );
}
setInterval(() => {
  if (state.status === 'online' && Date.now() - lastActivity > AWAY_AFTER_MS) void setStatus('away', true);
}, 30_000);

// ---- live visitors

let boardQuery: { filter: string; offset: number } | null = null;

/** Show one page of the site's live visitors; the server refreshes it about once a second. */
export async function watchVisitors(filter: string, offset: number): Promise<void> {
  boardQuery = { filter, offset };
  if (!state.siteId) return;
  const r = await call('visitors:watch', { siteId: state.siteId, filter, offset });
  if (r.ok) set({ board: r.data });
}

export function unwatchVisitors(): void {
  boardQuery = null;
  socket?.emit('visitors:unwatch', {});
}

export async function inviteVisitor(visitorId: string, text: string): Promise<string | null> {
  const r = await call('visitor:invite', { visitorId, text });
  return r.ok ? null : r.error.message || r.error.code;
}

/** An operator corrects the visitor's name or email. */
export async function updateVisitor(visitorId: string, patch: { name?: string; email?: string }): Promise<string | null> {
  const r = await call('visitor:update', { visitorId, ...patch });
  return r.ok ? null : r.error.message || r.error.code;
}

export async function visitorJourney(visitorId: string): Promise<VisitorDetails | null> {
  const r = await call('visitor:journey', { visitorId });
  return r.ok ? r.data : null;
}

// ---- the operator's tools

/** Canned responses and the phrase guard's list, for the current site. */
export async function loadTools(): Promise<void> {
  if (!state.siteId) return;
  const [c, p] = await Promise.all([api<{ canned: Canned[] }>('GET', `/api/sites/${state.siteId}/canned`).catch(() => ({ canned: [] })), api<{ phrases: PhraseRule[] }>('GET', `/api/sites/${state.siteId}/phrases`).catch(() => ({ phrases: [] }))]);
  guard = phraseGuard(p.phrases);
  set({ canned: c.canned, phrases: p.phrases });
}
let guard: (text: string) => PhraseHit[] = () => [];
export const checkPhrases = (text: string): PhraseHit[] => guard(text);

export async function addNote(id: string, body: string): Promise<string | null> {
  const r = await call('note:add', { conversationId: id, body });
  if (!r.ok) return r.error.message;
  patchConv(id, (c) => (c.notes.some((x) => x.id === r.data.note.id) ? {} : { notes: [...c.notes, r.data.note] }));
  return null;
}

export async function transfer(id: string, to: { operatorId?: string; department?: string }, note: string): Promise<string | null> {
  const r = await call('conversation:transfer', { conversationId: id, ...to, note });
  return r.ok ? null : r.error.message || r.error.code;
}

export async function reassign(id: string, operatorId: string): Promise<string | null> {
  const r = await call('conversation:reassign', { conversationId: id, operatorId });
  return r.ok ? null : r.error.message || r.error.code;
}

export async function whyRouted(id: string): Promise<RoutingEvent[]> {
  const r = await call('conversation:why', { conversationId: id });
  return r.ok ? r.data.events : [];
}

export async function blockVisitor(visitorId: string, reason: string, byAddress = false): Promise<string | null> {
  const r = await call('visitor:block', { visitorId, reason, byAddress });
  return r.ok ? null : r.error.message;
}

export async function floor(): Promise<FloorView | null> {
  if (!state.siteId) return null;
  const r = await call('floor:get', { siteId: state.siteId });
  return r.ok ? r.data : null;
}
