#!/usr/bin/env node
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Browser tests: builds web + widget, then runs vitest with e2e/vitest.config.ts. The vitest global
// setup (e2e/global-setup.ts) starts the real server once in a fresh temp dir (embedded PostgreSQL).
// This wrapper owns that temp dir: it prints the server log when something failed and makes sure no
// server or PostgreSQL process outlives the run, even when vitest crashed or we were interrupted.
//
//   node scripts/e2e.mjs [--no-build] [vitest args…]     (HUIKE_E2E_SKIP_BUILD=1 = --no-build)
import { runChild, running } from './lib/child.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const isCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

let args = process.argv.slice(2);
const skipBuild = args.includes('--no-build') || process.env.HUIKE_E2E_SKIP_BUILD === '1';
args = args.filter((arg) => arg !== '--no-build');

if (!fs.existsSync(CHROMIUM)) {
  if (isCI) {
    console.error(`✗ ${CHROMIUM} is missing and CI is set: the browser tests cannot run.`);
    process.exit(1);
  }
  console.warn(`!!! SKIPPING THE BROWSER TESTS: ${CHROMIUM} is missing (apt-get install -y chromium).`);
  process.exit(0);
}

let interrupted = false;
const run = (command, commandArgs, env = process.env) => runChild(command, commandArgs, { cwd: root, env });

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huike-e2e-'));
// The embedded PostgreSQL runs as the `postgres` user when we are root and must traverse this dir.
fs.chmodSync(workDir, 0o755);

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function killLeftovers() {
  const pid = Number.parseInt(readOr(path.join(workDir, 'server.pid'), ''), 10);
  if (pid && isAlive(pid)) {
    console.warn(`e2e: the server (pid ${pid}) is still running; stopping it`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  }
  if (pid) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  const pgPid = Number.parseInt(readOr(path.join(workDir, 'data/pg/postmaster.pid'), '').split('\n')[0], 10);
  if (pgPid && isAlive(pgPid)) {
    console.warn(`e2e: PostgreSQL (pid ${pgPid}) is still running; stopping it`);
    try {
      process.kill(pgPid, 'SIGINT');
    } catch {}
    for (let i = 0; i < 100 && isAlive(pgPid); i++) await sleep(100);
    if (isAlive(pgPid)) process.kill(pgPid, 'SIGKILL');
  }
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function printServerLog() {
  const log = path.join(workDir, 'server.log');
  if (!fs.existsSync(log)) {
    console.error('e2e: no server log (the server was never started)');
    return;
  }
  const lines = readOr(log, '').split('\n');
  const shown = lines.slice(-300);
  console.error(`\n┏━━━━ server log (${log}, last ${shown.length} of ${lines.length} lines) ━━━━`);
  for (const line of shown) console.error(`┃ ${line}`);
  console.error('┗━━━━ end of server log ━━━━\n');
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    running.child?.kill(signal);
    for (let i = 0; i < 150 && running.child; i++) await sleep(100);
    running.child?.kill('SIGKILL');
    await killLeftovers();
    process.exit(130);
  });
}

let code = 0;
if (!skipBuild) {
  console.log('e2e: building web and widget (npm run build)…');
  code = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']);
  if (code !== 0) console.error('✗ e2e: npm run build failed; the browser tests did not run');
}
if (code === 0 && !interrupted) {
  code = await run(
    process.execPath,
    [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'e2e/vitest.config.ts', ...args],
    { ...process.env, HUIKE_E2E_WORK_DIR: workDir },
  );
  if (code !== 0) printServerLog();
}
await killLeftovers();
// Keep the data and log of a failed run for inspection; there is nothing to keep if no server started.
if (code === 0 || !fs.existsSync(path.join(workDir, 'server.log')))
  fs.rmSync(workDir, { recursive: true, force: true });
else console.error(`e2e: kept ${workDir} (server log and data) for inspection`);
process.exit(code);
