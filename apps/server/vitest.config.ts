import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on a 2-core machine (the default would be one): tests mostly wait on PostgreSQL,
    // which runs in its own processes, so the suite takes about a third less time.
    maxWorkers: 2,
  },
});
