import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';
import { newId } from '../../platform/ids.ts';

/*
 * Bulk jobs queued before the job froze its own targets: the request had frozen them (bulk_action_targets) and the
 * payload said only how many (`total`), without the target or the actor the job now freezes from. Such a job,
 * waiting in the queue across the upgrade, runs on the targets its request froze.
 */

const context = await createTestApp();
const { pool } = context.database;
const shop = await createWorkspace(context);
const supervisor = await shop.addUser('supervisor');
const workspaceId = shop.owner.workspaceId!;

const groupId = (await supervisor.post('/api/v1/tag-groups', { name: '升级前' })).json().id;
const tagId = (await supervisor.post('/api/v1/tags', { groupId, name: '老客户回访' })).json().id;

/** Customers (in id order) frozen as a bulk action's targets the way the old request did, and its queued job. */
async function oldBulkJob(names: string[], checkpoint: unknown = null) {
  const customers: string[] = [];
  for (const name of names) customers.push(await insertCustomer(context, workspaceId, { name }));
  const bulkId = newId();
  for (const customerId of customers)
    await pool.query('insert into bulk_action_targets (workspace_id, bulk_id, customer_id) values ($1, $2, $3)', [
      workspaceId,
      bulkId,
      customerId,
    ]);
  const jobId = newId();
  await pool.query(
    `insert into jobs (id, workspace_id, kind, payload, checkpoint, created_by)
     values ($1, $2, 'customers.bulk', $3, $4, $5)`,
    [
      jobId,
      workspaceId,
      JSON.stringify({ bulkId, action: 'add_tags', tagIds: [tagId], ownerId: null, total: customers.length }),
      checkpoint === null ? null : JSON.stringify(checkpoint),
      supervisor.userId,
    ],
  );
  return { jobId, customers, bulkId };
}

const tagged = async (customers: string[]) =>
  (
    await pool.query(
      'select customer_id from customer_tags where tag_id = $1 and customer_id = any($2::uuid[]) order by customer_id',
      [tagId, customers],
    )
  ).rows.map((row) => row.customer_id);

describe('a bulk job queued before the upgrade', () => {
  it('runs on the customers its request froze, with their count as the one confirmed', async () => {
    const { jobId, customers, bulkId } = await oldBulkJob(['老一', '老二', '老三']);
    // A customer added since matches nothing: the targets were frozen when the action was confirmed.
    await insertCustomer(context, workspaceId, { name: '新客户' });
    await context.jobs.drain();
    const job = (await supervisor.get(`/api/v1/jobs/${jobId}`)).json();
    expect(job, JSON.stringify(job)).toMatchObject({
      status: 'succeeded',
      error: null,
      progress: { done: 3, total: 3 },
      result: { action: 'add_tags', expectedCount: 3, matched: 3, processed: 3, changed: 3, unchanged: 0 },
    });
    expect(await tagged(customers)).toEqual([...customers].sort());
    const { rows } = await pool.query('select count(*)::int as n from bulk_action_targets where bulk_id = $1', [
      bulkId,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('resumes after the customers its old checkpoint says are done', async () => {
    const names = ['续一', '续二', '续三'];
    const { jobId, customers } = await oldBulkJob(names);
    const sorted = [...customers].sort();
    // As the old job left it when its worker stopped: two customers done (their tags were added then).
    await pool.query(`update jobs set checkpoint = $2 where id = $1`, [
      jobId,
      JSON.stringify({ after: sorted[1], done: 2, changed: 2 }),
    ]);
    await context.jobs.drain();
    expect((await supervisor.get(`/api/v1/jobs/${jobId}`)).json()).toMatchObject({
      status: 'succeeded',
      result: { matched: 3, processed: 3, changed: 3 },
    });
    // Only the third was tagged by this run.
    expect(await tagged(customers)).toEqual([sorted[2]]);
  });

  it('can be cancelled like a new one', async () => {
    const { jobId, customers } = await oldBulkJob(['停一', '停二']);
    expect((await supervisor.post(`/api/v1/jobs/${jobId}/cancel`, {})).json().status).toBe('cancelled');
    await context.jobs.drain();
    expect(await tagged(customers)).toEqual([]);
  });
});
