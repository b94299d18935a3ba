/**
 * The REST API for integrations: `/api/v1/…`, authenticated by a site's API token
 * (`Authorization: Bearer bk_…`), never by the console's cookie. A token belongs to one site,
 * so no route takes a site id and nothing of another site is reachable. Every route declares
 * its zod schemas; the OpenAPI document at /api/docs/json is generated from them
 * (fastify-type-provider-zod + @fastify/swagger), so it cannot drift from what is served.
 * Lists are newest first and keyset-paged: pass `next` back as `cursor`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { memoryLimiters, type Limiters } from '../lib/limits';
import { z } from 'zod';
import { BeckonError, ClientId, ConversationStatus, ERROR_CODES, Id, LIMITS, Message, MessageBody, Sender, type Scope } from '@beckon/protocol';
import type { ApiTokenRow, ConversationRow, Cursor, InboxRow, OfferRow, Store, VisitorRow } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import { visitorDisplayName } from '../chat/chat-service';
import type { EngageService } from '../engage/engage-service';
import type { QualityService } from '../quality/quality-service';
import { loneSurrogate } from '../realtime/guard';

declare module 'fastify' {
  interface FastifyRequest {
    apiToken: ApiTokenRow | null;
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface ApiDeps {
  limiters?: Limiters;
  store: Store;
  chat: ChatService;
  engage: EngageService;
  quality: QualityService;
  now: () => number;
  /** calls per token per minute */
  perMinute?: number;
}

// ---- what the API says (the OpenAPI components)

const Time = z.number().int().describe('milliseconds since 1970-01-01 UTC');
const ErrorOut = z.object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) }).meta({ id: 'Error' });
const errors = { 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut, 503: ErrorOut };
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable().describe('pass as `cursor` for the next page; null: this was the last') });
const CursorParam = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).optional().describe('`next` of the previous page');
const Limit = z.coerce.number().int().min(1).max(200).default(50);

const ConversationOut = z
  .object({
    id: z.string(),
    visitorId: z.string(),
    visitorName: z.string(),
    status: ConversationStatus,
    assigneeId: z.string().nullable(),
    department: z.string().nullable(),
    previousId: z.string().nullable().describe('the conversation this one continues'),
    messages: z.number().int().describe('how many messages so far (the last seq)'),
    lastMessageAt: Time,
    lastMessagePreview: z.string(),
    createdAt: Time,
    assignedAt: Time.nullable(),
    closedAt: Time.nullable(),
    closedReason: z.string().nullable(),
    source: z.object({ offerId: z.string(), ruleId: z.string().nullable(), variant: z.string().nullable() }).nullable().describe('the offer that started it; null: the visitor started it'),
  })
  .meta({ id: 'Conversation' });
const MessageOut = Message.extend({ conversationId: z.string(), id: z.string(), sender: Sender }).meta({ id: 'Message' });
const VisitorOut = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    userId: z.string().nullable().describe('the id the site verified with identify()'),
    lang: z.string().nullable(),
    visits: z.number().int(),
    createdAt: Time,
    lastSeenAt: Time,
    online: z.boolean(),
  })
  .meta({ id: 'Visitor' });
const JourneyOut = z.object({ type: z.string(), at: Time, data: z.record(z.string(), z.unknown()) }).meta({ id: 'JourneyEvent' });
const InboxOut = z
  .object({
    id: z.string(),
    kind: z.enum(['message', 'callback', 'lead']),
    status: z.enum(['open', 'resolved']),
    visitorId: z.string(),
    name: z.string(),
    email: z.string(),
    phone: z.string(),
    preferredTime: z.string(),
    body: z.string(),
    pageUrl: z.string(),
    offerId: z.string().nullable(),
    assigneeId: z.string().nullable(),
    answer: z.string().nullable(),
    answeredAt: Time.nullable(),
    createdAt: Time,
    resolvedAt: Time.nullable(),
  })
  .meta({ id: 'InboxItem' });
const RuleOut = z.object({ id: z.string(), name: z.string(), enabled: z.boolean(), kind: z.string(), priority: z.number().int(), updatedAt: Time, goal: z.object({ event: z.string(), windowHours: z.number() }).nullable() }).meta({ id: 'Rule' });
const OfferOut = z
  .object({
    id: z.string(),
    visitorId: z.string(),
    ruleId: z.string().nullable(),
    ruleName: z.string(),
    variant: z.string(),
    kind: z.string(),
    createdAt: Time,
    outcome: z.enum(['shown', 'dismissed', 'accepted', 'expired']),
    dismissedAt: Time.nullable(),
    acceptedAt: Time.nullable(),
    expiredAt: Time.nullable(),
    conversationId: z.string().nullable(),
    convertedAt: Time.nullable().describe('when its goal was reached'),
    value: z.number().nullable().describe('the goal event value (e.g. the order total)'),
  })
  .meta({ id: 'Offer' });
const FunnelOut = z.object({ ruleId: z.string().nullable(), ruleName: z.string(), variant: z.string(), shown: z.number(), dismissed: z.number(), accepted: z.number(), converted: z.number(), value: z.number(), holdout: z.number(), holdoutConverted: z.number(), holdoutValue: z.number() }).meta({ id: 'FunnelRow' });

const IdParams = z.object({ id: Id });

function encodeCursor(at: number, id: string) {
  return Buffer.from(`${at}_${id}`).toString('base64url');
}
function decodeCursor(c: string | undefined): Cursor | null {
  if (!c) return null;
  const m = /^(\d{1,15})_([\w-]{1,64})$/.exec(Buffer.from(c, 'base64url').toString());
  if (!m) throw new BeckonError('VALIDATION_FAILED', 'cursor: not one this API gave out');
  return { at: Number(m[1]), id: m[2]! };
}
function paged<R extends { id: string }, O>(rows: R[], limit: number, at: (r: R) => number, view: (r: R) => O) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), next: rows.length > limit && last ? encodeCursor(at(last), last.id) : null };
}

export function apiV1(d: ApiDeps) {
  const limiter = (d.limiters ?? memoryLimiters).limiter({ keyPrefix: 'api', points: d.perMinute ?? 600, duration: 60 });

  async function authenticate(req: FastifyRequest, reply: FastifyReply) {
    const m = /^Bearer\s+(bk_[A-Za-z0-9_-]{20,100})\s*$/.exec(req.headers.authorization ?? '');
    if (!m) throw new BeckonError('INVALID_API_TOKEN', 'Send the token as `Authorization: Bearer bk_…`.');
    const token = await d.store.integrations.tokenByHash(hashToken(m[1]!));
    const now = d.now();
    if (!token || token.revokedAt !== null) throw new BeckonError('INVALID_API_TOKEN');
    if (token.expiresAt !== null && token.expiresAt <= now) throw new BeckonError('INVALID_API_TOKEN', 'This API token has expired.');
    // from here on the call is the token's, refused or not (the audit log shows it)
    req.apiToken = token;
    try {
      const r = await limiter.consume(token.id);
      reply.header('ratelimit-limit', d.perMinute ?? 600).header('ratelimit-remaining', r.remainingPoints);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      reply.header('retry-after', Math.ceil(e.msBeforeNext / 1000));
      throw new BeckonError('RATE_LIMITED', `At most ${d.perMinute ?? 600} calls a minute per token.`);
    }
    // one write a minute at most, not one per call
    if (token.lastUsedAt === null || now - token.lastUsedAt > 60_000) await d.store.integrations.touchToken(token.id, now);
  }
  const need = (scope: Scope) => async (req: FastifyRequest) => {
    if (!req.apiToken!.scopes.includes(scope)) throw new BeckonError('INSUFFICIENT_SCOPE');
  };
  const siteOf = (req: FastifyRequest) => req.apiToken!.siteId;

  async function conversationOf(req: FastifyRequest, id: string): Promise<ConversationRow> {
    const c = await d.store.getConversation(id);
    if (!c || c.siteId !== siteOf(req)) throw new BeckonError('NOT_FOUND');
    return c;
  }
  async function visitorOf(req: FastifyRequest, id: string): Promise<VisitorRow> {
    const v = await d.store.getVisitor(id);
    if (!v || v.siteId !== siteOf(req)) throw new BeckonError('NOT_FOUND');
    return v;
  }
  async function conversationView(c: ConversationRow): Promise<z.input<typeof ConversationOut>> {
    const v = await d.store.getVisitor(c.visitorId);
    return {
      id: c.id,
      visitorId: c.visitorId,
      visitorName: visitorDisplayName(c.visitorId, v?.name ?? null),
      status: c.status,
      assigneeId: c.assigneeId,
      department: c.department,
      previousId: c.previousId,
      messages: c.lastSeq,
      lastMessageAt: c.lastMessageAt,
      lastMessagePreview: c.lastMessagePreview,
      createdAt: c.createdAt,
      assignedAt: c.assignedAt,
      closedAt: c.closedAt,
      closedReason: c.closedReason,
      source: c.offerId ? { offerId: c.offerId, ruleId: c.ruleId, variant: c.variant } : null,
    };
  }
  const visitorView = (v: VisitorRow): z.input<typeof VisitorOut> => ({ id: v.id, name: v.name, email: v.email, userId: v.userId, lang: v.lang, visits: v.visits, createdAt: v.createdAt, lastSeenAt: v.lastSeenAt, online: d.engage.leftAt(v.id) === null && !!d.engage.liveVisitor(v.id) });
  const inboxView = (i: InboxRow): z.input<typeof InboxOut> => ({ id: i.id, kind: i.kind, status: i.status, visitorId: i.visitorId, name: i.name, email: i.email, phone: i.phone, preferredTime: i.preferredTime, body: i.body, pageUrl: i.pageUrl, offerId: i.offerId, assigneeId: i.assigneeId, answer: i.answer, answeredAt: i.answeredAt, createdAt: i.createdAt, resolvedAt: i.resolvedAt });
  const offerView = (o: OfferRow): z.input<typeof OfferOut> => ({
    id: o.id,
    visitorId: o.visitorId,
    ruleId: o.ruleId,
    ruleName: o.ruleName,
    variant: o.variant,
    kind: o.kind,
    createdAt: o.createdAt,
    outcome: o.acceptedAt !== null ? 'accepted' : o.dismissedAt !== null ? 'dismissed' : o.expiredAt !== null ? 'expired' : 'shown',
    dismissedAt: o.dismissedAt,
    acceptedAt: o.acceptedAt,
    expiredAt: o.expiredAt,
    conversationId: o.conversationId,
    convertedAt: o.convertedAt,
    value: o.value === null ? null : o.value / 100,
  });

  return async function plugin(root: FastifyInstance) {
    root.setValidatorCompiler(validatorCompiler);
    root.setSerializerCompiler(serializerCompiler);
    root.decorateRequest('apiToken', null);
    root.addHook('onRequest', authenticate);
    root.addHook('preHandler', async (req) => {
      if (loneSurrogate(req.body) || loneSurrogate(req.query)) throw new BeckonError('VALIDATION_FAILED', 'text with a lone surrogate (half of a character) is not accepted');
    });
    // every call made with a token, for the site's admins (Settings → Integrations)
    root.addHook('onResponse', async (req, reply) => {
      const t = req.apiToken;
      if (!t) return;
      // after the answer has gone out: the caller does not wait for it
      await d.store.integrations.addAudit([{ siteId: t.siteId, tokenId: t.id, tokenName: t.name, method: req.method, path: req.url.slice(0, 500), status: reply.statusCode, ip: req.ip, at: d.now() }]);
    });
    const app = root.withTypeProvider<ZodTypeProvider>();
    const read = { preHandler: need('read') };
    const write = { preHandler: need('write') };
    const security = [{ bearerAuth: [] }];

    app.get('/api/v1/site', { ...read, schema: { tags: ['site'], summary: 'The site this token belongs to', security, response: { 200: z.object({ id: z.string(), name: z.string(), defaultLang: z.string(), allowedOrigins: z.array(z.string()), createdAt: Time }), ...errors } } }, async (req) => {
      const s = await d.store.getSite(siteOf(req));
      if (!s) throw new BeckonError('NOT_FOUND');
      return { id: s.id, name: s.name, defaultLang: s.defaultLang, allowedOrigins: s.allowedOrigins, createdAt: s.createdAt };
    });

    app.get(
      '/api/v1/conversations',
      {
        ...read,
        schema: {
          tags: ['conversations'],
          summary: 'Conversations, newest first',
          security,
          querystring: z.object({ status: ConversationStatus.optional(), visitorId: Id.optional(), since: z.coerce.number().int().min(0).optional().describe('started at or after (ms)'), cursor: CursorParam, limit: Limit }),
          response: { 200: page(ConversationOut), ...errors },
        },
      },
      async (req) => {
        const q = req.query;
        const rows = await d.store.integrations.pageConversations(siteOf(req), { status: q.status, visitorId: q.visitorId, since: q.since }, decodeCursor(q.cursor), q.limit + 1);
        const p = paged(rows, q.limit, (r) => r.createdAt, (r) => r);
        return { items: await Promise.all(p.items.map(conversationView)), next: p.next };
      },
    );
    app.get('/api/v1/conversations/:id', { ...read, schema: { tags: ['conversations'], summary: 'One conversation', security, params: IdParams, response: { 200: ConversationOut, ...errors } } }, async (req) => conversationView(await conversationOf(req, req.params.id)));
    app.get(
      '/api/v1/conversations/:id/messages',
      {
        ...read,
        schema: {
          tags: ['conversations'],
          summary: 'The transcript, oldest first',
          description: 'Messages after `afterSeq` (0: from the start). Continue with the `next` seq while it is not null.',
          security,
          params: IdParams,
          querystring: z.object({ afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(LIMITS.syncMax).default(100) }),
          response: { 200: z.object({ items: z.array(MessageOut), next: z.number().int().nullable() }), ...errors },
        },
      },
      async (req) => {
        const c = await conversationOf(req, req.params.id);
        const items = await d.store.messagesAfter(c.id, req.query.afterSeq, req.query.limit);
        const last = items[items.length - 1];
        return { items, next: last && last.seq < c.lastSeq ? last.seq : null };
      },
    );
    app.post(
      '/api/v1/conversations/:id/messages',
      {
        ...write,
        schema: {
          tags: ['conversations'],
          summary: 'Send a message as an operator',
          description: 'The visitor sees it at once. `operatorId` is a member of the site (default: whoever created the token). Sending the same `clientId` again returns the first message (safe to retry). A queued conversation is taken by that operator, within their capacity.',
          security,
          params: IdParams,
          body: z.object({ text: MessageBody, clientId: ClientId.optional().describe('your id for this message; a retry with the same one is stored once'), operatorId: Id.optional() }),
          response: { 201: MessageOut, ...errors },
        },
      },
      async (req, reply) => {
        const c = await conversationOf(req, req.params.id);
        if (c.status === 'closed') throw new BeckonError('CONVERSATION_CLOSED');
        const accountId = req.body.operatorId ?? req.apiToken!.createdBy;
        const member = (await d.store.listMembers(c.siteId)).find((m) => m.accountId === accountId);
        if (!member) throw new BeckonError('VALIDATION_FAILED', req.body.operatorId ? 'operatorId: not a member of this site' : 'The token’s creator is no longer a member of the site: pass operatorId.');
        const clientId = `api:${req.body.clientId ?? `${d.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`}`;
        const { message } = await d.chat.operatorSend({ accountId, name: member.name }, c, { clientId, body: req.body.text });
        return reply.status(201).send(message);
      },
    );

    app.get(
      '/api/v1/visitors',
      {
        ...read,
        schema: {
          tags: ['visitors'],
          summary: 'Visitors, most recently seen first',
          security,
          querystring: z.object({ email: z.string().trim().toLowerCase().max(254).optional(), since: z.coerce.number().int().min(0).optional().describe('seen at or after (ms)'), cursor: CursorParam, limit: Limit }),
          response: { 200: page(VisitorOut), ...errors },
        },
      },
      async (req) => {
        const q = req.query;
        const rows = await d.store.integrations.pageVisitors(siteOf(req), { email: q.email, since: q.since }, decodeCursor(q.cursor), q.limit + 1);
        return paged(rows, q.limit, (r) => r.lastSeenAt, visitorView);
      },
    );
    app.get('/api/v1/visitors/:id', { ...read, schema: { tags: ['visitors'], summary: 'One visitor', security, params: IdParams, response: { 200: VisitorOut, ...errors } } }, async (req) => visitorView(await visitorOf(req, req.params.id)));
    app.get(
      '/api/v1/visitors/:id/journey',
      {
        ...read,
        schema: {
          tags: ['visitors'],
          summary: 'What the visitor did (page views, events, cart), newest first',
          security,
          params: IdParams,
          querystring: z.object({ cursor: z.string().regex(/^\d{1,15}$/).optional().describe('`next` of the previous page'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: z.object({ items: z.array(JourneyOut), next: z.string().nullable() }), ...errors },
        },
      },
      async (req) => {
        const v = await visitorOf(req, req.params.id);
        const rows = await d.store.integrations.pageJourney(v.id, req.query.cursor ? Number(req.query.cursor) : null, req.query.limit + 1);
        const items = rows.slice(0, req.query.limit);
        return { items: items.map(({ id: _id, ...e }) => e), next: rows.length > req.query.limit ? String(items[items.length - 1]!.id) : null };
      },
    );

    app.get(
      '/api/v1/inbox',
      {
        ...read,
        schema: { tags: ['inbox'], summary: 'Offline messages, callback requests and leads, newest first', security, querystring: z.object({ status: z.enum(['open', 'resolved']).default('open'), cursor: CursorParam, limit: Limit }), response: { 200: page(InboxOut), ...errors } },
      },
      async (req) => {
        const q = req.query;
        const rows = await d.store.listInbox([siteOf(req)], q.status, q.limit + 1, decodeCursor(q.cursor));
        return paged(rows, q.limit, (r) => r.createdAt, inboxView);
      },
    );
    app.patch(
      '/api/v1/inbox/:id',
      {
        ...write,
        schema: {
          tags: ['inbox'],
          summary: 'Answer or resolve an inbox item',
          description: 'An answer is shown to the visitor in the widget on their next visit.',
          security,
          params: IdParams,
          body: z.object({ answer: z.string().trim().min(1).max(4000).optional(), status: z.enum(['open', 'resolved']).optional() }).refine((b) => b.answer !== undefined || b.status !== undefined, 'give an answer or a status'),
          response: { 200: InboxOut, ...errors },
        },
      },
      async (req) => {
        const item = await d.store.getInboxItem(req.params.id);
        if (!item || item.siteId !== siteOf(req)) throw new BeckonError('NOT_FOUND');
        const now = d.now();
        const b = req.body;
        const updated = await d.store.updateInboxItem(item.id, { ...(b.status ? { status: b.status, resolvedAt: b.status === 'resolved' ? now : null } : {}), ...(b.answer ? { answer: b.answer, answeredAt: now, answerSeenAt: null } : {}) });
        if (b.answer) {
          const site = await d.store.getSite(item.siteId);
          await d.quality.answered(updated!, site?.appearance.teamName ?? 'Support');
        }
        return inboxView(updated!);
      },
    );

    const ruleView = (r: Awaited<ReturnType<Store['listRules']>>[number]) => ({ id: r.id, name: r.name, enabled: r.enabled, kind: r.kind, priority: r.priority, updatedAt: r.updatedAt, goal: r.goal ? { event: r.goal.event, windowHours: r.goal.windowHours } : null });
    app.get(
      '/api/v1/rules',
      { ...read, schema: { tags: ['rules'], summary: 'The proactive rules, by id', security, querystring: z.object({ cursor: Id.optional().describe('`next` of the previous page'), limit: Limit }), response: { 200: z.object({ items: z.array(RuleOut), next: z.string().nullable() }), ...errors } } },
      async (req) => {
        const all = (await d.store.listRules(siteOf(req))).sort((a, b) => (a.id < b.id ? -1 : 1)).filter((r) => !req.query.cursor || r.id > req.query.cursor);
        const items = all.slice(0, req.query.limit);
        return { items: items.map(ruleView), next: all.length > req.query.limit ? items[items.length - 1]!.id : null };
      },
    );
    app.patch(
      '/api/v1/rules/:id',
      { ...write, schema: { tags: ['rules'], summary: 'Turn a rule on or off', security, params: IdParams, body: z.object({ enabled: z.boolean() }), response: { 200: RuleOut, ...errors } } },
      async (req) => {
        const site = siteOf(req);
        const rule = (await d.store.listRules(site)).find((r) => r.id === req.params.id);
        if (!rule) throw new BeckonError('NOT_FOUND');
        const { id: _id, updatedAt: _u, ...def } = rule;
        const updated = await d.store.updateRule(site, rule.id, { ...def, enabled: req.body.enabled }, d.now());
        await d.engage.reload(site);
        return ruleView(updated!);
      },
    );

    const OfferQuery = z.object({ ruleId: Id.optional(), since: z.coerce.number().int().min(0).optional().describe('shown at or after (ms)'), cursor: CursorParam, limit: Limit });
    app.get('/api/v1/offers', { ...read, schema: { tags: ['offers'], summary: 'Offers shown to visitors and what became of them, newest first', security, querystring: OfferQuery, response: { 200: page(OfferOut), ...errors } } }, async (req) => {
      const q = req.query;
      const rows = await d.store.integrations.pageOffers(siteOf(req), { ruleId: q.ruleId, since: q.since }, decodeCursor(q.cursor), q.limit + 1);
      return paged(rows, q.limit, (r) => r.createdAt, offerView);
    });
    app.get('/api/v1/goals', { ...read, schema: { tags: ['offers'], summary: 'Offers whose goal was reached (conversions), newest offer first', security, querystring: OfferQuery, response: { 200: page(OfferOut), ...errors } } }, async (req) => {
      const q = req.query;
      const rows = await d.store.integrations.pageOffers(siteOf(req), { ruleId: q.ruleId, since: q.since, converted: true }, decodeCursor(q.cursor), q.limit + 1);
      return paged(rows, q.limit, (r) => r.createdAt, offerView);
    });

    const Spread = z.object({ median: z.number().nullable().describe('ms, nearest rank'), p90: z.number().nullable(), count: z.number().int() });
    const Rate = z.object({ of: z.number().int(), returned: z.number().int(), rate: z.number().nullable() });
    const ServiceOut = z
      .object({
        from: Time,
        to: Time,
        tz: z.string(),
        conversations: z.number().int(),
        answered: z.number().int(),
        firstResponse: Spread.extend({ within20s: z.number().nullable().describe('share of all conversations answered within 20 s') }),
        queueWait: Spread,
        abandoned: z.number().int().describe('the visitor left before the first answer'),
        missed: z.number().int().describe('ended unanswered, the visitor had not left'),
        duration: Spread,
        messagesPerChat: z.number().nullable(),
        ratings: z.object({ better: z.number().int(), as: z.number().int(), worse: z.number().int(), rated: z.number().int() }),
        nps: z.object({ score: z.number().nullable(), promoters: z.number().int(), passives: z.number().int(), detractors: z.number().int(), responses: z.number().int() }),
        followUps: z.object({ opened: z.number().int(), resolved: z.number().int(), recovered: z.number().int() }),
        returns: z.object({ everyone: Rate, afterWorse: Rate, afterRecovered: Rate }),
        daily: z.array(z.object({ day: z.string(), conversations: z.number().int(), answered: z.number().int(), within20s: z.number().nullable(), worse: z.number().int() })),
        busiest: z.array(z.array(z.number().int())).describe('conversations by local weekday (0 = Monday) and hour'),
        rules: z.array(
          FunnelOut.omit({ dismissed: true, value: true, holdoutValue: true }).extend({
            conversations: z.number().int(),
            revenue: z.number(),
            holdoutRevenue: z.number(),
            conversion: z.number().nullable(),
            holdoutConversion: z.number().nullable(),
            lift: z.object({ diff: z.number(), low: z.number(), high: z.number() }).nullable().describe('conversion minus holdout conversion, with its 95% interval'),
          }),
        ),
        operators: z.array(z.object({ operatorId: z.string(), name: z.string(), conversations: z.number().int(), firstResponse: Spread, durationMedian: z.number().nullable(), better: z.number().int(), as: z.number().int(), worse: z.number().int() })),
      })
      .meta({ id: 'ServiceMetrics' });

    app.get(
      '/api/v1/metrics',
      {
        ...read,
        schema: {
          tags: ['metrics'],
          summary: 'How the service did in a period: answers, waits, ratings, NPS, follow-ups, returns, rules against their holdout, operators',
          description: 'The dashboard’s figures. `from`/`to` in ms (default: the last `days`); filters as on the dashboard; days and hours in `tz` (default: the site’s).',
          security,
          querystring: z.object({
            days: z.coerce.number().int().min(1).max(365).default(30),
            from: z.coerce.number().int().min(0).optional(),
            to: z.coerce.number().int().min(0).optional(),
            operatorId: Id.optional(),
            department: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
            source: z.enum(['rule', 'manual', 'visitor']).optional(),
            tz: z.string().max(64).optional(),
          }),
          response: { 200: ServiceOut, ...errors },
        },
      },
      async (req) => {
        const q = req.query;
        const to = q.to ?? d.now();
        const from = q.from ?? to - q.days * 86_400_000;
        if (to <= from || to - from > 400 * 86_400_000) throw new BeckonError('VALIDATION_FAILED', 'from/to: a period of at most 400 days that ends after it starts');
        const site = (await d.store.getSite(siteOf(req)))!;
        let tz = site.hours.timeZone;
        if (q.tz) {
          try {
            new Intl.DateTimeFormat('en', { timeZone: q.tz });
            tz = q.tz;
          } catch {
            throw new BeckonError('VALIDATION_FAILED', `tz: ${q.tz} is not a time zone`);
          }
        }
        return d.store.quality.metrics(site.id, { from, to, operatorId: q.operatorId, department: q.department, source: q.source }, tz);
      },
    );
  };
}
