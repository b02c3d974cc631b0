import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer, startConversation } from '../../../test/harness.ts';
import { ERASED_MARKER } from './customer-erasure.ts';

const context = await createTestApp();
const { pool } = context.database;

const PHONE = '13912345678';
const EMAIL = 'lilei@example.com';
const ID_CARD = '11010519491231002X';
const BANK_CARD = '6222021234567890128';

const auditOf = async (workspaceId: string, action: string) =>
  (
    await pool.query('select actor_id, target_id, details from audit_log where workspace_id = $1 and action = $2', [
      workspaceId,
      action,
    ])
  ).rows;

/** 李雷: a widget chat, a full profile, a Taobao order with his buyer id, a ticket and a record merged into him. */
async function buyerWithHistory() {
  const workspace = await createWorkspace(context);
  const { owner } = workspace;
  const workspaceId = owner.workspaceId!;
  const chat = await startConversation(
    context,
    workspace.inbox.token,
    `我是李雷，电话${PHONE}，地址杭州市西湖区文三路1号`,
  );
  const customerId = chat.customerId;
  const patched = await owner.patch(`/api/v1/customers/${customerId}`, {
    name: '李雷',
    nickname: '雷雷',
    phone: PHONE,
    email: EMAIL,
    idCard: ID_CARD,
    bankCard: BANK_CARD,
    birthday: '1990-03-07',
    region: '浙江杭州',
    notes: '住西湖区文三路1号',
  });
  if (patched.statusCode !== 200) throw new Error(patched.body);
  const reply = await owner.post(`/api/v1/conversations/${chat.conversationId}/messages`, {
    content: '李雷您好，已为您登记地址',
  });
  if (reply.statusCode !== 201) throw new Error(reply.body);
  const order = await owner.post('/api/v1/orders', {
    platform: 'taobao',
    orderNo: `TB${Date.now()}`,
    status: 'paid',
    amountFen: 19900,
    customer: { phone: PHONE, buyerId: 'lilei_tb' },
  });
  if (order.statusCode !== 201) throw new Error(order.body);
  expect(order.json().order.customerId).toBe(customerId);
  const ticket = await owner.post('/api/v1/tickets', {
    subject: '李雷 退货',
    description: `电话 ${PHONE}`,
    customerId,
  });
  if (ticket.statusCode !== 201) throw new Error(ticket.body);
  const other = await insertCustomer(context, workspaceId, { name: '李雷', email: 'old-lilei@example.com' });
  const merged = await owner.post(`/api/v1/customers/${customerId}/merge`, { otherId: other });
  if (merged.statusCode !== 200) throw new Error(merged.body);
  return {
    ...workspace,
    workspaceId,
    chat,
    customerId,
    otherId: other,
    order: order.json().order as { id: string; orderNo: string; amountFen: number },
    ticketId: ticket.json().id as string,
    mergeId: merged.json().mergeId as string,
  };
}

describe('POST /api/v1/customers/:id/anonymize', () => {
  it('erases the personal data, keeps orders, tags and counts, and logs who and why without the data', async () => {
    const shop = await buyerWithHistory();
    const admin = await shop.addUser('admin');
    const erased = await admin.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: '买家来电要求删除' });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ customerId: shop.customerId, alreadyAnonymized: false });
    expect(erased.json().name).toMatch(/^已注销客户 [0-9a-f]{4}$/);

    const profile = (await shop.owner.get(`/api/v1/customers/${shop.customerId}`)).json();
    expect(profile).toMatchObject({
      name: erased.json().name,
      nickname: null,
      phone: null,
      phones: [],
      email: null,
      emails: [],
      idCard: null,
      bankCard: null,
      birthday: null,
      region: null,
      notes: '',
      customFields: {},
      orderCount: 1,
      totalSpentFen: 19900,
    });
    expect((await shop.owner.get(`/api/v1/customers/${shop.customerId}/identities`)).json().items).toEqual([]);

    for (const q of [PHONE, '李雷', EMAIL, 'lilei_tb', 'old-lilei@example.com']) {
      const found = await shop.owner.get(`/api/v1/customers?q=${encodeURIComponent(q)}`);
      expect(found.statusCode).toBe(200);
      expect(found.json().items, q).toEqual([]);
    }

    const messages = (await shop.owner.get(`/api/v1/conversations/${shop.chat.conversationId}/messages`)).json().items;
    expect(messages.length).toBeGreaterThanOrEqual(2);
    for (const message of messages) expect(message.content).toBe(ERASED_MARKER);

    const order = (await shop.owner.get(`/api/v1/orders/${shop.order.id}`)).json();
    expect(order).toMatchObject({ orderNo: shop.order.orderNo, amountFen: 19900, buyerId: null });

    const ticket = (await shop.owner.get(`/api/v1/tickets/${shop.ticketId}`)).json();
    expect(JSON.stringify(ticket)).not.toContain(PHONE);
    expect(JSON.stringify(ticket)).not.toContain('李雷');

    const merge = await pool.query('select snapshot from customer_merges where id = $1', [shop.mergeId]);
    expect(merge.rows[0].snapshot).toEqual({ erased: true });
    const undo = await shop.owner.post(`/api/v1/customer-merges/${shop.mergeId}/undo`);
    expect(undo.statusCode).toBe(409);
    expect(undo.json().error.code).toBe('customer_merge.not_undoable');
    const hidden = await pool.query('select name, email, search_email from customers where id = $1', [shop.otherId]);
    expect(hidden.rows[0]).toMatchObject({ email: null, search_email: null });
    expect(hidden.rows[0].name).toMatch(/^已注销客户/);

    const timeline = (await shop.owner.get(`/api/v1/customers/${shop.customerId}/timeline?limit=100`)).json().items;
    expect(timeline.map((entry: { kind: string }) => entry.kind)).toContain('anonymized');
    expect(timeline.map((entry: { kind: string }) => entry.kind)).toContain('profile_updated');
    for (const leaked of ['139****5678', '李雷', '浙江杭州', EMAIL])
      expect(JSON.stringify(timeline)).not.toContain(leaked);

    const [entry] = await auditOf(shop.workspaceId, 'customers.anonymized');
    expect(entry).toMatchObject({ target_id: shop.customerId, details: { reason: '买家来电要求删除', orders: 1 } });
    const audit = JSON.stringify(await auditOf(shop.workspaceId, 'customers.anonymized'));
    for (const leaked of [PHONE, '李雷', EMAIL, ID_CARD]) expect(audit).not.toContain(leaked);

    const leftovers = await pool.query(
      `select (select count(*)::int from messages where conversation_id = $1) as messages,
              (select count(*)::int from customer_identities where customer_id = $2) as identities,
              (select count(*)::int from messages where content like '%' || $3 || '%') as quoted`,
      [shop.chat.conversationId, shop.customerId, PHONE],
    );
    expect(leftovers.rows[0]).toMatchObject({ messages: messages.length, identities: 0, quoted: 0 });
  });

  it('answers 200 with alreadyAnonymized the second time and logs nothing more', async () => {
    const shop = await buyerWithHistory();
    const first = await shop.owner.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: '买家要求' });
    const second = await shop.owner.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: '再点一次' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({
      alreadyAnonymized: true,
      name: first.json().name,
      anonymizedAt: first.json().anonymizedAt,
    });
    expect(await auditOf(shop.workspaceId, 'customers.anonymized')).toHaveLength(1);
  });

  it('refuses roles below admin, a missing reason, and another workspace', async () => {
    const shop = await buyerWithHistory();
    const supervisor = await shop.addUser('supervisor');
    const refused = await supervisor.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: '买家要求' });
    expect(refused.statusCode).toBe(403);
    const blank = await shop.owner.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: ' ' });
    expect(blank.statusCode).toBe(400);
    const elsewhere = await createWorkspace(context, '别的店');
    const foreign = await elsewhere.owner.post(`/api/v1/customers/${shop.customerId}/anonymize`, {
      reason: '买家要求',
    });
    expect(foreign.statusCode).toBe(404);
    const profile = (await shop.owner.get(`/api/v1/customers/${shop.customerId}`)).json();
    expect(profile.name).toBe('李雷');
  });
});

describe('PII changes in the audit log', () => {
  it('records which contact and card fields changed, never their values', async () => {
    const workspace = await createWorkspace(context);
    const workspaceId = workspace.owner.workspaceId!;
    const customerId = await insertCustomer(context, workspaceId, { name: '韩梅梅' });
    await workspace.owner.patch(`/api/v1/customers/${customerId}`, {
      phones: [PHONE],
      idCard: ID_CARD,
      bankCard: BANK_CARD,
      region: '上海',
    });
    await workspace.owner.patch(`/api/v1/customers/${customerId}`, { notes: '只改备注' });
    const entries = await auditOf(workspaceId, 'customers.pii_updated');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ target_id: customerId, details: { fields: ['phones', 'idCard', 'bankCard'] } });
    for (const leaked of [PHONE, ID_CARD, BANK_CARD, '0128', '5678']) {
      expect(JSON.stringify(entries)).not.toContain(leaked);
    }
  });
});
