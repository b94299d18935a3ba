import { z } from 'zod';
import { AttachmentSettings, DEFAULT_ATTACHMENTS } from './attachments';
import { Lang } from './common';
import { LIMITS } from './limits';
import { BusinessHours, DEFAULT_ENGAGEMENT, DEFAULT_HOURS, EngagementSettings, Texts } from './rules';

/** An origin as browsers send it: scheme://host[:port], no path. */
export const Origin = z
  .string()
  .trim()
  .max(200)
  .transform((s) => s.replace(/\/+$/, '').toLowerCase())
  .pipe(z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an origin looks like https://shop.example.com'));

const HexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour looks like #1f6feb');
const HttpsUrlOrEmpty = z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(500)]);

export const LocalizedText = z.object({
  en: z.string().trim().max(300),
  ru: z.string().trim().max(300),
});

export const Appearance = z.object({
  color: HexColor,
  position: z.enum(['right', 'left']),
  greeting: LocalizedText,
  teamName: z.string().trim().min(1).max(60),
  avatarUrl: HttpsUrlOrEmpty,
});
export type Appearance = z.infer<typeof Appearance>;

export const DEFAULT_APPEARANCE: Appearance = {
  color: '#1f6feb',
  position: 'right',
  greeting: { en: 'Hi! Ask us anything — we usually reply in a few minutes.', ru: 'Здравствуйте! Спросите нас о чём угодно — обычно отвечаем за пару минут.' },
  teamName: 'Support',
  avatarUrl: '',
};

export const DepartmentId = z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a department id is 1–32 of a–z, 0–9, _ and -');
export const Department = z.object({ id: DepartmentId, name: Texts(60) });
export type Department = z.infer<typeof Department>;

/** How conversations reach operators (README "Routing"). */
export const RoutingSettings = z.object({
  policy: z.enum(['least_loaded', 'round_robin']).default('least_loaded'),
  /** an assigned conversation with no operator reply for this long moves to the next operator */
  noAnswerSeconds: z.number().int().min(10).max(600).default(30),
  /** moves before it goes back to the head of the queue */
  maxMoves: z.number().int().min(0).max(10).default(2),
  /** an operator whose last console tab dropped keeps their chats this long */
  graceSeconds: z.number().int().min(0).max(3600).default(60),
  /** a conversation whose visitor has had no tab open on the site this long ends (the slot frees) */
  visitorGoneSeconds: z.number().int().min(30).max(86_400).default(300),
  /** above this expected wait, the widget suggests leaving a message or a callback */
  waitLimitSeconds: z.number().int().min(0).max(3600).default(120),
  /** conversations of identified customers go first */
  priorityIdentified: z.boolean().default(true),
  /** …and of carts worth at least this much (null: off) */
  priorityCartValue: z.number().min(0).max(1e9).nullable().default(null),
  departments: z.array(Department).max(20).default([]),
  /** ask for a topic (and optionally name and email) before the first message */
  prechat: z.boolean().default(false),
  /** operators see what the visitor is typing before it is sent (the visitor is told) */
  sneakPeek: z.boolean().default(false),
});
export type RoutingSettings = z.infer<typeof RoutingSettings>;
export const DEFAULT_ROUTING: RoutingSettings = RoutingSettings.parse({});

/** How long each kind of data is kept, in days; null keeps it forever (issue 8 §8). */
const Days = z.number().int().min(1).max(3650).nullable();
export const RetentionSettings = z.object({
  /** closed conversations with their messages, notes and routing history */
  conversationsDays: Days.default(null),
  /** journey events and the reasons offers were held back */
  journeyDays: Days.default(180),
  /** visitors not seen for this long, with everything about them */
  visitorsDays: Days.default(null),
  /** resolved inbox items (messages, callback requests, leads) */
  inboxDays: Days.default(null),
});
export type RetentionSettings = z.infer<typeof RetentionSettings>;
export const DEFAULT_RETENTION: RetentionSettings = RetentionSettings.parse({});

/** The service loop (issue 10): the rating's NPS question, how long a rating may be changed, who hears of new inbox items and follow-ups. */
export const QualitySettings = z.object({
  /** also ask "how likely are you to recommend us" (0–10) */
  nps: z.boolean().default(false),
  /** after the end of a chat, minutes during which the visitor may rate it or change the rating */
  rateMinutes: z.number().int().min(5).max(7 * 24 * 60).default(24 * 60),
  /** notification addresses: new offline messages, callback requests, leads and follow-ups (when email is set up) */
  notifyEmails: z.array(z.string().trim().toLowerCase().max(254).pipe(z.email('not an email address'))).max(10).default([]),
});
export type QualitySettings = z.infer<typeof QualitySettings>;
export const DEFAULT_QUALITY: QualitySettings = QualitySettings.parse({});

export const SiteSettings = z.object({
  name: z.string().trim().min(1).max(100),
  allowedOrigins: z.array(Origin).max(LIMITS.originsPerSite),
  appearance: Appearance,
  defaultLang: Lang,
  /** conversations with no message for this long are closed */
  idleCloseMinutes: z.number().int().min(5).max(7 * 24 * 60),
  /** how much one visitor may be offered */
  engagement: EngagementSettings.default(DEFAULT_ENGAGEMENT),
  /** business hours, in the site's time zone */
  hours: BusinessHours.default(DEFAULT_HOURS),
  routing: RoutingSettings.default(DEFAULT_ROUTING),
  retention: RetentionSettings.default(DEFAULT_RETENTION),
  quality: QualitySettings.default(DEFAULT_QUALITY),
  /** files in chats */
  attachments: AttachmentSettings.default(DEFAULT_ATTACHMENTS),
});
export type SiteSettings = z.infer<typeof SiteSettings>;

export const SitePatch = SiteSettings.partial().extend({ appearance: Appearance.partial().optional(), engagement: EngagementSettings.partial().optional(), routing: RoutingSettings.partial().optional(), retention: RetentionSettings.partial().optional(), quality: QualitySettings.partial().optional(), attachments: AttachmentSettings.partial().optional() });

/** A new site: its name and where its widget may run (admins of any site may create more). */
export const SiteCreate = z.object({ name: z.string().trim().min(1).max(100), allowedOrigins: z.array(Origin).max(LIMITS.originsPerSite).default([]), defaultLang: Lang.default('en') });
export type SiteCreate = z.infer<typeof SiteCreate>;
/** Deleting a site takes all its data: the admin types its name to confirm. */
export const SiteDelete = z.object({ confirmName: z.string().max(100) });

/** Where the widget was seen (allowed) or refused, for the Install page. */
export interface OriginSighting {
  origin: string;
  allowed: boolean;
  lastSeenAt: number;
  count: number;
}
export type SitePatch = z.infer<typeof SitePatch>;

export interface SiteView extends SiteSettings {
  id: string;
  key: string;
  /** signs `Beckon('identify')` calls (HMAC-SHA256 of the user id); shown to admins only */
  identitySecret?: string;
  createdAt: number;
}

/** What the widget learns about the site on connect. */
export const WidgetSite = z.object({
  appearance: Appearance,
  defaultLang: Lang,
  /** some operator is online and not away */
  online: z.boolean(),
  /** inside the site's business hours now */
  inHours: z.boolean(),
  departments: z.array(Department),
  prechat: z.boolean(),
  /** what the visitor types is visible to operators before sending */
  sneakPeek: z.boolean(),
  /** the rating also asks the NPS question */
  nps: z.boolean().default(false),
  /** email is set up on this server: only then does the widget offer a transcript by email or promise an emailed answer */
  email: z.boolean().default(false),
  /** files in chats: the largest, in MB (null: off) */
  filesMb: z.number().int().nullable().default(null),
});
export type WidgetSite = z.infer<typeof WidgetSite>;

/** How far a site's first setup is (GET /api/sites/:id/setup). */
export interface SetupStatus {
  origins: string[];
  /** allowed addresses the widget has been seen on */
  detected: string[];
  /** addresses the widget was refused on (not allowed yet) */
  refused: string[];
  teammates: number;
  rules: number;
  rulesOn: number;
  /** a test message was sent (the console shows it as a chat) */
  tested: boolean;
}
