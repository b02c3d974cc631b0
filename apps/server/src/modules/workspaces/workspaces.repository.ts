import { eq, sql } from 'drizzle-orm';
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

/** The workspace, locked until the transaction ends: concurrent edits are recorded one after the other. */
export const lockWorkspace = async (db: Executor, id: string) =>
  (await db.select().from(workspaces).where(eq(workspaces.id, id)).for('update'))[0];

export const updateWorkspace = async (db: Executor, id: string, patch: { name?: string; timezone?: string }) =>
  (
    await db
      .update(workspaces)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(workspaces.id, id))
      .returning()
  )[0]!;

export const findWorkspace = async (db: Executor, id: string) =>
  (await db.select().from(workspaces).where(eq(workspaces.id, id)))[0];
