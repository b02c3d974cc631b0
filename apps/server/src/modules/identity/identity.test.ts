import { describe, expect, it } from 'vitest';
import { clientFor, createTestApp, createWorkspace, login, PASSWORD } from '../../../test/harness.ts';

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
