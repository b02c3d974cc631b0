import { exportFieldLabels } from '@huike/contracts';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

const context = await createTestApp();

async function runExport(client: Client, body: Record<string, unknown>) {
  const started = await client.post('/api/v1/exports', body);
  expect(started.statusCode, started.body).toBe(202);
  await context.jobs.drain();
  const job = (await client.get(`/api/v1/jobs/${started.json().id}`)).json();
  expect(job.status, JSON.stringify(job)).toBe('succeeded');
  const file = await client.get(`/api/v1/files/${job.result.fileId}`);
  expect(file.statusCode).toBe(200);
  return { body: file.rawPayload, disposition: String(file.headers['content-disposition'] ?? '') };
}

async function shop() {
  const { owner } = await createWorkspace(context);
  const workspaceId = owner.workspaceId!;
  const field = await owner.post('/api/v1/customer-fields', { key: 'shoe_size', label: '鞋码', type: 'number' });
  expect(field.statusCode, field.body).toBe(201);
  const id = await insertCustomer(context, workspaceId, { name: '王小明', phone: '13812345678' });
  await context.database.pool.query(
    `update customers set gender = 'male', lifecycle_stage = 'churned', rfm_tier = 'winback',
       custom_fields = '{"shoe_size": 42}' where id = $1`,
    [id],
  );
  return { owner, workspaceId, customerId: id };
}

const fields = ['name', 'phone', 'gender', 'lifecycleStage', 'rfmTier', 'totalSpent', 'custom:shoe_size'];

describe('export language', () => {
  it("writes the headers and coded values in the requester's language", async () => {
    const { owner } = await shop();

    const english = await runExport(owner, { target: { all: true }, format: 'csv', fields, locale: 'en' });
    const lines = english.body
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .split('\r\n');
    // Custom fields keep the label the workspace gave them.
    expect(lines[0]).toBe('Name,Mobile,Gender,Lifecycle stage,RFM tier,Total spent (CNY),鞋码');
    expect(lines[1]).toBe('王小明,13812345678,Male,Churned,Win back,0.00,42');
    expect(decodeURIComponent(english.disposition)).toContain('Customers export-');

    const chinese = await runExport(owner, { target: { all: true }, format: 'csv', fields, locale: 'zh-CN' });
    const zhLines = chinese.body
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .split('\r\n');
    expect(zhLines[0]).toBe('姓名,手机号,性别,生命周期,RFM 分层,累计消费（元）,鞋码');
    expect(zhLines[1]).toBe('王小明,13812345678,男,流失,沉睡唤醒,0.00,42');
    expect(decodeURIComponent(chinese.disposition)).toContain('客户导出-');

    // Without a language (the CLI, older clients) the file stays Chinese.
    const unspecified = await runExport(owner, { target: { all: true }, format: 'csv', fields });
    expect(unspecified.body.toString('utf8')).toBe(chinese.body.toString('utf8'));
  });

  it('heads an XLSX export in English too, and refuses an unknown language', async () => {
    const { owner } = await shop();
    const xlsx = await runExport(owner, {
      target: { all: true },
      format: 'xlsx',
      fields: ['name', 'gender', 'orderCount'],
      locale: 'en',
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'Name', 'Gender', 'Orders']);
    expect(sheet.getRow(2).values).toEqual([undefined, '王小明', 'Male', '0']);

    const refused = await owner.post('/api/v1/exports', {
      target: { all: true },
      format: 'csv',
      fields: ['name'],
      locale: 'fr',
    });
    expect(refused.statusCode).toBe(400);
  });
});

describe('export times', () => {
  it("writes times in the workspace's time zone as the app shows them (2026-11-25 09:30), in CSV and XLSX", async () => {
    const { owner, workspaceId, customerId } = await shop();
    await context.database.pool.query(
      `update customers set created_at = '2026-11-25T01:30:00Z', first_order_at = '2026-03-08T16:05:00Z',
         last_order_at = '2026-11-24T16:00:00Z' where id = $1`,
      [customerId],
    );
    const body = { target: { all: true }, fields: ['name', 'createdAt', 'firstOrderAt', 'lastOrderAt'] };
    const csvRow = async () =>
      (await runExport(owner, { ...body, format: 'csv' })).body.toString('utf8').split('\r\n')[1];
    const xlsxRow = async () => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await runExport(owner, { ...body, format: 'xlsx' })).body as unknown as ArrayBuffer);
      return workbook.worksheets[0]!.getRow(2).values;
    };

    // The default zone, Asia/Shanghai (UTC+8): 01:30 UTC is 09:30 there, and 16:00 UTC the next day's midnight.
    expect(await csvRow()).toBe('王小明,2026-11-25 09:30,2026-03-09 00:05,2026-11-25 00:00');
    expect(await xlsxRow()).toEqual([undefined, '王小明', '2026-11-25 09:30', '2026-03-09 00:05', '2026-11-25 00:00']);

    // Another workspace zone, daylight saving time included (New York is UTC-4 from 8 March 2026, UTC-5 in November).
    await context.database.pool.query(`update workspaces set timezone = 'America/New_York' where id = $1`, [
      workspaceId,
    ]);
    expect(await csvRow()).toBe('王小明,2026-11-24 20:30,2026-03-08 12:05,2026-11-24 11:00');
  });
});

describe('export field labels', () => {
  it('heads the columns with the labels the web app names the fields by (packages/contracts)', async () => {
    const { owner } = await shop();
    const fields = (await owner.get('/api/v1/exports/fields')).json().items as { key: string; label: string }[];
    for (const [key, label] of Object.entries(exportFieldLabels['zh-CN']))
      expect(fields.find((field) => field.key === key)?.label, key).toBe(label);
    const english = await runExport(owner, {
      target: { all: true },
      format: 'csv',
      fields: Object.keys(exportFieldLabels.en),
      locale: 'en',
    });
    const header = english.body
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .split('\r\n')[0];
    expect(header).toBe(Object.values(exportFieldLabels.en).join(','));
  });
});
