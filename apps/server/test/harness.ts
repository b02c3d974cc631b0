import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { AgentEvent, VisitorServerFrame } from '@huike/contracts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp, type HuikeApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connect, type Database } from '../src/db/database.ts';
import { searchColumns } from '../src/modules/customers/customer-search.ts';
import { newId } from '../src/platform/ids.ts';
import { withDatabase } from './global-setup.ts';

export type TestContext = HuikeApp & { database: Database; databaseUrl: string };

/** A fresh database cloned from the migrated template, and the app on it. Closed after the file's tests. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const name = `huike_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('templateDatabase')}`);
  await admin.end();
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export async function startApp(
  databaseUrl: string,
  options: { logLevel?: string; logStream?: { write(line: string): void }; env?: Record<string, string> } = {},
): Promise<TestContext> {
  const config = loadConfig({
    ...options.env,
    DATABASE_URL: databaseUrl,
    HUIKE_DEMO: '0',
    // A fixed key, so no test writes an encryption.key file (ID-card and bank-card numbers are encrypted).
    HUIKE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const { db, pool } = connect(databaseUrl, 10);
  const database: Database = { db, pool, url: databaseUrl, isEmbedded: false, close: () => pool.end() };
  const huike = await buildApp({ config, database, logStream: options.logStream });
  return { ...huike, database, databaseUrl };
}

/** `env`: extra settings, e.g. `HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1'` for a file whose stand-in servers listen locally. */
export async function createTestApp(options: { env?: Record<string, string> } = {}): Promise<TestContext> {
  const { url, drop } = await createTestDatabase();
  const context = await startApp(url, { env: options.env });
  afterAll(async () => {
    await context.app.close();
    await context.database.close();
    await drop();
  });
  return context;
}

/** An HTTP client bound to one signed-in user (cookie + CSRF token), or to nobody. */
export type Client = {
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  cookie?: string;
  csrfToken?: string;
  userId?: string;
  workspaceId?: string;
};

export function clientFor(
  context: TestContext,
  auth?: { cookie: string; csrfToken: string; userId?: string; workspaceId?: string },
): Client {
  const request = (options: InjectOptions) =>
    context.app.inject({
      ...options,
      headers: {
        ...(auth ? { cookie: auth.cookie, 'x-csrf-token': auth.csrfToken } : {}),
        ...options.headers,
      },
    });
  return {
    ...auth,
    request,
    get: (url) => request({ method: 'GET', url }),
    post: (url, payload) => request({ method: 'POST', url, payload: payload as InjectOptions['payload'] }),
    patch: (url, payload) => request({ method: 'PATCH', url, payload: payload as InjectOptions['payload'] }),
  };
}

export async function login(context: TestContext, email: string, password: string): Promise<Client> {
  const response = await context.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  const session = response.json();
  const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return clientFor(context, {
    cookie,
    csrfToken: session.csrfToken,
    userId: session.user.id,
    workspaceId: session.workspace.id,
  });
}

export const PASSWORD = 'correct-horse-1';

/** For tests that seed the whole demo shop: 10–20 s alone, over 30 s when CI runs two such files at once. */
export const DEMO_SEED_TIMEOUT_MS = 120_000;

/** A workspace with an owner and a website inbox; `users` adds members with the given roles. */
export async function createWorkspace(context: TestContext, name = '测试店铺') {
  const tag = randomBytes(4).toString('hex');
  const email = `owner-${tag}@test.huike`;
  await context.services.workspaces.createWorkspaceWithOwner({
    workspaceName: name,
    timezone: 'Asia/Shanghai',
    name: '店长',
    email,
    password: PASSWORD,
  });
  const owner = await login(context, email, PASSWORD);
  const inbox = (await owner.post('/api/v1/inboxes', { name: '官网', channelType: 'website' })).json();
  async function addUser(role: 'admin' | 'supervisor' | 'agent' | 'analyst', userName: string = role) {
    const userEmail = `${role}-${randomBytes(4).toString('hex')}@test.huike`;
    const created = await owner.post('/api/v1/users', { email: userEmail, name: userName, role, password: PASSWORD });
    if (created.statusCode !== 201) throw new Error(created.body);
    return login(context, userEmail, PASSWORD);
  }
  return { owner, inbox, addUser, ownerEmail: email };
}

/** A widget visitor of an inbox, who sends messages through the public channel API. */
export async function createVisitor(context: TestContext, inboxToken: string) {
  const session = (
    await context.app.inject({ method: 'POST', url: `/public/v1/inboxes/${inboxToken}/visitors`, payload: {} })
  ).json();
  const send = (content: string, clientMsgId?: string) =>
    context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inboxToken}/messages`,
      headers: { 'x-huike-visitor-token': session.visitorToken },
      payload: { sourceId: session.sourceId, content, ...(clientMsgId ? { clientMsgId } : {}) },
    });
  return { ...session, send } as { sourceId: string; visitorToken: string; send: typeof send };
}

/** Hex HMAC-SHA256, as shops and integrators compute it (identifierHash, x-huike-signature). */
export const hmacHex = (secret: string, payload: string): string =>
  createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/** The `x-huike-signature` header for a raw body: `t=<unix seconds>,v1=<hex HMAC(secret, t + "." + body)>`. */
export function signatureHeader(secret: string, rawBody: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, `${unixSeconds}.${rawBody}`)}`;
}

/** Posts a public message the way an integrator does: signed with the inbox secret instead of a visitor token. */
export function sendSigned(
  context: TestContext,
  inbox: { token: string; secret: string },
  body: Record<string, unknown>,
  unixSeconds?: number,
) {
  const rawBody = JSON.stringify(body);
  return context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inbox.token}/messages`,
    headers: {
      'content-type': 'application/json',
      'x-huike-signature': signatureHeader(inbox.secret, rawBody, unixSeconds),
    },
    payload: rawBody,
  });
}

/** A customer row written straight to the database, for tests about customers rather than channels. */
export async function insertCustomer(
  context: TestContext,
  workspaceId: string,
  details: { name?: string | null; phone?: string | null; email?: string | null } = {},
): Promise<string> {
  const id = newId();
  const row = { name: details.name ?? null, phone: details.phone ?? null, email: details.email ?? null };
  const search = searchColumns(row);
  await context.database.pool.query(
    `insert into customers (id, workspace_id, name, phone, email, search_name, search_text, search_grams,
       search_pinyin, search_initials, search_phone, search_phones, search_email, search_emails, search_version)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      id,
      workspaceId,
      row.name,
      row.phone,
      row.email,
      search.searchName,
      search.searchText,
      search.searchGrams,
      search.searchPinyin,
      search.searchInitials,
      search.searchPhone,
      search.searchPhones,
      search.searchEmail,
      search.searchEmails,
      search.searchVersion,
    ],
  );
  return id;
}

/** `select count(*)` as a number. */
export async function countRows(context: TestContext, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await context.database.pool.query<{ count: number }>(`select count(*)::int as count ${sql}`, params);
  return rows[0]!.count;
}

/**
 * Every route the app registered, as `METHOD /url` (automatic HEAD routes left out), read from Fastify's
 * route tree. Fastify has no public route list; see workspace-isolation.test.ts for why this matters.
 */
export function listRoutes(app: TestContext['app']): string[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const paths: string[] = [];
  const routes = new Set<string>();
  for (const line of tree.split('\n')) {
    const match = line.match(/^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([^)]*)\))?$/);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const url = (paths[depth - 1] ?? '') + match[2];
    paths[depth] = url;
    for (const method of (match[3] ?? '').split(', ')) {
      if (method && method !== 'HEAD') routes.add(`${method} ${url}`);
    }
  }
  return [...routes].sort();
}

/** Starts the app listening on a free local port; answers its http and ws base URLs. */
export async function listen(context: TestContext): Promise<{ http: string; ws: string }> {
  if (!context.app.server.listening) await context.app.listen({ port: 0, host: '127.0.0.1' });
  const address = context.app.server.address() as AddressInfo;
  return { http: `http://127.0.0.1:${address.port}`, ws: `ws://127.0.0.1:${address.port}` };
}

export type Frame = AgentEvent | VisitorServerFrame;
export type FrameOf<T extends Frame['type']> = Extract<Frame, { type: T }>;

/** A WebSocket client that records every frame, so tests can wait for one or check one never came. */
export type TestSocket = {
  socket: WebSocket;
  frames: Frame[];
  /**
   * The first not-yet-taken frame of this type matching the predicate, waiting up to timeoutMs for it (a ceiling:
   * it answers as soon as the frame is there; a loaded CI machine can take seconds to deliver one).
   */
  next<T extends Frame['type']>(
    type: T,
    predicate?: (frame: FrameOf<T>) => boolean,
    timeoutMs?: number,
  ): Promise<FrameOf<T>>;
  closed: Promise<{ code: number; reason: string }>;
  sendJson(frame: unknown): void;
  /** Marks every frame received so far as taken, so `next` only sees what comes after. */
  skipReceived(): void;
  close(): void;
};

/** Opens a socket; rejects with `{ status }` when the server refuses the upgrade with an HTTP answer. */
/** How long `next` waits for a frame unless told otherwise (a load average of 30 has delayed one past a second). */
export const FRAME_CEILING_MS = 15_000;

/** The socket's close, or `{ code: 0, reason: 'still open' }` if it is still open after `ms`. */
export function closedWithin(socket: TestSocket, ms = FRAME_CEILING_MS): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const stillOpen = new Promise<{ code: number; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ code: 0, reason: 'still open' }), ms);
  });
  return Promise.race([socket.closed, stillOpen]).finally(() => clearTimeout(timer));
}

export function openSocket(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const socket = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  const taken = new Set<Frame>();
  const waiters = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const waiter of waiters) waiter();
  });
  socket.on('error', () => {});
  const testSocket: TestSocket = {
    socket,
    frames,
    closed,
    sendJson: (frame) => socket.send(JSON.stringify(frame)),
    skipReceived: () => {
      for (const frame of frames) taken.add(frame);
    },
    close: () => socket.terminate(),
    next(type, predicate = () => true, timeoutMs = FRAME_CEILING_MS) {
      type Wanted = FrameOf<typeof type>;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.find(
            (frame): frame is Wanted => !taken.has(frame) && frame.type === type && predicate(frame as Wanted),
          );
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(testSocket));
    socket.once('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`socket refused with ${response.statusCode}`), { status: response.statusCode }));
      response.resume();
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** The HTTP status with which the server refuses a socket upgrade (or 101 when it accepts). */
export async function socketRefusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const opened = await openSocket(url, headers);
    opened.close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? 0;
  }
}

/** Resolves after ms milliseconds: for checking that something did NOT happen in a reasonable window. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The customer behind a visitor's source id. */
export async function customerIdOf(context: TestContext, sourceId: string): Promise<string> {
  const { rows } = await context.database.pool.query<{ customer_id: string }>(
    `select customer_id from customer_identities where kind = 'source' and external_id = $1`,
    [sourceId],
  );
  if (!rows[0]) throw new Error(`no identity for ${sourceId}`);
  return rows[0].customer_id;
}

/** A new visitor writes to the inbox, which opens a conversation; answers the visitor and the conversation's ids. */
export async function startConversation(context: TestContext, inboxToken: string, content = '你好，在吗？') {
  const visitor = await createVisitor(context, inboxToken);
  const sent = await visitor.send(content);
  if (sent.statusCode !== 201) throw new Error(sent.body);
  const customerId = await customerIdOf(context, visitor.sourceId);
  const { rows } = await context.database.pool.query<{ id: string }>(
    'select id from conversations where customer_id = $1 order by id desc limit 1',
    [customerId],
  );
  return { visitor, customerId, conversationId: rows[0]!.id };
}

/** What a visitor reads back of their history through the public API (their own token). */
export function readBack(
  context: TestContext,
  inboxToken: string,
  visitor: { sourceId: string; visitorToken: string },
  query = '',
) {
  return context.app.inject({
    method: 'GET',
    url: `/public/v1/inboxes/${inboxToken}/conversations/${visitor.sourceId}/messages${query}`,
    headers: { 'x-huike-visitor-token': visitor.visitorToken },
  });
}

/**
 * Waits until a visitor socket answers a ping (the server has checked the visitor's token), then forgets the pongs.
 * Tests that are not about the first moments of a connection use it so they do not depend on that timing.
 */
export async function untilVisitorSocketReady(socket: TestSocket): Promise<void> {
  const deadline = Date.now() + FRAME_CEILING_MS;
  while (Date.now() < deadline) {
    socket.sendJson({ type: 'ping' });
    const pong = await socket.next('pong', undefined, 100).catch(() => undefined);
    if (pong) {
      await pause(50);
      socket.skipReceived();
      return;
    }
  }
  throw new Error('visitor socket never answered a ping');
}
