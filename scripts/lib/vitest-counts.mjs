// Reads a vitest JSON report (--reporter=json --outputFile=…) and counts passed and failed tests.
// A run that crashed (no report, a file that failed to load, an unhandled error, a failing global setup)
// counts as one failed test, so that a broken suite can never look green.
import fs from 'node:fs';

/**
 * @param {string} file path of the JSON report
 * @param {number} exitCode the runner's exit code
 * @returns {{ passed: number, failed: number, skipped: number, note: string, failures: string[] }}
 */
export function countVitestReport(file, exitCode) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {
      passed: 0,
      failed: 1,
      skipped: 0,
      note: `no report (exit ${exitCode}): counted as 1 failure`,
      failures: [],
    };
  }
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const notes = [];
  // A test file that failed to load or whose hooks threw has status "failed" without failed assertions.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  );
  if (brokenFiles.length > 0) {
    failed += brokenFiles.length;
    notes.push(`${brokenFiles.length} test file(s) failed outside a test`);
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    notes.push(`runner exited ${exitCode} without a failed test: counted as 1 failure`);
  }
  if (passed + failed === 0 && exitCode === 0) notes.push('no tests ran');
  return { passed, failed, skipped, note: notes.join('; '), failures: failureLines(report) };
}

// One line per failed test or broken file — "file › test: first line of the error" — so that the end of a long CI
// log says what failed.
function failureLines(report) {
  const firstLine = (message = '') => message.split('\n').find((line) => line.trim() !== '') ?? '';
  const lines = [];
  for (const file of report.testResults ?? []) {
    const name = file.name?.replace(/^.*?\/(apps|e2e|packages)\//, '$1/') ?? '?';
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      let reason = firstLine(test.failureMessages?.[0]).slice(0, 300);
      // vitest's JSON report keeps a timeout only as this placeholder.
      if (reason === 'Error: STACK_TRACE_ERROR') reason = `timed out after ${Math.round(test.duration ?? 0)} ms`;
      lines.push(`${name} › ${test.fullName ?? test.title}: ${reason}`);
    }
    if (file.status === 'failed' && failedTests.length === 0) lines.push(`${name}: ${firstLine(file.message)}`);
  }
  return lines;
}

// CLI: node scripts/lib/vitest-counts.mjs REPORT.json EXIT_CODE [FAILURES_FILE] → prints "PASSED FAILED" and appends
// the failure lines to FAILURES_FILE
if (import.meta.url === `file://${process.argv[1]}`) {
  const [file = '', code = '1', failuresFile] = process.argv.slice(2);
  const counts = countVitestReport(file, Number(code));
  if (counts.note) console.error(`(${file}: ${counts.note})`);
  if (failuresFile && counts.failures.length > 0) fs.appendFileSync(failuresFile, `${counts.failures.join('\n')}\n`);
  console.log(`${counts.passed} ${counts.failed}`);
}
