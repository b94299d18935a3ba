// Two builds that share no modules (STYLE.md "Widget pitfalls"): Vite library mode cannot
// code-split an IIFE, so the UI is built first and content-hashed, then the loader is built
// knowing the UI's file name. Every file also gets .gz and .br twins for precompressed serving.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const eio = join(dirname(createRequire(import.meta.url).resolve('engine.io-client/package.json')), 'build/esm/transports');
const socketIoPackages = /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io\/component-emitter)\//;

const common = {
  configFile: false,
  logLevel: 'warn',
  root: here,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  define: { 'process.env.NODE_ENV': '"production"' },
  resolve: {
    alias: [
      // engine.io-client imports its whole transport list statically; the widget only speaks
      // WebSocket with long-polling as fallback, so WebTransport (and its code) is dropped.
      { find: /^\.\/transports\/index\.js$/, replacement: join(here, 'src/loader/transports.ts') },
      { find: /^eio-transports\/(.*)$/, replacement: `${eio}/$1` },
    ],
  },
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
      rollupOptions: {
        // socket.io's packages have no import-time side effects; saying so lets unused parts go
        treeshake: { moduleSideEffects: (id) => !socketIoPackages.test(id) },
      },
      lib: { entry: join(here, entry), formats: ['iife'], name: '__beckon_' + fileName.replace(/\W/g, '_'), fileName: () => fileName },
    },
  });
  // a package bundled in two versions is shipped twice: refuse
  const versions = new Map();
  for (const id of Object.keys(result.output[0].modules)) {
    const m = id.match(/node_modules\/\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@([^/_]+)/);
    if (m) versions.set(m[1], new Set([...(versions.get(m[1]) ?? []), m[2]]));
  }
  for (const [pkg, v] of versions) if (v.size > 1) throw new Error(`${fileName} bundles ${pkg} twice: ${[...v].join(', ')}`);
}

await lib('src/ui/index.tsx', 'ui.js');
const uiCode = readFileSync(join(out, 'ui.js'));
const uiFile = `ui.${createHash('sha256').update(uiCode).digest('base64url').slice(0, 10)}.js`;
renameSync(join(out, 'ui.js'), join(out, uiFile));
await lib('src/loader/index.ts', 'beckon.js', { __UI_FILE__: JSON.stringify(uiFile) });

const sizes = {};
for (const f of readdirSync(out)) {
  const buf = readFileSync(join(out, f));
  const gz = gzipSync(buf, { level: 9 });
  writeFileSync(join(out, f + '.gz'), gz);
  writeFileSync(join(out, f + '.br'), brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  sizes[f] = { raw: buf.length, gzip: gz.length };
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ loader: 'beckon.js', ui: uiFile, sizes }, null, 2));
for (const [f, s] of Object.entries(sizes)) console.log(`widget ${f.padEnd(22)} ${String(s.raw).padStart(7)} B  ${String(s.gzip).padStart(6)} B gzip`);
