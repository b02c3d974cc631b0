import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDialect, PgSession } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../../test/global-setup.ts';
import {
  createTestApp,
  createTestDatabase,
  DEMO_SEED_TIMEOUT_MS,
  login,
  startApp,
  TEST_ENCRYPTION_KEY,
} from '../../test/harness.ts';
import { TINY_PNG, uploadAttachment } from '../../test/multipart.ts';
import { createFieldCipher, parseEncryptionKey } from '../platform/crypto.ts';
import { newId } from '../platform/ids.ts';
import { BackupError, backupDatabase, restoreDatabase } from './backup.ts';
import { connect, migrationsFolder } from './database.ts';
import { seedDemoWorkspace } from './demo-seed.ts';

const ID_CARD = '11010519491231002X';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const source = await createTestApp();
const keyConfig = { dataDir: '/nonexistent', encryptionKey: TEST_ENCRYPTION_KEY };
const cleanups: (() => Promise<void>)[] = [];
let workDir: string;
let backupFile: string;
let customerId: string;
let attachmentId: string;

/** A database with no tables at all, as `createdb` leaves it (not cloned from the migrated template). */
async function blankDatabase(): Promise<string> {
  const name = `huike_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: inject('adminUrl') });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });
  return withDatabase(inject('adminUrl'), name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Per app table: its row count and an md5 over every row's text, ordered, so two databases compare byte for byte. */
async function fingerprints(url: string): Promise<Record<string, string>> {
  const tables = await query<{ name: string }>(
    url,
    `select relname as name from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await query<{ count: number; digest: string | null }>(
      url,
      `select count(*)::int as count, md5(string_agg(t::text, E'\\n' order by t::text)) as digest from "${name}" t`,
    );
    result[name] = `${row!.count}:${row!.digest}`;
  }
  return result;
}

const tableCount = async (url: string) =>
  (
    await query<{ count: number }>(
      url,
      `select count(*)::int as count from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'`,
    )
  )[0]!.count;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'huike-backup-'));
  const { email, password } = await seedDemoWorkspace(source, source.database);
  const owner = await login(source, email, password);
  const [customer] = await query<{ id: string }>(source.databaseUrl, 'select id from customers order by id limit 1');
  customerId = customer!.id;
  const saved = await owner.patch(`/api/v1/customers/${customerId}`, { idCard: ID_CARD });
  expect(saved.statusCode, saved.body).toBe(200);
  const uploaded = await uploadAttachment(owner, '发票.png', TINY_PNG, 'image/png');
  expect(uploaded.statusCode, uploaded.body).toBe(201);
  attachmentId = uploaded.json().fileId;
  expect((await owner.get('/api/v1/audit-log/verify')).json().isIntact).toBe(true);
  backupFile = path.join(workDir, 'huike.backup.gz');
  const started = Date.now();
  const summary = await backupDatabase({ url: source.databaseUrl, out: backupFile, keyConfig });
  console.info(
    `backup of the demo shop: ${summary.rows} rows in ${summary.tables} tables, ${summary.bytes} bytes, ${Date.now() - started} ms`,
  );
}, DEMO_SEED_TIMEOUT_MS);

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await rm(workDir, { recursive: true, force: true });
});

// Each restore replays every migration and loads the demo shop: seconds apiece, far more when the machine is busy.
describe('huike backup and restore', { timeout: 180_000 }, () => {
  it('restores a demo shop into an empty database: same rows byte for byte, files, audit chain and encrypted fields', async () => {
    const target = await blankDatabase();
    const started = Date.now();
    const summary = await restoreDatabase({ url: target, file: backupFile, keyConfig });
    console.info(`restore of the demo shop: ${summary.rows} rows, ${Date.now() - started} ms`);
    expect(summary.keyNote).toContain('与备份一致');
    expect(await fingerprints(target)).toEqual(await fingerprints(source.databaseUrl));
    expect(summary.rows).toBeGreaterThan(100);
    expect(await query(target, 'select hash from drizzle.__drizzle_migrations order by id')).toEqual(
      await query(source.databaseUrl, 'select hash from drizzle.__drizzle_migrations order by id'),
    );

    const [customer] = await query<{ id_card_enc: string }>(
      target,
      `select id_card_enc from customers where id = '${customerId}'`,
    );
    expect(createFieldCipher(parseEncryptionKey(TEST_ENCRYPTION_KEY)).decrypt(customer!.id_card_enc)).toBe(ID_CARD);

    const restored = await startApp(target);
    try {
      const [owner] = await query<{ email: string }>(target, `select email from users where role = 'owner'`);
      // Passwords are restored too, but the demo's is random: sign in with a fresh one.
      await restored.services.identity.resetPasswordByEmail(owner!.email, 'restored-pass-1');
      const client = await login(restored, owner!.email, 'restored-pass-1');
      expect((await client.get('/api/v1/audit-log/verify')).json()).toMatchObject({ isIntact: true });
      const file = await client.get(`/api/v1/attachments/${attachmentId}`);
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.equals(TINY_PNG)).toBe(true);
      // Sequences continue past the restored rows: a new audited change appends to the chain.
      expect((await client.patch(`/api/v1/customers/${customerId}`, { name: '恢复后改名' })).statusCode).toBe(200);
      expect((await client.get('/api/v1/audit-log/verify')).json()).toMatchObject({ isIntact: true });
    } finally {
      await restored.app.close();
      await restored.database.close();
    }
  });

  it('refuses a database that already has data unless --force, then replaces it', async () => {
    const { url, drop } = await createTestDatabase();
    cleanups.push(drop);
    await restoreDatabase({ url, file: backupFile, keyConfig });
    await expect(restoreDatabase({ url, file: backupFile, keyConfig })).rejects.toThrow(/已有数据.*--force/);
    await query(url, `update customers set name = '改过' where id = '${customerId}'`);
    await restoreDatabase({ url, file: backupFile, keyConfig, force: true });
    expect(await fingerprints(url)).toEqual(await fingerprints(source.databaseUrl));
  });

  it('refuses while the server is connected to the database', async () => {
    await expect(
      restoreDatabase({ url: source.databaseUrl, file: backupFile, keyConfig, force: true }),
    ).rejects.toThrow(/正被.*停止慧客服务/);
  });

  it('refuses a truncated or corrupted file and writes nothing', async () => {
    const whole = await readFile(backupFile);
    const truncated = path.join(workDir, 'truncated.gz');
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const corrupt = path.join(workDir, 'corrupt.gz');
    const flipped = Buffer.from(whole);
    for (let at = Math.floor(flipped.length / 2); at < flipped.length / 2 + 64; at++) flipped[at]! ^= 0xff;
    await writeFile(corrupt, flipped);
    for (const file of [truncated, corrupt]) {
      const target = await blankDatabase();
      const error = await restoreDatabase({ url: target, file, keyConfig }).catch((e) => e);
      expect(error).toBeInstanceOf(BackupError);
      expect(error.message).toMatch(/不完整或已损坏/);
      expect(await tableCount(target)).toBe(0);
      expect(await query(target, `select to_regclass('drizzle.__drizzle_migrations') as t`)).toEqual([{ t: null }]);
    }
    const notABackup = path.join(workDir, 'other.gz');
    await writeFile(notABackup, gzipSync('id,name\n1,x\n'));
    await expect(restoreDatabase({ url: await blankDatabase(), file: notABackup, keyConfig })).rejects.toThrow(
      '这不是慧客的备份文件',
    );
  });

  it('refuses a file whose row PostgreSQL rejects, naming the table, and writes nothing', async () => {
    const text = gunzipSync(await readFile(backupFile)).toString('latin1');
    const at = text.indexOf('\t20', text.indexOf('\n', text.indexOf('\n') + 1));
    // Same length, so the chunk framing still holds and only the value is wrong: 2026-… becomes 2O26-…
    const damaged = `${text.slice(0, at + 2)}O${text.slice(at + 3)}`;
    const file = path.join(workDir, 'bad-row.gz');
    await writeFile(file, gzipSync(Buffer.from(damaged, 'latin1')));
    const target = await blankDatabase();
    const error = await restoreDatabase({ url: target, file, keyConfig }).catch((e) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect(error.message).toMatch(/不完整或已损坏（表 \w+：/);
    expect(await tableCount(target)).toBe(0);
  });

  it('refuses a backup from a newer schema, and one whose key differs from this install', async () => {
    const lines = gunzipSync(await readFile(backupFile))
      .toString('latin1')
      .split('\n');
    const manifest = JSON.parse(Buffer.from(lines[1]!, 'latin1').toString('utf8'));
    const write = async (name: string, changed: object) => {
      const file = path.join(workDir, name);
      const manifestLine = Buffer.from(JSON.stringify(changed), 'utf8').toString('latin1');
      await writeFile(file, gzipSync(Buffer.from([lines[0], manifestLine, ...lines.slice(2)].join('\n'), 'latin1')));
      return file;
    };
    const newer = await write('newer.gz', {
      ...manifest,
      migrations: [...manifest.migrations, { hash: 'from-the-future', createdAt: Date.now() + 1e9 }],
    });
    const target = await blankDatabase();
    await expect(restoreDatabase({ url: target, file: newer, keyConfig })).rejects.toThrow(
      /更新的数据库结构.*升级慧客/,
    );
    expect(await tableCount(target)).toBe(0);

    const otherKey = { dataDir: '/nonexistent', encryptionKey: Buffer.alloc(32, 9).toString('base64') };
    await expect(restoreDatabase({ url: target, file: backupFile, keyConfig: otherKey })).rejects.toThrow(
      /加密密钥.*与备份时的不同/,
    );
    expect(await tableCount(target)).toBe(0);
  });

  it('restores a backup from an older schema: built at its level, loaded, then migrated to the current one', async () => {
    const older = await blankDatabase();
    const { db, pool } = connect(older, 2);
    const migrations = readMigrationFiles({ migrationsFolder });
    const internals = db as unknown as { dialect: PgDialect; session: PgSession };
    await internals.dialect.migrate(migrations.slice(0, -1), internals.session, { migrationsFolder });
    await pool.query(`insert into workspaces (id, name, timezone) values ($1, '旧店', 'Asia/Shanghai')`, [newId()]);
    await pool.end();
    const file = path.join(workDir, 'older.gz');
    await backupDatabase({ url: older, out: file, keyConfig });

    const target = await blankDatabase();
    const summary = await restoreDatabase({ url: target, file, keyConfig });
    expect(summary.migrated).toBe(1);
    expect(await query(target, 'select name from workspaces')).toEqual([{ name: '旧店' }]);
    expect(await query(target, 'select count(*)::int as n from drizzle.__drizzle_migrations')).toEqual([
      { n: migrations.length },
    ]);
  });

  it('with --include-key carries the key, and restore installs it owner-only where this install has none', async () => {
    const file = path.join(workDir, 'with-key.gz');
    const summary = await backupDatabase({ url: source.databaseUrl, out: file, keyConfig, includeKey: true });
    expect(summary.key).toMatchObject({ included: true, source: 'HUIKE_ENCRYPTION_KEY' });
    const dataDir = path.join(workDir, 'fresh-install');
    const restored = await restoreDatabase({ url: await blankDatabase(), file, keyConfig: { dataDir } });
    expect(restored.keyNote).toContain('已从备份写入');
    const keyFile = path.join(dataDir, 'encryption.key');
    expect(parseEncryptionKey(await readFile(keyFile, 'utf8'))).toEqual(parseEncryptionKey(TEST_ENCRYPTION_KEY));
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    // Without the key in the file and none here: restored, with a warning saying what to put back.
    const warned = await restoreDatabase({
      url: await blankDatabase(),
      file: backupFile,
      keyConfig: { dataDir: workDir },
    });
    expect(warned.keyNote).toMatch(/警告：找不到加密密钥.*指纹/);
  });

  it('runs as `huike backup` and `huike restore`, saying where the key is and that it is not in the file', async () => {
    const huike = (databaseUrl: string, ...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['apps/server/bin/huike.js', ...args],
          {
            cwd: repoRoot,
            env: { ...process.env, DATABASE_URL: databaseUrl, HUIKE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
            timeout: 170_000,
          },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
        );
      });
    const out = path.join(workDir, 'cli', 'nightly.gz');
    const backedUp = await huike(source.databaseUrl, 'backup', '--out', out);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(backedUp.stdout).toMatch(/已备份 \d+ 张表、\d+ 行/);
    expect(backedUp.stderr).toContain('加密密钥不在备份里（密钥在 HUIKE_ENCRYPTION_KEY');
    expect((await stat(out)).size).toBeGreaterThan(0);

    const inUse = await huike(source.databaseUrl, 'restore', out, '--force');
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('正被');
    const restored = await huike(await blankDatabase(), 'restore', out);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/恢复 \d+ 张表、\d+ 行/);
    expect(restored.stdout).toContain('与备份一致');
    expect((await huike(source.databaseUrl, 'backup')).stderr).toContain('backup 需要 --out FILE');
  });
});
