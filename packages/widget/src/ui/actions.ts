/** What the visitor does in the panel, built on the loader's socket and state. */
import type { HistoryResult, Message, Result, VisitorConversation } from '@beckon/protocol';
import type { PendingMessage, WidgetContext } from '../shared/types';

const ACK_TIMEOUT = 10_000;

export type Actions = ReturnType<typeof createActions>;

export function createActions(ctx: WidgetContext) {
  const { socket } = ctx;
  const state = ctx.getState;
  const mark = (clientId: string, status: PendingMessage['status']) => ctx.set({ pending: state().pending.map((x) => (x.clientId === clientId ? { ...x, status } : x)) });

  /** Sends with the message's own id: a retry after a lost ack is stored once. BUSY (a locked database) is retried by itself. */
  function deliver(p: PendingMessage, attempt = 0) {
    socket.timeout(ACK_TIMEOUT).emit('message:send', { clientId: p.clientId, body: p.body, ...(p.start ? { start: p.start } : {}), ...(p.attachmentId ? { attachmentId: p.attachmentId } : {}) }, (err: Error | null, res?: Result<{ message: Message; conversation: VisitorConversation }>) => {
      if (res && !res.ok && res.error.code === 'BUSY' && attempt < 6) return void setTimeout(() => deliver(p, attempt + 1), 500 * 2 ** attempt);
      if (err || !res || !res.ok) {
        if (res && !res.ok) console.warn(`[Beckon] message not sent: ${res.error.code}`);
        return mark(p.clientId, 'failed');
      }
      ctx.adopt(res.data.conversation);
      ctx.accept(res.data.message);
    });
  }

  // an edit or a deletion by either side: the log shows the message as it is now
  const changed = (m: Message) => {
    const swap = (list: Message[]) => list.map((x) => (x.id === m.id ? m : x));
    ctx.set({ messages: swap(state().messages), earlier: swap(state().earlier) });
  };
  socket.on('message:changed', changed);
  const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const actions = {
    /** sends a message whose file is uploaded (files.tsx does the upload) */
    deliver,
    /** edits (a text) or takes back (null) the visitor's own last message; resolves with an error text or null */
    change(messageId: string, body: string | null): Promise<string | null> {
      const t = socket.timeout(ACK_TIMEOUT);
      const r = body === null ? t.emitWithAck('message:delete', { messageId }) : t.emitWithAck('message:edit', { messageId, body });
      return r.then(
        (res) => (res.ok ? (changed(res.data.message), null) : res.error.message),
        () => '',
      );
    },
    send(body: string, start?: PendingMessage['start']) {
      const text = body.trim();
      if (!text) return;
      const p: PendingMessage = { clientId: newId(), body: text, status: 'sending', createdAt: Date.now(), start };
      ctx.set({ pending: [...state().pending, p] });
      actions.typing(false);
      deliver(p);
    },
    /** an offline message or a callback request for the inbox; resolves with an error text or null */
    leave(event: 'inbox:message' | 'offer:callback', form: Record<string, string>): Promise<string | null> {
      const t = socket.timeout(ACK_TIMEOUT);
      const f = (k: string) => form[k] ?? '';
      const sent = event === 'offer:callback' ? t.emitWithAck('offer:callback', { offerId: null, name: f('name'), phone: f('phone'), time: f('time') }) : t.emitWithAck('inbox:message', { name: f('name'), email: f('email'), body: f('body') });
      return sent.then(
        (res) => (res.ok ? null : res.error.message),
        () => '',
      );
    },
    seen() {
      const ids = state().answers.map((a) => a.id);
      if (!ids.length || !state().answersUnread) return;
      socket.emit('inbox:seen', { ids });
      ctx.set({ answersUnread: 0 });
    },
    retry(clientId: string) {
      const p = state().pending.find((x) => x.clientId === clientId);
      if (!p) return;
      mark(clientId, 'sending');
      deliver(p);
    },
    discard(clientId: string) {
      ctx.set({ pending: state().pending.filter((x) => x.clientId !== clientId) });
    },
    loadOlder() {
      const s = state();
      const first = s.messages[0];
      if (!first || s.loadingOlder || !s.hasMore) return;
      ctx.set({ loadingOlder: true });
      socket.emit('conversation:history', { beforeSeq: first.seq, conversationId: first.conversationId }, (res: Result<HistoryResult>) => {
        if (!res.ok) return ctx.set({ loadingOlder: false });
        ctx.set({ loadingOlder: false, hasMore: res.data.hasMore, messages: [...res.data.messages.filter((m) => m.seq < first.seq), ...state().messages] });
      });
    },
    typing(on: boolean, text?: string) {
      const c = state().conversation;
      // the draft itself only where the site shows operators a sneak peek (the panel says so)
      if (c && c.status !== 'closed' && socket.connected) socket.emit('typing:set', { typing: on, ...(on && text !== undefined && state().site?.sneakPeek ? { text } : {}) });
    },
  };
  return actions;
}
