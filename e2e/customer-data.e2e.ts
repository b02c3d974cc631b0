import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../scripts/lib/huike-server.ts';
import { chooseMenuItem, fillField, ownerApi, pickOption, runId, setLanguage, useBrowser, waitFor } from './support.ts';

type TagGroup = { id: string; name: string };
type Tag = { id: string; name: string };
type CustomerRow = { id: string; name: string | null; lifecycleStage?: string };

/** A unique mobile number per run and index (139 + 8 digits). */
function mobile(run: string, index: number): string {
  const digits = [...run].map((char) => char.charCodeAt(0) % 10).join('');
  return `139${`${digits}${index}`.padStart(8, '0').slice(-8)}`;
}

async function createTagGroupWithTags(api: ApiClient, run: string, names: string[]) {
  const group = await api.request<TagGroup>('POST', '/api/v1/tag-groups', {
    name: `e2e-${run}`,
    kind: 'custom',
    selection: 'multi',
  });
  const tags: Tag[] = [];
  for (const name of names) tags.push(await api.request<Tag>('POST', '/api/v1/tags', { groupId: group.id, name }));
  return tags;
}

/** Creates (or finds) a customer through the orders API, with one paid order; returns the customer id. */
async function customerWithOrder(api: ApiClient, input: { name: string; phone: string; orderNo: string }) {
  const answer = await api.request<{ order: { customerId: string } }>('POST', '/api/v1/orders', {
    platform: 'taobao',
    orderNo: input.orderNo,
    status: 'paid',
    amountFen: 19_900,
    paidAt: new Date().toISOString(),
    items: [{ productName: '保温杯', quantity: 1, priceFen: 19_900 }],
    customer: { name: input.name, phone: input.phone },
  });
  return answer.order.customerId;
}

async function closeDropdowns(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
    .first()
    .waitFor({ state: 'hidden', timeout: 3_000 })
    .catch(() => {});
}

describe('customer data', () => {
  const browser = useBrowser();

  it('builds a segment (tag AND lifecycle) with a live count, saves it, and tags its customers in bulk', async () => {
    const api = ownerApi();
    const run = runId();
    const [vip, followUp] = await createTagGroupWithTags(api, run, [`VIP-${run}`, `回访-${run}`]);
    if (!vip || !followUp) throw new Error('tags were not created');
    const a = await customerWithOrder(api, { name: `甲${run}`, phone: mobile(run, 1), orderNo: `E2E-${run}-1` });
    const b = await customerWithOrder(api, { name: `乙${run}`, phone: mobile(run, 2), orderNo: `E2E-${run}-2` });
    const c = await customerWithOrder(api, { name: `丙${run}`, phone: mobile(run, 3), orderNo: `E2E-${run}-3` });
    // a and b are VIP buyers; c bought but is not VIP.
    for (const id of [a, b]) await api.request('PUT', `/api/v1/customers/${id}/tags`, { add: [vip.id] });
    const stage = (await api.request<CustomerRow>('GET', `/api/v1/customers/${a}`)).lifecycleStage;
    expect(stage, 'a customer with a paid order has a lifecycle stage').toBeTruthy();
    const stageLabel = {
      prospect: '潜在',
      new: '新客',
      active: '活跃',
      dormant: '沉睡',
      churned: '流失',
      returning: '回流',
    }[stage as string] as string;

    const { page, watched } = await browser.signedIn();
    // The builder sends only filters the server accepts, also right after a condition becomes complete.
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/v1/segments') && response.status() >= 400)
        refused.push(`${response.status()} ${response.url()}`);
    });
    await page.goto('/segments/new');
    await fillField(page.locator('[data-testid=segment-name]'), `VIP 买家 ${run}`);

    // Condition 1: 标签 · 有任一标签 · VIP-run (a new condition starts on the tag field).
    await page.locator('[data-testid=add-condition]').first().click();
    const conditions = page.locator('[data-testid=filter-condition]');
    await pickOption(page, conditions.nth(0).locator('[data-testid=condition-value]'), `VIP-${run}`, {
      search: `VIP-${run}`,
    });
    await closeDropdowns(page);

    // Condition 2: 生命周期 · 等于 · (the stage the orders gave a and b).
    await page.locator('[data-testid=add-condition]').first().click();
    await pickOption(page, conditions.nth(1).locator('[data-testid=condition-field]'), '生命周期', {
      search: '生命周期',
    });
    await pickOption(page, conditions.nth(1).locator('[data-testid=condition-value]'), stageLabel);

    // The live count settles on exactly a and b.
    const liveCount = page.locator('[data-testid=live-count]');
    await waitFor(
      async () => (await liveCount.getAttribute('data-count')) === '2',
      `the live count did not show 2 (shows "${await liveCount.textContent()}")`,
    );
    await waitFor(async () => (await page.locator('[data-testid=preview-row]').count()) === 2, 'preview rows');
    const preview = (await page.locator('[data-testid=preview-row]').allTextContents()).join(' ');
    expect(preview).toContain(`甲${run}`);
    expect(preview).toContain(`乙${run}`);
    expect(preview).not.toContain(`丙${run}`);

    // A negative amount is flagged on its row and not counted; removing it brings the count back.
    await page.locator('[data-testid=add-condition]').first().click();
    const spent = conditions.nth(2);
    await pickOption(page, spent.locator('[data-testid=condition-field]'), '累计消费', { search: '累计消费' });
    await fillField(spent.locator('[data-testid=condition-value]'), '-5');
    await spent.locator('[data-testid=condition-problem]', { hasText: '不能小于 0' }).waitFor();
    await waitFor(
      async () => (await liveCount.textContent())?.includes('请先修改标红的条件'),
      `the live count did not give way to the problem (shows "${await liveCount.textContent()}")`,
    );
    expect(await page.locator('[data-testid=segment-save]').isDisabled()).toBe(true);
    await spent.locator('.hk-filter-remove').click();
    await waitFor(async () => (await liveCount.getAttribute('data-count')) === '2', 'the count did not come back');
    expect(refused).toEqual([]);

    await page.locator('[data-testid=segment-save]').click();
    await waitFor(() => /\/segments\/[0-9a-f-]{36}$/.test(new URL(page.url()).pathname), 'saved segment URL');
    const item = page.locator('[data-testid=segment-item]', { hasText: `VIP 买家 ${run}` });
    await item.waitFor({ state: 'visible' });
    await waitFor(
      async () => (await item.locator('[data-testid=segment-count]').textContent())?.includes('2'),
      'count',
    );

    // The count is stored with its time: after a reload the row shows it at once, with its age, without counting
    // again (it is fresh); 刷新 counts it now, with a spinner on that row only.
    await page.reload();
    const stored = page.locator('[data-testid=segment-item]', { hasText: `VIP 买家 ${run}` });
    await stored.waitFor({ state: 'visible' });
    expect(await stored.locator('[data-testid=segment-count]').getAttribute('data-count')).toBe('2');
    expect(await stored.getAttribute('data-counting')).toBe('false');
    expect(await stored.locator('[data-testid=segment-counted-at]').textContent()).toBeTruthy();
    await stored.locator('[data-testid=segment-count-refresh]').click();
    await waitFor(async () => (await stored.getAttribute('data-counting')) === 'false', 'refreshed count');
    expect(await stored.locator('[data-testid=segment-count]').getAttribute('data-count')).toBe('2');

    // Bulk: add 回访-run to the segment; the exact count and the sentence come first.
    const modal = page.locator('[data-testid=bulk-modal]');
    await chooseMenuItem(
      page,
      page.locator('[data-testid=segment-editor] [data-testid=bulk-menu]'),
      '批量打标签',
      modal,
    );
    await waitFor(
      async () => (await modal.locator('[data-testid=bulk-count]').textContent())?.includes('2'),
      'bulk count',
    );
    await pickOption(page, modal.locator('[data-testid=bulk-tags]'), `回访-${run}`, { search: `回访-${run}` });
    await closeDropdowns(page);
    await expect
      .poll(() => modal.locator('[data-testid=bulk-sentence]').textContent())
      .toContain(`将为 2 位客户添加标签「回访-${run}」`);
    await page.locator('[data-testid=bulk-confirm]').click();
    const progress = modal.locator('[data-testid=job-progress]');
    await waitFor(
      async () => (await progress.getAttribute('data-status')) === 'succeeded',
      'the bulk job did not finish',
      30_000,
    );
    expect(await modal.locator('[data-testid=bulk-result]').textContent()).toContain('2');
    await page.locator('[data-testid=bulk-close]').click();

    // The tag is on a customer of the segment (their page shows it) and only there.
    const tagsOf = async (id: string) =>
      (await api.request<{ items: Tag[] }>('GET', `/api/v1/customers/${id}/tags`)).items.map((tag) => tag.name);
    expect(await tagsOf(a)).toContain(`回访-${run}`);
    expect(await tagsOf(b)).toContain(`回访-${run}`);
    expect(await tagsOf(c)).not.toContain(`回访-${run}`);
    await page.goto(`/customers/${a}/tags`);
    await page.getByText(`回访-${run}`).first().waitFor({ state: 'visible' });

    // The bulk change is in the audit log.
    await page.goto('/settings/audit-log');
    await page.locator('[data-testid=audit-row]', { hasText: '批量修改客户' }).first().waitFor({ state: 'visible' });
    expect(watched.errors).toEqual([]);
  });

  it('imports a CSV: two bad rows are shown in the dry run and the report, the good rows land in the list', async () => {
    const run = runId();
    const csv = [
      '姓名,手机,邮箱,标签',
      `王${run}甲,${mobile(run, 5)},wang1-${run}@example.com,`,
      `王${run}乙,${mobile(run, 6)},,`,
      `王${run}丙,12345,,`,
      `王${run}丁,${mobile(run, 8)},,不存在的标签${run}`,
    ].join('\r\n');

    const { page, watched } = await browser.signedIn('owner', { path: '/customers' });
    await page.locator('[data-testid=customers-import]').click();
    await waitFor(() => new URL(page.url()).pathname === '/customers/import', 'import page');
    await page.locator('input[type=file]').setInputFiles({
      name: `客户-${run}.csv`,
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });

    const wizard = page.locator('[data-testid=import-wizard]');
    await waitFor(async () => (await wizard.getAttribute('data-step')) === 'mapping', 'mapping step');
    // Suggested mapping from the Chinese headers.
    const phoneSelect = page.locator('[data-testid=import-mapping-select][data-column=手机]');
    expect(await phoneSelect.textContent()).toContain('手机');

    await page.locator('[data-testid=import-dry-run-button]').click();
    const dryRun = page.locator('[data-testid=import-dry-run]');
    await dryRun.waitFor({ state: 'visible' });
    expect(await dryRun.locator('[data-testid=dry-run-create]').textContent()).toContain('2');
    expect(await dryRun.locator('[data-testid=dry-run-rejected]').textContent()).toContain('2');
    const rejected = await dryRun.locator('[data-testid=rejected-row]').allTextContents();
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toContain('第 4 行');
    expect(rejected[1]).toContain('第 5 行');
    expect(rejected[1]).toContain(`不存在的标签${run}`);

    await page.locator('[data-testid=import-run-button]').click();
    await waitFor(async () => (await wizard.getAttribute('data-step')) === 'done', 'import finished', 30_000);
    const summary = await page.locator('[data-testid=import-summary]').textContent();
    expect(summary).toContain('新建 2');
    expect(summary).toContain('拒绝 2');

    // The report of rejected rows downloads with the row numbers and reasons.
    const href = await page.locator('[data-testid=import-report]').getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/files\//);
    const report = await page.evaluate(async (url) => (await fetch(url ?? '')).text(), href);
    expect(report).toContain('4');
    expect(report).toContain(`不存在的标签${run}`);

    // The good rows are customers now; the bad ones are not.
    await page.locator('[data-testid=import-view-customers]').click();
    await page.locator('[data-testid=customer-search] input').fill(`王${run}`);
    await page.locator('[data-testid=customer-search] input').press('Enter');
    const rows = page.locator('[data-testid=customer-row]');
    await waitFor(async () => (await rows.count()) === 2, 'two imported customers in the list');
    const names = (await rows.allTextContents()).join(' ');
    expect(names).toContain(`王${run}甲`);
    expect(names).toContain(`王${run}乙`);
    expect(names).not.toContain(`王${run}丙`);
    expect(names).not.toContain(`王${run}丁`);
    expect(watched.errors).toEqual([]);
  });

  it('words rejected rows in English, every bad cell, with plural-aware and disabled import buttons', async () => {
    const run = runId();
    const upload = async (page: Page, lines: string[]) => {
      await page.locator('input[type=file]').setInputFiles({
        name: `customers-${run}.csv`,
        mimeType: 'text/csv',
        buffer: Buffer.from(lines.join('\r\n'), 'utf8'),
      });
      const wizard = page.locator('[data-testid=import-wizard]');
      await waitFor(async () => (await wizard.getAttribute('data-step')) === 'mapping', 'mapping step');
      await page.locator('[data-testid=import-dry-run-button]').click();
      await page.locator('[data-testid=import-dry-run]').waitFor({ state: 'visible' });
    };
    const { page, watched } = await browser.signedIn('owner', { path: '/customers' });
    await setLanguage(page, 'en');
    await page.goto('/customers/import');

    // One good row, one with a bad phone and a bad email: both reasons, in English.
    await upload(page, ['姓名,手机,邮箱', `English${run}A,${mobile(run, 1)},`, `English${run}B,1390000,not-an-email`]);
    const dryRun = page.locator('[data-testid=import-dry-run]');
    expect(await dryRun.textContent()).toContain('2 rows.');
    const reasons = await dryRun.locator('[data-testid=rejected-reason]').allTextContents();
    expect(reasons).toEqual(['Not a valid mobile number: 1390000', 'Not a valid email address: not-an-email']);
    const runButton = page.locator('[data-testid=import-run-button]');
    expect(await runButton.textContent()).toContain('Import 1 row (skip 1)');
    expect(await runButton.isEnabled()).toBe(true);
    expect(await page.locator('[data-testid=import-nothing-to-import]').count()).toBe(0);

    // Nothing importable: the button is disabled, and says why.
    await page.getByRole('button', { name: 'Back to mapping' }).click();
    await page.getByRole('button', { name: 'Choose another file' }).click();
    await upload(page, ['姓名,手机', `English${run}C,12345`]);
    expect(await dryRun.textContent()).toContain('1 row.');
    expect(await runButton.textContent()).toContain('Import 0 rows (skip 1)');
    expect(await runButton.isDisabled()).toBe(true);
    await page.locator('[data-testid=import-nothing-to-import]').waitFor({ state: 'visible' });
    expect(watched.errors).toEqual([]);
  });

  it('finds 李明 in the customers list by pinyin and by initials', async () => {
    const api = ownerApi();
    const run = runId();
    const id = await customerWithOrder(api, { name: '李明', phone: mobile(run, 9), orderNo: `E2E-${run}-lm` });

    const { page, watched } = await browser.signedIn();
    for (const query of ['liming', 'lm']) {
      await page.goto('/customers');
      const search = page.locator('[data-testid=customer-search] input');
      await search.fill(query);
      await search.press('Enter');
      const row = page.locator(`[data-testid=customer-row][data-customer-id="${id}"]`);
      await row.waitFor({ state: 'visible' });
      expect(await row.textContent()).toContain('李明');
    }
    expect(watched.errors).toEqual([]);
  });
});
