// Two builds that share no modules (STYLE.md "Widget pitfalls"): Vite library mode cannot
// code-split an IIFE, so the lazy parts (ES modules, content-hashed) are built first, then the
// loader (a classic script: it must run from a plain <script> tag) knowing their file names. Every file also gets .gz and .br twins for precompressed serving.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, transformWithEsbuild } from 'vite';

/** The CSS kept in `*_CSS` template strings, minified like a stylesheet would be. */
const minifyCss = {
  name: 'beckon-minify-css',
  async transform(code, id) {
    if (!/\/src\/.*\.(ts|tsx)$/.test(id) || !code.includes('_CSS = `')) return null;
    let out = code;
    for (const m of code.matchAll(/_CSS = `([^`$]*)`/g)) {
      const { code: css } = await transformWithEsbuild(m[1], 'x.css', { loader: 'css', minify: true });
      out = out.replace(m[1], css.trim().replace(/\\/g, '\\\\'));
    }
    return { code: out, map: null };
  },
};

const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  configFile: false,
  plugins: [minifyCss],
  logLevel: 'warn',
  root: here,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  define: { 'process.env.NODE_ENV': '"production"' },
};

async function lib(entry, fileName, define = {}) {
  const [result] = await build({
    ...common,
    define: { ...common.define, ...define },
    build: {
      outDir: out,
      emptyOutDir: false,
      target: 'es2020',
      minify: 'terser',
      terserOptions: { ecma: 2020, toplevel: true, compress: { passes: 3, pure_getters: true, unsafe_arrows: true }, format: { comments: false } },
      sourcemap: false,
      reportCompressedSize: false,
      lib: { entry: join(here, entry), formats: ['iife'], name: '__beckon_' + fileName.replace(/\W/g, '_'), fileName: () => fileName },
    },
  });
  checkVersions(fileName, Object.keys(result.output[0].modules));
}

/**
 * The lazy parts as ES modules: the chat panel and the offer cards are separate entries that
 * share one Preact chunk, so showing an offer does not load the panel and opening the chat does
 * not load the cards (DESIGN.md: "offer cards and forms may be separate chunks").
 */
async function parts() {
  const built = await build({
    ...common,
    build: {
      outDir: out,
      emptyOutDir: false,
      target: 'es2020',
      minify: 'terser',
      terserOptions: { ecma: 2020, module: true, compress: { passes: 3, pure_getters: true, unsafe_arrows: true }, format: { comments: false } },
      sourcemap: false,
      reportCompressedSize: false,
      modulePreload: false,
      copyPublicDir: false,
      rollupOptions: {
        // the rating card is an entry too, fetched by URL from the panel once a chat ends (a bare
        // dynamic import would pull Vite's preload helper into the panel)
        input: { ui: join(here, 'src/ui/index.tsx'), offer: join(here, 'src/ui/offer-entry.tsx'), rating: join(here, 'src/ui/rating.tsx'), more: join(here, 'src/ui/more.tsx') },
        preserveEntrySignatures: 'allow-extension',
        // the chunk both entries share is Preact (and the little they have in common); parts loaded on demand keep their names
        // Preact (hooks too) and the parts' shared helpers in one chunk: one request at open, not two
        output: { format: 'es', manualChunks: (id) => (/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?preact\/|\/src\/shared\/|\/src\/ui\/(state|register)\.ts$/.test(id) ? 'preact' : undefined), entryFileNames: '[name].[hash].js', chunkFileNames: (c) => (c.isDynamicEntry ? '[name].[hash].js' : 'preact.[hash].js'), hashCharacters: 'base64' },
      },
    },
  });
  const result = Array.isArray(built) ? built[0] : built;
  const names = {};
  for (const o of result.output) {
    if (o.type !== 'chunk') continue;
    checkVersions(o.fileName, Object.keys(o.modules));
    if (o.isEntry) names[o.name] = o.fileName;
    else if (o.isDynamicEntry) names.lazy = [...(names.lazy ?? []), o.fileName];
    else names.shared = [...(names.shared ?? []), o.fileName];
  }
  return names;
}

function checkVersions(fileName, ids) {
  // a package bundled in two versions is shipped twice: refuse
  const versions = new Map();
  for (const id of ids) {
    const m = id.match(/node_modules\/\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@([^/_]+)/);
    if (m) versions.set(m[1], new Set([...(versions.get(m[1]) ?? []), m[2]]));
  }
  for (const [pkg, v] of versions) if (v.size > 1) throw new Error(`${fileName} bundles ${pkg} twice: ${[...v].join(', ')}`);
}

const names = await parts();
await lib('src/loader/index.ts', 'beckon.js', { __UI_FILE__: JSON.stringify(names.ui), __OFFER_FILE__: JSON.stringify(names.offer), __RATING_FILE__: JSON.stringify(names.rating), __MORE_FILE__: JSON.stringify(names.more) });

const sizes = {};
for (const f of readdirSync(out)) {
  const buf = readFileSync(join(out, f));
  const gz = gzipSync(buf, { level: 9 });
  writeFileSync(join(out, f + '.gz'), gz);
  writeFileSync(join(out, f + '.br'), brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  sizes[f] = { raw: buf.length, gzip: gz.length };
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ loader: 'beckon.js', ui: names.ui, offer: names.offer, rating: names.rating, more: names.more, shared: names.shared ?? [], lazy: names.lazy ?? [], sizes }, null, 2));
for (const [f, s] of Object.entries(sizes)) console.log(`widget ${f.padEnd(22)} ${String(s.raw).padStart(7)} B  ${String(s.gzip).padStart(6)} B gzip`);
