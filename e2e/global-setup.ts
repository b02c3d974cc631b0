import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { setupWorkspace, startHuikeServer } from '../scripts/lib/huike-server.ts';

export type E2EContext = {
  origin: string;
  inboxToken: string;
  /** The owner's session cookie and CSRF token, for checks through the API. */
  cookie: string;
  csrfToken: string;
};

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2EContext;
  }
}

/** Starts the real server once for every browser test, with one workspace and one website inbox. */
export default async function setup(project: TestProject) {
  // scripts/e2e.mjs hands us a work dir it cleans up; running vitest directly gets a temp dir.
  const workDir = process.env.HUIKE_E2E_WORK_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'huike-e2e-'));
  const server = await startHuikeServer({ workDir, readyTimeoutMs: 180_000 });
  console.log(`e2e: server ${server.origin} (pid ${server.pid}, log ${server.logFile})`);
  try {
    const { api, inbox } = await setupWorkspace(server.origin);
    project.provide('e2e', {
      origin: server.origin,
      inboxToken: inbox.token,
      cookie: api.cookie,
      csrfToken: api.csrfToken,
    });
  } catch (error) {
    console.error(`e2e: setup through the API failed. Server log:\n${server.logTail(120)}`);
    await server.stop();
    throw error;
  }
  return async () => {
    await server.stop();
  };
}
