import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connect, migrateDatabase } from '../src/db/database.ts';
import { startEmbeddedCluster } from '../src/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL (an admin connection, e.g. the system PostgreSQL 15
 * in CI) or a throwaway embedded cluster. A migrated template database is cloned by each test file.
 */
export default async function setup(project: TestProject) {
  let dataDir: string | undefined;
  let stopCluster: (() => Promise<void>) | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'huike-test-'));
    await fs.chmod(dataDir, 0o755);
    const cluster = await startEmbeddedCluster(dataDir, () => {});
    adminUrl = withDatabase(cluster.url, 'postgres');
    stopCluster = cluster.stop;
  }
  const templateDatabase = `huike_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDatabase}`);
  await admin.query(`create database ${templateDatabase}`);
  const { db, pool } = connect(withDatabase(adminUrl, templateDatabase), 2);
  await migrateDatabase(db);
  await pool.end();

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    const leftovers = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'huike_t_%' or datname = $1`,
      [templateDatabase],
    );
    for (const { datname } of leftovers.rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
    await stopCluster?.();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
