/** Stored rows as the protocol's views: the same for both schemas (their columns are the same). */
import { DEFAULT_ATTACHMENTS, DEFAULT_ENGAGEMENT, DEFAULT_HOURS, DEFAULT_QUALITY, DEFAULT_RETENTION, DEFAULT_ROUTING, type Appearance, type AttachmentRef, type AttachmentSettings, type BusinessHours, type EngagementSettings, type Message, type QualitySettings, type RetentionSettings, type RoutingSettings, type Rule, type RuleDef, type SiteView } from '@beckon/protocol';
import type * as s from './schema';

type SiteRecord = typeof s.sites.$inferSelect;
type MessageRecord = typeof s.messages.$inferSelect;

export const toSite = (r: SiteRecord): SiteView => ({
  id: r.id,
  key: r.key,
  name: r.name,
  allowedOrigins: r.allowedOrigins,
  appearance: r.appearance as Appearance,
  defaultLang: r.defaultLang,
  idleCloseMinutes: r.idleCloseMinutes,
  engagement: { ...DEFAULT_ENGAGEMENT, ...((r.engagement as EngagementSettings | null) ?? {}) },
  hours: (r.hours as BusinessHours | null) ?? DEFAULT_HOURS,
  routing: { ...DEFAULT_ROUTING, ...((r.routing as RoutingSettings | null) ?? {}) },
  retention: { ...DEFAULT_RETENTION, ...((r.retention as RetentionSettings | null) ?? {}) },
  quality: { ...DEFAULT_QUALITY, ...((r.quality as QualitySettings | null) ?? {}) },
  attachments: { ...DEFAULT_ATTACHMENTS, ...((r.attachments as AttachmentSettings | null) ?? {}) },
  identitySecret: r.identitySecret ?? undefined,
  createdAt: r.createdAt,
});

type RuleRecord = typeof s.rules.$inferSelect;
export const toRule = (r: RuleRecord): Rule => ({ ...(r.definition as RuleDef), id: r.id, updatedAt: r.updatedAt });

export const toMessage = (r: MessageRecord): Message => ({
  id: r.id,
  conversationId: r.conversationId,
  seq: r.seq,
  clientId: r.clientId,
  sender: r.sender,
  authorName: r.authorName,
  body: r.body,
  createdAt: r.createdAt,
  attachment: (r.attachment as AttachmentRef | null) ?? null,
  editedAt: r.editedAt ?? null,
  deletedAt: r.deletedAt ?? null,
});

