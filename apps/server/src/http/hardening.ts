/**
 * The console is a hardened web app (issue 8 §5): security headers through @fastify/helmet —
 * a CSP that allows only our own scripts, `frame-ancestors 'none'` (no page may frame a
 * signed-in console), nosniff, a strict Referrer-Policy — and a check of `Origin` on every
 * state-changing API call, so a page elsewhere cannot make a signed-in browser act (a
 * `text/plain` form post carries the cookie but not our origin).
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { BeckonError } from '@beckon/protocol';

export interface HardeningOptions {
  /** origins the console is served from (BECKON_PUBLIC_URL); the request's own host always counts */
  consoleOrigins: string[];
  https: boolean;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Applied to the root instance (not a plugin of its own: its hooks must reach every route). */
export async function hardening(app: FastifyInstance, o: HardeningOptions): Promise<void> {
  {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Preact sets style attributes; the rule preview renders the widget's own styles
          styleSrc: ["'self'", "'unsafe-inline'"],
          // avatars, offer images and videos are URLs the site owner gives
          imgSrc: ["'self'", 'data:', 'https:'],
          mediaSrc: ["'self'", 'https:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(o.https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      // the widget's files set their own cross-origin policy (static-routes.ts): shops load them
      crossOriginResourcePolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      hsts: o.https ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    });

    app.addHook('onRequest', async (req) => {
      // /api/v1 takes API tokens only, never the cookie: nothing for another page to ride on
      // /api/widget takes a visitor's token from a page the site allows (file-routes.ts checks it), never the cookie
      if (!UNSAFE.has(req.method) || !req.url.startsWith('/api/') || req.url.startsWith('/api/v1/') || req.url.startsWith('/api/widget/')) return;
      const origin = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if (origin === undefined) {
        // no Origin: not a browser (curl, an integration); a browser saying cross-site is refused
        if (site === 'cross-site' || site === 'same-site') throw new BeckonError('FORBIDDEN', 'This request did not come from the Beckon console.');
        return;
      }
      const own = [`http://${req.headers.host}`, `https://${req.headers.host}`];
      if (!o.consoleOrigins.includes(origin) && !own.includes(origin)) throw new BeckonError('FORBIDDEN', `Requests from ${origin} may not change anything here.`);
    });
  }
}
