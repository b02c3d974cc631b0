import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer, startConversation } from '../../../test/harness.ts';
import { newId } from '../../platform/ids.ts';
import { refreshCustomerValue } from '../orders/index.ts';
import { recordCustomerEvent, resolveCustomerByContact } from './index.ts';

const context = await createTestApp();
const { pool } = context.database;

const ID_CARD = '11010519491231002X';

async function insertTag(workspaceId: string, groupName: string, selection: 'single' | 'multi', name: string) {
  const existing = await pool.query('select id from tag_groups where workspace_id = $1 and name = $2', [
    workspaceId,
    groupName,
  ]);
  const groupId = existing.rows[0]?.id ?? newId();
  if (!existing.rows[0]) {
    await pool.query(
      `insert into tag_groups (id, workspace_id, name, kind, selection) values ($1, $2, $3, 'custom', $4)`,
      [groupId, workspaceId, groupName, selection],
    );
  }
  const id = newId();
  await pool.query(`insert into tags (id, workspace_id, group_id, name, color) values ($1, $2, $3, $4, '#1677ff')`, [
    id,
    workspaceId,
    groupId,
    name,
  ]);
  return id;
}

const tagCustomer = (workspaceId: string, customerId: string, tagId: string) =>
  pool.query('insert into customer_tags (workspace_id, customer_id, tag_id) values ($1, $2, $3)', [
    workspaceId,
    customerId,
    tagId,
  ]);

async function insertOrder(workspaceId: string, customerId: string, orderNo: string) {
  const id = newId();
  await pool.query(
    `insert into orders (id, workspace_id, customer_id, platform, order_no, status, amount_fen, placed_at)
     values ($1, $2, $3, 'taobao', $4, 'paid', 19900, now())`,
    [id, workspaceId, customerId, orderNo],
  );
  // Like an order stored through the orders module: the customer's count, spend and stage follow.
  await refreshCustomerValue(context.database.db, workspaceId, [customerId]);
  return id;
}

/** Two records of the same buyer: 张三 (the one agents worked with) and the visitor record with more details. */
async function twoRecordsOfOneBuyer() {
  const workspace = await createWorkspace(context);
  const { owner } = workspace;
  const workspaceId = owner.workspaceId!;
  const survivor = await insertCustomer(context, workspaceId, { name: '张三', phone: '13800138000' });
  await owner.patch(`/api/v1/customers/${survivor}`, { region: '浙江杭州', notes: '老客户' });
  const chat = await startConversation(context, workspace.inbox.token, '我的快递到哪了？');
  const other = chat.customerId;
  await owner.patch(`/api/v1/customers/${other}`, {
    nickname: '三哥',
    phone: '13900139000',
    phones: ['13800138000'],
    email: 'zhangsan@example.com',
    gender: 'male',
    region: '浙江杭州',
    idCard: ID_CARD,
  });
  await resolveCustomerByContact(context.database.db, workspaceId, {
    platform: 'taobao',
    buyerId: 'tb_zhangsan',
    phone: '13900139000',
  });
  const vip = await insertTag(workspaceId, '会员', 'multi', 'VIP');
  const complainer = await insertTag(workspaceId, '会员', 'multi', '爱投诉');
  const statusNew = await insertTag(workspaceId, '状态', 'single', '新客');
  const statusOld = await insertTag(workspaceId, '状态', 'single', '老客');
  await tagCustomer(workspaceId, survivor, vip);
  await tagCustomer(workspaceId, survivor, statusOld);
  await tagCustomer(workspaceId, other, vip);
  await tagCustomer(workspaceId, other, complainer);
  await tagCustomer(workspaceId, other, statusNew);
  const order = await insertOrder(workspaceId, other, 'TB20240001');
  const ticket = await owner.post('/api/v1/tickets', { subject: '物流查询', conversationId: chat.conversationId });
  expect(ticket.json().customerId).toBe(other);
  await recordCustomerEvent(context.database.db, {
    workspaceId,
    customerId: other,
    kind: 'order_created',
    actorId: null,
    details: { orderNo: 'TB20240001' },
  });
  return {
    ...workspace,
    workspaceId,
    survivor,
    other,
    chat,
    order,
    ticket: ticket.json().id as string,
    tags: { vip, complainer, statusNew, statusOld },
  };
}

const rowsOf = async (table: string, customerId: string, column = 'id') =>
  (
    await pool.query(`select ${column} as value from ${table} where customer_id = $1 order by ${column}`, [customerId])
  ).rows.map((row) => row.value);

/** Everything about a customer that a merge touches, for before/after comparisons. */
async function stateOf(customerId: string) {
  const row = (await pool.query('select to_jsonb(c) as row from customers c where id = $1', [customerId])).rows[0].row;
  delete row.updated_at;
  return {
    row,
    conversations: await rowsOf('conversations', customerId),
    identities: await rowsOf('customer_identities', customerId),
    orders: await rowsOf('orders', customerId),
    tickets: await rowsOf('tickets', customerId),
    tags: await rowsOf('customer_tags', customerId, 'tag_id'),
    events: await rowsOf('customer_events', customerId),
  };
}

describe('finding duplicates', () => {
  it('finds records sharing a phone or email, or with a similar name in the same region', async () => {
    const { owner, workspaceId, survivor, other } = await twoRecordsOfOneBuyer();
    const sameEmail = await insertCustomer(context, workspaceId, { name: '路人甲', email: 'ZhangSan@Example.com' });
    const similar = await insertCustomer(context, workspaceId, { name: '张三丰' });
    await pool.query(`update customers set region = '浙江杭州' where id = $1`, [similar]);
    const elsewhere = await insertCustomer(context, workspaceId, { name: '张三丰' });
    await pool.query(`update customers set region = '北京' where id = $1`, [elsewhere]);
    await insertCustomer(context, workspaceId, { name: '李四', phone: '13700137000' });

    const duplicatesOf = async (id: string) => {
      const response = await owner.get(`/api/v1/customers/${id}/duplicates`);
      expect(response.statusCode, response.body).toBe(200);
      return Object.fromEntries(
        response.json().items.map((d: { customer: { id: string }; reasons: string[] }) => [d.customer.id, d.reasons]),
      );
    };
    // The visitor record has no name: found by its other phone and its email.
    expect(await duplicatesOf(other)).toEqual({ [survivor]: ['phone'], [sameEmail]: ['email'] });
    // 张三 in 杭州: the same phone, and 张三丰 in 杭州 (not the one in 北京).
    expect(await duplicatesOf(survivor)).toEqual({ [other]: ['phone'], [similar]: ['similar_name'] });
    expect((await duplicatesOf(elsewhere))[similar]).toBeUndefined();
  });

  it('finds records by other emails, a shared platform buyer id and the same name in traditional characters', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const workspaceId = owner.workspaceId!;
    const me = await insertCustomer(context, workspaceId, { name: '陈静', email: 'chen@shop.cn' });
    await owner.patch(`/api/v1/customers/${me}`, { region: '广东省广州市', emails: ['JING@mail.cn'] });
    const otherEmail = await insertCustomer(context, workspaceId, { name: '顾客甲' });
    await owner.patch(`/api/v1/customers/${otherEmail}`, { emails: ['jing@MAIL.cn'] });
    const traditional = await insertCustomer(context, workspaceId, { name: '陳靜' });
    const longer = await insertCustomer(context, workspaceId, { name: '陈静怡' });
    const notAlike = await insertCustomer(context, workspaceId, { name: '陈丽' });
    await pool.query(`update customers set region = '广东省广州市' where id = any($1)`, [
      [traditional, longer, notAlike],
    ]);
    const buyer = await insertCustomer(context, workspaceId, { name: '买家乙' });
    for (const customerId of [me, buyer]) {
      await pool.query(
        `insert into customer_identities (id, workspace_id, inbox_id, customer_id, kind, external_id)
         values ($1, $2, $3, $4, 'platform_buyer', 'taobao:tb_chen')`,
        [newId(), workspaceId, customerId === me ? null : inbox.id, customerId],
      );
    }

    const response = await owner.get(`/api/v1/customers/${me}/duplicates`);
    expect(response.statusCode, response.body).toBe(200);
    const found = Object.fromEntries(
      response
        .json()
        .items.map((d: { customer: { id: string }; reasons: string[]; similarity: number }) => [
          d.customer.id,
          [d.reasons, Math.round(d.similarity * 100) / 100],
        ]),
    );
    expect(found).toEqual({
      [otherEmail]: [['email'], 0],
      [buyer]: [['platform_buyer'], 0],
      [traditional]: [['similar_name'], 1],
      [longer]: [['similar_name'], 0.6],
    });
  });

  it('lists candidate pairs across the workspace, page by page', async () => {
    const { owner, workspaceId, survivor, other } = await twoRecordsOfOneBuyer();
    const a = await insertCustomer(context, workspaceId, { name: '王五', email: 'wang@shop.cn' });
    const b = await insertCustomer(context, workspaceId, { name: '王五五', email: 'WANG@shop.cn' });
    const first = (await owner.get('/api/v1/customers/duplicates?limit=1')).json();
    expect(first.items).toHaveLength(1);
    const secondResponse = await owner.get(`/api/v1/customers/duplicates?limit=5&cursor=${first.nextCursor}`);
    expect(secondResponse.statusCode, secondResponse.body).toBe(200);
    const second = secondResponse.json();
    const pairs = [...first.items, ...second.items].map(
      (p: { a: { id: string }; b: { id: string }; reasons: string[] }) => [[p.a.id, p.b.id].sort().join(), p.reasons],
    );
    expect(Object.fromEntries(pairs)).toEqual({
      [[survivor, other].sort().join()]: ['phone'],
      [[a, b].sort().join()]: ['email'],
    });
    expect(second.nextCursor).toBeNull();
  });

  it('lists records with the same name in the same region as pairs, not those elsewhere', async () => {
    const { owner } = await createWorkspace(context);
    const workspaceId = owner.workspaceId!;
    const [first, second, elsewhere] = [
      await insertCustomer(context, workspaceId, { name: '赵敏' }),
      await insertCustomer(context, workspaceId, { name: '趙敏' }),
      await insertCustomer(context, workspaceId, { name: '赵敏' }),
    ];
    await pool.query(`update customers set region = '上海市' where id = any($1)`, [[first, second]]);
    await pool.query(`update customers set region = '北京市' where id = $1`, [elsewhere]);
    const response = await owner.get('/api/v1/customers/duplicates');
    expect(response.statusCode, response.body).toBe(200);
    expect(
      response
        .json()
        .items.map((p: { a: { id: string }; b: { id: string }; reasons: string[]; similarity: number }) => [
          p.a.id,
          p.b.id,
          p.reasons,
          p.similarity,
        ]),
    ).toEqual([[first, second, ['similar_name'], 1]]);
  });

  it('examines a bounded number of customers per page and continues where it stopped', async () => {
    const { owner } = await createWorkspace(context);
    const workspaceId = owner.workspaceId!;
    const older = await insertCustomer(context, workspaceId, { phone: '13600136000' });
    const newer = await insertCustomer(context, workspaceId, { phone: '13600136000' });
    await pool.query(
      // Ids from the app's uuidv7, newer than the pair's (PostgreSQL 15 has no uuidv7()).
      `insert into customers (id, workspace_id, name) select id, $1, '顾客' || i from unnest($2::uuid[]) with ordinality as t(id, i)`,
      [workspaceId, Array.from({ length: 2000 }, newId)],
    );
    const first = (await owner.get('/api/v1/customers/duplicates?limit=5')).json();
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await owner.get(`/api/v1/customers/duplicates?limit=5&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((p: { a: { id: string }; b: { id: string } }) => [p.a.id, p.b.id])).toEqual([
      [older, newer],
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not hand out', async () => {
    const { owner } = await createWorkspace(context);
    const cursor = Buffer.from(JSON.stringify([20])).toString('base64url');
    const response = await owner.get(`/api/v1/customers/duplicates?cursor=${cursor}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
  });
});

describe('merging two customers', () => {
  it('previews what the merged record keeps and what moves, changing nothing', async () => {
    const { owner, survivor, other } = await twoRecordsOfOneBuyer();
    const before = [await stateOf(survivor), await stateOf(other)];
    const response = await owner.post(`/api/v1/customers/${survivor}/merge/preview`, { otherId: other });
    expect(response.statusCode, response.body).toBe(200);
    const preview = response.json();
    expect(preview.result).toMatchObject({
      id: survivor,
      name: '张三',
      nickname: '三哥',
      phone: '13800138000',
      phones: ['13900139000'],
      email: 'zhangsan@example.com',
      gender: 'male',
      region: '浙江杭州',
      notes: '老客户',
      idCard: '110105********002X',
    });
    expect(preview.fields).toEqual(
      expect.arrayContaining([
        { field: 'name', survivor: '张三', other: null, kept: 'survivor' },
        { field: 'nickname', survivor: null, other: '三哥', kept: 'other' },
        { field: 'idCard', survivor: null, other: '110105********002X', kept: 'other' },
      ]),
    );
    // VIP is on both and 新客 would be a second 状态 tag: only 爱投诉 moves. Events: the order, its stage change
    // (潜在 → 新客) and the visitor's first contact.
    expect(preview.moves).toEqual({ conversations: 1, identities: 2, orders: 1, tags: 1, events: 3, tickets: 1 });
    expect([await stateOf(survivor), await stateOf(other)]).toEqual(before);
  });

  it('merges in one go, hides the other record, and undo restores both exactly', async () => {
    const { owner, workspaceId, survivor, other, chat, order, ticket, tags } = await twoRecordsOfOneBuyer();
    const before = { survivor: await stateOf(survivor), other: await stateOf(other) };

    const merged = await owner.post(`/api/v1/customers/${survivor}/merge`, {
      otherId: other,
      fieldChoices: { phone: 'other' },
    });
    expect(merged.statusCode, merged.body).toBe(200);
    const { mergeId, customer, moves } = merged.json();
    expect(moves).toEqual({ conversations: 1, identities: 2, orders: 1, tags: 1, events: 3, tickets: 1 });
    expect(customer).toMatchObject({ phone: '13900139000', phones: ['13800138000'], nickname: '三哥' });

    const after = await stateOf(survivor);
    expect(after.conversations).toEqual([chat.conversationId]);
    expect(after.orders).toEqual([order]);
    expect(after.tickets).toEqual([ticket]);
    expect(after.identities).toHaveLength(2);
    expect(after.tags.sort()).toEqual([tags.vip, tags.complainer, tags.statusOld].sort());
    expect((await stateOf(other)).row.merged_into_id).toBe(survivor);
    const hidden = await owner.get(`/api/v1/customers/${other}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.details).toEqual({ mergedInto: survivor });
    const timeline = (await owner.get(`/api/v1/customers/${survivor}/timeline`)).json().items;
    // The newest entries: the merge, and the stage change the moved order caused (潜在 → 新客).
    expect(timeline.slice(0, 2)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'lifecycle.changed', details: { from: 'prospect', to: 'new' } }),
        expect.objectContaining({ kind: 'merged', details: expect.objectContaining({ mergeId, otherId: other }) }),
      ]),
    );
    expect(timeline.map((i: { kind: string }) => i.kind)).toContain('order_created');
    const audit = await pool.query(
      `select action, details from audit_log where workspace_id = $1 and action like 'customers.merge%'`,
      [workspaceId],
    );
    expect(audit.rows).toEqual([
      { action: 'customers.merged', details: expect.objectContaining({ mergeId, mergedId: other }) },
    ]);

    const undone = await owner.post(`/api/v1/customer-merges/${mergeId}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect(undone.json().restored.id).toBe(other);

    const restored = { survivor: await stateOf(survivor), other: await stateOf(other) };
    const withoutUndoEvents = (state: Awaited<ReturnType<typeof stateOf>>, exclude: string[]) => ({
      ...state,
      events: state.events.filter((id) => !exclude.includes(id)),
    });
    // The merge and the undo add their own entries, and the stage changes the moved order caused.
    const known = [...before.survivor.events, ...before.other.events];
    const added = (
      await pool.query(
        `select id from customer_events
          where kind in ('merged', 'merge_undone', 'lifecycle.changed') and not (id = any($1::uuid[]))`,
        [known],
      )
    ).rows.map((row) => row.id);
    expect(withoutUndoEvents(restored.survivor, added)).toEqual(before.survivor);
    expect(withoutUndoEvents(restored.other, added)).toEqual(before.other);
    expect((await owner.get(`/api/v1/customers/${other}`)).statusCode).toBe(200);

    const again = await owner.post(`/api/v1/customer-merges/${mergeId}/undo`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('customer_merge.already_undone');
  });

  it('refuses to undo once the merged profile was edited, naming the fields', async () => {
    const { owner, survivor, other } = await twoRecordsOfOneBuyer();
    const { mergeId } = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    await owner.patch(`/api/v1/customers/${survivor}`, { region: '上海' });
    const response = await owner.post(`/api/v1/customer-merges/${mergeId}/undo`);
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({
      code: 'customer_merge.not_undoable',
      details: { fields: ['region'] },
    });
    expect((await stateOf(other)).row.merged_into_id).toBe(survivor);
  });

  it('keeps a marketing opt-out of either record on the merged one, and undo gives each its own again', async () => {
    const { owner, survivor, other } = await twoRecordsOfOneBuyer();
    await pool.query(`update customers set marketing_opt_out_at = '2026-11-01T02:00:00Z' where id = $1`, [other]);
    const merged = await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().customer.marketingOptOutAt).toBe('2026-11-01T02:00:00.000Z');
    const undone = await owner.post(`/api/v1/customer-merges/${merged.json().mergeId}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect((await owner.get(`/api/v1/customers/${survivor}`)).json().marketingOptOutAt).toBeNull();
    expect((await owner.get(`/api/v1/customers/${other}`)).json().marketingOptOutAt).toBe('2026-11-01T02:00:00.000Z');
  });

  it('keeps a 退订 recorded after the merge on both records when the merge is undone', async () => {
    const { owner, workspaceId, survivor, other } = await twoRecordsOfOneBuyer();
    const { mergeId } = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    const optedOut = await owner.patch(`/api/v1/customers/${survivor}`, { marketingOptOut: true });
    expect(optedOut.statusCode, optedOut.body).toBe(200);
    const at = optedOut.json().marketingOptOutAt;
    expect(at).not.toBeNull();

    const undone = await owner.post(`/api/v1/customer-merges/${mergeId}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect((await owner.get(`/api/v1/customers/${survivor}`)).json().marketingOptOutAt).toBe(at);
    expect((await owner.get(`/api/v1/customers/${other}`)).json().marketingOptOutAt).toBe(at);
    const audit = await pool.query(
      `select details from audit_log where workspace_id = $1 and action = 'customers.merge_undone'`,
      [workspaceId],
    );
    expect(audit.rows[0].details).toMatchObject({ mergeId, keptMarketingOptOut: true });
  });

  it('keeps the earlier 退订 a record had before the merge when another one came after it', async () => {
    const { owner, survivor, other } = await twoRecordsOfOneBuyer();
    await pool.query(`update customers set marketing_opt_out_at = '2026-11-01T02:00:00Z' where id = $1`, [other]);
    const { mergeId } = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    // Subscribed again, then 退订 again: a new opt-out after the merge.
    await owner.patch(`/api/v1/customers/${survivor}`, { marketingOptOut: false });
    const again = (await owner.patch(`/api/v1/customers/${survivor}`, { marketingOptOut: true })).json();

    expect((await owner.post(`/api/v1/customer-merges/${mergeId}/undo`)).statusCode).toBe(200);
    expect((await owner.get(`/api/v1/customers/${survivor}`)).json().marketingOptOutAt).toBe(again.marketingOptOutAt);
    expect((await owner.get(`/api/v1/customers/${other}`)).json().marketingOptOutAt).toBe('2026-11-01T02:00:00.000Z');
  });

  it('refuses to undo once a contact was confirmed on the merged record, naming it', async () => {
    const { owner, survivor, other } = await twoRecordsOfOneBuyer();
    await pool.query(`update customers set unverified_contacts = '{email}' where id = $1`, [other]);
    const { mergeId } = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    await pool.query(`update customers set unverified_contacts = '{}' where id = $1`, [survivor]);
    const response = await owner.post(`/api/v1/customer-merges/${mergeId}/undo`);
    expect(response.statusCode).toBe(409);
    expect(response.json().error.details).toEqual({ fields: ['unverifiedContacts'] });
  });

  it('refuses to undo while the survivor is itself merged into a third record', async () => {
    const { owner, workspaceId, survivor, other } = await twoRecordsOfOneBuyer();
    const third = await insertCustomer(context, workspaceId, { name: '张三（新）' });
    const first = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    const second = (await owner.post(`/api/v1/customers/${third}/merge`, { otherId: survivor })).json();
    const blocked = await owner.post(`/api/v1/customer-merges/${first.mergeId}/undo`);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.code).toBe('customer_merge.not_undoable');
    expect((await owner.post(`/api/v1/customer-merges/${second.mergeId}/undo`)).statusCode).toBe(200);
    expect((await owner.post(`/api/v1/customer-merges/${first.mergeId}/undo`)).statusCode).toBe(200);
  });

  it('refuses agents, self-merges, merged-away records and unknown merges', async () => {
    const { owner, addUser, workspaceId, survivor, other } = await twoRecordsOfOneBuyer();
    const agent = await addUser('agent');
    for (const url of [`/api/v1/customers/${survivor}/merge`, `/api/v1/customers/${survivor}/merge/preview`]) {
      const refused = await agent.post(url, { otherId: other });
      expect(refused.statusCode).toBe(403);
    }
    expect((await stateOf(other)).row.merged_into_id).toBeNull();
    const self = await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: survivor });
    expect(self.statusCode).toBe(400);
    const missingBody = await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: 'x' });
    expect(missingBody.statusCode).toBe(400);
    const badChoice = await owner.post(`/api/v1/customers/${survivor}/merge`, {
      otherId: other,
      fieldChoices: { tags: 'other' },
    });
    expect(badChoice.statusCode).toBe(400);

    const { mergeId } = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    const third = await insertCustomer(context, workspaceId, { name: '第三人' });
    const intoMerged = await owner.post(`/api/v1/customers/${third}/merge`, { otherId: other });
    expect(intoMerged.statusCode).toBe(404);
    expect((await agent.post(`/api/v1/customer-merges/${mergeId}/undo`)).statusCode).toBe(403);
    const unknown = await owner.post('/api/v1/customer-merges/0190a0a0-0000-7000-8000-000000000000/undo');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('customer_merge.not_found');
  });
});

describe('order value across a merge', () => {
  it("adds the other record's orders to the survivor's count, spend and stage, and undo gives them back", async () => {
    const { owner, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    const survivor = await insertCustomer(context, workspaceId, { name: '李雷' });
    const other = await insertCustomer(context, workspaceId, { name: '李雷（淘宝）' });
    for (const [orderNo, amountFen] of [
      ['TB-V-1', 12_900],
      ['TB-V-2', 30_000],
    ] as const) {
      const response = await owner.post('/api/v1/orders', {
        platform: 'taobao',
        orderNo,
        status: 'paid',
        amountFen,
        items: [{ productName: '围巾', quantity: 1, priceFen: amountFen }],
        paidAt: new Date().toISOString(),
        customer: { customerId: other },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    const customerValue = async (id: string) =>
      (
        await pool.query(
          `select order_count, total_spent_fen::int as total, rfm_f, rfm_tier, lifecycle_stage
             from customers where id = $1`,
          [id],
        )
      ).rows[0];
    const otherBefore = await customerValue(other);
    expect(otherBefore).toMatchObject({ order_count: 2, total: 42_900, lifecycle_stage: 'new' });
    expect(await customerValue(survivor)).toMatchObject({
      order_count: 0,
      total: 0,
      rfm_tier: null,
      lifecycle_stage: 'prospect',
    });

    const merged = await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().customer).toMatchObject({ orderCount: 2, totalSpentFen: 42_900, lifecycleStage: 'new' });
    expect(await customerValue(survivor)).toEqual(otherBefore);
    expect(await customerValue(other)).toMatchObject({ order_count: 0, total: 0, lifecycle_stage: 'prospect' });
    const shown = (await owner.get(`/api/v1/customers/${survivor}`)).json();
    expect(shown).toMatchObject({ orderCount: 2, totalSpentFen: 42_900, rfmTier: otherBefore.rfm_tier });

    const undone = await owner.post(`/api/v1/customer-merges/${merged.json().mergeId}/undo`);
    expect(undone.statusCode, undone.body).toBe(200);
    expect(await customerValue(other)).toEqual(otherBefore);
    expect(await customerValue(survivor)).toMatchObject({
      order_count: 0,
      total: 0,
      rfm_tier: null,
      lifecycle_stage: 'prospect',
    });
    expect(undone.json().survivor).toMatchObject({ orderCount: 0, totalSpentFen: 0, lifecycleStage: 'prospect' });
  });

  it('counts an order that arrived after the merge for the record it belongs to after undo', async () => {
    const { owner, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    const survivor = await insertCustomer(context, workspaceId, { name: '韩梅梅' });
    const other = await insertCustomer(context, workspaceId, { name: '韩梅梅（京东）' });
    const order = (orderNo: string, customerId: string) => ({
      platform: 'jd',
      orderNo,
      status: 'paid',
      amountFen: 5_000,
      items: [{ productName: '手套', quantity: 1, priceFen: 5_000 }],
      paidAt: new Date().toISOString(),
      customer: { customerId },
    });
    expect((await owner.post('/api/v1/orders', order('JD-V-1', other))).statusCode).toBe(201);
    const { mergeId } = (await owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other })).json();
    expect((await owner.post('/api/v1/orders', order('JD-V-2', survivor))).statusCode).toBe(201);

    expect((await owner.post(`/api/v1/customer-merges/${mergeId}/undo`)).statusCode).toBe(200);
    const counts = await pool.query(
      'select id, order_count, total_spent_fen::int as total from customers where id = any($1::uuid[])',
      [[survivor, other]],
    );
    expect(Object.fromEntries(counts.rows.map((row) => [row.id, [row.order_count, row.total]]))).toEqual({
      [survivor]: [1, 5_000],
      [other]: [1, 5_000],
    });
  });
});
