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
    // A worker evaluates the server's modules once for all its files instead of once per file: importing them was
    // ~40% of the suite's summed time (177 of 539 s in CI). Each file still builds its own app on its own cloned
    // database, so no state is shared that a test could see; the suite also passes with its files shuffled.
    isolate: false,
  },
});
