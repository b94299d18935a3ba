/**
 * The demo shop: a few static pages with the Beckon snippet pasted, served from its own
 * origin (another port) so the widget runs cross-origin as on a real site.
 */
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';

export interface DemoOptions {
  host?: string;
  port: number;
  /** where the Beckon server is reached from the browser */
  beckonUrl: string;
  siteKey: string;
  /** extra attributes for the script tag, e.g. `data-lang="ru"` */
  scriptAttrs?: string;
}

const PAGES = fileURLToPath(new URL('../pages/', import.meta.url));
const LAYOUT = fileURLToPath(new URL('../layout/layout.html', import.meta.url));

/** A page file is its <main> content, with its title in a first-line comment. */
async function renderPage(name: string): Promise<string> {
  const [layout, page] = await Promise.all([readFile(LAYOUT, 'utf8'), readFile(PAGES + name, 'utf8')]);
  const title = page.match(/^<!-- title: (.*?) -->/)?.[1] ?? 'Roastery';
  return layout.replace('%TITLE%', title).replace('%BODY%', page.replace(/^<!--.*?-->\n/, ''));
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The snippet a site owner pastes (README "Paste the snippet"). */
export function snippet(beckonUrl: string, siteKey: string, attrs = ''): string {
  return `<script>window.Beckon=window.Beckon||function(){(Beckon.q=Beckon.q||[]).push(arguments)};</script>
<script async src="${escapeAttr(beckonUrl)}/widget/beckon.js" data-site="${escapeAttr(siteKey)}"${attrs ? ' ' + attrs : ''}></script>`;
}

export async function buildDemo(opts: DemoOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const names = (await readdir(PAGES)).filter((f) => /\.(html|css|svg)$/.test(f));
  const tag = snippet(opts.beckonUrl, opts.siteKey, opts.scriptAttrs);
  for (const name of names) {
    const route = name === 'index.html' ? '/' : `/${name}`;
    app.get(route, async (req, reply) => {
      if (name.endsWith('.css')) return reply.type('text/css').send(await readFile(PAGES + name, 'utf8'));
      if (name.endsWith('.svg')) return reply.type('image/svg+xml').header('cache-control', 'public, max-age=3600').send(await readFile(PAGES + name, 'utf8'));
      const raw = await renderPage(name);
      // ?lang=ru in the shop's URL shows the snippet's data-lang override at work
      const lang = (req.query as { lang?: string }).lang;
      const extra = lang === 'ru' || lang === 'en' ? tag.replace('data-site=', `data-lang="${lang}" data-site=`) : tag;
      return reply.type('text/html; charset=utf-8').send(raw.replace('<!--BECKON-->', extra));
    });
  }
  return app;
}

export async function startDemo(opts: DemoOptions): Promise<FastifyInstance> {
  const app = await buildDemo(opts);
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port });
  return app;
}
