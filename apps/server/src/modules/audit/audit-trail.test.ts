import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, PASSWORD } from '../../../test/harness.ts';

// Private addresses allowed: the SMS inbox below names a provider on localhost (never called).
const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });

type Entry = {
  action: string;
  actor: { id: string; name: string } | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  details: Record<string, unknown>;
};

/** The workspace's log, oldest first (what happened, in order). */
async function logOf(client: Client): Promise<Entry[]> {
  const page = await client.get('/api/v1/audit-log?limit=100');
  expect(page.statusCode, page.body).toBe(200);
  return (page.json().items as Entry[]).reverse();
}

/** Entries written after `before` entries were there. */
const since = async (client: Client, before: number) => (await logOf(client)).slice(before);

const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });

describe('member management in the audit log', () => {
  it('records adding a member, role changes, disabling, enabling and profile changes, with who and before → after', async () => {
    const { owner } = await createWorkspace(context);
    const team = (await owner.post('/api/v1/teams', { name: '售后组' })).json();
    const start = (await logOf(owner)).length;

    const created = await owner.post('/api/v1/users', {
      email: 'XiaoMei@Test.Huike',
      name: '小美',
      role: 'agent',
      password: PASSWORD,
      teamIds: [team.id],
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await owner.patch(`/api/v1/users/${id}`, { role: 'admin' });
    await owner.patch(`/api/v1/users/${id}`, { disabled: true });
    await owner.patch(`/api/v1/users/${id}`, { disabled: false });
    await owner.patch(`/api/v1/users/${id}`, { name: '小美（售后）', teamIds: [] });
    // Nothing changed: nothing recorded.
    await owner.patch(`/api/v1/users/${id}`, { role: 'admin', disabled: false });

    const entries = await since(owner, start);
    const who = { email: 'xiaomei@test.huike' };
    expect(
      entries.map(({ action, targetType, targetId, details }) => ({ action, targetType, targetId, details })),
    ).toEqual([
      {
        action: 'users.created',
        targetType: 'user',
        targetId: id,
        details: { name: '小美', ...who, role: 'agent', teams: ['售后组'] },
      },
      {
        action: 'users.role_changed',
        targetType: 'user',
        targetId: id,
        details: { name: '小美', ...who, changes: { role: { before: 'agent', after: 'admin' } } },
      },
      { action: 'users.disabled', targetType: 'user', targetId: id, details: { name: '小美', ...who } },
      { action: 'users.enabled', targetType: 'user', targetId: id, details: { name: '小美', ...who } },
      {
        action: 'users.updated',
        targetType: 'user',
        targetId: id,
        details: {
          name: '小美（售后）',
          ...who,
          changes: { name: { before: '小美', after: '小美（售后）' }, teams: { before: ['售后组'], after: [] } },
        },
      },
    ]);
    expect(entries.every((entry) => entry.actor?.id === owner.userId && entry.actor?.name === '店长')).toBe(true);
    expect(entries[0]!.targetName).toBe('小美');
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
  });

  it('records one entry per kind of change when a single save changes role and status together', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小王');
    const start = (await logOf(owner)).length;
    await owner.patch(`/api/v1/users/${agent.userId}`, { role: 'supervisor', disabled: true });
    expect((await since(owner, start)).map((entry) => entry.action)).toEqual(['users.role_changed', 'users.disabled']);
  });

  it('records nothing for a refused change', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const admin = await addUser('admin', '管理员');
    const agent = await addUser('agent', '客服');
    const start = (await logOf(owner)).length;

    // An agent may not manage members at all; an admin may not touch the owner nor hand out the owner role;
    // nobody changes their own role.
    const refusals = [
      await agent.patch(`/api/v1/users/${agent.userId}`, { role: 'admin' }),
      await agent.post('/api/v1/users', { email: 'x@test.huike', name: 'x', role: 'agent', password: PASSWORD }),
      await admin.patch(`/api/v1/users/${owner.userId}`, { role: 'agent' }),
      await admin.patch(`/api/v1/users/${owner.userId}`, { disabled: true }),
      await admin.patch(`/api/v1/users/${agent.userId}`, { role: 'owner' }),
      await admin.patch(`/api/v1/users/${admin.userId}`, { role: 'agent' }),
      await agent.post('/api/v1/teams', { name: '私设小组' }),
    ];
    expect(refusals.map((response) => response.statusCode)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect(await since(owner, start)).toEqual([]);
  });

  it('records creating a team with its members', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const a = await addUser('agent', '阿珍');
    const b = await addUser('agent', '阿强');
    const start = (await logOf(owner)).length;
    const team = (await owner.post('/api/v1/teams', { name: '夜班', memberIds: [a.userId, b.userId] })).json();
    expect(await since(owner, start)).toMatchObject([
      {
        action: 'teams.created',
        targetType: 'team',
        targetId: team.id,
        targetName: '夜班',
        details: { name: '夜班', members: ['阿强', '阿珍'].sort((x, y) => x.localeCompare(y, 'zh-CN')) },
      },
    ]);
  });

  it("is not readable by another workspace's admin", async () => {
    const a = await createWorkspace(context, '甲店');
    const b = await createWorkspace(context, '乙店');
    await a.addUser('agent', '甲店客服');
    await a.owner.post('/api/v1/teams', { name: '甲店售后' });
    const bAdmin = await b.addUser('admin', '乙店管理员');
    const seen = (await bAdmin.get('/api/v1/audit-log?limit=100')).json().items as Entry[];
    // B's own history only: its website inbox (made by the harness) and its admin.
    expect(seen.map((entry) => [entry.action, entry.targetName])).toEqual([
      ['users.created', '乙店管理员'],
      ['inboxes.created', '官网'],
    ]);
    expect(JSON.stringify(seen)).not.toContain('甲店');
    expect((await bAdmin.get('/api/v1/audit-log?action=teams.created')).json().items).toEqual([]);
    expect((await bAdmin.get('/api/v1/audit-log?targetType=team')).json().items).toEqual([]);
    expect((await a.owner.get('/api/v1/audit-log?action=teams.created')).json().items).toHaveLength(1);
  });
});

describe('SLA policies in the audit log', () => {
  it('records create, update (before → after) and delete by name', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const team = (await owner.post('/api/v1/teams', { name: '升级组' })).json();
    const start = (await logOf(owner)).length;

    const created = await owner.post('/api/v1/sla-policies', {
      name: 'VIP 工单',
      severities: ['urgent'],
      targets: { first_response: 60, resolution: 480 },
      escalation: { teamId: team.id },
    });
    expect(created.statusCode, created.body).toBe(201);
    const policy = created.json();
    await owner.patch(`/api/v1/sla-policies/${policy.id}`, {
      name: 'VIP 加急工单',
      enabled: false,
      targets: { first_response: 30, resolution: 480, escalation: null },
    });
    // A refused change (an analyst) records nothing.
    const analyst = await addUser('analyst');
    const before = (await logOf(owner)).length;
    expect((await analyst.patch(`/api/v1/sla-policies/${policy.id}`, { name: '改' })).statusCode).toBe(403);
    expect(await since(owner, before)).toEqual([]);
    expect((await del(owner, `/api/v1/sla-policies/${policy.id}`)).statusCode).toBe(204);

    const entries = (await since(owner, start)).filter((entry) => entry.targetType === 'sla_policy');
    expect(
      entries.map(({ action, targetId, targetName, details }) => ({ action, targetId, targetName, details })),
    ).toEqual([
      {
        action: 'sla_policies.created',
        targetId: policy.id,
        targetName: 'VIP 工单',
        details: {
          name: 'VIP 工单',
          enabled: true,
          hours: 'business',
          firstResponseMinutes: 60,
          resolutionMinutes: 480,
          severities: ['urgent'],
          escalation: { notifySupervisors: true, raiseSeverity: false, assignee: null, team: '升级组' },
        },
      },
      {
        action: 'sla_policies.updated',
        targetId: policy.id,
        targetName: 'VIP 加急工单',
        details: {
          name: 'VIP 加急工单',
          changes: {
            name: { before: 'VIP 工单', after: 'VIP 加急工单' },
            enabled: { before: true, after: false },
            firstResponseMinutes: { before: 60, after: 30 },
          },
        },
      },
      {
        action: 'sla_policies.deleted',
        targetId: policy.id,
        targetName: 'VIP 加急工单',
        details: { name: 'VIP 加急工单' },
      },
    ]);
  });
});

describe('knowledge articles in the audit log', () => {
  it('records create, edit, publish, unpublish and delete by title', async () => {
    const { owner } = await createWorkspace(context);
    const category = (await owner.post('/api/v1/knowledge/categories', { name: '售后' })).json();
    const start = (await logOf(owner)).length;

    const article = (
      await owner.post('/api/v1/knowledge/articles', { title: '退货流程', body: '<p>七天无理由</p>', status: 'draft' })
    ).json();
    await owner.patch(`/api/v1/knowledge/articles/${article.id}`, {
      title: '退换货流程',
      body: '<p>七天无理由退换</p>',
      categoryId: category.id,
    });
    await owner.patch(`/api/v1/knowledge/articles/${article.id}`, { status: 'published' });
    await owner.patch(`/api/v1/knowledge/articles/${article.id}`, { status: 'draft' });
    await owner.patch(`/api/v1/knowledge/articles/${article.id}`, { title: '退换货流程' });
    expect((await del(owner, `/api/v1/knowledge/articles/${article.id}`)).statusCode).toBe(204);
    const published = (
      await owner.post('/api/v1/knowledge/articles', {
        title: '发货时间',
        body: '<p>48 小时内</p>',
        status: 'published',
      })
    ).json();

    const entries = (await since(owner, start)).map(({ action, targetType, targetId, details }) => ({
      action,
      targetType,
      targetId,
      details,
    }));
    const target = { targetType: 'kb_article', targetId: article.id };
    expect(entries).toEqual([
      {
        action: 'kb_articles.created',
        ...target,
        details: { title: '退货流程', status: 'draft', category: null, locale: 'zh-CN' },
      },
      {
        action: 'kb_articles.updated',
        ...target,
        details: {
          title: '退换货流程',
          changes: {
            title: { before: '退货流程', after: '退换货流程' },
            category: { before: null, after: '售后' },
            body: { changed: true },
          },
        },
      },
      {
        action: 'kb_articles.published',
        ...target,
        details: { title: '退换货流程', changes: { status: { before: 'draft', after: 'published' } } },
      },
      {
        action: 'kb_articles.unpublished',
        ...target,
        details: { title: '退换货流程', changes: { status: { before: 'published', after: 'draft' } } },
      },
      { action: 'kb_articles.deleted', ...target, details: { title: '退换货流程' } },
      {
        action: 'kb_articles.created',
        targetType: 'kb_article',
        targetId: published.id,
        details: { title: '发货时间', status: 'published', category: null, locale: 'zh-CN' },
      },
      {
        action: 'kb_articles.published',
        targetType: 'kb_article',
        targetId: published.id,
        details: { title: '发货时间' },
      },
    ]);
  });

  it('records nothing when a supervisor-only change is refused to an agent', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const start = (await logOf(owner)).length;
    expect((await agent.post('/api/v1/knowledge/articles', { title: 'x', body: '' })).statusCode).toBe(403);
    expect(await since(owner, start)).toEqual([]);
  });
});

describe('channel settings in the audit log', () => {
  it('records creating a channel by name and type, never its connection secrets, and nothing for a refused one', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    // The workspace's first entry is the website inbox the harness created.
    expect((await logOf(owner))[0]).toMatchObject({
      action: 'inboxes.created',
      actor: { id: owner.userId, name: '店长' },
      targetType: 'inbox',
      targetId: inbox.id,
      targetName: '官网',
      details: { name: '官网', channelType: 'website' },
    });
    const agent = await addUser('agent');
    const start = (await logOf(owner)).length;

    const config = {
      providerUrl: 'http://127.0.0.1:9/sms',
      accessKeyId: 'shop-key-id',
      accessKeySecret: 'created-secret-value',
      signName: '慧客商城',
      templates: { notification: 'SMS_1001' },
    };
    expect(
      (await agent.post('/api/v1/inboxes', { name: '偷建渠道', channelType: 'sms', channelConfig: config })).statusCode,
    ).toBe(403);
    const incomplete = await owner.post('/api/v1/inboxes', { name: '缺设置', channelType: 'sms', channelConfig: {} });
    expect(incomplete.statusCode).toBe(400);
    const created = await owner.post('/api/v1/inboxes', { name: '短信', channelType: 'sms', channelConfig: config });
    expect(created.statusCode, created.body).toBe(201);

    const entries = await since(owner, start);
    expect(
      entries.map(({ action, actor, targetType, targetId, targetName, details }) => ({
        action,
        actor: actor?.id,
        targetType,
        targetId,
        targetName,
        details,
      })),
    ).toEqual([
      {
        action: 'inboxes.created',
        actor: owner.userId,
        targetType: 'inbox',
        targetId: created.json().id,
        targetName: '短信',
        details: { name: '短信', channelType: 'sms' },
      },
    ]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain('created-secret-value');
    expect(text).not.toContain('shop-key-id');
  });

  it('records settings and business hours separately, with before → after', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const start = (await logOf(owner)).length;
    const hours = {
      enabled: true,
      timezone: 'Asia/Shanghai',
      weekly: {
        mon: [{ start: '09:00', end: '18:00' }],
        tue: [{ start: '09:00', end: '18:00' }],
        wed: [],
        thu: [],
        fri: [],
        sat: [],
        sun: [],
      },
    };
    const saved = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      name: '官方商城',
      settings: { color: '#ff0000', businessHours: hours },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const stored = saved.json().settings.businessHours;
    // The same values again: nothing recorded.
    await owner.patch(`/api/v1/inboxes/${inbox.id}`, { name: '官方商城', settings: { color: '#ff0000' } });

    expect(
      (await since(owner, start)).map(({ action, targetType, targetId, targetName, details }) => ({
        action,
        targetType,
        targetId,
        targetName,
        details,
      })),
    ).toEqual([
      {
        action: 'inboxes.updated',
        targetType: 'inbox',
        targetId: inbox.id,
        targetName: '官方商城',
        details: {
          name: '官方商城',
          channelType: 'website',
          changes: {
            name: { before: '官网', after: '官方商城' },
            color: { before: '#1677ff', after: '#ff0000' },
          },
        },
      },
      {
        action: 'inboxes.business_hours_updated',
        targetType: 'inbox',
        targetId: inbox.id,
        targetName: '官方商城',
        details: {
          name: '官方商城',
          channelType: 'website',
          changes: { businessHours: { before: null, after: stored } },
        },
      },
    ]);
  });

  it('records which connection settings changed but never a secret', async () => {
    const { owner } = await createWorkspace(context);
    const config = {
      providerUrl: 'http://127.0.0.1:9/sms',
      accessKeyId: 'shop-key-id',
      accessKeySecret: 'first-secret-value',
      signName: '慧客商城',
      templates: { notification: 'SMS_1001' },
    };
    const created = await owner.post('/api/v1/inboxes', { name: '短信', channelType: 'sms', channelConfig: config });
    expect(created.statusCode, created.body).toBe(201);
    const start = (await logOf(owner)).length;
    const saved = await owner.patch(`/api/v1/inboxes/${created.json().id}`, {
      channelConfig: { accessKeySecret: 'second-secret-value', signName: '慧客旗舰店' },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const entries = await since(owner, start);
    expect(entries).toMatchObject([
      {
        action: 'inboxes.updated',
        details: {
          name: '短信',
          channelType: 'sms',
          changes: {
            'channelConfig.accessKeySecret': { changed: true },
            'channelConfig.signName': { before: '慧客商城', after: '慧客旗舰店' },
          },
        },
      },
    ]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain('first-secret-value');
    expect(text).not.toContain('second-secret-value');
    expect(text).not.toContain('v1:');
  });

  it('records nothing when an agent is refused', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const start = (await logOf(owner)).length;
    expect((await agent.patch(`/api/v1/inboxes/${inbox.id}`, { name: '改名' })).statusCode).toBe(403);
    expect(await since(owner, start)).toEqual([]);
  });
});

describe('automation rules, keyword replies and webhooks in the audit log', () => {
  /** An entry as a reviewer reads it: what, which, and the change (no ids, no times). */
  const readable = (entries: Entry[]) =>
    entries.map(({ action, targetName, details }) => ({ action, targetName, details }));

  it('records a rule edit before → after, conditions and actions summarised, and nothing for a save that changes nothing', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const rule = {
      name: '退货提醒',
      trigger: { type: 'message.created' },
      conditions: { op: 'and', conditions: [{ field: 'message.content', operator: 'contains', value: '退货' }] },
      actions: [{ type: 'set_priority', priority: 'high' }],
    };
    const created = await owner.post('/api/v1/automation/rules', rule);
    expect(created.statusCode, created.body).toBe(201);
    const url = `/api/v1/automation/rules/${created.json().id}`;
    const start = (await logOf(owner)).length;

    const businessHours = { field: 'business_hours', operator: 'is', value: 'open' };
    const edited = await owner.patch(url, {
      name: '退货加急',
      enabled: true,
      trigger: { type: 'message.created', direction: 'any' },
      conditions: { op: 'and', conditions: [...rule.conditions.conditions, businessHours] },
      actions: [...rule.actions, { type: 'private_note', content: '客户在问退货，请优先处理' }],
    });
    expect(edited.statusCode, edited.body).toBe(200);
    // Other values inside the same kinds of condition and action: 「已修改」, not the JSON.
    const tuned = await owner.patch(url, {
      conditions: { op: 'and', conditions: [{ ...rule.conditions.conditions[0], value: '退款' }, businessHours] },
      actions: [{ type: 'set_priority', priority: 'urgent' }, edited.json().actions[1]],
    });
    expect(tuned.statusCode, tuned.body).toBe(200);
    // The same rule saved again, and a refused edit: nothing recorded.
    const { name, enabled, trigger, conditions, actions } = tuned.json();
    expect((await owner.patch(url, { name, enabled, trigger, conditions, actions })).statusCode).toBe(200);
    expect((await agent.patch(url, { name: '改名' })).statusCode).toBe(403);

    expect(readable(await since(owner, start))).toEqual([
      {
        action: 'automation_rule.updated',
        targetName: '退货加急',
        details: {
          name: '退货加急',
          changes: {
            name: { before: '退货提醒', after: '退货加急' },
            enabled: { before: false, after: true },
            trigger: {
              before: { type: 'message.created', direction: 'inbound' },
              after: { type: 'message.created', direction: 'any' },
            },
            conditions: { before: ['message.content'], after: ['message.content', 'business_hours'] },
            actions: { before: ['set_priority'], after: ['set_priority', 'private_note'] },
          },
        },
      },
      {
        action: 'automation_rule.updated',
        targetName: '退货加急',
        details: { name: '退货加急', changes: { conditions: { changed: true }, actions: { changed: true } } },
      },
    ]);
  });

  it('records a keyword reply edit before → after, with the template and channels by name', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const template = await owner.post('/api/v1/templates', {
      scope: 'workspace',
      title: '发货时间',
      content: '亲，48 小时内发货',
    });
    expect(template.statusCode, template.body).toBe(201);
    const created = await owner.post('/api/v1/keyword-replies', {
      name: '发货咨询',
      keywords: ['发货', '几天到'],
      replyText: '亲，付款后 48 小时内发货',
    });
    expect(created.statusCode, created.body).toBe(201);
    const url = `/api/v1/keyword-replies/${created.json().id}`;
    const start = (await logOf(owner)).length;

    const edited = await owner.patch(url, {
      keywords: ['发货', '几天到', '快递'],
      matchMode: 'exact',
      templateId: template.json().id,
      inboxIds: [inbox.id],
      hours: 'business',
      frequency: 'cooldown',
      cooldownMinutes: 30,
      stopOtherRules: true,
      enabled: false,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    // A long reply is kept by its start; a change past the start reads 「已修改」.
    const long = `亲，${'我们会尽快为您安排发货。'.repeat(12)}`;
    expect((await owner.patch(url, { replyText: `${long}谢谢` })).statusCode).toBe(200);
    expect((await owner.patch(url, { replyText: `${long}感谢支持` })).statusCode).toBe(200);
    // Nothing changed: nothing recorded.
    expect((await owner.patch(url, { name: '发货咨询', enabled: false, inboxIds: [inbox.id] })).statusCode).toBe(200);

    expect(readable(await since(owner, start))).toEqual([
      {
        action: 'keyword_replies.updated',
        targetName: '发货咨询',
        details: {
          name: '发货咨询',
          changes: {
            keywords: { before: ['发货', '几天到'], after: ['发货', '几天到', '快递'] },
            matchMode: { before: 'contains', after: 'exact' },
            replyHours: { before: 'always', after: 'business' },
            frequency: { before: 'every_time', after: 'cooldown' },
            cooldownMinutes: { before: null, after: 30 },
            stopOtherRules: { before: false, after: true },
            enabled: { before: true, after: false },
            template: { before: null, after: '发货时间' },
            replyText: { before: '亲，付款后 48 小时内发货', after: null },
            inboxes: { before: [], after: ['官网'] },
          },
        },
      },
      {
        action: 'keyword_replies.updated',
        targetName: '发货咨询',
        details: {
          name: '发货咨询',
          changes: {
            template: { before: '发货时间', after: null },
            replyText: { before: null, after: `${long.slice(0, 100)}…` },
          },
        },
      },
      {
        action: 'keyword_replies.updated',
        targetName: '发货咨询',
        details: { name: '发货咨询', changes: { replyText: { changed: true } } },
      },
    ]);
  });

  it("records a webhook edit before → after, its secret and its address's token only as changed", async () => {
    const { owner } = await createWorkspace(context);
    const created = await owner.post('/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook?access_token=first-token',
      events: ['ticket.created', 'message.created'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const url = `/api/v1/webhooks/${created.json().id}`;

    // Another token in the address: changed, never shown.
    expect((await owner.patch(url, { url: 'http://127.0.0.1:9/hook?access_token=second-token' })).statusCode).toBe(200);
    const edited = await owner.patch(url, {
      url: 'http://127.0.0.1:9/orders',
      description: '订单推送',
      events: ['message.created', 'ticket.created', 'ticket.updated'],
      enabled: false,
      rotateSecret: true,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    // The same events in another order, and the rest as it is: nothing recorded.
    const again = await owner.patch(url, {
      description: '订单推送',
      events: ['ticket.updated', 'ticket.created', 'message.created'],
      enabled: false,
    });
    expect(again.statusCode).toBe(200);
    expect((await del(owner, url)).statusCode).toBe(204);

    const entries = (await logOf(owner)).filter((entry) => entry.targetType === 'webhook');
    expect(readable(entries)).toEqual([
      {
        action: 'webhooks.created',
        targetName: 'http://127.0.0.1:9/hook?…',
        details: {
          name: 'http://127.0.0.1:9/hook?…',
          events: ['message.created', 'ticket.created'],
          enabled: true,
        },
      },
      {
        action: 'webhooks.updated',
        targetName: 'http://127.0.0.1:9/hook?…',
        details: { name: 'http://127.0.0.1:9/hook?…', changes: { url: { changed: true } } },
      },
      {
        action: 'webhooks.updated',
        targetName: '订单推送',
        details: {
          name: '订单推送',
          changes: {
            url: { before: 'http://127.0.0.1:9/hook?…', after: 'http://127.0.0.1:9/orders' },
            description: { before: '', after: '订单推送' },
            events: {
              before: ['message.created', 'ticket.created'],
              after: ['message.created', 'ticket.created', 'ticket.updated'],
            },
            enabled: { before: true, after: false },
            secret: { changed: true },
          },
        },
      },
      { action: 'webhooks.deleted', targetName: '订单推送', details: { name: '订单推送' } },
    ]);
    const text = JSON.stringify(entries);
    for (const secret of ['first-token', 'second-token', created.json().secret, edited.json().secret]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('routing profiles in the audit log', () => {
  it("records an agent's capacity change before → after, and nothing for a save that changes nothing", async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小周');
    const capacity = (await owner.get('/api/v1/routing/agents'))
      .json()
      .items.find((item: { userId: string }) => item.userId === agent.userId).capacity as number;
    const start = (await logOf(owner)).length;
    expect((await owner.patch(`/api/v1/routing/agents/${agent.userId}`, { capacity: 0 })).statusCode).toBe(200);
    expect((await owner.patch(`/api/v1/routing/agents/${agent.userId}`, { capacity: 0 })).statusCode).toBe(200);
    expect(await since(owner, start)).toEqual([
      expect.objectContaining({
        action: 'routing.agent_updated',
        targetName: '小周',
        details: { name: '小周', changes: { capacity: { before: capacity, after: 0 } } },
      }),
    ]);
  });
});

describe('target names', () => {
  it('names targets of entries recorded without a name by their current name, else leaves it null', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小李');
    await context.services.audit.record(context.database.db, {
      workspaceId: owner.workspaceId!,
      actorId: owner.userId!,
      action: 'routing.agent_updated',
      targetType: 'user',
      targetId: agent.userId!,
      details: { fields: ['capacity'] },
    });
    await context.services.audit.record(context.database.db, {
      workspaceId: owner.workspaceId!,
      actorId: owner.userId!,
      action: 'routing.rule_deleted',
      targetType: 'routing_rule',
      targetId: '0195f3a4-0000-7000-8000-000000000000',
    });
    const [ruleEntry, agentEntry] = (await owner.get('/api/v1/audit-log?limit=2')).json().items as Entry[];
    expect(agentEntry).toMatchObject({ action: 'routing.agent_updated', targetName: '小李' });
    expect(ruleEntry).toMatchObject({ action: 'routing.rule_deleted', targetName: null });
  });
});
