/**
 * What the loader reports about the visitor's journey (batched), the offers the server shows,
 * and the console's view of live visitors and of offers' results.
 */
import { z } from 'zod';
import { Id } from './common';
import { ActionKind, type HoldReason } from './rules';

const Text = (max: number) => z.string().max(max);
const UrlText = z.string().max(2048);
/** how long ago (ms) the browser saw it: batching must not shift the timeline */
const Ago = z.number().int().min(0).max(120_000).default(0);
export const EventName = z.string().min(1).max(64).regex(/^[\w.:-]+$/, 'event names use letters, digits, _ . : -');
const Props = z
  .record(z.string().max(64), z.union([z.string().max(200), z.number().finite(), z.boolean()]))
  .refine((p) => Object.keys(p).length <= 20, 'at most 20 properties');

export const Device = z.enum(['desktop', 'tablet', 'phone']);
export type Device = z.infer<typeof Device>;

export const JourneyEvent = z.discriminatedUnion('type', [
  /** sent first on every connection */
  z.object({ type: z.literal('context'), device: Device, tzOffset: z.number().int().min(-840).max(840), lang: Text(35), visible: z.boolean() }),
  z.object({ type: z.literal('page'), url: UrlText, title: Text(300), referrer: UrlText.default(''), ago: Ago, /** re-sent after a reconnect: not a new page view if the server knows it */ again: z.boolean().optional() }),
  z.object({ type: z.literal('scroll'), depth: z.number().int().min(0).max(100), ago: Ago }),
  z.object({ type: z.literal('idle'), idle: z.boolean(), ago: Ago }),
  z.object({ type: z.literal('visibility'), visible: z.boolean(), ago: Ago }),
  z.object({ type: z.literal('exit'), ago: Ago }),
  z.object({ type: z.literal('track'), name: EventName, props: Props.default({}), ago: Ago }),
  z.object({ type: z.literal('cart'), value: z.number().finite().min(0).max(1e9), currency: z.string().regex(/^[A-Z]{3}$/).default('USD'), items: z.number().int().min(0).max(10_000), ago: Ago }),
  z.object({
    type: z.literal('identify'),
    userId: z.string().min(1).max(128),
    /** hex HMAC-SHA256 of userId with the site's identity secret, computed by the site's backend */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    name: Text(100).optional(),
    email: z.string().max(200).optional(),
    segment: z.array(z.string().max(40)).max(10).optional(),
  }),
  /** the visitor is typing in the chat (no text is sent) */
  z.object({ type: z.literal('typing') }),
]);
export type JourneyEvent = z.input<typeof JourneyEvent>;
export type JourneyEventParsed = z.infer<typeof JourneyEvent>;

export const JourneyBatch = z.object({ events: z.array(JourneyEvent).min(1).max(40) });

/** An offer on the visitor's screen, already in their language. */
export const OfferView = z.object({
  id: Id,
  kind: ActionKind,
  title: z.string(),
  text: z.string(),
  code: z.string(),
  url: z.string(),
  button: z.string(),
  imageUrl: z.string(),
  videoUrl: z.string(),
  consent: z.string(),
  /** invite: who would answer */
  operator: z.object({ name: z.string(), avatarUrl: z.string() }).nullable(),
  expiresAt: z.number().int(),
});
export type OfferView = z.infer<typeof OfferView>;

export const OfferRef = z.object({ offerId: Id });
export const OfferAccept = z.object({ offerId: Id, how: z.enum(['click', 'copy', 'chat']).default('click') });
const Phone = z.string().trim().min(5).max(32).regex(/^[+\d][\d\s()\-.]{4,31}$/, 'a phone number, e.g. +1 555 010 0199');
export const LeadSubmit = z.object({
  offerId: Id,
  name: z.string().trim().min(1).max(100),
  email: z.email().max(200).or(z.literal('')).default(''),
  phone: Phone.or(z.literal('')).default(''),
  consent: z.literal(true, 'consent is needed'),
}).refine((l) => l.email || l.phone, { message: 'an email or a phone is needed', path: ['email'] });
export const CallbackSubmit = z.object({ offerId: Id.nullable(), phone: Phone, time: z.string().trim().max(100).default(''), name: z.string().trim().max(100).default('') });

/** One live visitor on the console's board. */
export interface LiveVisitor {
  visitorId: string;
  name: string;
  online: boolean;
  page: { url: string; title: string; since: number } | null;
  pages: number;
  sessionStartedAt: number;
  source: string;
  device: string;
  lang: string;
  returning: boolean;
  visits: number;
  cart: { value: number; currency: string; items: number } | null;
  chatting: boolean;
  offer: { ruleName: string; kind: string } | null;
  /** why matching rules were not offered */
  held: { ruleName: string; reason: HoldReason }[];
  /** rules that match now */
  matching: string[];
}

export interface JourneyEntry {
  type: string;
  at: number;
  data: Record<string, unknown>;
}

export interface FunnelRow {
  ruleId: string | null;
  ruleName: string;
  variant: string;
  shown: number;
  dismissed: number;
  accepted: number;
  converted: number;
  value: number;
  holdout: number;
  holdoutConverted: number;
  holdoutValue: number;
}

export const ManualInvite = z.object({ visitorId: Id, text: z.string().trim().min(1).max(600) });
