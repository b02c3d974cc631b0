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
    `update customers set gender = 'male', lifecycle_stage = 'churned', rfm_tier = 'churned',
       custom_fields = '{"shoe_size": 42}' where id = $1`,
    [id],
  );
  return { owner };
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
    expect(lines[1]).toBe('王小明,13812345678,Male,Churned,Churned,0.00,42');
    expect(decodeURIComponent(english.disposition)).toContain('Customers export-');

    const chinese = await runExport(owner, { target: { all: true }, format: 'csv', fields, locale: 'zh-CN' });
    const zhLines = chinese.body
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .split('\r\n');
    expect(zhLines[0]).toBe('姓名,手机号,性别,生命周期,RFM 分层,累计消费（元）,鞋码');
    expect(zhLines[1]).toBe('王小明,13812345678,男,流失,流失,0.00,42');
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
