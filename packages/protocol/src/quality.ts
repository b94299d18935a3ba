/**
 * The service loop (issue 10): the visitor's rating of a chat, follow-ups for bad ones, and the
 * owner's metrics.
 */
import { z } from 'zod';
import { Id } from './common';
import { Verdict, type RatingBrief } from './chat';
import { Email } from './rest';

export const RateConversation = z.object({
  conversationId: Id,
  verdict: Verdict,
  comment: z.string().trim().max(1000).default(''),
  nps: z.number().int().min(0).max(10).nullable().default(null),
});
export type RateConversation = z.input<typeof RateConversation>;

/** the visitor asks for the conversation by email */
export const TranscriptRequest = z.object({ conversationId: Id, email: Email });

export type FollowUpReason = 'worse' | 'detractor';
export type FollowUpOutcome = 'recovered' | 'not_recovered';
export interface FollowUpNote {
  id: string;
  authorName: string;
  body: string;
  createdAt: number;
}
export interface FollowUpView {
  id: string;
  siteId: string;
  conversationId: string;
  visitorId: string;
  visitorName: string;
  visitorEmail: string | null;
  operatorId: string | null;
  operatorName: string | null;
  reason: FollowUpReason;
  rating: RatingBrief | null;
  status: 'open' | 'resolved';
  assigneeId: string | null;
  assigneeName: string | null;
  outcome: FollowUpOutcome | null;
  createdAt: number;
  resolvedAt: number | null;
  notes: FollowUpNote[];
}
export const FollowUpPatch = z.object({
  /** take it ('me'), give it to a supervisor or admin of the site (their id), or hand it back (null) */
  assignee: z.union([z.literal('me'), Id]).nullable().optional(),
  /** resolving needs an outcome; reopening clears it */
  status: z.enum(['open', 'resolved']).optional(),
  outcome: z.enum(['recovered', 'not_recovered']).optional(),
}).refine((p) => p.status !== 'resolved' || p.outcome, { message: 'say whether it was put right', path: ['outcome'] });
export const FollowUpNoteBody = z.object({ body: z.string().trim().min(1).max(4000) });

export const METRIC_SOURCES = ['rule', 'manual', 'visitor'] as const;
export const MetricsQuery = z.object({
  from: z.coerce.number().int().min(0),
  to: z.coerce.number().int().min(0),
  operatorId: Id.optional(),
  department: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
  /** who started it: a proactive rule, an operator's invitation, the visitor */
  source: z.enum(METRIC_SOURCES).optional(),
  /** IANA zone for days and hours (default: the site's) */
  tz: z.string().max(64).optional(),
}).refine((q) => q.to > q.from, { message: 'the period ends before it starts', path: ['to'] }).refine((q) => q.to - q.from <= 400 * 86_400_000, { message: 'at most 400 days at once', path: ['to'] });
export type MetricsQuery = z.input<typeof MetricsQuery>;

export interface Spread {
  /** nearest-rank percentiles, in ms; null with no data */
  median: number | null;
  p90: number | null;
  count: number;
}

export interface RuleMetrics {
  ruleId: string | null;
  ruleName: string;
  variant: string;
  shown: number;
  accepted: number;
  conversations: number;
  converted: number;
  revenue: number;
  holdout: number;
  holdoutConverted: number;
  holdoutRevenue: number;
  /** conversion of those shown, and of the holdout */
  conversion: number | null;
  holdoutConversion: number | null;
  /** conversion minus holdout conversion (percentage points as a fraction), with its 95% interval */
  lift: { diff: number; low: number; high: number } | null;
}

export interface OperatorMetrics {
  operatorId: string;
  name: string;
  conversations: number;
  firstResponse: Spread;
  durationMedian: number | null;
  better: number;
  as: number;
  worse: number;
}

export interface Metrics {
  from: number;
  to: number;
  tz: string;
  conversations: number;
  answered: number;
  firstResponse: Spread & { within20s: number | null };
  queueWait: Spread;
  /** the visitor left (or closed) before the first answer */
  abandoned: number;
  /** never answered by an operator */
  missed: number;
  duration: Spread;
  messagesPerChat: number | null;
  ratings: { better: number; as: number; worse: number; rated: number };
  nps: { score: number | null; promoters: number; passives: number; detractors: number; responses: number };
  followUps: { opened: number; resolved: number; recovered: number };
  /** share of visitors who came back (a new visit after the chat) */
  returns: { everyone: Rate; afterWorse: Rate; afterRecovered: Rate };
  /** local days in `tz` */
  daily: { day: string; conversations: number; answered: number; within20s: number | null; worse: number }[];
  /** conversations by local weekday (0 Monday … 6 Sunday) and hour */
  busiest: number[][];
  rules: RuleMetrics[];
  operators: OperatorMetrics[];
}
export interface Rate {
  of: number;
  returned: number;
  rate: number | null;
}
