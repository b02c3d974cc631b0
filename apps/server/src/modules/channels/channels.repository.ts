import { and, eq } from 'drizzle-orm';
import { inboxes } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type InboxRow = typeof inboxes.$inferSelect;

export const listInboxes = (db: Executor, workspaceId: string) =>
  db.select().from(inboxes).where(eq(inboxes.workspaceId, workspaceId)).orderBy(inboxes.createdAt);

export const findInbox = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(inboxes)
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, id)))
  )[0];

export const findInboxByToken = async (db: Executor, token: string) =>
  (await db.select().from(inboxes).where(eq(inboxes.token, token)))[0];

export const insertInbox = async (db: Executor, row: typeof inboxes.$inferInsert) =>
  (await db.insert(inboxes).values(row).returning())[0]!;

export const updateInbox = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof inboxes.$inferInsert>,
) =>
  (
    await db
      .update(inboxes)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, id)))
      .returning()
  )[0];

export const firstWebsiteInbox = async (db: Executor) =>
  (await db.select().from(inboxes).where(eq(inboxes.channelType, 'website')).orderBy(inboxes.createdAt).limit(1))[0];
