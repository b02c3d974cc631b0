// Reads a vitest JSON report (--reporter=json --outputFile=…) and counts passed and failed tests.
// A run that crashed (no report, a file that failed to load, an unhandled error, a failing global setup)
// counts as one failed test, so that a broken suite can never look green.
import fs from 'node:fs';

/**
 * @param {string} file path of the JSON report
 * @param {number} exitCode the runner's exit code
 * @returns {{ passed: number, failed: number, skipped: number, note: string }}
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
  return { passed, failed, skipped, note: notes.join('; ') };
}

// CLI: node scripts/lib/vitest-counts.mjs REPORT.json EXIT_CODE → prints "PASSED FAILED"
if (import.meta.url === `file://${process.argv[1]}`) {
  const [file = '', code = '1'] = process.argv.slice(2);
  const counts = countVitestReport(file, Number(code));
  if (counts.note) console.error(`(${file}: ${counts.note})`);
  console.log(`${counts.passed} ${counts.failed}`);
}
