// The projects list. Vitest 4 no longer reads this file itself: vitest.config.ts passes it on.
export default [
  'packages/protocol',
  'packages/routing',
  'packages/rules',
  'packages/db',
  'packages/widget',
  'apps/server',
  'bench',
  'e2e',
];
