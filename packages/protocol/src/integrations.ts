/**
 * Integrations (DESIGN.md "Email, integrations"): per-site API tokens and signed webhooks.
 * The REST API's own schemas live with its routes (apps/server/src/http/api-v1.ts), from which
 * the OpenAPI document is generated.
 */
import { z } from 'zod';

/** Everything a webhook endpoint may subscribe to. `ping` is the test delivery, always sent on request. */
export const WEBHOOK_EVENTS = [
  'conversation.started',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.closed',
  'message.visitor',
  'message.operator',
  'offer.shown',
  'offer.accepted',
  'offer.dismissed',
  'goal.reached',
  'lead.created',
  'callback.requested',
  'offline_message.created',
  'rating.submitted',
  'follow_up.opened',
  'follow_up.resolved',
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const Scope = z.enum(['read', 'write']);
export type Scope = z.infer<typeof Scope>;

export const TokenCreate = z.object({
  name: z.string().trim().min(1).max(80),
  /** write implies read */
  scope: Scope,
  /** null: never expires */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
});
export type TokenCreate = z.input<typeof TokenCreate>;

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: number;
  createdBy: string;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface AuditView {
  seq: number;
  tokenId: string;
  tokenName: string;
  method: string;
  path: string;
  status: number;
  ip: string | null;
  at: number;
}

const WebhookUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }));

export const EndpointCreate = z.object({
  url: WebhookUrl,
  description: z.string().trim().max(200).default(''),
  events: z.array(WebhookEvent).min(1, 'choose at least one event').max(WEBHOOK_EVENTS.length),
});
export type EndpointCreate = z.input<typeof EndpointCreate>;
export const EndpointPatch = z.object({
  url: WebhookUrl.optional(),
  description: z.string().trim().max(200).optional(),
  events: z.array(WebhookEvent).min(1, 'choose at least one event').max(WEBHOOK_EVENTS.length).optional(),
  enabled: z.boolean().optional(),
  /** a new signing secret (the old one stops working at once) */
  rotateSecret: z.literal(true).optional(),
});
export type EndpointPatch = z.input<typeof EndpointPatch>;

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  events: WebhookEvent[];
  enabled: boolean;
  createdAt: number;
  /** deliveries waiting (or being retried) and failed for good */
  pending: number;
  failed: number;
  last: { at: number; status: number | null; ok: boolean } | null;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: number;
  nextAt: number | null;
  finishedAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  lastMs: number | null;
  body: string;
}

/** What every delivery's body is: JSON, the same for every event. */
export interface WebhookPayload<D = Record<string, unknown>> {
  id: string;
  type: WebhookEvent | 'ping';
  createdAt: number;
  siteId: string;
  data: D;
}
