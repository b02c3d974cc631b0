import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { buildApp, type HuikeApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connect, type Database } from '../src/db/database.ts';
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

export async function startApp(databaseUrl: string): Promise<TestContext> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, HUIKE_DEMO: '0', LOG_LEVEL: 'silent' });
  const { db, pool } = connect(databaseUrl, 10);
  const database: Database = { db, pool, url: databaseUrl, isEmbedded: false, close: () => pool.end() };
  const huike = await buildApp({ config, database });
  return { ...huike, database, databaseUrl };
}

export async function createTestApp(): Promise<TestContext> {
  const { url, drop } = await createTestDatabase();
  const context = await startApp(url);
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
