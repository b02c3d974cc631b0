import { describe, expect, it } from 'vitest';
import { countRows, createTestApp, createWorkspace } from '../../../test/harness.ts';

/*
 * Cancelling imports and exports, and a worker stopping (a shutdown) in the middle of an import. A batch is held
 * at its start by locking the import's row (each batch locks it to write), so the cancel or the stop arrives while
 * the first batch runs, whatever the machine's speed.
 */

const context = await createTestApp();
const { pool } = context.database;
const shop = await createWorkspace(context);
const supervisor = await shop.addUser('supervisor');
const analyst = await shop.addUser('analyst');
const other = (await createWorkspace(context, '别家店')).owner;

/** 210 orders, one row each, in two batches (200 orders, then 10); rows 3 and 205 have a bad phone. */
const ordersCsv = (prefix: string) =>
  Buffer.from(
    [
      '平台,订单号,付款时间,手机号',
      ...Array.from({ length: 210 }, (_, i) => {
        const row = i + 2;
        const phone = row === 3 || row === 205 ? '12345' : `139${String(i).padStart(8, '0')}`;
        return `淘宝,${prefix}${i},2026-11-20 10:00:00,${phone}`;
      }),
      '',
    ].join('\r\n'),
    'utf8',
  );

async function startImport(prefix: string) {
  const uploaded = await supervisor.request({
    method: 'POST',
    url: `/api/v1/imports?kind=orders&filename=${prefix}.csv`,
    headers: { 'content-type': 'text/csv' },
    payload: ordersCsv(prefix),
  });
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  const { importId, suggestedMapping } = uploaded.json();
  const started = await supervisor.post(`/api/v1/imports/${importId}/run`, { mapping: suggestedMapping });
  expect(started.statusCode, started.body).toBe(202);
  return { importId: importId as string, jobId: started.json().id as string };
}

/** Holds the import's row locked (its next batch waits at its start) until the returned function is called. */
async function holdImport(importId: string) {
  const client = await pool.connect();
  await client.query('begin');
  await client.query('select 1 from imports where id = $1 for update', [importId]);
  return async () => {
    await client.query('commit');
    client.release();
  };
}

async function untilRunning(jobId: string) {
  for (;;) {
    const { rows } = await pool.query('select status from jobs where id = $1', [jobId]);
    if (rows[0].status === 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ordersOf = (prefix: string) =>
  countRows(context, 'from orders where workspace_id = $1 and order_no like $2', [
    shop.owner.workspaceId,
    `${prefix}%`,
  ]);

// Each import writes 200 orders at least: seconds, far more on a busy machine.
describe('cancelling an import', { timeout: 120_000 }, () => {
  it('stops at the next batch: the committed batch stays, the result and the report cover the rows read', async () => {
    const { importId, jobId } = await startImport('CX');
    const release = await holdImport(importId);
    const running = context.jobs.drain();
    await untilRunning(jobId);

    // Neither someone who did not start it nor another shop may cancel it; an admin may.
    expect((await analyst.post(`/api/v1/jobs/${jobId}/cancel`, {})).json().error.code).toBe('job.not_found');
    expect((await other.post(`/api/v1/jobs/${jobId}/cancel`, {})).json().error.code).toBe('job.not_found');
    const asked = await shop.owner.post(`/api/v1/jobs/${jobId}/cancel`, {});
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ status: 'running', isCancelRequested: true });
    await release();
    await running;

    const job = (await supervisor.get(`/api/v1/jobs/${jobId}`)).json();
    expect(job.status, JSON.stringify(job)).toBe('cancelled');
    const result = job.result;
    // The first batch (200 orders, and the rejected row among them) was imported; the rest of the file was not.
    expect(result).toMatchObject({ created: 200, updated: 0, unchanged: 0, rejected: 1, rowsRead: 201 });
    expect(await ordersOf('CX')).toBe(200);
    // The report has the rejected row that was read, not the one after the cancel.
    const report = (await supervisor.get(`/api/v1/files/${result.reportFileId}`)).body;
    expect(report).toContain('淘宝,CX1,2026-11-20 10:00:00,12345,3,');
    expect(report).not.toContain('CX203');
    // Recorded under the person who cancelled it, with how far it got; not as a finished import.
    const { rows } = await pool.query(
      `select actor_id, details from audit_log where target_id = $1 and action like 'orders.import%'`,
      [importId],
    );
    expect(rows).toEqual([
      {
        actor_id: shop.owner.userId,
        details: expect.objectContaining({ created: 200, rejected: 1, rowsRead: 201 }),
      },
    ]);
    expect(
      (await pool.query(`select action from audit_log where target_id = $1`, [importId])).rows.map((r) => r.action),
    ).toEqual(['orders.import_cancelled']);
    // A cancelled job is finished: asking again answers it as it is.
    expect((await supervisor.post(`/api/v1/jobs/${jobId}/cancel`, {})).json().status).toBe('cancelled');
  });

  it('cancels a queued import at once; the file can be imported again afterwards', async () => {
    const { importId, jobId } = await startImport('CQ');
    const cancelled = await supervisor.post(`/api/v1/jobs/${jobId}/cancel`, {});
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', result: {} });
    await context.jobs.drain();
    expect(await ordersOf('CQ')).toBe(0);
    const view = (await supervisor.get(`/api/v1/imports/${importId}`)).json();
    const again = await supervisor.post(`/api/v1/imports/${importId}/run`, { mapping: view.suggestedMapping });
    expect(again.statusCode, again.body).toBe(202);
    await context.jobs.drain();
    expect((await supervisor.get(`/api/v1/jobs/${again.json().id}`)).json()).toMatchObject({
      status: 'succeeded',
      result: { created: 208, rejected: 2, rowsRead: 210 },
    });
  });
});

describe('a worker stopping during an import', { timeout: 120_000 }, () => {
  it('stops it after the batch in progress, queued again; the next run resumes after it without redoing it', async () => {
    const { importId, jobId } = await startImport('CS');
    const release = await holdImport(importId);
    context.jobs.start();
    await untilRunning(jobId);
    const stopping = context.jobs.stop();
    await release();
    await stopping;

    // Stopped at the first checkpoint: one batch in, the job waiting for the next worker (not failed, not cancelled).
    const { rows } = await pool.query(
      `select j.status, j.attempts, j.progress_done, i.committed_row from jobs j join imports i on i.job_id = j.id
       where j.id = $1`,
      [jobId],
    );
    expect(rows[0]).toMatchObject({ status: 'queued', attempts: 0 });
    expect(rows[0].committed_row).toBe(202);
    expect(rows[0].progress_done).toBe(rows[0].committed_row - 1);
    expect(await ordersOf('CS')).toBe(200);

    await context.jobs.drain();
    const job = (await supervisor.get(`/api/v1/jobs/${jobId}`)).json();
    expect(job.status).toBe('succeeded');
    // Every order once: none of the first batch's came back as 'unchanged' from a second pass.
    expect(job.result).toMatchObject({ created: 208, updated: 0, unchanged: 0, rejected: 2, rowsRead: 210 });
    expect(await ordersOf('CS')).toBe(208);
  });
});

describe('cancelling an export', () => {
  it('stops it and keeps no file, recorded under whoever cancelled it', async () => {
    const files = await countRows(context, 'from files where workspace_id = $1', [shop.owner.workspaceId]);
    const started = await supervisor.post('/api/v1/exports', {
      target: { all: true },
      format: 'csv',
      fields: ['name', 'phone'],
    });
    expect(started.statusCode, started.body).toBe(202);
    const jobId = started.json().id;
    // As if a worker had started it and not yet reached its next page.
    await pool.query(
      `update jobs set status = 'running', attempts = 1, heartbeat_at = now() - interval '5 minutes' where id = $1`,
      [jobId],
    );
    expect((await analyst.post(`/api/v1/jobs/${jobId}/cancel`, {})).json().error.code).toBe('job.not_found');
    const asked = await supervisor.post(`/api/v1/jobs/${jobId}/cancel`, {});
    expect(asked.json()).toMatchObject({ status: 'running', isCancelRequested: true });
    await context.jobs.drain();

    expect((await supervisor.get(`/api/v1/jobs/${jobId}`)).json()).toMatchObject({
      status: 'cancelled',
      result: { fileId: null, rows: 0 },
      error: null,
    });
    const kept = await pool.query('select name, size from files where workspace_id = $1 order by id', [
      shop.owner.workspaceId,
    ]);
    expect(kept.rows.length, JSON.stringify(kept.rows)).toBe(files);
    const { rows } = await pool.query(
      `select action, actor_id from audit_log where target_id = $1 and action like 'customers.export%'`,
      [jobId],
    );
    expect(rows).toEqual([{ action: 'customers.export_cancelled', actor_id: supervisor.userId }]);
  });

  it("lets an analyst cancel their own queued export, not another person's", async () => {
    const body = { target: { all: true }, format: 'xlsx', fields: ['name'] };
    const mine = (await analyst.post('/api/v1/exports', body)).json();
    const theirs = (await supervisor.post('/api/v1/exports', body)).json();
    expect((await analyst.post(`/api/v1/jobs/${mine.id}/cancel`, {})).json().status).toBe('cancelled');
    expect((await analyst.post(`/api/v1/jobs/${theirs.id}/cancel`, {})).statusCode).toBe(404);
    await context.jobs.drain();
    expect((await supervisor.get(`/api/v1/jobs/${theirs.id}`)).json().status).toBe('succeeded');
  });
});
