/** The operator's tools over REST: canned responses, the phrase guard's list, search in past conversations. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BeckonError, LIMITS, Id, PhraseList } from '@beckon/protocol';
import type { Store } from '@beckon/db';
import { visitorDisplayName } from '../chat/chat-service';
import { roleOn } from './access';
import { requireAccount } from './auth-routes';
import { parse } from './errors';

const SiteParams = z.object({ siteId: Id });
const CannedParams = z.object({ cannedId: Id });
const CannedCreate = z.object({
  shortcut: z.string().trim().min(1).max(40).regex(/^[\p{L}\p{N}_-]+$/u, 'a shortcut is one word'),
  body: z.string().trim().min(1).max(4000),
  /** shared with the whole site (admins and supervisors) or one's own */
  shared: z.boolean().default(false),
});
const SearchQuery = z.object({ q: z.string().trim().min(2).max(100) });

export function toolsRoutes(d: { store: Store; now: () => number }) {
  return async function plugin(app: FastifyInstance) {
    const { store } = d;
    app.addHook('preHandler', requireAccount);

    app.get('/api/sites/:siteId/canned', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId);
      return { canned: (await store.listCanned(siteId, req.account!.id)).map((c) => ({ id: c.id, shortcut: c.shortcut, body: c.body, shared: c.ownerId === null })) };
    });
    app.post('/api/sites/:siteId/canned', async (req, reply) => {
      const { siteId } = parse(SiteParams, req.params);
      const body = parse(CannedCreate, req.body);
      const role = await roleOn(store, req, siteId);
      if ((await store.countCanned(siteId)) >= LIMITS.cannedPerSite) throw new BeckonError('VALIDATION_FAILED', `A site has at most ${LIMITS.cannedPerSite} saved replies: delete some first.`);
      if (body.shared && role === 'operator') throw new BeckonError('FORBIDDEN', 'Only admins and supervisors can share a canned response with the site.');
      const c = await store.createCanned({ siteId, ownerId: body.shared ? null : req.account!.id, shortcut: body.shortcut, body: body.body }, d.now());
      return reply.status(201).send({ id: c.id, shortcut: c.shortcut, body: c.body, shared: c.ownerId === null });
    });
    app.delete('/api/canned/:cannedId', async (req, reply) => {
      const { cannedId } = parse(CannedParams, req.params);
      const c = await store.getCanned(cannedId);
      if (!c) throw new BeckonError('NOT_FOUND');
      const role = await roleOn(store, req, c.siteId);
      if (c.ownerId ? c.ownerId !== req.account!.id : role === 'operator') throw new BeckonError('FORBIDDEN');
      await store.deleteCanned(cannedId);
      return reply.status(204).send();
    });

    app.get('/api/sites/:siteId/phrases', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId);
      return { phrases: await store.getPhrases(siteId) };
    });
    app.put('/api/sites/:siteId/phrases', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      await roleOn(store, req, siteId, 'admin');
      const { phrases } = parse(PhraseList, req.body);
      await store.setPhrases(siteId, phrases);
      return { phrases };
    });

    app.get('/api/sites/:siteId/search', async (req) => {
      const { siteId } = parse(SiteParams, req.params);
      const { q } = parse(SearchQuery, req.query);
      await roleOn(store, req, siteId);
      const hits = await store.searchMessages([siteId], q, 50);
      const names = new Map<string, string>();
      for (const h of hits) if (!names.has(h.visitorId)) names.set(h.visitorId, visitorDisplayName(h.visitorId, (await store.getVisitor(h.visitorId))?.name ?? null));
      return { hits: hits.map((h) => ({ conversationId: h.conversationId, seq: h.seq, body: h.body.slice(0, 300), sender: h.sender, createdAt: h.createdAt, visitorName: names.get(h.visitorId)! })) };
    });
  };
}
