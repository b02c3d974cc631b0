import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbeddedCluster } from './embedded.ts';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Database = {
  db: Db;
  pool: pg.Pool;
  url: string;
  isEmbedded: boolean;
  close(): Promise<void>;
};

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// timestamptz as Date, bigint counts as numbers (counts here never exceed 2^53).
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export function connect(url: string, max = 20): { db: Db; pool: pg.Pool } {
  // The search GIN indexes' pending-list limit (schema.ts, customers): 128 kB for everything the app writes, raised
  // by an import batch for its own transaction.
  const options = '-c gin_pending_list_limit=128';
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'huike', options });
  pool.on('error', () => {
    // An idle client lost its server (restart, network): the pool replaces it on next use.
  });
  return { pool, db: drizzle(pool, { schema }) };
}

export async function migrateDatabase(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder });
}

/** Uses DATABASE_URL when set; otherwise starts (and later stops) the embedded cluster under the data dir. */
export async function openDatabase(config: Config, log: (message: string) => void): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedCluster(config.dataDir, log);
  const url = config.databaseUrl ?? embedded?.url ?? '';
  const { pool, db } = connect(url);
  await migrateDatabase(db);
  return {
    db,
    pool,
    url,
    isEmbedded: Boolean(embedded),
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
