import { describe, expect, it } from 'vitest';
import {
  type Client,
  createTestApp,
  createWorkspace,
  insertCustomer,
  startConversation,
} from '../../../test/harness.ts';
import { newId } from '../../platform/ids.ts';
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

/** A customers import whose rows 2 and 4 quote 李雷's phone and email (both rejected) and row 3 someone else's. */
async function importQuotingBuyer(client: Client) {
  const file = ['姓名,手机号,邮箱', '李雷,139 1234 5678 转8,', '韩梅梅,1370000000x,', '李雷,,LiLei@Example.com 备用'];
  const uploaded = await client.request({
    method: 'POST',
    url: '/api/v1/imports?kind=customers&filename=客户.csv',
    headers: { 'content-type': 'text/csv' },
    payload: Buffer.from(`${file.join('\r\n')}\r\n`, 'utf8'),
  });
  if (uploaded.statusCode !== 201) throw new Error(uploaded.body);
  const view = uploaded.json();
  const started = await client.post(`/api/v1/imports/${view.importId}/run`, { mapping: view.suggestedMapping });
  if (started.statusCode !== 202) throw new Error(started.body);
  await context.jobs.drain();
  return view.importId as string;
}

const rejectionsOf = async (importId: string) =>
  (await pool.query('select row, reason, issues from import_rejections where import_id = $1 order by row', [importId]))
    .rows;

/** Facts and copies the writers would not put there today, written directly: the erasure must not rely on that. */
async function copiesOf(workspaceId: string, customerId: string, conversationId: string, ticketId: string) {
  const ruleId = newId();
  await pool.query(
    `insert into automation_rules (id, workspace_id, name, trigger_type, trigger, conditions, actions, webhook_secret)
     values ($1, $2, '差评提醒', 'message.created', '{}', '{}', '[]', 'secret')`,
    [ruleId, workspaceId],
  );
  await pool.query(
    `insert into automation_runs (id, workspace_id, rule_id, trigger_key, status, context, conversation_id)
     values ($1, $2, $3, $4, 'succeeded', $5, $6)`,
    [
      newId(),
      workspaceId,
      ruleId,
      `message:${newId()}`,
      { customerId, conversationId, messageId: newId(), summary: '我是李雷，地址杭州市西湖区文三路1号' },
      conversationId,
    ],
  );
  await pool.query(`insert into alerts (id, workspace_id, kind, details) values ($1, $2, 'snooze_ended', $3)`, [
    newId(),
    workspaceId,
    { conversationId, customerName: '李雷', snoozedUntil: new Date().toISOString() },
  ]);
  await pool.query(
    `insert into deliveries (id, workspace_id, kind, subject_id, payload, status)
     values ($1, $2, 'webhook', $3, $4, 'succeeded'), ($5, $2, 'webhook', $3, $6, 'pending')`,
    [
      newId(),
      workspaceId,
      newId(),
      { event: 'customer.updated', key: 'k1', data: { customer: { id: customerId, name: '李雷', phone: PHONE } } },
      newId(),
      { event: 'ticket.created', key: 'k2', data: { ticket: { id: ticketId, customerId, subject: '李雷 退货' } } },
    ],
  );
  const fact = (kind: string, dim: string, extra: object) =>
    pool.query(
      `insert into reporting_events (id, workspace_id, occurred_at, kind, fact_key, conversation_id, ticket_id,
         customer_id, dim, extra) values ($1, $2, now() - interval '3 days', $3, $4, $5, $6, $7, $8, $9)`,
      [newId(), workspaceId, kind, newId(), conversationId, ticketId, customerId, dim, extra],
    );
  await fact('ticket_created', 'inquiry', { severity: 'urgent', customerName: '李雷', phone: PHONE });
  await fact('complaint_keyword', '文三路', {});
  await pool.query(
    `insert into reporting_rollup_days (workspace_id, day)
     values ($1, ((now() - interval '3 days') at time zone 'Asia/Shanghai')::date)`,
    [workspaceId],
  );
}

const copiesText = async (workspaceId: string) =>
  JSON.stringify(
    (
      await pool.query(
        `select (select jsonb_agg(context) from automation_runs where workspace_id = $1) as runs,
                (select jsonb_agg(details) from alerts where workspace_id = $1) as alerts,
                (select jsonb_agg(payload) from deliveries where workspace_id = $1 and kind = 'webhook'
                   and payload->>'key' in ('k1', 'k2')) as deliveries,
                (select jsonb_agg(jsonb_build_object('kind', kind, 'dim', dim, 'extra', extra))
                   from reporting_events where workspace_id = $1) as facts`,
        [workspaceId],
      )
    ).rows[0],
  );

describe('erasure of the copies outside the profile', () => {
  it('blanks rejected import rows, ticket history, reporting facts, webhook payloads, run excerpts and notifications', async () => {
    const shop = await buyerWithHistory();
    const elsewhere = await createWorkspace(context, '别的店');
    const [importId, foreignImportId] = [
      await importQuotingBuyer(shop.owner),
      await importQuotingBuyer(elsewhere.owner),
    ];
    expect((await rejectionsOf(importId)).map((r) => r.row)).toEqual([2, 3, 4]);
    const renamed = await shop.owner.patch(`/api/v1/tickets/${shop.ticketId}`, { subject: `李雷 ${PHONE} 换货` });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await copiesOf(shop.workspaceId, shop.customerId, shop.chat.conversationId, shop.ticketId);
    // The same ids in another workspace: only the workspace scope tells them apart.
    await copiesOf(elsewhere.owner.workspaceId!, shop.customerId, shop.chat.conversationId, shop.ticketId);
    const foreignCopies = await copiesText(elsewhere.owner.workspaceId!);
    expect(foreignCopies).toContain('文三路');

    const erased = await shop.owner.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: '买家要求' });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().kept).toEqual([
      'orders',
      'tags',
      'statistics',
      'audit_log',
      'working_files',
      'sent_elsewhere',
    ]);

    const [phoneRow, otherRow, emailRow] = await rejectionsOf(importId);
    expect(phoneRow).toMatchObject({
      row: 2,
      issues: [{ code: 'import.phone_invalid', params: { value: '［已删除］' } }],
    });
    expect(phoneRow.reason).toBe('手机号格式不正确：［已删除］');
    expect(emailRow.row).toBe(4);
    expect(emailRow.issues.map((issue: { code: string }) => issue.code)).toContain('import.email_invalid');
    expect(otherRow.reason).toBe('手机号格式不正确：1370000000x');
    const sample = await pool.query('select sample_rows from imports where id = $1', [importId]);
    expect(sample.rows[0].sample_rows).toEqual([
      ['', '', ''],
      ['韩梅梅', '1370000000x', ''],
      ['', '', ''],
    ]);
    const foreign = await rejectionsOf(foreignImportId);
    expect(foreign[0].reason).toBe('手机号格式不正确：139 1234 5678 转8');
    expect(JSON.stringify(foreign)).toContain('LiLei@Example.com');

    const history = await pool.query('select kind, body, data from ticket_events where ticket_id = $1', [
      shop.ticketId,
    ]);
    expect(history.rows.map((event) => event.kind)).toContain('field_changed');
    expect(JSON.stringify(history.rows)).not.toMatch(/李雷|13912345678/);

    const copies = await copiesText(shop.workspaceId);
    for (const leaked of ['李雷', PHONE, '文三路']) expect(copies).not.toContain(leaked);
    const facts = await pool.query('select kind, extra from reporting_events where workspace_id = $1', [
      shop.workspaceId,
    ]);
    expect(facts.rows).toContainEqual({ kind: 'ticket_created', extra: { severity: 'urgent' } });
    expect(facts.rows.map((fact) => fact.kind)).not.toContain('complaint_keyword');
    const rolledUp = await pool.query('select count(*)::int as n from reporting_rollup_days where workspace_id = $1', [
      shop.workspaceId,
    ]);
    expect(rolledUp.rows[0].n).toBe(0);
    expect(copies).toContain(erased.json().name);
    expect(await copiesText(elsewhere.owner.workspaceId!)).toBe(foreignCopies);
    const foreignRollups = await pool.query(
      'select count(*)::int as n from reporting_rollup_days where workspace_id = $1',
      [elsewhere.owner.workspaceId],
    );
    expect(foreignRollups.rows[0].n).toBe(1);

    const search = await pool.query(
      'select search_name, search_text, search_pinyin, search_phones, search_emails from customers where id = $1',
      [shop.customerId],
    );
    expect(JSON.stringify(search.rows[0])).not.toMatch(/李雷|lilei|13912345678|example/);

    const [entry] = await auditOf(shop.workspaceId, 'customers.anonymized');
    expect(entry.details).toMatchObject({
      importRejections: 2,
      reportingEvents: 1,
      webhookDeliveries: 2,
      automationRuns: 1,
      kept: ['orders', 'tags', 'statistics', 'audit_log', 'working_files', 'sent_elsewhere'],
    });
    const again = await shop.owner.post(`/api/v1/customers/${shop.customerId}/anonymize`, { reason: '再点一次' });
    expect(again.json()).toMatchObject({ alreadyAnonymized: true });
    expect(await rejectionsOf(importId)).toEqual([phoneRow, otherRow, emailRow]);
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
