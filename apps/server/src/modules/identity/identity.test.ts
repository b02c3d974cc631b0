import { agentSocketCloseCodes } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type Client,
  clientFor,
  countRows,
  createTestApp,
  createWorkspace,
  listen,
  login,
  openSocket,
  PASSWORD,
  pause,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();

describe('signing in', () => {
  it('signs in with the right password and answers the session with a CSRF token', async () => {
    const { ownerEmail } = await createWorkspace(context);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ownerEmail, password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'huike_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(response.json().csrfToken).toMatch(/\S{20,}/);
    expect(response.json().user.role).toBe('owner');
  });

  it('refuses a wrong password without saying whether the email exists', async () => {
    const { ownerEmail } = await createWorkspace(context);
    const wrong = await context.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ownerEmail, password: 'nope-nope' },
    });
    const unknown = await context.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@test.huike', password: 'nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it('locks the account after five failed attempts, even for the right password', async () => {
    const { ownerEmail } = await createWorkspace(context);
    for (let i = 0; i < 5; i++) {
      await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ownerEmail, password: 'x' },
      });
    }
    const locked = await context.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ownerEmail, password: PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('auth.locked');
  });

  it('stores passwords as argon2id hashes', async () => {
    const { ownerEmail } = await createWorkspace(context);
    const { rows } = await context.database.pool.query('select password_hash from users where email = $1', [
      ownerEmail,
    ]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('CSRF protection', () => {
  it('refuses a cookie-authenticated write without the CSRF header', async () => {
    const { owner } = await createWorkspace(context);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/v1/inboxes',
      headers: { cookie: owner.cookie! },
      payload: { name: '偷偷建的' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.csrf');
    const inboxes = (await owner.get('/api/v1/inboxes')).json();
    expect(inboxes.items.map((i: { name: string }) => i.name)).not.toContain('偷偷建的');
  });
});

describe('members', () => {
  it('lets the owner add an agent who can then sign in with the agent role', async () => {
    const { addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const session = (await agent.get('/api/v1/auth/session')).json();
    expect(session.user).toMatchObject({ name: '小美', role: 'agent' });
  });

  it('refuses member management to an agent', async () => {
    const { addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const response = await agent.post('/api/v1/users', {
      email: 'x@test.huike',
      name: 'x',
      role: 'admin',
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.forbidden');
  });

  it('does not let an admin create an owner', async () => {
    const { addUser } = await createWorkspace(context);
    const admin = await addUser('admin');
    const response = await admin.post('/api/v1/users', {
      email: 'boss@test.huike',
      name: 'boss',
      role: 'owner',
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(403);
  });

  it('ends every session of a member when they are disabled', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    expect((await agent.get('/api/v1/auth/session')).statusCode).toBe(200);
    const disabled = await owner.patch(`/api/v1/users/${agent.userId}`, { disabled: true });
    expect(disabled.json().disabled).toBe(true);
    expect((await agent.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await agent.get('/api/v1/conversations')).statusCode).toBe(401);
  });

  it('closes a disabled member’s live socket with 4403 and tells them why when they sign in again', async () => {
    const { ws } = await listen(context);
    const { owner } = await createWorkspace(context);
    const email = `agent-${Date.now()}@test.huike`;
    const created = await owner.post('/api/v1/users', { email, name: '被停用', role: 'agent', password: PASSWORD });
    expect(created.statusCode).toBe(201);
    const agent = await login(context, email, PASSWORD);
    const socket = await openSocket(`${ws}/api/v1/realtime`, { cookie: agent.cookie! });
    await owner.patch(`/api/v1/users/${created.json().id}`, { disabled: true });
    // The workbench reads this close code as "disabled by an admin" and carries it to the login page.
    expect(await socket.closed).toEqual({ code: 4403, reason: 'user disabled' });
    const anonymous = clientFor(context);
    const again = await anonymous.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(again.statusCode).toBe(403);
    expect(again.json().error).toMatchObject({
      code: 'auth.user_disabled',
      message: '你的账号已被管理员停用，请联系管理员',
    });
    // A wrong password still says only that the credentials are wrong.
    const wrong = await anonymous.post('/api/v1/auth/login', { email, password: 'wrong-password-1' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('auth.invalid_credentials');
  });
});

describe('API tokens', () => {
  it('authenticates scripts with a bearer token, stored only as a hash', async () => {
    const { owner } = await createWorkspace(context);
    const created = (await owner.post('/api/v1/api-tokens', { name: '脚本' })).json();
    expect(created.token).toMatch(/^hk_/);
    const anonymous = clientFor(context);
    const response = await anonymous.request({
      method: 'GET',
      url: '/api/v1/inboxes',
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toHaveLength(1);
    const { rows } = await context.database.pool.query('select token_hash from api_tokens where id = $1', [created.id]);
    expect(rows[0].token_hash).not.toContain(created.token);
    const bad = await anonymous.request({
      method: 'GET',
      url: '/api/v1/inboxes',
      headers: { authorization: 'Bearer hk_nope' },
    });
    expect(bad.statusCode).toBe(401);
  });
});

describe('listing and revoking API tokens', () => {
  const bearer = (token: string) => (url: string) =>
    clientFor(context).request({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const remove = (client: Client, id: string) => client.request({ method: 'DELETE', url: `/api/v1/api-tokens/${id}` });
  const auditActions = async (owner: Client) =>
    ((await owner.get('/api/v1/audit-log?limit=100')).json().items as { action: string; details: object }[]).filter(
      (entry) => entry.action.startsWith('api_tokens.'),
    );

  it('pages the token list with limit and cursor, newest first, as every list does (the web asks for limit=100)', async () => {
    const { owner } = await createWorkspace(context);
    for (const name of ['一', '二', '三']) await owner.post('/api/v1/api-tokens', { name });
    const first = await owner.get('/api/v1/api-tokens?limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((t: { name: string }) => t.name)).toEqual(['三', '二']);
    const second = (await owner.get(`/api/v1/api-tokens?limit=2&cursor=${first.json().nextCursor}`)).json();
    expect(second).toEqual({ items: [expect.objectContaining({ name: '一' })], nextCursor: null });
    expect((await owner.get('/api/v1/api-tokens?limit=100')).json().items).toHaveLength(3);
    expect((await owner.get('/api/v1/api-tokens?cursor=nonsense')).statusCode).toBe(400);
  });

  it('lists one’s own tokens by prefix (never the secret); admins list everyone’s; creating and revoking are audited', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小客');
    const mine = (await agent.post('/api/v1/api-tokens', { name: '报表脚本' })).json();
    await owner.post('/api/v1/api-tokens', { name: '店长脚本' });
    const listed = await agent.get('/api/v1/api-tokens');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({ id: mine.id, name: '报表脚本', userName: '小客', prefix: mine.token.slice(0, 9) }),
    ]);
    expect(listed.body).not.toContain(mine.token);
    expect((await agent.get('/api/v1/api-tokens?scope=all')).statusCode).toBe(403);
    const all = (await owner.get('/api/v1/api-tokens?scope=all')).json().items.map((t: { name: string }) => t.name);
    expect(all.sort()).toEqual(['店长脚本', '报表脚本'].sort());
    expect((await bearer(mine.token)('/api/v1/inboxes')).statusCode).toBe(200);
    expect((await agent.get('/api/v1/api-tokens')).json().items[0].lastUsedAt).not.toBeNull();

    expect((await remove(agent, mine.id)).statusCode).toBe(204);
    expect((await bearer(mine.token)('/api/v1/inboxes')).statusCode).toBe(401);
    expect((await remove(agent, mine.id)).json().error.code).toBe('api_token.not_found');
    expect(await auditActions(owner)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'api_tokens.created',
          details: expect.objectContaining({ name: '报表脚本' }),
        }),
        expect.objectContaining({
          action: 'api_tokens.revoked',
          details: expect.objectContaining({ name: '报表脚本' }),
        }),
      ]),
    );
  });

  it('lets only admins revoke someone else’s token', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const supervisor = await addUser('supervisor');
    const agentToken = (await (await addUser('agent')).post('/api/v1/api-tokens', { name: 'x' })).json();
    const refused = await remove(supervisor, agentToken.id);
    expect(refused.statusCode).toBe(403);
    expect((await bearer(agentToken.token)('/api/v1/inboxes')).statusCode).toBe(200);
    expect((await remove(owner, agentToken.id)).statusCode).toBe(204);
    expect((await bearer(agentToken.token)('/api/v1/inboxes')).statusCode).toBe(401);
    expect((await remove(owner, '01a21230-f11d-7428-b088-3b07641374c5')).statusCode).toBe(404);
  });

  it('revokes a member’s tokens when an admin resets their password or disables them, and on their own change', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const token = async (client: Client) => (await client.post('/api/v1/api-tokens', { name: 't' })).json().token;
    const beforeReset = await token(agent);
    await owner.post(`/api/v1/users/${agent.userId}/password`, { newPassword: 'reset-pass-123' });
    expect((await bearer(beforeReset)('/api/v1/inboxes')).statusCode).toBe(401);

    const again = await login(
      context,
      (await owner.get('/api/v1/users')).json().items.find((u: { id: string }) => u.id === agent.userId).email,
      'reset-pass-123',
    );
    const beforeChange = await token(again);
    const changed = await again.post('/api/v1/auth/password', {
      currentPassword: 'reset-pass-123',
      newPassword: 'changed-pass-123',
    });
    expect(changed.statusCode).toBe(204);
    expect((await bearer(beforeChange)('/api/v1/inboxes')).statusCode).toBe(401);
    expect((await again.get('/api/v1/api-tokens')).json().items).toEqual([]);

    const beforeDisable = await token(again);
    await owner.patch(`/api/v1/users/${agent.userId}`, { disabled: true });
    await owner.patch(`/api/v1/users/${agent.userId}`, { disabled: false });
    expect((await bearer(beforeDisable)('/api/v1/inboxes')).statusCode).toBe(401);
    const reasons = (await auditActions(owner))
      .filter((entry) => entry.action === 'api_tokens.revoked')
      .map((entry) => (entry.details as { reason?: string }).reason);
    expect(reasons.sort()).toEqual(['password_changed', 'password_reset', 'user_disabled']);
  });
});

describe('first-run setup', () => {
  it('is refused once a workspace exists', async () => {
    await createWorkspace(context);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { workspaceName: 'x', timezone: 'Asia/Shanghai', name: 'x', email: 'x@test.huike', password: PASSWORD },
    });
    expect(response.statusCode).toBe(409);
    expect(await login(context, 'x@test.huike', PASSWORD).catch(() => 'refused')).toBe('refused');
  });
});

describe('teams', () => {
  const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });
  const auditOf = async (client: Client, action: string) =>
    (await client.get(`/api/v1/audit-log?action=${action}`)).json().items as {
      targetId: string;
      targetName: string | null;
      details: Record<string, unknown>;
    }[];

  it('renames a team and replaces its members, and records both changes', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const xiaomei = await addUser('agent', '小美');
    const xiaowang = await addUser('agent', '小王');
    const team = (await owner.post('/api/v1/teams', { name: '售后组', memberIds: [xiaomei.userId] })).json();

    const renamed = await owner.patch(`/api/v1/teams/${team.id}`, { name: '售后一组' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toEqual({ id: team.id, name: '售后一组', memberIds: [xiaomei.userId] });

    const regrouped = await owner.patch(`/api/v1/teams/${team.id}`, { memberIds: [xiaowang.userId, xiaowang.userId] });
    expect(regrouped.json().memberIds).toEqual([xiaowang.userId]);
    const listed = (await owner.get('/api/v1/teams')).json().items;
    expect(listed).toEqual([{ id: team.id, name: '售后一组', memberIds: [xiaowang.userId] }]);
    const users = (await owner.get('/api/v1/users')).json().items as { id: string; teamIds: string[] }[];
    expect(users.find((user) => user.id === xiaomei.userId)?.teamIds).toEqual([]);
    expect(users.find((user) => user.id === xiaowang.userId)?.teamIds).toEqual([team.id]);

    const entries = await auditOf(owner, 'teams.updated');
    expect(entries.map((entry) => entry.details)).toEqual([
      { name: '售后一组', changes: { members: { before: ['小美'], after: ['小王'] } } },
      { name: '售后一组', changes: { name: { before: '售后组', after: '售后一组' } } },
    ]);
    expect(entries[0]).toMatchObject({ targetId: team.id, targetName: '售后一组' });

    // Saving what is already there changes nothing and records nothing.
    expect((await owner.patch(`/api/v1/teams/${team.id}`, { name: '售后一组' })).statusCode).toBe(200);
    expect(await auditOf(owner, 'teams.updated')).toHaveLength(2);
  });

  it('refuses a name another team has, an empty change, and a member of another workspace', async () => {
    const { owner } = await createWorkspace(context);
    const other = await createWorkspace(context);
    const stranger = await other.addUser('agent', '别家客服');
    const first = (await owner.post('/api/v1/teams', { name: '售前组' })).json();
    const second = (await owner.post('/api/v1/teams', { name: '售后组' })).json();

    const taken = await owner.patch(`/api/v1/teams/${second.id}`, { name: '售前组' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'team.name_taken', message: '已有名为「售前组」的团队' });
    expect((await owner.patch(`/api/v1/teams/${second.id}`, {})).statusCode).toBe(400);
    expect((await owner.patch(`/api/v1/teams/${second.id}`, { name: '   ' })).statusCode).toBe(400);
    expect((await owner.patch(`/api/v1/teams/${second.id}`, { color: 'red' })).statusCode).toBe(400);
    const smuggled = await owner.patch(`/api/v1/teams/${first.id}`, { memberIds: [stranger.userId] });
    expect(smuggled.statusCode).toBe(404);
    expect(smuggled.json().error.code).toBe('user.not_found');
    expect(await countRows(context, 'from team_members where team_id = $1', [first.id])).toBe(0);
    expect((await owner.get('/api/v1/teams')).json().items.map((team: { name: string }) => team.name)).toEqual([
      '售前组',
      '售后组',
    ]);
    expect(await auditOf(owner, 'teams.updated')).toEqual([]);
  });

  it('deletes a team: its conversations and tickets keep their assignee but lose the team', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const team = (await owner.post('/api/v1/teams', { name: '夜班', memberIds: [agent.userId] })).json();
    const { conversationId } = await startConversation(context, inbox.token, '晚上有人吗');
    const assigned = await owner.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: agent.userId,
      teamId: team.id,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const ticket = (await owner.post('/api/v1/tickets', { subject: '夜间退款', teamId: team.id })).json();

    const deleted = await del(owner, `/api/v1/teams/${team.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await owner.get('/api/v1/teams')).json().items).toEqual([]);
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).json()).toMatchObject({
      assigneeId: agent.userId,
      teamId: null,
    });
    expect((await owner.get(`/api/v1/tickets/${ticket.id}`)).json()).toMatchObject({ teamId: null });
    const users = (await owner.get('/api/v1/users')).json().items as { id: string; teamIds: string[] }[];
    expect(users.find((user) => user.id === agent.userId)?.teamIds).toEqual([]);
    expect((await agent.get('/api/v1/auth/session')).statusCode).toBe(200);

    const [entry] = await auditOf(owner, 'teams.deleted');
    expect(entry).toMatchObject({
      targetId: team.id,
      targetName: '夜班',
      details: { name: '夜班', members: ['小美'], conversations: 1, tickets: 1 },
    });
    expect((await del(owner, `/api/v1/teams/${team.id}`)).statusCode).toBe(404);
  });

  it("writes each ticket's timeline and pushes the unassigned conversations and tickets to open inboxes", async () => {
    const { ws } = await listen(context);
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const team = (await owner.post('/api/v1/teams', { name: '夜班', memberIds: [agent.userId] })).json();
    const other = (await owner.post('/api/v1/teams', { name: '白班' })).json();
    const first = await startConversation(context, inbox.token, '晚上有人吗');
    const second = await startConversation(context, inbox.token, '夜里能发货吗');
    const kept = await startConversation(context, inbox.token, '白天再问');
    for (const [conversation, teamId] of [
      [first, team.id],
      [second, team.id],
      [kept, other.id],
    ] as const) {
      const assigned = await owner.post(`/api/v1/conversations/${conversation.conversationId}/assign`, { teamId });
      expect(assigned.statusCode, assigned.body).toBe(200);
    }
    const ticket = (await owner.post('/api/v1/tickets', { subject: '夜间退款', teamId: team.id })).json();
    const otherTicket = (await owner.post('/api/v1/tickets', { subject: '白天退款', teamId: other.id })).json();
    // The team's history: a resolved conversation and a closed ticket lose the team without an event or entry each.
    const resolved = await startConversation(context, inbox.token, '上周的问题');
    await owner.post(`/api/v1/conversations/${resolved.conversationId}/assign`, { teamId: team.id });
    const resolving = await owner.post(`/api/v1/conversations/${resolved.conversationId}/status`, {
      status: 'resolved',
    });
    expect(resolving.statusCode, resolving.body).toBe(200);
    const closedTicket = (await owner.post('/api/v1/tickets', { subject: '上周退款', teamId: team.id })).json();
    const closing = await owner.patch(`/api/v1/tickets/${closedTicket.id}`, { status: 'closed' });
    expect(closing.statusCode, closing.body).toBe(200);

    // An agent with the inbox open: what the deletion changes reaches their socket once it committed. (The pause lets
    // the pushes of the assignments above go by first.)
    await pause(300);
    const socket = await openSocket(`${ws}/api/v1/realtime`, { cookie: agent.cookie! });
    try {
      expect((await del(owner, `/api/v1/teams/${team.id}`)).statusCode).toBe(204);
      for (const { conversationId } of [first, second]) {
        const frame = await socket.next(
          'conversation.updated',
          (item) => item.conversation.id === conversationId,
          5000,
        );
        expect(frame.conversation.teamId).toBeNull();
      }
      const ticketFrame = await socket.next('ticket.updated', (item) => item.ticket.id === ticket.id);
      expect(ticketFrame.ticket.teamId).toBeNull();
      await pause(300);
      expect(
        socket.frames.some(
          (frame) =>
            (frame.type === 'conversation.updated' &&
              [kept.conversationId, resolved.conversationId].includes(frame.conversation.id)) ||
            (frame.type === 'ticket.updated' && [otherTicket.id, closedTicket.id].includes(frame.ticket.id)),
        ),
      ).toBe(false);
    } finally {
      socket.close();
    }

    // The ticket's timeline says who took the team off, like any team change; the other team's ticket is untouched.
    type TimelineEntry = { kind: string; actorId: string | null; data: Record<string, unknown> | null };
    const changesOf = async (id: string) =>
      ((await owner.get(`/api/v1/tickets/${id}/timeline`)).json().items as TimelineEntry[])
        .filter((entry) => entry.kind === 'field_changed')
        .map(({ actorId, data }) => ({ actorId, data }));
    expect(await changesOf(ticket.id)).toEqual([
      { actorId: owner.userId, data: { field: 'teamId', from: team.id, to: null } },
    ]);
    expect(await changesOf(otherTicket.id)).toEqual([]);
    expect((await changesOf(closedTicket.id)).filter(({ data }) => data?.field === 'teamId')).toEqual([]);
    expect((await owner.get(`/api/v1/tickets/${closedTicket.id}`)).json().teamId).toBeNull();
    expect((await owner.get(`/api/v1/conversations/${resolved.conversationId}`)).json().teamId).toBeNull();
    expect((await owner.get(`/api/v1/tickets/${otherTicket.id}`)).json().teamId).toBe(other.id);
    expect((await owner.get(`/api/v1/conversations/${kept.conversationId}`)).json().teamId).toBe(other.id);
    const [entry] = await auditOf(owner, 'teams.deleted');
    expect(entry?.details).toMatchObject({ conversations: 3, tickets: 2 });
  });

  it('refuses to delete a team that rules or team templates still use, naming them, and changes nothing', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const team = (await owner.post('/api/v1/teams', { name: '物流组' })).json();
    const { conversationId } = await startConversation(context, inbox.token, '快递到哪了');
    await owner.post(`/api/v1/conversations/${conversationId}/assign`, { teamId: team.id });
    const rule = await owner.post('/api/v1/routing/rules', {
      name: '物流问题',
      conditions: { keywords: ['物流'] },
      teamId: team.id,
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const policy = await owner.post('/api/v1/sla-policies', {
      name: '加急工单',
      targets: { first_response: 30 },
      escalation: { teamId: team.id },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const automation = await owner.post('/api/v1/automation/rules', {
      name: '投诉转物流组',
      trigger: { type: 'conversation.created' },
      actions: [{ type: 'assign', teamId: team.id }],
    });
    expect(automation.statusCode, automation.body).toBe(201);
    const template = await owner.post('/api/v1/templates', {
      scope: 'team',
      teamId: team.id,
      category: '物流',
      title: '查快递',
      content: '亲，正在为您查询',
    });
    expect(template.statusCode, template.body).toBe(201);

    const refused = await del(owner, `/api/v1/teams/${team.id}`);
    expect(refused.statusCode).toBe(409);
    const error = refused.json().error;
    expect(error.code).toBe('team.in_use');
    expect(error.message).toBe(
      '团队「物流组」仍被使用，请先修改或删除后再删除团队：路由规则「物流问题」；SLA 策略「加急工单」；自动化规则「投诉转物流组」；1 条团队话术',
    );
    // Everything the message names is in the details too, so the web app can say it in English.
    expect(error.details).toEqual({
      teamName: '物流组',
      routingRules: [{ id: rule.json().id, name: '物流问题' }],
      slaPolicies: [{ id: policy.json().id, name: '加急工单' }],
      automationRules: [{ id: automation.json().id, name: '投诉转物流组' }],
      templates: [{ id: template.json().id, title: '查快递' }],
    });
    expect((await owner.get('/api/v1/teams')).json().items).toHaveLength(1);
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).json().teamId).toBe(team.id);
    expect(await auditOf(owner, 'teams.deleted')).toEqual([]);

    // Once the rule points elsewhere and the rest is gone, the team can go.
    await owner.patch(`/api/v1/routing/rules/${rule.json().id}`, { teamId: null });
    await del(owner, `/api/v1/sla-policies/${policy.json().id}`);
    await del(owner, `/api/v1/automation/rules/${automation.json().id}`);
    await del(owner, `/api/v1/templates/${template.json().id}`);
    expect((await del(owner, `/api/v1/teams/${team.id}`)).statusCode).toBe(204);
  });

  it("answers 404 for another workspace's team and leaves it as it was", async () => {
    const a = await createWorkspace(context);
    const b = await createWorkspace(context);
    const team = (await a.owner.post('/api/v1/teams', { name: '甲店售后' })).json();
    const renamed = await b.owner.patch(`/api/v1/teams/${team.id}`, { name: '乙店改名' });
    expect(renamed.statusCode).toBe(404);
    expect(renamed.json().error.code).toBe('team.not_found');
    const deleted = await del(b.owner, `/api/v1/teams/${team.id}`);
    expect(deleted.statusCode).toBe(404);
    expect(deleted.json().error.code).toBe('team.not_found');
    expect((await a.owner.get('/api/v1/teams')).json().items).toEqual([
      { id: team.id, name: '甲店售后', memberIds: [] },
    ]);
  });

  it('lets only those who may create teams change or delete them', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const team = (await owner.post('/api/v1/teams', { name: '售前组' })).json();
    for (const role of ['supervisor', 'agent', 'analyst'] as const) {
      const member = await addUser(role);
      const renamed = await member.patch(`/api/v1/teams/${team.id}`, { name: '被改名' });
      expect(renamed.statusCode).toBe(403);
      expect(renamed.json().error.code).toBe('auth.forbidden');
      expect((await del(member, `/api/v1/teams/${team.id}`)).statusCode).toBe(403);
    }
    const admin = await addUser('admin');
    expect((await admin.patch(`/api/v1/teams/${team.id}`, { name: '售前一组' })).statusCode).toBe(200);
    expect((await owner.get('/api/v1/teams')).json().items[0].name).toBe('售前一组');
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/teams/${team.id}` })).statusCode).toBe(204);
  });
});

describe('passwords', () => {
  const NEW_PASSWORD = 'battery-staple-2';
  const emailOf = async (client: Client) => (await client.get('/api/v1/auth/session')).json().user.email as string;
  const canSignIn = async (email: string, password: string) =>
    (await context.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } }))
      .statusCode === 200;
  const auditOf = async (client: Client, action: string) =>
    (await client.get(`/api/v1/audit-log?action=${action}`)).json().items as {
      actor: { id: string } | null;
      targetId: string;
      details: Record<string, unknown>;
    }[];

  it('changes my own password, keeps this session and signs out my other ones', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const email = await emailOf(agent);
    const onPhone = await login(context, email, PASSWORD);
    const changed = await agent.post('/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await agent.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await onPhone.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect(await canSignIn(email, PASSWORD)).toBe(false);
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true);
    const [entry] = await auditOf(owner, 'users.password_changed');
    expect(entry).toMatchObject({
      actor: { id: agent.userId },
      targetId: agent.userId,
      details: { name: '小美', email },
    });
    expect(JSON.stringify(entry)).not.toContain(NEW_PASSWORD);
  });

  it('refuses a wrong current password with its own code and changes nothing', async () => {
    const { addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const email = await emailOf(agent);
    const refused = await agent.post('/api/v1/auth/password', {
      currentPassword: 'not-my-password',
      newPassword: NEW_PASSWORD,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('auth.current_password_invalid');
    expect((await agent.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(false);
    expect(await canSignIn(email, PASSWORD)).toBe(true);
  });

  it('refuses a new password shorter than 8 characters, as for a new member', async () => {
    const { owner, ownerEmail } = await createWorkspace(context);
    const refused = await owner.post('/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('request.invalid');
    expect(await canSignIn(ownerEmail, PASSWORD)).toBe(true);
  });

  it('lets an admin reset a member’s password, signing the member out everywhere, and records it without the password', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const admin = await addUser('admin', '管理员');
    const agent = await addUser('agent', '小张');
    const email = await emailOf(agent);
    const reset = await admin.post(`/api/v1/users/${agent.userId}/password`, { newPassword: NEW_PASSWORD });
    expect(reset.statusCode, reset.body).toBe(204);
    expect((await agent.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await admin.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect(await canSignIn(email, PASSWORD)).toBe(false);
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true);
    const [entry] = await auditOf(owner, 'users.password_reset');
    expect(entry).toMatchObject({
      actor: { id: admin.userId },
      targetId: agent.userId,
      details: { name: '小张', email },
    });
    expect(JSON.stringify(entry)).not.toContain(NEW_PASSWORD);
  });

  it('closes the member’s live sockets of every session when an admin resets their password', async () => {
    const { ws } = await listen(context);
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const onPhone = await login(context, await emailOf(agent), PASSWORD);
    const sockets = await Promise.all(
      [agent, agent, onPhone].map((client) => openSocket(`${ws}/api/v1/realtime`, { cookie: client.cookie! })),
    );
    const ownerSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: owner.cookie! });
    try {
      await owner.post(`/api/v1/users/${agent.userId}/password`, { newPassword: NEW_PASSWORD });
      // The workbench reads this code as "your password changed", checks its session and shows the login page with it.
      for (const socket of sockets) {
        expect(await socket.closed).toEqual({
          code: agentSocketCloseCodes.passwordChanged,
          reason: 'password changed',
        });
      }
      expect(ownerSocket.socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      ownerSocket.close();
    }
  });

  it('closes the sockets of my other sessions at once when I change my password, and keeps this one’s open', async () => {
    const { ws } = await listen(context);
    const { addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const onPhone = await login(context, await emailOf(agent), PASSWORD);
    const mine = await openSocket(`${ws}/api/v1/realtime`, { cookie: agent.cookie! });
    const phoneSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: onPhone.cookie! });
    try {
      const changed = await agent.post('/api/v1/auth/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(changed.statusCode, changed.body).toBe(204);
      // Closed by the server right after the change, before the phone says anything.
      expect(await phoneSocket.closed).toEqual({
        code: agentSocketCloseCodes.passwordChanged,
        reason: 'password changed',
      });
      // The session that changed it stays connected and keeps receiving frames.
      expect(mine.socket.readyState).toBe(WebSocket.OPEN);
      mine.skipReceived();
      expect((await agent.post('/api/v1/routing/me/presence', { presence: 'busy' })).statusCode).toBe(200);
      await mine.next('presence.changed', (frame) => frame.userId === agent.userId && frame.presence === 'busy');
      expect(mine.socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      mine.close();
    }
  });

  it('lets a reset password sign in a member locked out by failed attempts', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const email = await emailOf(agent);
    for (let i = 0; i < 5; i++) await canSignIn(email, 'wrong-guess');
    expect(await canSignIn(email, PASSWORD)).toBe(false);
    await owner.post(`/api/v1/users/${agent.userId}/password`, { newPassword: NEW_PASSWORD });
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true);
  });

  it('refuses a reset by lower roles, of the owner by an admin, of oneself, and of another workspace’s member', async () => {
    const { owner, ownerEmail, addUser } = await createWorkspace(context);
    const admin = await addUser('admin');
    const target = await addUser('agent');
    for (const role of ['supervisor', 'agent', 'analyst'] as const) {
      const member = await addUser(role);
      const refused = await member.post(`/api/v1/users/${target.userId}/password`, { newPassword: NEW_PASSWORD });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('auth.forbidden');
    }
    const ofOwner = await admin.post(`/api/v1/users/${owner.userId}/password`, { newPassword: NEW_PASSWORD });
    expect(ofOwner.statusCode).toBe(403);
    expect(ofOwner.json().error.code).toBe('user.owner_protected');
    const ofSelf = await owner.post(`/api/v1/users/${owner.userId}/password`, { newPassword: NEW_PASSWORD });
    expect(ofSelf.statusCode).toBe(400);
    expect(ofSelf.json().error.code).toBe('user.reset_own_password');
    const other = await createWorkspace(context);
    const across = await other.owner.post(`/api/v1/users/${target.userId}/password`, { newPassword: NEW_PASSWORD });
    expect(across.statusCode).toBe(404);
    expect(across.json().error.code).toBe('user.not_found');
    expect(await canSignIn(ownerEmail, PASSWORD)).toBe(true);
    expect(await canSignIn(await emailOf(target), PASSWORD)).toBe(true);
    expect(await auditOf(owner, 'users.password_reset')).toEqual([]);
  });

  it('lets the owner reset an admin’s password', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const admin = await addUser('admin');
    const email = await emailOf(admin);
    expect((await owner.post(`/api/v1/users/${admin.userId}/password`, { newPassword: NEW_PASSWORD })).statusCode).toBe(
      204,
    );
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true);
  });
});
