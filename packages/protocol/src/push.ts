/** Web push for the console: what a browser subscribes with, and which pushes a person wants. */
import { z } from 'zod';

/** A PushSubscription as the browser gives it (PushSubscription.toJSON()). */
export const PushSubscribe = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2000),
  keys: z.object({ p256dh: z.string().min(20).max(200).regex(/^[\w-]+=*$/), auth: z.string().min(8).max(100).regex(/^[\w-]+=*$/) }),
});
export type PushSubscribe = z.infer<typeof PushSubscribe>;
export const PushUnsubscribe = z.object({ endpoint: z.string().max(2000) });

/** each kind of push, on or off per person */
export const PushPrefs = z.object({
  /** a chat given to me, or a new chat while nobody has it */
  newChat: z.boolean().default(true),
  /** a visitor writes in a chat of mine */
  myMessage: z.boolean().default(true),
  /** a chat has waited longer than the site's wait limit */
  waiting: z.boolean().default(true),
  /** a lead, a callback request, an offline message */
  inbox: z.boolean().default(true),
});
export type PushPrefs = z.infer<typeof PushPrefs>;
export const DEFAULT_PUSH_PREFS: PushPrefs = PushPrefs.parse({});
export const PushPrefsPatch = PushPrefs.partial();

/** what the service worker receives (the text is already in the person's language) */
export interface PushPayload {
  title: string;
  body: string;
  /** the console page that the notification opens */
  url: string;
  /** one notification per chat: a newer one replaces it */
  tag: string;
}
