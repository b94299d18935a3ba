/**
 * Files in chats over HTTP: the widget and the console upload the raw bytes (the name in
 * `X-File-Name`; the widget names its site by `?key=`), get an attachment id back and send it with a message; anyone holding a
 * message gets the file from /files/<id> (the id is 128 random bits, and erasure removes it).
 *
 * Served so that nothing uploaded can act on Beckon's origin: only types that were recognised
 * from the bytes, `nosniff`, a CSP of `default-src 'none'; sandbox` (a file opened directly is a
 * sandboxed document without script), documents as downloads, images inline.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { memoryLimiters, type Limiters } from '../lib/limits';
import { z } from 'zod';
import { BeckonError, IMAGE_TYPES, Id, cleanFileName, type AttachmentRef } from '@beckon/protocol';
import type { AttachmentRow, Store } from '@beckon/db';
import { requireAccount } from '../http/auth-routes';
import { roleOn } from '../http/access';
import { parse } from '../http/errors';
import { verifyVisitor } from '../realtime/visitor-token';
import type { BlobStore } from './blobs';
import { inspect } from './inspect';

/** the ceiling of any site's setting; each site's own (Settings) is checked after */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const Params = z.object({ id: Id });
const OperatorQuery = z.object({ conversationId: Id });

export const attachmentRef = (a: AttachmentRow): AttachmentRef => ({ id: a.id, name: a.name, type: a.type as AttachmentRef['type'], size: a.size, width: a.width, height: a.height, thumb: !!a.thumbSha256 });

export function fileRoutes(d: { store: Store; blobs: BlobStore; secret: string; now: () => number; uploadsPerTenMinutes?: number; limiters?: Limiters }) {
  const { store, blobs } = d;
  // per uploader: a visitor (or an operator) cannot fill the disk
  const limiter = (d.limiters ?? memoryLimiters).limiter({ keyPrefix: 'upload', points: d.uploadsPerTenMinutes ?? 30, duration: 600 });

  async function accept(req: FastifyRequest, who: { siteId: string; visitorId: string; conversationId: string | null; uploader: 'visitor' | 'operator'; uploaderId: string }) {
    const site = await store.getSite(who.siteId);
    if (!site) throw new BeckonError('NOT_FOUND');
    if (!site.attachments.enabled) throw new BeckonError('ATTACHMENTS_OFF');
    const bytes = req.body;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new BeckonError('VALIDATION_FAILED', 'Send the file itself as the body (Content-Type: application/octet-stream).');
    if (bytes.length > site.attachments.maxMb * 1024 * 1024) throw new BeckonError('PAYLOAD_TOO_LARGE', `Files up to ${site.attachments.maxMb} MB can be sent.`);
    await limiter.consume(`${who.uploader}:${who.uploaderId}`).catch(() => {
      throw new BeckonError('RATE_LIMITED', 'Too many files in a short time: wait a few minutes.');
    });
    const rawName = decodeName(req.headers['x-file-name']);
    const name = cleanFileName(rawName);
    const seen = await inspect(bytes, name);
    if (!seen) throw new BeckonError('UNSUPPORTED_FILE');
    const sha256 = await blobs.put(bytes);
    const thumbSha256 = seen.thumb ? await blobs.put(seen.thumb) : null;
    const row = await store.files.create({ siteId: who.siteId, visitorId: who.visitorId, conversationId: who.conversationId, uploader: who.uploader, uploaderId: who.uploaderId, sha256, thumbSha256, name, type: seen.type, size: bytes.length, width: seen.width, height: seen.height }, d.now());
    return { attachment: attachmentRef(row) };
  }

  return async function plugin(app: FastifyInstance) {
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) => done(null, body));

    // ---- the widget: a visitor's token, from an origin the site allows (cross-origin, no cookie)
    const cors = (req: FastifyRequest, reply: FastifyReply, allowed: boolean) => {
      if (!allowed) return;
      reply.header('access-control-allow-origin', req.headers.origin!);
      reply.header('vary', 'Origin');
    };
    // the site key is in the query: a browser's preflight carries no header values
    const keyOf = (req: FastifyRequest) => String((req.query as { key?: unknown }).key ?? req.headers['x-beckon-key'] ?? '').slice(0, 64);
    async function visitorOf(req: FastifyRequest) {
      const key = keyOf(req);
      const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      const site = key ? await store.getSiteByKey(key) : null;
      const origin = req.headers.origin;
      if (!site || !origin || !site.allowedOrigins.includes(origin)) throw new BeckonError('FORBIDDEN', 'This page may not send files to this site.');
      const visitorId = verifyVisitor(d.secret, site.id, token);
      if (!visitorId || !(await store.getVisitor(visitorId))) throw new BeckonError('UNAUTHENTICATED', 'Open the chat again, then send the file.');
      return { site, visitorId };
    }
    app.options('/api/widget/attachments', async (req, reply) => {
      const key = keyOf(req);
      const site = key ? await store.getSiteByKey(key) : null;
      const ok = !!site && !!req.headers.origin && site.allowedOrigins.includes(req.headers.origin);
      cors(req, reply, ok);
      if (ok) reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'authorization, content-type, x-file-name').header('access-control-max-age', '600');
      return reply.status(ok ? 204 : 403).send();
    });
    app.post('/api/widget/attachments', async (req, reply) => {
      const { site, visitorId } = await visitorOf(req);
      cors(req, reply, true);
      const latest = await store.latestConversationOf(visitorId);
      const out = await accept(req, { siteId: site.id, visitorId, conversationId: latest && latest.status !== 'closed' ? latest.id : null, uploader: 'visitor', uploaderId: visitorId });
      return reply.status(201).send(out);
    });
    // a refusal of the widget's upload is readable by the widget when its page is the site's
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.url.startsWith('/api/widget/attachments') && req.method === 'POST' && reply.statusCode >= 400 && req.headers.origin && !reply.getHeader('access-control-allow-origin')) {
        const site = await store.getSiteByKey(keyOf(req));
        if (site?.allowedOrigins.includes(req.headers.origin)) cors(req, reply, true);
      }
      return payload;
    });

    // ---- the console: the operator's cookie, a conversation of their site
    app.post('/api/attachments', { preHandler: requireAccount }, async (req, reply) => {
      const { conversationId } = parse(OperatorQuery, req.query);
      const conv = await store.getConversation(conversationId);
      if (!conv) throw new BeckonError('NOT_FOUND');
      await roleOn(store, req, conv.siteId);
      if (conv.status === 'closed') throw new BeckonError('CONVERSATION_CLOSED');
      return reply.status(201).send(await accept(req, { siteId: conv.siteId, visitorId: conv.visitorId, conversationId: conv.id, uploader: 'operator', uploaderId: req.account!.id }));
    });

    // ---- the files themselves
    const serve = (thumb: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
      const { id } = parse(Params, req.params);
      const a = await store.files.get(id);
      const sha = a && (thumb ? a.thumbSha256 : a.sha256);
      const blob = sha ? await blobs.open(sha) : null;
      if (!a || !blob) throw new BeckonError('NOT_FOUND');
      const image = IMAGE_TYPES.includes(a.type);
      reply
        .header('content-type', thumb ? 'image/webp' : a.type === 'text/plain' || a.type === 'text/csv' ? `${a.type}; charset=utf-8` : a.type)
        .header('content-length', String(blob.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        .header('content-disposition', `${image ? 'inline' : 'attachment'}; filename="${a.name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(a.name)}`)
        // the widget shows pictures on the shop's pages
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('cache-control', 'private, max-age=86400');
      return reply.send(blob.stream);
    };
    app.get('/files/:id', serve(false));
    app.get('/files/:id/thumb', serve(true));
  };
}

function decodeName(h: string | string[] | undefined): string {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return 'file';
  try {
    return decodeURIComponent(v).slice(0, 300);
  } catch {
    return v.slice(0, 300);
  }
}
