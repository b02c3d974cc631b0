import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  customerIdOf,
  DEMO_SEED_TIMEOUT_MS,
  pause,
  startConversation,
} from '../../../test/harness.ts';
import { isBlockedAddress } from '../../platform/safe-fetch.ts';

const context = await createTestApp();
const { pool } = context.database;

/** Subscribers run after the request answered: wait until a check holds. */
async function until<T>(probe: () => Promise<T>, holds: (value: T) => boolean = Boolean, timeoutMs = 15_000) {
  const started = Date.now();
  let value = await probe();
  while (!holds(value)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await pause(25);
    value = await probe();
  }
  return value;
}

/** A rule's runs, without its hourly 「条件未满足」 entries (automation-explain.test.ts covers those). */
const runsOf = async (client: Client, ruleId: string) =>
  (
    (await client.get(`/api/v1/automation/runs?ruleId=${ruleId}`)).json().items as {
      id: string;
      status: string;
      reason: string | null;
      triggerKey: string;
      actionsResult: { type: string; ok: boolean; error?: string | null; detail?: string | null }[];
      context: Record<string, unknown>;
    }[]
  ).filter((run) => !run.triggerKey.startsWith('nomatch:'));

const untilRuns = (client: Client, ruleId: string, count = 1) =>
  until(
    () => runsOf(client, ruleId),
    (runs) => runs.length >= count && runs.every((run) => run.status !== 'running'),
  );

async function createRule(client: Client, body: Record<string, unknown>) {
  const response = await client.post('/api/v1/automation/rules', { enabled: true, ...body });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json() as { id: string; problems: string[]; webhookSecret: string | null };
}

async function newTag(client: Client, name: string) {
  const groups = (await client.get('/api/v1/tag-groups')).json().items as { id: string; name: string }[];
  const behaviour = groups.find((group) => group.name === '行为')!;
  const response = await client.post('/api/v1/tags', { groupId: behaviour.id, name });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json().id as string;
}

const tagIdByName = async (client: Client, name: string) =>
  ((await client.get('/api/v1/tags')).json().items as { id: string; name: string }[]).find((tag) => tag.name === name)!
    .id;

const appliedTagNames = async (client: Client, kind: 'customers' | 'conversations', id: string) =>
  ((await client.get(`/api/v1/${kind}/${id}/tags`)).json().items as { name: string }[]).map((tag) => tag.name).sort();

describe('access and validation', () => {
  it('lets analysts read rules but only owners and admins change them; agents see nothing', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const agent = await addUser('agent');
    const rule = await createRule(owner, {
      name: '新会话备注',
      trigger: { type: 'conversation.created' },
      actions: [{ type: 'private_note', content: '欢迎' }],
    });
    expect(rule.webhookSecret).toBeTruthy();

    const seen = await analyst.get('/api/v1/automation/rules');
    expect(seen.statusCode).toBe(200);
    expect(seen.json().items[0]).toMatchObject({ id: rule.id, name: '新会话备注', problems: [], webhookSecret: null });
    const refused = await analyst.post('/api/v1/automation/rules', {
      name: 'x',
      trigger: { type: 'conversation.created' },
      actions: [{ type: 'private_note', content: 'x' }],
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('auth.forbidden');
    expect((await analyst.patch(`/api/v1/automation/rules/${rule.id}`, { enabled: false })).statusCode).toBe(403);
    expect((await agent.get('/api/v1/automation/rules')).statusCode).toBe(403);
    expect((await agent.get('/api/v1/automation/runs')).statusCode).toBe(403);
    expect((await agent.post('/api/v1/automation/rules/dry-run', { ruleId: rule.id })).statusCode).toBe(403);
    expect(await countRows(context, 'from automation_rules where workspace_id = $1', [owner.workspaceId])).toBe(1);
  });

  it('answers 404 for unknown rules', async () => {
    const { owner } = await createWorkspace(context);
    const missing = '01900000-0000-7000-8000-000000000000';
    for (const response of [
      await owner.get(`/api/v1/automation/rules/${missing}`),
      await owner.patch(`/api/v1/automation/rules/${missing}`, { name: 'x' }),
      await owner.request({ method: 'DELETE', url: `/api/v1/automation/rules/${missing}` }),
      await owner.post('/api/v1/automation/rules/dry-run', { ruleId: missing }),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('automation_rule.not_found');
    }
  });

  it('refuses bad rules with a clear message and stores nothing', async () => {
    const { owner } = await createWorkspace(context);
    const note = [{ type: 'private_note', content: 'x' }];
    const expectInvalid = async (body: Record<string, unknown>, code: string, message?: RegExp) => {
      const response = await owner.post('/api/v1/automation/rules', body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe(code);
      if (message) expect(response.json().error.message).toMatch(message);
    };
    await expectInvalid({ name: '无动作', trigger: { type: 'conversation.created' }, actions: [] }, 'request.invalid');
    await expectInvalid({ name: '未知触发', trigger: { type: 'nope' }, actions: note }, 'request.invalid');
    for (const pattern of ['(a+)+$', '(\\d)\\1', '[']) {
      await expectInvalid(
        {
          name: '正则',
          trigger: { type: 'message.created' },
          conditions: { op: 'and', conditions: [{ field: 'message.content', operator: 'regex', value: pattern }] },
          actions: note,
        },
        'automation_rule.invalid',
        /正则/,
      );
    }
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://[::1]/hook',
      'http://localhost/x',
      'ftp://example.com/x',
      'http://10.1.2.3/x',
    ]) {
      await expectInvalid(
        { name: 'Webhook', trigger: { type: 'conversation.created' }, actions: [{ type: 'webhook', url }] },
        'automation_rule.invalid',
        /Webhook/,
      );
    }
    await expectInvalid(
      {
        name: '不存在的标签',
        trigger: { type: 'conversation.created' },
        actions: [{ type: 'add_tag', target: 'customer', tagId: '01900000-0000-7000-8000-000000000001' }],
      },
      'automation_rule.invalid',
      /标签/,
    );
    const segment = (
      await owner.post('/api/v1/segments', {
        name: '高消费',
        filter: { op: 'and', conditions: [{ field: 'total_spent_fen', op: 'gte', value: 100000 }] },
      })
    ).json();
    await expectInvalid(
      {
        name: '加入筛选分组',
        trigger: { type: 'conversation.created' },
        actions: [{ type: 'add_to_segment', segmentId: segment.id }],
      },
      'automation_rule.invalid',
      /由筛选条件定义/,
    );
    await expectInvalid(
      {
        name: '每周无星期',
        trigger: { type: 'schedule', frequency: 'weekly', time: '09:00', target: { kind: 'open_conversations' } },
        actions: note,
      },
      'automation_rule.invalid',
      /星期/,
    );
    expect(await countRows(context, 'from automation_rules where workspace_id = $1', [owner.workspaceId])).toBe(0);
  });

  it('refuses private, loopback and link-local addresses for webhooks', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.8',
      '192.168.1.1',
      '172.20.0.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '114.114.114.114', '2400:3200::1'])
      expect(isBlockedAddress(address), address).toBe(false);
  });
});

describe('auto-tag preset on inbound messages', () => {
  it('tags the conversation and the customer when a message mentions 退货, once per message even when replayed', async () => {
    const { owner, inbox } = await createWorkspace(context);
    await newTag(owner, '售后处理中');
    const presets = (await owner.get('/api/v1/automation/presets')).json().items as {
      key: string;
      rule: Record<string, unknown> & { actions: unknown[] };
      needs: { tagName: string; target: string }[];
    }[];
    const preset = presets.find((p) => p.key === 'auto_tag_after_sales')!;
    expect(preset.needs).toEqual([]);
    expect(preset.rule.actions).toHaveLength(2);
    const rule = await createRule(owner, { ...preset.rule, enabled: true });

    const quiet = await startConversation(context, inbox.token, '请问什么时候发货？');
    const chat = await startConversation(context, inbox.token, '我想退貨，可以嗎'); // traditional characters match too
    const runs = await untilRuns(owner, rule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', context: { conversationId: chat.conversationId } });
    expect(await appliedTagNames(owner, 'conversations', chat.conversationId)).toEqual(['售后处理中']);
    expect(await appliedTagNames(owner, 'customers', chat.customerId)).toEqual(['售后客户']);
    expect(await appliedTagNames(owner, 'conversations', quiet.conversationId)).toEqual([]);

    // A restart replays recent inbound messages: the unique trigger key runs nothing twice.
    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    await pause(300);
    expect(await runsOf(owner, rule.id)).toHaveLength(1);
    const stored = (await owner.get(`/api/v1/automation/rules/${rule.id}`)).json();
    expect(stored).toMatchObject({ runCount: 1, failureCount: 0 });
    expect(stored.lastRunAt).toBeTruthy();
  });

  it('offers presets whose missing tags are named', async () => {
    const { owner } = await createWorkspace(context);
    const presets = (await owner.get('/api/v1/automation/presets')).json().items as {
      key: string;
      needs: { tagName: string; target: string }[];
      category: string;
    }[];
    const afterSales = presets.find((p) => p.key === 'auto_tag_after_sales')!;
    expect(afterSales.category).toBe('自动标签');
    expect(afterSales.needs).toEqual([{ tagName: '售后处理中', target: 'conversation' }]);
  });
});

describe('actions', () => {
  it('replies with a template, adds a note, assigns, sets priority, lifecycle and segment, then resolves', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const team = (await owner.post('/api/v1/teams', { name: '售后组', memberIds: [agent.userId] })).json();
    const template = (
      await owner.post('/api/v1/templates', {
        scope: 'workspace',
        title: '价格',
        content: '{{customer.name}}您好，价格请看详情页',
      })
    ).json();
    const vip = await tagIdByName(owner, 'VIP');
    const segment = (
      await owner.post('/api/v1/segments', {
        name: 'VIP 客户',
        filter: { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [vip] }] },
      })
    ).json();
    const rule = await createRule(owner, {
      name: '询价处理',
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: { op: 'and', conditions: [{ field: 'message.content', operator: 'contains', value: '多少钱' }] },
      actions: [
        { type: 'reply_template', templateId: template.id },
        { type: 'private_note', content: '自动化：询价客户' },
        { type: 'assign', assigneeId: agent.userId, teamId: team.id },
        { type: 'set_priority', priority: 'high' },
        { type: 'set_lifecycle', stage: 'active' },
        { type: 'add_to_segment', segmentId: segment.id },
        { type: 'set_status', status: 'resolved' },
      ],
    });
    const chat = await startConversation(context, inbox.token, '这个多少钱？');
    const [run] = await untilRuns(owner, rule.id);
    expect(run!.status, JSON.stringify(run)).toBe('succeeded');
    expect(run!.actionsResult.map((result) => result.ok)).toEqual([true, true, true, true, true, true, true]);

    const conversation = (await owner.get(`/api/v1/conversations/${chat.conversationId}`)).json();
    expect(conversation).toMatchObject({
      assigneeId: agent.userId,
      teamId: team.id,
      priority: 'high',
      status: 'resolved',
    });
    const messages = (await owner.get(`/api/v1/conversations/${chat.conversationId}/messages`)).json().items as {
      senderKind: string;
      content: string;
      private: boolean;
    }[];
    expect(messages.filter((m) => m.senderKind === 'bot').map((m) => m.content)).toEqual(['您好，价格请看详情页']);
    expect(messages.filter((m) => m.private).map((m) => m.content)).toEqual(['自动化：询价客户']);
    const customer = (await owner.get(`/api/v1/customers/${chat.customerId}`)).json();
    expect(customer.lifecycleStage ?? customer.value?.lifecycleStage).toBe('active');
    expect(await appliedTagNames(owner, 'customers', chat.customerId)).toEqual(['VIP']);

    // The bot's reply (caused by automation) started no second run of the rule, nor of any rule.
    expect(await countRows(context, 'from automation_runs where rule_id = $1', [rule.id])).toBe(1);
  });

  it('calls a webhook with an HMAC signature, and logs an error answer as a failure the admin can see', async () => {
    const received: { body: string; signature: string }[] = [];
    let answer = 200;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ body, signature: String(request.headers['x-huike-signature']) });
        response.statusCode = answer;
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    // The test server is on loopback, which the guard refuses: resolve the public-looking name to it here.
    context.services.automationEngine.useWebhookResolver(async () => ({ address: '127.0.0.1', family: 4 }));
    try {
      const { owner, inbox } = await createWorkspace(context);
      const rule = await createRule(owner, {
        name: '同步到 ERP',
        trigger: { type: 'conversation.created' },
        actions: [{ type: 'webhook', url: `http://erp.example.com:${port}/hook` }],
      });
      const chat = await startConversation(context, inbox.token, '你好');
      const [run] = await untilRuns(owner, rule.id);
      expect(run!.status).toBe('succeeded');
      expect(received).toHaveLength(1);
      const { body, signature } = received[0]!;
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
      expect(createHmac('sha256', rule.webhookSecret!).update(`${t}.${body}`).digest('hex')).toBe(v1);
      expect(JSON.parse(body)).toMatchObject({
        trigger: 'conversation.created',
        conversation: { id: chat.conversationId },
      });

      answer = 500;
      await startConversation(context, inbox.token, '再来一个');
      const runs = await untilRuns(owner, rule.id, 2);
      const failed = runs.find((r) => r.status === 'failed')!;
      expect(failed.actionsResult[0]).toMatchObject({ ok: false, error: 'Webhook 返回了 HTTP 500' });
      expect((await owner.get(`/api/v1/automation/runs?ruleId=${rule.id}&status=failed`)).json().items).toHaveLength(1);
      expect((await owner.get(`/api/v1/automation/rules/${rule.id}`)).json()).toMatchObject({
        runCount: 2,
        failureCount: 1,
      });
    } finally {
      context.services.automationEngine.useWebhookResolver(undefined);
    }
  });
});

describe('message conditions', () => {
  it('matches a safe regex, urgency and sentiment of customer messages', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const phone = await createRule(owner, {
      name: '留了手机号',
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: { op: 'and', conditions: [{ field: 'message.content', operator: 'regex', value: '1[3-9]\\d{9}' }] },
      actions: [{ type: 'private_note', content: '客户留了手机号' }],
    });
    const urgent = await createRule(owner, {
      name: '紧急',
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: {
        op: 'and',
        conditions: [
          { field: 'message.urgent', operator: 'is', value: true },
          { field: 'message.urgency_reason', operator: 'in', value: ['complaint_threat'] },
          { field: 'message.sentiment', operator: 'is', value: 'negative' },
        ],
      },
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    const calm = await startConversation(context, inbox.token, '你好，请问有货吗');
    const angry = await startConversation(
      context,
      inbox.token,
      '质量太差了，再不处理我就投诉到12315，打电话 13912345678',
    );
    await untilRuns(owner, phone.id);
    await untilRuns(owner, urgent.id);
    await pause(200);
    expect((await runsOf(owner, phone.id)).map((run) => run.context.conversationId)).toEqual([angry.conversationId]);
    expect((await runsOf(owner, urgent.id)).map((run) => run.context.conversationId)).toEqual([angry.conversationId]);
    expect((await owner.get(`/api/v1/conversations/${angry.conversationId}`)).json().priority).toBe('urgent');
    expect((await owner.get(`/api/v1/conversations/${calm.conversationId}`)).json().priority).toBe('normal');
  });
});

describe('broken references and loop safety', () => {
  it('shows a rule whose tag was deleted as broken and skips its runs with the reason', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const tagId = await newTag(owner, '临时标签');
    const rule = await createRule(owner, {
      name: '打临时标签',
      trigger: { type: 'conversation.created' },
      actions: [{ type: 'add_tag', target: 'conversation', tagId }],
    });
    expect((await owner.request({ method: 'DELETE', url: `/api/v1/tags/${tagId}?force=true` })).statusCode).toBe(204);
    const shown = (await owner.get(`/api/v1/automation/rules/${rule.id}`)).json();
    expect(shown.problems).toEqual(['第 1 个动作的标签（标签）已删除']);

    await startConversation(context, inbox.token, '你好');
    const [run] = await untilRuns(owner, rule.id);
    expect(run).toMatchObject({ status: 'skipped' });
    expect(run!.reason).toContain('已删除');
    expect((await owner.get(`/api/v1/automation/rules/${rule.id}`)).json()).toMatchObject({
      runCount: 0,
      failureCount: 0,
    });
    // A broken rule cannot be switched on again until it is fixed.
    await owner.patch(`/api/v1/automation/rules/${rule.id}`, { enabled: false });
    const enable = await owner.patch(`/api/v1/automation/rules/${rule.id}`, { enabled: true });
    expect(enable.statusCode).toBe(400);
    expect(enable.json().error.code).toBe('automation_rule.invalid');
  });

  it('never lets a rule trigger itself: tags added by automation start no rule', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const first = await newTag(owner, '甲');
    const second = await newTag(owner, '乙');
    const rule = await createRule(owner, {
      name: '会话打标签时再打一个',
      trigger: { type: 'conversation.tag_added' },
      actions: [{ type: 'add_tag', target: 'conversation', tagId: second }],
    });
    const chat = await startConversation(context, inbox.token, '你好');
    await owner.request({
      method: 'PUT',
      url: `/api/v1/conversations/${chat.conversationId}/tags`,
      payload: { add: [first] },
    });
    await untilRuns(owner, rule.id, 2);
    await pause(300);
    expect(await appliedTagNames(owner, 'conversations', chat.conversationId)).toEqual(['乙', '甲']);
    // The tag the rule added is logged as skipped, with the reason (J#7), and acted on nothing.
    const runs = await runsOf(owner, rule.id);
    expect(runs.map((run) => run.status).sort()).toEqual(['skipped', 'succeeded']);
    expect(runs.find((run) => run.status === 'skipped')!.reason).toContain(
      '由自动化规则「会话打标签时再打一个」产生的变化不会触发其他规则',
    );
  });

  it('caps the runs on one conversation', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const rule = await createRule(owner, {
      name: '每条消息备注',
      trigger: { type: 'message.created', direction: 'inbound' },
      actions: [{ type: 'private_note', content: '收到' }],
    });
    const chat = await startConversation(context, inbox.token, '第一条');
    await untilRuns(owner, rule.id);
    // As if the conversation had been busy: the cap counts recent runs on it.
    await pool.query(
      `insert into automation_runs (id, workspace_id, rule_id, trigger_key, status, conversation_id)
       select gen_random_uuid(), $1, $2, 'filler:' || g, 'succeeded', $3 from generate_series(1, 25) g`,
      [owner.workspaceId, rule.id, chat.conversationId],
    );
    await chat.visitor.send('第二条');
    const runs = await until(
      () => runsOf(owner, rule.id),
      (items) => items.some((run) => run.status === 'skipped'),
    );
    expect(runs.find((run) => run.status === 'skipped')!.reason).toContain('已暂停');
  });
});

describe('triggers', () => {
  it('runs on customer creation, customer tags, resolution and orders', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const vip = await tagIdByName(owner, 'VIP');
    const loyal = await tagIdByName(owner, '复购');
    const note = (content: string) => [{ type: 'private_note', content }];
    const created = await createRule(owner, {
      name: '新客户',
      trigger: { type: 'customer.created' },
      actions: [{ type: 'add_tag', target: 'customer', tagId: loyal }],
    });
    const tagged = await createRule(owner, {
      name: 'VIP 提醒',
      trigger: { type: 'customer.tag_added', tagId: vip },
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    const resolved = await createRule(owner, {
      name: '解决后',
      trigger: { type: 'conversation.resolved' },
      actions: note('已解决'),
    });
    const bigOrder = await createRule(owner, {
      name: '大额订单',
      trigger: { type: 'order.created' },
      conditions: { op: 'and', conditions: [{ field: 'order.amount_fen', operator: 'gte', value: 100_000 }] },
      actions: note('大额订单'),
    });
    const shipped = await createRule(owner, {
      name: '已发货',
      trigger: { type: 'order.updated' },
      conditions: { op: 'and', conditions: [{ field: 'order.status', operator: 'in', value: ['shipped'] }] },
      actions: note('已发货'),
    });

    const visitor = await createVisitor(context, inbox.token);
    await visitor.send('你好');
    const customerId = await customerIdOf(context, visitor.sourceId);
    await untilRuns(owner, created.id);
    expect(await appliedTagNames(owner, 'customers', customerId)).toEqual(['复购']);
    const conversationId = (
      await pool.query<{ id: string }>('select id from conversations where customer_id = $1', [customerId])
    ).rows[0]!.id;

    await owner.request({ method: 'PUT', url: `/api/v1/customers/${customerId}/tags`, payload: { add: [vip] } });
    await untilRuns(owner, tagged.id);
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).json().priority).toBe('urgent');

    expect(
      (await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' })).statusCode,
    ).toBe(200);
    const [resolvedRun] = await untilRuns(owner, resolved.id);
    expect(resolvedRun!.triggerKey).toBe(`conversation:${conversationId}:resolved`);

    const order = { platform: 'taobao', orderNo: 'T-1', status: 'paid', amountFen: 120_000, customer: { customerId } };
    expect((await owner.post('/api/v1/orders', order)).statusCode).toBeLessThan(300);
    await owner.post('/api/v1/orders', { ...order, orderNo: 'T-2', amountFen: 500 });
    await untilRuns(owner, bigOrder.id);
    await owner.post('/api/v1/orders', { ...order, status: 'shipped' });
    await untilRuns(owner, shipped.id);
    await pause(200);
    expect(await runsOf(owner, bigOrder.id)).toHaveLength(1);
    expect(await runsOf(owner, shipped.id)).toHaveLength(1);
  });

  it('fires "no agent reply for X minutes" once per waiting period, and scheduled rules once a day', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const waiting = await createRule(owner, {
      name: '10 分钟未回复',
      trigger: { type: 'time.no_agent_reply', minutes: 10 },
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    const chat = await startConversation(context, inbox.token, '在吗');
    const later = new Date(Date.now() + 11 * 60_000);
    await context.services.automationEngine.sweep(new Date(Date.now() + 5 * 60_000));
    expect(await runsOf(owner, waiting.id)).toHaveLength(0);
    await context.services.automationEngine.sweep(later);
    await context.services.automationEngine.sweep(later);
    const runs = await runsOf(owner, waiting.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('succeeded');
    expect((await owner.get(`/api/v1/conversations/${chat.conversationId}`)).json().priority).toBe('high');

    // The agent answers: now the customer owes a reply, and "no customer reply" counts from the answer.
    const silent = await createRule(owner, {
      name: '客户 30 分钟未回复',
      trigger: { type: 'time.no_customer_reply', minutes: 30 },
      actions: [{ type: 'private_note', content: '客户未回复，可跟进' }],
    });
    await owner.post(`/api/v1/conversations/${chat.conversationId}/messages`, {
      content: '您好，请问还有什么可以帮您？',
    });
    await context.services.automationEngine.sweep(new Date(Date.now() + 10 * 60_000));
    expect(await runsOf(owner, silent.id)).toHaveLength(0);
    await context.services.automationEngine.sweep(new Date(Date.now() + 31 * 60_000));
    await context.services.automationEngine.sweep(new Date(Date.now() + 32 * 60_000));
    expect((await runsOf(owner, silent.id)).map((run) => run.status)).toEqual(['succeeded']);

    // Daily at 09:00 Shanghai (01:00 UTC) on open conversations.
    const daily = await createRule(owner, {
      name: '每日巡检',
      trigger: { type: 'schedule', frequency: 'daily', time: '09:00', target: { kind: 'open_conversations' } },
      actions: [{ type: 'private_note', content: '每日巡检：仍未解决' }],
    });
    const nineThirty = new Date('2026-11-20T01:30:00Z');
    await context.services.automationEngine.sweep(new Date('2026-11-20T00:30:00Z')); // 08:30: not yet
    await context.services.automationEngine.sweep(nineThirty);
    await context.services.automationEngine.sweep(nineThirty);
    const dailyRuns = await runsOf(owner, daily.id);
    expect(dailyRuns).toHaveLength(1);
    expect(dailyRuns[0]).toMatchObject({
      status: 'succeeded',
      triggerKey: `schedule:${daily.id}:2026-11-20`,
      context: { targets: 1 },
    });
    expect(
      await countRows(context, `from messages where conversation_id = $1 and private and content like '每日巡检%'`, [
        chat.conversationId,
      ]),
    ).toBe(1);
  });
});

describe('dry run', () => {
  it('counts what a saved or unsaved rule would have done in the last 7 days, acting on nothing', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    await startConversation(context, inbox.token, '我要退货');
    await startConversation(context, inbox.token, '退货怎么寄回');
    await startConversation(context, inbox.token, '发货了吗');
    const draft = {
      name: '退货',
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: { op: 'and', conditions: [{ field: 'message.content', operator: 'contains', value: '退货' }] },
      actions: [{ type: 'add_tag', target: 'customer', tagId: await tagIdByName(owner, '售后客户') }],
    };
    const response = await analyst.post('/api/v1/automation/rules/dry-run', { rule: draft });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ wouldFire: 2, examined: 3, truncated: false, problems: [] });
    const samples = response.json().samples as { at: string; summary: string }[];
    expect(samples).toHaveLength(2);
    // Newest first.
    expect(samples.map((sample) => sample.summary)).toEqual([
      expect.stringContaining('退货怎么寄回'),
      expect.stringContaining('我要退货'),
    ]);
    expect(Date.parse(samples[0]!.at)).toBeGreaterThanOrEqual(Date.parse(samples[1]!.at));

    const saved = await createRule(owner, { ...draft, enabled: false });
    expect((await owner.post('/api/v1/automation/rules/dry-run', { ruleId: saved.id })).json().wouldFire).toBe(2);
    expect(await countRows(context, 'from customer_tags where workspace_id = $1', [owner.workspaceId])).toBe(0);
    expect(await countRows(context, 'from automation_runs where workspace_id = $1', [owner.workspaceId])).toBe(0);

    const bad = await owner.post('/api/v1/automation/rules/dry-run', { rule: { ...draft, actions: [] } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('rule lifecycle', () => {
  it('updates, disables and deletes a rule, and a disabled rule does not run', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const rule = await createRule(owner, {
      name: '新会话',
      trigger: { type: 'conversation.created' },
      actions: [{ type: 'private_note', content: 'x' }],
    });
    const updated = await owner.patch(`/api/v1/automation/rules/${rule.id}`, {
      name: '新会话（停用）',
      enabled: false,
    });
    expect(updated.json()).toMatchObject({ name: '新会话（停用）', enabled: false });
    await startConversation(context, inbox.token, '你好');
    await pause(300);
    expect(await runsOf(owner, rule.id)).toHaveLength(0);
    expect((await owner.request({ method: 'DELETE', url: `/api/v1/automation/rules/${rule.id}` })).statusCode).toBe(
      204,
    );
    expect((await owner.get(`/api/v1/automation/rules/${rule.id}`)).statusCode).toBe(404);
  });
});

describe('demo data', () => {
  it(
    'seeds the auto-tag and urgency presets as healthy, disabled rules',
    async () => {
      const { seedDemoWorkspace } = await import('../../db/demo-seed.ts');
      const { login } = await import('../../../test/harness.ts');
      const { email, password } = await seedDemoWorkspace(context, context.database);
      const owner = await login(context, email, password);
      const rules = (await owner.get('/api/v1/automation/rules')).json().items as {
        name: string;
        enabled: boolean;
        problems: string[];
        actions: { type: string; target?: string }[];
      }[];
      expect(rules.map((rule) => rule.name)).toEqual(['退货咨询自动打标签', '紧急诉求升级']);
      expect(rules.every((rule) => !rule.enabled && rule.problems.length === 0)).toBe(true);
      // Every action its description promises: the conversation tag as well as the customer tag.
      expect(rules[0]!.actions.map((action) => `${action.type}:${action.target}`)).toEqual([
        'add_tag:conversation',
        'add_tag:customer',
      ]);
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});
