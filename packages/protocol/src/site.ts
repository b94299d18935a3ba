import { z } from 'zod';
import { Lang } from './common';
import { LIMITS } from './limits';
import { BusinessHours, DEFAULT_ENGAGEMENT, DEFAULT_HOURS, EngagementSettings } from './rules';

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
});
export type SiteSettings = z.infer<typeof SiteSettings>;

export const SitePatch = SiteSettings.partial().extend({ appearance: Appearance.partial().optional(), engagement: EngagementSettings.partial().optional() });
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
});
export type WidgetSite = z.infer<typeof WidgetSite>;
