import type { Job } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { ownerApi, runId, useBrowser, waitFor } from './support.ts';

// CUSTOMER_BATCH_ROWS (imports-exports.service.ts): an import commits customers this many rows at a time.
const BATCH_ROWS = 20_000;
// Three batches: at ~5,000 rows/s the whole file takes ~12 s, so a cancel confirmed while the first batch is
// written lands well before the last one starts.
const ROWS = 3 * BATCH_ROWS;
const REJECTED_FIRST = '拒绝-首批';
const REJECTED_LAST = '拒绝-末批';

/** ROWS customers with unique 166… mobiles, all from `source`; one bad row early in the file and one at its end. */
function bigCsv(run: string, source: string): Buffer {
  const prefix = `166${[...run].map((char) => char.charCodeAt(0) % 10).join('')}`.slice(0, 6);
  const lines = ['姓名,手机,来源渠道'];
  for (let index = 1; index <= ROWS; index++) {
    if (index === 10) lines.push(`${REJECTED_FIRST},12345,${source}`);
    else if (index === ROWS) lines.push(`${REJECTED_LAST},54321,${source}`);
    else lines.push(`取消${index},${prefix}${String(index).padStart(5, '0')},${source}`);
  }
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** The text of the 导入已取消 summary as numbers: rows read and each count. */
function parseSummary(text: string) {
  const number = (pattern: RegExp) => Number((text.match(pattern)?.[1] ?? 'NaN').replaceAll(',', ''));
  return {
    rowsRead: number(/已处理文件前 ([\d,]+) 行/),
    created: number(/新建 ([\d,]+)/),
    updated: number(/更新 ([\d,]+)/),
    rejected: number(/拒绝 ([\d,]+)/),
  };
}

describe('cancelling an import', () => {
  const browser = useBrowser();

  it('stops a running import after the batch it is writing: the committed customers stay and the report covers them', async () => {
    const api = ownerApi();
    const run = runId();
    const source = `c-${run}`;
    const { page, watched } = await browser.signedIn('owner', { path: '/customers/import' });

    // About 2 MB, sent through the DevTools protocol: seconds on a loaded machine.
    await page
      .locator('input[type=file]')
      .setInputFiles(
        { name: `大文件-${run}.csv`, mimeType: 'text/csv', buffer: bigCsv(run, source) },
        { timeout: 60_000 },
      );
    const wizard = page.locator('[data-testid=import-wizard]');
    await waitFor(async () => (await wizard.getAttribute('data-step')) === 'mapping', 'mapping step', 30_000);
    await page.locator('[data-testid=import-dry-run-button]').click();
    const dryRun = page.locator('[data-testid=import-dry-run]');
    await dryRun.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await dryRun.locator('[data-testid=dry-run-rejected]').textContent()).toContain('2');

    const started = page.waitForResponse(
      (response) => response.request().method() === 'POST' && /\/api\/v1\/imports\/[^/]+\/run$/.test(response.url()),
    );
    await page.locator('[data-testid=import-run-button]').click();
    const job = (await (await started).json()) as Job;

    // As soon as the job shows as running, cancel it and confirm.
    const progress = page.locator('[data-testid=job-progress]');
    await page.locator('[data-testid=job-progress][data-status=running]').waitFor({ state: 'visible' });
    await page.locator('[data-testid=job-cancel]').click();
    const confirm = page.locator('.ant-popconfirm:not(.ant-popover-hidden)');
    expect(await confirm.textContent()).toContain('不会撤回');
    await confirm.locator('.ant-popconfirm-buttons .ant-btn-dangerous').click();

    await waitFor(async () => (await progress.getAttribute('data-status')) === 'cancelled', 'import cancelled', 60_000);
    expect(await page.locator('[data-testid=job-status]').textContent()).toContain('已取消');
    const shown = parseSummary((await page.locator('[data-testid=import-summary]').textContent()) ?? '');
    // The batch being written when the cancel came was committed; the import stopped before the last one.
    expect(shown.rowsRead % BATCH_ROWS).toBe(0);
    expect(shown.rowsRead).toBeGreaterThanOrEqual(BATCH_ROWS);
    expect(shown.rowsRead).toBeLessThan(ROWS);
    expect(shown).toEqual({ rowsRead: shown.rowsRead, created: shown.rowsRead - 1, updated: 0, rejected: 1 });

    // The server agrees: the job's result, and the customers that exist (counted exactly by a segment filter).
    const ended = await api.request<Job>('GET', `/api/v1/jobs/${job.id}`);
    expect(ended.status).toBe('cancelled');
    expect(ended.result).toMatchObject({ rowsRead: shown.rowsRead, created: shown.created, rejected: 1 });
    const { count } = await api.request<{ count: number }>('POST', '/api/v1/segments/count', {
      filter: { op: 'and', conditions: [{ field: 'source', op: 'eq', value: source }] },
    });
    expect(count).toBe(shown.created);

    // The report lists the rejected row that was read, not the one after where the import stopped.
    const href = await page.locator('[data-testid=import-report]').getAttribute('href');
    const report = await page.evaluate(async (url) => (await fetch(url ?? '')).text(), href);
    expect(report).toContain(REJECTED_FIRST);
    expect(report).not.toContain(REJECTED_LAST);
    expect(watched.errors).toEqual([]);
    // Uploading, checking and importing 60,000 rows: about 30 s, several times that on a loaded machine.
  }, 180_000);
});
