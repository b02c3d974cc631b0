import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../scripts/lib/huike-server.ts';
import { chooseMenuItem, ownerApi, runId, setLanguage, useBrowser, waitFor } from './support.ts';

/**
 * What the customer pages say and show: the timeline names custom fields and what an import did, in both
 * languages; the English export dialog and file; phones masked until one audited reveal; the list sorted by its
 * value columns with a total; the header's lifecycle and tier badges labelled.
 */

type Customer = { id: string; phone: string | null; lifecycleStage?: string; rfmTier?: string | null };
type Job = { id: string; status: string; result: Record<string, unknown> | null };

/** A unique mobile number per run and index (137 + 8 digits). */
function mobile(run: string, index: number): string {
  const digits = [...run].map((char) => char.charCodeAt(0) % 10).join('');
  return `137${`${digits}${index}`.padStart(8, '0').slice(-8)}`;
}

const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

/** A customer with `orders` paid orders of `amountFen` each, through the orders API; answers its id. */
async function buyer(api: ApiClient, input: { name: string; phone: string; orderNo: string; amountFen: number }) {
  const answer = await api.request<{ order: { customerId: string } }>('POST', '/api/v1/orders', {
    platform: 'taobao',
    orderNo: input.orderNo,
    status: 'paid',
    amountFen: input.amountFen,
    paidAt: new Date().toISOString(),
    items: [{ productName: '保温杯', quantity: 1, priceFen: input.amountFen }],
    customer: { name: input.name, phone: input.phone },
  });
  return answer.order.customerId;
}

/** Imports a customers CSV through the API (upload, suggested mapping, run) and waits for the job. */
async function importCsv(api: ApiClient, lines: string[]) {
  const upload = await fetch(`${api.origin}/api/v1/imports?kind=customers&filename=e2e.csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', cookie: api.cookie, 'x-csrf-token': api.csrfToken },
    body: `${lines.join('\r\n')}\r\n`,
  });
  expect(upload.status).toBe(201);
  const view = (await upload.json()) as { importId: string; suggestedMapping: Record<string, string | null> };
  const job = await api.request<Job>('POST', `/api/v1/imports/${view.importId}/run`, {
    mapping: view.suggestedMapping,
  });
  await waitFor(
    async () => (await api.request<Job>('GET', `/api/v1/jobs/${job.id}`)).status === 'succeeded',
    'the import job',
    30_000,
  );
}

describe('customer profile, timeline, export and list', () => {
  const browser = useBrowser();

  it('the timeline names custom fields by their label (a deleted one by its key) and says whether an import created or updated the customer, in both languages', async () => {
    const api = ownerApi();
    const run = runId();
    await api.request('POST', '/api/v1/customer-fields', {
      key: `shoe_${run}`,
      label: `鞋码${run}`,
      type: 'number',
    });
    const temp = await api.request<{ id: string }>('POST', '/api/v1/customer-fields', {
      key: `temp_${run}`,
      label: `临时${run}`,
      type: 'text',
    });
    const phone = mobile(run, 1);
    await importCsv(api, ['姓名,手机,地区', `赵${run},${phone},杭州`]);
    await importCsv(api, ['姓名,手机,地区', `赵${run},${phone},上海`]);
    const found = await api.request<{ items: Customer[] }>('GET', `/api/v1/customers?q=${phone}`);
    const id = found.items[0]?.id;
    if (!id) throw new Error('the imported customer was not found');
    await api.request('PATCH', `/api/v1/customers/${id}`, { customFields: { [`shoe_${run}`]: 42 } });
    await api.request('PATCH', `/api/v1/customers/${id}`, { customFields: { [`temp_${run}`]: '试用' } });
    await api.request('PATCH', `/api/v1/customers/${id}`, { customFields: { [`temp_${run}`]: null } });
    await api.request('DELETE', `/api/v1/customer-fields/${temp.id}`);

    const { page, watched } = await browser.signedIn();
    const entries = page.locator('[data-testid=timeline-entry]');
    const texts = async () => (await entries.allTextContents()).join('\n');

    await page.goto(`/customers/${id}/timeline`);
    await waitFor(async () => (await texts()).includes('通过导入创建了客户资料'), 'the timeline in Chinese');
    const chinese = await texts();
    expect(chinese).toContain(`修改了 鞋码${run}`);
    expect(chinese).toContain(`修改了 已删除的自定义字段（temp_${run}）`);
    expect(chinese).toContain('通过导入修改了 地区');
    expect(chinese).not.toContain('customFields.');
    expect(chinese).not.toContain('通过导入更新了资料');

    await setLanguage(page, 'en');
    await page.reload();
    await waitFor(async () => (await texts()).includes('Created by an import'), 'the timeline in English');
    const english = await texts();
    expect(english).toContain(`Changed 鞋码${run}`);
    expect(english).toContain(`Changed a deleted custom field (temp_${run})`);
    expect(english).toContain('An import changed Region');
    expect(english).not.toContain('customFields.');
    expect(watched.errors).toEqual([]);
  });

  it('the English export dialog names the fields in English, counts "1 customer", and the file is headed in English', async () => {
    const api = ownerApi();
    const run = runId();
    const id = await buyer(api, { name: `钱${run}`, phone: mobile(run, 2), orderNo: `E2E-${run}-x`, amountFen: 9900 });

    const { page, watched } = await browser.signedIn();
    await setLanguage(page, 'en');
    await page.goto(`/customers?q=${mobile(run, 2)}`);
    const row = page.locator(`[data-testid=customer-row][data-customer-id="${id}"]`);
    await row.locator('.ant-checkbox-input').check();
    expect(await page.locator('[data-testid=selection-bar]').textContent()).toContain('1 customer selected');
    const dialog = page.locator('[data-testid=export-dialog]');
    await chooseMenuItem(page, page.locator('[data-testid=selection-bar] [data-testid=bulk-menu]'), 'Export', dialog);

    await waitFor(async () => (await dialog.locator('[data-testid=export-count]').count()) > 0, 'the count');
    expect(await dialog.locator('[data-testid=export-count]').textContent()).toBe('1 customer');
    await waitFor(
      async () => (await page.locator('[data-testid=export-start]').textContent()) === 'Export 1 customer',
      'the start button',
    );
    const labels = await dialog.locator('.hk-export-fields .ant-checkbox-wrapper').allTextContents();
    expect(labels).toContain('Name');
    expect(labels).toContain('Mobile');
    expect(labels).toContain('Total spent (CNY)');
    for (const chinese of ['姓名', '手机号', '累计消费（元）', '生命周期']) expect(labels).not.toContain(chinese);

    await dialog.locator('[data-testid=export-format] label', { hasText: 'CSV' }).click();
    await page.locator('[data-testid=export-start]').click();
    const download = page.locator('[data-testid=export-download]');
    await download.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await dialog.textContent()).toContain('1 row exported');
    const href = await download.getAttribute('href');
    const file = await page.evaluate(async (url) => (await fetch(url ?? '')).text(), href);
    const [header, line] = file.replace(/^\ufeff/, '').split('\r\n');
    expect(header).toMatch(/^Name,Mobile,Email,Gender,Region,Tags,Lifecycle stage,Orders,Total spent \(CNY\)/);
    expect(line).toContain(`钱${run}`);
    expect(line).toContain('99.00');
    expect(watched.errors).toEqual([]);
  });

  it('masks every phone on the profile and the duplicates tab until one audited reveal shows them all', async () => {
    const api = ownerApi();
    const run = runId();
    const main = mobile(run, 3);
    const other = mobile(run, 4);
    const id = await buyer(api, { name: `孙${run}`, phone: main, orderNo: `E2E-${run}-m`, amountFen: 100 });
    await api.request('PATCH', `/api/v1/customers/${id}`, { phones: [other] });
    // A second record of the same person (same main phone): the duplicates tab lists it.
    const twin = await buyer(api, {
      name: `孙${run}二`,
      phone: mobile(run, 5),
      orderNo: `E2E-${run}-t`,
      amountFen: 100,
    });
    await api.request('PATCH', `/api/v1/customers/${twin}`, { phone: main });

    const { page, watched } = await browser.signedIn('owner', { path: `/customers/${id}` });
    const profile = page.locator('[data-testid=customer-profile]');
    const phoneValue = profile.locator('[data-testid=customer-phone-value]');
    const otherPhone = profile.locator('[data-testid=customer-other-phone]');
    await phoneValue.waitFor({ state: 'visible' });
    // Masked, main and other phones alike, and the full numbers are nowhere in the profile.
    expect(await phoneValue.textContent()).toBe(masked(main));
    expect(await otherPhone.textContent()).toBe(masked(other));
    expect(await profile.textContent()).not.toContain(main);
    expect(await profile.textContent()).not.toContain(other);

    await profile.locator('[data-testid=reveal-phones]').click();
    await waitFor(async () => (await phoneValue.textContent()) === main, 'the revealed main phone');
    expect(await otherPhone.textContent()).toBe(other);

    // One reveal, one audit entry naming both fields.
    const audit = await api.request<{ items: { details: { fields?: string[] } }[] }>(
      'GET',
      `/api/v1/audit-log?action=customers.pii_revealed&targetId=${id}`,
    );
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]?.details.fields?.sort()).toEqual(['phone', 'phones']);

    // The duplicates tab shows the same number in full too (it is this customer's), without another reveal.
    await page.locator('[data-testid=customer-tab-duplicates]').click();
    const twinPhone = page.locator(
      `[data-testid=duplicate-row][data-customer-id="${twin}"] [data-testid=duplicate-phone]`,
    );
    await twinPhone.waitFor({ state: 'visible' });
    expect(await twinPhone.textContent()).toBe(main);
    // Hidden again: masked here and on the profile.
    await page.locator('[data-testid=duplicates-reveal-phones]').click();
    await waitFor(async () => (await twinPhone.textContent()) === masked(main), 'the duplicate masked again');
    await page.locator('[data-testid=customer-tab-profile]').click();
    await waitFor(async () => (await phoneValue.textContent()) === masked(main), 'the profile masked again');
    expect(await otherPhone.textContent()).toBe(masked(other));

    // A fresh visit starts masked.
    await page.goto(`/customers/${twin}/duplicates`);
    const back = page.locator(`[data-testid=duplicate-row][data-customer-id="${id}"] [data-testid=duplicate-phone]`);
    await back.waitFor({ state: 'visible' });
    expect(await back.textContent()).toBe(masked(main));
    const audits = await api.request<{ items: unknown[] }>(
      'GET',
      `/api/v1/audit-log?action=customers.pii_revealed&targetId=${id}`,
    );
    expect(audits.items).toHaveLength(1);
    expect(watched.errors).toEqual([]);
  });

  it('saving notes someone else changed since the page loaded says so, loads their version, and saves on the next try', async () => {
    const api = ownerApi();
    const run = runId();
    const id = await buyer(api, { name: `周${run}`, phone: mobile(run, 7), orderNo: `E2E-${run}-n`, amountFen: 500 });

    const { page, watched } = await browser.signedIn('owner', { path: `/customers/${id}` });
    const notes = page.locator('[data-testid=customer-notes]');
    await notes.waitFor({ state: 'visible' });
    // Another agent saves while this page shows the older version.
    await api.request('PATCH', `/api/v1/customers/${id}`, { notes: '同事：周末不在家' });
    await page.locator('[data-testid=customer-notes-edit]').click();
    await page.locator('[data-testid=customer-notes-input]').fill('我：要发顺丰');
    await page.locator('[data-testid=customer-notes-save]').click();
    const error = page.locator('[data-testid=customer-notes-error]');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('客户资料已被他人修改，请刷新后再保存');
    expect((await api.request<{ notes: string }>('GET', `/api/v1/customers/${id}`)).notes).toBe('同事：周末不在家');

    // The record was reloaded, so saving again is a save over the version now shown.
    await page.locator('[data-testid=customer-notes-save]').click();
    await error.waitFor({ state: 'detached' });
    await waitFor(
      async () => (await api.request<{ notes: string }>('GET', `/api/v1/customers/${id}`)).notes === '我：要发顺丰',
      'the second save',
    );
    expect(watched.errors).toEqual([]);
  });

  it('注销并删除个人信息: the confirmation needs a reason and the name, then the profile is erased and the order kept', async () => {
    const api = ownerApi();
    const run = runId();
    const phone = mobile(run, 6);
    const name = `注销${run}`;
    const id = await buyer(api, { name, phone, orderNo: `E2E-${run}-x`, amountFen: 2300 });

    const { page, watched } = await browser.signedIn('owner', { path: `/customers/${id}` });
    await page.locator('[data-testid=customer-erase-open]').click();
    const submit = page.locator('#customer-erase-submit');
    await submit.waitFor({ state: 'visible' });
    expect(await page.locator('.ant-modal').textContent()).toContain('订单');
    expect(await submit.isDisabled()).toBe(true);
    await page.locator('[data-testid=customer-erase-reason]').fill('买家来电要求删除个人信息');
    await page.locator('[data-testid=customer-erase-confirm]').fill('别的名字');
    expect(await submit.isDisabled()).toBe(true);
    await page.locator('[data-testid=customer-erase-confirm]').fill(name);
    expect(await submit.isDisabled()).toBe(false);
    await submit.click();

    const header = page.locator('[data-testid=customer-header]');
    await waitFor(async () => /已注销客户/.test((await header.textContent()) ?? ''), 'the erased name in the header');
    expect(await page.locator('[data-testid=customer-page]').textContent()).not.toContain(name);
    const customer = await api.request<Customer & { orderCount: number }>('GET', `/api/v1/customers/${id}`);
    expect(customer).toMatchObject({ phone: null, orderCount: 1 });
    const found = await api.request<{ items: unknown[] }>('GET', `/api/v1/customers?q=${phone}`);
    expect(found.items).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  it('sorts the list by total spent, order count and last order, shows the total, and labels the header badges', async () => {
    const api = ownerApi();
    const run = runId();
    const group = await api.request<{ id: string }>('POST', '/api/v1/tag-groups', {
      name: `e2e-sort-${run}`,
      kind: 'custom',
      selection: 'multi',
    });
    const tag = await api.request<{ id: string }>('POST', '/api/v1/tags', { groupId: group.id, name: `排序-${run}` });
    const small = await buyer(api, {
      name: `小${run}`,
      phone: mobile(run, 6),
      orderNo: `E2E-${run}-s`,
      amountFen: 1000,
    });
    const big = await buyer(api, {
      name: `大${run}`,
      phone: mobile(run, 7),
      orderNo: `E2E-${run}-b`,
      amountFen: 90_000,
    });
    const many = await buyer(api, {
      name: `多${run}`,
      phone: mobile(run, 8),
      orderNo: `E2E-${run}-m1`,
      amountFen: 2000,
    });
    await buyer(api, { name: `多${run}`, phone: mobile(run, 8), orderNo: `E2E-${run}-m2`, amountFen: 2000 });
    await buyer(api, { name: `多${run}`, phone: mobile(run, 8), orderNo: `E2E-${run}-m3`, amountFen: 2000 });
    for (const customerId of [small, big, many])
      await api.request('PUT', `/api/v1/customers/${customerId}/tags`, { add: [tag.id] });

    const { page, watched } = await browser.signedIn('owner', { path: `/customers?tagId=${tag.id}` });
    const rows = page.locator('[data-testid=customer-row]');
    const order = async () => await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-customer-id')));
    await waitFor(async () => (await rows.count()) === 3, 'the three tagged customers');
    await waitFor(
      async () => (await page.locator('[data-testid=customer-total]').textContent()) === '共 3 位客户',
      'the total',
    );

    // 累计消费: largest first on the first click, then smallest first; the URL keeps the sort.
    await page.locator('[data-testid=sort-totalSpent]').click();
    await waitFor(
      async () => JSON.stringify(await order()) === JSON.stringify([big, many, small]),
      'spent, largest first',
    );
    expect(new URL(page.url()).searchParams.get('sort')).toBe('totalSpent');
    await page.locator('[data-testid=sort-totalSpent]').click();
    await waitFor(
      async () => JSON.stringify(await order()) === JSON.stringify([small, many, big]),
      'spent, smallest first',
    );
    expect(new URL(page.url()).searchParams.get('order')).toBe('asc');
    // 订单数: the customer with three orders first.
    await page.locator('[data-testid=sort-orderCount]').click();
    await waitFor(async () => (await order())[0] === many, 'most orders first');
    // 最近下单: the last to buy first.
    await page.locator('[data-testid=sort-lastOrderAt]').click();
    await waitFor(async () => (await order())[0] === many, 'latest order first');
    // A reload keeps the sort.
    await page.reload();
    await waitFor(async () => (await order())[0] === many, 'the sort after a reload');
    expect(await page.locator('[data-testid=sort-lastOrderAt]').getAttribute('aria-sort')).toBe('descending');

    // The header says which badge is the lifecycle stage and which the value tier, in both languages.
    const customer = await api.request<Customer>('GET', `/api/v1/customers/${big}`);
    await page.goto(`/customers/${big}`);
    const header = page.locator('[data-testid=customer-header]');
    await header.locator('[data-testid=lifecycle-tag]').waitFor({ state: 'visible' });
    expect(await header.locator('[data-testid=lifecycle-tag]').textContent()).toMatch(/^生命周期：\S+$/);
    if (customer.rfmTier) expect(await header.locator('[data-testid=tier-badge]').textContent()).toMatch(/^价值分层：/);
    await setLanguage(page, 'en');
    await page.reload();
    await header.locator('[data-testid=lifecycle-tag]').waitFor({ state: 'visible' });
    expect(await header.locator('[data-testid=lifecycle-tag]').textContent()).toMatch(/^Lifecycle: \S+/);
    if (customer.rfmTier)
      expect(await header.locator('[data-testid=tier-badge]').textContent()).toMatch(/^Value tier: /);

    // In English the total is pluralised.
    await page.goto(`/customers?tagId=${tag.id}`);
    await waitFor(
      async () => (await page.locator('[data-testid=customer-total]').textContent()) === '3 customers',
      'the English total',
    );
    expect(watched.errors).toEqual([]);
  });
});
