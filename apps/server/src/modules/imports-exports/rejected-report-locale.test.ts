import { importIssueText } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace } from '../../../test/harness.ts';

/*
 * The rejected-rows report in the language of whoever ran the import (`locale` of the run request, kept with the
 * import), worded from each row's stored issue codes by the wording the web app's dry run reads too.
 */

const context = await createTestApp();
const { pool } = context.database;
const supervisor = await (await createWorkspace(context)).addUser('supervisor');

const file = Buffer.from(
  [
    '姓名,手机号,性别,生日,标签',
    '好行,13812340001,男,1990-05-01,',
    '坏手机,12345,男,,',
    '坏日期,13812340002,,1990-13-01,',
    '一个标签,13812340003,,,不存在',
    '两处错,13812340004,未说明,,甲|乙',
    '',
  ].join('\r\n'),
  'utf8',
);
const mapping = { 姓名: 'name', 手机号: 'phone', 性别: 'gender', 生日: 'birthday', 标签: 'tags' };

/** Uploads the file, runs it with `body` (mapping plus optional locale), returns the import, result and report. */
async function importWith(extra: Record<string, unknown>) {
  const uploaded = await supervisor.request({
    method: 'POST',
    url: '/api/v1/imports?kind=customers&filename=customers.csv',
    headers: { 'content-type': 'text/csv' },
    payload: file,
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const importId: string = uploaded.json().importId;
  const started = await supervisor.post(`/api/v1/imports/${importId}/run`, { mapping, ...extra });
  expect(started.statusCode, started.body).toBe(202);
  await context.jobs.drain();
  const job = (await supervisor.get(`/api/v1/jobs/${started.json().id}`)).json();
  expect(job.status, JSON.stringify(job)).toBe('succeeded');
  expect(job.result).toMatchObject({ rejected: 4 });
  const report = await supervisor.get(`/api/v1/files/${job.result.reportFileId}`);
  expect(report.statusCode).toBe(200);
  return { importId, report };
}

describe('rejected-rows report language', () => {
  it('is written in English when the run asks for it: header, reasons with their values, plurals', async () => {
    const { importId, report } = await importWith({ locale: 'en' });
    expect(report.rawPayload.toString('utf8').split('\r\n')).toEqual([
      '\ufeff姓名,手机号,性别,生日,标签,Row,Reason',
      '坏手机,12345,男,,,3,Not a valid mobile number: 12345',
      '坏日期,13812340002,,1990-13-01,,4,"Birthday is not a valid date (use YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD or YYYY年M月D日): 1990-13-01"',
      '一个标签,13812340003,,,不存在,5,Unknown tag: 不存在 (create it under Tags first)',
      // Quoted: the English reason has commas.
      '两处错,13812340004,未说明,,甲|乙,6,"Unknown tags: 甲、乙 (create them under Tags first); Gender must be 男 (male), 女 (female) or 未知 (unknown): 未说明"',
      '',
    ]);
    expect(report.headers['content-disposition']).toContain('rejected-rows.csv');
    const { rows } = await pool.query('select locale from imports where id = $1', [importId]);
    expect(rows[0].locale).toBe('en');
    // Each rejection keeps its issues (code and values) next to the Chinese reason.
    const stored = await pool.query('select reason, issues from import_rejections where import_id = $1 and row = 4', [
      importId,
    ]);
    expect(stored.rows[0]).toEqual({
      reason: '生日：日期格式不正确（应为 YYYY-MM-DD、YYYY/M/D、YYYY.MM.DD 或 YYYY年M月D日）：1990-13-01',
      issues: [
        {
          code: 'import.date_invalid',
          params: { field: 'birthday', label: '生日', value: '1990-13-01' },
          reason: '生日：日期格式不正确（应为 YYYY-MM-DD、YYYY/M/D、YYYY.MM.DD 或 YYYY年M月D日）：1990-13-01',
        },
      ],
    });
  });

  it('stays Chinese by default (行号, 原因, Chinese reasons joined with ；)', async () => {
    const { importId, report } = await importWith({});
    const lines = report.rawPayload.toString('utf8').split('\r\n');
    expect(lines[0]).toBe('\ufeff姓名,手机号,性别,生日,标签,行号,原因');
    expect(lines[1]).toBe('坏手机,12345,男,,,3,手机号格式不正确：12345');
    expect(lines[4]).toBe(
      '两处错,13812340004,未说明,,甲|乙,6,未知标签：甲、乙（请先在标签管理中创建）；性别只能是 男 / 女 / 未知：未说明',
    );
    expect(decodeURIComponent(String(report.headers['content-disposition']))).toContain('未导入的行.csv');
    const { rows } = await pool.query('select locale from imports where id = $1', [importId]);
    expect(rows[0].locale).toBe('zh-CN');
  });

  it('resumes in the stored language, wording rows stored before issues were kept by their Chinese reason', async () => {
    const { importId } = await importWith({ locale: 'en' });
    await pool.query('update import_rejections set issues = null where import_id = $1 and row = 3', [importId]);
    // A job for the same import after its last committed row (a resumed run): it only writes the result and report.
    const job = await context.jobs.enqueue(context.database.db, {
      workspaceId: supervisor.workspaceId!,
      kind: 'imports.run',
      payload: { importId },
      createdBy: supervisor.userId!,
    });
    await context.jobs.drain();
    const resumed = (await supervisor.get(`/api/v1/jobs/${job.id}`)).json();
    expect(resumed.status, JSON.stringify(resumed)).toBe('succeeded');
    const report = (await supervisor.get(`/api/v1/files/${resumed.result.reportFileId}`)).rawPayload.toString('utf8');
    const lines = report.split('\r\n');
    expect(lines[0]).toBe('\ufeff姓名,手机号,性别,生日,标签,Row,Reason');
    expect(lines[1]).toBe('坏手机,12345,男,,,3,手机号格式不正确：12345');
    expect(lines[3]).toBe('一个标签,13812340003,,,不存在,5,Unknown tag: 不存在 (create it under Tags first)');
  });

  it('refuses a language it cannot write in', async () => {
    const uploaded = await supervisor.request({
      method: 'POST',
      url: '/api/v1/imports?kind=customers&filename=customers.csv',
      headers: { 'content-type': 'text/csv' },
      payload: file,
    });
    const response = await supervisor.post(`/api/v1/imports/${uploaded.json().importId}/run`, {
      mapping,
      locale: 'fr',
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('import issue wording (shared with the web app)', () => {
  it('names built-in fields in the language, custom fields by their label, and picks the plural by count', () => {
    const amount = { code: 'import.amount_invalid', params: { field: 'amount', label: '订单金额', value: '-1' } };
    expect(importIssueText(amount, 'en')).toBe(
      'Order amount (CNY) must be a non-negative amount with at most two decimals: -1',
    );
    expect(importIssueText(amount, 'zh-CN')).toBe('订单金额（元）不正确（应为不超过两位小数的非负数）：-1');
    const custom = {
      code: 'import.options_unknown',
      params: { field: 'custom:hobby', label: '爱好', values: '滑雪', count: 1 },
    };
    expect(importIssueText(custom, 'en')).toBe('爱好 has no such option: 滑雪');
    expect(importIssueText({ ...custom, params: { ...custom.params, count: 2 } }, 'en')).toBe(
      '爱好 has no such options: 滑雪',
    );
    // A row from before `count` was kept reads as plural.
    expect(importIssueText({ code: 'import.tags_unknown', params: { names: 'A' } }, 'en')).toBe(
      'Unknown tags: A (create them under Tags first)',
    );
    expect(importIssueText({ code: 'customer.not_found', params: {} }, 'en')).toBeUndefined();
  });
});
