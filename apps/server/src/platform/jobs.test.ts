import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { countRows, createTestApp, createWorkspace } from '../../test/harness.ts';
import { AppError } from './errors.ts';
import { createJobs, JobCancelled, type JobDefinition } from './jobs.ts';

const context = await createTestApp();
const { db, pool } = context.database;
const shop = await createWorkspace(context);
const supervisor = await shop.addUser('supervisor');
const agent = await shop.addUser('agent');

const enqueue = (kind: string, payload: unknown = {}, createdBy = supervisor.userId!) =>
  context.jobs.enqueue(db, { workspaceId: shop.owner.workspaceId!, kind, payload, createdBy });

describe('background jobs', () => {
  it('runs a queued job, records its progress and shows the result to its creator', async () => {
    const seen: number[] = [];
    context.jobs.define({
      kind: 'test.count',
      payload: z.object({ upTo: z.number() }),
      async run({ payload, progress }) {
        for (let i = 1; i <= payload.upTo; i++) {
          await progress(i, payload.upTo);
          seen.push(i);
        }
        return { counted: payload.upTo };
      },
    });
    const job = await enqueue('test.count', { upTo: 3 });
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json()).toMatchObject({ status: 'queued', result: null });

    await context.jobs.drain();

    const done = (await supervisor.get(`/api/v1/jobs/${job.id}`)).json();
    expect(done).toMatchObject({ status: 'succeeded', progress: { done: 3, total: 3 }, result: { counted: 3 } });
    expect(done.finishedAt).not.toBeNull();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps a job to its creator and the admins', async () => {
    const job = await enqueue('test.count', { upTo: 1 });
    expect((await agent.get(`/api/v1/jobs/${job.id}`)).json().error.code).toBe('job.not_found');
    expect((await agent.get('/api/v1/jobs')).json().items).toEqual([]);
    expect((await shop.owner.get(`/api/v1/jobs/${job.id}`)).statusCode).toBe(200);
    const mine = (await supervisor.get('/api/v1/jobs?kind=test.count')).json().items;
    expect(mine.map((item: { id: string }) => item.id)).toContain(job.id);
    await context.jobs.drain();
  });

  it('fails a job with the reason its work gave, without retrying', async () => {
    let runs = 0;
    context.jobs.define({
      kind: 'test.refuse',
      payload: z.object({}),
      async run() {
        runs += 1;
        throw new AppError('request.invalid', '第 3 行手机号格式不正确');
      },
    });
    const job = await enqueue('test.refuse');
    await context.jobs.drain();
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json()).toMatchObject({
      status: 'failed',
      error: { code: 'request.invalid', message: '第 3 行手机号格式不正确' },
      result: null,
    });
    expect(runs).toBe(1);
  });

  it('retries an unexpected failure from the checkpoint, then gives up after three attempts', async () => {
    const starts: unknown[] = [];
    context.jobs.define({
      kind: 'test.flaky',
      payload: z.object({}),
      async run({ checkpoint, progress }) {
        starts.push(checkpoint);
        await progress(starts.length, 10, { nextRow: starts.length * 100 });
        throw new Error('connection terminated');
      },
    });
    const job = await enqueue('test.flaky');
    await context.jobs.drain();
    expect(starts).toEqual([null, { nextRow: 100 }, { nextRow: 200 }]);
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json()).toMatchObject({
      status: 'failed',
      error: { code: 'job.failed' },
    });
  });

  it('takes over a job whose worker stopped renewing its lease, and resumes it from its checkpoint', async () => {
    let resumedFrom: unknown;
    context.jobs.define({
      kind: 'test.resume',
      payload: z.object({}),
      async run({ checkpoint }) {
        resumedFrom = checkpoint;
        return {};
      },
    });
    const job = await enqueue('test.resume');
    await pool.query(
      `update jobs set status = 'running', attempts = 1, checkpoint = '{"nextRow": 5000}',
         heartbeat_at = now() - interval '5 minutes' where id = $1`,
      [job.id],
    );
    await context.jobs.drain();
    expect(resumedFrom).toEqual({ nextRow: 5000 });
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json().status).toBe('succeeded');
  });

  it('leaves a job alone while its worker keeps the lease', async () => {
    const job = await enqueue('test.resume');
    await pool.query(`update jobs set status = 'running', heartbeat_at = now() where id = $1`, [job.id]);
    expect(await context.jobs.runNext()).toBe(false);
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json().status).toBe('running');
  });

  it('stops polling only once the job in progress has finished, so a shutdown never cuts it off mid-query', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const isStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    context.jobs.define({
      kind: 'test.slow',
      payload: z.object({}),
      async run() {
        started();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { done: true };
      },
    });
    const job = await enqueue('test.slow');
    context.jobs.start();
    await isStarted;
    let isStopped = false;
    const stopping = context.jobs.stop().then(() => {
      isStopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isStopped).toBe(false);
    release();
    await stopping;
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json().status).toBe('succeeded');
  });

  it('asks the running job to stop at its next checkpoint when the worker stops; the next worker resumes it there', async () => {
    /** Rows "committed" by the job, in order, with the step each was written by (a redone step shows twice). */
    const committed: number[] = [];
    let stopping: Promise<void> | undefined;
    let askedToStop: () => void = () => {};
    const isAskedToStop = new Promise<void>((resolve) => {
      askedToStop = resolve;
    });
    const long: JobDefinition<{ upTo: number; stopAt: number }> = {
      kind: 'test.long',
      payload: z.object({ upTo: z.number(), stopAt: z.number() }),
      async run({ payload, checkpoint, progress }) {
        const from = (checkpoint as { next: number } | null)?.next ?? 1;
        for (let step = from; step <= payload.upTo; step++) {
          if (step === payload.stopAt && !stopping) {
            // The server shuts down while this step runs.
            stopping = context.jobs.stop();
            askedToStop();
          }
          committed.push(step);
          await progress(step, payload.upTo, { next: step + 1 });
        }
        return { counted: payload.upTo };
      },
    };
    context.jobs.define(long);
    const job = await enqueue('test.long', { upTo: 100, stopAt: 3 });
    context.jobs.start();
    await isAskedToStop;
    await stopping;

    // It stopped at the checkpoint after the step in progress, not at the end: back in the queue, not failed or
    // cancelled, and the stop did not count as an attempt.
    expect(committed).toEqual([1, 2, 3]);
    const { rows } = await pool.query('select status, attempts, checkpoint from jobs where id = $1', [job.id]);
    expect(rows[0]).toEqual({ status: 'queued', attempts: 0, checkpoint: { next: 4 } });
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json()).toMatchObject({
      status: 'queued',
      progress: { done: 3, total: 100 },
      finishedAt: null,
    });

    // Another worker (a process started later) takes it and goes on from step 4.
    const next = createJobs({ db, onError: (error) => expect.fail(String(error)) });
    next.define(long);
    expect(await next.runNext()).toBe(true);
    expect(committed).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json()).toMatchObject({
      status: 'succeeded',
      progress: { done: 100, total: 100 },
      result: { counted: 100 },
    });
  });

  it('exists only if the transaction that queued it commits', async () => {
    const before = await countRows(context, `from jobs where kind = 'test.count'`);
    await expect(
      db.transaction(async (tx) => {
        await context.jobs.enqueue(tx, {
          workspaceId: shop.owner.workspaceId!,
          kind: 'test.count',
          payload: { upTo: 1 },
          createdBy: null,
        });
        throw new Error('the change that asked for the job failed');
      }),
    ).rejects.toThrow();
    expect(await countRows(context, `from jobs where kind = 'test.count'`)).toBe(before);
  });
});

describe('cancelling a job', () => {
  let runs = 0;
  /** Counts to `upTo`, checkpointing each step; `cancelAt` asks for a cancel (as its creator) just before that step. */
  context.jobs.define({
    kind: 'test.cancellable',
    payload: z.object({ upTo: z.number(), cancelAt: z.number().optional() }),
    cancelPermission: 'customers:bulk_update',
    async run({ job, payload, progress, cancelRequest }) {
      runs += 1;
      for (let i = 1; i <= payload.upTo; i++) {
        if (i === payload.cancelAt) {
          const asked = await supervisor.post(`/api/v1/jobs/${job.id}/cancel`, {});
          expect(asked.json()).toMatchObject({ status: 'running', isCancelRequested: true });
        }
        await progress(i, payload.upTo);
        if (cancelRequest()) throw new JobCancelled({ counted: i });
      }
      return { counted: payload.upTo };
    },
  });

  it('cancels a queued job at once, so it never runs', async () => {
    const before = runs;
    const job = await enqueue('test.cancellable', { upTo: 3 });
    const cancelled = await supervisor.post(`/api/v1/jobs/${job.id}/cancel`, {});
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', isCancelRequested: true, result: {} });
    expect(cancelled.json().finishedAt).not.toBeNull();
    await context.jobs.drain();
    expect(runs).toBe(before);
    expect((await supervisor.post(`/api/v1/jobs/${job.id}/cancel`, {})).json().status).toBe('cancelled');
  });

  it('stops a running job at its next checkpoint, with the counts it reached', async () => {
    const job = await enqueue('test.cancellable', { upTo: 5, cancelAt: 3 });
    await context.jobs.drain();
    expect((await supervisor.get(`/api/v1/jobs/${job.id}`)).json()).toMatchObject({
      status: 'cancelled',
      progress: { done: 3, total: 5 },
      result: { counted: 3 },
      error: null,
    });
  });

  it('refuses a finished job, a kind that cannot stop, and people who may not start that kind of job', async () => {
    const finished = await enqueue('test.cancellable', { upTo: 1 });
    await context.jobs.drain();
    const late = await supervisor.post(`/api/v1/jobs/${finished.id}/cancel`, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('job.finished');

    const counting = await enqueue('test.count', { upTo: 1 });
    const notCancellable = await supervisor.post(`/api/v1/jobs/${counting.id}/cancel`, {});
    expect(notCancellable.statusCode).toBe(409);
    expect(notCancellable.json().error.code).toBe('job.not_cancellable');

    const queued = await enqueue('test.cancellable', { upTo: 1 });
    expect((await agent.post(`/api/v1/jobs/${queued.id}/cancel`, {})).json().error.code).toBe('job.not_found');
    const agentsOwn = await enqueue('test.cancellable', { upTo: 1 }, agent.userId!);
    expect((await agent.post(`/api/v1/jobs/${agentsOwn.id}/cancel`, {})).statusCode).toBe(403);
    expect((await shop.owner.post(`/api/v1/jobs/${queued.id}/cancel`, {})).json().status).toBe('cancelled');
    await context.jobs.drain();
    expect((await agent.get(`/api/v1/jobs/${agentsOwn.id}`)).json().status).toBe('succeeded');
  });
});

describe('stored files', () => {
  const save = (data: Buffer | AsyncIterable<Buffer>, options: { name?: string; maxBytes?: number } = {}) =>
    context.files.save(db, {
      workspaceId: shop.owner.workspaceId!,
      createdBy: supervisor.userId!,
      name: options.name ?? '客户导出.csv',
      contentType: 'text/csv; charset=utf-8',
      data,
      maxBytes: options.maxBytes,
    });

  it('stores a file in chunks and serves it back byte for byte, named for download', async () => {
    const data = Buffer.alloc(2.5 * 1024 * 1024, '李明,13812345678\n');
    async function* pieces() {
      for (let offset = 0; offset < data.length; offset += 300_000) yield data.subarray(offset, offset + 300_000);
    }
    const file = await save(pieces());
    expect(file.size).toBe(data.length);
    expect(await countRows(context, 'from file_chunks where file_id = $1', [file.id])).toBe(3);

    const response = await supervisor.get(`/api/v1/files/${file.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(data)).toBe(true);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('客户导出.csv')}`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves a file of any other type as opaque bytes, never as a page', async () => {
    const file = await context.files.save(db, {
      workspaceId: shop.owner.workspaceId!,
      createdBy: supervisor.userId!,
      name: 'x.html',
      contentType: 'text/html',
      data: Buffer.from('<script>alert(1)</script>'),
    });
    expect((await supervisor.get(`/api/v1/files/${file.id}`)).headers['content-type']).toBe('application/octet-stream');
  });

  it('refuses a file over the size limit and keeps nothing of it', async () => {
    const before = await countRows(context, 'from files');
    await expect(save(Buffer.alloc(3 * 1024 * 1024), { maxBytes: 2 * 1024 * 1024 })).rejects.toMatchObject({
      code: 'request.too_large',
    });
    expect(await countRows(context, 'from files')).toBe(before);
  });

  it('lets only its creator and the admins download it', async () => {
    const file = await save(Buffer.from('a,b'));
    expect((await agent.get(`/api/v1/files/${file.id}`)).json().error.code).toBe('file.not_found');
    expect((await shop.owner.get(`/api/v1/files/${file.id}`)).statusCode).toBe(200);
  });
});
