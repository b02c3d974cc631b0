import { describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace, startConversation } from '../../../test/harness.ts';
import { renderTemplateForConversation, seedDemoTemplates } from './index.ts';

const context = await createTestApp();

const createTemplate = async (client: Client, body: Record<string, unknown>) => {
  const response = await client.post('/api/v1/templates', body);
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json() as { id: string; scope: string; usageCount: number };
};

const titlesOf = async (client: Client, query = '') =>
  ((await client.get(`/api/v1/templates${query}`)).json().items as { title: string }[]).map((item) => item.title);

describe('template scopes and visibility', () => {
  it('shows workspace templates to everyone, team ones to the team and leads, personal ones to their owner', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const supervisor = await addUser('supervisor');
    const member = await addUser('agent', '组员');
    const outsider = await addUser('agent', '非组员');
    const team = (await owner.post('/api/v1/teams', { name: '售后组', memberIds: [member.userId] })).json();

    await createTemplate(owner, { scope: 'workspace', category: '售前', title: '全店话术', content: '您好' });
    await createTemplate(supervisor, {
      scope: 'team',
      teamId: team.id,
      category: '售后',
      title: '组内话术',
      content: '请稍等',
    });
    await createTemplate(member, { title: '我的话术', content: '马上为您查询' });

    expect((await titlesOf(owner)).sort()).toEqual(['全店话术', '组内话术']);
    expect((await titlesOf(supervisor)).sort()).toEqual(['全店话术', '组内话术']);
    expect((await titlesOf(member)).sort()).toEqual(['全店话术', '我的话术', '组内话术']);
    expect(await titlesOf(outsider)).toEqual(['全店话术']);

    const personal = (await member.get('/api/v1/templates?scope=personal')).json().items;
    expect(personal).toHaveLength(1);
    expect(personal[0]).toMatchObject({ scope: 'personal', ownerUserId: member.userId, category: '通用' });
    expect((await owner.get(`/api/v1/templates/${personal[0].id}`)).statusCode).toBe(404);

    const categories = (await member.get('/api/v1/templates/categories')).json().items;
    expect(categories).toEqual([
      { name: '售前', count: 1 },
      { name: '售后', count: 1 },
      { name: '通用', count: 1 },
    ]);
  });

  it('lets an agent manage personal templates only, and refuses analysts', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const analyst = await addUser('analyst');
    const shared = await createTemplate(owner, { scope: 'workspace', title: '全店', content: '您好' });

    const refusedCreate = await agent.post('/api/v1/templates', { scope: 'workspace', title: '私改', content: 'x' });
    expect(refusedCreate.statusCode).toBe(403);
    expect(refusedCreate.json().error.code).toBe('auth.forbidden');
    const refusedEdit = await agent.patch(`/api/v1/templates/${shared.id}`, { title: '被改了' });
    expect(refusedEdit.statusCode).toBe(403);
    const refusedDelete = await agent.request({ method: 'DELETE', url: `/api/v1/templates/${shared.id}` });
    expect(refusedDelete.statusCode).toBe(403);
    expect((await owner.get(`/api/v1/templates/${shared.id}`)).json().title).toBe('全店');

    const mine = await createTemplate(agent, { title: '我的', content: '稍等' });
    expect((await agent.patch(`/api/v1/templates/${mine.id}`, { title: '我的新标题' })).json().title).toBe(
      '我的新标题',
    );
    // The owner cannot see (so cannot change) an agent's personal template.
    expect((await owner.patch(`/api/v1/templates/${mine.id}`, { title: 'x' })).statusCode).toBe(404);
    expect((await agent.request({ method: 'DELETE', url: `/api/v1/templates/${mine.id}` })).statusCode).toBe(204);
    expect(await countRows(context, 'from templates where id = $1', [mine.id])).toBe(0);

    for (const response of [
      await analyst.get('/api/v1/templates'),
      await analyst.post('/api/v1/templates', { title: '分析师', content: 'x' }),
      await analyst.get('/api/v1/templates/usage'),
      await agent.get('/api/v1/templates/usage'),
    ]) {
      expect(response.statusCode, response.body).toBe(403);
    }
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    const { owner } = await createWorkspace(context);
    const before = await countRows(context, 'from templates where workspace_id = $1', [owner.workspaceId]);

    const unknown = await owner.post('/api/v1/templates', {
      title: '拼错变量',
      content: '{{customer.name}}您好，单号 {{order.tracking}}，{{ foo }}',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({
      code: 'template.unknown_variables',
      details: { variables: ['order.tracking', 'foo'] },
    });
    expect(unknown.json().error.message).toContain('{{order.tracking}}');

    const tooLong = await owner.post('/api/v1/templates', { title: '太长', content: '好'.repeat(2001) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.code).toBe('request.invalid');

    const extra = await owner.post('/api/v1/templates', { title: 't', content: 'c', secret: 1 });
    expect(extra.statusCode).toBe(400);

    const teamless = await owner.post('/api/v1/templates', { scope: 'team', title: 't', content: 'c' });
    expect(teamless.statusCode).toBe(400);
    expect(teamless.json().error.message).toBe('小组话术需要选择小组');

    const badSegment = await owner.post('/api/v1/templates', {
      title: 't',
      content: 'c',
      segmentIds: ['0190b1a2-0000-7000-8000-000000000000'],
    });
    expect(badSegment.statusCode).toBe(400);
    expect(badSegment.json().error.code).toBe('template.unknown_segments');

    const empty = await owner.post('/api/v1/templates', { title: ' ', content: '  ' });
    expect(empty.statusCode).toBe(400);

    expect(await countRows(context, 'from templates where workspace_id = $1', [owner.workspaceId])).toBe(before);

    const saved = await createTemplate(owner, { title: '好的', content: '好的' });
    const badEdit = await owner.patch(`/api/v1/templates/${saved.id}`, { content: '{{agent.nam}}' });
    expect(badEdit.statusCode).toBe(400);
    expect((await owner.get(`/api/v1/templates/${saved.id}`)).json().content).toBe('好的');
  });

  it('answers 404 for another workspace’s template and conversation', async () => {
    const a = await createWorkspace(context, '甲店');
    const b = await createWorkspace(context, '乙店');
    const aTemplate = await createTemplate(a.owner, { scope: 'workspace', title: '甲店话术', content: '甲店专用' });
    const bChat = await startConversation(context, b.inbox.token);
    expect((await b.owner.get(`/api/v1/templates/${aTemplate.id}`)).statusCode).toBe(404);
    const render = await b.owner.post(`/api/v1/templates/${aTemplate.id}/render`, {
      conversationId: bChat.conversationId,
    });
    expect(render.statusCode).toBe(404);
    expect(render.json().error.code).toBe('template.not_found');
    const aRenderOnB = await a.owner.post(`/api/v1/templates/${aTemplate.id}/render`, {
      conversationId: bChat.conversationId,
    });
    expect(aRenderOnB.json().error.code).toBe('conversation.not_found');
    expect(await titlesOf(b.owner)).toEqual([]);
  });
});

describe('search keys', () => {
  it('finds templates by text, pinyin and initials, and answers the keys for local matching', async () => {
    const { owner } = await createWorkspace(context);
    await createTemplate(owner, {
      scope: 'workspace',
      category: '物流',
      title: '快递查询',
      content: '單號 {{order.latest.tracking_no}}',
    });
    await createTemplate(owner, { scope: 'workspace', category: '售后', title: '退货流程', content: '七天无理由' });
    expect(await titlesOf(owner, '?q=kdcx')).toEqual(['快递查询']);
    expect(await titlesOf(owner, '?q=tuihuo')).toEqual(['退货流程']);
    expect(await titlesOf(owner, `?q=${encodeURIComponent('单号')}`)).toEqual(['快递查询']);
    expect(await titlesOf(owner, `?category=${encodeURIComponent('售后')}`)).toEqual(['退货流程']);
    const item = (await owner.get('/api/v1/templates?q=kdcx')).json().items[0];
    expect(item.searchKeys).toMatchObject({ titlePinyin: 'kuaidichaxun', titleInitials: 'kdcx' });
    expect(item.searchKeys.text).toContain('单号');
    expect(item.searchKeys.text).not.toContain('tracking');
  });
});

describe('rendering for a conversation', () => {
  async function shopWithOrder() {
    const shop = await createWorkspace(context, '慧客小店');
    const chat = await startConversation(context, shop.inbox.token);
    await shop.owner.patch(`/api/v1/customers/${chat.customerId}`, { name: '王小明', phone: '13812345678' });
    const order = await shop.owner.post('/api/v1/orders', {
      platform: 'taobao',
      orderNo: 'TB20261123',
      status: 'shipped',
      amountFen: 12_950,
      trackingCompany: '顺丰速运',
      trackingNo: 'SF1234567890',
      customer: { customerId: chat.customerId },
    });
    if (order.statusCode >= 300) throw new Error(order.body);
    return { ...shop, chat };
  }

  it('fills variables from the customer, their latest order, the agent, inbox and workspace', async () => {
    const { owner, addUser, chat } = await shopWithOrder();
    const agent = await addUser('agent', '小美');
    const content =
      '{{customer.name}}您好，订单{{order.latest.order_no}}（{{order.latest.status}}，{{ order.latest.amount }}）由{{order.latest.tracking_company}}发出，单号{{order.latest.tracking_no}}。手机{{customer.phone}}。我是{{agent.name}}@{{inbox.name}}·{{workspace.name}}{{customer.nickname}}';
    const saved = await createTemplate(owner, { scope: 'workspace', title: '全部变量', content });
    const rendered = await agent.post(`/api/v1/templates/${saved.id}/render`, { conversationId: chat.conversationId });
    expect(rendered.statusCode, rendered.body).toBe(200);
    expect(rendered.json()).toEqual({
      content:
        '王小明您好，订单TB20261123（已发货，¥129.50）由顺丰速运发出，单号SF1234567890。手机138****5678。我是小美@官网·慧客小店',
      missingVariables: ['customer.nickname'],
      attachments: [],
    });
    // A lead may see the phone.
    const byOwner = await owner.post(`/api/v1/templates/${saved.id}/render`, { conversationId: chat.conversationId });
    expect(byOwner.json().content).toContain('手机13812345678');
  });

  it('inserts values as plain text once: braces and markup in a value are never expanded', async () => {
    const { owner, chat } = await shopWithOrder();
    await owner.patch(`/api/v1/customers/${chat.customerId}`, { name: '{{agent.name}}<script>alert(1)</script>' });
    const saved = await createTemplate(owner, {
      scope: 'workspace',
      title: '问候',
      content: '{{customer.name}}您好，{{customer.tier}}{{customer.nickname}}',
    });
    const rendered = (
      await owner.post(`/api/v1/templates/${saved.id}/render`, { conversationId: chat.conversationId })
    ).json();
    expect(rendered.content).toBe('{{agent.name}}<script>alert(1)</script>您好，新客');
    expect(rendered.missingVariables).toEqual(['customer.nickname']);
  });

  it('renders for automation without an agent, and reports a deleted template as broken', async () => {
    const { owner, chat } = await shopWithOrder();
    const saved = await createTemplate(owner, {
      scope: 'workspace',
      title: '自动回复',
      content: '{{agent.name}}提醒：{{customer.phone}}',
    });
    const input = { workspaceId: owner.workspaceId!, templateId: saved.id, conversationId: chat.conversationId };
    expect(await renderTemplateForConversation(context.database.db, input)).toMatchObject({
      content: '慧客小店提醒：138****5678',
    });
    expect(await renderTemplateForConversation(context.database.db, { ...input, agentId: owner.userId })).toMatchObject(
      { content: '店长提醒：13812345678' },
    );
    await owner.request({ method: 'DELETE', url: `/api/v1/templates/${saved.id}` });
    expect(await renderTemplateForConversation(context.database.db, input)).toEqual({ broken: '话术不存在或已删除' });
  });
});

describe('usage', () => {
  it('counts each insertion per template and per agent', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小周');
    const chat = await startConversation(context, inbox.token);
    const greeting = await createTemplate(owner, { scope: 'workspace', title: '问候', content: '您好' });
    const thanks = await createTemplate(owner, { scope: 'workspace', title: '感谢', content: '谢谢' });
    const render = (client: Client, id: string) =>
      client.post(`/api/v1/templates/${id}/render`, { conversationId: chat.conversationId });
    await render(agent, greeting.id);
    await render(agent, greeting.id);
    await render(owner, greeting.id);
    await render(agent, thanks.id);

    const report = (await owner.get('/api/v1/templates/usage')).json();
    expect(report.byTemplate).toEqual([
      expect.objectContaining({ templateId: greeting.id, title: '问候', count: 3 }),
      expect.objectContaining({ templateId: thanks.id, count: 1 }),
    ]);
    expect(report.byAgent).toEqual([
      { userId: agent.userId, name: '小周', count: 3 },
      { userId: owner.userId, name: '店长', count: 1 },
    ]);
    expect(report.rows).toContainEqual({ templateId: greeting.id, userId: agent.userId, count: 2 });
    expect(await countRows(context, 'from template_usages where template_id = $1', [greeting.id])).toBe(2);

    const listed = (await agent.get('/api/v1/templates')).json().items;
    expect(listed.find((item: { id: string }) => item.id === greeting.id).usageCount).toBe(3);

    const past = (await owner.get('/api/v1/templates/usage?from=2020-01-01&to=2020-01-31')).json();
    expect(past.byTemplate).toEqual([]);
    expect((await owner.get('/api/v1/templates/usage?from=2020-02-31')).statusCode).toBe(400);
    expect((await owner.get('/api/v1/templates/usage?from=2020-03-01&to=2020-02-01')).statusCode).toBe(400);
  });
});

describe('segment template sets', () => {
  it('puts templates of the customer’s segments first and flags them', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token);
    const other = await startConversation(context, inbox.token);
    const group = (await owner.post('/api/v1/tag-groups', { name: '客户类型' })).json();
    const tag = (await owner.post('/api/v1/tags', { groupId: group.id, name: '售后客户' })).json();
    await owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${chat.customerId}/tags`,
      payload: { add: [tag.id] },
    });
    const filter = { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [tag.id] }] };
    const segment = (await owner.post('/api/v1/segments', { name: '售后客户', filter })).json();
    await createTemplate(owner, { scope: 'workspace', category: 'A', title: '通用问候', content: '您好' });
    await createTemplate(owner, {
      scope: 'workspace',
      category: 'Z',
      title: '售后回访',
      content: '上次的问题解决了吗',
      segmentIds: [segment.id],
    });

    const forChat = (await owner.get(`/api/v1/templates?conversationId=${chat.conversationId}`)).json().items;
    expect(
      forChat.map((item: { title: string; forCustomerSegment: boolean }) => [item.title, item.forCustomerSegment]),
    ).toEqual([
      ['售后回访', true],
      ['通用问候', false],
    ]);
    const forOther = (await owner.get(`/api/v1/templates?conversationId=${other.conversationId}`)).json().items;
    expect(forOther.map((item: { title: string }) => item.title)).toEqual(['通用问候', '售后回访']);
    expect(forOther.every((item: { forCustomerSegment: boolean }) => !item.forCustomerSegment)).toBe(true);

    const unknown = await owner.get('/api/v1/templates?conversationId=0190b1a2-0000-7000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
  });

  it('pages through many templates with a cursor', async () => {
    const { owner } = await createWorkspace(context);
    for (let i = 0; i < 5; i++) await createTemplate(owner, { scope: 'workspace', title: `话术${i}`, content: '内容' });
    const first = (await owner.get('/api/v1/templates?limit=3')).json();
    expect(first.items).toHaveLength(3);
    const second = (await owner.get(`/api/v1/templates?limit=3&cursor=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect((await owner.get('/api/v1/templates?cursor=bad')).statusCode).toBe(400);
    for (const values of [[-1], [1e20], ['x']]) {
      const cursor = Buffer.from(JSON.stringify(values)).toString('base64url');
      expect((await owner.get(`/api/v1/templates?cursor=${cursor}`)).statusCode).toBe(400);
    }
  });
});

describe('demo data', () => {
  it('seeds 售前 / 物流 / 售后 templates and a 售后客户 segment template', async () => {
    const { owner } = await createWorkspace(context);
    const segment = (
      await owner.post('/api/v1/segments', { name: '售后客户', filter: { op: 'and', conditions: [] } })
    ).json();
    await seedDemoTemplates(context.database.db, owner.workspaceId!, owner.userId!);
    const items = (await owner.get('/api/v1/templates')).json().items as {
      title: string;
      category: string;
      segmentIds: string[];
    }[];
    expect(new Set(items.map((item) => item.category))).toEqual(new Set(['售前', '物流', '售后']));
    expect(await titlesOf(owner, '?q=kdcx')).toEqual(['快递查询']);
    expect(items.find((item) => item.title === '售后回访')?.segmentIds).toEqual([segment.id]);
  });
});
