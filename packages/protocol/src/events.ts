/**
 * Socket.IO event maps, `domain:verb`. Both sides pass them to the typed
 * `Server<C2S, S2C>` / client `Socket<S2C, C2S>`; payload schemas live in chat.ts.
 */
import { z } from 'zod';
import type { Ack, Result } from './errors';
import { ConversationSummary, Message, VisitorConversation } from './chat';
import type {
  HistoryRequest,
  HistoryResult,
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
  ConversationRef,
} from './chat';
import { Id, OperatorStatus } from './common';
import { WidgetSite } from './site';
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
  'message:send': (p: In<typeof SendMessage>, ack: Ack<{ message: Message; conversation: VisitorConversation }>) => void;
  'conversation:sync': (p: In<typeof SyncRequest>, ack: Ack<SyncResult<VisitorConversation>>) => void;
  'conversation:history': (p: In<typeof HistoryRequest>, ack: Ack<HistoryResult>) => void;
  'conversation:read': (p: In<typeof ReadRequest>) => void;
  'typing:set': (p: In<typeof TypingRequest>) => void;
  'journey:batch': (p: In<typeof JourneyBatch>, ack: Ack<{ received: number }>) => void;
  'offer:dismiss': (p: In<typeof OfferRef>, ack: Ack<{ offerId: string }>) => void;
  /** invitations start a conversation; other offers record the click or the copied code */
  'offer:accept': (p: In<typeof OfferAccept>, ack: Ack<{ offerId: string; conversation: VisitorConversation | null }>) => void;
  'offer:lead': (p: In<typeof LeadSubmit>, ack: Ack<{ itemId: string }>) => void;
  'offer:callback': (p: In<typeof CallbackSubmit>, ack: Ack<{ itemId: string }>) => void;
}

export const OfferHide = z.object({ id: Id, reason: z.enum(['dismissed', 'accepted', 'expired', 'replaced']) });

export interface VisitorServerEvents {
  'session:ready': (s: VisitorSession) => void;
  'message:new': (m: Message) => void;
  'conversation:update': (c: VisitorConversation) => void;
  'typing:update': (t: { typing: boolean; name: string | null }) => void;
  'site:update': (s: WidgetSite) => void;
  'offer:show': (o: OfferView) => void;
  'offer:hide': (h: z.infer<typeof OfferHide>) => void;
}

export const VisitorsWatch = z.object({ siteId: Id, filter: z.string().max(100).default(''), offset: z.number().int().min(0).max(1_000_000).default(0) });
export const VisitorRef = z.object({ visitorId: Id });
export interface VisitorsPage {
  siteId: string;
  total: number;
  offset: number;
  visitors: LiveVisitor[];
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
  /** the live visitors board: one page, filtered; refreshed by `visitors:page` about once a second */
  'visitors:watch': (p: In<typeof VisitorsWatch>, ack: Ack<VisitorsPage>) => void;
  'visitors:unwatch': (p: Record<string, never>) => void;
  'visitor:invite': (p: In<typeof ManualInvite>, ack: Ack<{ offerId: string }>) => void;
  'visitor:journey': (p: In<typeof VisitorRef>, ack: Ack<{ visitor: LiveVisitor | null; entries: JourneyEntry[] }>) => void;
}

export interface OperatorServerEvents {
  'operator:status': (p: { status: OperatorStatus }) => void;
  'conversation:upsert': (c: ConversationSummary) => void;
  'message:new': (m: Message) => void;
  'typing:update': (t: { conversationId: string; typing: boolean }) => void;
  'visitors:page': (p: VisitorsPage) => void;
  'inbox:new': (p: { id: string; kind: 'message' | 'callback' | 'lead' }) => void;
}

export type { Result };

/**
 * Schemas of what the server sends, event by event: the contract tests check every event
 * the server emits against these.
 */
export const VisitorServerEventSchemas = {
  'session:ready': VisitorSession,
  'message:new': Message,
  'conversation:update': VisitorConversation,
  'typing:update': z.object({ typing: z.boolean(), name: z.string().nullable() }),
  'site:update': WidgetSite,
  'offer:show': OfferView,
  'offer:hide': OfferHide,
} satisfies { [K in keyof VisitorServerEvents]: z.ZodType<Parameters<VisitorServerEvents[K]>[0]> };

export const OperatorServerEventSchemas = {
  'operator:status': z.object({ status: OperatorStatus }),
  'conversation:upsert': ConversationSummary,
  'message:new': Message,
  'typing:update': z.object({ conversationId: Id, typing: z.boolean() }),
  'inbox:new': z.object({ id: Id, kind: z.enum(['message', 'callback', 'lead']) }),
  'visitors:page': z.object({ siteId: Id, total: z.number().int(), offset: z.number().int(), visitors: z.array(z.looseObject({ visitorId: Id })) }) as unknown as z.ZodType<VisitorsPage>,
} satisfies { [K in keyof OperatorServerEvents]: z.ZodType<Parameters<OperatorServerEvents[K]>[0]> };
