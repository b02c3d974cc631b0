import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  pause,
  sendSigned,
  TEST_ENCRYPTION_KEY,
  type TestContext,
} from '../../../test/harness.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { connect, type Database } from '../../db/database.ts';

// The strict app: the default configuration (private and loopback addresses refused).
const strict = await createTestApp();
// The same database with the explicit opt-in, so deliveries can reach the receiver on 127.0.0.1.
const context = await (async (): Promise<TestContext> => {
  const config = loadConfig({
    DATABASE_URL: strict.databaseUrl,
    HUIKE_DEMO: '0',
    HUIKE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1',
    LOG_LEVEL: 'silent',
  });
  const { db, pool } = connect(strict.databaseUrl, 5);
  const database: Database = { db, pool, url: strict.databaseUrl, isEmbedded: false, close: () => pool.end() };
  const huike = await buildApp({ config, database });
  afterAll(async () => {
    await huike.app.close();
    await pool.end();
  });
  return { ...huike, database, databaseUrl: strict.databaseUrl };
})();

// A receiver -------------------------------------------------------------------------------------------------

type EventData = {
  message?: { id: string; content: string };
  conversation?: { id: string; inboxId: string };
  customer?: { id: string; name: string; idCard?: unknown };
};

type Received = { headers: IncomingHttpHeaders; raw: string; body: Record<string, unknown>; status: number };

/** Answers with the next scripted status (then 200), records every request, verifies nothing itself. */
function createReceiver() {
  const received: Received[] = [];
  let script: number[] = [];
  let decide: ((request: Received) => number) | undefined;
  let answerBody = '{}';
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { headers: request.headers, raw, body: JSON.parse(raw), status: 200 };
      entry.status = script.shift() ?? decide?.(entry) ?? 200;
      received.push(entry);
      if (entry.status >= 300 && entry.status < 400) response.setHeader('location', 'https://example.com/');
      response.writeHead(entry.status, { 'content-type': 'application/json' });
      response.end(entry.status < 300 ? answerBody : '{"error":"no"}');
    });
  });
  return {
    received,
    server,
    url: '',
    script(statuses: number[]) {
      script = [...statuses];
    },
    decideBy(fn: ((request: Received) => number) | undefined) {
      decide = fn;
    },
    answerWith(body: string) {
      answerBody = body;
    },
    reset() {
      received.length = 0;
      script = [];
      decide = undefined;
      answerBody = '{}';
    },
  };
}

const receiver = createReceiver();
await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
const port = (receiver.server.address() as AddressInfo).port;
const hookUrl = `http://127.0.0.1:${port}/hooks/huike`;
afterAll(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

beforeEach(() => receiver.reset());

/** Checks `X-Huike-Signature: t=…,v1=…` over the raw body, as an integrator would. */
function verifySignature(secret: string, header: string | string[] | undefined, raw: string): boolean {
  const parts = Object.fromEntries(
    String(header)
      .split(',')
      .map((part) => part.split('=') as [string, string]),
  );
  if (!parts.t || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest('hex');
  return expected.length === parts.v1.length && timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1));
}

// Helpers ----------------------------------------------------------------------------------------------------

type Endpoint = { id: string; secret: string; url: string; events: string[]; failing: number };

async function createEndpoint(owner: Client, body: Record<string, unknown> = {}): Promise<Endpoint> {
  const response = await owner.post('/api/v1/webhooks', { url: hookUrl, events: ['message.created'], ...body });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json();
}

/** Waits until the event fan-out (after commit, asynchronous) has queued `count` deliveries for the endpoint. */
async function untilQueued(endpointId: string, count: number) {
  for (let i = 0; i < 100; i++) {
    const queued = await countRows(context, "from deliveries where kind = 'webhook' and subject_id = $1", [endpointId]);
    if (queued >= count) return queued;
    await pause(20);
  }
  throw new Error(`fewer than ${count} deliveries queued`);
}

async function signedInbound(inbox: { token: string; secret: string }, content: string, sourceId = 'buyer-1') {
  const response = await sendSigned(context, inbox, { sourceId, content, name: '淘宝买家' });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json() as { id: string };
}

// Endpoints --------------------------------------------------------------------------------------------------

describe('webhook endpoints', () => {
  it('creates, lists, shows, changes and deletes an endpoint; the secret signs and can be rotated', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const created = await owner.post('/api/v1/webhooks', {
      url: hookUrl,
      description: 'ERP 订单同步',
      events: ['customer.created', 'ticket.created'],
    });
    expect(created.statusCode).toBe(201);
    const endpoint = created.json();
    expect(endpoint).toEqual({
      id: expect.any(String),
      url: hookUrl,
      description: 'ERP 订单同步',
      events: ['customer.created', 'ticket.created'],
      enabled: true,
      secret: expect.stringMatching(/^[\w-]{40,}$/),
      createdAt: expect.any(String),
      lastDeliveryAt: null,
      failing: 0,
    });
    const admin = await addUser('admin');
    expect((await admin.get('/api/v1/webhooks')).json().items).toEqual([endpoint]);
    expect((await admin.get(`/api/v1/webhooks/${endpoint.id}`)).json()).toEqual(endpoint);

    const changed = await admin.patch(`/api/v1/webhooks/${endpoint.id}`, {
      events: ['conversation.resolved'],
      enabled: false,
      rotateSecret: true,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ events: ['conversation.resolved'], enabled: false });
    expect(changed.json().secret).not.toBe(endpoint.secret);

    const audit = await countRows(context, "from audit_log where target_id = $1 and action like 'webhooks.%'", [
      endpoint.id,
    ]);
    expect(audit).toBe(2);

    const removed = await owner.request({ method: 'DELETE', url: `/api/v1/webhooks/${endpoint.id}` });
    expect(removed.statusCode).toBe(204);
    expect((await owner.get(`/api/v1/webhooks/${endpoint.id}`)).statusCode).toBe(404);
    expect((await owner.get('/api/v1/webhooks')).json().items).toEqual([]);
  });

  it('refuses bad input with 400 and a clear message', async () => {
    const { owner } = await createWorkspace(context);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: hookUrl, events: [] }, /至少订阅一个事件/],
      [{ url: hookUrl, events: ['order.created'] }, /./],
      [{ url: hookUrl, events: ['message.created', 'message.created'] }, /事件不能重复/],
      [{ url: hookUrl }, /./],
      [{ url: 'ftp://erp.example.com/hook', events: ['message.created'] }, /只支持 http 或 https/],
      [{ url: '不是网址', events: ['message.created'] }, /网址格式不正确/],
      [{ url: 'https://user:pw@erp.example.com/', events: ['message.created'] }, /用户名或密码/],
      [{ url: hookUrl, events: ['message.created'], secret: 'mine' }, /./],
    ];
    for (const [body, message] of cases) {
      const response = await owner.post('/api/v1/webhooks', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(response.json().error), JSON.stringify(body)).toMatch(message);
    }
    const endpoint = await createEndpoint(owner);
    const patched = await owner.patch(`/api/v1/webhooks/${endpoint.id}`, { events: [] });
    expect(patched.statusCode).toBe(400);
    expect(await countRows(context, 'from webhook_endpoints where workspace_id = $1', [owner.workspaceId])).toBe(1);
  });

  it('refuses loopback, private and link-local URLs unless the opt-in is set; link-local always', async () => {
    const { owner } = await createWorkspace(strict);
    for (const url of [
      hookUrl,
      'http://localhost:8080/hook',
      'http://10.1.2.3/hook',
      'http://192.168.1.10/hook',
      'http://[::1]:8080/hook',
      'http://[fd00::1]/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0:8080/hook',
    ]) {
      const response = await owner.post('/api/v1/webhooks', { url, events: ['message.created'] });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'webhook.unsafe_url' });
      expect(response.json().error.message).toMatch(/内网、本机或保留地址/);
    }
    expect(await countRows(strict, 'from webhook_endpoints where workspace_id = $1', [owner.workspaceId])).toBe(0);

    // With the opt-in (the test app): loopback and private networks pass, link-local still does not.
    const optedIn = (await createWorkspace(context)).owner;
    expect((await optedIn.post('/api/v1/webhooks', { url: hookUrl, events: ['message.created'] })).statusCode).toBe(
      201,
    );
    const metadata = await optedIn.post('/api/v1/webhooks', {
      url: 'http://169.254.169.254/latest',
      events: ['message.created'],
    });
    expect(metadata.statusCode).toBe(400);

    // A URL changed on an endpoint is checked again.
    const strictEndpointOwner = (await createWorkspace(strict)).owner;
    const created = await strictEndpointOwner.post('/api/v1/webhooks', {
      url: 'https://93.184.216.34/hook',
      events: ['message.created'],
    });
    expect(created.statusCode).toBe(201);
    const moved = await strictEndpointOwner.patch(`/api/v1/webhooks/${created.json().id}`, { url: hookUrl });
    expect(moved.statusCode).toBe(400);
    expect((await strictEndpointOwner.get(`/api/v1/webhooks/${created.json().id}`)).json().url).toBe(
      'https://93.184.216.34/hook',
    );
  });

  it('lets only owners and admins manage webhooks', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const endpoint = await createEndpoint(owner);
    for (const role of ['supervisor', 'agent', 'analyst'] as const) {
      const member = await addUser(role);
      expect((await member.get('/api/v1/webhooks')).statusCode, role).toBe(403);
      expect((await member.get(`/api/v1/webhooks/${endpoint.id}`)).statusCode, role).toBe(403);
      expect((await member.post('/api/v1/webhooks', { url: hookUrl, events: ['message.created'] })).statusCode).toBe(
        403,
      );
      expect((await member.post(`/api/v1/webhooks/${endpoint.id}/test`)).statusCode).toBe(403);
      expect((await member.get('/api/v1/webhook-deliveries?status=dead')).statusCode).toBe(403);
    }
  });

  it("answers 404 for another workspace's endpoints and deliveries", async () => {
    const shop = await createWorkspace(context);
    const other = await createWorkspace(context, '别家店铺');
    const endpoint = await createEndpoint(shop.owner);
    receiver.script([400]);
    const ping = (await shop.owner.post(`/api/v1/webhooks/${endpoint.id}/test`)).json();
    expect(ping.status).toBe('dead');
    const intruder = other.owner;
    expect((await intruder.get(`/api/v1/webhooks/${endpoint.id}`)).statusCode).toBe(404);
    expect((await intruder.patch(`/api/v1/webhooks/${endpoint.id}`, { enabled: false })).statusCode).toBe(404);
    expect((await intruder.request({ method: 'DELETE', url: `/api/v1/webhooks/${endpoint.id}` })).statusCode).toBe(404);
    expect((await intruder.post(`/api/v1/webhooks/${endpoint.id}/test`)).statusCode).toBe(404);
    expect((await intruder.get(`/api/v1/webhooks/${endpoint.id}/deliveries`)).statusCode).toBe(404);
    expect((await intruder.post(`/api/v1/webhook-deliveries/${ping.id}/replay`)).statusCode).toBe(404);
    expect((await intruder.get('/api/v1/webhook-deliveries?status=dead')).json().items).toEqual([]);
    expect((await shop.owner.get(`/api/v1/webhooks/${endpoint.id}`)).json().enabled).toBe(true);
  });
});

// Deliveries -------------------------------------------------------------------------------------------------

describe('webhook deliveries', () => {
  it('posts subscribed events signed with the endpoint secret, with event and delivery headers', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '抖音小店', channelType: 'api' })).json();
    const endpoint = await createEndpoint(owner, {
      events: ['message.created', 'conversation.created', 'customer.created', 'customer.updated', 'ticket.created'],
    });
    const message = await signedInbound(api, '你好，请问发货了吗？');
    await untilQueued(endpoint.id, 3);
    await context.outbox.drain();

    const byEvent = new Map(receiver.received.map((entry) => [entry.headers['x-huike-event'], entry]));
    expect([...byEvent.keys()].sort()).toEqual(['conversation.created', 'customer.created', 'message.created']);
    for (const entry of receiver.received) {
      expect(verifySignature(endpoint.secret, entry.headers['x-huike-signature'], entry.raw)).toBe(true);
      expect(verifySignature('wrong-secret', entry.headers['x-huike-signature'], entry.raw)).toBe(false);
      expect(entry.headers['x-huike-delivery']).toBe(entry.body.id);
      expect(entry.body).toMatchObject({ event: entry.headers['x-huike-event'], workspaceId: owner.workspaceId });
      expect(entry.headers['content-type']).toBe('application/json');
    }
    const messageEvent = byEvent.get('message.created')!.body as { data: EventData };
    expect(messageEvent.data.message).toMatchObject({ id: message.id, content: '你好，请问发货了吗？' });
    expect(messageEvent.data.conversation?.inboxId).toBe(api.id);
    const customerEvent = byEvent.get('customer.created')!.body as { data: EventData };
    expect(customerEvent.data.customer).toMatchObject({ name: '淘宝买家' });
    expect(customerEvent.data.customer?.idCard).toBeUndefined();

    // A private note is not a public message: no webhook. A customer edit and a ticket are.
    receiver.reset();
    const conversationId = messageEvent.data.conversation!.id;
    const agent = await addUser('agent');
    expect(
      (await agent.post(`/api/v1/conversations/${conversationId}/messages`, { content: '内部备注', private: true }))
        .statusCode,
    ).toBe(201);
    const customerId = customerEvent.data.customer!.id;
    expect((await agent.patch(`/api/v1/customers/${customerId}`, { region: '浙江杭州' })).statusCode).toBe(200);
    expect((await agent.post('/api/v1/tickets', { subject: '退货申请', customerId })).statusCode).toBe(201);
    await untilQueued(endpoint.id, 5);
    await pause(100);
    await context.outbox.drain();
    expect(receiver.received.map((entry) => entry.headers['x-huike-event']).sort()).toEqual([
      'customer.updated',
      'ticket.created',
    ]);
    const updated = receiver.received.find((entry) => entry.headers['x-huike-event'] === 'customer.updated')!;
    expect(updated.body.data).toMatchObject({ customer: { id: customerId, region: '浙江杭州' }, fields: ['region'] });

    const listed = (await owner.get(`/api/v1/webhooks/${endpoint.id}/deliveries`)).json();
    expect(listed.items).toHaveLength(5);
    expect(listed.items[0]).toMatchObject({
      endpointId: endpoint.id,
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      lastReason: null,
      nextAttemptAt: null,
      finishedAt: expect.any(String),
      lastDurationMs: expect.any(Number),
    });
    expect((await owner.get(`/api/v1/webhooks/${endpoint.id}`)).json().lastDeliveryAt).not.toBeNull();

    // Paging: newest first, two at a time.
    const first = (await owner.get(`/api/v1/webhooks/${endpoint.id}/deliveries?limit=2`)).json();
    const second = (
      await owner.get(`/api/v1/webhooks/${endpoint.id}/deliveries?limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect([...first.items, ...second.items].map((item: { id: string }) => item.id)).toEqual(
      listed.items.slice(0, 4).map((item: { id: string }) => item.id),
    );
  });

  it('does not send to disabled endpoints or for unsubscribed events', async () => {
    const { owner } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '京东', channelType: 'api' })).json();
    const disabled = await createEndpoint(owner, { enabled: false });
    const other = await createEndpoint(owner, { events: ['ticket.resolved'] });
    await signedInbound(api, '在吗');
    await pause(200);
    await context.outbox.drain();
    expect(receiver.received).toEqual([]);
    expect(await countRows(context, 'from deliveries where subject_id in ($1, $2)', [disabled.id, other.id])).toBe(0);
  });

  it('retries after a 500 and a timeout-like 429, then succeeds once', async () => {
    const { owner } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '拼多多', channelType: 'api' })).json();
    const endpoint = await createEndpoint(owner);
    receiver.script([500, 429]);
    await signedInbound(api, '发票怎么开');
    await untilQueued(endpoint.id, 1);
    await context.outbox.drain();
    expect(receiver.received.map((entry) => entry.status)).toEqual([500, 429, 200]);
    expect(new Set(receiver.received.map((entry) => entry.headers['x-huike-delivery'])).size).toBe(1);
    const [delivery] = (await owner.get(`/api/v1/webhooks/${endpoint.id}/deliveries`)).json().items;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200, lastError: null });
  });

  it('keeps a retried delivery pending with its error and next attempt until it is due', async () => {
    const { owner } = await createWorkspace(context);
    const endpoint = await createEndpoint(owner);
    receiver.script([503]);
    const ping = (await owner.post(`/api/v1/webhooks/${endpoint.id}/test`)).json();
    expect(ping).toMatchObject({
      event: 'ping',
      status: 'pending',
      attempts: 1,
      lastStatusCode: 503,
      lastError: '对方返回了 HTTP 503',
      lastReason: { code: 'delivery.http_status', params: { status: 503 } },
    });
    expect(Date.parse(ping.nextAttemptAt) - Date.now()).toBeGreaterThan(5_000);
    // Leave nothing pending for the tests after this one.
    await owner.request({ method: 'DELETE', url: `/api/v1/webhooks/${endpoint.id}` });
  });

  it('sends a 400 straight to the dead-letter list; replay delivers it', async () => {
    const { owner } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '小红书', channelType: 'api' })).json();
    const endpoint = await createEndpoint(owner);
    receiver.script([400]);
    await signedInbound(api, '尺码偏大吗');
    await untilQueued(endpoint.id, 1);
    await context.outbox.drain();
    expect(receiver.received).toHaveLength(1);

    const dead = (await owner.get('/api/v1/webhook-deliveries?status=dead')).json();
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0]).toMatchObject({
      endpointId: endpoint.id,
      event: 'message.created',
      status: 'dead',
      attempts: 1,
      lastStatusCode: 400,
      lastError: '对方返回了 HTTP 400',
      lastReason: { code: 'delivery.http_status', params: { status: 400 } },
      nextAttemptAt: null,
    });
    expect((await owner.get(`/api/v1/webhooks/${endpoint.id}`)).json().failing).toBe(1);

    // A disabled endpoint is refused, and the failed attempt stays as it was.
    await owner.patch(`/api/v1/webhooks/${endpoint.id}`, { enabled: false });
    const refused = await owner.post(`/api/v1/webhook-deliveries/${dead.items[0].id}/replay`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'webhook.disabled',
      message: expect.stringContaining('已停用'),
    });
    expect((await owner.get('/api/v1/webhook-deliveries?status=dead')).json().items[0]).toMatchObject({
      attempts: 1,
      lastStatusCode: 400,
    });
    await owner.patch(`/api/v1/webhooks/${endpoint.id}`, { enabled: true });

    const replayed = await owner.post(`/api/v1/webhook-deliveries/${dead.items[0].id}/replay`);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toMatchObject({ status: 'pending', attempts: 0 });
    await context.outbox.drain();
    expect(receiver.received.map((entry) => entry.status)).toEqual([400, 200]);
    expect(receiver.received[1]!.headers['x-huike-delivery']).toBe(dead.items[0].id);
    expect(receiver.received[1]!.raw).toBe(receiver.received[0]!.raw);
    expect((await owner.get('/api/v1/webhook-deliveries?status=dead')).json().items).toEqual([]);
    expect((await owner.get(`/api/v1/webhooks/${endpoint.id}`)).json().failing).toBe(0);

    const again = await owner.post(`/api/v1/webhook-deliveries/${dead.items[0].id}/replay`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/只有已停止重试的投递/);
  });

  it('treats 410 and redirects as permanent, and answers a test ping', async () => {
    const { owner } = await createWorkspace(context);
    const endpoint = await createEndpoint(owner);
    const ok = await owner.post(`/api/v1/webhooks/${endpoint.id}/test`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ event: 'ping', status: 'succeeded', attempts: 1, lastStatusCode: 200 });
    expect(receiver.received[0]!.body).toMatchObject({ event: 'ping', data: { webhookId: endpoint.id } });
    expect(
      verifySignature(endpoint.secret, receiver.received[0]!.headers['x-huike-signature'], receiver.received[0]!.raw),
    ).toBe(true);

    receiver.script([410]);
    expect((await owner.post(`/api/v1/webhooks/${endpoint.id}/test`)).json()).toMatchObject({
      status: 'dead',
      lastStatusCode: 410,
      lastError: '对方返回了 HTTP 410',
      lastReason: { code: 'delivery.http_status', params: { status: 410 } },
    });
    receiver.script([302]);
    const redirected = (await owner.post(`/api/v1/webhooks/${endpoint.id}/test`)).json();
    expect(redirected).toMatchObject({
      status: 'dead',
      lastStatusCode: 302,
      lastReason: { code: 'delivery.redirect', params: { status: 302 } },
    });
    expect(redirected.lastError).toMatch(/不跟随重定向/);
    expect(receiver.received).toHaveLength(3);
    // The dead-letter list says the same.
    const dead = (await owner.get('/api/v1/webhook-deliveries?status=dead')).json().items;
    expect(dead.map((item: { lastReason: unknown }) => item.lastReason)).toEqual([
      { code: 'delivery.redirect', params: { status: 302 } },
      { code: 'delivery.http_status', params: { status: 410 } },
    ]);
  });

  it('gives up on a receiver that does not answer in time, saying so as a timeout', { timeout: 30_000 }, async () => {
    const { owner } = await createWorkspace(context);
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks/slow`;
      const endpoint = await createEndpoint(owner, { url });
      const ping = (await owner.post(`/api/v1/webhooks/${endpoint.id}/test`)).json();
      expect(ping).toMatchObject({
        status: 'pending',
        lastStatusCode: null,
        lastError: '无法送达：请求超时（10 秒）',
        lastReason: { code: 'delivery.timeout', params: { seconds: 10 } },
      });
      await owner.request({ method: 'DELETE', url: `/api/v1/webhooks/${endpoint.id}` });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses at delivery time an address the strict configuration does not allow', async () => {
    const { owner } = await createWorkspace(context);
    const endpoint = await createEndpoint(owner);
    // The strict app shares the database: its outbox refuses the loopback address it would connect to.
    await strict.database.pool.query(
      `insert into deliveries (id, workspace_id, kind, subject_id, payload) values (gen_random_uuid(), $1, 'webhook', $2, $3)`,
      [owner.workspaceId, endpoint.id, { event: 'ping', occurredAt: new Date().toISOString(), data: {} }],
    );
    await strict.outbox.drain();
    expect(receiver.received).toEqual([]);
    const [delivery] = (await owner.get(`/api/v1/webhooks/${endpoint.id}/deliveries`)).json().items;
    expect(delivery).toMatchObject({
      status: 'dead',
      lastReason: { code: 'delivery.url_refused', params: { problem: 'private_address' } },
    });
    expect(delivery.lastError).toMatch(/内网、本机或保留地址/);
  });

  it('delivers every event exactly once to a receiver that fails a third of the time', async () => {
    const { owner } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '唯品会', channelType: 'api' })).json();
    const endpoint = await createEndpoint(owner);
    let n = 0;
    receiver.decideBy(() => (n++ % 3 === 0 ? 500 : 200));
    for (let i = 0; i < 20; i++) await signedInbound(api, `第 ${i} 条消息`, `buyer-${i % 4}`);
    await untilQueued(endpoint.id, 20);
    await context.outbox.drain();
    const succeeded = receiver.received.filter((entry) => entry.status === 200);
    const ids = succeeded.map((entry) => String(entry.headers['x-huike-delivery']));
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(new Set(succeeded.map((entry) => (entry.body.data as EventData).message?.content)).size).toBe(20);
    expect(
      await countRows(context, "from deliveries where subject_id = $1 and status = 'succeeded'", [endpoint.id]),
    ).toBe(20);
  });

  it('sends nothing twice when inbound messages are published again after a restart', async () => {
    const { owner } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '得物', channelType: 'api' })).json();
    const endpoint = await createEndpoint(owner);
    await signedInbound(api, '鉴定要多久？');
    await untilQueued(endpoint.id, 1);
    await context.outbox.drain();
    const before = await countRows(context, "from deliveries where kind = 'webhook'");
    expect(await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000))).toBeGreaterThan(0);
    await pause(300);
    expect(await countRows(context, "from deliveries where kind = 'webhook'")).toBe(before);
    expect(receiver.received).toHaveLength(1);
  });

  it('writes ticket, customer and resolution deliveries with the change, so a crash right after the commit loses none', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const api = (await owner.post('/api/v1/inboxes', { name: '唯品会', channelType: 'api' })).json();
    await signedInbound(api, '我要退货');
    const conversation = (await owner.get('/api/v1/conversations?assignee=all')).json().items[0];
    const endpoint = await createEndpoint(owner, {
      events: ['conversation.resolved', 'ticket.created', 'ticket.updated', 'ticket.resolved', 'customer.updated'],
    });
    const agent = await addUser('agent');
    const queuedEvents = async () =>
      (
        await context.database.pool.query<{ event: string }>(
          "select payload->>'event' as event from deliveries where subject_id = $1 order by payload->>'event'",
          [endpoint.id],
        )
      ).rows.map((row) => row.event);

    // The process "dies" after each commit: nothing published after a commit runs.
    const publish = vi.spyOn(context.events, 'publish').mockImplementation(() => {});
    try {
      const ticket = (
        await agent.post('/api/v1/tickets', { subject: '退货', customerId: conversation.customerId })
      ).json();
      expect((await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'resolved' })).statusCode).toBe(200);
      expect((await agent.patch(`/api/v1/customers/${conversation.customerId}`, { region: '上海' })).statusCode).toBe(
        200,
      );
      const resolved = await agent.post(`/api/v1/conversations/${conversation.id}/status`, { status: 'resolved' });
      expect(resolved.statusCode).toBe(200);
      // A change that fails writes nothing (the ticket cannot go from resolved to waiting on a third party).
      const refused = await agent.patch(`/api/v1/tickets/${ticket.id}`, {
        status: 'waiting_third_party',
        severity: 'urgent',
      });
      expect(refused.statusCode).toBe(409);
    } finally {
      publish.mockRestore();
    }
    expect(await queuedEvents()).toEqual([
      'conversation.resolved',
      'customer.updated',
      'ticket.created',
      'ticket.resolved',
      'ticket.updated',
    ]);
    // The outbox sends them without the wake-up the lost publish would have given.
    await context.outbox.drain();
    expect(receiver.received.map((entry) => entry.headers['x-huike-event']).sort()).toEqual(await queuedEvents());
  });

  it('announces a buyer first seen on an order (order API) as customer.created, once', async () => {
    const { owner } = await createWorkspace(context);
    const endpoint = await createEndpoint(owner, { events: ['customer.created'] });
    const order = {
      platform: 'jd',
      orderNo: 'JD-20261124-1',
      status: 'paid',
      amountFen: 9_900,
      customer: { buyerId: 'jd_buyer_9', name: '赵敏' },
    };
    expect((await owner.post('/api/v1/orders', order)).statusCode).toBe(201);
    expect((await owner.post('/api/v1/orders', { ...order, orderNo: 'JD-20261124-2' })).statusCode).toBe(201);
    await untilQueued(endpoint.id, 1);
    await context.outbox.drain();
    expect(receiver.received).toHaveLength(1);
    expect((receiver.received[0]!.body as { data: EventData }).data.customer).toMatchObject({ name: '赵敏' });
  });

  it('removes the deliveries of a deleted endpoint', async () => {
    const { owner } = await createWorkspace(context);
    const endpoint = await createEndpoint(owner);
    receiver.script([500]);
    await owner.post(`/api/v1/webhooks/${endpoint.id}/test`);
    expect(await countRows(context, 'from deliveries where subject_id = $1', [endpoint.id])).toBe(1);
    await owner.request({ method: 'DELETE', url: `/api/v1/webhooks/${endpoint.id}` });
    expect(await countRows(context, 'from deliveries where subject_id = $1', [endpoint.id])).toBe(0);
  });
});

// API channel outbound ---------------------------------------------------------------------------------------

describe('API channel outbound', () => {
  const outboundUrl = () => `http://127.0.0.1:${port}/bridge/outbound`;

  async function apiInboxWithReply(owner: Client) {
    const inbox = (
      await owner.post('/api/v1/inboxes', {
        name: '淘宝桥接',
        channelType: 'api',
        channelConfig: { outboundUrl: outboundUrl() },
      })
    ).json();
    await signedInbound(inbox, '这件有现货吗？', 'tb-buyer-9');
    const conversation = (await owner.get(`/api/v1/conversations?inboxId=${inbox.id}`)).json().items[0];
    return { inbox, conversation };
  }

  it('posts an agent reply to the integrator, signed with the inbox secret, and marks it sent', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, conversation } = await apiInboxWithReply(owner);
    expect(inbox.channelConfig).toEqual({ outboundUrl: outboundUrl() });
    receiver.answerWith('{"id":"tb-msg-123"}');
    const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '有的，今天发货' });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().delivery).toEqual({ status: 'pending', error: null, reason: null });
    await context.outbox.drain();

    expect(receiver.received).toHaveLength(1);
    const [sent] = receiver.received;
    expect(verifySignature(inbox.secret, sent!.headers['x-huike-signature'], sent!.raw)).toBe(true);
    expect(sent!.headers['x-huike-event']).toBe('message.outbound');
    expect(sent!.body).toMatchObject({
      id: sent!.headers['x-huike-delivery'],
      event: 'message.outbound',
      inboxId: inbox.id,
      sourceId: 'tb-buyer-9',
      message: { id: reply.json().id, content: '有的，今天发货', senderKind: 'agent', conversationId: conversation.id },
    });
    const messages = (await owner.get(`/api/v1/conversations/${conversation.id}/messages`)).json().items;
    const stored = messages.find((item: { id: string }) => item.id === reply.json().id);
    expect(stored).toMatchObject({ delivery: { status: 'sent', error: null }, externalId: 'tb-msg-123' });

    // Private notes never leave.
    await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '备注', private: true });
    await context.outbox.drain();
    expect(receiver.received).toHaveLength(1);
  });

  it('marks a refused reply failed with the error; retry sends it again', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const { conversation } = await apiInboxWithReply(owner);
    receiver.script([400]);
    const reply = (await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '好的亲' })).json();
    await context.outbox.drain();
    const failed = async () =>
      (await owner.get(`/api/v1/conversations/${conversation.id}/messages`))
        .json()
        .items.find((item: { id: string }) => item.id === reply.id);
    expect((await failed()).delivery).toEqual({
      status: 'failed',
      error: '对方返回了 HTTP 400',
      reason: { code: 'delivery.http_status', params: { status: 400 } },
    });

    const analyst = await addUser('analyst');
    expect((await analyst.post(`/api/v1/messages/${reply.id}/retry`)).statusCode).toBe(403);
    const other = await createWorkspace(context, '别家');
    expect((await other.owner.post(`/api/v1/messages/${reply.id}/retry`)).statusCode).toBe(404);

    const agent = await addUser('agent');
    const retried = await agent.post(`/api/v1/messages/${reply.id}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ id: reply.id, delivery: { status: 'pending', error: null } });
    await context.outbox.drain();
    expect((await failed()).delivery).toEqual({ status: 'sent', error: null, reason: null });
    expect(receiver.received.map((entry) => entry.status)).toEqual([400, 200]);
    expect(receiver.received[1]!.headers['x-huike-delivery']).toBe(receiver.received[0]!.headers['x-huike-delivery']);
    expect(
      await countRows(context, "from deliveries where kind = 'channel.message' and subject_id = $1", [reply.id]),
    ).toBe(1);

    const notFailed = await agent.post(`/api/v1/messages/${reply.id}/retry`);
    expect(notFailed.statusCode).toBe(409);
    expect(notFailed.json().error.message).toMatch(/只有发送失败的消息/);
  });

  it('keeps replies for polling when no outbound URL is set', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = (await owner.post('/api/v1/inboxes', { name: '自建 App', channelType: 'api' })).json();
    await signedInbound(inbox, '你好');
    const conversation = (await owner.get(`/api/v1/conversations?inboxId=${inbox.id}`)).json().items[0];
    const reply = (await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '您好' })).json();
    await context.outbox.drain();
    expect(receiver.received).toEqual([]);
    const stored = (await owner.get(`/api/v1/conversations/${conversation.id}/messages`))
      .json()
      .items.find((item: { id: string }) => item.id === reply.id);
    expect(stored.delivery.status).toBe('sent');
  });

  it('refuses an outbound URL on loopback without the opt-in, and a malformed one', async () => {
    const { owner } = await createWorkspace(strict);
    const loopback = await owner.post('/api/v1/inboxes', {
      name: '桥接',
      channelType: 'api',
      channelConfig: { outboundUrl: outboundUrl() },
    });
    expect(loopback.statusCode).toBe(400);
    expect(loopback.json().error.message).toMatch(/外发地址不可用/);
    const malformed = await owner.post('/api/v1/inboxes', {
      name: '桥接',
      channelType: 'api',
      channelConfig: { outboundUrl: 'ftp://x' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(
      await countRows(strict, "from inboxes where workspace_id = $1 and channel_type = 'api'", [owner.workspaceId]),
    ).toBe(0);
  });
});
