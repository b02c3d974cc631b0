import { describe, expect, it } from 'vitest';
import {
  type Client,
  createTestApp,
  createWorkspace,
  listen,
  openSocket,
  pause,
  startConversation,
} from '../../../test/harness.ts';
import { canAgentTake, createRoutingService, pickAssignee, type RoutingService, seedDemoRouting } from './index.ts';

const context = await createTestApp();
const { pool } = context.database;

/** Routing runs on events after the write: wait for its latest decision on a conversation to be applied. */
async function routed(conversationId: string) {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const { rows } = await pool.query<{
      outcome: string;
      reason: string;
      assignee_id: string | null;
      team_id: string | null;
      current_assignee: string | null;
      current_team: string | null;
    }>(
      `select l.outcome, l.reason, l.assignee_id, l.team_id, c.assignee_id as current_assignee, c.team_id as current_team
       from routing_log l join conversations c on c.id = l.conversation_id
       where l.conversation_id = $1 order by l.id desc limit 1`,
      [conversationId],
    );
    const row = rows[0];
    // The assignment itself is published right after the log entry: wait until it has landed too.
    const isApplied =
      row &&
      (row.outcome === 'queued'
        ? row.team_id === null || row.current_team === row.team_id
        : row.current_assignee === row.assignee_id);
    if (row && isApplied) {
      return { ...row, assigneeId: row.current_assignee, teamId: row.current_team };
    }
    await pause(20);
  }
  throw new Error('routing made no decision');
}

/** The trigger-kept open_load of every agent equals a fresh count of their open and pending conversations. */
async function expectLoadCountersTrue() {
  const { rows } = await pool.query<{ user_id: string; open_load: number; actual: number }>(
    `select p.user_id, p.open_load,
       (select count(*)::int from conversations c
         where c.workspace_id = p.workspace_id and c.assignee_id = p.user_id and c.status in ('open', 'pending')) as actual
     from agent_profiles p`,
  );
  expect(rows.filter((row) => row.open_load !== row.actual)).toEqual([]);
}

async function until(check: () => Promise<boolean>) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await pause(20);
  }
  throw new Error('condition never became true');
}

async function online(...agents: Client[]) {
  for (const agent of agents) {
    const response = await agent.post('/api/v1/routing/me/presence', { presence: 'online' });
    expect(response.statusCode).toBe(200);
  }
}

async function setup() {
  const ws = await createWorkspace(context);
  const workspaceId = ws.owner.workspaceId!;
  return { ...ws, workspaceId };
}

describe('routing', () => {
  it('assigns a VIP customer’s conversation to a senior agent', async () => {
    const { owner, inbox, addUser, workspaceId } = await setup();
    const junior = await addUser('agent', '小王');
    const senior = await addUser('agent', '老李');
    await owner.patch(`/api/v1/routing/agents/${senior.userId}`, { level: 'senior' });
    await online(junior, senior);
    const rule = await owner.post('/api/v1/routing/rules', {
      name: 'VIP 高价值',
      conditions: { tiers: ['loyal'] },
      teamId: null,
      requiredSkill: 'senior',
    });
    expect(rule.statusCode).toBe(201);
    const chat = await startConversation(context, inbox.token, '我的订单什么时候到？');
    await routed(chat.conversationId);
    // The customer becomes VIP (RFM 高价值); routed again as if the bot had just handed over.
    await pool.query(`update customers set rfm_tier = 'loyal' where id = $1`, [chat.customerId]);
    for (let i = 0; i < 4; i += 1) {
      await pool.query('update conversations set assignee_id = null where id = $1', [chat.conversationId]);
      await context.services.routing.routeConversation(workspaceId, chat.conversationId, 'handed_off');
      const decision = await routed(chat.conversationId);
      expect(decision.assigneeId).toBe(senior.userId);
    }
    const decision = await routed(chat.conversationId);
    expect(decision.assigneeId).toBe(senior.userId);
    expect(decision.reason).toBe('matched_rule');
  });

  it('sends a logistics question to the logistics team, normalising the text like keyword replies', async () => {
    const { owner, inbox, addUser } = await setup();
    const general = await addUser('agent', '综合客服');
    const logistics = await addUser('agent', '物流客服');
    const team = (await owner.post('/api/v1/teams', { name: '物流组', memberIds: [logistics.userId] })).json();
    await online(general, logistics);
    await owner.post('/api/v1/routing/rules', {
      name: '物流问题',
      conditions: { keywords: ['物流', '快递', '发货'] },
      teamId: team.id,
      requiredSkill: null,
    });
    // Traditional characters (快遞) normalise to the simplified keyword.
    const chat = await startConversation(context, inbox.token, '請問我的快遞到哪裡了');
    const decision = await routed(chat.conversationId);
    expect(decision.assigneeId).toBe(logistics.userId);
    expect(decision.teamId).toBe(team.id);
  });

  it('spreads new conversations round-robin and respects capacity', async () => {
    const { owner, inbox, addUser } = await setup();
    const a = await addUser('agent', '甲');
    const b = await addUser('agent', '乙');
    await owner.patch(`/api/v1/routing/agents/${a.userId}`, { capacity: 2 });
    await owner.patch(`/api/v1/routing/agents/${b.userId}`, { capacity: 2 });
    await online(a, b);
    const assignees: (string | null)[] = [];
    for (let i = 0; i < 5; i += 1) {
      const chat = await startConversation(context, inbox.token, `问题 ${i}`);
      assignees.push((await routed(chat.conversationId)).assigneeId);
    }
    expect(assignees.slice(0, 4).filter((id) => id === a.userId)).toHaveLength(2);
    expect(assignees.slice(0, 4).filter((id) => id === b.userId)).toHaveLength(2);
    expect(assignees[0]).not.toBe(assignees[1]);
    // Both are full: the fifth waits in the queue.
    expect(assignees[4]).toBeNull();
    const live = (await owner.get('/api/v1/routing/live')).json();
    expect(live.agents.find((agent: { userId: string }) => agent.userId === a.userId)).toMatchObject({
      load: 2,
      capacity: 2,
      presence: 'online',
    });
  });

  it('gives a returning customer to their last agent when that agent qualifies', async () => {
    const { inbox, addUser } = await setup();
    const a = await addUser('agent', '甲');
    const b = await addUser('agent', '乙');
    await online(a, b);
    const chat = await startConversation(context, inbox.token, '第一次来');
    const first = await routed(chat.conversationId);
    await pool.query(`update conversations set status = 'resolved' where id = $1`, [chat.conversationId]);
    // Someone else's conversation moves the round-robin on to the other agent.
    await routed((await startConversation(context, inbox.token, '路人')).conversationId);
    await chat.visitor.send('我又来了');
    const { rows } = await pool.query<{ id: string }>(
      `select id from conversations where customer_id = $1 and status <> 'resolved'`,
      [chat.customerId],
    );
    expect((await routed(rows[0]!.id)).assigneeId).toBe(first.assigneeId);
  });

  it('skips offline, busy and disabled agents and those without inbox access', async () => {
    const { owner, inbox, addUser, workspaceId } = await setup();
    const offline = await addUser('agent', '离线');
    const busy = await addUser('agent', '忙碌');
    const disabled = await addUser('agent', '停用');
    const outsider = await addUser('agent', '外人');
    const member = await addUser('agent', '成员');
    await online(busy, disabled, outsider, member);
    await busy.post('/api/v1/routing/me/presence', { presence: 'busy' });
    await owner.patch(`/api/v1/users/${disabled.userId}`, { disabled: true });
    const access = await owner.request({
      method: 'PUT',
      url: `/api/v1/routing/inboxes/${inbox.id}/members`,
      payload: { userIds: [member.userId, offline.userId, busy.userId, disabled.userId] },
    });
    expect(access.statusCode).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const chat = await startConversation(context, inbox.token, `问题 ${i}`);
      expect((await routed(chat.conversationId)).assigneeId).toBe(member.userId);
    }
    expect(await canAgentTake(context.database.db, workspaceId, outsider.userId!, inbox.id)).toBe(false);
    expect(await canAgentTake(context.database.db, workspaceId, disabled.userId!, inbox.id)).toBe(false);
    expect(await canAgentTake(context.database.db, workspaceId, member.userId!, inbox.id)).toBe(true);
    expect(
      await pickAssignee(context.database.db, { workspaceId, inboxId: inbox.id, onlyUserId: outsider.userId }),
    ).toBeNull();

    // Manual assignment refuses them too, with a clear code.
    const chat = await startConversation(context, inbox.token, '手动分配');
    await routed(chat.conversationId);
    const refused = await owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, {
      assigneeId: outsider.userId,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('routing.agent_ineligible');
    const disabledRefused = await owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, {
      assigneeId: disabled.userId,
    });
    expect(disabledRefused.statusCode).toBe(404);
    expect(disabledRefused.json().error.code).toBe('user.not_found');
    const allowed = await owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, {
      assigneeId: offline.userId,
    });
    expect(allowed.statusCode).toBe(200);
    await owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    await owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'open' });
    await owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, { assigneeId: member.userId });
    await owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'pending' });
    await expectLoadCountersTrue();
  });

  it('queues a conversation whose rule points at a removed team, and logs why', async () => {
    const { owner, inbox, addUser } = await setup();
    const agent = await addUser('agent', '投诉专员');
    await online(agent);
    const team = (await owner.post('/api/v1/teams', { name: '投诉处理组', memberIds: [agent.userId] })).json();
    const rule = (
      await owner.post('/api/v1/routing/rules', {
        name: '投诉',
        conditions: { keywords: ['投诉', '12315'] },
        teamId: team.id,
        requiredSkill: null,
      })
    ).json();
    // Teams are removed by admins in identity settings (not an API yet): straight in the database here.
    await pool.query('delete from teams where id = $1', [team.id]);
    const rules = (await owner.get('/api/v1/routing/rules')).json().items;
    expect(rules[0]).toMatchObject({ id: rule.id, teamRemoved: true, teamName: null });

    const chat = await startConversation(context, inbox.token, '我要打12315投诉你们');
    const decision = await routed(chat.conversationId);
    expect(decision).toMatchObject({ outcome: 'queued', reason: 'team_removed', assigneeId: null, teamId: null });
    const log = (await owner.get('/api/v1/routing/log')).json().items;
    expect(log[0]).toMatchObject({
      conversationId: chat.conversationId,
      // A visitor without a name: the page names them by channel and id, as the workbench does.
      customerId: chat.customerId,
      channelType: 'website',
      ruleId: rule.id,
      ruleName: '投诉',
      outcome: 'queued',
      reason: 'team_removed',
    });
  });

  it('hands the longest-waiting queued conversation to an agent who frees a slot', async () => {
    const { owner, inbox, addUser } = await setup();
    const agent = await addUser('agent', '唯一客服');
    await owner.patch(`/api/v1/routing/agents/${agent.userId}`, { capacity: 1 });
    await online(agent);
    const first = await startConversation(context, inbox.token, '第一个');
    expect((await routed(first.conversationId)).assigneeId).toBe(agent.userId);
    const second = await startConversation(context, inbox.token, '第二个');
    const third = await startConversation(context, inbox.token, '第三个');
    expect((await routed(second.conversationId)).outcome).toBe('queued');
    expect((await routed(third.conversationId)).outcome).toBe('queued');

    const live = (await owner.get('/api/v1/routing/live')).json();
    expect(live.waiting.map((row: { conversationId: string }) => row.conversationId)).toEqual(
      expect.arrayContaining([second.conversationId, third.conversationId]),
    );
    expect(
      live.waiting.find((row: { conversationId: string }) => row.conversationId === second.conversationId),
    ).toMatchObject({ customerId: second.customerId, channelType: 'website' });

    await agent.post(`/api/v1/conversations/${first.conversationId}/status`, { status: 'resolved' });
    await until(async () => (await routed(second.conversationId)).assigneeId === agent.userId);
    expect((await routed(third.conversationId)).assigneeId).toBeNull();

    // Raising the capacity frees another slot.
    await owner.patch(`/api/v1/routing/agents/${agent.userId}`, { capacity: 2 });
    await until(async () => (await routed(third.conversationId)).assigneeId === agent.userId);
    expect((await routed(third.conversationId)).reason).toBe('slot_freed');
    await expectLoadCountersTrue();
  });

  it('picks up waiting work when an agent comes online', async () => {
    const { inbox, addUser } = await setup();
    const agent = await addUser('agent', '迟到客服');
    const chat = await startConversation(context, inbox.token, '有人吗');
    expect((await routed(chat.conversationId)).outcome).toBe('queued');
    await online(agent);
    await until(async () => (await routed(chat.conversationId)).assigneeId === agent.userId);
  });

  it('waits for a queued conversation another fill holds, instead of leaving the freed slot empty', async () => {
    const { inbox, addUser } = await setup();
    const agent = await addUser('agent', '接班客服');
    const chat = await startConversation(context, inbox.token, '还在吗');
    expect((await routed(chat.conversationId)).outcome).toBe('queued');

    // Another agent's fill holds the entry, then gives it back (its agent turned out to be full).
    const holder = await pool.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from routing_queue where conversation_id = $1 for update', [chat.conversationId]);
      await online(agent);
      await pause(200);
      await holder.query('rollback');
    } finally {
      holder.release();
    }
    await until(async () => (await routed(chat.conversationId)).assigneeId === agent.userId);
    expect((await routed(chat.conversationId)).reason).toBe('slot_freed');
  });

  it('refuses lower roles and bad input', async () => {
    const { owner, addUser, inbox } = await setup();
    const agent = await addUser('agent');
    const supervisor = await addUser('supervisor');
    const analyst = await addUser('analyst');
    expect((await agent.get('/api/v1/routing/rules')).statusCode).toBe(403);
    expect((await supervisor.get('/api/v1/routing/rules')).statusCode).toBe(403);
    expect((await agent.get('/api/v1/routing/live')).statusCode).toBe(403);
    expect((await supervisor.get('/api/v1/routing/live')).statusCode).toBe(200);
    expect((await analyst.post('/api/v1/routing/me/presence', { presence: 'online' })).statusCode).toBe(403);
    expect((await agent.patch(`/api/v1/routing/agents/${agent.userId}`, { capacity: 50 })).statusCode).toBe(403);
    expect(
      (
        await agent.request({
          method: 'PUT',
          url: `/api/v1/routing/inboxes/${inbox.id}/members`,
          payload: { userIds: [] },
        })
      ).statusCode,
    ).toBe(403);

    const badPresence = await agent.post('/api/v1/routing/me/presence', { presence: 'offline' });
    expect(badPresence.statusCode).toBe(400);
    const badCapacity = await owner.patch(`/api/v1/routing/agents/${agent.userId}`, { capacity: -1 });
    expect(badCapacity.statusCode).toBe(400);
    expect(JSON.stringify(badCapacity.json().error)).toContain('接待上限');
    const noName = await owner.post('/api/v1/routing/rules', { name: ' ', conditions: {}, teamId: null });
    expect(noName.statusCode).toBe(400);
    const unknownTag = await owner.post('/api/v1/routing/rules', {
      name: '标签',
      conditions: { tagIds: ['0190a1b2-0000-7000-8000-000000000000'] },
      teamId: null,
    });
    expect(unknownTag.statusCode).toBe(400);
    expect(unknownTag.json().error.code).toBe('routing_rule.invalid');
    expect((await owner.get('/api/v1/routing/rules')).json().items).toHaveLength(0);
    const badOrder = await owner.post('/api/v1/routing/rules/reorder', {
      ids: ['0190a1b2-0000-7000-8000-000000000000'],
    });
    expect(badOrder.statusCode).toBe(400);
    const analystMember = await owner.request({
      method: 'PUT',
      url: `/api/v1/routing/inboxes/${inbox.id}/members`,
      payload: { userIds: [analyst.userId] },
    });
    expect(analystMember.statusCode).toBe(400);
  });

  it('orders, updates and deletes rules', async () => {
    const { owner } = await setup();
    const first = (await owner.post('/api/v1/routing/rules', { name: '一', conditions: {}, teamId: null })).json();
    const second = (await owner.post('/api/v1/routing/rules', { name: '二', conditions: {}, teamId: null })).json();
    const reordered = await owner.post('/api/v1/routing/rules/reorder', { ids: [second.id, first.id] });
    expect(reordered.json().items.map((rule: { name: string }) => rule.name)).toEqual(['二', '一']);
    const updated = await owner.patch(`/api/v1/routing/rules/${first.id}`, {
      enabled: false,
      conditions: { keywords: ['退款', ''] },
    });
    expect(updated.statusCode).toBe(400);
    const fixed = await owner.patch(`/api/v1/routing/rules/${first.id}`, {
      enabled: false,
      conditions: { keywords: ['退款'] },
    });
    expect(fixed.json()).toMatchObject({ enabled: false, conditions: { keywords: ['退款'] } });
    expect((await owner.request({ method: 'DELETE', url: `/api/v1/routing/rules/${first.id}` })).statusCode).toBe(204);
    expect((await owner.get('/api/v1/routing/rules')).json().items).toHaveLength(1);
  });

  it('answers 404 for another workspace’s rules, agents and inboxes', async () => {
    const a = await setup();
    const b = await setup();
    const aAgent = await a.addUser('agent');
    const rule = (await a.owner.post('/api/v1/routing/rules', { name: '甲', conditions: {}, teamId: null })).json();
    expect((await b.owner.patch(`/api/v1/routing/rules/${rule.id}`, { name: '乙' })).statusCode).toBe(404);
    expect((await b.owner.request({ method: 'DELETE', url: `/api/v1/routing/rules/${rule.id}` })).statusCode).toBe(404);
    expect((await b.owner.patch(`/api/v1/routing/agents/${aAgent.userId}`, { capacity: 3 })).statusCode).toBe(404);
    expect((await b.owner.get(`/api/v1/routing/inboxes/${a.inbox.id}/members`)).statusCode).toBe(404);
    const foreignMember = await b.owner.request({
      method: 'PUT',
      url: `/api/v1/routing/inboxes/${b.inbox.id}/members`,
      payload: { userIds: [aAgent.userId] },
    });
    expect(foreignMember.statusCode).toBe(400);
    expect(
      (await b.owner.get('/api/v1/routing/agents')).json().items.map((x: { userId: string }) => x.userId),
    ).not.toContain(aAgent.userId);
  });

  it('seeds believable demo routing: teams, rules, presence and a log', async () => {
    const { owner, addUser, inbox, workspaceId } = await setup();
    await addUser('supervisor', '小美');
    await addUser('agent', '阿杰');
    await startConversation(context, inbox.token, '在吗');
    await seedDemoRouting(context.database.db, workspaceId);
    const rules = (await owner.get('/api/v1/routing/rules')).json().items;
    expect(rules.map((rule: { name: string }) => rule.name)).toEqual([
      'VIP / 高价值客户 → 高级客服',
      '物流咨询 → 物流组',
      '投诉 → 投诉处理组',
    ]);
    expect(rules[1]).toMatchObject({ teamName: '物流组', teamRemoved: false });
    const agents = (await owner.get('/api/v1/routing/agents')).json().items;
    expect(agents.find((agent: { name: string }) => agent.name === '小美')).toMatchObject({ level: 'senior' });
    await pause(5);
    const { conversationId } = await startConversation(context, inbox.token, '刚来的客户');
    // Routing decides after the message is stored: wait for its entry, which must come first.
    let log: { createdAt: string; conversationId: string }[] = [];
    for (let tries = 0; tries < 50 && !log.some((entry) => entry.conversationId === conversationId); tries++) {
      await pause(100);
      log = (await owner.get('/api/v1/routing/log')).json().items;
    }
    expect(log.length).toBeGreaterThan(1);
    expect(log[0]!.conversationId).toBe(conversationId);
    // Newest first, seeded decisions among the real ones.
    const times = log.map((entry) => Date.parse(entry.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('shows an agent offline a grace period after their last socket closes, and restores them on reconnect', async () => {
    const { owner, addUser, workspaceId } = await setup();
    const agent = await addUser('agent', '掉线客服');
    await agent.post('/api/v1/routing/me/presence', { presence: 'busy' });
    const routing = createRoutingService({
      db: context.database.db,
      events: context.events,
      realtime: { broadcast: async () => {} },
      audit: context.services.audit,
      conversations: context.services.conversations,
      offlineGraceMs: 50,
      log: () => {},
    });
    const actor = { userId: agent.userId!, workspaceId, role: 'agent' as const, name: '掉线客服' };
    const presenceOf = async () =>
      (await owner.get('/api/v1/routing/agents'))
        .json()
        .items.find((x: { userId: string }) => x.userId === agent.userId).presence;
    await routing.socketOpened(actor);
    await routing.socketOpened(actor);
    routing.socketClosed(actor);
    await pause(120);
    expect(await presenceOf()).toBe('busy'); // one tab is still open
    routing.socketClosed(actor);
    await until(async () => (await presenceOf()) === 'offline');
    await routing.socketOpened(actor);
    expect(await presenceOf()).toBe('busy');
    // A quick reload (closed and reopened within the grace period) changes nothing.
    routing.socketClosed(actor);
    await routing.socketOpened(actor);
    await pause(120);
    expect(await presenceOf()).toBe('busy');
    routing.stop();
  });

  it('keeps an agent online while a socket on another process is still open', async () => {
    const { owner, addUser, workspaceId } = await setup();
    const agent = await addUser('agent', '双进程客服');
    await agent.post('/api/v1/routing/me/presence', { presence: 'busy' });
    // Two routing services on one database stand for two app processes.
    const processes = [0, 1].map(() =>
      createRoutingService({
        db: context.database.db,
        events: context.events,
        realtime: { broadcast: async () => {} },
        audit: context.services.audit,
        conversations: context.services.conversations,
        offlineGraceMs: 80,
        log: () => {},
      }),
    );
    const [first, second] = processes as [RoutingService, RoutingService];
    const actor = { userId: agent.userId!, workspaceId, role: 'agent' as const, name: '双进程客服' };
    const presenceOf = async () =>
      (await owner.get('/api/v1/routing/agents'))
        .json()
        .items.find((x: { userId: string }) => x.userId === agent.userId).presence;
    try {
      await first.socketOpened(actor);
      await second.socketOpened(actor);
      second.socketClosed(actor);
      // Well past the grace period: the second process has no socket, but the first one still sees the agent.
      await pause(400);
      await second.sweepDisconnected();
      expect(await presenceOf()).toBe('busy');
      first.socketClosed(actor);
      await until(async () => (await presenceOf()) === 'offline');
    } finally {
      for (const process of processes) process.stop();
    }
  });

  it('gives no work to an agent without a socket, and hands it over once they connect', async () => {
    const { ws } = await listen(context);
    const { owner, addUser, inbox } = await setup();
    const agent = await addUser('agent', '只开了接口的客服');
    await online(agent);
    // A process whose sweep runs with a short grace period: nobody holds a socket of this agent anywhere.
    const sweeper = createRoutingService({
      db: context.database.db,
      events: context.events,
      realtime: { broadcast: async () => {} },
      audit: context.services.audit,
      conversations: context.services.conversations,
      offlineGraceMs: 50,
      log: () => {},
    });
    try {
      await pause(120);
      expect(await sweeper.sweepDisconnected()).toBeGreaterThanOrEqual(1);
    } finally {
      sweeper.stop();
    }
    const me = (await agent.get('/api/v1/routing/me')).json();
    expect(me.presence).toBe('offline');
    const { conversationId } = await startConversation(context, inbox.token, '有人吗');
    expect(await routed(conversationId)).toMatchObject({ outcome: 'queued', assigneeId: null });
    // The agent opens the workbench: back to 在线, and the waiting customer is theirs.
    const socket = await openSocket(`${ws}/api/v1/realtime`, { cookie: agent.cookie! });
    try {
      await until(async () => (await agent.get('/api/v1/routing/me')).json().presence === 'online');
      await until(
        async () => (await owner.get(`/api/v1/conversations/${conversationId}`)).json().assigneeId === agent.userId,
      );
    } finally {
      socket.close();
    }
  });

  it('seeds every demo agent offline: no work goes to an agent nobody signed in as', async () => {
    const { ws } = await listen(context);
    const { owner, addUser, inbox, workspaceId } = await setup();
    const supervisor = await addUser('supervisor', '小美');
    await addUser('agent', '阿杰');
    await seedDemoRouting(context.database.db, workspaceId);
    const agents = (await owner.get('/api/v1/routing/agents')).json().items as { name: string; presence: string }[];
    expect(agents.filter((agent) => agent.name === '小美' || agent.name === '阿杰').map((a) => a.presence)).toEqual([
      'offline',
      'offline',
    ]);
    const { conversationId } = await startConversation(context, inbox.token, '刚来的客户');
    expect(await routed(conversationId)).toMatchObject({ outcome: 'queued', assigneeId: null });
    // 小美 signs in: her seeded status (在线) comes back, and she picks up the waiting customer.
    const socket = await openSocket(`${ws}/api/v1/realtime`, { cookie: supervisor.cookie! });
    try {
      await until(async () => (await supervisor.get('/api/v1/routing/me')).json().presence === 'online');
      await until(
        async () =>
          (await owner.get(`/api/v1/conversations/${conversationId}`)).json().assigneeId === supervisor.userId,
      );
    } finally {
      socket.close();
    }
  });

  it('pushes an agent’s presence change to supervisors’ sockets, not to other agents', async () => {
    const { ws } = await listen(context);
    const { addUser } = await setup();
    const supervisor = await addUser('supervisor');
    const agent = await addUser('agent');
    const colleague = await addUser('agent');
    const supervisorSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: supervisor.cookie! });
    const colleagueSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: colleague.cookie! });
    try {
      await agent.post('/api/v1/routing/me/presence', { presence: 'busy' });
      const frame = await supervisorSocket.next('presence.changed', (item) => item.userId === agent.userId);
      expect(frame.presence).toBe('busy');
      await pause(300);
      expect(colleagueSocket.frames.some((item) => item.type === 'presence.changed')).toBe(false);
    } finally {
      supervisorSocket.close();
      colleagueSocket.close();
    }
  });
});
