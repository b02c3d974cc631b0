import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

const context = await createTestApp();

type Customer = { id: string; name: string | null };

const names = (items: Customer[]) => items.map((customer) => customer.name);

async function workspaceWithCustomers() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const zhang = await insertCustomer(context, workspaceId, {
    name: '张三丰',
    phone: '13800138000',
    email: 'Zhang.San@Example.com',
  });
  const li = await insertCustomer(context, workspaceId, { name: '李四', phone: '+86 139-1234-5678', email: null });
  const wang = await insertCustomer(context, workspaceId, { name: 'Wang Wu', phone: null, email: 'wangwu@shop.cn' });
  const percent = await insertCustomer(context, workspaceId, { name: '100%满意先生', phone: null, email: null });
  return { ...workspace, workspaceId, zhang, li, wang, percent };
}

describe('finding customers', () => {
  it('lists the newest customers first', async () => {
    const { owner } = await workspaceWithCustomers();
    const list = (await owner.get('/api/v1/customers')).json();
    expect(names(list.items)).toEqual(['100%满意先生', 'Wang Wu', '李四', '张三丰']);
    expect(list.nextCursor).toBeNull();
  });

  it('searches by name fragment, phone fragment and email, ignoring case', async () => {
    const { owner } = await workspaceWithCustomers();
    const search = async (q: string) =>
      names((await owner.get(`/api/v1/customers?q=${encodeURIComponent(q)}`)).json().items);
    expect(await search('三丰')).toEqual(['张三丰']);
    expect(await search('wang')).toEqual(['Wang Wu']);
    expect(await search('38000')).toEqual(['张三丰']);
    expect(await search('1234')).toEqual(['李四']);
    expect(await search('zhang.san@example.COM')).toEqual(['张三丰']);
    expect(await search('@shop.cn')).toEqual(['Wang Wu']);
    expect(await search('赵六')).toEqual([]);
  });

  it('treats % and _ in a search as plain characters', async () => {
    const { owner } = await workspaceWithCustomers();
    const search = async (q: string) =>
      names((await owner.get(`/api/v1/customers?q=${encodeURIComponent(q)}`)).json().items);
    expect(await search('%')).toEqual(['100%满意先生']);
    expect(await search('_')).toEqual([]);
  });

  it('ignores an empty search', async () => {
    const { owner } = await workspaceWithCustomers();
    expect((await owner.get('/api/v1/customers?q=')).json().items).toHaveLength(4);
    expect((await owner.get('/api/v1/customers?q=%20%20')).json().items).toHaveLength(4);
  });

  it('pages through every customer exactly once', async () => {
    const { owner, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    const created: string[] = [];
    for (let i = 0; i < 8; i++) created.push(await insertCustomer(context, workspaceId, { name: `客户${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (await owner.get(`/api/v1/customers?limit=3${query}`)).json();
      seen.push(...page.items.map((customer: Customer) => customer.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it('pages through search results', async () => {
    const { owner, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    for (let i = 0; i < 5; i++) await insertCustomer(context, workspaceId, { name: `会员${i}` });
    await insertCustomer(context, workspaceId, { name: '路人' });
    const first = (await owner.get('/api/v1/customers?q=会员&limit=3')).json();
    const second = (await owner.get(`/api/v1/customers?q=会员&limit=3&cursor=${first.nextCursor}`)).json();
    expect([...names(first.items), ...names(second.items)]).toEqual(['会员4', '会员3', '会员2', '会员1', '会员0']);
    expect(second.nextCursor).toBeNull();
  });

  it('gets one customer and answers 404 for an unknown one', async () => {
    const { owner, zhang } = await workspaceWithCustomers();
    const found = await owner.get(`/api/v1/customers/${zhang}`);
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({
      id: zhang,
      name: '张三丰',
      phone: '13800138000',
      email: 'Zhang.San@Example.com',
      notes: '',
    });
    const missing = await owner.get('/api/v1/customers/0190a0a0-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('customer.not_found');
  });

  it('lets an analyst read customers', async () => {
    const { zhang, addUser } = await workspaceWithCustomers();
    const analyst = await addUser('analyst');
    expect((await analyst.get(`/api/v1/customers/${zhang}`)).statusCode).toBe(200);
    expect((await analyst.get('/api/v1/customers')).json().items).toHaveLength(4);
  });
});

describe('editing customers', () => {
  const stored = async (id: string) =>
    (await context.database.pool.query('select name, phone, email, notes from customers where id = $1', [id])).rows[0];

  it('lets an agent edit contact details and notes', async () => {
    const { li, addUser } = await workspaceWithCustomers();
    const agent = await addUser('agent');
    const response = await agent.patch(`/api/v1/customers/${li}`, {
      name: '  李四（老客户）  ',
      phone: '13912345678',
      email: 'lisi@example.com',
      notes: '喜欢顺丰发货',
    });
    expect(response.statusCode).toBe(200);
    // Agents lack customers:reveal_pii: the phone they entered comes back masked.
    expect(response.json()).toMatchObject({
      name: '李四（老客户）',
      phone: '139****5678',
      email: 'lisi@example.com',
      notes: '喜欢顺丰发货',
      piiMasked: true,
    });
    expect(await stored(li)).toEqual({
      name: '李四（老客户）',
      phone: '13912345678',
      email: 'lisi@example.com',
      notes: '喜欢顺丰发货',
    });
  });

  it('changes only the fields sent, and clears a field sent as null', async () => {
    const { owner, zhang } = await workspaceWithCustomers();
    const response = await owner.patch(`/api/v1/customers/${zhang}`, { email: null });
    expect(response.statusCode).toBe(200);
    expect(await stored(zhang)).toEqual({ name: '张三丰', phone: '13800138000', email: null, notes: '' });
  });

  it('refuses a malformed phone number with details and stores nothing', async () => {
    const { owner, zhang } = await workspaceWithCustomers();
    const response = await owner.patch(`/api/v1/customers/${zhang}`, { name: '改了', phone: '打我电话' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
    expect(response.json().error.details).toEqual([expect.objectContaining({ path: '/phone' })]);
    expect((await stored(zhang)).name).toBe('张三丰');
  });

  it('refuses a malformed email and an over-long name', async () => {
    const { owner, zhang } = await workspaceWithCustomers();
    const badEmail = await owner.patch(`/api/v1/customers/${zhang}`, { email: 'not-an-email' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error.details).toEqual([expect.objectContaining({ path: '/email' })]);
    const longName = await owner.patch(`/api/v1/customers/${zhang}`, { name: '长'.repeat(101) });
    expect(longName.statusCode).toBe(400);
    expect(await stored(zhang)).toMatchObject({ name: '张三丰', email: 'Zhang.San@Example.com' });
  });

  it('refuses fields it does not know', async () => {
    const { owner, zhang } = await workspaceWithCustomers();
    const response = await owner.patch(`/api/v1/customers/${zhang}`, { name: '新名字', workspaceId: 'x', vip: true });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
    expect((await stored(zhang)).name).toBe('张三丰');
  });

  it('refuses edits by an analyst', async () => {
    const { zhang, addUser } = await workspaceWithCustomers();
    const analyst = await addUser('analyst');
    const response = await analyst.patch(`/api/v1/customers/${zhang}`, { name: '分析师改的' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.forbidden');
    expect((await stored(zhang)).name).toBe('张三丰');
  });

  it('answers 404 when editing an unknown customer', async () => {
    const { owner } = await workspaceWithCustomers();
    const response = await owner.patch('/api/v1/customers/0190a0a0-0000-7000-8000-000000000000', { name: 'x' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('customer.not_found');
  });

  it('refuses anyone signed out', async () => {
    const { zhang } = await workspaceWithCustomers();
    const response = await context.app.inject({ method: 'GET', url: `/api/v1/customers/${zhang}` });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('auth.required');
  });
});
