import { sql } from 'drizzle-orm';
import { workspaces } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export const countWorkspaces = async (db: Executor) =>
  (await db.select({ n: sql<number>`count(*)::int` }).from(workspaces))[0]!.n;

export const insertWorkspace = async (db: Executor, row: typeof workspaces.$inferInsert) =>
  (await db.insert(workspaces).values(row).returning())[0]!;

export const firstWorkspace = async (db: Executor) =>
  (await db.select().from(workspaces).orderBy(workspaces.createdAt).limit(1))[0];

/** Serialises first-run setup so two concurrent setup requests cannot both create a workspace. */
export const lockSetup = (db: Executor) => db.execute(sql`select pg_advisory_xact_lock(7001)`);
