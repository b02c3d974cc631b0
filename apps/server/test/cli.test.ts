import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, login, startApp, TEST_ENCRYPTION_KEY, type TestContext } from './harness.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let context: TestContext | undefined;
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = await mkdtemp(path.join(tmpdir(), 'huike-cli-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
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
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          HUIKE_DEMO: '0',
          LOG_LEVEL: 'silent',
          HUIKE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        },
        timeout: 170_000,
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

// Each run starts Node, tsx and the whole app: seconds apiece, far more when the machine is busy.
describe('the huike command', { timeout: 180_000 }, () => {
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
      ' Agent@Test.huike ', // as pasted: trimmed and lower-cased
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

  it('sets a new password for a user who forgot theirs, signs them out everywhere and records it as the CLI', async () => {
    const app = await appOnSameDatabase();
    const signedIn = await login(app, 'agent@test.huike', 'correct-horse-2');
    const reset = await huike('user', 'reset-password', '--email', ' Agent@Test.huike ', '--password', 'new-horse-7');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('agent@test.huike');
    expect((await signedIn.get('/api/v1/auth/session')).statusCode).toBe(401);
    const again = await login(app, 'agent@test.huike', 'new-horse-7');
    expect((await again.get('/api/v1/auth/session')).json().user.name).toBe('小美');
    const { rows } = await app.database.pool.query(
      `select actor_id, details from audit_log where action = 'users.password_reset'`,
    );
    expect(rows).toEqual([{ actor_id: null, details: { name: '小美', email: 'agent@test.huike', via: 'cli' } }]);
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

  it.concurrent('refuses a short password, a missing, malformed or taken email with non-zero exits', async () => {
    const [short, missing, taken, malformed] = await Promise.all([
      huike('user', 'add', '--email', 'y@test.huike', '--password', 'short', '--role', 'agent'),
      huike('user', 'add', '--password', 'correct-horse-1'),
      huike('user', 'add', '--email', 'agent@test.huike', '--password', 'correct-horse-1'),
      huike('user', 'add', '--email', 'bad', '--password', 'correct-horse-1'),
    ]);
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toContain('邮箱格式不正确');
    expect(await countUsers('bad')).toBe(0);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('8');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--email');
    expect(taken.code).not.toBe(0);
    expect(taken.stderr.length).toBeGreaterThan(0);
    expect(await countUsers('y@test.huike')).toBe(0);
  });

  it.concurrent('refuses a password reset for an unknown email or with a short password, changing nothing', async () => {
    const [unknown, short] = await Promise.all([
      huike('user', 'reset-password', '--email', 'nobody@test.huike', '--password', 'correct-horse-1'),
      huike('user', 'reset-password', '--email', 'boss@test.huike', '--password', 'short'),
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('nobody@test.huike');
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('8');
    expect(await login(await appOnSameDatabase(), 'boss@test.huike', 'correct-horse-1')).toBeDefined();
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
    expect(result.stderr).toContain('user reset-password');
  });
});

describe('huike import and export', { timeout: 180_000 }, () => {
  it('imports a CSV as the owner, commits the good rows and writes the rejected ones next to the file', async () => {
    const file = path.join(workDir, '客户.csv');
    await writeFile(
      file,
      [
        '姓名,手机号,邮箱,地区',
        '张三,13812345678,zhang@example.com,浙江杭州',
        '李四,13912345678,,上海',
        '王五,12345,,北京',
        '赵六,13700000001,,上海',
        '',
      ].join('\r\n'),
    );
    const result = await huike('import', 'customers', file);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('新建 3，更新 0，未变化 0，未导入 1');
    expect(result.stdout).toContain(`${file}.rejected.csv`);
    const report = await readFile(`${file}.rejected.csv`, 'utf8');
    // The rejected row itself, under the file's headers, with its row number and reason: fix it and import again.
    expect(report).toBe('\ufeff姓名,手机号,邮箱,地区,行号,原因\r\n王五,12345,,北京,4,手机号格式不正确：12345\r\n');
    const app = await appOnSameDatabase();
    const { rows } = await app.database.pool.query('select name, region from customers order by phone');
    expect(rows).toEqual([
      { name: '赵六', region: '上海' },
      { name: '张三', region: '浙江杭州' },
      { name: '李四', region: '上海' },
    ]);
    const { rows: audit } = await app.database.pool.query(
      `select u.email from audit_log a join users u on u.id = a.actor_id where a.action = 'customers.imported'`,
    );
    expect(audit).toEqual([{ email: 'boss@test.huike' }]);

    // The same file again changes nothing.
    const again = await huike('import', 'customers', file);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('新建 0，更新 0，未变化 3，未导入 1');
  });

  it('exports customers to CSV with the chosen fields, unmasked for the owner', async () => {
    const out = path.join(workDir, 'all.csv');
    const result = await huike('export', 'customers', '--format', 'csv', '--out', out, '--fields', 'name,phone,region');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('已导出 3 位客户');
    const text = await readFile(out, 'utf8');
    const lines = text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('姓名,手机号,地区');
    expect(lines.slice(1).sort()).toEqual([
      '张三,13812345678,浙江杭州',
      '李四,13912345678,上海',
      '赵六,13700000001,上海',
    ]);

    const defaults = path.join(workDir, 'defaults.xlsx');
    const xlsx = await huike('export', 'customers', '--format', 'xlsx', '--out', defaults);
    expect(xlsx.code, xlsx.stderr).toBe(0);
    expect((await readFile(defaults)).subarray(0, 2).toString()).toBe('PK');
  });

  it('exports only a segment’s customers with --segment, and a search’s with --q', async () => {
    const app = await appOnSameDatabase();
    const { rows } = await app.database.pool.query(`select workspace_id from users where email = 'boss@test.huike'`);
    const created = await app.services.segments.create((await app.services.identity.actorByEmail('boss@test.huike'))!, {
      name: '上海客户',
      filter: { op: 'and', conditions: [{ field: 'region', op: 'eq', value: '上海' }] },
    });
    const out = path.join(workDir, 'segment.csv');
    const result = await huike(
      'export',
      'customers',
      '--format',
      'csv',
      '--out',
      out,
      '--segment',
      created.id,
      '--fields',
      'name',
      '--workspace',
      rows[0].workspace_id,
    );
    expect(result.code, result.stderr).toBe(0);
    const names = (await readFile(out, 'utf8'))
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(names.slice(1).sort()).toEqual(['李四', '赵六']);

    const searched = path.join(workDir, 'search.csv');
    const byQ = await huike(
      'export',
      'customers',
      '--format',
      'csv',
      '--out',
      searched,
      '--q',
      'zhangsan',
      '--fields',
      'name',
    );
    expect(byQ.code, byQ.stderr).toBe(0);
    expect(
      (await readFile(searched, 'utf8'))
        .replace(/^\ufeff/, '')
        .trim()
        .split('\r\n'),
    ).toEqual(['姓名', '张三']);
  });

  it.concurrent('fails with a message and a non-zero exit on a missing file, a bad format or an unknown segment', async () => {
    const [missing, format, segment, fields] = await Promise.all([
      huike('import', 'customers', path.join(workDir, 'nope.csv')),
      huike('export', 'customers', '--format', 'docx', '--out', path.join(workDir, 'x.docx')),
      huike(
        'export',
        'customers',
        '--format',
        'csv',
        '--out',
        path.join(workDir, 'x.csv'),
        '--segment',
        '00000000-0000-7000-8000-000000000000',
      ),
      huike('export', 'customers', '--format', 'csv', '--out', path.join(workDir, 'y.csv'), '--fields', 'password'),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('nope.csv');
    expect(format.code).not.toBe(0);
    expect(format.stderr).toContain('docx');
    expect(segment.code).not.toBe(0);
    expect(segment.stderr.length).toBeGreaterThan(0);
    expect(fields.code).not.toBe(0);
    expect(fields.stderr).toContain('password');
  });

  it('imports an order file without a 平台 column with --platform, and refuses an unknown platform or none', async () => {
    const file = path.join(workDir, '京东订单.csv');
    // 张三's phone: the order joins the customer imported above.
    await writeFile(file, ['订单号,付款时间,手机号', 'JD-CLI-1,2026-11-20 10:00:00,13812345678', ''].join('\r\n'));
    const [none, unknown] = await Promise.all([
      huike('import', 'orders', file),
      huike('import', 'orders', file, '--platform', 'amazon'),
    ]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('--platform');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('未知的平台：amazon');
    expect(unknown.stderr).toContain('taobao | tmall | jd');

    const result = await huike('import', 'orders', file, '--platform', 'jd');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('整个文件按平台 jd 导入');
    expect(result.stdout).toContain('新建 1，更新 0，未变化 0，未导入 0');
    const app = await appOnSameDatabase();
    const { rows } = await app.database.pool.query(
      `select o.platform, c.name from orders o join customers c on c.id = o.customer_id where o.order_no = 'JD-CLI-1'`,
    );
    expect(rows).toEqual([{ platform: 'jd', name: '张三' }]);

    const help = await huike('--help');
    expect(help.stdout).toContain('--platform');
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
