import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

/*
 * Segment tag conditions read customers.tag_ids, which triggers on customer_tags keep equal to the customer's
 * customer_tags rows. These tests change tags through every path that writes customer_tags and check both the
 * array and the counts.
 */

const context = await createTestApp();
const sql = (text: string, params: unknown[] = []) => context.database.pool.query(text, params);
const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as object });

async function setup() {
  const workspace = await createWorkspace(context);
  const { owner } = workspace;
  const workspaceId = owner.workspaceId!;
  const groups = (await owner.get('/api/v1/tag-groups')).json().items as {
    name: string;
    id: string;
    tags: { id: string; name: string }[];
  }[];
  const tag = (name: string) => groups.flatMap((g) => g.tags).find((t) => t.name === name)!.id;
  const group = (name: string) => groups.find((g) => g.name === name)!.id;
  const count = async (op: string, names: string[]) => {
    const response = await owner.post('/api/v1/segments/count', {
      filter: { op: 'and', conditions: [{ field: 'tags', op, value: names.map(tag) }] },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().count as number;
  };
  return { owner, workspaceId, tag, group, count };
}

/** Whether every customer's tag_ids equals its customer_tags rows (sorted), in every workspace. */
async function inSync() {
  const { rows } = await sql(`
    select c.id from customers c
    where c.tag_ids is distinct from coalesce(
      (select array_agg(ct.tag_id order by ct.tag_id) from customer_tags ct
        where ct.workspace_id = c.workspace_id and ct.customer_id = c.id), '{}'::uuid[])`);
  return rows.map((row) => row.id);
}

describe('customers.tag_ids, what segment tag conditions read', () => {
  it('follows tags added and removed one by one and in bulk', async () => {
    const { owner, tag, count } = await setup();
    const a = await insertCustomer(context, owner.workspaceId!, { name: '甲' });
    const b = await insertCustomer(context, owner.workspaceId!, { name: '乙' });
    const c = await insertCustomer(context, owner.workspaceId!, { name: '丙' });

    await put(owner, `/api/v1/customers/${a}/tags`, { add: [tag('VIP'), tag('复购')] });
    await put(owner, `/api/v1/customers/${b}/tags`, { add: [tag('复购')] });
    expect(await count('has_all', ['VIP', '复购'])).toBe(1);
    expect(await count('has_any', ['VIP', '复购'])).toBe(2);
    expect(await count('has_none', ['复购'])).toBe(1);

    await put(owner, `/api/v1/customers/${a}/tags`, { remove: [tag('VIP')] });
    expect(await count('has_any', ['VIP'])).toBe(0);

    const target = { customerIds: [a, b, c] };
    const expectedCount = (await owner.post('/api/v1/customers/bulk/count', { target })).json().count;
    const queued = await owner.post('/api/v1/customers/bulk', {
      target,
      expectedCount,
      action: 'add_tags',
      tagIds: [tag('价格敏感')],
    });
    expect(queued.statusCode, queued.body).toBe(202);
    await context.jobs.drain();
    expect(await count('has_all', ['价格敏感'])).toBe(3);

    const removed = await owner.post('/api/v1/customers/bulk', {
      target,
      expectedCount,
      action: 'remove_tags',
      tagIds: [tag('价格敏感'), tag('复购')],
    });
    expect(removed.statusCode, removed.body).toBe(202);
    await context.jobs.drain();
    expect(await count('has_any', ['价格敏感', '复购'])).toBe(0);
    expect(await inSync()).toEqual([]);
  });

  it('follows tags moved by a merge and back by its undo', async () => {
    const { owner, tag, count } = await setup();
    const survivor = await insertCustomer(context, owner.workspaceId!, { name: '李雷' });
    const other = await insertCustomer(context, owner.workspaceId!, { name: '李雷（淘宝）' });
    await put(owner, `/api/v1/customers/${other}/tags`, { add: [tag('VIP')] });
    await put(owner, `/api/v1/customers/${survivor}/tags`, { add: [tag('复购')] });

    const merged = await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(await count('has_all', ['VIP', '复购'])).toBe(1);
    expect(await inSync()).toEqual([]);

    const undone = await owner.post(`/api/v1/customer-merges/${merged.json().mergeId}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect(await count('has_all', ['VIP', '复购'])).toBe(0);
    expect(await count('has_any', ['VIP'])).toBe(1);
    expect(await inSync()).toEqual([]);
  });

  it('keeps a tag added to the survivor after the merge findable once the merge is undone', async () => {
    const { owner, tag, count } = await setup();
    const survivor = await insertCustomer(context, owner.workspaceId!, { name: '王五', phone: '13900001101' });
    const other = await insertCustomer(context, owner.workspaceId!, { name: '王五（淘宝）' });
    await put(owner, `/api/v1/customers/${other}/tags`, { add: [tag('复购')] });
    const merged = await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other });
    expect(merged.statusCode, merged.body).toBe(200);
    const target = { customerIds: [survivor] };
    const queued = await owner.post('/api/v1/customers/bulk', {
      target,
      expectedCount: 1,
      action: 'add_tags',
      tagIds: [tag('VIP')],
    });
    expect(queued.statusCode, queued.body).toBe(202);
    await context.jobs.drain();

    const undone = await owner.post(`/api/v1/customer-merges/${merged.json().mergeId}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect(await inSync()).toEqual([]);
    const byTag = async (name: string) =>
      (await owner.get(`/api/v1/customers?tagId=${tag(name)}&limit=100`)).json().items.map((c: { id: string }) => c.id);
    expect(await byTag('VIP')).toEqual([survivor]);
    expect(await byTag('复购')).toEqual([other]);
    expect(await count('has_any', ['VIP'])).toBe(1);
    // The restored profile is searchable as before the merge (search columns recomputed, not copied).
    const found = (await owner.get('/api/v1/customers?q=13900001101')).json().items;
    expect(found.map((c: { id: string }) => c.id)).toEqual([survivor]);
  });

  it('forgets a deleted tag and a deleted customer’s tags', async () => {
    const { owner, tag, group, count } = await setup();
    const a = await insertCustomer(context, owner.workspaceId!, { name: '甲' });
    const b = await insertCustomer(context, owner.workspaceId!, { name: '乙' });
    const temporary = (await owner.post('/api/v1/tags', { groupId: group('行为'), name: '临时' })).json().id;
    await put(owner, `/api/v1/customers/${a}/tags`, { add: [temporary, tag('VIP')] });
    await put(owner, `/api/v1/customers/${b}/tags`, { add: [temporary] });

    const deleted = await owner.request({ method: 'DELETE', url: `/api/v1/tags/${temporary}?force=true` });
    expect(deleted.statusCode, deleted.body).toBeLessThan(300);
    const tagIds = async (id: string) =>
      (await sql('select tag_ids from customers where id = $1', [id])).rows[0].tag_ids;
    expect(await tagIds(a)).toEqual([tag('VIP')]);
    expect(await tagIds(b)).toEqual([]);

    await sql('delete from customers where id = $1', [a]);
    expect(await count('has_any', ['VIP'])).toBe(0);
    expect(await inSync()).toEqual([]);
  });

  it('follows direct writes to customer_tags: inserts, updates and deletes of many rows at once', async () => {
    const { workspaceId, tag } = await setup();
    const ids = await Promise.all(
      ['一', '二', '三', '四'].map((name) => insertCustomer(context, workspaceId, { name })),
    );
    await sql(
      `insert into customer_tags (workspace_id, customer_id, tag_id)
       select $1, c, t from unnest($2::uuid[]) c cross join unnest($3::uuid[]) t`,
      [workspaceId, ids, [tag('VIP'), tag('复购')]],
    );
    expect(await inSync()).toEqual([]);
    await sql('update customer_tags set tag_id = $1 where customer_id = $2 and tag_id = $3', [
      tag('价格敏感'),
      ids[0],
      tag('VIP'),
    ]);
    await sql('delete from customer_tags where customer_id = any($1) and tag_id = $2', [ids.slice(2), tag('复购')]);
    expect(await inSync()).toEqual([]);
    // A statement that changes nothing writes no customer row.
    const before = await sql('select xmin::text as v from customers where id = $1', [ids[1]]);
    await sql('delete from customer_tags where customer_id = $1 and tag_id = $2', [ids[1], tag('价格敏感')]);
    const after = await sql('select xmin::text as v from customers where id = $1', [ids[1]]);
    expect(after.rows[0].v).toBe(before.rows[0].v);
  });
});
