import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer, startConversation } from '../../../test/harness.ts';
import { recordCustomerEvent, resolveCustomerByContact } from './index.ts';

const context = await createTestApp();
const { pool } = context.database;

async function shop() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const customerId = await insertCustomer(context, workspaceId, { name: '王小明', phone: '13800138000' });
  return { ...workspace, workspaceId, customerId };
}

const eventsOf = async (customerId: string) =>
  (
    await pool.query('select kind, actor_id, details from customer_events where customer_id = $1 order by id', [
      customerId,
    ])
  ).rows;

describe('editing a profile', () => {
  it('edits every identity field and answers the whole profile', async () => {
    const { owner, customerId } = await shop();
    const response = await owner.patch(`/api/v1/customers/${customerId}`, {
      nickname: '小明同学',
      phone: '+86 139-1234-5678',
      phones: ['0571-88888888', '02012345678', '13912345678'],
      email: 'ming@example.com',
      emails: ['Ming@Work.cn', 'ming@work.cn'],
      gender: 'male',
      birthday: '1990-03-07',
      region: '浙江杭州',
      source: 'taobao',
      campaign: '双11',
      ownerId: owner.userId,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      name: '王小明',
      nickname: '小明同学',
      phone: '13912345678',
      // The main phone is not repeated among the others; landlines keep their area code.
      phones: ['0571-88888888', '020-12345678'],
      email: 'ming@example.com',
      // One address once (case-insensitively); the domain is stored lower-case, the local part as typed.
      emails: ['Ming@work.cn'],
      gender: 'male',
      birthday: '1990-03-07',
      region: '浙江杭州',
      source: 'taobao',
      campaign: '双11',
      ownerId: owner.userId,
      piiMasked: false,
      lifecycleStage: 'prospect',
    });
    expect(response.json().profileUpdatedAt).not.toBeNull();
    const again = (await owner.get(`/api/v1/customers/${customerId}`)).json();
    expect(again).toEqual(response.json());
  });

  it('records who changed which fields, old → new, with phones masked', async () => {
    const { owner, customerId } = await shop();
    await owner.patch(`/api/v1/customers/${customerId}`, { phone: '13912345678', region: '上海', notes: '老客户' });
    const events = await eventsOf(customerId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'profile_updated', actor_id: owner.userId });
    expect(events[0].details.changes).toEqual(
      expect.arrayContaining([
        { field: 'phone', from: '138****8000', to: '139****5678' },
        { field: 'region', from: null, to: '上海' },
        { field: 'notes', from: '', to: '老客户' },
      ]),
    );
    expect(events[0].details.changes).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain('13912345678');
  });

  it('records nothing and keeps the update time when nothing changes', async () => {
    const { owner, customerId } = await shop();
    const response = await owner.patch(`/api/v1/customers/${customerId}`, { name: '王小明', phone: '13800138000' });
    expect(response.statusCode).toBe(200);
    expect(response.json().profileUpdatedAt).toBeNull();
    expect(await eventsOf(customerId)).toEqual([]);
  });

  it.each([
    [{ phone: '1234' }, '/phone'],
    [{ phone: '12812345678' }, '/phone'],
    [{ phones: ['13812345678', '打我电话'] }, '/phones/1'],
    [{ email: 'not-an-email' }, '/email'],
    [{ emails: ['a@b.cn', 'nope'] }, '/emails/1'],
    [{ birthday: '1990-02-30' }, '/birthday'],
    [{ birthday: '1990/02/03' }, '/birthday'],
    [{ birthday: '2999-01-01' }, '/birthday'],
    [{ gender: 'other' }, '/gender'],
    [{ idCard: '110105194912310021' }, '/idCard'],
    [{ bankCard: '6222021234567890123' }, '/bankCard'],
    [{ ownerId: 'nobody' }, '/ownerId'],
  ])('refuses %j with a 400 naming the field, and stores nothing', async (body, path) => {
    const { owner, customerId } = await shop();
    const response = await owner.patch(`/api/v1/customers/${customerId}`, { name: '改了', ...body });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
    expect(response.json().error.details).toEqual([expect.objectContaining({ path })]);
    expect((await pool.query('select name from customers where id = $1', [customerId])).rows[0].name).toBe('王小明');
    expect(await eventsOf(customerId)).toEqual([]);
  });

  it('refuses an owner from another workspace', async () => {
    const { owner, customerId } = await shop();
    const other = await createWorkspace(context);
    const response = await owner.patch(`/api/v1/customers/${customerId}`, { ownerId: other.owner.userId });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('负责人不存在');
  });

  it('hides a customer merged away: 404 saying where it went', async () => {
    const { owner, workspaceId, customerId } = await shop();
    const survivor = await insertCustomer(context, workspaceId, { name: '王小明' });
    await pool.query('update customers set merged_into_id = $1 where id = $2', [survivor, customerId]);
    const response = await owner.get(`/api/v1/customers/${customerId}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'customer.not_found', details: { mergedInto: survivor } });
    expect((await owner.patch(`/api/v1/customers/${customerId}`, { name: 'x' })).statusCode).toBe(404);
    const list = (await owner.get('/api/v1/customers')).json();
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(customerId);
  });
});

describe('saving from a stale read (ETag / If-Match)', () => {
  const patchIfMatch = (client: Awaited<ReturnType<typeof shop>>['owner'], id: string, etag: string, body: object) =>
    client.request({ method: 'PATCH', url: `/api/v1/customers/${id}`, headers: { 'if-match': etag }, payload: body });

  it('answers an ETag, refuses a save from an older version with 412 and keeps the newer edit', async () => {
    const { owner, customerId } = await shop();
    const read = await owner.get(`/api/v1/customers/${customerId}`);
    const etag = read.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);

    const first = await patchIfMatch(owner, customerId, etag, { notes: '客服甲：要发顺丰' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers.etag).not.toBe(etag);
    const stale = await patchIfMatch(owner, customerId, etag, { notes: '客服乙：周末不在家' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error).toEqual({ code: 'customer.modified', message: '客户资料已被他人修改，请刷新后再保存' });
    expect((await owner.get(`/api/v1/customers/${customerId}`)).json().notes).toBe('客服甲：要发顺丰');

    const fresh = await patchIfMatch(owner, customerId, first.headers.etag as string, { region: '上海' });
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect((await owner.get(`/api/v1/customers/${customerId}`)).headers.etag).toBe(fresh.headers.etag);
  });

  it('takes * and a list naming the current version, refuses an unknown or weak tag, and saves without If-Match', async () => {
    const { owner, customerId } = await shop();
    const etag = (await owner.get(`/api/v1/customers/${customerId}`)).headers.etag as string;
    expect((await patchIfMatch(owner, customerId, '"bogus"', { notes: 'x' })).statusCode).toBe(412);
    expect((await patchIfMatch(owner, customerId, `W/${etag}`, { notes: 'x' })).statusCode).toBe(412);
    expect((await patchIfMatch(owner, customerId, `"old", ${etag}`, { notes: '一' })).statusCode).toBe(200);
    expect((await patchIfMatch(owner, customerId, '*', { notes: '二' })).statusCode).toBe(200);
    const plain = await owner.patch(`/api/v1/customers/${customerId}`, { notes: '三' });
    expect(plain.statusCode).toBe(200);
    expect(plain.json().notes).toBe('三');
  });

  it('lets exactly one of two agents saving the same version at once win', async () => {
    const { owner, addUser, customerId } = await shop();
    const agent = await addUser('agent');
    for (let round = 0; round < 10; round++) {
      const etag = (await owner.get(`/api/v1/customers/${customerId}`)).headers.etag as string;
      const [a, b] = await Promise.all([
        patchIfMatch(owner, customerId, etag, { notes: `店长 ${round}` }),
        patchIfMatch(agent, customerId, etag, { notes: `客服 ${round}` }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 412]);
      const winner = a.statusCode === 200 ? a : b;
      expect((await owner.get(`/api/v1/customers/${customerId}`)).json().notes).toBe(winner.json().notes);
    }
  });
});

describe('identities', () => {
  it('lists how the customer is known on each channel', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token);
    await resolveCustomerByContact(context.database.db, owner.workspaceId!, {
      platform: 'taobao',
      buyerId: 'tb_buyer_1',
      phone: '13700001111',
    });
    await pool.query(`update customers set phone = '13700001111' where id = $1`, [chat.customerId]);
    // The phone now leads to the visitor's customer, so the buyer id is attached to it.
    const again = await resolveCustomerByContact(context.database.db, owner.workspaceId!, {
      platform: 'jd',
      buyerId: 'jd_buyer_9',
      phone: '13700001111',
    });
    expect(again.created).toBe(false);
    const response = await owner.get(`/api/v1/customers/${again.customerId}/identities`);
    expect(response.statusCode).toBe(200);
    const items = response.json().items;
    expect(
      items.map((i: { kind: string; channel: string; externalId: string }) => [i.kind, i.channel, i.externalId]),
    ).toEqual(expect.arrayContaining([['platform_buyer', 'jd', 'jd:jd_buyer_9']]));
  });

  it('lists a visitor identity with its inbox', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token);
    const items = (await owner.get(`/api/v1/customers/${chat.customerId}/identities`)).json().items;
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'source',
        channel: 'website',
        inboxId: inbox.id,
        inboxName: '官网',
        externalId: chat.visitor.sourceId,
      }),
    ]);
  });
});

describe('resolving a customer by contact details', () => {
  it('finds by platform buyer id, then phone, then email, else creates', async () => {
    const { workspaceId, customerId } = await shop();
    const { db } = context.database;
    expect(await resolveCustomerByContact(db, workspaceId, { phone: '+86 13800138000' })).toEqual({
      customerId,
      created: false,
    });
    const created = await resolveCustomerByContact(db, workspaceId, {
      platform: 'tmall',
      buyerId: 'b-1',
      email: 'New@Buyer.cn',
      name: '新买家',
    });
    expect(created.created).toBe(true);
    expect(await resolveCustomerByContact(db, workspaceId, { email: 'new@buyer.cn' })).toEqual({
      customerId: created.customerId,
      created: false,
    });
    // The buyer id wins over a phone that belongs to someone else.
    expect(
      await resolveCustomerByContact(db, workspaceId, { platform: 'tmall', buyerId: 'b-1', phone: '13800138000' }),
    ).toEqual({ customerId: created.customerId, created: false });
    const row = (await pool.query('select name, email, source from customers where id = $1', [created.customerId]))
      .rows[0];
    expect(row).toEqual({ name: '新买家', email: 'New@Buyer.cn', source: 'tmall' });
  });

  it('makes one customer when two orders of a new buyer arrive at once', async () => {
    const { workspaceId } = await shop();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        context.database.db.transaction((tx) =>
          resolveCustomerByContact(tx, workspaceId, { platform: 'pdd', buyerId: 'same', phone: '13600001111' }),
        ),
      ),
    );
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('refuses a malformed phone', async () => {
    const { workspaceId } = await shop();
    await expect(resolveCustomerByContact(context.database.db, workspaceId, { phone: '打我' })).rejects.toMatchObject({
      code: 'request.invalid',
    });
  });
});

describe('timeline', () => {
  it('merges events and conversations newest first, with who did it', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token);
    await owner.patch(`/api/v1/customers/${chat.customerId}`, { name: '李雷' });
    await recordCustomerEvent(context.database.db, {
      workspaceId: owner.workspaceId!,
      customerId: chat.customerId,
      kind: 'order_created',
      actorId: null,
      details: { orderNo: 'TB001' },
    });
    await owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    const response = await owner.get(`/api/v1/customers/${chat.customerId}/timeline`);
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items;
    expect(items.map((i: { kind: string }) => i.kind)).toEqual([
      'conversation_resolved',
      'order_created',
      'profile_updated',
      'conversation_started',
    ]);
    expect(items[2].actor).toEqual({ id: owner.userId, name: '店长' });
    expect(items[3]).toMatchObject({ conversationId: chat.conversationId, details: { inboxName: '官网' } });
  });

  it('dates a resolution when it happened, not at later changes of the conversation', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token);
    await owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    const at = async () =>
      (
        await context.database.pool.query<{ resolved_at: Date; updated_at: Date }>(
          'select resolved_at, updated_at from conversations where id = $1',
          [chat.conversationId],
        )
      ).rows[0]!;
    const resolvedAt = (await at()).resolved_at;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const assigned = await owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, {
      assigneeId: owner.userId,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect((await at()).updated_at.getTime()).toBeGreaterThan(resolvedAt.getTime());
    const items = (await owner.get(`/api/v1/customers/${chat.customerId}/timeline`)).json().items;
    const resolved = items.find((item: { kind: string }) => item.kind === 'conversation_resolved');
    expect(new Date(resolved.at).getTime()).toBe(resolvedAt.getTime());
  });

  it("shows the customer's tickets: opened and each status change, with who did it", async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token, '发票开错了');
    const created = await owner.post('/api/v1/tickets', { subject: '重开发票', conversationId: chat.conversationId });
    expect(created.statusCode, created.body).toBe(201);
    const ticket = created.json();
    const resolved = await owner.patch(`/api/v1/tickets/${ticket.id}`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const items = (await owner.get(`/api/v1/customers/${chat.customerId}/timeline`)).json().items;
    const tickets = items.filter((item: { kind: string }) => item.kind.startsWith('ticket_'));
    const owner_ = { id: owner.userId, name: '店长' };
    const about = { ticketId: ticket.id, number: ticket.number, subject: '重开发票' };
    expect(tickets).toEqual([
      expect.objectContaining({
        kind: 'ticket_status_changed',
        actor: owner_,
        details: { ...about, from: 'new', to: 'resolved' },
      }),
      expect.objectContaining({ kind: 'ticket_created', actor: owner_, details: expect.objectContaining(about) }),
    ]);
    // Another workspace's tickets never show, even for the same customer id.
    const other = await createWorkspace(context);
    expect((await other.owner.get(`/api/v1/customers/${chat.customerId}/timeline`)).statusCode).toBe(404);
  });

  it('pages through a long timeline exactly once', async () => {
    const { owner, workspaceId, customerId } = await shop();
    for (let i = 0; i < 7; i++) {
      await recordCustomerEvent(context.database.db, {
        workspaceId,
        customerId,
        kind: 'note',
        actorId: owner.userId!,
        details: { n: i },
      });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (await owner.get(`/api/v1/customers/${customerId}/timeline?limit=3${query}`)).json();
      seen.push(...page.items.map((i: { details: { n: number } }) => i.details.n));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });

  it('refuses a broken cursor with 400', async () => {
    const { owner, customerId } = await shop();
    const bad = Buffer.from(JSON.stringify(['not a time', 'x'])).toString('base64url');
    const response = await owner.get(`/api/v1/customers/${customerId}/timeline?cursor=${bad}`);
    expect(response.statusCode).toBe(400);
  });
});

describe('profile reminders', () => {
  it('lists profiles older than 30 days (active) or 60 days (others), oldest first', async () => {
    const { owner, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    const make = async (name: string, daysAgo: number, stage: string) => {
      const id = await insertCustomer(context, workspaceId, { name });
      await pool.query(
        `update customers set created_at = now() - make_interval(days => $2), lifecycle_stage = $3 where id = $1`,
        [id, daysAgo, stage],
      );
      return id;
    };
    await make('活跃 31 天', 31, 'active');
    await make('活跃 10 天', 10, 'active');
    await make('潜在 45 天', 45, 'prospect');
    await make('沉睡 90 天', 90, 'dormant');
    const edited = await make('刚更新的老客户', 200, 'prospect');
    await owner.patch(`/api/v1/customers/${edited}`, { region: '北京' });

    const response = await owner.get('/api/v1/customers/stale-profiles?limit=1');
    expect(response.statusCode, response.body).toBe(200);
    const first = response.json();
    expect(first.items[0]).toMatchObject({ customer: { name: '沉睡 90 天' }, thresholdDays: 60 });
    const second = (await owner.get(`/api/v1/customers/stale-profiles?cursor=${first.nextCursor}`)).json();
    expect(second.items.map((i: { customer: { name: string } }) => i.customer.name)).toEqual(['活跃 31 天']);
    expect(second.items[0].thresholdDays).toBe(30);
    expect(second.nextCursor).toBeNull();
  });

  it('follows the workspace settings', async () => {
    const { owner, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    const id = await insertCustomer(context, workspaceId, { name: '潜在 45 天' });
    await pool.query(`update customers set created_at = now() - interval '45 days' where id = $1`, [id]);
    await pool.query(
      `update workspaces set settings = jsonb_set(settings, '{staleProfileDays}', '{"active": 7, "others": 40}') where id = $1`,
      [workspaceId],
    );
    const items = (await owner.get('/api/v1/customers/stale-profiles')).json().items;
    expect(items).toEqual([expect.objectContaining({ thresholdDays: 40 })]);
  });

  it('uses the thresholds saved in the customer-value settings, and refuses invalid ones', async () => {
    const { owner, addUser, workspaceId } = await createWorkspace(context).then((w) => ({
      ...w,
      workspaceId: w.owner.workspaceId!,
    }));
    const id = await insertCustomer(context, workspaceId, { name: '潜在 45 天' });
    await pool.query(`update customers set created_at = now() - interval '45 days' where id = $1`, [id]);
    const staleNames = async () =>
      (await owner.get('/api/v1/customers/stale-profiles'))
        .json()
        .items.map((item: { customer: { name: string }; thresholdDays: number }) => [
          item.customer.name,
          item.thresholdDays,
        ]);
    expect(await staleNames()).toEqual([]);

    const settings = (await owner.get('/api/v1/settings/customer-value')).json();
    const put = (client: typeof owner, payload: unknown) =>
      client.request({ method: 'PUT', url: '/api/v1/settings/customer-value', payload: payload as object });
    const saved = await put(owner, {
      ...settings,
      staleProfileDays: { active: 10, others: 40 },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await staleNames()).toEqual([['潜在 45 天', 40]]);

    const refused = await put(owner, {
      ...settings,
      staleProfileDays: { active: 10, others: 0 },
    });
    expect(refused.statusCode).toBe(400);
    const agent = await addUser('agent');
    const forbidden = await put(agent, {
      ...settings,
      staleProfileDays: { active: 10, others: 90 },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(await staleNames()).toEqual([['潜在 45 天', 40]]);
  });
});
