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
    expect(seen.map((entry) => entry.action)).toEqual(['users.created']);
    expect(seen[0]!.targetName).toBe('乙店管理员');
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
