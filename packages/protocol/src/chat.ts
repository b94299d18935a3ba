import { z } from 'zod';
import { ClientId, Id, MessageBody, Seq } from './common';
import { AttachmentRef } from './attachments';

export const Sender = z.enum(['visitor', 'operator', 'system']);
export type Sender = z.infer<typeof Sender>;

const Time = z.number().int().min(0);

/** How the chat went, in the visitor's words: better than, as, or worse than expected (DESIGN.md "rating"). */
export const Verdict = z.enum(['better', 'as', 'worse']);
export type Verdict = z.infer<typeof Verdict>;
export const RatingBrief = z.object({ verdict: Verdict, comment: z.string(), nps: z.number().int().min(0).max(10).nullable(), at: Time });
export type RatingBrief = z.infer<typeof RatingBrief>;

export const Message = z.object({
  id: Id,
  conversationId: Id,
  /** position in the conversation, 1-based, gapless */
  seq: z.number().int().min(1),
  clientId: z.string(),
  sender: Sender,
  /** operator's display name; null for the visitor and the system */
  authorName: z.string().nullable(),
  body: z.string(),
  createdAt: Time,
  /** a file sent with the message; the body is its caption or its name */
  attachment: AttachmentRef.nullable().default(null),
  /** its sender changed it (the other side sees "edited") or took it back ("deleted": the text is gone) */
  editedAt: Time.nullable().default(null),
  deletedAt: Time.nullable().default(null),
});
export type Message = z.infer<typeof Message>;

export const ConversationStatus = z.enum(['queued', 'active', 'closed']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

/** visitor_left: no tab of the visitor's for the site's visitorGoneSeconds */
export const CloseReason = z.enum(['operator', 'visitor', 'idle', 'visitor_left']);
export type CloseReason = z.infer<typeof CloseReason>;

/** What a visitor sees of their conversation. */
export const VisitorConversation = z.object({
  id: Id,
  status: ConversationStatus,
  lastSeq: Seq,
  /** the visitor's read mark: operator messages after it are unread */
  readSeq: Seq,
  /** the operators' read mark: the visitor's messages up to it show "Seen" */
  seenSeq: Seq.default(0),
  assignee: z.object({ name: z.string() }).nullable(),
  closedReason: CloseReason.nullable(),
  /** while queued: the honest place in line and expected wait (null: no estimate yet) */
  queue: z.object({ position: z.number().int().min(1), waitMs: z.number().int().min(0).nullable(), overLimit: z.boolean() }).nullable(),
  /** once closed: the visitor's verdict (null: not rated), and until when it may be given or changed */
  rating: RatingBrief.nullable().default(null),
  rateUntil: Time.nullable().default(null),
});
export type VisitorConversation = z.infer<typeof VisitorConversation>;

/** What an operator sees in the list. */
export const ConversationSummary = z.object({
  id: Id,
  siteId: Id,
  visitorId: Id,
  visitorName: z.string(),
  status: ConversationStatus,
  assigneeId: Id.nullable(),
  assigneeName: z.string().nullable(),
  previousId: Id.nullable(),
  lastSeq: Seq,
  unread: z.number().int().min(0),
  /** the visitor's read mark: operator messages up to it show "Seen" */
  visitorReadSeq: Seq.default(0),
  lastMessagePreview: z.string(),
  lastMessageAt: Time,
  createdAt: Time,
  closedAt: Time.nullable(),
  closedReason: CloseReason.nullable(),
  /** since when no tab of the visitor's is open on the site (null: here, or not known); the chat ends after the site's visitorGoneSeconds */
  visitorLeftAt: Time.nullable().default(null),
  priority: z.number().int(),
  department: z.string().nullable(),
  /** while queued: place in line */
  queuePosition: z.number().int().nullable(),
  /** the offer that started it: a rule's invitation (and its variant) or an operator's (ruleId null) */
  origin: z.object({ offerId: Id, ruleId: Id.nullable(), variant: z.string() }).nullable(),
  /** the visitor's verdict after it ended */
  rating: RatingBrief.nullable().default(null),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

// ---- payloads shared by both namespaces
/** `attachmentId`: a file uploaded before (POST /api/widget/attachments, /api/attachments) */
export const SendMessage = z.object({ clientId: ClientId, body: MessageBody, attachmentId: Id.optional() });
/** `conversationId`: the one the client holds; a different current one means start over. */
/** the sender's own last message, within LIMITS.editWindowMs: a new text, or taken back */
export const EditMessage = z.object({ messageId: Id, body: MessageBody });
export const DeleteMessage = z.object({ messageId: Id });
export const SyncRequest = z.object({ lastSeq: Seq, conversationId: Id.optional() });
export const HistoryRequest = z.object({ beforeSeq: Seq, limit: z.number().int().min(1).max(100).optional(), conversationId: Id.optional() });
export const ReadRequest = z.object({ seq: Seq });
export const TypingRequest = z.object({ typing: z.boolean() });
/** The visitor's first message may carry the pre-chat step: a topic, a name, an email. */
export const VisitorSendMessage = SendMessage.extend({
  start: z
    .object({ department: z.string().regex(/^[a-z0-9_-]{1,32}$/).nullable().default(null), name: z.string().trim().max(100).default(''), email: z.email().max(200).or(z.literal('')).default('') })
    .optional(),
});
/** With the site's sneak peek on, the draft rides along (the visitor is told). */
export const VisitorTypingRequest = TypingRequest.extend({ text: z.string().max(4000).optional() });

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
export const OperatorEditMessage = EditMessage.extend(WithConversation.shape);
export const OperatorDeleteMessage = DeleteMessage.extend(WithConversation.shape);
export const OperatorSyncRequest = SyncRequest.extend(WithConversation.shape);
export const OperatorHistoryRequest = HistoryRequest.extend(WithConversation.shape);
export const OperatorReadRequest = ReadRequest.extend(WithConversation.shape);
export const OperatorTypingRequest = TypingRequest.extend(WithConversation.shape);
export const ConversationRef = WithConversation;
/** A page of open conversations, newest activity first; the first page also carries the newest closed ones. */
export const ListCursor = z.object({ at: z.number().int(), id: z.string().min(1).max(64) });
export type ListCursor = z.infer<typeof ListCursor>;
export const ListRequest = z.object({ after: ListCursor.optional(), limit: z.number().int().min(1).max(200).default(100) }).default({ limit: 100 });

/** The visitor's Socket.IO handshake `auth`. */
export const VisitorHandshake = z.object({
  siteKey: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
  token: z.string().max(200).nullish(),
  lang: z.string().max(35).optional(),
});
