/**
 * Socket.IO event maps, `domain:verb`. Both sides pass them to the typed
 * `Server<C2S, S2C>` / client `Socket<S2C, C2S>`; payload schemas live in chat.ts.
 */
import type { z } from 'zod';
import type { Ack, Result } from './errors';
import type {
  ConversationSummary,
  HistoryRequest,
  HistoryResult,
  Message,
  OperatorHistoryRequest,
  OperatorReadRequest,
  OperatorSendMessage,
  OperatorSyncRequest,
  OperatorTypingRequest,
  ReadRequest,
  SendMessage,
  SyncRequest,
  SyncResult,
  TypingRequest,
  VisitorConversation,
  ConversationRef,
} from './chat';
import type { OperatorStatus } from './common';
import type { WidgetSite } from './site';

type In<S extends z.ZodType> = z.input<S>;

/** The visitor's handshake `auth` payload. */
export interface VisitorAuth {
  siteKey: string;
  token?: string | null;
  lang?: string;
}

export interface VisitorSession {
  visitorId: string;
  /** server-signed; keep it and send it back as `auth.token` */
  token: string;
  site: WidgetSite;
  conversation: VisitorConversation | null;
}

export interface VisitorClientEvents {
  'message:send': (p: In<typeof SendMessage>, ack: Ack<{ message: Message; conversation: VisitorConversation }>) => void;
  'conversation:sync': (p: In<typeof SyncRequest>, ack: Ack<SyncResult<VisitorConversation>>) => void;
  'conversation:history': (p: In<typeof HistoryRequest>, ack: Ack<HistoryResult>) => void;
  'conversation:read': (p: In<typeof ReadRequest>) => void;
  'typing:set': (p: In<typeof TypingRequest>) => void;
}

export interface VisitorServerEvents {
  'session:ready': (s: VisitorSession) => void;
  'message:new': (m: Message) => void;
  'conversation:update': (c: VisitorConversation) => void;
  'typing:update': (t: { typing: boolean; name: string | null }) => void;
  'site:update': (s: WidgetSite) => void;
}

export interface OperatorClientEvents {
  'operator:status': (p: { status: OperatorStatus }, ack: Ack<{ status: OperatorStatus }>) => void;
  'conversation:list': (p: Record<string, never>, ack: Ack<{ conversations: ConversationSummary[] }>) => void;
  'conversation:sync': (p: In<typeof OperatorSyncRequest>, ack: Ack<SyncResult<ConversationSummary>>) => void;
  'conversation:history': (p: In<typeof OperatorHistoryRequest>, ack: Ack<HistoryResult>) => void;
  'conversation:read': (p: In<typeof OperatorReadRequest>) => void;
  'conversation:close': (p: In<typeof ConversationRef>, ack: Ack<{ conversation: ConversationSummary }>) => void;
  'conversation:take': (p: In<typeof ConversationRef>, ack: Ack<{ conversation: ConversationSummary }>) => void;
  'message:send': (p: In<typeof OperatorSendMessage>, ack: Ack<{ message: Message }>) => void;
  'typing:set': (p: In<typeof OperatorTypingRequest>) => void;
}

export interface OperatorServerEvents {
  'operator:status': (p: { status: OperatorStatus }) => void;
  'conversation:upsert': (c: ConversationSummary) => void;
  'message:new': (m: Message) => void;
  'typing:update': (t: { conversationId: string; typing: boolean }) => void;
}

export type { Result };
