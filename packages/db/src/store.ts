/**
 * The store interface the server talks to. Async, so it can be backed by PostgreSQL later
 * (DESIGN.md "Persistence"); the embedded default is SQLite (./sqlite-store.ts).
 */
import type { AttachmentRef, PushPrefs, AuditView, TokenView, Metrics, RatingBrief, Verdict, OriginSighting, RetentionSettings, PhraseRule, Appearance, CloseReason, ConversationStatus, FunnelRow, JourneyEntry, Lang, Message, Role, Rule, RuleDef, Sender, SiteView } from '@beckon/protocol';

export interface AccountRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: number;
}

export interface MembershipRow {
  accountId: string;
  siteId: string;
  role: Role;
  capacity: number;
  skills?: string[];
  disabled?: boolean;
}

export interface MemberRow extends MembershipRow {
  email: string;
  name: string;
}

export interface VisitorRow {
  id: string;
  siteId: string;
  name: string | null;
  email: string | null;
  lang: string | null;
  userAgent: string | null;
  createdAt: number;
  lastSeenAt: number;
  userId: string | null;
  visits: number;
  sessionStartedAt: number | null;
  segment: string[] | null;
}

export type VisitorPatch = Partial<Pick<VisitorRow, 'name' | 'email' | 'userId' | 'visits' | 'sessionStartedAt' | 'segment'>>;

export interface OfferRow {
  id: string;
  siteId: string;
  visitorId: string;
  ruleId: string | null;
  ruleName: string;
  variant: string;
  kind: string;
  holdout: boolean;
  sessionStartedAt: number;
  createdAt: number;
  dismissedAt: number | null;
  acceptedAt: number | null;
  expiredAt: number | null;
  convertedAt: number | null;
  /** in cents */
  value: number | null;
  goalEvent: string | null;
  goalWindowHours: number | null;
  conversationId: string | null;
  invitedBy: string | null;
  /** when a shown offer goes if nothing happens to it first (null: a holdout record, never shown) */
  expiresAt: number | null;
}

export interface CannedRow {
  id: string;
  siteId: string;
  ownerId: string | null;
  shortcut: string;
  body: string;
  createdAt: number;
}

export type InboxKind = 'message' | 'callback' | 'lead';
export interface InboxRow {
  id: string;
  siteId: string;
  visitorId: string;
  kind: InboxKind;
  status: 'open' | 'resolved';
  name: string;
  email: string;
  phone: string;
  preferredTime: string;
  body: string;
  offerId: string | null;
  pageUrl: string;
  assigneeId: string | null;
  answer: string | null;
  answeredAt: number | null;
  answerSeenAt: number | null;
  createdAt: number;
  resolvedAt: number | null;
}
export type NewInboxItem = Pick<InboxRow, 'siteId' | 'visitorId' | 'kind' | 'name' | 'email' | 'phone' | 'preferredTime' | 'body' | 'offerId' | 'pageUrl'>;

/**
 * Another process opened the visitor's conversation a moment ago (one open conversation per
 * visitor is a database constraint): read it and write there.
 */
export class OpenConversationExists extends Error {
  constructor(readonly visitorId: string) {
    super(`visitor ${visitorId} already has an open conversation`);
    this.name = 'OpenConversationExists';
  }
}

export interface ConversationRow {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  previousId: string | null;
  lastSeq: number;
  lastMessageAt: number;
  lastMessagePreview: string;
  visitorReadSeq: number;
  operatorReadSeq: number;
  operatorUnread: number;
  createdAt: number;
  assignedAt: number | null;
  closedAt: number | null;
  closedReason: CloseReason | null;
  offerId: string | null;
  ruleId: string | null;
  variant: string | null;
  priority: number;
  department: string | null;
  moves: number;
  tried: string[] | null;
  head: boolean;
  lastOperatorAt: number | null;
}

/** A routing step: assign (assigneeId) or queue (null), with what routing keeps about it. */
export interface RouteUpdate {
  assigneeId: string | null;
  moves?: number;
  tried?: string[];
  head?: boolean;
  department?: string | null;
  priority?: number;
  /** only if it is (still) with this operator (null: unassigned): no double moves */
  onlyIfAssignee?: string | null;
}

export interface NewSite {
  name: string;
  allowedOrigins: string[];
  appearance: Appearance;
  defaultLang: Lang;
  idleCloseMinutes: number;
  key?: string;
}

export interface NewMessage {
  conversationId: string;
  clientId: string;
  sender: Sender;
  senderId: string;
  authorName: string | null;
  body: string;
  now: number;
  /** a file uploaded before (files.create), now sent */
  attachment?: AttachmentRef | null;
}

/** created: stored now; duplicate: the same id and body were stored before; conflict: same id, other body. */
export type AppendResult =
  | { kind: 'created'; message: Message; conversation: ConversationRow }
  | { kind: 'duplicate'; message: Message; conversation: ConversationRow }
  | { kind: 'conflict' }
  | { kind: 'closed' }
  | { kind: 'missing' };

/** A stored due time (DESIGN.md "deadline"). */
export interface DeadlineRow {
  kind: string;
  key: string;
  dueAt: number;
  payload: Record<string, unknown> | null;
}

export interface DeadlineStore {
  /** set (or move) the due time of (kind, key); keepExisting: only if none is set */
  put(row: DeadlineRow, opts?: { keepExisting?: boolean }): Promise<void>;
  cancel(kind: string, key: string): Promise<void>;
  get(kind: string, key: string): Promise<DeadlineRow | null>;
  /** the earliest due time nobody holds a live claim on */
  next(now: number, leaseMs: number): Promise<number | null>;
  /** claim up to `limit` due rows for `owner` (a conditional update each): no two owners get one row */
  claim(now: number, owner: string, leaseMs: number, limit: number): Promise<DeadlineRow[]>;
  /** acted on: delete it, unless it was moved to another due time meanwhile */
  done(row: Pick<DeadlineRow, 'kind' | 'key' | 'dueAt'>, owner: string): Promise<void>;
  list(kind?: string): Promise<DeadlineRow[]>;
}

/** a token as stored: what the console shows, plus its site and the hash of its secret */
export interface ApiTokenRow extends TokenView {
  siteId: string;
  hash: string;
}
/** an audit line as stored: what the admin reads, plus its site */
export interface AuditRow extends AuditView {
  siteId: string;
}
export interface WebhookEndpointRow {
  id: string;
  siteId: string;
  url: string;
  description: string;
  events: string[];
  secret: string;
  enabled: boolean;
  createdAt: number;
}
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export interface DeliveryRow {
  seq: number;
  id: string;
  endpointId: string;
  siteId: string;
  eventId: string;
  event: string;
  orderKey: string;
  visitorId: string | null;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  leaseUntil: number | null;
  createdAt: number;
  finishedAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  lastMs: number | null;
}
export type NewDelivery = Pick<DeliveryRow, 'id' | 'endpointId' | 'siteId' | 'eventId' | 'event' | 'orderKey' | 'visitorId' | 'body' | 'nextAt' | 'createdAt'>;
/** a keyset cursor: newest first, continue after (at, id) */
export interface Cursor {
  at: number;
  id: string;
}

/** API tokens, their audit log, webhook endpoints and the durable delivery queue. */
export interface IntegrationStore {
  createToken(t: Omit<ApiTokenRow, 'lastUsedAt' | 'revokedAt'>): Promise<ApiTokenRow>;
  listTokens(siteId: string): Promise<ApiTokenRow[]>;
  tokenByHash(hash: string): Promise<ApiTokenRow | null>;
  touchToken(id: string, now: number): Promise<void>;
  /** false: no such token of this site, or revoked before */
  revokeToken(siteId: string, id: string, now: number): Promise<boolean>;
  addAudit(rows: Omit<AuditRow, 'seq'>[]): Promise<void>;
  /** newest first; `before` is the seq the previous page ended at */
  listAudit(siteId: string, before: number | null, limit: number): Promise<AuditRow[]>;

  createEndpoint(e: WebhookEndpointRow): Promise<WebhookEndpointRow>;
  listEndpoints(siteId?: string): Promise<WebhookEndpointRow[]>;
  getEndpoint(id: string): Promise<WebhookEndpointRow | null>;
  updateEndpoint(id: string, patch: Partial<Pick<WebhookEndpointRow, 'url' | 'description' | 'events' | 'enabled' | 'secret'>>): Promise<WebhookEndpointRow | null>;
  deleteEndpoint(id: string): Promise<boolean>;

  enqueue(rows: NewDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` due deliveries, each the oldest pending one of its stream (endpoint +
   * order key), leasing each until `now + leaseMs` with a conditional update.
   */
  claimDeliveries(now: number, leaseMs: number, limit: number, o?: { busyEndpoints?: string[]; perEndpoint?: number }): Promise<DeliveryRow[]>;
  /** the earliest moment a pending delivery falls due (leases counted), or null */
  nextDeliveryAt(): Promise<number | null>;
  /** an attempt's result: delivered, failed for good, or again at `nextAt` */
  finishAttempt(id: string, r: { status: DeliveryStatus; attempts: number; nextAt: number; now: number; lastStatus: number | null; lastError: string | null; lastMs: number | null }): Promise<void>;
  getDelivery(id: string): Promise<DeliveryRow | null>;
  /** an endpoint's deliveries, newest first (`before`: the seq the previous page ended at) */
  listDeliveries(endpointId: string, before: number | null, limit: number): Promise<DeliveryRow[]>;
  /** forget finished deliveries and audit lines older than `before` */
  pruneIntegrations(before: { deliveries: number; audit: number }): Promise<number>;

  // what the REST API lists (newest first, keyset-paged)
  pageConversations(siteId: string, f: { status?: ConversationStatus; visitorId?: string; since?: number }, after: Cursor | null, limit: number): Promise<ConversationRow[]>;
  pageOffers(siteId: string, f: { ruleId?: string; converted?: boolean; since?: number }, after: Cursor | null, limit: number): Promise<OfferRow[]>;
  pageVisitors(siteId: string, f: { email?: string; since?: number }, after: Cursor | null, limit: number): Promise<VisitorRow[]>;
  /** a visitor's journey, newest first, after the entry `beforeId` */
  pageJourney(visitorId: string, beforeId: number | null, limit: number): Promise<(JourneyEntry & { id: number })[]>;
}

export interface RatingRow {
  conversationId: string;
  siteId: string;
  visitorId: string;
  operatorId: string | null;
  verdict: Verdict;
  comment: string;
  nps: number | null;
  createdAt: number;
  updatedAt: number;
}
export interface FollowUpRow {
  id: string;
  siteId: string;
  conversationId: string;
  visitorId: string;
  operatorId: string | null;
  reason: 'worse' | 'detractor';
  status: 'open' | 'resolved';
  assigneeId: string | null;
  outcome: 'recovered' | 'not_recovered' | null;
  createdAt: number;
  resolvedAt: number | null;
}
export interface EmailRow {
  id: string;
  siteId: string;
  kind: string;
  ref: string | null;
  visitorId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}
export type NewEmail = Pick<EmailRow, 'id' | 'siteId' | 'kind' | 'to' | 'subject' | 'text' | 'html' | 'nextAt' | 'createdAt'> & { ref?: string | null; visitorId?: string | null };

/** Ratings, follow-ups, the email outbox and the metrics (issue 10). */
export interface QualityStore {
  putRating(r: RatingRow): Promise<RatingRow>;
  getRating(conversationId: string): Promise<RatingRow | null>;
  ratingsOf(conversationIds: string[]): Promise<Map<string, RatingBrief>>;
  /** null when the conversation already has one */
  openFollowUp(f: Omit<FollowUpRow, 'status' | 'assigneeId' | 'outcome' | 'resolvedAt'>): Promise<FollowUpRow | null>;
  getFollowUp(id: string): Promise<FollowUpRow | null>;
  followUpOf(conversationId: string): Promise<FollowUpRow | null>;
  /** newest first, keyset-paged */
  listFollowUps(siteIds: string[], status: 'open' | 'resolved', before: { at: number; id: string } | null, limit: number): Promise<FollowUpRow[]>;
  countOpenFollowUps(siteId: string): Promise<number>;
  updateFollowUp(id: string, patch: Partial<Pick<FollowUpRow, 'status' | 'assigneeId' | 'outcome' | 'resolvedAt'>>): Promise<FollowUpRow | null>;
  addFollowUpNote(n: { id: string; followUpId: string; authorId: string; authorName: string; body: string; createdAt: number }): Promise<{ id: string; authorName: string; body: string; createdAt: number }>;
  followUpNotes(followUpId: string): Promise<{ id: string; authorId: string; authorName: string; body: string; createdAt: number }[]>;
  enqueueEmail(e: NewEmail): Promise<void>;
  claimEmails(now: number, leaseMs: number, limit: number): Promise<EmailRow[]>;
  nextEmailAt(): Promise<number | null>;
  finishEmail(id: string, r: { status: EmailRow['status']; attempts: number; nextAt: number; now: number; error: string | null }): Promise<void>;
  /** the emails about these things (inbox items, follow-ups), oldest first */
  emailsFor(refs: string[]): Promise<EmailRow[]>;
  recentEmails(siteId: string, limit: number): Promise<EmailRow[]>;
  /** forget sent and failed emails created before `before` (pending ones stay); returns how many went */
  pruneEmails(before: number): Promise<number>;
  metrics(siteId: string, f: { from: number; to: number; operatorId?: string; department?: string; source?: 'rule' | 'manual' | 'visitor' }, tz: string): Promise<Metrics>;
}

export interface AttachmentRow {
  id: string;
  siteId: string;
  visitorId: string;
  conversationId: string | null;
  messageId: string | null;
  uploader: 'visitor' | 'operator';
  uploaderId: string;
  sha256: string;
  thumbSha256: string | null;
  name: string;
  type: string;
  size: number;
  width: number | null;
  height: number | null;
  createdAt: number;
}
export type NewAttachment = Omit<AttachmentRow, 'id' | 'messageId' | 'createdAt'>;

/** Files sent in chats: the rows (the bytes are in the server's blob store, by sha256). */
export interface FileStore {
  create(a: NewAttachment, now: number): Promise<AttachmentRow>;
  get(id: string): Promise<AttachmentRow | null>;
  /** uploads never sent with a message, older than `before`: forgotten; returns how many */
  dropUnsent(before: number): Promise<number>;
  /** every blob some attachment still refers to (the rest may be deleted from disk) */
  blobsInUse(): Promise<Set<string>>;
}

export interface PushSubscriptionRow {
  id: string;
  accountId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  userAgent: string | null;
  createdAt: number;
  lastOkAt: number | null;
  failures: number;
}

/** Web push: each person's browsers and what they want pushed. */
export interface PushStore {
  subscribe(accountId: string, s: { endpoint: string; p256dh: string; auth: string; userAgent: string | null }, now: number): Promise<PushSubscriptionRow>;
  unsubscribe(accountId: string, endpoint: string): Promise<boolean>;
  subscriptionsOf(accountIds: string[]): Promise<PushSubscriptionRow[]>;
  delivered(id: string, ok: boolean, now: number): Promise<void>;
  /** the push service said the subscription is gone (404/410) */
  remove(id: string): Promise<void>;
  prefs(accountId: string): Promise<PushPrefs>;
  setPrefs(accountId: string, prefs: PushPrefs): Promise<void>;
}

export interface Store {
  readonly deadlines: DeadlineStore;
  readonly push: PushStore;
  readonly files: FileStore;
  readonly quality: QualityStore;
  readonly integrations: IntegrationStore;
  /** false while the database refuses writes (another process holds a lock): /health says degraded */
  healthy(): boolean;
  /**
   * Runs `fn` while no other process sharing this database runs one with the same key (a site's
   * routing: capacity and places in line). The embedded store has one process: it just runs it.
   */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** the key's value, `value` stored first if it has none: of callers racing (nodes starting together on a new database), the first to write wins and all get its value */
  initMeta(key: string, value: string): Promise<string>;

  createSite(site: NewSite, now: number): Promise<SiteView>;
  getSite(id: string): Promise<SiteView | null>;
  getSiteByKey(key: string): Promise<SiteView | null>;
  listSites(): Promise<SiteView[]>;
  updateSite(id: string, patch: Partial<Omit<SiteView, 'id' | 'key' | 'createdAt'>>): Promise<SiteView | null>;
  /** the site and everything of it (conversations, visitors, rules, memberships, …) */
  deleteSite(id: string): Promise<boolean>;
  /** the widget connected from (allowed) or was refused on an origin; kept per site, the 50 latest */
  recordSighting(siteId: string, origin: string, allowed: boolean, now: number): Promise<void>;
  sightings(siteId: string): Promise<OriginSighting[]>;

  /** everything stored about one visitor, by table (null: no such visitor) */
  exportVisitor(visitorId: string): Promise<Record<string, unknown[]> | null>;
  /** erase everything about one visitor from every table */
  eraseVisitor(visitorId: string): Promise<boolean>;
  /** delete what the site's retention keeps no longer */
  applyRetention(siteId: string, r: RetentionSettings, now: number): Promise<Record<string, number>>;

  createAccount(a: { email: string; name: string; passwordHash: string }, now: number): Promise<AccountRow>;
  getAccount(id: string): Promise<AccountRow | null>;
  getAccountByEmail(email: string): Promise<AccountRow | null>;
  updateAccount(id: string, patch: Partial<Pick<AccountRow, 'name' | 'passwordHash'>>): Promise<void>;
  countAccounts(): Promise<number>;

  putMembership(m: MembershipRow, now: number): Promise<void>;
  removeMembership(accountId: string, siteId: string): Promise<boolean>;
  /** the sites this account may work on (disabled memberships left out) */
  membershipsOf(accountId: string): Promise<(MembershipRow & { siteName: string })[]>;
  /** every membership of the account, disabled ones too */
  allMembershipsOf(accountId: string): Promise<MembershipRow[]>;
  /** the site's members who may work (with includeDisabled: every member, for the Team page) */
  listMembers(siteId: string, opts?: { includeDisabled?: boolean }): Promise<MemberRow[]>;

  createAuthSession(s: { id: string; accountId: string; expiresAt: number }, now: number): Promise<void>;
  getAuthSession(id: string, now: number): Promise<{ accountId: string; expiresAt: number } | null>;
  deleteAuthSession(id: string): Promise<void>;
  deleteAuthSessionsOf(accountId: string): Promise<void>;

  touchVisitor(v: { id: string; siteId: string; lang: string | null; userAgent: string | null }, now: number): Promise<VisitorRow>;
  getVisitor(id: string): Promise<VisitorRow | null>;

  updateVisitor(id: string, patch: VisitorPatch): Promise<void>;

  createConversation(c: { siteId: string; visitorId: string; previousId: string | null; offerId?: string | null; ruleId?: string | null; variant?: string | null; priority?: number; department?: string | null }, now: number): Promise<ConversationRow>;
  /** null when it is closed, or not with `onlyIfAssignee` */
  routeConversation(id: string, r: RouteUpdate, now: number): Promise<ConversationRow | null>;
  activeOf(operatorId: string): Promise<ConversationRow[]>;
  listActive(siteId: string): Promise<ConversationRow[]>;
  /** assigned → closed durations of the site's latest closed conversations, newest first */
  handlingTimes(siteId: string, limit: number): Promise<number[]>;
  conversationsOfVisitor(visitorId: string, limit: number): Promise<ConversationRow[]>;
  searchMessages(siteIds: string[], q: string, limit: number): Promise<{ conversationId: string; seq: number; body: string; sender: Sender; createdAt: number; visitorId: string }[]>;

  addRoutingEvent(e: { siteId: string; conversationId: string; kind: string; operatorId: string | null; reason: Record<string, unknown>; at: number }): Promise<void>;
  /** newest first */
  routingEventsOf(conversationId: string, limit: number): Promise<{ kind: string; operatorId: string | null; reason: Record<string, unknown>; at: number }[]>;
  /** the latest "queued" reason of each */
  lastWaitReasons(conversationIds: string[]): Promise<Map<string, Record<string, unknown>>>;

  addNote(n: { conversationId: string; authorId: string; authorName: string; body: string }, now: number): Promise<{ id: string; conversationId: string; authorId: string; authorName: string; body: string; createdAt: number }>;
  notesOf(conversationId: string): Promise<{ id: string; conversationId: string; authorId: string; authorName: string; body: string; createdAt: number }[]>;

  listCanned(siteId: string, accountId: string): Promise<CannedRow[]>;
  createCanned(c: { siteId: string; ownerId: string | null; shortcut: string; body: string }, now: number): Promise<CannedRow>;
  getCanned(id: string): Promise<CannedRow | null>;
  deleteCanned(id: string): Promise<boolean>;

  getPhrases(siteId: string): Promise<PhraseRule[]>;
  setPhrases(siteId: string, phrases: PhraseRule[]): Promise<void>;

  addBlock(b: { siteId: string; visitorId: string | null; ip: string | null; reason: string; byId: string }, now: number): Promise<void>;
  isBlocked(siteId: string, visitorId: string | null, ip: string | null): Promise<boolean>;
  getConversation(id: string): Promise<ConversationRow | null>;
  /** the visitor's newest conversation, open or not */
  latestConversationOf(visitorId: string): Promise<ConversationRow | null>;
  assignConversation(id: string, operatorId: string | null, now: number): Promise<ConversationRow | null>;
  /** null when it was already closed */
  closeConversation(id: string, reason: CloseReason, now: number): Promise<ConversationRow | null>;
  /** open ones (queued and active) plus the newest closed ones, of these sites */
  listConversations(siteIds: string[], closedLimit: number): Promise<ConversationRow[]>;
  /** a page of open conversations, latest activity first (keyset: after the cursor) */
  listOpenPage(siteIds: string[], after: { at: number; id: string } | null, limit: number): Promise<ConversationRow[]>;
  listClosed(siteIds: string[], limit: number): Promise<ConversationRow[]>;
  /** active conversations per assignee */
  /** active conversations per assignee: of these accounts (an index range each), or of everyone */
  activeCounts(accountIds?: string[]): Promise<Map<string, number>>;
  listQueued(siteId: string): Promise<ConversationRow[]>;
  /** open conversations whose last message is older than the site's idle limit */
  listIdle(now: number): Promise<ConversationRow[]>;

  appendMessage(m: NewMessage): Promise<AppendResult>;
  /**
   * The sender's own last message in the conversation, sent after `since`: a new text, or
   * (body null) taken back — its text and file are gone. 'gone': no such message of theirs;
   * 'not_last': a later one of theirs exists, or the window has passed.
   */
  changeMessage(c: { messageId: string; conversationId: string; sender: 'visitor' | 'operator'; senderId: string; body: string | null; now: number; since: number }): Promise<Message | 'gone' | 'not_last'>;
  /** a message this sender stored with this client id in any conversation (a retry after a close) */
  findSent(sender: Sender, senderId: string, clientId: string): Promise<{ message: Message; conversation: ConversationRow } | null>;
  messagesAfter(conversationId: string, seq: number, limit: number): Promise<Message[]>;
  messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]>;
  markRead(conversationId: string, who: 'visitor' | 'operator', seq: number): Promise<void>;

  listRules(siteId: string): Promise<Rule[]>;
  createRule(siteId: string, def: RuleDef, now: number): Promise<Rule>;
  /** null when the site has no such rule */
  updateRule(siteId: string, id: string, def: RuleDef, now: number): Promise<Rule | null>;
  deleteRule(siteId: string, id: string): Promise<boolean>;

  createOffer(o: Omit<OfferRow, 'dismissedAt' | 'acceptedAt' | 'expiredAt' | 'convertedAt' | 'value' | 'conversationId'>): Promise<OfferRow>;
  getOffer(id: string): Promise<OfferRow | null>;
  /** sets the outcome fields given; returns null when the offer does not exist */
  updateOffer(id: string, patch: Partial<Pick<OfferRow, 'dismissedAt' | 'acceptedAt' | 'expiredAt' | 'convertedAt' | 'value' | 'conversationId'>>): Promise<OfferRow | null>;
  /** marks an offer expired if nothing else became of it (not dismissed, accepted or expired); false otherwise */
  expireOffer(id: string, now: number): Promise<boolean>;
  /**
   * Marks expired (at `now`) up to `limit` shown offers due by `dueBy` that nothing else became
   * of, and returns them: the sweep for offers no live tab expired (the visitor left, a restart).
   * Any node may run it at once with the others: each offer comes back to one of them.
   */
  expireDueOffers(dueBy: number, now: number, limit: number): Promise<{ id: string; visitorId: string }[]>;
  /** the visitor's newest offers and holdout records */
  recentOffers(visitorId: string, limit: number): Promise<OfferRow[]>;
  /** results per rule and variant */
  funnel(siteId: string, since: number): Promise<FunnelRow[]>;

  /** newest first */
  holdsOf(visitorId: string, limit: number): Promise<{ ruleId: string; reason: string; at: number }[]>;
  /**
   * Append-only analytics rows (hold reasons, the journey trail): a store may write them in
   * groups, a little later, in arrival order; the promise settles when they are committed, and
   * every read of them after that (holdsOf, journeyOf, exports, erasure) sees them. (The
   * SQLite store's reads see them at once.)
   */
  addHolds(rows: { siteId: string; visitorId: string; ruleId: string; reason: string; at: number }[]): Promise<void>;
  /** forget journey events and hold reasons older than `before`; returns how many went */
  pruneJourney(before: number): Promise<number>;
  addJourneyEvents(rows: { siteId: string; visitorId: string; type: string; data: Record<string, unknown>; at: number }[]): Promise<void>;
  /** newest last */
  journeyOf(visitorId: string, limit: number): Promise<JourneyEntry[]>;

  createInboxItem(i: NewInboxItem, now: number): Promise<InboxRow>;
  getInboxItem(id: string): Promise<InboxRow | null>;
  /** newest first; `before` continues after the last item of the previous page */
  listInbox(siteIds: string[], status: 'open' | 'resolved', limit: number, before?: { at: number; id: string } | null): Promise<InboxRow[]>;
  countRules(siteId: string): Promise<number>;
  countCanned(siteId: string): Promise<number>;
  updateInboxItem(id: string, patch: Partial<Pick<InboxRow, 'status' | 'assigneeId' | 'answer' | 'answeredAt' | 'answerSeenAt' | 'resolvedAt'>>): Promise<InboxRow | null>;
  /** answers the visitor has not seen yet */
  unseenAnswers(visitorId: string): Promise<InboxRow[]>;

  close(): Promise<void>;
}
