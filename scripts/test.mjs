#!/usr/bin/env node
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// `npm test`: the whole suite — server (vitest on embedded PostgreSQL), widget unit tests, browser tests.
// Prints `tests: N passed, M failed` last and exits non-zero when anything failed.
//
//   npm test                      every suite
//   npm test -- server widget     only the named suites (server, widget, e2e)
//
// Env: TEST_SUMMARY_FILE=<path> also writes {passed, failed, suites} there as JSON (used by .ci/run).
//      CI=true makes a missing /usr/bin/chromium a failure instead of a skip.
import { runChild, running } from './lib/child.mjs';
import { countVitestReport } from './lib/vitest-counts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const isCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huike-test-'));

const suites = {
  server: (report) => [npm, ['test', '-w', '@huike/server', '--', ...reporterArgs(report)]],
  widget: (report) => [process.execPath, [vitestBin(), 'run', '--root', 'apps/widget', ...reporterArgs(report)]],
  e2e: (report) => [process.execPath, ['scripts/e2e.mjs', ...reporterArgs(report)]],
};

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
for (const name of requested) {
  if (!(name in suites)) {
    console.error(`unknown suite "${name}"; choose from: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}
const selected = requested.length > 0 ? requested : Object.keys(suites);

function reporterArgs(report) {
  return ['--reporter=default', '--reporter=json', `--outputFile=${report}`];
}

function vitestBin() {
  return path.join(root, 'node_modules/vitest/vitest.mjs');
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // Let the child (e2e.mjs stops its server) clean up, then go.
    running.child?.kill(signal);
    setTimeout(() => process.exit(130), 20_000).unref();
  });
}

function run(command, args) {
  console.log(`\n$ ${[command, ...args].map((part) => path.relative(root, part) || part).join(' ')}`);
  return runChild(command, args, { cwd: root });
}

const results = [];
for (const name of selected) {
  const banner = `━━━━━━━━ ${name} ━━━━━━━━`;
  console.log(`\n${banner}`);
  if (name === 'e2e' && !fs.existsSync(CHROMIUM)) {
    if (isCI) {
      console.error(`✗ ${CHROMIUM} is missing and CI is set: the browser tests cannot run (apt-get install chromium).`);
      results.push({ name, passed: 0, failed: 1, skipped: 0, note: 'chromium missing' });
    } else {
      const line = '!'.repeat(100);
      console.warn(`${line}\n!!! SKIPPING THE BROWSER TESTS: ${CHROMIUM} is missing.`);
      console.warn(`!!! Install it (apt-get install -y chromium) to run them; CI always runs them.\n${line}`);
      results.push({ name, passed: 0, failed: 0, skipped: 0, note: 'SKIPPED: chromium missing' });
    }
    continue;
  }
  const report = path.join(reportDir, `${name}.json`);
  const [command, args] = suites[name](report);
  const started = Date.now();
  const code = await run(command, args);
  const counts = countVitestReport(report, code);
  results.push({ name, ...counts, seconds: Math.round((Date.now() - started) / 1000) });
}

fs.rmSync(reportDir, { recursive: true, force: true });

const passed = results.reduce((sum, suite) => sum + suite.passed, 0);
const failed = results.reduce((sum, suite) => sum + suite.failed, 0);
if (process.env.TEST_SUMMARY_FILE) {
  fs.writeFileSync(process.env.TEST_SUMMARY_FILE, JSON.stringify({ passed, failed, suites: results }, null, 2));
}
console.log('\n━━━━━━━━ summary ━━━━━━━━');
for (const suite of results) {
  const time = suite.seconds === undefined ? '' : ` in ${suite.seconds}s`;
  const skipped = suite.skipped ? `, ${suite.skipped} skipped` : '';
  const note = suite.note ? ` (${suite.note})` : '';
  console.log(
    `${suite.failed > 0 ? '✗' : '✓'} ${suite.name}: ${suite.passed} passed, ${suite.failed} failed${skipped}${time}${note}`,
  );
  for (const failure of suite.failures ?? []) console.log(`    ✗ ${failure}`);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
