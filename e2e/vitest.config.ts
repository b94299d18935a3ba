import { defineProject } from 'vitest/config';
export default defineProject({
  test: { name: 'e2e', include: ['**/*.e2e.ts'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
