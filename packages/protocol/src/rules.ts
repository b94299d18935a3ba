/**
 * Rules are data: conditions over journey facts + an action + controls (DESIGN.md "Journey
 * and rules"). The console edits them with these schemas, the server stores them validated,
 * `@beckon/rules` compiles them.
 */
import { z } from 'zod';

/** The journey facts a condition can read, with their type. Documented in the README. */
export const FACTS = {
  'page.url': 'string',
  'page.path': 'string',
  'page.title': 'string',
  /** seconds since this page view began (derived on the server) */
  'page.seconds': 'time',
  /** seconds since this session began */
  'site.seconds': 'time',
  'session.pages': 'number',
  'landing.url': 'string',
  referrer: 'string',
  'utm.source': 'string',
  'utm.medium': 'string',
  'utm.campaign': 'string',
  'utm.term': 'string',
  'utm.content': 'string',
  /** deepest scroll on this page, percent */
  'scroll.depth': 'number',
  /** no input on the page for 30 s */
  idle: 'boolean',
  /** the pointer left through the top edge on this page (desktop) */
  'exit.intent': 'boolean',
  device: 'string',
  language: 'string',
  returning: 'boolean',
  visits: 'number',
  'cart.value': 'number',
  'cart.items': 'number',
  /** the latest `Beckon('track', name)` of this session */
  'event.name': 'string',
  /** a property of that event (text, number or yes/no): `key` names it */
  'event.prop': 'value',
  /** every event name tracked this session */
  events: 'list',
  segment: 'list',
  identified: 'boolean',
  /** the visitor's local clock */
  'local.hour': 'clock',
  /** 1 = Monday … 7 = Sunday, the visitor's local calendar */
  'local.weekday': 'clock',
  /** operators online with a free slot right now */
  'operators.available': 'number',
} as const;
export type Fact = keyof typeof FACTS;
export type FactType = (typeof FACTS)[Fact];
export const FACT_NAMES = Object.keys(FACTS) as Fact[];

export const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'starts_with', 'matches', 'exists'] as const;
export type Op = (typeof OPS)[number];

/** Which operators make sense on which fact type. */
export const OPS_BY_TYPE: Record<FactType, readonly Op[]> = {
  string: ['eq', 'neq', 'in', 'contains', 'starts_with', 'matches', 'exists'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'],
  time: ['gt', 'gte', 'lt', 'lte'],
  clock: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in'],
  boolean: ['eq', 'exists'],
  list: ['contains', 'exists'],
  value: OPS,
};

const Scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const Leaf = z
  .object({
    fact: z.enum(FACT_NAMES as [Fact, ...Fact[]]),
    op: z.enum(OPS),
    value: z.union([Scalar, z.array(z.union([z.string().max(200), z.number().finite()])).max(50)]).optional(),
    /** for `event.prop`: which property */
    key: z.string().max(64).optional(),
  })
  .superRefine((l, ctx) => {
    const type = FACTS[l.fact];
    if (!OPS_BY_TYPE[type].includes(l.op)) ctx.addIssue({ code: 'custom', message: `"${l.op}" does not apply to ${l.fact}`, path: ['op'] });
    if (l.op === 'exists') return;
    const v = l.value;
    if (v === undefined) return ctx.addIssue({ code: 'custom', message: 'a value is needed', path: ['value'] });
    if (l.op === 'in') {
      if (!Array.isArray(v) || !v.length) ctx.addIssue({ code: 'custom', message: '"in" needs a list of values', path: ['value'] });
      return;
    }
    if (Array.isArray(v)) return ctx.addIssue({ code: 'custom', message: 'one value is needed', path: ['value'] });
    const numeric = type === 'number' || type === 'time' || type === 'clock';
    if (numeric && typeof v !== 'number') ctx.addIssue({ code: 'custom', message: `${l.fact} compares with a number`, path: ['value'] });
    if (type === 'boolean' && typeof v !== 'boolean') ctx.addIssue({ code: 'custom', message: `${l.fact} is true or false`, path: ['value'] });
    if ((type === 'string' || type === 'list') && typeof v !== 'string') ctx.addIssue({ code: 'custom', message: `${l.fact} compares with text`, path: ['value'] });
    if (l.fact === 'event.prop' && !l.key) ctx.addIssue({ code: 'custom', message: 'name the event property', path: ['key'] });
  });
export type Leaf = z.infer<typeof Leaf>;

export type Condition = Leaf | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/** Depth and size are bounded: a rule is small, and nothing a site owner writes can be slow. */
export const Condition: z.ZodType<Condition, Condition> = z.lazy(() =>
  z.union([z.object({ all: z.array(Condition).max(30) }).strict(), z.object({ any: z.array(Condition).max(30) }).strict(), z.object({ not: Condition }).strict(), Leaf]),
);

/** A text in both languages; an empty one falls back to the site's default language. */
export const Texts = (max: number) => z.object({ en: z.string().trim().max(max).default(''), ru: z.string().trim().max(max).default('') }).default({ en: '', ru: '' });
export type Texts = { en: string; ru: string };

const Url = z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(1000)]);

export const ActionKind = z.enum(['invite', 'coupon', 'lead_form', 'callback', 'article', 'media']);
export type ActionKind = z.infer<typeof ActionKind>;

/** What a variant shows. Which fields apply depends on the rule's kind. */
export const OfferContent = z.object({
  title: Texts(120),
  text: Texts(600),
  /** coupon */
  code: z.string().trim().max(40).default(''),
  /** coupon, article, media: where the button leads */
  url: Url.default(''),
  button: Texts(40),
  imageUrl: Url.default(''),
  /** media: an mp4/webm file */
  videoUrl: Url.default(''),
  /** lead form: the consent checkbox's label */
  consent: Texts(300),
  /** invite: speak as the operator who would answer */
  asOperator: z.boolean().default(true),
});
export type OfferContent = z.infer<typeof OfferContent>;

export const Variant = z.object({
  key: z.string().trim().min(1).max(20),
  weight: z.number().int().min(1).max(100),
  content: OfferContent,
});
export type Variant = z.infer<typeof Variant>;

export const RuleControls = z.object({
  /** after this visitor dismissed this rule's offer, minutes before it may come again */
  cooldownMinutes: z.number().int().min(0).max(60 * 24 * 30).default(24 * 60),
  /** how often one visitor may see it */
  repeat: z.enum(['session', 'day', 'once']).default('session'),
  /** invitations: only while an operator has a free slot (on by default) */
  needsOperator: z.boolean().default(true),
  schedule: z.enum(['always', 'business_hours', 'outside_business_hours']).default('always'),
  /** percent of visitors who never get this offer (its lift is measured against them) */
  holdoutPercent: z.number().int().min(0).max(50).default(0),
  /** the offer hides itself after this long unanswered */
  expiresSeconds: z.number().int().min(10).max(3600).default(120),
});
export type RuleControls = z.infer<typeof RuleControls>;

export const Goal = z.object({
  /** the tracked event that counts as a conversion, e.g. `purchase` */
  event: z.string().trim().min(1).max(64).regex(/^[\w.:-]+$/),
  /** an event this long after the offer was accepted is credited to it */
  windowHours: z.number().int().min(1).max(24 * 30).default(24),
});

/** Why an offer cannot be shown: each reason is stable, the console words it in the person's language. */
export type OfferProblem = 'text_missing' | 'title_missing' | 'code_missing';

const said = (t: { en?: string; ru?: string } | undefined) => !!(t?.en?.trim() || t?.ru?.trim());

/**
 * What a variant of a given kind must say to be worth showing: an invitation its text, a coupon
 * its code and a headline, the others a headline or a text (a media card without its picture
 * still says something). An empty offer would show visitors a blank bar.
 */
export function offerProblems(kind: ActionKind, c: Partial<OfferContent> | undefined): { field: keyof OfferContent; problem: OfferProblem }[] {
  const out: { field: keyof OfferContent; problem: OfferProblem }[] = [];
  if (kind === 'invite') {
    if (!said(c?.text)) out.push({ field: 'text', problem: 'text_missing' });
    return out;
  }
  // a callback card has its own wording when the site writes none ("Questions? We will call you")
  if (kind !== 'callback' && !said(c?.title) && !said(c?.text)) out.push({ field: 'title', problem: 'title_missing' });
  if (kind === 'coupon' && !c?.code?.trim()) out.push({ field: 'code', problem: 'code_missing' });
  return out;
}

const PROBLEM_TEXT: Record<OfferProblem, string> = {
  text_missing: 'an invitation needs its text in at least one language',
  title_missing: 'the offer needs a title or a text in at least one language',
  code_missing: 'a coupon needs its code',
};

export const RuleInput = z.object({
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  /** higher first */
  priority: z.number().int().min(0).max(1000).default(100),
  kind: ActionKind,
  when: Condition,
  variants: z
    .array(Variant)
    .min(1)
    .max(5)
    .refine((vs) => new Set(vs.map((v) => v.key)).size === vs.length, 'variant keys must differ'),
  controls: RuleControls.default(RuleControls.parse({})),
  goal: Goal.nullable().default(null),
  /** an accepted invitation's conversation goes to this department… */
  department: z.string().regex(/^[a-z0-9_-]{1,32}$/).nullable().default(null),
  /** …with this routing priority (higher first) */
  routePriority: z.number().int().min(0).max(10).default(0),
}).superRefine((r, ctx) => {
  r.variants.forEach((v, i) => {
    for (const p of offerProblems(r.kind, v.content)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'content', p.field], message: `variant ${v.key}: ${PROBLEM_TEXT[p.problem]}`, params: { problem: p.problem, variant: v.key } });
  });
});
export type RuleInput = z.input<typeof RuleInput>;
export type RuleDef = z.infer<typeof RuleInput>;
export interface Rule extends RuleDef {
  id: string;
  updatedAt: number;
}

/** Site-wide limits on how much one visitor is offered. */
export const EngagementSettings = z.object({
  perSession: z.number().int().min(0).max(20).default(2),
  perDay: z.number().int().min(0).max(50).default(4),
  /** after any dismissal, minutes before any other offer */
  cooldownMinutes: z.number().int().min(0).max(24 * 60).default(10),
});
export type EngagementSettings = z.infer<typeof EngagementSettings>;
export const DEFAULT_ENGAGEMENT: EngagementSettings = EngagementSettings.parse({});

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time looks like 09:30');
export const BusinessHours = z.object({
  /** IANA zone, e.g. Europe/Moscow */
  timeZone: z.string().max(64).refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown time zone'),
  /** 1 = Monday … 7 = Sunday */
  days: z.array(z.number().int().min(1).max(7)).max(7),
  from: HHMM,
  to: HHMM,
});
export type BusinessHours = z.infer<typeof BusinessHours>;
/** Until the site sets its hours: open around the clock (from = to means the whole day). */
export const DEFAULT_HOURS: BusinessHours = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '00:00' };

/** Why a matching rule's offer was held back (stored, shown in the console). */
export const HOLD_REASONS = ['showing_other', 'chatting', 'typing', 'session_cap', 'daily_cap', 'cooldown', 'rule_cooldown', 'already_shown', 'outside_hours', 'no_free_operator', 'holdout', 'tab_hidden', 'lower_priority'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];
