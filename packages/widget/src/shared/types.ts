/** The contract between the loader (owns the socket and the state) and the lazy UI. */
import type { Wire } from '../loader/wire';
import type { InboxAnswer, Lang, Message, OfferView, VisitorClientEvents, VisitorConversation, VisitorServerEvents, WidgetSite } from '@beckon/protocol';

export type VisitorSocket = Wire<VisitorServerEvents, VisitorClientEvents>;

export type Connection = 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface PendingMessage {
  clientId: string;
  body: string;
  status: 'sending' | 'failed';
  createdAt: number;
  /** the pre-chat step's answers, sent with the first message */
  start?: { department: string | null; name: string; email: string };
  /** a file uploaded for this message (absent while it uploads) */
  attachmentId?: string;
  uploading?: boolean;
}

export interface WidgetState {
  connection: Connection;
  open: boolean;
  lang: Lang;
  site: WidgetSite | null;
  conversation: VisitorConversation | null;
  /** confirmed messages of the current conversation, by seq */
  messages: Message[];
  /** messages of conversations that ended while this page was open */
  earlier: Message[];
  pending: PendingMessage[];
  hasMore: boolean;
  loadingOlder: boolean;
  /** name (or team name) of the operator typing right now */
  typing: string | null;
  unread: number;
  /** the offer on screen (one at a time) */
  offer: OfferView | null;
  /** answers to the visitor's offline messages, not yet seen */
  answers: InboxAnswer[];
  /** of those, how many the visitor has not looked at (counted on the launcher's badge) */
  answersUnread: number;
}

/**
 * What the loader hands the UI: its state, its one socket, and the few operations that
 * must stay in the loader (they run before the UI is loaded). The UI builds the rest
 * (sending, retrying, paging, typing) on top, so none of it weighs on the first load.
 */
export interface WidgetContext {
  /** where to render: inside the widget's shadow root */
  mount: HTMLElement;
  /** the launcher, to give focus back to when the panel closes */
  launcher: HTMLElement;
  getState(): WidgetState;
  subscribe(fn: () => void): () => void;
  set(patch: Partial<WidgetState>): void;
  socket: VisitorSocket;
  /** take in a confirmed message (dedupes, detects gaps) */
  accept(m: Message): void;
  /** take in the conversation's new state */
  adopt(c: VisitorConversation): void;
  setOpen(open: boolean): void;
  emitPublic(event: string, data?: unknown): void;
  /** the server, the site's key and the visitor's token: for uploading files over HTTP */
  server(): { base: string; key: string; token: string | null };
  /** where a lazy part is served (the rating card: fetched once a chat ends) */
  partUrl(part: 'rating' | 'more'): string;
}

/** Each lazy part (the panel, the offer cards) calls this global once, when it has loaded. */
export type UiRegister = (part: 'panel' | 'offer', render: (ctx: WidgetContext) => void) => void;
export const UI_REGISTER = '__beckonUI';
