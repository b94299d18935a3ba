import { defineProject } from 'vitest/config';
export default defineProject({ test: { name: 'server', include: ['test/**/*.test.ts'], setupFiles: ['../../packages/db/test/bound-limits.ts'], testTimeout: 20_000, hookTimeout: 20_000 } });
