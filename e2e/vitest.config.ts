import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser tests against the real server (started once by global-setup.ts). Run: node scripts/e2e.mjs
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['**/*.e2e.ts'],
    globalSetup: ['./global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    maxWorkers: 1,
    // One worker runs every file in turn and keeps its modules, so the files share one Chromium (support.ts).
    isolate: false,
    retry: 0,
  },
});
