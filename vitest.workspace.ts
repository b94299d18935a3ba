// The projects list. Vitest 4 no longer reads this file itself: vitest.config.ts passes it on.
export default [
  'packages/protocol',
  'packages/routing',
  'packages/rules',
  'packages/db',
  'packages/widget',
  'apps/server',
  // the same server tests on PostgreSQL (the cluster store), a throwaway database per server
  {
    extends: './apps/server/vitest.config.ts',
    test: {
      name: 'server on postgres',
      root: './apps/server',
      env: { BECKON_TEST_STORE: 'postgres' },
      // a fake day of webhook retries is many more round trips to a real database
      testTimeout: 60_000,
      exclude: [
        // about the SQLite file itself: another process holding its lock, its tables read directly
        // to prove erasure and tenant isolation, installs and processes on a data directory
        'test/busy.test.ts',
        'test/privacy.test.ts',
        'test/tenants.test.ts',
        'test/install.test.ts',
        'test/process.test.ts',
      ],
    },
  },
  // several real nodes behind HAProxy on PostgreSQL and a Redis of their own (issue 13)
  './apps/server/vitest.cluster.config.ts',
  'bench',
  'e2e',
];
