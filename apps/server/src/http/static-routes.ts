/**
 * The widget files (precompressed; the loader short-cached so updates reach sites quickly,
 * content-hashed chunks cached for a year) and the console (a single-page app).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fail } from '@beckon/protocol';

export interface StaticDirs {
  widgetDir: string;
  consoleDir: string;
}

/** content-hashed files, also as their precompressed twins */
const HASHED = /\.[A-Za-z0-9_-]{8,}\.js(\.gz|\.br)?$/;

export function staticRoutes(dirs: StaticDirs) {
  return async function plugin(app: FastifyInstance) {
    if (existsSync(dirs.widgetDir)) {
      await app.register(fastifyStatic, {
        root: dirs.widgetDir,
        prefix: '/widget/',
        decorateReply: false,
        preCompressed: true,
        index: false,
        cacheControl: false,
        setHeaders(res, path) {
          res.setHeader('Cache-Control', HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
          // sites that isolate themselves (COEP) may still load us
          res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
          res.setHeader('Access-Control-Allow-Origin', '*');
        },
      });
    } else {
      app.log.warn(`widget not built (${dirs.widgetDir} is missing): run \`pnpm build\``);
    }

    const consoleBuilt = existsSync(join(dirs.consoleDir, 'index.html'));
    if (consoleBuilt) {
      await app.register(fastifyStatic, {
        root: dirs.consoleDir,
        prefix: '/',
        preCompressed: false,
        wildcard: false,
        cacheControl: false,
        setHeaders(res, path) {
          res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    }

    app.setNotFoundHandler((req, reply) => {
      const accept = req.headers.accept ?? '';
      if (req.method === 'GET' && consoleBuilt && !req.url.startsWith('/api/') && !req.url.startsWith('/widget/') && accept.includes('text/html')) {
        return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
      }
      if (!consoleBuilt && req.url === '/') return reply.status(503).type('text/plain').send('The console is not built yet: run `pnpm build` (pnpm start does it for you).');
      return reply.status(404).send({ error: fail('NOT_FOUND').error });
    });
  };
}
