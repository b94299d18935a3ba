/**
 * The guided first setup (Setup in the console): how far a site is — its addresses allowed, the
 * widget seen on them, a teammate, a rule switched on — and a test message that arrives in the
 * console as a real chat from a test visitor, so the owner sees (and answers) one before any
 * customer does.
 */
import type { FastifyInstance } from 'fastify';
import { memoryLimiters, type Limiters } from '../lib/limits';
import { z } from 'zod';
import { BeckonError, Id, type SetupStatus } from '@beckon/protocol';
import { newId, type Store } from '@beckon/db';
import type { ChatService } from '../chat/chat-service';
import { roleOn } from './access';
import { requireAccount } from './auth-routes';
import { parse } from './errors';

const SiteParams = z.object({ siteId: Id });


const TEXT = {
  en: { name: 'Test visitor', body: 'Hello! This is a test message from Beckon’s setup: answer it to see how chatting works, then end the chat.' },
  ru: { name: 'Тестовый посетитель', body: 'Здравствуйте! Это тестовое сообщение из настройки Beckon: ответьте на него, чтобы увидеть, как идёт чат, и завершите чат.' },
};

export function setupRoutes(d: { store: Store; chat: ChatService; now: () => number; limiters?: Limiters }) {
  const { store } = d;
  // a site's test messages: a few an hour is plenty
  const tests = (d.limiters ?? memoryLimiters).limiter({ keyPrefix: 'setup-test', points: 10, duration: 3600 });
  return async function plugin(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount);

    app.get('/api/sites/:siteId/setup', async (req): Promise<SetupStatus> => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId);
      const site = await store.getSite(siteId);
      if (!site) throw new BeckonError('NOT_FOUND');
      const [sightings, members, rules, tested] = await Promise.all([store.sightings(siteId), store.listMembers(siteId), store.listRules(siteId), store.getMeta(`setup:test:${siteId}`)]);
      return {
        origins: site.allowedOrigins,
        detected: sightings.filter((x) => x.allowed && site.allowedOrigins.includes(x.origin)).map((x) => x.origin),
        refused: sightings.filter((x) => !x.allowed && !site.allowedOrigins.includes(x.origin)).map((x) => x.origin),
        teammates: members.length - 1,
        rules: rules.length,
        rulesOn: rules.filter((r) => r.enabled).length,
        tested: !!tested,
      };
    });

    app.post('/api/sites/:siteId/test-message', async (req, reply) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId, 'admin');
      const site = await store.getSite(siteId);
      if (!site) throw new BeckonError('NOT_FOUND');
      await tests.consume(siteId).catch(() => {
        throw new BeckonError('RATE_LIMITED', 'Enough test messages for now: try again in an hour.');
      });
      const text = TEXT[site.defaultLang] ?? TEXT.en;
      const visitorId = newId();
      await store.touchVisitor({ id: visitorId, siteId, lang: site.defaultLang, userAgent: 'Beckon setup' }, d.now());
      await store.updateVisitor(visitorId, { name: text.name });
      const sent = await d.chat.visitorSend({ siteId, visitorId }, { clientId: newId(), body: text.body });
      await store.setMeta(`setup:test:${siteId}`, String(d.now()));
      return reply.status(201).send({ conversationId: sent.conversation.id });
    });
  };
}
