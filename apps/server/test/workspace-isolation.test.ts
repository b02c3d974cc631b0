import Fastify, { type LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  clientFor,
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  hmacHex,
  listen,
  listRoutes,
  openSocket,
  pause,
  readBack,
  sendSigned,
  startConversation,
} from './harness.ts';

/*
 * The issue: "a request for another workspace's conversation, customer or message answers 404 — a test that
 * walks the route table and fails when a new route has no such check". Every route the app registers must
 * appear below, either with a check run by workspace B's owner against workspace A's ids, or in the short
 * list of routes that hold no workspace data, with the reason.
 */

const context = await createTestApp();

type Fixture = Awaited<ReturnType<typeof buildFixture>>;
type Check = (f: Fixture) => Promise<void>;

async function buildFixture() {
  const a = await createWorkspace(context, '甲店');
  const aAgent = await a.addUser('agent', '甲店客服');
  const aTeam = (await a.owner.post('/api/v1/teams', { name: '甲店售后', memberIds: [aAgent.userId] })).json();
  const aChat = await startConversation(context, a.inbox.token, '甲店顾客的秘密问题');
  await a.owner.patch(`/api/v1/customers/${aChat.customerId}`, { name: '甲店顾客', phone: '13800001111' });
  await a.owner.post(`/api/v1/conversations/${aChat.conversationId}/messages`, {
    content: '甲店的内部备注',
    private: true,
  });
  const aMessageId = (
    await context.database.pool.query<{ id: string }>('select id from messages where conversation_id = $1 limit 1', [
      aChat.conversationId,
    ])
  ).rows[0]!.id;

  const b = await createWorkspace(context, '乙店');
  const bChat = await startConversation(context, b.inbox.token, '乙店顾客的问题');
  return { a, aAgent, aTeam, aChat, aMessageId, b, bChat };
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await buildFixture();
});

function expectNotFound(response: LightMyRequestResponse, code: string) {
  expect(response.statusCode, response.body).toBe(404);
  expect(response.json().error.code).toBe(code);
  for (const secret of [
    '甲店顾客',
    '秘密问题',
    '内部备注',
    '13800001111',
    fixture.a.inbox.secret,
    fixture.a.inbox.token,
  ]) {
    expect(response.body).not.toContain(secret);
  }
}

const rowOf = async (table: string, id: string) =>
  (await context.database.pool.query(`select * from ${table} where id = $1`, [id])).rows[0];

/** Runs a write as B against A's row and checks the answer is 404 and the row is untouched. */
async function expectUntouched(
  table: string,
  id: string,
  attempt: () => Promise<LightMyRequestResponse>,
  code: string,
) {
  const before = await rowOf(table, id);
  expectNotFound(await attempt(), code);
  expect(await rowOf(table, id)).toEqual(before);
}

const listIds = async (client: Client, url: string) =>
  ((await client.get(url)).json().items as { id: string }[]).map((item) => item.id);

const isolationChecks: Record<string, Check> = {
  'GET /api/v1/users': async (f) => {
    const seen = await listIds(f.b.owner, '/api/v1/users');
    expect(seen).toContain(f.b.owner.userId);
    expect(seen).not.toContain(f.a.owner.userId);
    expect(seen).not.toContain(f.aAgent.userId);
  },
  'POST /api/v1/users': async (f) => {
    const response = await f.b.owner.post('/api/v1/users', {
      email: 'smuggled@test.huike',
      name: '混进甲店的人',
      role: 'agent',
      password: 'correct-horse-1',
      teamIds: [f.aTeam.id],
    });
    expectNotFound(response, 'team.not_found');
    expect(await countRows(context, `from users where email = 'smuggled@test.huike'`)).toBe(0);
    expect(await countRows(context, 'from team_members where team_id = $1', [f.aTeam.id])).toBe(1);
  },
  'PATCH /api/v1/users/:id': async (f) => {
    await expectUntouched(
      'users',
      f.aAgent.userId!,
      () => f.b.owner.patch(`/api/v1/users/${f.aAgent.userId}`, { name: '被改了', disabled: true }),
      'user.not_found',
    );
    expect((await f.aAgent.get('/api/v1/auth/session')).statusCode).toBe(200);
  },
  'GET /api/v1/teams': async (f) => {
    expect(await listIds(f.b.owner, '/api/v1/teams')).not.toContain(f.aTeam.id);
  },
  'POST /api/v1/teams': async (f) => {
    const response = await f.b.owner.post('/api/v1/teams', { name: '挖墙脚组', memberIds: [f.aAgent.userId] });
    expectNotFound(response, 'user.not_found');
    expect(await countRows(context, `from teams where name = '挖墙脚组'`)).toBe(0);
  },
  'POST /api/v1/api-tokens': async (f) => {
    const { token } = (await f.b.owner.post('/api/v1/api-tokens', { name: '乙店脚本' })).json();
    const script = (url: string) =>
      clientFor(context).request({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const inboxes = (await script('/api/v1/inboxes')).json();
    expect(inboxes.items.map((inbox: { id: string }) => inbox.id)).toEqual([f.b.inbox.id]);
    expectNotFound(await script(`/api/v1/conversations/${f.aChat.conversationId}`), 'conversation.not_found');
    expectNotFound(await script(`/api/v1/customers/${f.aChat.customerId}`), 'customer.not_found');
  },
  'GET /api/v1/inboxes': async (f) => {
    const response = await f.b.owner.get('/api/v1/inboxes');
    expect(response.json().items.map((inbox: { id: string }) => inbox.id)).not.toContain(f.a.inbox.id);
    expect(response.body).not.toContain(f.a.inbox.secret);
  },
  'POST /api/v1/inboxes': async (f) => {
    const created = (await f.b.owner.post('/api/v1/inboxes', { name: '乙店新渠道' })).json();
    expect(await listIds(f.a.owner, '/api/v1/inboxes')).not.toContain(created.id);
    expect(await listIds(f.b.owner, '/api/v1/inboxes')).toContain(created.id);
  },
  'GET /api/v1/inboxes/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/inboxes/${f.a.inbox.id}`), 'inbox.not_found');
    expect((await f.a.owner.get(`/api/v1/inboxes/${f.a.inbox.id}`)).statusCode).toBe(200);
  },
  'PATCH /api/v1/inboxes/:id': async (f) => {
    await expectUntouched(
      'inboxes',
      f.a.inbox.id,
      () => f.b.owner.patch(`/api/v1/inboxes/${f.a.inbox.id}`, { name: '被乙店改名', settings: { color: '#000000' } }),
      'inbox.not_found',
    );
  },
  'GET /api/v1/customers': async (f) => {
    const seen = await listIds(f.b.owner, '/api/v1/customers');
    expect(seen).toContain(f.bChat.customerId);
    expect(seen).not.toContain(f.aChat.customerId);
    expect(await listIds(f.b.owner, `/api/v1/customers?q=${encodeURIComponent('甲店顾客')}`)).toEqual([]);
    expect(await listIds(f.b.owner, '/api/v1/customers?q=13800001111')).toEqual([]);
  },
  'GET /api/v1/customers/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}`), 'customer.not_found');
    expect((await f.a.owner.get(`/api/v1/customers/${f.aChat.customerId}`)).statusCode).toBe(200);
  },
  'PATCH /api/v1/customers/:id': async (f) => {
    await expectUntouched(
      'customers',
      f.aChat.customerId,
      () => f.b.owner.patch(`/api/v1/customers/${f.aChat.customerId}`, { name: '乙店改的', notes: 'x' }),
      'customer.not_found',
    );
  },
  'GET /api/v1/conversations': async (f) => {
    const seen = await listIds(f.b.owner, '/api/v1/conversations');
    expect(seen).toContain(f.bChat.conversationId);
    expect(seen).not.toContain(f.aChat.conversationId);
    expect(await listIds(f.b.owner, `/api/v1/conversations?inboxId=${f.a.inbox.id}`)).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/conversations?customerId=${f.aChat.customerId}`)).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/conversations?q=${encodeURIComponent('秘密问题')}`)).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/conversations?q=${encodeURIComponent('甲店顾客')}`)).toEqual([]);
  },
  'GET /api/v1/conversations/counts': async (f) => {
    const counts = (await f.b.owner.get('/api/v1/conversations/counts')).json();
    expect(counts.all).toBe(
      await countRows(context, 'from conversations where workspace_id = $1', [f.b.owner.workspaceId]),
    );
    expect(counts.all).toBeLessThan(await countRows(context, 'from conversations'));
  },
  'GET /api/v1/conversations/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/conversations/${f.aChat.conversationId}`), 'conversation.not_found');
  },
  'GET /api/v1/conversations/:id/messages': async (f) => {
    expectNotFound(
      await f.b.owner.get(`/api/v1/conversations/${f.aChat.conversationId}/messages`),
      'conversation.not_found',
    );
    // B's own conversation paged with a cursor pointing into A's messages shows nothing of A.
    const cursor = Buffer.from(JSON.stringify(['ffffffff-ffff-7fff-bfff-ffffffffffff'])).toString('base64url');
    const paged = await f.b.owner.get(`/api/v1/conversations/${f.bChat.conversationId}/messages?cursor=${cursor}`);
    expect(paged.body).not.toContain('甲店');
  },
  'POST /api/v1/conversations/:id/messages': async (f) => {
    for (const isPrivate of [false, true]) {
      expectNotFound(
        await f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/messages`, {
          content: '乙店插进来的话',
          private: isPrivate,
        }),
        'conversation.not_found',
      );
    }
    expect(await countRows(context, `from messages where content = '乙店插进来的话'`)).toBe(0);
    // The visitor of A sees nothing of it either.
    expect((await readBack(context, f.a.inbox.token, f.aChat.visitor)).body).not.toContain('乙店');
  },
  'POST /api/v1/conversations/:id/assign': async (f) => {
    await expectUntouched(
      'conversations',
      f.aChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/assign`, { assigneeId: f.b.owner.userId }),
      'conversation.not_found',
    );
    // Nor may B hand its own conversation to A's people.
    await expectUntouched(
      'conversations',
      f.bChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.bChat.conversationId}/assign`, { assigneeId: f.aAgent.userId }),
      'user.not_found',
    );
    await expectUntouched(
      'conversations',
      f.bChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.bChat.conversationId}/assign`, { teamId: f.aTeam.id }),
      'team.not_found',
    );
  },
  'POST /api/v1/conversations/:id/status': async (f) => {
    await expectUntouched(
      'conversations',
      f.aChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/status`, { status: 'resolved' }),
      'conversation.not_found',
    );
  },
  'POST /api/v1/conversations/:id/read': async (f) => {
    await expectUntouched(
      'conversations',
      f.aChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/read`),
      'conversation.not_found',
    );
  },
  'GET /api/v1/realtime': async (f) => {
    const { ws } = await listen(context);
    const aSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: f.a.owner.cookie! });
    const bSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: f.b.owner.cookie! });
    try {
      await f.aChat.visitor.send('甲店顾客又来了');
      await aSocket.next('message.created', (frame) => frame.message.content === '甲店顾客又来了');
      await f.a.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/read`);
      await aSocket.next('conversation.updated', (frame) => frame.conversation.id === f.aChat.conversationId);
      await pause(200);
      expect(JSON.stringify(bSocket.frames)).not.toContain(f.aChat.conversationId);
      expect(JSON.stringify(bSocket.frames)).not.toContain('甲店');
    } finally {
      aSocket.close();
      bSocket.close();
    }
  },

  // Public routes are scoped by the inbox token; A's visitor credentials must not work through B's inbox.
  'POST /public/v1/inboxes/:inboxToken/visitors': async (f) => {
    const resumed = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/visitors`,
      payload: { sourceId: f.aChat.visitor.sourceId, visitorToken: f.aChat.visitor.visitorToken },
    });
    expect(resumed.json().sourceId).not.toBe(f.aChat.visitor.sourceId);
    const identifier = 'shop-user-of-a';
    const signedWithA = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/visitors`,
      payload: { identifier, identifierHash: hmacHex(f.a.inbox.secret, identifier) },
    });
    expect(signedWithA.statusCode).toBe(401);
  },
  'POST /public/v1/inboxes/:inboxToken/messages': async (f) => {
    const withVisitorToken = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': f.aChat.visitor.visitorToken },
      payload: { sourceId: f.aChat.visitor.sourceId, content: '走错店的消息' },
    });
    expect(withVisitorToken.statusCode).toBe(401);
    const signedWithA = await sendSigned(
      context,
      { token: f.b.inbox.token, secret: f.a.inbox.secret },
      { sourceId: 'crm-of-a', content: '走错店的消息' },
    );
    expect(signedWithA.statusCode).toBe(401);
    expect(await countRows(context, `from messages where content = '走错店的消息'`)).toBe(0);
  },
  'GET /public/v1/inboxes/:inboxToken/conversations/:sourceId/messages': async (f) => {
    const response = await readBack(context, f.b.inbox.token, f.aChat.visitor);
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain('秘密问题');
  },
  'GET /public/v1/inboxes/:inboxToken/ws': async (f) => {
    const { ws } = await listen(context);
    const { sourceId, visitorToken } = f.aChat.visitor;
    const socket = await openSocket(
      `${ws}/public/v1/inboxes/${f.b.inbox.token}/ws?sourceId=${sourceId}&token=${visitorToken}`,
    );
    expect((await socket.closed).code).toBe(4401);
  },
};

/** Routes that hold no workspace data, or find their workspace only through an unguessable token. */
const notWorkspaceScoped: Record<string, string> = {
  'GET /healthz': 'process liveness; answers {status} only',
  'GET /readyz': 'database reachability; answers {status} only',
  'GET /metrics': 'Prometheus process metrics labelled by route template and status, no ids or content',
  'GET /api/v1/setup': 'answers whether any workspace exists yet (first-run screen)',
  'POST /api/v1/setup': 'creates the first workspace; refused once one exists',
  'POST /api/v1/auth/login': 'signs in by email and password; the session is the user’s own',
  'POST /api/v1/auth/logout': 'ends the caller’s own session',
  'GET /api/v1/auth/session': 'answers the caller’s own user and workspace',
  'GET /api/openapi.json': 'the API description, the same for everyone',
  'GET /': 'the web app’s index page (the app itself asks the API for everything)',
  'GET /*': 'static files of the built web app and widget, looked up per request; unknown paths get the index page',
  'GET /widget.js': 'the static widget loader script',
  'GET /demo/shop': 'demo page; embeds a public inbox token, which is published on every shop page anyway',
};

describe('workspace isolation', () => {
  it('has an isolation check or a stated reason for every route the app serves', () => {
    const routes = listRoutes(context.app);
    // Guards the route-table reader itself: if it stops understanding Fastify's output, fail loudly.
    expect(routes).toContain('GET /api/v1/conversations/:id/messages');
    expect(routes).toContain('POST /public/v1/inboxes/:inboxToken/messages');
    expect(routes.length).toBeGreaterThanOrEqual(30);
    const unchecked = routes.filter((route) => !(route in isolationChecks) && !(route in notWorkspaceScoped));
    expect(unchecked, 'routes with neither an isolation check nor a reason').toEqual([]);
  });

  it('reads every method and nested path from the route table, so a new route cannot slip past', async () => {
    const probe = Fastify();
    for (const url of ['/api/v1/things', '/api/v1/things/:id', '/api/v1/things/:id/parts', '/api/v1/thingies']) {
      probe.get(url, async () => ({}));
    }
    probe.post('/api/v1/things/:id/parts', async () => ({}));
    probe.delete('/api/v1/things/:id', async () => ({}));
    await probe.ready();
    expect(listRoutes(probe)).toEqual([
      'DELETE /api/v1/things/:id',
      'GET /api/v1/thingies',
      'GET /api/v1/things',
      'GET /api/v1/things/:id',
      'GET /api/v1/things/:id/parts',
      'POST /api/v1/things/:id/parts',
    ]);
    await probe.close();
  });

  it('lists no route that the app does not serve, so the table stays true', () => {
    const routes = new Set(listRoutes(context.app));
    const stale = [...Object.keys(isolationChecks), ...Object.keys(notWorkspaceScoped)].filter(
      (route) => !routes.has(route),
    );
    expect(stale).toEqual([]);
  });

  it('never both checks a route and excuses it', () => {
    expect(Object.keys(isolationChecks).filter((route) => route in notWorkspaceScoped)).toEqual([]);
  });

  for (const [route, check] of Object.entries(isolationChecks)) {
    it(`keeps workspace A's data out of reach of workspace B: ${route}`, () => check(fixture));
  }

  it('still lets workspace A use everything B could not reach', async () => {
    const { a, aChat, aMessageId } = fixture;
    expect((await a.owner.get(`/api/v1/conversations/${aChat.conversationId}`)).statusCode).toBe(200);
    const messages = (await a.owner.get(`/api/v1/conversations/${aChat.conversationId}/messages`)).json();
    expect(messages.items.map((m: { id: string }) => m.id)).toContain(aMessageId);
    expect((await a.owner.get(`/api/v1/customers/${aChat.customerId}`)).json().name).toBe('甲店顾客');
    const visitor = await createVisitor(context, a.inbox.token);
    expect((await visitor.send('甲店新顾客')).statusCode).toBe(201);
  });
});

describe('roles within a workspace', () => {
  it('refuses an agent who edits a member', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const colleague = await addUser('agent', '同事');
    const response = await agent.patch(`/api/v1/users/${colleague.userId}`, { disabled: true, role: 'admin' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.forbidden');
    const users = (await owner.get('/api/v1/users')).json().items;
    expect(users.find((u: { id: string }) => u.id === colleague.userId)).toMatchObject({
      disabled: false,
      role: 'agent',
    });
  });

  it('refuses an agent who creates an inbox or a team', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const inbox = await agent.post('/api/v1/inboxes', { name: '私设渠道' });
    expect(inbox.statusCode).toBe(403);
    expect(inbox.json().error.code).toBe('auth.forbidden');
    expect((await agent.post('/api/v1/teams', { name: '私设小组' })).statusCode).toBe(403);
    expect((await owner.get('/api/v1/inboxes')).json().items).toHaveLength(1);
    expect(await countRows(context, `from teams where name = '私设小组'`)).toBe(0);
  });

  it('refuses an analyst who replies, assigns, resolves or edits a customer', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const { conversationId, customerId } = await startConversation(context, inbox.token);
    const attempts = [
      analyst.post(`/api/v1/conversations/${conversationId}/messages`, { content: '分析师的回复' }),
      analyst.post(`/api/v1/conversations/${conversationId}/messages`, { content: '分析师的备注', private: true }),
      analyst.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: analyst.userId }),
      analyst.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' }),
      analyst.patch(`/api/v1/customers/${customerId}`, { name: '分析师改的' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error.code).toBe('auth.forbidden');
    }
    expect(await countRows(context, 'from messages where conversation_id = $1', [conversationId])).toBe(1);
    const { rows } = await context.database.pool.query('select status, assignee_id from conversations where id = $1', [
      conversationId,
    ]);
    expect(rows[0]).toEqual({ status: 'open', assignee_id: null });
  });

  it('refuses every workspace route to someone signed out', async () => {
    const { inbox } = await createWorkspace(context);
    const { conversationId, customerId } = await startConversation(context, inbox.token);
    const anonymous = clientFor(context);
    for (const url of [
      '/api/v1/users',
      '/api/v1/teams',
      '/api/v1/inboxes',
      `/api/v1/inboxes/${inbox.id}`,
      '/api/v1/customers',
      `/api/v1/customers/${customerId}`,
      '/api/v1/conversations',
      '/api/v1/conversations/counts',
      `/api/v1/conversations/${conversationId}`,
      `/api/v1/conversations/${conversationId}/messages`,
    ]) {
      const response = await anonymous.get(url);
      expect(response.statusCode, url).toBe(401);
      expect(response.json().error.code).toBe('auth.required');
    }
    const write = await anonymous.post(`/api/v1/conversations/${conversationId}/messages`, { content: '匿名回复' });
    expect(write.statusCode).toBe(401);
  });
});
