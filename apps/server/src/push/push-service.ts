/**
 * Web push to the console (a PWA on the operator's phone or desktop): a chat for me, a message
 * in my chat, a chat waiting too long, a new inbox item — each switchable per person. The
 * standard Web Push protocol through `web-push`: VAPID keys made at first start (kept in the
 * database), the payload encrypted for each browser (aes128gcm); the request itself goes out
 * with fetch (timeouts, and any push service URL), and a subscription the push service says is
 * gone (404/410) is forgotten.
 */
import { createECDH } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Lang, PushPayload, PushPrefs } from '@beckon/protocol';
import type { Store } from '@beckon/db';
import type { Scheduler } from '../lib/scheduler';
import { background } from '../lib/background';
import { visitorDisplayName } from '../chat/chat-service';

const T = {
  en: {
    newChat: (who: string) => `New chat: ${who}`,
    assigned: (who: string) => `A chat for you: ${who}`,
    waiting: (who: string, min: number) => `${who} has waited ${min} min`,
    waitingBody: 'Nobody has taken this chat yet.',
    inbox: { lead: 'New lead', callback: 'Callback requested', message: 'New message for the inbox' } as Record<string, string>,
  },
  ru: {
    newChat: (who: string) => `Новый чат: ${who}`,
    assigned: (who: string) => `Чат для вас: ${who}`,
    waiting: (who: string, min: number) => `${who} ждёт уже ${min} мин`,
    waitingBody: 'Этот чат ещё никто не взял.',
    inbox: { lead: 'Новая заявка', callback: 'Просят перезвонить', message: 'Новое сообщение во «Входящих»' } as Record<string, string>,
  },
};

interface Vapid {
  publicKey: string;
  privateKey: string;
}

/**
 * A VAPID key pair (P-256) as web-push makes it: the public key uncompressed (65 bytes), the
 * private one 32 bytes, both base64url. Made here so that web-push (and its crypto libraries,
 * ~12 MB of a server's memory) is loaded only when a push is first sent.
 */
export function vapidKeys(): Vapid {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const pad = (b: Buffer, n: number) => (b.length < n ? Buffer.concat([Buffer.alloc(n - b.length), b]) : b);
  return { publicKey: pad(ecdh.getPublicKey(), 65).toString('base64url'), privateKey: pad(ecdh.getPrivateKey(), 32).toString('base64url') };
}

let webpushLib: Promise<typeof import('web-push')> | null = null;

export interface PushOptions {
  /** the VAPID subject: an https: URL or a mailto: address (BECKON_PUSH_SUBJECT) */
  subject?: string;
}

/** how long a new chat may wait for the routing before the whole team is told */
const NEW_CHAT_GRACE_MS = 4_000;

type Conv = { id: string; visitorId: string; assigneeId: string | null; status: string };

export class PushService {
  private vapid: Vapid | null = null;
  private readonly subject: string;

  constructor(
    private readonly d: { store: Store; now: () => number; log: FastifyBaseLogger; scheduler: Scheduler; publicUrl: string },
    opts: PushOptions = {},
  ) {
    const host = (() => {
      try {
        return new URL(d.publicUrl).hostname;
      } catch {
        return 'localhost';
      }
    })();
    this.subject = opts.subject ?? (d.publicUrl.startsWith('https://') ? d.publicUrl : `mailto:beckon@${host === 'localhost' || !host.includes('.') ? 'beckon.invalid' : host}`);
    // a chat that waited past the site's limit: any node may act on it, once
    d.scheduler.on('push_waiting', async (key) => this.waitedTooLong(key));
    // a new chat nobody took within a few seconds: the whole team hears of it
    d.scheduler.on('push_new', async (key) => {
      const c = await this.d.store.getConversation(key);
      if (c && c.status === 'queued') await this.toConversation(c.siteId, c, 'newChat', (t, who) => t.newChat(who), null);
    });
  }

  /** the VAPID keys: made once, at the first start, and kept */
  async start(): Promise<void> {
    // nodes starting together on a new database all keep the keys stored first (a subscription made through one node is sent to by any)
    const kept = (await this.d.store.getMeta('vapid')) ?? (await this.d.store.initMeta('vapid', JSON.stringify(vapidKeys())));
    this.vapid = JSON.parse(kept) as Vapid;
  }

  get publicKey(): string {
    return this.vapid?.publicKey ?? '';
  }

  /** what happened on a site (the same events webhooks get) */
  event(siteId: string, type: string, data: Record<string, unknown>): void {
    const c = data.conversation as Conv | undefined;
    if (type === 'conversation.started' && c) background(this.started(siteId, c), this.d.log, 'push');
    // taken by the operator themselves: nothing to tell them
    else if (type === 'conversation.assigned' && c?.assigneeId && data.how !== 'taken') background(this.toConversation(siteId, c, 'newChat', (t, who) => t.assigned(who), [c.assigneeId]), this.d.log, 'push');
    else if (type === 'message.visitor' && c?.assigneeId) {
      const m = data.message as { body: string } | undefined;
      background(this.toConversation(siteId, c, 'myMessage', (_t, who) => who, [c.assigneeId], m?.body), this.d.log, 'push');
    } else if ((type === 'lead.created' || type === 'callback.requested' || type === 'offline_message.created') && data.item) {
      const item = data.item as { id: string; kind: string; name: string; body: string; phone?: string };
      background(this.toSite(siteId, 'inbox', (t) => ({ title: t.inbox[item.kind] ?? t.inbox.message!, body: [item.name, item.phone, item.body].filter(Boolean).join(' · ').slice(0, 180), url: '/inbox', tag: `inbox-${item.id}` })), this.d.log, 'push');
    }
  }

  private async started(siteId: string, c: Conv): Promise<void> {
    // a team without a subscribed browser costs nothing here (no deadlines written)
    if (!this.vapid || !(await this.d.store.push.subscriptionsOf((await this.d.store.listMembers(siteId)).map((m) => m.accountId))).length) return;
    const site = await this.d.store.getSite(siteId);
    if (!site) return;
    await this.d.scheduler.at('push_waiting', c.id, this.d.now() + site.routing.waitLimitSeconds * 1000);
    // given to someone at once, it is theirs ("a chat for you"); otherwise everyone hears of it
    await this.d.scheduler.at('push_new', c.id, this.d.now() + NEW_CHAT_GRACE_MS);
  }

  private async waitedTooLong(conversationId: string): Promise<void> {
    const c = await this.d.store.getConversation(conversationId);
    if (!c || c.status !== 'queued') return;
    const min = Math.max(1, Math.round((this.d.now() - c.createdAt) / 60_000));
    await this.toConversation(c.siteId, c, 'waiting', (t, who) => t.waiting(who, min), null, T.en.waitingBody, (t) => t.waitingBody);
  }

  private async toConversation(siteId: string, c: Conv, kind: keyof PushPrefs, title: (t: (typeof T)['en'], who: string) => string, to: string[] | null, body?: string, bodyOf?: (t: (typeof T)['en']) => string): Promise<void> {
    // on the message path: nothing is looked up unless someone is there to be told
    const subs = await this.targets(siteId, kind, to);
    if (!subs.length) return;
    const v = await this.d.store.getVisitor(c.visitorId);
    const who = visitorDisplayName(c.visitorId, v?.name ?? null);
    const last = body ?? (await this.d.store.getConversation(c.id))?.lastMessagePreview ?? '';
    await this.deliver(siteId, subs, (t) => ({ title: title(t, who), body: (bodyOf ? bodyOf(t) : last).slice(0, 180), url: `/chats/${c.id}`, tag: `chat-${c.id}` }));
  }

  /** to the site's members (or only `to`) who want this kind of push */
  private async toSite(siteId: string, kind: keyof PushPrefs, payload: (t: (typeof T)['en']) => PushPayload): Promise<void> {
    const subs = await this.targets(siteId, kind, null);
    if (subs.length) await this.deliver(siteId, subs, payload);
  }

  /** the browsers to push to: subscriptions first (one indexed read), preferences only of those who have one */
  private async targets(siteId: string, kind: keyof PushPrefs, to: string[] | null) {
    if (!this.vapid) return [];
    const ids = to ?? (await this.d.store.listMembers(siteId)).map((m) => m.accountId);
    const subs = await this.d.store.push.subscriptionsOf(ids);
    if (!subs.length) return subs;
    if (to) {
      const members = new Set((await this.d.store.listMembers(siteId)).map((m) => m.accountId));
      for (let i = subs.length - 1; i >= 0; i--) if (!members.has(subs[i]!.accountId)) subs.splice(i, 1);
    }
    const wants = new Map<string, boolean>();
    for (const s of subs) if (!wants.has(s.accountId)) wants.set(s.accountId, (await this.d.store.push.prefs(s.accountId))[kind]);
    return subs.filter((s) => wants.get(s.accountId));
  }

  /** in the site's language */
  private async deliver(siteId: string, subs: { id: string; endpoint: string; p256dh: string; auth: string }[], payload: (t: (typeof T)['en']) => PushPayload): Promise<void> {
    const site = await this.d.store.getSite(siteId);
    const body = JSON.stringify(payload(T[(site?.defaultLang ?? 'en') as Lang] ?? T.en));
    await Promise.all(subs.map((s) => this.send(s, body)));
  }

  private async send(s: { id: string; endpoint: string; p256dh: string; auth: string }, payload: string): Promise<void> {
    const v = this.vapid!;
    const m = await (webpushLib ??= import('web-push'));
    // a CommonJS module: its functions are on `default` when imported, named exports in the types
    const webpush = (m as unknown as { default?: typeof m }).default ?? m;
    const req = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, payload, { vapidDetails: { subject: this.subject, publicKey: v.publicKey, privateKey: v.privateKey }, TTL: 3600, urgency: 'high' });
    const res = await fetch(req.endpoint, { method: req.method, headers: req.headers as Record<string, string>, body: req.body ? new Uint8Array(req.body) : undefined, signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
      this.d.log.warn({ err: err.message, endpoint: new URL(s.endpoint).host }, 'push not delivered');
      return null;
    });
    if (res) await res.arrayBuffer().catch(() => undefined);
    if (res && (res.status === 404 || res.status === 410)) return this.d.store.push.remove(s.id);
    await this.d.store.push.delivered(s.id, !!res && res.ok, this.d.now());
  }
}
