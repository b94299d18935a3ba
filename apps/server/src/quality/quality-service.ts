/**
 * The service loop (issue 10): the visitor rates a chat once it ended; "worse" (or an NPS
 * detractor, 0–6) opens a follow-up for the site's supervisors; answers, transcripts and alerts
 * go out by email when the server has SMTP.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import { memoryLimiters, type Limiters } from '../lib/limits';
import type { FastifyBaseLogger } from 'fastify';
import { BeckonError, type FollowUpView, type Lang, type RatingBrief, type SiteView, type WebhookEvent } from '@beckon/protocol';
import { newId, ratingBrief as brief, type ConversationRow, type FollowUpRow, type InboxRow, type Store } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import { visitorDisplayName } from '../chat/chat-service';
import { rooms, type OperatorNamespace } from '../chat/types';
import type { Mailer } from './mailer';
import { answerEmail, followUpAlert, inboxAlert, langOf, transcriptEmail } from './templates';

export interface QualityDeps {
  store: Store;
  chat: ChatService;
  operators: OperatorNamespace;
  mailer: Mailer;
  now: () => number;
  log: FastifyBaseLogger;
  /** where links in alerts point (BECKON_PUBLIC_URL) */
  publicUrl: string;
  /** where rate limits count (in Redis on several nodes) */
  limiters?: Limiters;
}

export class QualityService {
  /** transcripts by email: a visitor may ask 3 times an hour */
  private readonly transcripts;

  constructor(private readonly d: QualityDeps) {
    this.transcripts = (d.limiters ?? memoryLimiters).limiter({ keyPrefix: 'transcript', points: 3, duration: 3600 });
  }

  private emit(siteId: string, type: WebhookEvent, data: Record<string, unknown>, c: { id: string; visitorId: string }): void {
    this.d.chat.hooks.event?.(siteId, type, data, { orderKey: c.id, visitorId: c.visitorId });
  }

  /** until when a closed conversation may be rated (null: not closed) */
  rateUntil(c: ConversationRow, site: SiteView): number | null {
    return c.status === 'closed' && c.closedAt !== null ? c.closedAt + site.quality.rateMinutes * 60_000 : null;
  }

  async rate(v: { siteId: string; visitorId: string }, p: { conversationId: string; verdict: 'better' | 'as' | 'worse'; comment: string; nps: number | null }): Promise<{ rating: RatingBrief; rateUntil: number }> {
    const c = await this.d.store.getConversation(p.conversationId);
    if (!c || c.visitorId !== v.visitorId || c.siteId !== v.siteId) throw new BeckonError('NOT_FOUND');
    const site = (await this.d.store.getSite(c.siteId))!;
    const until = this.rateUntil(c, site);
    const now = this.d.now();
    if (until === null) throw new BeckonError('RATING_CLOSED', 'Rate the chat once it has ended.');
    if (now > until) throw new BeckonError('RATING_CLOSED', 'This chat can no longer be rated.');
    const before = await this.d.store.quality.getRating(c.id);
    const nps = site.quality.nps ? p.nps : null;
    const row = await this.d.store.quality.putRating({ conversationId: c.id, siteId: c.siteId, visitorId: c.visitorId, operatorId: c.assigneeId, verdict: p.verdict, comment: p.comment, nps, createdAt: before?.createdAt ?? now, updatedAt: now });
    const rating = brief(row);
    this.emit(c.siteId, 'rating.submitted', { conversationId: c.id, visitorId: c.visitorId, operatorId: c.assigneeId, rating, changed: !!before }, c);
    // "worse" is never left alone
    const bad = p.verdict === 'worse' ? 'worse' : nps !== null && nps <= 6 ? 'detractor' : null;
    if (bad) {
      const f = await this.d.store.quality.openFollowUp({ id: newId(), siteId: c.siteId, conversationId: c.id, visitorId: c.visitorId, operatorId: c.assigneeId, reason: bad, createdAt: now });
      if (f) await this.opened(f, site, rating);
    }
    await this.d.chat.publish(c);
    return { rating, rateUntil: until };
  }

  private async opened(f: FollowUpRow, site: SiteView, rating: RatingBrief): Promise<void> {
    this.emit(f.siteId, 'follow_up.opened', { followUp: { id: f.id, conversationId: f.conversationId, reason: f.reason, operatorId: f.operatorId }, rating }, { id: f.conversationId, visitorId: f.visitorId });
    this.d.operators.to(rooms.siteOperators(f.siteId)).emit('followup:new', { id: f.id, siteId: f.siteId });
    const [visitor, operator] = await Promise.all([this.d.store.getVisitor(f.visitorId), f.operatorId ? this.d.store.getAccount(f.operatorId) : null]);
    for (const to of site.quality.notifyEmails) {
      const m = followUpAlert(site.defaultLang, { site: site.name, verdict: rating.verdict, nps: rating.nps, comment: rating.comment, visitor: visitorDisplayName(f.visitorId, visitor?.name ?? null) + (visitor?.email ? ` <${visitor.email}>` : ''), operator: operator?.name ?? '', link: `${this.d.publicUrl}/followups/${f.id}` });
      await this.d.mailer.send({ siteId: site.id, kind: 'alert', to, ...m, ref: f.id, visitorId: f.visitorId });
    }
  }

  /** The visitor asks for the conversation by email. */
  async transcript(v: { siteId: string; visitorId: string }, p: { conversationId: string; email: string }): Promise<{ queued: true }> {
    if (!this.d.mailer.enabled) throw new BeckonError('EMAIL_OFF');
    const c = await this.d.store.getConversation(p.conversationId);
    if (!c || c.visitorId !== v.visitorId || c.siteId !== v.siteId) throw new BeckonError('NOT_FOUND');
    try {
      await this.transcripts.consume(v.visitorId);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw new BeckonError('RATE_LIMITED', 'At most 3 transcripts an hour.');
      throw e;
    }
    const [site, visitor] = await Promise.all([this.d.store.getSite(c.siteId), this.d.store.getVisitor(c.visitorId)]);
    const messages = await this.d.store.messagesAfter(c.id, 0, 1000);
    const m = transcriptEmail(langOf(visitor?.lang, site!.defaultLang), { site: site!.name, tz: site!.hours.timeZone, messages, startedAt: c.createdAt });
    await this.d.mailer.send({ siteId: c.siteId, kind: 'transcript', to: p.email, ...m, ref: c.id, visitorId: c.visitorId });
    if (!visitor?.email) await this.d.store.updateVisitor(c.visitorId, { email: p.email });
    return { queued: true };
  }

  /** An operator answered an inbox item: the answer goes to the address the visitor left. */
  async answered(item: InboxRow, by: string): Promise<void> {
    if (!item.email || !item.answer || !this.d.mailer.enabled) return;
    const [site, visitor] = await Promise.all([this.d.store.getSite(item.siteId), this.d.store.getVisitor(item.visitorId)]);
    if (!site) return;
    const lang: Lang = langOf(visitor?.lang, site.defaultLang);
    const m = answerEmail(lang, { site: site.name, name: item.name || visitorDisplayName(item.visitorId, null), question: item.body || item.preferredTime || item.phone, answer: item.answer, by });
    await this.d.mailer.send({ siteId: site.id, kind: 'answer', to: item.email, ...m, ref: item.id, visitorId: item.visitorId });
  }

  /** New inbox items alert the site's notification addresses. */
  async inboxAlert(item: { id: string; siteId: string; visitorId: string; kind: 'message' | 'callback' | 'lead'; name: string; email: string; phone: string; preferredTime: string; body: string; pageUrl: string }): Promise<void> {
    const site = await this.d.store.getSite(item.siteId);
    if (!site || !this.d.mailer.enabled) return;
    for (const to of site.quality.notifyEmails) {
      const m = inboxAlert(site.defaultLang, { site: site.name, kind: item.kind, name: item.name, email: item.email, phone: item.phone, time: item.preferredTime, body: item.body, page: item.pageUrl, link: `${this.d.publicUrl}/inbox` });
      await this.d.mailer.send({ siteId: site.id, kind: 'alert', to, ...m, ref: item.id, visitorId: item.visitorId });
    }
  }

  // ---- follow-ups, for supervisors

  async view(f: FollowUpRow): Promise<FollowUpView> {
    const [visitor, operator, assignee, rating, notes] = await Promise.all([
      this.d.store.getVisitor(f.visitorId),
      f.operatorId ? this.d.store.getAccount(f.operatorId) : null,
      f.assigneeId ? this.d.store.getAccount(f.assigneeId) : null,
      this.d.store.quality.getRating(f.conversationId),
      this.d.store.quality.followUpNotes(f.id),
    ]);
    return {
      id: f.id,
      siteId: f.siteId,
      conversationId: f.conversationId,
      visitorId: f.visitorId,
      visitorName: visitorDisplayName(f.visitorId, visitor?.name ?? null),
      visitorEmail: visitor?.email ?? null,
      operatorId: f.operatorId,
      operatorName: operator?.name ?? null,
      reason: f.reason,
      rating: rating ? brief(rating) : null,
      status: f.status,
      assigneeId: f.assigneeId,
      assigneeName: assignee?.name ?? null,
      outcome: f.outcome,
      createdAt: f.createdAt,
      resolvedAt: f.resolvedAt,
      notes: notes.map((n) => ({ id: n.id, authorName: n.authorName, body: n.body, createdAt: n.createdAt })),
    };
  }

  async update(f: FollowUpRow, by: { id: string }, p: { assignee?: string | null; status?: 'open' | 'resolved'; outcome?: 'recovered' | 'not_recovered' }): Promise<FollowUpRow> {
    const now = this.d.now();
    if (p.assignee && p.assignee !== 'me') {
      const m = (await this.d.store.listMembers(f.siteId)).find((x) => x.accountId === p.assignee);
      if (!m || m.role === 'operator') throw new BeckonError('VALIDATION_FAILED', 'assignee: a supervisor or admin of this site');
    }
    const resolving = p.status === 'resolved' && f.status !== 'resolved';
    const updated = (await this.d.store.quality.updateFollowUp(f.id, {
      ...(p.assignee !== undefined ? { assigneeId: p.assignee === 'me' ? by.id : p.assignee } : {}),
      ...(p.status === 'resolved' ? { status: 'resolved', outcome: p.outcome ?? f.outcome, resolvedAt: resolving ? now : f.resolvedAt, assigneeId: f.assigneeId ?? by.id } : {}),
      ...(p.status === 'open' ? { status: 'open', outcome: null, resolvedAt: null } : {}),
      ...(p.outcome && p.status === undefined && f.status === 'resolved' ? { outcome: p.outcome } : {}),
    }))!;
    if (resolving) this.emit(f.siteId, 'follow_up.resolved', { followUp: { id: f.id, conversationId: f.conversationId, outcome: updated.outcome, resolvedBy: by.id } }, { id: f.conversationId, visitorId: f.visitorId });
    this.d.operators.to(rooms.siteOperators(f.siteId)).emit('followup:new', { id: f.id, siteId: f.siteId });
    return updated;
  }
}
