/**
 * The visitor's side of the wire: one Socket.IO connection and the conversation state. It
 * keeps what the launcher needs (unread badge, open state) before the UI exists; the lazy UI
 * gets the same state and socket and does the rest.
 */
import type { Message, Result, VisitorClientEvents, VisitorConversation, VisitorServerEvents, VisitorSession, SyncResult } from '@beckon/protocol';
import type { PendingMessage, VisitorSocket, WidgetState } from '../shared/types';
import type { SafeStorage } from './storage';
import { stringify } from './json-safe';
import { wire } from './wire';

export interface ClientOptions {
  base: string;
  siteKey: string;
  lang: WidgetState['lang'];
  langFixed: boolean;
  local: SafeStorage;
  session: SafeStorage;
  log: (level: 'warn' | 'error', msg: string) => void;
  emitPublic: (event: string, data?: unknown) => void;
}

export function createClient(o: ClientOptions) {
  const k = (name: string) => `beckon:${o.siteKey}:${name}`;
  const subs = new Set<() => void>();
  let saved: PendingMessage[] = [];
  try {
    saved = JSON.parse(o.local.get(k('outbox')) || '[]');
  } catch {
    /* a damaged outbox is dropped */
  }
  let state: WidgetState = {
    connection: 'connecting',
    open: o.session.get(k('open')) === '1',
    lang: o.lang,
    site: null,
    conversation: null,
    messages: [],
    earlier: [],
    // whatever an earlier page could not send is offered for retry
    pending: saved.map((p) => ({ ...p, status: 'failed' })),
    hasMore: false,
    loadingOlder: false,
    typing: null,
    unread: 0,
    offer: null,
    answers: [],
    answersUnread: 0,
  };
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const set = (patch: Partial<WidgetState>) => {
    state = { ...state, ...patch };
    if (patch.pending) {
      // a file still uploading is not kept: after a reload it would be sent as its bare name
      const keep = state.pending.filter((p) => !p.uploading);
      o.local.set(k('outbox'), keep.length ? stringify(keep.map(({ clientId, body, createdAt, attachmentId }) => ({ clientId, body, createdAt, attachmentId }))) : null);
    }
    if ('open' in patch) o.session.set(k('open'), state.open ? '1' : null);
    subs.forEach((f) => f());
  };

  const unreadOf = (messages: Message[], c: VisitorConversation | null) => (c ? messages.filter((m) => m.sender === 'operator' && m.seq > c.readSeq).length : 0);
  const lastSeq = () => state.messages[state.messages.length - 1]?.seq ?? 0;

  const socket: VisitorSocket = wire<VisitorServerEvents, VisitorClientEvents>(o.base, '/visitor', {
    auth: () => ({ siteKey: o.siteKey, token: o.local.get(k('token')), lang: state.lang }),
    delayMax: 10_000,
  });

  function markRead() {
    const c = state.conversation;
    if (!c || !state.open || document.visibilityState === 'hidden') return;
    const seq = lastSeq();
    if (seq > c.readSeq) {
      socket.emit('conversation:read', { seq });
      set({ conversation: { ...c, readSeq: seq }, unread: 0 });
    } else if (state.unread) set({ unread: 0 });
  }

  function adopt(c: VisitorConversation) {
    const prev = state.conversation;
    if (prev && prev.id !== c.id) {
      // a new conversation began (here or in another tab): the old one stays on screen above
      set({ earlier: [...state.earlier, ...state.messages], messages: [], conversation: c, hasMore: false });
      return void sync();
    }
    if (!prev) o.emitPublic('conversation', { id: c.id });
    const conv = prev && prev.readSeq > c.readSeq ? { ...c, readSeq: prev.readSeq } : c;
    set({ conversation: conv, unread: unreadOf(state.messages, conv) });
  }

  function accept(m: Message) {
    const pending = state.pending.filter((p) => !(m.sender === 'visitor' && p.clientId === m.clientId));
    const last = lastSeq();
    if ((state.conversation && m.conversationId !== state.conversation.id) || (last && m.seq > last + 1)) {
      set({ pending });
      return void sync();
    }
    if (m.seq <= last) return set({ pending });
    const messages = [...state.messages, m];
    set({ messages, pending, typing: m.sender === 'operator' ? null : state.typing, unread: unreadOf(messages, state.conversation) });
    if (m.sender === 'operator') {
      o.emitPublic('message', { body: m.body, from: m.authorName });
      markRead();
    }
  }

  async function sync() {
    const c = state.conversation;
    const res = await new Promise<Result<SyncResult<VisitorConversation>>>((r) => socket.emit('conversation:sync', c ? { lastSeq: lastSeq(), conversationId: c.id } : { lastSeq: 0 }, r));
    if (!res.ok) return o.log('warn', `could not load the conversation (${res.error.code})`);
    const d = res.data;
    const messages = d.reset ? d.messages : [...state.messages, ...d.messages.filter((m) => m.seq > lastSeq())];
    const sent = new Set(messages.map((m) => m.clientId));
    set({ messages, hasMore: d.reset ? d.hasMore : state.hasMore, pending: state.pending.filter((p) => !sent.has(p.clientId)), conversation: d.conversation, unread: unreadOf(messages, d.conversation) });
    markRead();
  }

  socket.on('session:ready', (s: VisitorSession) => {
    o.local.set(k('token'), s.token);
    const lang = o.langFixed || /^(en|ru)/i.test(navigator.language) ? state.lang : s.site.defaultLang;
    set({ connection: 'online', site: s.site, lang });
    if (s.conversation && state.conversation && s.conversation.id !== state.conversation.id) adopt(s.conversation);
    else {
      if (s.conversation) adopt(s.conversation);
      void sync();
    }
    o.emitPublic('ready');
  });
  socket.on('message:new', accept);
  socket.on('conversation:update', adopt);
  socket.on('site:update', (site) => set({ site }));
  socket.on('offer:show', (offer) => {
    set({ offer });
    o.emitPublic('offer:shown', { id: offer.id, kind: offer.kind });
  });
  socket.on('inbox:answers', (answers) => set({ answers, answersUnread: answers.length }));
  socket.on('offer:hide', (h) => {
    if (state.offer && state.offer.id === h.id) set({ offer: null });
  });
  socket.on('typing:update', (t) => {
    clearTimeout(typingTimer);
    set({ typing: t.typing ? t.name || state.site?.appearance.teamName || '' : null });
    if (t.typing) typingTimer = setTimeout(() => set({ typing: null }), 6000);
  });
  // Socket.IO does not reconnect by itself after the server ended the connection ("io server
  // disconnect"): that is every deploy (SIGTERM) and a site's revoked access. Come back after a
  // random 1–6 s so thousands of widgets do not return in the same instant; a blocked visitor
  // or a removed site is refused at the handshake and stops there (connect_error below).
  socket.on('disconnect', (reason) => {
    set({ connection: 'reconnecting', typing: null });
    if (reason === 'io server disconnect') retryLater();
  });
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    const code = err.data?.code;
    if (code === 'ORIGIN_NOT_ALLOWED' || code === 'UNKNOWN_SITE' || code === 'VALIDATION_FAILED' || code === 'BLOCKED') {
      o.log('error', code === 'ORIGIN_NOT_ALLOWED' ? `${location.origin} is not an allowed origin of this site: add it in the Beckon console, Settings.` : code === 'UNKNOWN_SITE' ? `no site has the key "${o.siteKey}": check data-site on the script tag.` : err.message);
      return set({ connection: 'failed' });
    }
    set({ connection: state.site ? 'reconnecting' : 'connecting' });
    // refusals by the server's middleware are not retried by Socket.IO itself
    if (!socket.active) retryLater();
  });
  let retry: ReturnType<typeof setTimeout> | undefined;
  function retryLater() {
    clearTimeout(retry);
    retry = setTimeout(() => socket.connect(), 1000 + Math.random() * 5000);
  }
  document.addEventListener('visibilitychange', markRead);

  return {
    getState: () => state,
    subscribe(fn: () => void) {
      subs.add(fn);
      return () => void subs.delete(fn);
    },
    set,
    socket,
    accept,
    adopt,
    /** where and as whom the UI uploads files */
    server: () => ({ base: o.base, key: o.siteKey, token: o.local.get(k('token')) }),
    setOpen(open: boolean) {
      if (open === state.open) return;
      set({ open });
      o.emitPublic(open ? 'open' : 'close');
      markRead();
    },
  };
}

export type Client = ReturnType<typeof createClient>;
