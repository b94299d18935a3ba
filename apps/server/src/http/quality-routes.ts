/**
 * The service loop over REST (issue 10), for the console: follow-ups (supervisors and admins),
 * the dashboard's metrics, the email status, and a conversation's transcript as a file.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BeckonError, FollowUpNoteBody, FollowUpPatch, Id, MetricsQuery, type Message, type RatingBrief } from '@beckon/protocol';
import { newId, ratingBrief, type Store } from '@beckon/db';
import { visitorDisplayName } from '../chat/chat-service';
import type { Mailer } from '../quality/mailer';
import type { QualityService } from '../quality/quality-service';
import { roleOn } from './access';
import { requireAccount } from './auth-routes';
import { parse } from './errors';

const SiteParams = z.object({ siteId: Id });
const FollowUpParams = z.object({ followUpId: Id });
const ConversationParams = z.object({ conversationId: Id });
const ListQuery = z.object({ status: z.enum(['open', 'resolved']).default('open'), before: z.string().regex(/^\d{1,15}_[\w-]{1,64}$/).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export interface QualityRouteDeps {
  store: Store;
  quality: QualityService;
  mailer: Mailer;
  now: () => number;
}

/** a valid IANA zone, or the site's */
function zone(tz: string | undefined, fallback: string): string {
  if (!tz) return fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw new BeckonError('VALIDATION_FAILED', `tz: ${tz} is not a time zone`);
  }
}

const VERDICT: Record<string, string> = { better: 'better than expected', as: 'as expected', worse: 'worse than expected' };

export function transcriptText(o: { site: string; visitor: string; tz: string; startedAt: number; messages: Message[]; rating: RatingBrief | null }): string {
  const at = (ms: number) => new Date(ms).toLocaleString('sv-SE', { timeZone: o.tz });
  const who = (m: Message) => (m.sender === 'visitor' ? o.visitor : m.authorName || o.site);
  const rated = o.rating ? [`Rated: ${VERDICT[o.rating.verdict]}${o.rating.nps !== null ? `, NPS ${o.rating.nps}/10` : ''}${o.rating.comment ? ` — ${o.rating.comment}` : ''}`, ''] : [];
  return [`${o.site} — ${o.visitor} — ${at(o.startedAt)} (${o.tz})`, '', ...o.messages.map((m) => `[${at(m.createdAt)}] ${who(m)}: ${m.body.replace(/\n/g, '\n    ')}`), '', ...rated].join('\n');
}

export function qualityRoutes(d: QualityRouteDeps) {
  const { store } = d;
  return async function plugin(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount);
    /** follow-ups and metrics are for supervisors and admins */
    async function lead(req: FastifyRequest, siteId: string) {
      const role = await roleOn(store, req, siteId);
      if (role === 'operator') throw new BeckonError('FORBIDDEN', 'Supervisors and admins only.');
      return role;
    }
    async function followUpOf(req: FastifyRequest) {
      const { followUpId } = parse(FollowUpParams, req.params);
      const f = await store.quality.getFollowUp(followUpId);
      if (!f) throw new BeckonError('NOT_FOUND');
      await lead(req, f.siteId);
      return f;
    }

    app.get('/api/sites/:siteId/follow-ups', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await lead(req, siteId);
      const { status, before, limit } = parse(ListQuery, req.query);
      const cursor = before ? { at: Number(before.split('_')[0]), id: before.slice(before.indexOf('_') + 1) } : null;
      const rows = await store.quality.listFollowUps([siteId], status, cursor, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: await Promise.all(page.map((f) => d.quality.view(f))), open: await store.quality.countOpenFollowUps(siteId), next: rows.length > limit && last ? `${last.createdAt}_${last.id}` : null };
    });
    app.get('/api/follow-ups/:followUpId', async (req) => {
      const f = await followUpOf(req);
      const [view, messages, emails] = await Promise.all([d.quality.view(f), store.messagesAfter(f.conversationId, 0, 1000), store.quality.emailsFor([f.id])]);
      return { followUp: view, messages, emails: emails.map((e) => ({ to: e.to, status: e.status, error: e.lastError })) };
    });
    app.patch('/api/follow-ups/:followUpId', async (req) => {
      const f = await followUpOf(req);
      const body = parse(FollowUpPatch, req.body);
      return d.quality.view(await d.quality.update(f, { id: req.account!.id }, body));
    });
    app.post('/api/follow-ups/:followUpId/notes', async (req, reply) => {
      const f = await followUpOf(req);
      const { body } = parse(FollowUpNoteBody, req.body);
      await store.quality.addFollowUpNote({ id: newId(), followUpId: f.id, authorId: req.account!.id, authorName: req.account!.name, body, createdAt: d.now() });
      reply.status(201);
      return d.quality.view(f);
    });

    app.get('/api/sites/:siteId/metrics', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await lead(req, siteId);
      const q = parse(MetricsQuery, req.query);
      const site = await store.getSite(siteId);
      return store.quality.metrics(siteId, q, zone(q.tz, site!.hours.timeZone));
    });

    /** is email set up, and what became of the latest emails (Settings → Notifications) */
    app.get('/api/sites/:siteId/email', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId, 'admin');
      const recent = await store.quality.recentEmails(siteId, 20);
      return { enabled: d.mailer.enabled, recent: recent.map((e) => ({ id: e.id, kind: e.kind, to: e.to, subject: e.subject, status: e.status, attempts: e.attempts, error: e.lastError, createdAt: e.createdAt, sentAt: e.sentAt })) };
    });

    /** a conversation as a text file (any member of its site) */
    app.get('/api/conversations/:conversationId/transcript', async (req, reply) => {
      const { conversationId } = parse(ConversationParams, req.params);
      const c = await store.getConversation(conversationId);
      if (!c) throw new BeckonError('NOT_FOUND');
      await roleOn(store, req, c.siteId);
      const [site, visitor, messages, rating] = await Promise.all([store.getSite(c.siteId), store.getVisitor(c.visitorId), store.messagesAfter(c.id, 0, 5000), store.quality.getRating(c.id)]);
      const name = visitorDisplayName(c.visitorId, visitor?.name ?? null);
      reply.header('content-type', 'text/plain; charset=utf-8').header('content-disposition', `attachment; filename="transcript-${c.id}.txt"`);
      return transcriptText({ site: site!.name, visitor: name, tz: site!.hours.timeZone, startedAt: c.createdAt, messages, rating: rating && ratingBrief(rating) });
    });
  };
}
