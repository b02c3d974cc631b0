import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { parseEncryptionKey } from '../platform/crypto.ts';
import { migrationsFolder } from './database.ts';

/**
 * `huike backup` / `huike restore`: the whole application schema (every table in `public`, files included: they are
 * stored in the database) in one gzip'd file, without pg_dump (the embedded PostgreSQL ships none).
 *
 * Layout, inside gzip: the line `HUIKE-BACKUP 1`, the manifest as one JSON line, then per table a JSON line
 * `{"table","columns"}` followed by its `COPY … TO STDOUT` text in frames (`<byte length>\n<bytes>`, a `0\n` frame
 * ends the table), then a trailer JSON line with the row counts. The counts come last because they are counted while
 * streaming (text COPY ends every row with a newline and escapes the others): counting first would read every table
 * twice. A file without its trailer is incomplete and is refused.
 */
const MAGIC = 'HUIKE-BACKUP 1';
const FORMAT_VERSION = 1;

type Migration = { hash: string; createdAt: number };
type TableInfo = { name: string; columns: string[] };
type KeyInfo = { source: string; fingerprint: string | null; included: boolean };
export type Manifest = {
  format: number;
  productVersion: string;
  createdAt: string;
  serverVersion: string;
  migrations: Migration[];
  tables: TableInfo[];
  encryptionKey: KeyInfo;
  /** Only with --include-key: the AES key itself (base64). */
  key?: string;
};
type Trailer = { rowCounts: Record<string, number> };
type KeyConfig = { dataDir: string; encryptionKey?: string };
type Log = (line: string) => void;

export class BackupError extends Error {}

const productVersion = (): string =>
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

const fingerprint = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** The key the app would use, without creating one (loadEncryptionKey creates it on first start). */
function currentKey(config: KeyConfig): { key: Buffer | undefined; source: string } {
  if (config.encryptionKey) return { key: parseEncryptionKey(config.encryptionKey), source: 'HUIKE_ENCRYPTION_KEY' };
  const file = path.join(config.dataDir, 'encryption.key');
  try {
    return { key: parseEncryptionKey(readFileSync(file, 'utf8')), source: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { key: undefined, source: file };
    throw error;
  }
}

async function appliedMigrations(client: pg.Client): Promise<Migration[]> {
  const exists = await client.query(`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`);
  if (!exists.rows[0].ok) return [];
  const { rows } = await client.query<{ hash: string; created_at: string }>(
    'select hash, created_at from drizzle.__drizzle_migrations order by created_at, id',
  );
  return rows.map((row) => ({ hash: row.hash, createdAt: Number(row.created_at) }));
}

/** The app's tables with their stored (not generated) columns, parents before the tables whose foreign keys use them. */
async function applicationTables(client: pg.Client): Promise<TableInfo[]> {
  const { rows } = await client.query<{ name: string; columns: string[]; refs: string[] }>(
    `select c.relname as name,
       array(select a.attname from pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
             order by a.attnum)::text[] as columns,
       array(select distinct r.relname from pg_constraint f join pg_class r on r.oid = f.confrelid
             where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid)::text[] as refs
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
     order by c.relname`,
  );
  const byName = new Map(rows.map((row) => [row.name, row]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new BackupError(`外键成环，无法排定表的顺序：${name}`);
    state.set(name, 'visiting');
    const row = byName.get(name)!;
    for (const ref of row.refs) if (byName.has(ref)) visit(ref);
    state.set(name, 'done');
    ordered.push({ name, columns: row.columns });
  };
  for (const row of rows) visit(row.name);
  return ordered;
}

function countNewlines(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
  return count;
}

export type BackupSummary = { file: string; bytes: number; rows: number; tables: number; key: KeyInfo };

/** Writes a consistent snapshot of the database at `url` to `out` (a temp file renamed at the end: never a partial file). */
export async function backupDatabase(options: {
  url: string;
  out: string;
  keyConfig: KeyConfig;
  includeKey?: boolean;
  progress?: Log;
}): Promise<BackupSummary> {
  const progress = options.progress ?? (() => {});
  const { key, source } = currentKey(options.keyConfig);
  if (options.includeKey && !key) throw new BackupError(`找不到加密密钥（${source}），无法 --include-key`);
  const client = new pg.Client({ connectionString: options.url, application_name: 'huike-backup' });
  await client.connect();
  const out = path.resolve(options.out);
  const temp = `${out}.${process.pid}.partial`;
  try {
    await client.query('begin isolation level repeatable read read only');
    const tables = await applicationTables(client);
    const encryptionKey = { source, fingerprint: key ? fingerprint(key) : null, included: Boolean(options.includeKey) };
    const manifest: Manifest = {
      format: FORMAT_VERSION,
      productVersion: productVersion(),
      createdAt: new Date().toISOString(),
      serverVersion: (await client.query('show server_version')).rows[0].server_version,
      migrations: await appliedMigrations(client),
      tables,
      encryptionKey,
      ...(options.includeKey && key ? { key: key.toString('base64') } : {}),
    };
    if (manifest.migrations.length === 0) throw new BackupError('数据库还没有迁移过，没有可备份的慧客数据');
    const rowCounts: Record<string, number> = {};
    async function* content() {
      yield Buffer.from(`${MAGIC}\n${JSON.stringify(manifest)}\n`);
      for (const table of tables) {
        yield Buffer.from(`${JSON.stringify({ table: table.name, columns: table.columns })}\n`);
        const columns = table.columns.map(quote).join(', ');
        const stream = client.query(copyTo(`copy (select ${columns} from ${quote(table.name)}) to stdout`));
        let rows = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          rows += countNewlines(chunk);
          yield Buffer.from(`${chunk.length}\n`);
          yield chunk;
        }
        yield Buffer.from('0\n');
        rowCounts[table.name] = rows;
        progress(`  ${table.name}: ${rows} 行`);
      }
      yield Buffer.from(`${JSON.stringify({ rowCounts } satisfies Trailer)}\n`);
    }
    await fs.mkdir(path.dirname(out), { recursive: true });
    await pipeline(content, createGzip(), createWriteStream(temp, { mode: 0o600 }));
    const handle = await fs.open(temp, 'r');
    await handle.sync();
    await handle.close();
    await fs.rename(temp, out);
    await client.query('commit');
    const rows = Object.values(rowCounts).reduce((sum, count) => sum + count, 0);
    return { file: out, bytes: (await fs.stat(out)).size, rows, tables: tables.length, key: encryptionKey };
  } finally {
    await fs.rm(temp, { force: true });
    await client.end();
  }
}

/** Pulls lines and exact byte counts out of a stream of buffers. */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    const next = await this.source.next();
    if (next.done) return false;
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, next.value]) : next.value;
    return true;
  }

  async line(limit = 64 * 1024 * 1024): Promise<string> {
    for (;;) {
      const end = this.buffered.indexOf(10);
      if (end !== -1) {
        const text = this.buffered.subarray(0, end).toString('utf8');
        this.buffered = this.buffered.subarray(end + 1);
        return text;
      }
      if (this.buffered.length > limit || !(await this.fill())) throw new BackupError('备份文件不完整或已损坏');
    }
  }

  async bytes(count: number): Promise<Buffer> {
    while (this.buffered.length < count) if (!(await this.fill())) throw new BackupError('备份文件不完整或已损坏');
    const taken = this.buffered.subarray(0, count);
    this.buffered = this.buffered.subarray(count);
    return taken;
  }

  async atEnd(): Promise<boolean> {
    return this.buffered.length === 0 && !(await this.fill());
  }
}

function parseJson<T>(line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new BackupError('备份文件不完整或已损坏');
  }
}

/** Opens a backup file: checks its magic line and returns its manifest and a reader positioned after it. */
export async function openBackup(file: string): Promise<{ manifest: Manifest; reader: ByteReader; close(): void }> {
  await fs.access(file).catch(() => {
    throw new BackupError(`找不到备份文件：${file}`);
  });
  const gunzip = createGunzip();
  const input = createReadStream(file);
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  const iterator = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const reader = new ByteReader({
    next: () =>
      iterator.next().catch((error: Error) => {
        throw new BackupError(`备份文件不完整或已损坏（${error.message}）`);
      }),
  });
  const close = () => {
    input.destroy();
    gunzip.destroy();
  };
  try {
    if ((await reader.line(1024)) !== MAGIC) throw new BackupError('这不是慧客的备份文件');
    const manifest = parseJson<Manifest>(await reader.line());
    if (manifest.format !== FORMAT_VERSION) {
      throw new BackupError(`备份文件格式 ${manifest.format} 不受这个版本支持（支持 ${FORMAT_VERSION}），请升级慧客`);
    }
    return { manifest, reader, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** The code's migrations; refuses a backup whose schema is newer than (or diverges from) what this code knows. */
function checkSchemaLevel(manifest: Manifest) {
  const known = readMigrationFiles({ migrationsFolder });
  const diverges = manifest.migrations.some((m, index) => known[index]?.hash !== m.hash);
  if (manifest.migrations.length > known.length || diverges) {
    throw new BackupError(
      `备份来自更新的数据库结构（${manifest.migrations.length} 个迁移，这个版本只认识 ${known.length} 个；备份时慧客版本 ${manifest.productVersion}）。请先升级慧客再恢复`,
    );
  }
  return known;
}

/** Refuses while anything else (the server, a worker, psql) is connected to the database being restored. */
async function refuseIfInUse(client: pg.Client) {
  const { rows } = await client.query<{ name: string }>(
    `select coalesce(nullif(application_name, ''), usename, '?') as name from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
  );
  if (rows.length > 0) {
    const names = [...new Set(rows.map((row) => row.name))].join(', ');
    throw new BackupError(
      `数据库正被 ${rows.length} 个连接使用（${names}）。请先停止慧客服务（serve/worker）和其他连接再恢复`,
    );
  }
}

/**
 * Compares the backup's key with the one this install would use (refusing a different one: the restored ID-card and
 * bank-card numbers could not be read). `install` writes an included key where none exists yet, after the restore.
 */
function reconcileKey(manifest: Manifest, config: KeyConfig): { note: string; install?: () => Promise<void> } {
  const { key, source } = currentKey(config);
  const expected = manifest.encryptionKey.fingerprint;
  if (key && expected && fingerprint(key) !== expected) {
    throw new BackupError(
      `这里的加密密钥（${source}）与备份时的不同：恢复后身份证号、银行卡号将无法解密。请把原来的密钥放到 ${source} 后再恢复`,
    );
  }
  if (key) return { note: `加密密钥：使用 ${source}（与备份一致）` };
  const included = manifest.key;
  if (included) {
    const install = async () => {
      await fs.mkdir(config.dataDir, { recursive: true });
      await fs.writeFile(source, `${included}\n`, { mode: 0o600, flag: 'wx' });
    };
    return { note: `加密密钥：已从备份写入 ${source}（仅所有者可读）`, install };
  }
  if (!expected) return { note: '加密密钥：备份时没有密钥' };
  return {
    note: `警告：找不到加密密钥（${source}）。启动前请放回原来的密钥（指纹 ${expected}），否则身份证号、银行卡号无法解密，且慧客会生成一把新密钥`,
  };
}

async function tableHasRows(client: pg.Client, tables: string[]): Promise<string | undefined> {
  for (const table of tables) {
    const { rowCount } = await client.query(`select 1 from ${quote(table)} limit 1`);
    if (rowCount) return table;
  }
  return undefined;
}

/** Applies migrations the way drizzle's migrator does, but inside the caller's transaction. */
async function applyMigrations(client: pg.Client, migrations: ReturnType<typeof readMigrationFiles>) {
  await client.query('create schema if not exists drizzle');
  await client.query(
    'create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)',
  );
  for (const migration of migrations) {
    for (const statement of migration.sql) await client.query(statement);
    await client.query('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', [
      migration.hash,
      migration.folderMillis,
    ]);
  }
}

async function loadTable(client: pg.Client, reader: ByteReader, table: TableInfo): Promise<number> {
  const columns = table.columns.map(quote).join(', ');
  const sink = client.query(copyFrom(`copy ${quote(table.name)} (${columns}) from stdin`));
  const finished = new Promise<void>((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
  });
  // Marked handled at once: a rejected row may fail the COPY while the loop is still reading the file.
  finished.catch(() => {});
  try {
    for (;;) {
      const length = Number((await reader.line(32)).trim());
      if (!Number.isSafeInteger(length) || length < 0) throw new BackupError('备份文件不完整或已损坏');
      if (length === 0) break;
      const chunk = await reader.bytes(length);
      if (!sink.write(chunk)) await Promise.race([new Promise((resolve) => sink.once('drain', resolve)), finished]);
    }
    sink.end();
    await finished;
  } catch (error) {
    sink.destroy();
    if (error instanceof BackupError) throw error;
    // Into a blank database at the backup's own schema, a row PostgreSQL refuses can only come from the file.
    throw new BackupError(`备份文件不完整或已损坏（表 ${table.name}：${(error as Error).message}）`, { cause: error });
  }
  return sink.rowCount;
}

/** Sets every sequence owned by an app table (serials, identities) past the largest value restored. */
async function resetSequences(client: pg.Client) {
  const { rows } = await client.query<{ seq: string; tbl: string; col: string }>(
    `select format('%I.%I', sn.nspname, s.relname) as seq, t.relname as tbl, a.attname as col
     from pg_class s join pg_namespace sn on sn.oid = s.relnamespace
     join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i') and d.classid = 'pg_class'::regclass
     join pg_class t on t.oid = d.refobjid join pg_namespace tn on tn.oid = t.relnamespace
     join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
     where s.relkind = 'S' and tn.nspname = 'public'`,
  );
  for (const row of rows) {
    await client.query(
      `select setval($1, coalesce((select max(${quote(row.col)}) from ${quote(row.tbl)}), 0) + 1, false)`,
      [row.seq],
    );
  }
}

export type RestoreSummary = { rows: number; tables: number; migrated: number; keyNote: string; manifest: Manifest };

/**
 * Loads a backup into the database at `url` in one transaction: creates the schema at the backup's migration level
 * when the database has none, loads every table (user triggers off, parents first), resets sequences, checks the row
 * counts, then applies the migrations the backup predates. A damaged file rolls everything back.
 */
export async function restoreDatabase(options: {
  url: string;
  file: string;
  keyConfig: KeyConfig;
  force?: boolean;
  progress?: Log;
}): Promise<RestoreSummary> {
  const progress = options.progress ?? (() => {});
  const backup = await openBackup(options.file);
  const { manifest, reader } = backup;
  let known: ReturnType<typeof checkSchemaLevel>;
  let key: ReturnType<typeof reconcileKey>;
  try {
    known = checkSchemaLevel(manifest);
    key = reconcileKey(manifest, options.keyConfig);
  } catch (error) {
    backup.close();
    throw error;
  }
  const client = new pg.Client({ connectionString: options.url, application_name: 'huike-restore' });
  await client.connect().catch((error) => {
    backup.close();
    throw error;
  });
  try {
    await refuseIfInUse(client);
    const present = await appliedMigrations(client);
    if (present.length > manifest.migrations.length || present.some((m, i) => known[i]?.hash !== m.hash)) {
      throw new BackupError(
        `目标数据库的结构（${present.length} 个迁移）比备份（${manifest.migrations.length} 个）新。请恢复到一个空数据库：恢复时会先按备份建表，再升级到当前版本`,
      );
    }
    const names = manifest.tables.map((table) => table.name);
    await client.query('begin');
    await applyMigrations(client, known.slice(present.length, manifest.migrations.length));
    const occupied = await tableHasRows(client, names);
    if (occupied && !options.force) {
      throw new BackupError(`目标数据库已有数据（例如表 ${occupied}）。确认要用备份覆盖时加 --force`);
    }
    if (occupied) await client.query(`truncate ${names.map(quote).join(', ')}`);
    const loaded = new Map<string, number>();
    for (const expected of manifest.tables) {
      const header = parseJson<{ table: string; columns: string[] }>(await reader.line());
      if (header.table !== expected.name) throw new BackupError('备份文件不完整或已损坏');
      await client.query(`alter table ${quote(expected.name)} disable trigger user`);
      loaded.set(expected.name, await loadTable(client, reader, expected));
      await client.query(`alter table ${quote(expected.name)} enable trigger user`);
      progress(`  ${expected.name}: ${loaded.get(expected.name)} 行`);
    }
    const trailer = parseJson<Trailer>(await reader.line());
    if (!trailer.rowCounts || !(await reader.atEnd())) throw new BackupError('备份文件不完整或已损坏');
    for (const [table, count] of loaded) {
      if (trailer.rowCounts[table] !== count) {
        throw new BackupError(`表 ${table} 的行数不符：备份记录 ${trailer.rowCounts[table]}，载入 ${count}`);
      }
    }
    await resetSequences(client);
    const later = known.slice(manifest.migrations.length);
    await applyMigrations(client, later);
    await client.query('commit');
    await key.install?.();
    const rows = [...loaded.values()].reduce((sum, count) => sum + count, 0);
    return { rows, tables: loaded.size, migrated: later.length, keyNote: key.note, manifest };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    backup.close();
    await client.end().catch(() => {});
  }
}
