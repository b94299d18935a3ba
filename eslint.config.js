// Lint as a test (STYLE.md 21), with type information: a fire-and-forget promise is an
// unhandled rejection waiting to end a Node 20 process; the pure packages and the widget keep
// their boundaries (DESIGN.md "Dependency direction"). `pnpm lint`, run by `pnpm test`.
import tseslint from 'typescript-eslint';

const pure = {
  'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./|@beckon/protocol$)', message: 'rules and routing are pure: they import protocol and their own files only.' }] }],
  'no-restricted-globals': ['error', { name: 'setTimeout', message: 'time is passed in' }, { name: 'setInterval', message: 'time is passed in' }, { name: 'process', message: 'no environment in a pure package' }],
  'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'time is passed in' }, { object: 'Math', property: 'random', message: 'no randomness: pass it in' }],
  'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'time is passed in' }],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/drizzle/**', 'e2e/screenshots/**', 'data/**', 'eslint.config.js', '**/*.mjs', '**/*.cjs', '**/vite.config.ts', '**/vitest.config.ts', 'vitest.workspace.ts', 'packages/db/drizzle.config.ts', 'packages/db/drizzle.pg.config.ts', '**/drizzle-pg/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // event handlers that return a promise are fine where the caller ignores the result (Preact, Socket.IO)
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  // in Node 20 an unhandled rejection ends the process: on the server `void p` is not enough, only a `.catch` (or an await) is
  { files: ['apps/server/src/**', 'packages/db/src/**'], rules: { '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }] } },
  { files: ['packages/rules/src/**', 'packages/routing/src/**'], rules: pure },
  {
    files: ['packages/widget/src/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@beckon/protocol', allowTypeImports: true, message: 'the widget takes protocol as types only: no zod ships to visitors' },
            ...['zod', '@beckon/db', '@beckon/server', '@beckon/routing', '@beckon/rules', 'fastify', 'socket.io'].map((name) => ({ name, message: 'server code never ships to visitors' })),
          ],
        },
      ],
    },
  },
  {
    files: ['apps/console/src/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['@beckon/db', '@beckon/server', 'fastify', 'socket.io', 'better-sqlite3'].map((name) => ({ name, message: 'the console is a browser app: it talks to the server over HTTP and Socket.IO' })) }] },
  },
);
