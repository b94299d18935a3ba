import { z } from 'zod';
import { ClientId, Id, MessageBody, Seq } from './common';

export const Sender = z.enum(['visitor', 'operator', 'system']);
export type Sender = z.infer<typeof Sender>;

export interface Message {
  id: string;
  conversationId: string;
  /** position in the conversation, 1-based, gapless */
  seq: number;
  clientId: string;
  sender: Sender;
  /** operator's display name; null for the visitor and the system */
  authorName: string | null;
  body: string;
  createdAt: number;
}

export const ConversationStatus = z.enum(['queued', 'active', 'closed']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const CloseReason = z.enum(['operator', 'visitor', 'idle']);
export type CloseReason = z.infer<typeof CloseReason>;

/** What a visitor sees of their conversation. */
export interface VisitorConversation {
  id: string;
  status: ConversationStatus;
  lastSeq: number;
  /** the visitor's read mark: operator messages after it are unread */
  readSeq: number;
  assignee: { name: string } | null;
  closedReason: CloseReason | null;
}

/** What an operator sees in the list. */
export interface ConversationSummary {
  id: string;
  siteId: string;
  visitorId: string;
  visitorName: string;
  status: ConversationStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  previousId: string | null;
  lastSeq: number;
  unread: number;
  lastMessagePreview: string;
  lastMessageAt: number;
  createdAt: number;
  closedAt: number | null;
  closedReason: CloseReason | null;
}

// ---- payloads shared by both namespaces
export const SendMessage = z.object({ clientId: ClientId, body: MessageBody });
/** `conversationId`: the one the client holds; a different current one means start over. */
export const SyncRequest = z.object({ lastSeq: Seq, conversationId: Id.optional() });
export const HistoryRequest = z.object({ beforeSeq: Seq, limit: z.number().int().min(1).max(100).optional(), conversationId: Id.optional() });
export const ReadRequest = z.object({ seq: Seq });
export const TypingRequest = z.object({ typing: z.boolean() });

export interface SyncResult<C> {
  conversation: C | null;
  messages: Message[];
  /** true: `messages` is the newest page, replace what you hold */
  reset: boolean;
  /** older messages exist before the first one returned */
  hasMore: boolean;
}
export interface HistoryResult {
  messages: Message[];
  hasMore: boolean;
}

// ---- operator-side versions name the conversation
const WithConversation = z.object({ conversationId: Id });
export const OperatorSendMessage = SendMessage.extend(WithConversation.shape);
export const OperatorSyncRequest = SyncRequest.extend(WithConversation.shape);
export const OperatorHistoryRequest = HistoryRequest.extend(WithConversation.shape);
export const OperatorReadRequest = ReadRequest.extend(WithConversation.shape);
export const OperatorTypingRequest = TypingRequest.extend(WithConversation.shape);
export const ConversationRef = WithConversation;
export const ListRequest = z.object({}).optional();

/** The visitor's Socket.IO handshake `auth`. */
export const VisitorHandshake = z.object({
  siteKey: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
  token: z.string().max(200).nullish(),
  lang: z.string().max(35).optional(),
});
