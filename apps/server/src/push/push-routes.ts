/** The console's web push: the server's public VAPID key, this browser's subscription, which pushes I want. */
import type { FastifyInstance } from 'fastify';
import { PushPrefsPatch, PushSubscribe, PushUnsubscribe } from '@beckon/protocol';
import type { Store } from '@beckon/db';
import { requireAccount } from '../http/auth-routes';
import { parse } from '../http/errors';
import type { PushService } from './push-service';

export function pushRoutes(d: { store: Store; push: PushService; now: () => number }) {
  return async function plugin(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount);
    app.get('/api/push', async (req) => ({ publicKey: d.push.publicKey, prefs: await d.store.push.prefs(req.account!.id) }));
    app.post('/api/push/subscriptions', async (req, reply) => {
      const s = parse(PushSubscribe, req.body);
      await d.store.push.subscribe(req.account!.id, { endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth, userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300) || null }, d.now());
      return reply.status(201).send({ subscribed: true });
    });
    app.delete('/api/push/subscriptions', async (req, reply) => {
      const { endpoint } = parse(PushUnsubscribe, req.body);
      await d.store.push.unsubscribe(req.account!.id, endpoint);
      return reply.status(204).send();
    });
    app.put('/api/push/prefs', async (req) => {
      const patch = parse(PushPrefsPatch, req.body);
      const prefs = { ...(await d.store.push.prefs(req.account!.id)), ...patch };
      await d.store.push.setPrefs(req.account!.id, prefs);
      return { prefs };
    });
  };
}
