import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, startConversation } from './harness.ts';

const context = await createTestApp();

let owner: Client;
let inboxToken: string;
let inboxId: string;
let conversationId: string;
let customerId: string;
let visitor: { sourceId: string; visitorToken: string };

beforeAll(async () => {
  const workspace = await createWorkspace(context);
  owner = workspace.owner;
  inboxToken = workspace.inbox.token;
  inboxId = workspace.inbox.id;
  const chat = await startConversation(context, inboxToken);
  conversationId = chat.conversationId;
  customerId = chat.customerId;
  visitor = chat.visitor;
});

/** The house error shape: `{ error: { code, message, details? } }` and nothing else. */
function expectErrorShape(response: LightMyRequestResponse) {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({
    code: expect.stringMatching(/^[a-z_]+(\.[a-z_]+)?$/),
    message: expect.any(String),
    ...('details' in body.error ? { details: body.error.details } : {}),
  });
  expect(body.error.message.length).toBeGreaterThan(0);
}

const cursorOf = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** A request described lazily, because the ids exist only after beforeAll. */
type Case = [name: string, request: () => InjectOptions & { as?: 'owner' | 'visitor' | 'nobody' }];

const send = (request: ReturnType<Case[1]>) => {
  const { as = 'owner', headers, ...rest } = request;
  const auth =
    as === 'owner'
      ? { cookie: owner.cookie!, 'x-csrf-token': owner.csrfToken! }
      : as === 'visitor'
        ? { 'x-huike-visitor-token': visitor.visitorToken }
        : {};
  return context.app.inject({ ...rest, headers: { ...auth, ...headers } });
};

const rawPost = (url: string, payload: string, contentType = 'application/json', as?: 'visitor') => ({
  method: 'POST' as const,
  url,
  payload,
  headers: { 'content-type': contentType },
  as,
});

describe('requests the server must refuse with a 4xx', () => {
  it('answers bad JSON with 400 request.invalid, on the agent API and on the public API', async () => {
    for (const request of [
      rawPost('/api/v1/inboxes', '{"name": "官网",'),
      rawPost(`/api/v1/conversations/${conversationId}/messages`, "{'content': 'single quotes'}"),
      rawPost(`/public/v1/inboxes/${inboxToken}/messages`, '{"sourceId":', 'application/json', 'visitor'),
      rawPost(`/public/v1/inboxes/${inboxToken}/visitors`, 'not json at all'),
    ]) {
      const response = await send(request);
      expect(response.statusCode, request.url).toBe(400);
      expectErrorShape(response);
      expect(response.json().error.code).toBe('request.invalid');
      expect(response.json().error.message).toBe('请求体不是合法的 JSON');
    }
  });

  it('answers wrong types with 400 and details that name the field', async () => {
    const response = await owner.post(`/api/v1/conversations/${conversationId}/messages`, {
      content: 42,
      private: 'yes',
    });
    expect(response.statusCode).toBe(400);
    expectErrorShape(response);
    const paths = response.json().error.details.map((detail: { path: string }) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(['/content', '/private']));
    // The message names the first problem, for clients that show only the message.
    const tooLong = await owner.post('/api/v1/inboxes', { name: '店'.repeat(500), channelType: 'website' });
    expect(tooLong.json().error.message).toMatch(/^请求参数不正确：name：太长：最多 \d+ 个字符$/);
  });

  it('answers unknown fields with 400 and stores nothing', async () => {
    const response = await owner.post('/api/v1/inboxes', {
      name: '多余字段',
      workspaceId: 'someone-else',
      secret: 'x',
    });
    expect(response.statusCode).toBe(400);
    expectErrorShape(response);
    const { rows } = await context.database.pool.query(
      `select count(*)::int as n from inboxes where name = '多余字段'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('answers a body over 256 KB with 413', async () => {
    const response = await owner.post(`/api/v1/conversations/${conversationId}/messages`, {
      content: 'x'.repeat(257 * 1024),
    });
    expect(response.statusCode).toBe(413);
    expectErrorShape(response);
    expect(response.json().error.code).toBe('request.too_large');
  });

  it('answers a public message body over 64 KB with 413', async () => {
    const response = await send(
      rawPost(
        `/public/v1/inboxes/${inboxToken}/messages`,
        JSON.stringify({ sourceId: visitor.sourceId, content: '长'.repeat(30 * 1024) }),
        'application/json',
        'visitor',
      ),
    );
    expect(response.statusCode).toBe(413);
    expectErrorShape(response);
  });

  it('answers a content type it does not read with 415', async () => {
    for (const contentType of [
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await send(rawPost('/api/v1/inboxes', 'name=官网', contentType));
      expect(response.statusCode, contentType).toBe(415);
      expectErrorShape(response);
      expect(response.json().error.code).toBe('request.unsupported_media_type');
    }
  });

  it('answers an id that is not a UUID with 400', async () => {
    for (const url of [
      '/api/v1/conversations/123',
      '/api/v1/conversations/not-a-uuid/messages',
      "/api/v1/customers/1' or '1'='1",
      '/api/v1/inboxes/00000000-0000-0000-0000-00000000000g',
    ]) {
      const response = await owner.get(url);
      expect(response.statusCode, url).toBe(400);
      expectErrorShape(response);
    }
  });

  it('answers a cursor that is not one of ours with 400', async () => {
    for (const url of [
      '/api/v1/conversations?cursor=garbage',
      `/api/v1/conversations?cursor=${cursorOf([-30])}`,
      `/api/v1/conversations?cursor=${cursorOf(['abc'])}`,
      `/api/v1/conversations?cursor=${cursorOf([1.5])}`,
      '/api/v1/customers?cursor=%25%25%25',
      `/api/v1/conversations/${conversationId}/messages?cursor=garbage`,
    ]) {
      const response = await owner.get(url);
      expect(response.statusCode, url).toBe(400);
      expectErrorShape(response);
    }
  });

  it('answers a well-encoded cursor holding something other than an id with 400', async () => {
    for (const url of [
      `/api/v1/customers?cursor=${cursorOf(['not-a-uuid'])}`,
      `/api/v1/customers?cursor=${cursorOf([12345])}`,
      `/api/v1/conversations/${conversationId}/messages?cursor=${cursorOf(['not-a-uuid'])}`,
      `/api/v1/conversations/${conversationId}/messages?cursor=${cursorOf([{ id: 1 }])}`,
    ]) {
      const response = await owner.get(url);
      expect(response.statusCode, url).toBe(400);
      expectErrorShape(response);
    }
    const visitorRead = await send({
      method: 'GET',
      url: `/public/v1/inboxes/${inboxToken}/conversations/${visitor.sourceId}/messages?cursor=${cursorOf(['x'])}`,
      as: 'visitor',
    });
    expect(visitorRead.statusCode).toBe(400);
  });

  it('answers huge query values with 400', async () => {
    for (const url of [
      `/api/v1/conversations?q=${'查'.repeat(5000)}`,
      `/api/v1/customers?q=${'a'.repeat(20_000)}`,
      `/api/v1/conversations?cursor=${'A'.repeat(10_000)}`,
      `/api/v1/conversations?limit=${'9'.repeat(400)}`,
      '/api/v1/conversations?limit=1e9',
      '/api/v1/conversations?limit=-1',
      '/api/v1/conversations?limit=abc',
      '/api/v1/conversations?assignee=everyone',
      '/api/v1/conversations?status=closed',
      '/api/v1/conversations?q=a&q=b',
      '/api/v1/conversations?unknown=1',
    ]) {
      const response = await owner.get(url);
      expect(response.statusCode, url.slice(0, 80)).toBe(400);
      expectErrorShape(response);
    }
  });
});

describe('never a 500', () => {
  const weird: Case[] = [
    ['empty JSON body', () => rawPost('/api/v1/inboxes', '')],
    ['JSON null body', () => rawPost('/api/v1/inboxes', 'null')],
    ['JSON array body', () => rawPost('/api/v1/inboxes', '[]')],
    ['JSON string body', () => rawPost('/api/v1/inboxes', '"官网"')],
    ['__proto__ in body', () => rawPost('/api/v1/inboxes', '{"name":"x","__proto__":{"isAdmin":true}}')],
    ['constructor.prototype in body', () => rawPost('/api/v1/inboxes', '{"constructor":{"prototype":{"x":1}}}')],
    [
      '__proto__ in public body',
      () =>
        rawPost(
          `/public/v1/inboxes/${inboxToken}/messages`,
          `{"sourceId":"${visitor.sourceId}","content":"x","__proto__":{"x":1}}`,
          'application/json',
          'visitor',
        ),
    ],
    ['deeply nested body', () => rawPost('/api/v1/inboxes', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`)],
    [
      'NUL in a message',
      () => ({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/messages`,
        payload: { content: 'a\u0000b' },
      }),
    ],
    [
      'NUL in a customer name',
      () => ({ method: 'PATCH', url: `/api/v1/customers/${customerId}`, payload: { name: '张\u0000三' } }),
    ],
    ['NUL in an inbox name', () => ({ method: 'POST', url: '/api/v1/inboxes', payload: { name: '官\u0000网' } })],
    [
      'NUL in a public message',
      () => ({
        method: 'POST',
        url: `/public/v1/inboxes/${inboxToken}/messages`,
        payload: { sourceId: visitor.sourceId, content: 'hi\u0000' },
        as: 'visitor',
      }),
    ],
    [
      'NUL in a public contact name',
      () => ({
        method: 'POST',
        url: `/public/v1/inboxes/${inboxToken}/messages`,
        payload: { sourceId: visitor.sourceId, content: 'hi', name: 'a\u0000' },
        as: 'visitor',
      }),
    ],
    [
      'NUL in a visitor name',
      () => ({
        method: 'POST',
        url: `/public/v1/inboxes/${inboxToken}/visitors`,
        payload: { name: 'x\u0000y' },
        as: 'nobody',
      }),
    ],
    ['NUL in a search', () => ({ method: 'GET', url: '/api/v1/customers?q=%00' })],
    ['NUL in a conversation search', () => ({ method: 'GET', url: '/api/v1/conversations?q=a%00b' })],
    [
      'lone surrogate in a message',
      () => rawPost(`/api/v1/conversations/${conversationId}/messages`, '{"content":"\\ud800"}'),
    ],
    [
      'snooze to a date past the calendar',
      () => ({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/status`,
        payload: { status: 'snoozed', snoozedUntil: '+275760-09-14T00:00:00Z' },
      }),
    ],
    [
      'snooze to year 99999',
      () => ({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/status`,
        payload: { status: 'snoozed', snoozedUntil: '+099999-01-01T00:00:00Z' },
      }),
    ],
    [
      'snooze with a number',
      () => ({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/status`,
        payload: { status: 'snoozed', snoozedUntil: 1e20 },
      }),
    ],
    [
      'assign to a non-uuid',
      () => ({ method: 'POST', url: `/api/v1/conversations/${conversationId}/assign`, payload: { assigneeId: 'bob' } }),
    ],
    [
      'assign to an unknown uuid',
      () => ({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/assign`,
        payload: { assigneeId: '0190a0a0-0000-7000-8000-000000000000' },
      }),
    ],
    [
      'unknown team on a new user',
      () => ({
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          email: 'n@test.huike',
          name: 'n',
          role: 'agent',
          password: 'correct-horse-1',
          teamIds: ['0190a0a0-0000-7000-8000-000000000000'],
        },
      }),
    ],
    [
      'inbox colour not hex',
      () => ({
        method: 'PATCH',
        url: `/api/v1/inboxes/${inboxId}`,
        payload: { settings: { color: 'javascript:alert(1)' } },
      }),
    ],
    ['empty patch', () => ({ method: 'PATCH', url: `/api/v1/customers/${customerId}`, payload: {} })],
    ['unknown route', () => ({ method: 'GET', url: '/api/v1/nope' })],
    ['unknown method on a route', () => ({ method: 'DELETE', url: `/api/v1/conversations/${conversationId}` })],
    ['PUT on a PATCH route', () => ({ method: 'PUT', url: `/api/v1/customers/${customerId}`, payload: { name: 'x' } })],
    ['GET on a POST route', () => ({ method: 'GET', url: `/api/v1/conversations/${conversationId}/assign` })],
    [
      'POST with a body on a body-less route',
      () => ({ method: 'POST', url: `/api/v1/conversations/${conversationId}/read`, payload: { evil: true } }),
    ],
    [
      'sourceId with a slash',
      () => ({ method: 'GET', url: `/public/v1/inboxes/${inboxToken}/conversations/a%2Fb/messages`, as: 'visitor' }),
    ],
    [
      'sourceId too long',
      () => ({
        method: 'POST',
        url: `/public/v1/inboxes/${inboxToken}/messages`,
        payload: { sourceId: 'x'.repeat(500), content: 'hi' },
        as: 'visitor',
      }),
    ],
    [
      'inbox token too long',
      () => ({ method: 'POST', url: `/public/v1/inboxes/${'t'.repeat(90)}/visitors`, payload: {}, as: 'nobody' }),
    ],
    [
      'public email not an email',
      () => ({
        method: 'POST',
        url: `/public/v1/inboxes/${inboxToken}/messages`,
        payload: { sourceId: visitor.sourceId, content: 'hi', email: 'nope' },
        as: 'visitor',
      }),
    ],
    [
      'signature header with odd parts',
      () => ({
        ...rawPost(`/public/v1/inboxes/${inboxToken}/messages`, JSON.stringify({ sourceId: 'crm-x', content: 'hi' })),
        headers: { 'content-type': 'application/json', 'x-huike-signature': 't=1e400,v1=zz,=,,' },
      }),
    ],
    [
      'signature header with a huge timestamp',
      () => ({
        ...rawPost(`/public/v1/inboxes/${inboxToken}/messages`, JSON.stringify({ sourceId: 'crm-x', content: 'hi' })),
        headers: {
          'content-type': 'application/json',
          'x-huike-signature': `t=${'9'.repeat(400)},v1=${'a'.repeat(64)}`,
        },
      }),
    ],
    [
      'visitor token header twice',
      () => ({
        method: 'GET',
        url: `/public/v1/inboxes/${inboxToken}/conversations/${visitor.sourceId}/messages`,
        headers: { 'x-huike-visitor-token': ['a', 'b'] },
        as: 'nobody',
      }),
    ],
    [
      'bearer token with odd characters',
      () => ({
        method: 'GET',
        url: '/api/v1/inboxes',
        headers: { authorization: 'Bearer hk_\u00ff\u00fe' },
        as: 'nobody',
      }),
    ],
    [
      'session cookie with odd characters',
      () => ({ method: 'GET', url: '/api/v1/inboxes', headers: { cookie: 'huike_session=%E0%A4%A' }, as: 'nobody' }),
    ],
    [
      'login with a huge password',
      () => ({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'a@test.huike', password: 'x'.repeat(100_000) },
        as: 'nobody',
      }),
    ],
    [
      'setup with an unknown timezone',
      () => ({
        method: 'POST',
        url: '/api/v1/setup',
        payload: {
          workspaceName: 'x',
          timezone: 'Mars/Olympus',
          name: 'x',
          email: 'x@test.huike',
          password: 'correct-horse-1',
        },
        as: 'nobody',
      }),
    ],
  ];

  it.each(weird)('answers %s below 500, and any refusal in the house error shape', async (_name, request) => {
    const response = await send(request());
    expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
    if (response.statusCode >= 400) expectErrorShape(response);
  });

  it('refuses a second team with the same name below 500', async () => {
    expect((await owner.post('/api/v1/teams', { name: '重名组' })).statusCode).toBe(201);
    const again = await owner.post('/api/v1/teams', { name: '重名组' });
    expect(again.statusCode, again.body).toBeGreaterThanOrEqual(400);
    expect(again.statusCode, again.body).toBeLessThan(500);
    expectErrorShape(again);
  });

  it('still answers normally after all of that', async () => {
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).statusCode).toBe(200);
    expect((await context.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('URLs the router cannot read', () => {
  it('answers a malformed percent-encoding in the path with 400 in the house error shape', async () => {
    const response = await owner.get('/api/v1/conversations/%E0%A4%A');
    expect(response.statusCode).toBe(400);
    expectErrorShape(response);
  });

  it('answers an over-long path parameter below 500 in the house error shape', async () => {
    const response = await owner.get(`/api/v1/customers/${'a'.repeat(300)}`);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expectErrorShape(response);
  });
});
