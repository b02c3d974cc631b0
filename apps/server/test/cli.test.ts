import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, login, startApp, type TestContext } from './harness.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let context: TestContext | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await context?.app.close();
  await context?.database.close();
  await database?.drop();
});

type Run = { code: number; stdout: string; stderr: string };

/** Runs `huike …` as an operator would, against the test database. */
function huike(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['apps/server/bin/huike.js', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: database.url, HUIKE_DEMO: '0', LOG_LEVEL: 'silent' },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const appOnSameDatabase = async () => {
  context ??= await startApp(database.url);
  return context;
};

describe('the huike command', () => {
  it('adds the first owner with a workspace, then prints an API token that works against the API', async () => {
    const added = await huike(
      'user',
      'add',
      '--email',
      'Boss@Test.Huike',
      '--password',
      'correct-horse-1',
      '--role',
      'owner',
      '--workspace',
      '店',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('boss@test.huike');
    const { rows } = await (await appOnSameDatabase()).database.pool.query(
      `select w.name as workspace, u.role from users u join workspaces w on w.id = u.workspace_id where u.email = 'boss@test.huike'`,
    );
    expect(rows).toEqual([{ workspace: '店', role: 'owner' }]);

    const created = await huike('token', 'create', '--email', 'boss@test.huike', '--name', '导入脚本');
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^hk_\S+$/);

    const app = await appOnSameDatabase();
    const response = await app.app.inject({
      method: 'GET',
      url: '/api/v1/inboxes',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: [], nextCursor: null });
    const session = await app.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(session.json().items.map((u: { email: string }) => u.email)).toEqual(['boss@test.huike']);
    const { rows: tokens } = await app.database.pool.query('select token_hash, name from api_tokens');
    expect(tokens).toHaveLength(1);
    expect(tokens[0].name).toBe('导入脚本');
    expect(tokens[0].token_hash).not.toContain(token);
  });

  it('adds a member with a role to the existing workspace, who can then sign in', async () => {
    const added = await huike(
      'user',
      'add',
      '--email',
      'agent@test.huike',
      '--password',
      'correct-horse-2',
      '--role',
      'agent',
      '--name',
      '小美',
    );
    expect(added.code, added.stderr).toBe(0);
    const app = await appOnSameDatabase();
    const agent = await login(app, 'agent@test.huike', 'correct-horse-2');
    const session = (await agent.get('/api/v1/auth/session')).json();
    expect(session.user).toMatchObject({ name: '小美', role: 'agent' });
    expect(session.workspace.name).toBe('店');
    expect(await countWorkspaces(app)).toBe(1);
  });

  // The refusals are independent of each other; running them side by side keeps the file fast.
  it.concurrent('refuses an unknown role with a message and a non-zero exit, adding nobody', async () => {
    const result = await huike(
      'user',
      'add',
      '--email',
      'x@test.huike',
      '--password',
      'correct-horse-1',
      '--role',
      'boss',
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('boss');
    expect(result.stderr).toMatch(/owner \| admin \| supervisor \| agent \| analyst/);
    expect(await countUsers('x@test.huike')).toBe(0);
  });

  it.concurrent('refuses a short password, a missing email and a taken email with non-zero exits', async () => {
    const [short, missing, taken] = await Promise.all([
      huike('user', 'add', '--email', 'y@test.huike', '--password', 'short', '--role', 'agent'),
      huike('user', 'add', '--password', 'correct-horse-1'),
      huike('user', 'add', '--email', 'agent@test.huike', '--password', 'correct-horse-1'),
    ]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('8');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--email');
    expect(taken.code).not.toBe(0);
    expect(taken.stderr.length).toBeGreaterThan(0);
    expect(await countUsers('y@test.huike')).toBe(0);
  });

  it.concurrent('refuses a token for an unknown member with a non-zero exit and prints no token', async () => {
    const result = await huike('token', 'create', '--email', 'nobody@test.huike', '--name', 'x');
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toMatch(/hk_/);
    expect(result.stderr).toContain('nobody@test.huike');
  });

  it.concurrent('refuses an unknown command with usage help', async () => {
    const result = await huike('frobnicate');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('user add');
  });
});

async function countUsers(email: string) {
  const app = await appOnSameDatabase();
  const { rows } = await app.database.pool.query('select count(*)::int as n from users where email = $1', [email]);
  return rows[0].n as number;
}

async function countWorkspaces(app: TestContext) {
  const { rows } = await app.database.pool.query('select count(*)::int as n from workspaces');
  return rows[0].n as number;
}
