/**
 * Socket.IO event maps, `domain:verb`. Both sides pass them to the typed
 * `Server<C2S, S2C>` / client `Socket<S2C, C2S>`; payload schemas live in chat.ts.
 */
import { z } from 'zod';
import type { Ack, Result } from './errors';
import { ConversationSummary, Message, VisitorConversation, type RatingBrief } from './chat';
import { RateConversation, TranscriptRequest } from './quality';
import {
  ListRequest,
  type ListCursor,
  HistoryRequest,
  type HistoryResult,
  OperatorHistoryRequest,
  OperatorReadRequest,
  OperatorSendMessage,
  OperatorSyncRequest,
  OperatorTypingRequest,
  ReadRequest,
  type SendMessage,
  SyncRequest,
  type SyncResult,
  ConversationRef,
  VisitorSendMessage,
  VisitorTypingRequest,
  EditMessage,
  DeleteMessage,
  OperatorEditMessage,
  OperatorDeleteMessage,
} from './chat';
import { Id, MessageBody, OperatorStatus, Seq } from './common';
import { DepartmentId, WidgetSite } from './site';
import { CallbackSubmit, JourneyBatch, LeadSubmit, ManualInvite, OfferAccept, OfferRef, OfferView, type JourneyEntry, type LiveVisitor } from './journey';

type In<S extends z.ZodType> = z.input<S>;

/** The visitor's handshake `auth` payload. */
export interface VisitorAuth {
  siteKey: string;
  token?: string | null;
  lang?: string;
}

export const VisitorSession = z.object({
  visitorId: Id,
  /** server-signed; keep it and send it back as `auth.token` */
  token: z.string(),
  site: WidgetSite,
  conversation: VisitorConversation.nullable(),
});
export type VisitorSession = z.infer<typeof VisitorSession>;

export interface VisitorClientEvents {
  'message:send': (p: In<typeof VisitorSendMessage>, ack: Ack<{ message: Message; conversation: VisitorConversation }>) => void;
  'message:edit': (p: In<typeof EditMessage>, ack: Ack<{ message: Message }>) => void;
  'message:delete': (p: In<typeof DeleteMessage>, ack: Ack<{ message: Message }>) => void;
  'conversation:sync': (p: In<typeof SyncRequest>, ack: Ack<SyncResult<VisitorConversation>>) => void;
  'conversation:history': (p: In<typeof HistoryRequest>, ack: Ack<HistoryResult>) => void;
  'conversation:read': (p: In<typeof ReadRequest>) => void;
  'typing:set': (p: In<typeof VisitorTypingRequest>) => void;
  /** nobody online (or outside hours): a message for the inbox */
  'inbox:message': (p: In<typeof OfflineMessage>, ack: Ack<{ itemId: string }>) => void;
  /** the visitor has read the answers to their offline messages */
  'inbox:seen': (p: In<typeof InboxSeen>) => void;
  'journey:batch': (p: In<typeof JourneyBatch>, ack: Ack<{ received: number }>) => void;
  'offer:dismiss': (p: In<typeof OfferRef>, ack: Ack<{ offerId: string }>) => void;
  /** invitations start a conversation; other offers record the click or the copied code */
  'offer:accept': (p: In<typeof OfferAccept>, ack: Ack<{ offerId: string; conversation: VisitorConversation | null }>) => void;
  'offer:lead': (p: In<typeof LeadSubmit>, ack: Ack<{ itemId: string }>) => void;
  'offer:callback': (p: In<typeof CallbackSubmit>, ack: Ack<{ itemId: string }>) => void;
  /** how the ended chat went (changeable until `rateUntil`) */
  'conversation:rate': (p: In<typeof RateConversation>, ack: Ack<{ rating: RatingBrief; rateUntil: number }>) => void;
  /** the conversation by email (only when the site says email works) */
  'conversation:transcript': (p: In<typeof TranscriptRequest>, ack: Ack<{ queued: true }>) => void;
}

export const OfferHide = z.object({ id: Id, reason: z.enum(['dismissed', 'accepted', 'expired', 'replaced']) });

export interface VisitorServerEvents {
  'session:ready': (s: VisitorSession) => void;
  'message:new': (m: Message) => void;
  /** a message was edited or deleted by its sender */
  'message:changed': (m: Message) => void;
  'conversation:update': (c: VisitorConversation) => void;
  'typing:update': (t: { typing: boolean; name: string | null }) => void;
  'site:update': (s: WidgetSite) => void;
  'offer:show': (o: OfferView) => void;
  'offer:hide': (h: z.infer<typeof OfferHide>) => void;
  /** answers to offline messages the visitor has not seen yet */
  'inbox:answers': (a: InboxAnswer[]) => void;
}

export const OfflineMessage = z.object({ name: z.string().trim().min(1).max(100), email: z.email().max(200), body: MessageBody });
export const InboxSeen = z.object({ ids: z.array(Id).min(1).max(50) });
export const InboxAnswer = z.object({ id: Id, question: z.string(), answer: z.string(), answeredAt: z.number().int(), by: z.string() });
export type InboxAnswer = z.infer<typeof InboxAnswer>;

export const Transfer = z.object({ conversationId: Id, operatorId: Id.optional(), department: DepartmentId.optional(), note: z.string().trim().max(2000).default('') }).refine((t) => !!t.operatorId !== !!t.department, 'transfer to an operator or to a department');
export const Reassign = z.object({ conversationId: Id, operatorId: Id });
export const NoteAdd = z.object({ conversationId: Id, body: MessageBody });
/** by visitor id; `byAddress` also blocks their network address (an office or a phone network may share it) */
export const BlockVisitor = z.object({ visitorId: Id, reason: z.string().trim().min(1).max(300), byAddress: z.boolean().default(false) });
export const SiteRef = z.object({ siteId: Id });
/** An operator corrects what the visitor told (a typo in the email, a name given in the chat). */
export const VisitorUpdate = z
  .object({
    visitorId: Id,
    name: z.string().trim().max(80).nullable().optional(),
    email: z.union([z.literal(''), z.email().max(200)]).nullable().optional(),
  })
  .refine((v) => v.name !== undefined || v.email !== undefined, 'nothing to change');

export const Note = z.object({ id: Id, conversationId: Id, authorName: z.string(), body: z.string(), createdAt: z.number().int() });
export type Note = z.infer<typeof Note>;

/** One routing decision, as stored ("why this operator", "why still waiting"). */
export interface RoutingEvent {
  kind: string;
  operatorName: string | null;
  reason: Record<string, unknown>;
  at: number;
}

/** The supervisor's view of a site. */
export interface FloorView {
  operators: { accountId: string; name: string; status: OperatorStatus; capacity: number; active: number; skills: string[]; chats: { id: string; visitorName: string; since: number }[] }[];
  queue: { id: string; visitorName: string; position: number; waitingMs: number; expectedMs: number | null; priority: number; department: string | null; why: Record<string, unknown> | null }[];
  /** mean handling time of recent chats, ms (null: too few yet) */
  handlingMs: number | null;
}

export const VisitorsWatch = z.object({ siteId: Id, filter: z.string().max(100).default(''), offset: z.number().int().min(0).max(1_000_000).default(0) });
export const VisitorRef = z.object({ visitorId: Id });
/** The visitor sidebar beside a conversation. */
export interface VisitorDetails {
  visitor: LiveVisitor | null;
  entries: JourneyEntry[];
  identity: { userId: string | null; name: string | null; email: string | null };
  /** from the browser's User-Agent and clock: "Chrome 120 · Windows", the visitor's UTC offset in minutes */
  client: { browser: string | null; os: string | null; tzOffset: number | null };
  previous: { id: string; status: string; createdAt: number; preview: string }[];
}

export interface VisitorsPage {
  siteId: string;
  total: number;
  offset: number;
  visitors: LiveVisitor[];
}

export interface OperatorClientEvents {
  'operator:status': (p: In<typeof StatusRequest>, ack: Ack<{ status: OperatorStatus }>) => void;
  'conversation:list': (p: In<typeof ListRequest>, ack: Ack<{ conversations: ConversationSummary[]; next: ListCursor | null }>) => void;
  'conversation:sync': (p: In<typeof OperatorSyncRequest>, ack: Ack<SyncResult<ConversationSummary>>) => void;
  'conversation:history': (p: In<typeof OperatorHistoryRequest>, ack: Ack<HistoryResult>) => void;
  'conversation:read': (p: In<typeof OperatorReadRequest>) => void;
  'conversation:close': (p: In<typeof ConversationRef>, ack: Ack<{ conversation: ConversationSummary }>) => void;
  'conversation:take': (p: In<typeof ConversationRef>, ack: Ack<{ conversation: ConversationSummary }>) => void;
  'message:send': (p: In<typeof OperatorSendMessage>, ack: Ack<{ message: Message }>) => void;
  'message:edit': (p: In<typeof OperatorEditMessage>, ack: Ack<{ message: Message }>) => void;
  'message:delete': (p: In<typeof OperatorDeleteMessage>, ack: Ack<{ message: Message }>) => void;
  'typing:set': (p: In<typeof OperatorTypingRequest>) => void;
  /** the live visitors board: one page, filtered; refreshed by `visitors:page` about once a second */
  'visitors:watch': (p: In<typeof VisitorsWatch>, ack: Ack<VisitorsPage>) => void;
  'visitors:unwatch': (p: In<typeof Nothing>) => void;
  'visitor:invite': (p: In<typeof ManualInvite>, ack: Ack<{ offerId: string }>) => void;
  'conversation:transfer': (p: In<typeof Transfer>, ack: Ack<{ conversation: ConversationSummary }>) => void;
  /** supervisors and admins: give a conversation to another operator */
  'conversation:reassign': (p: In<typeof Reassign>, ack: Ack<{ conversation: ConversationSummary }>) => void;
  'conversation:why': (p: In<typeof ConversationRef>, ack: Ack<{ events: RoutingEvent[] }>) => void;
  'note:add': (p: In<typeof NoteAdd>, ack: Ack<{ note: Note }>) => void;
  'note:list': (p: In<typeof ConversationRef>, ack: Ack<{ notes: Note[] }>) => void;
  'visitor:block': (p: In<typeof BlockVisitor>, ack: Ack<{ blocked: true }>) => void;
  'floor:get': (p: In<typeof SiteRef>, ack: Ack<FloorView>) => void;
  'visitor:journey': (p: In<typeof VisitorRef>, ack: Ack<VisitorDetails>) => void;
  'visitor:update': (p: In<typeof VisitorUpdate>, ack: Ack<{ identity: VisitorDetails['identity'] }>) => void;
}

/**
 * What a message changes in its conversation's summary beyond what the message says itself (its
 * seq is the conversation's last, its time the last message's, its first LIMITS.previewChars
 * characters the preview). The consoles' copy of a visitor's or an operator's message carries it:
 * one small frame keeps the chat list current, where a second frame (`conversation:upsert`) or
 * the whole summary with every message were each a read of the visitor and the assignee.
 */
export const MessageHead = z.object({ unread: z.number().int().min(0), visitorReadSeq: Seq });
export type MessageHead = z.infer<typeof MessageHead>;

/** A new message as operators get it: with `head` when it is the conversation's news in itself. */
export const OperatorMessage = Message.extend({ head: MessageHead.optional() });
export type OperatorMessage = z.infer<typeof OperatorMessage>;

/** messages in one `messages:new` frame at most */
export const MESSAGES_PER_FRAME = 100;

export interface OperatorServerEvents {
  'operator:status': (p: { status: OperatorStatus }) => void;
  'conversation:upsert': (c: ConversationSummary) => void;
  /**
   * New messages of the operator's sites, oldest first: the ones stored in the same turn come in
   * one frame (a console watching busy chats took a frame, and the server a write, per message).
   */
  'messages:new': (ms: OperatorMessage[]) => void;
  /** a message was edited or deleted by its sender */
  'message:changed': (m: Message) => void;
  'typing:update': (t: { conversationId: string; typing: boolean; text?: string }) => void;
  'note:new': (n: Note) => void;
  'visitors:page': (p: VisitorsPage) => void;
  'inbox:new': (p: { id: string; kind: 'message' | 'callback' | 'lead' }) => void;
  /** a follow-up was opened or changed (supervisors' count and list) */
  'followup:new': (p: { id: string; siteId: string }) => void;
}

export type { Result };

/**
 * Schemas of what the server sends, event by event: the contract tests check every event
 * the server emits against these.
 */
export const VisitorServerEventSchemas = {
  'session:ready': VisitorSession,
  'message:new': Message,
  'message:changed': Message,
  'conversation:update': VisitorConversation,
  'typing:update': z.object({ typing: z.boolean(), name: z.string().nullable() }),
  'site:update': WidgetSite,
  'offer:show': OfferView,
  'offer:hide': OfferHide,
  'inbox:answers': z.array(InboxAnswer),
} satisfies { [K in keyof VisitorServerEvents]: z.ZodType<Parameters<VisitorServerEvents[K]>[0]> };

export const OperatorServerEventSchemas = {
  'operator:status': z.object({ status: OperatorStatus }),
  'conversation:upsert': ConversationSummary,
  'messages:new': z.array(OperatorMessage).min(1).max(MESSAGES_PER_FRAME),
  'message:changed': Message,
  'typing:update': z.object({ conversationId: Id, typing: z.boolean(), text: z.string().optional() }),
  'note:new': Note,
  'inbox:new': z.object({ id: Id, kind: z.enum(['message', 'callback', 'lead']) }),
  'followup:new': z.object({ id: Id, siteId: Id }),
  'visitors:page': z.object({ siteId: Id, total: z.number().int(), offset: z.number().int(), visitors: z.array(z.looseObject({ visitorId: Id })) }) as unknown as z.ZodType<VisitorsPage>,
} satisfies { [K in keyof OperatorServerEvents]: z.ZodType<Parameters<OperatorServerEvents[K]>[0]> };

export const StatusRequest = z.object({ status: z.enum(['online', 'away']) });
const Nothing = z.object({}).optional();

/**
 * Schemas of what clients send, event by event, beside the server-event ones above: the server
 * registers each handler with its schema from here (realtime/guard.ts), and the event maps
 * above give the payload and the acknowledgement their types, end to end.
 */
export const VisitorClientEventSchemas = {
  'message:send': VisitorSendMessage,
  'message:edit': EditMessage,
  'message:delete': DeleteMessage,
  'conversation:sync': SyncRequest,
  'conversation:history': HistoryRequest,
  'conversation:read': ReadRequest,
  'typing:set': VisitorTypingRequest,
  'inbox:message': OfflineMessage,
  'inbox:seen': InboxSeen,
  'journey:batch': JourneyBatch,
  'offer:dismiss': OfferRef,
  'offer:accept': OfferAccept,
  'offer:lead': LeadSubmit,
  'offer:callback': CallbackSubmit,
  'conversation:rate': RateConversation,
  'conversation:transcript': TranscriptRequest,
} satisfies { [K in keyof VisitorClientEvents]: z.ZodType<unknown, Parameters<VisitorClientEvents[K]>[0]> };

export const OperatorClientEventSchemas = {
  'operator:status': StatusRequest,
  'conversation:list': ListRequest,
  'conversation:sync': OperatorSyncRequest,
  'conversation:history': OperatorHistoryRequest,
  'conversation:read': OperatorReadRequest,
  'conversation:close': ConversationRef,
  'conversation:take': ConversationRef,
  'message:send': OperatorSendMessage,
  'message:edit': OperatorEditMessage,
  'message:delete': OperatorDeleteMessage,
  'typing:set': OperatorTypingRequest,
  'visitors:watch': VisitorsWatch,
  'visitors:unwatch': Nothing,
  'visitor:invite': ManualInvite,
  'conversation:transfer': Transfer,
  'conversation:reassign': Reassign,
  'conversation:why': ConversationRef,
  'note:add': NoteAdd,
  'note:list': ConversationRef,
  'visitor:block': BlockVisitor,
  'floor:get': SiteRef,
  'visitor:journey': VisitorRef,
  'visitor:update': VisitorUpdate,
} satisfies { [K in keyof OperatorClientEvents]: z.ZodType<unknown, Parameters<OperatorClientEvents[K]>[0]> };

/** The data an event's acknowledgement carries (void for events without one). */
export type AckData<F> = F extends (p: never, ack: (r: Result<infer T>) => void) => void ? T : void;
