import { defineProject } from 'vitest/config';
// real processes: three nodes, HAProxy, a Redis of their own, PostgreSQL (scripts/ensure-cluster-tools.mjs installs what is missing)
export default defineProject({ test: { name: 'cluster', include: ['test-cluster/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } });
