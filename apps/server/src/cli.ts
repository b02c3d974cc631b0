import { parseArgs } from 'node:util';
import { orderPlatforms, password as passwordSchema, role as roleSchema } from '@huike/contracts';
import { z } from 'zod';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { backupDatabase, restoreDatabase } from './db/backup.ts';
import { openDatabase } from './db/database.ts';
import { startEmbeddedCluster } from './db/embedded.ts';
import { startServer } from './main.ts';
import { backfillSearchColumns } from './modules/customers/index.ts';
import { exportFromCli, importFromCli, isWorkspaceId } from './modules/imports-exports/imports-exports.cli.ts';
import { sentimentCli } from './modules/nlp/nlp.cli.ts';

const USAGE = `用法 Usage: huike <command>
  serve [--port N] [--role web|worker|all]   start the server (default)
  migrate                                    apply database migrations
  user add --email E --password P [--role R] [--name N] [--workspace NAME]
                                             add a user (role: agent unless given); the first one creates
                                             the workspace and is its owner
  user reset-password --email E --password P set a new password (8 characters or more) and sign the user
                                             out everywhere, e.g. for an owner who forgot theirs
  token create --email E --name N            print a new API token for that user
  import customers|orders FILE [--platform P] [--workspace ID]
                                             import a CSV/XLSX as the workspace's owner (suggested column
                                             mapping); rejected rows go to FILE.rejected.csv. --platform
                                             (${orderPlatforms.join('|')}): the platform of rows
                                             without one, e.g. an order file with no 平台 column
  export customers --format csv|xlsx|pdf --out FILE [--segment ID] [--q TEXT] [--fields a,b,c] [--workspace ID]
                                             export customers (default fields unless --fields)
  backup --out FILE [--include-key]          write the whole database (files included) to one gzip'd file from a
                                             consistent snapshot. The encryption key for ID-card and bank-card
                                             numbers is NOT included unless --include-key: keep it separately
  restore FILE [--force]                     load a backup into an empty database (the server must be stopped);
                                             --force replaces the data of a database that already has some
  nlp sentiment                              read one text per line on stdin, write one JSON per line
                                             {"label":"positive"|"negative","score":0.5..1}`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** Runs a one-off command against the database with the app's services, then closes everything. */
async function withServices<T>(task: (huike: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { logLevel: 'error' });
  const database = await openDatabase(config, () => {});
  const huike = await buildApp({ config, database });
  try {
    return await task(huike);
  } finally {
    await huike.app.close();
    await database.close();
  }
}

/** --email and --password as `command` needs them: the email trimmed and lower-cased, the password as a member's. */
function emailAndPassword(values: Record<string, string | boolean | undefined>, command: string) {
  const email = String(values.email ?? '')
    .trim()
    .toLowerCase();
  const password = String(values.password ?? '');
  if (!email || !password) fail(`${command} 需要 --email 和 --password`);
  if (!z.email().safeParse(email).success) fail(`邮箱格式不正确：${email}`);
  const checked = passwordSchema.safeParse(password);
  if (!checked.success) fail(checked.error.issues[0]?.message ?? '密码不符合要求');
  return { email, password };
}

async function addUser(values: Record<string, string | boolean | undefined>) {
  const { email, password } = emailAndPassword(values, 'user add');
  const role = roleSchema.safeParse(values.role ?? 'agent');
  if (!role.success) fail(`未知角色：${values.role}（owner | admin | supervisor | agent | analyst）`);
  await withServices(async ({ services }) => {
    const name = String(values.name ?? email.split('@')[0]);
    if (await services.workspaces.needsSetup()) {
      await services.workspaces.createWorkspaceWithOwner({
        workspaceName: String(values.workspace ?? '我的店铺'),
        timezone: 'Asia/Shanghai',
        name,
        email,
        password,
      });
      process.stdout.write(`已创建工作区和所有者 ${email}\n`);
      return;
    }
    const workspace = await services.workspaces.firstWorkspace();
    const actor = await services.identity.ownerActor(workspace!.id);
    if (!actor) fail('找不到工作区的所有者');
    const user = await services.identity.createUser(actor, { email, name, role: role.data, password, teamIds: [] });
    process.stdout.write(`已添加成员 ${user.email}（${user.role}）\n`);
  });
}

async function resetPassword(values: Record<string, string | boolean | undefined>) {
  const { email, password } = emailAndPassword(values, 'user reset-password');
  await withServices((huike) => huike.services.identity.resetPasswordByEmail(email, password));
  process.stdout.write(`已为 ${email} 设置新密码，并已退出其所有登录\n`);
}

/** The owner of the given workspace (by id), else of the first one: imports and exports act as them. */
async function ownerOf(services: Awaited<ReturnType<typeof buildApp>>['services'], workspaceId: string | undefined) {
  if (workspaceId !== undefined && !isWorkspaceId(workspaceId)) fail(`--workspace 需要工作区 ID：${workspaceId}`);
  const id = workspaceId ?? (await services.workspaces.firstWorkspace())?.id;
  const actor = id ? await services.identity.ownerActor(id) : undefined;
  if (!actor) fail(workspaceId ? `找不到工作区或其所有者：${workspaceId}` : '还没有工作区（先运行 huike user add）');
  return actor;
}

async function importFile(kind: string | undefined, file: string | undefined, values: Record<string, unknown>) {
  if (!kind || !file) fail('import 需要类型和文件：huike import customers|orders FILE');
  const result = await withServices((huike) =>
    importFromCli(
      {
        ...huike,
        importsExports: huike.services.importsExports,
        actorFor: (id) => ownerOf(huike.services, id),
        out: process.stdout,
      },
      {
        kind,
        file,
        platform: values.platform as string | undefined,
        workspaceId: values.workspace as string | undefined,
      },
    ),
  );
  return result;
}

async function exportFile(sub: string | undefined, values: Record<string, unknown>) {
  if (sub !== 'customers') fail('export 目前只支持 customers');
  if (!values.format || !values.out) fail('export customers 需要 --format 和 --out');
  await withServices((huike) =>
    exportFromCli(
      {
        ...huike,
        importsExports: huike.services.importsExports,
        actorFor: (id) => ownerOf(huike.services, id),
        out: process.stdout,
      },
      {
        format: String(values.format),
        out: String(values.out),
        segmentId: values.segment as string | undefined,
        q: values.q as string | undefined,
        fields: values.fields as string | undefined,
        workspaceId: values.workspace as string | undefined,
      },
    ),
  );
}

/** The database URL without migrating it (a backup records the schema as it is; a restore builds it itself). */
async function withDatabaseUrl<T>(
  task: (url: string, config: ReturnType<typeof loadConfig>) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env, { logLevel: 'error' });
  const embedded = config.databaseUrl ? undefined : await startEmbeddedCluster(config.dataDir, () => {});
  try {
    return await task(config.databaseUrl ?? embedded!.url, config);
  } finally {
    await embedded?.stop();
  }
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function backup(values: Record<string, string | boolean | undefined>) {
  if (typeof values.out !== 'string') fail('backup 需要 --out FILE');
  const started = Date.now();
  const summary = await withDatabaseUrl((url, config) =>
    backupDatabase({
      url,
      out: String(values.out),
      keyConfig: config,
      includeKey: values['include-key'] === true,
      progress,
    }),
  );
  const mb = (summary.bytes / 1024 / 1024).toFixed(1);
  process.stdout.write(
    `已备份 ${summary.tables} 张表、${summary.rows} 行到 ${summary.file}（${mb} MB，${((Date.now() - started) / 1000).toFixed(1)} 秒）\n`,
  );
  const key = summary.key;
  if (key.included) {
    process.stderr.write(
      `警告：备份文件里含有加密密钥（来自 ${key.source}）。拿到文件的人可以解密身份证号和银行卡号，请妥善保管\n`,
    );
  } else if (key.fingerprint) {
    process.stderr.write(
      `注意：加密密钥不在备份里（密钥在 ${key.source}，指纹 ${key.fingerprint}）。没有它，恢复后身份证号和银行卡号无法解密：请另行安全保存；或加 --include-key 一并备份\n`,
    );
  }
}

async function restore(file: string | undefined, values: Record<string, string | boolean | undefined>) {
  if (!file) fail('restore 需要备份文件：huike restore FILE');
  const started = Date.now();
  const summary = await withDatabaseUrl((url, config) =>
    restoreDatabase({ url, file, keyConfig: config, force: values.force === true, progress }),
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const upgraded = summary.migrated > 0 ? `，并升级了 ${summary.migrated} 个数据库迁移` : '';
  process.stdout.write(
    `已从 ${file}（${summary.manifest.createdAt} 备份，慧客 ${summary.manifest.productVersion}）恢复 ${summary.tables} 张表、${summary.rows} 行${upgraded}（${seconds} 秒）\n${summary.keyNote}\n`,
  );
}

async function createToken(values: Record<string, string | boolean | undefined>) {
  if (!values.email || !values.name) fail('token create 需要 --email 和 --name');
  await withServices(async ({ services }) => {
    const actor = await services.identity.actorByEmail(String(values.email));
    if (!actor) fail(`没有这个成员：${values.email}`);
    const { token } = await services.identity.createApiToken(actor, String(values.name), 'cli');
    process.stdout.write(`${token}\n`);
  });
}

export async function runCli(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      role: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      workspace: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      segment: { type: 'string' },
      q: { type: 'string' },
      fields: { type: 'string' },
      platform: { type: 'string' },
      'include-key': { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command = 'serve', sub, file] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'import') {
    await importFile(sub, file, values);
    return;
  }
  if (command === 'export') return exportFile(sub, values);
  if (command === 'backup' && !sub) return backup(values);
  if (command === 'restore') return restore(sub, values);
  switch (`${command}${sub ? ` ${sub}` : ''}`) {
    case 'serve': {
      const role = values.role ?? 'all';
      if (role !== 'web' && role !== 'worker' && role !== 'all') fail(`未知的 --role：${role}`);
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !Number.isInteger(port)) fail(`--port 需要一个数字`);
      await startServer(loadConfig(process.env, port === undefined ? {} : { port }), role);
      return;
    }
    case 'migrate': {
      const database = await openDatabase(loadConfig(), () => {});
      const filled = await backfillSearchColumns(database.db);
      await database.close();
      process.stdout.write(`数据库迁移完成${filled > 0 ? `（已为 ${filled} 位客户补全搜索索引）` : ''}\n`);
      return;
    }
    case 'user add':
      return addUser(values);
    case 'user reset-password':
      return resetPassword(values);
    case 'token create':
      return createToken(values);
    case 'nlp sentiment':
      return sentimentCli(process.stdin, process.stdout);
    default:
      fail(`未知命令：${positionals.join(' ')}`);
  }
}
