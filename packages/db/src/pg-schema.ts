/**
 * The same schema for PostgreSQL (cluster mode, issue 13): the same tables, columns and indexes as
 * ./schema.ts (a test holds the two together). Times are bigint milliseconds (read as numbers),
 * JSON is jsonb, flags are booleans. Migrations in ../drizzle-pg are generated from it by
 * drizzle-kit (drizzle.pg.config.ts).
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const sites = pgTable('sites', {
  id: text('id').primaryKey(),
  /** public key pasted in the script tag */
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  allowedOrigins: jsonb('allowed_origins').$type<string[]>().notNull(),
  appearance: jsonb('appearance').notNull(),
  defaultLang: text('default_lang', { enum: ['en', 'ru'] }).notNull(),
  idleCloseMinutes: bigint('idle_close_minutes', { mode: 'number' }).notNull(),
  engagement: jsonb('engagement'),
  hours: jsonb('hours'),
  /** signs Beckon('identify') calls */
  identitySecret: text('identity_secret'),
  /** RoutingSettings (protocol) */
  routing: jsonb('routing'),
  /** the phrase guard's list; null: the seeded one */
  phrases: jsonb('phrases'),
  /** RetentionSettings (protocol); null: the defaults */
  retention: jsonb('retention'),
  /** QualitySettings (protocol); null: the defaults */
  quality: jsonb('quality'),
  /** files in chats: on or off, largest size (AttachmentSettings) */
  attachments: jsonb('attachments'),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  /** which pushes this person wants (PushPrefs); null: the defaults */
  pushPrefs: jsonb('push_prefs'),
});

export const memberships = pgTable(
  'memberships',
  {
    accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['admin', 'supervisor', 'operator'] }).notNull(),
    capacity: bigint('capacity', { mode: 'number' }).notNull(),
    /** department ids this member serves; empty: all */
    skills: jsonb('skills').$type<string[]>(),
    /** a disabled member keeps their history but cannot work on the site */
    disabled: boolean('disabled').notNull().default(false),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.siteId] }), index('memberships_site').on(t.siteId)],
);

export const authSessions = pgTable(
  'auth_sessions',
  {
    /** sha256 of the cookie token: a stolen database does not yield live sessions */
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('auth_sessions_account').on(t.accountId)],
);

export const visitors = pgTable(
  'visitors',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name'),
    email: text('email'),
    lang: text('lang'),
    userAgent: text('user_agent'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
    /** the site's own user id, once verified by Beckon('identify') */
    userId: text('user_id'),
    visits: bigint('visits', { mode: 'number' }).notNull().default(0),
    sessionStartedAt: bigint('session_started_at', { mode: 'number' }),
    segment: jsonb('segment').$type<string[]>(),
  },
  (t) => [index('visitors_site').on(t.siteId)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['queued', 'active', 'closed'] }).notNull(),
    assigneeId: text('assignee_id').references(() => accounts.id, { onDelete: 'set null' }),
    /** the closed conversation this one continues */
    previousId: text('previous_id'),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
    lastMessageAt: bigint('last_message_at', { mode: 'number' }).notNull(),
    lastMessagePreview: text('last_message_preview').notNull(),
    visitorReadSeq: bigint('visitor_read_seq', { mode: 'number' }).notNull(),
    operatorReadSeq: bigint('operator_read_seq', { mode: 'number' }).notNull(),
    /** visitor messages after the operators' read mark, kept current on every write */
    operatorUnread: bigint('operator_unread', { mode: 'number' }).notNull().default(0),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    assignedAt: bigint('assigned_at', { mode: 'number' }),
    closedAt: bigint('closed_at', { mode: 'number' }),
    closedReason: text('closed_reason', { enum: ['operator', 'visitor', 'idle', 'visitor_left'] }),
    /** the offer (invitation) that started it */
    offerId: text('offer_id'),
    ruleId: text('rule_id'),
    variant: text('variant'),
    /** routing: higher first */
    priority: bigint('priority', { mode: 'number' }).notNull().default(0),
    department: text('department'),
    /** times it moved on unanswered since it was last queued */
    moves: bigint('moves', { mode: 'number' }).notNull().default(0),
    /** operators it was offered to without an answer */
    tried: jsonb('tried').$type<string[]>(),
    /** back from too many moves: first in the queue among its priority */
    head: boolean('head').notNull().default(false),
    /** the latest operator message */
    lastOperatorAt: bigint('last_operator_at', { mode: 'number' }),
    /** for the metrics (issue 10): the first operator reply, the first assignment, messages of each side */
    firstOperatorAt: bigint('first_operator_at', { mode: 'number' }),
    firstAssignedAt: bigint('first_assigned_at', { mode: 'number' }),
    visitorMessages: bigint('visitor_messages', { mode: 'number' }).notNull().default(0),
    operatorMessages: bigint('operator_messages', { mode: 'number' }).notNull().default(0),
    /** the visitor's rating, kept here too (ratings is the record): the dashboard reads one table */
    ratingVerdict: text('rating_verdict', { enum: ['better', 'as', 'worse'] }),
    ratingNps: bigint('rating_nps', { mode: 'number' }),
  },
  (t) => [index('conversations_site_status').on(t.siteId, t.status), index('conversations_visitor').on(t.visitorId, t.createdAt), index('conversations_assignee').on(t.assigneeId, t.status), index('conversations_site_created').on(t.siteId, t.createdAt),
    // one open conversation per visitor, whichever node starts it (SQLite: one process decides)
    uniqueIndex('conversations_one_open').on(t.visitorId).where(sql`${t.status} <> 'closed'`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    clientId: text('client_id').notNull(),
    sender: text('sender', { enum: ['visitor', 'operator', 'system'] }).notNull(),
    /** visitor id or account id: the idempotency key is (conversation, sender, sender id, client id) */
    senderId: text('sender_id').notNull(),
    authorName: text('author_name'),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    /** the file sent with it (AttachmentRef), as it was when sent */
    attachment: jsonb('attachment'),
    /** changed or taken back by its sender (a deleted message keeps no text) */
    editedAt: bigint('edited_at', { mode: 'number' }),
    deletedAt: bigint('deleted_at', { mode: 'number' }),
  },
  // messages_client: one message per (sender, client id) in a conversation, and led by the sender's
  // id so that a retried message id is found across the visitor's conversations (a retry after a
  // close). One index for both: each is a page written per message (it was two, issue 9)
  (t) => [uniqueIndex('messages_seq').on(t.conversationId, t.seq), uniqueIndex('messages_client').on(t.senderId, t.clientId, t.sender, t.conversationId)],
);

export const rules = pgTable(
  'rules',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    /** the RuleInput, validated by protocol */
    definition: jsonb('definition').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('rules_site').on(t.siteId)],
);

export const offers = pgTable(
  'offers',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    /** null: a manual invitation by an operator */
    ruleId: text('rule_id'),
    ruleName: text('rule_name').notNull(),
    variant: text('variant').notNull(),
    kind: text('kind').notNull(),
    /** shown, or holdout: a would-be offer not shown (the visitor is in the rule's holdout) */
    holdout: boolean('holdout').notNull(),
    sessionStartedAt: bigint('session_started_at', { mode: 'number' }).notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    dismissedAt: bigint('dismissed_at', { mode: 'number' }),
    acceptedAt: bigint('accepted_at', { mode: 'number' }),
    expiredAt: bigint('expired_at', { mode: 'number' }),
    convertedAt: bigint('converted_at', { mode: 'number' }),
    value: bigint('value_cents', { mode: 'number' }),
    goalEvent: text('goal_event'),
    goalWindowHours: bigint('goal_window_hours', { mode: 'number' }),
    conversationId: text('conversation_id'),
    invitedBy: text('invited_by'),
    /** when a shown offer goes if nothing happens to it first (null: a holdout record, never shown) */
    expiresAt: bigint('expires_at', { mode: 'number' }),
  },
  // offers_open: the offer's expiry is its deadline, kept with it (see schema.ts)
  (t) => [index('offers_visitor').on(t.visitorId, t.createdAt), index('offers_rule').on(t.siteId, t.ruleId), index('offers_open').on(t.expiresAt).where(sql`${t.expiresAt} is not null and ${t.expiredAt} is null and ${t.dismissedAt} is null and ${t.acceptedAt} is null`)],
);

export const offerHolds = pgTable(
  'offer_holds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    siteId: text('site_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    ruleId: text('rule_id').notNull(),
    reason: text('reason').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [index('offer_holds_visitor').on(t.visitorId, t.at), index('offer_holds_at').on(t.at)],
);

export const journeyEvents = pgTable(
  'journey_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    siteId: text('site_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [index('journey_events_visitor').on(t.visitorId, t.at), index('journey_events_at').on(t.at)],
);

export const inboxItems = pgTable(
  'inbox_items',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull(),
    kind: text('kind', { enum: ['message', 'callback', 'lead'] }).notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone').notNull(),
    /** callback: when to call */
    preferredTime: text('preferred_time').notNull(),
    body: text('body').notNull(),
    offerId: text('offer_id'),
    /** the page it was sent from */
    pageUrl: text('page_url').notNull(),
    assigneeId: text('assignee_id'),
    answer: text('answer'),
    answeredAt: bigint('answered_at', { mode: 'number' }),
    answerSeenAt: bigint('answer_seen_at', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    resolvedAt: bigint('resolved_at', { mode: 'number' }),
  },
  (t) => [index('inbox_site').on(t.siteId, t.status, t.createdAt), index('inbox_visitor').on(t.visitorId)],
);

export const routingEvents = pgTable(
  'routing_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    siteId: text('site_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    /** assigned, queued, moved, requeued, transferred, taken, reassigned */
    kind: text('kind').notNull(),
    operatorId: text('operator_id'),
    /** the reason, structured (AssignReason, WaitReason, …) */
    reason: jsonb('reason').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [index('routing_events_conv').on(t.conversationId, t.at)],
);

export const notes = pgTable(
  'notes',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('notes_conv').on(t.conversationId, t.createdAt)],
);

export const canned = pgTable(
  'canned',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    /** null: shared with the site; otherwise one operator's own */
    ownerId: text('owner_id'),
    shortcut: text('shortcut').notNull(),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('canned_site').on(t.siteId)],
);

export const blocks = pgTable(
  'blocks',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id'),
    ip: text('ip'),
    reason: text('reason').notNull(),
    byId: text('by_id').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('blocks_site').on(t.siteId)],
);

/**
 * Stored due times (DESIGN.md "deadline"): no-answer, grace, offer expiry, … One row per
 * (kind, key); a node claims a due row with a conditional update, acts on it, then deletes it
 * (only if it was not rescheduled meanwhile). A claim older than the lease is taken over.
 */
export const deadlines = pgTable(
  'deadlines',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    dueAt: bigint('due_at', { mode: 'number' }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    claimedAt: bigint('claimed_at', { mode: 'number' }),
    claimedBy: text('claimed_by'),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] }), index('deadlines_due').on(t.dueAt)],
);

/** Where a site's widget was seen (allowed) or refused, for the Install page. Bounded per site. */
export const originSightings = pgTable(
  'origin_sightings',
  {
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    origin: text('origin').notNull(),
    allowed: boolean('allowed').notNull(),
    lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.origin] })],
);

/**
 * Integrations (DESIGN.md "Email, integrations"). An API token is stored as the SHA-256 of the
 * secret (a token is 256 random bits: a slow hash adds nothing); the admin sees it once.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** the first characters, to tell tokens apart in lists and logs */
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scopes: jsonb('scopes').$type<('read' | 'write')[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }),
    expiresAt: bigint('expires_at', { mode: 'number' }),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.hash), index('api_tokens_site').on(t.siteId)],
);

/** Every call made with an API token, for the site's admins (kept 90 days). */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    tokenId: text('token_id').notNull(),
    tokenName: text('token_name').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    status: bigint('status', { mode: 'number' }).notNull(),
    ip: text('ip'),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [index('audit_log_site').on(t.siteId, t.seq), index('audit_log_at').on(t.at)],
);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description').notNull(),
    events: jsonb('events').$type<string[]>().notNull(),
    /** signs every delivery (HMAC-SHA256); kept in the clear because signing needs it */
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('webhook_endpoints_site').on(t.siteId)],
);

/**
 * One event for one endpoint. Deliveries of one stream (endpoint + order key: the conversation,
 * else the visitor) go out in `seq` order: only the oldest pending one of a stream is claimable.
 * A claim is a lease (`leaseUntil`) taken with a conditional update, so two processes never send
 * one delivery at once and a dead process's claim is taken over.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull(),
    endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    siteId: text('site_id').notNull(),
    eventId: text('event_id').notNull(),
    event: text('event').notNull(),
    orderKey: text('order_key').notNull(),
    visitorId: text('visitor_id'),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: bigint('attempts', { mode: 'number' }).notNull(),
    nextAt: bigint('next_at', { mode: 'number' }).notNull(),
    leaseUntil: bigint('lease_until', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    lastStatus: bigint('last_status', { mode: 'number' }),
    lastError: text('last_error'),
    lastMs: bigint('last_ms', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_id').on(t.id),
    index('webhook_deliveries_due').on(t.status, t.nextAt),
    index('webhook_deliveries_stream').on(t.endpointId, t.orderKey, t.seq),
    index('webhook_deliveries_endpoint').on(t.endpointId, t.seq),
    index('webhook_deliveries_visitor').on(t.visitorId),
  ],
);

/** The visitor's verdict on a conversation (one per conversation; changeable for a while). */
export const ratings = pgTable(
  'ratings',
  {
    conversationId: text('conversation_id').primaryKey().references(() => conversations.id, { onDelete: 'cascade' }),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull(),
    /** who had the chat when it ended */
    operatorId: text('operator_id'),
    verdict: text('verdict', { enum: ['better', 'as', 'worse'] }).notNull(),
    comment: text('comment').notNull(),
    nps: bigint('nps', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('ratings_site').on(t.siteId, t.createdAt), index('ratings_visitor').on(t.visitorId)],
);

/** A bad experience turned into work for a supervisor: put it right, record the outcome. */
export const followUps = pgTable(
  'follow_ups',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    conversationId: text('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').notNull(),
    operatorId: text('operator_id'),
    reason: text('reason', { enum: ['worse', 'detractor'] }).notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull(),
    assigneeId: text('assignee_id'),
    outcome: text('outcome', { enum: ['recovered', 'not_recovered'] }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    resolvedAt: bigint('resolved_at', { mode: 'number' }),
  },
  (t) => [uniqueIndex('follow_ups_conversation').on(t.conversationId), index('follow_ups_site').on(t.siteId, t.status, t.createdAt), index('follow_ups_visitor').on(t.visitorId)],
);

export const followUpNotes = pgTable(
  'follow_up_notes',
  {
    id: text('id').primaryKey(),
    followUpId: text('follow_up_id').notNull().references(() => followUps.id, { onDelete: 'cascade' }),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('follow_up_notes_follow_up').on(t.followUpId, t.createdAt)],
);

/** Outgoing email (issue 10): stored before it is sent, retried with backoff, its fate visible. */
export const emails = pgTable(
  'emails',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** what it is about: an inbox item, a follow-up, a conversation */
    ref: text('ref'),
    visitorId: text('visitor_id'),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: bigint('attempts', { mode: 'number' }).notNull(),
    nextAt: bigint('next_at', { mode: 'number' }).notNull(),
    leaseUntil: bigint('lease_until', { mode: 'number' }),
    lastError: text('last_error'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    sentAt: bigint('sent_at', { mode: 'number' }),
  },
  (t) => [index('emails_due').on(t.status, t.nextAt), index('emails_ref').on(t.ref), index('emails_site').on(t.siteId, t.createdAt), index('emails_visitor').on(t.visitorId)],
);

/** Files sent in chats. The bytes are content-addressed on disk (sha256), this row says whose and what. */
export const attachments = pgTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    /** whose conversation: an upload before the first message has no conversation yet */
    visitorId: text('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    conversationId: text('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    /** set once a message carries it; unsent uploads are removed after a day */
    messageId: text('message_id'),
    uploader: text('uploader', { enum: ['visitor', 'operator'] }).notNull(),
    uploaderId: text('uploader_id').notNull(),
    sha256: text('sha256').notNull(),
    thumbSha256: text('thumb_sha256'),
    name: text('name').notNull(),
    type: text('type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: bigint('width', { mode: 'number' }),
    height: bigint('height', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('attachments_visitor').on(t.visitorId), index('attachments_conversation').on(t.conversationId), index('attachments_sha').on(t.sha256), index('attachments_unsent').on(t.messageId, t.createdAt)],
);

/** Browsers (and phones) that asked for web push for one account: the push service's endpoint and keys. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull().unique(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    userAgent: text('user_agent'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastOkAt: bigint('last_ok_at', { mode: 'number' }),
    failures: bigint('failures', { mode: 'number' }).notNull().default(0),
  },
  (t) => [index('push_subscriptions_account').on(t.accountId)],
);
