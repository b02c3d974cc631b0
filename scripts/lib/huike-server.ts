/**
 * Starts the real Huike server (`node apps/server/bin/huike.js serve`) on a free port with a fresh
 * data directory (embedded PostgreSQL), for the browser tests and the benchmarks. Everything stays on
 * 127.0.0.1; the server runs in its own process group so that stopping it also stops its PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type StartedServer = {
  origin: string;
  port: number;
  pid: number;
  workDir: string;
  dataDir: string;
  logFile: string;
  /** The last `lines` lines of the server's combined stdout/stderr. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL to the whole process group, then any postmaster left behind. */
  stop(): Promise<void>;
};

export type StartOptions = {
  /** A directory to put `data/`, `server.log` and `server.pid` in; a fresh temp dir by default. */
  workDir?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
};

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readTail(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(
      fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '',
      10,
    );
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/**
 * Stops a server started by `startHuikeServer`, also from another process (scripts/e2e.mjs uses the
 * pid file as a safety net). Safe to call twice.
 */
export async function stopServerProcess(pid: number, dataDir: string): Promise<void> {
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
    if (!(await waitForExit(pid, 15_000))) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
      await waitForExit(pid, 5_000);
    }
  }
  // The postmaster shares the server's process group; kill whatever of the group survived.
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {}
  const pgPid = postmasterPid(dataDir);
  if (pgPid && isAlive(pgPid)) {
    try {
      process.kill(pgPid, 'SIGINT');
    } catch {}
    if (!(await waitForExit(pgPid, 10_000))) {
      try {
        process.kill(pgPid, 'SIGKILL');
      } catch {}
    }
  }
}

export async function startHuikeServer(options: StartOptions = {}): Promise<StartedServer> {
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'huike-run-'));
  fs.mkdirSync(workDir, { recursive: true });
  // The embedded cluster runs as the unprivileged `postgres` user when we are root: it must be able to
  // traverse every directory above its data directory (mkdtemp makes 0700 directories).
  fs.chmodSync(workDir, 0o755);
  const dataDir = path.join(workDir, 'data');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  const logFile = path.join(workDir, 'server.log');
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const log = fs.openSync(logFile, 'a');
  const bin = path.join(repoRoot, 'apps/server/bin/huike.js');
  if (!fs.existsSync(bin)) throw new Error(`server entry point ${bin} does not exist yet`);

  // A fresh embedded cluster every time: never inherit a shell's external database or public URL.
  const inherited = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_READ_URL', 'HUIKE_PUBLIC_URL', 'HUIKE_SECURE_COOKIES']) {
    delete inherited[name];
  }
  // HUIKE_PROFILE=<dir> writes a V8 CPU profile of the server there (e.g. to see where a benchmark spends time).
  const profile = process.env.HUIKE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HUIKE_PROFILE}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, bin, 'serve'], {
    cwd: repoRoot,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      HUIKE_DATA_DIR: dataDir,
      HUIKE_DEMO: '0',
      // Browser tests and benchmarks run their webhook / channel receivers on 127.0.0.1.
      HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1',
      ...options.env,
    },
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  const pid = child.pid;
  if (!pid) throw new Error('could not spawn the server');
  fs.writeFileSync(path.join(workDir, 'server.pid'), String(pid));
  child.unref();
  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? -1 : 0);
  });

  let stopped: Promise<void> | undefined;
  const server: StartedServer = {
    origin,
    port,
    pid,
    workDir,
    dataDir,
    logFile,
    logTail: (lines = 80) => readTail(logFile, lines),
    stop: () => {
      stopped ??= stopServerProcess(pid, dataDir);
      return stopped;
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  let lastError = '';
  while (true) {
    if (exitCode !== undefined) {
      await server.stop();
      throw new Error(`server exited (code ${exitCode}) before /readyz answered 200. Log:\n${server.logTail(120)}`);
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `server not ready after ${options.readyTimeoutMs ?? 120_000} ms (${lastError}). Log:\n${server.logTail(120)}`,
      );
    }
    try {
      const response = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return server;
      lastError = `readyz ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await sleep(250);
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** A tiny JSON client that keeps the session cookie and sends the CSRF header on unsafe requests. */
export class ApiClient {
  cookie = '';
  csrfToken = '';

  constructor(readonly origin: string) {}

  async request<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.raw(method, url, body, headers);
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      throw new ApiError(response.status, parsed, `${method} ${url} → ${response.status}: ${text.slice(0, 500)}`);
    }
    return parsed as T;
  }

  async raw(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const allHeaders: Record<string, string> = { ...headers };
    if (body !== undefined) allHeaders['content-type'] = 'application/json';
    if (this.cookie) allHeaders.cookie = this.cookie;
    if (this.csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(method)) allHeaders['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.origin}${url}`, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const cookies = response.headers.getSetCookie();
    for (const line of cookies) {
      const pair = line.split(';')[0] ?? '';
      const name = pair.split('=')[0];
      if (!name) continue;
      const others = this.cookie.split('; ').filter((part) => part && !part.startsWith(`${name}=`));
      this.cookie = [...others, pair].join('; ');
    }
    return response;
  }
}

export const OWNER = {
  workspaceName: 'E2E 小店',
  timezone: 'Asia/Shanghai',
  name: '店长',
  email: 'owner@e2e.test',
  password: 'correct-horse-1',
} as const;

export type InboxInfo = { id: string; token: string; name: string };

export type SetupResult = { api: ApiClient; inbox: InboxInfo };

/** Creates the workspace and its owner (signed in) and one website inbox. */
export async function setupWorkspace(origin: string): Promise<SetupResult> {
  const api = new ApiClient(origin);
  const session = await api.request<{ csrfToken: string }>('POST', '/api/v1/setup', OWNER);
  api.csrfToken = session.csrfToken;
  if (!api.cookie.includes('huike_session=')) throw new Error('POST /api/v1/setup did not set huike_session');
  const created = await api.request<InboxInfo | { inbox: InboxInfo }>('POST', '/api/v1/inboxes', {
    name: '官网',
    channelType: 'website',
  });
  const inbox = 'inbox' in created ? created.inbox : created;
  if (!inbox.token) throw new Error(`POST /api/v1/inboxes returned no token: ${JSON.stringify(created)}`);
  return { api, inbox };
}
