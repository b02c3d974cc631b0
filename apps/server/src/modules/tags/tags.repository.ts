import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { conversations, conversationTags, customers, customerTags, tagGroups, tags } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type TagGroupRow = typeof tagGroups.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type TagWithGroup = TagRow & { selection: TagGroupRow['selection']; groupName: string };

export const listGroups = (db: Executor, workspaceId: string) =>
  db
    .select()
    .from(tagGroups)
    .where(eq(tagGroups.workspaceId, workspaceId))
    .orderBy(asc(tagGroups.position), asc(tagGroups.name));

export const findGroup = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(tagGroups)
      .where(and(eq(tagGroups.workspaceId, workspaceId), eq(tagGroups.id, id)))
  )[0];

export const insertGroup = async (db: Executor, row: typeof tagGroups.$inferInsert) =>
  (await db.insert(tagGroups).values(row).returning())[0]!;

export const updateGroup = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof tagGroups.$inferInsert>,
) =>
  (
    await db
      .update(tagGroups)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(tagGroups.workspaceId, workspaceId), eq(tagGroups.id, id)))
      .returning()
  )[0];

export const deleteGroup = (db: Executor, workspaceId: string, id: string) =>
  db.delete(tagGroups).where(and(eq(tagGroups.workspaceId, workspaceId), eq(tagGroups.id, id)));

export const listTags = (db: Executor, workspaceId: string, groupId?: string) =>
  db
    .select()
    .from(tags)
    .where(and(eq(tags.workspaceId, workspaceId), groupId ? eq(tags.groupId, groupId) : undefined))
    .orderBy(asc(tags.position), asc(tags.name));

/** One page of tags in display order (position, name, then id so equal rows keep one order), after `after`. */
export const listTagPage = (
  db: Executor,
  workspaceId: string,
  options: { groupId?: string; after?: { position: number; name: string; id: string }; limit: number },
) =>
  db
    .select()
    .from(tags)
    .where(
      and(
        eq(tags.workspaceId, workspaceId),
        options.groupId ? eq(tags.groupId, options.groupId) : undefined,
        options.after
          ? sql`(${tags.position}, ${tags.name}, ${tags.id}) > (${options.after.position}, ${options.after.name}, ${options.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(tags.position), asc(tags.name), asc(tags.id))
    .limit(options.limit);

export const findTag = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(tags)
      .where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, id)))
  )[0];

/** The workspace's tags among `ids`, each with its group's selection mode. */
export const findTagsWithGroup = (db: Executor, workspaceId: string, ids: string[]): Promise<TagWithGroup[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .select({
          id: tags.id,
          workspaceId: tags.workspaceId,
          groupId: tags.groupId,
          parentId: tags.parentId,
          name: tags.name,
          color: tags.color,
          position: tags.position,
          createdAt: tags.createdAt,
          updatedAt: tags.updatedAt,
          selection: tagGroups.selection,
          groupName: tagGroups.name,
        })
        .from(tags)
        .innerJoin(tagGroups, eq(tagGroups.id, tags.groupId))
        .where(and(eq(tags.workspaceId, workspaceId), inArray(tags.id, ids)));

export const insertTag = async (db: Executor, row: typeof tags.$inferInsert) =>
  (await db.insert(tags).values(row).returning())[0]!;

export const updateTag = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof tags.$inferInsert>,
) =>
  (
    await db
      .update(tags)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, id)))
      .returning()
  )[0];

export const deleteTag = (db: Executor, workspaceId: string, id: string) =>
  db.delete(tags).where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, id)));

/** The tag itself and every descendant (ids). */
export async function subtreeIds(db: Executor, workspaceId: string, rootIds: string[]): Promise<string[]> {
  if (rootIds.length === 0) return [];
  const result = await db.execute<{ id: string }>(sql`
    with recursive subtree(id) as (
      select id from tags where workspace_id = ${workspaceId} and id = any(${sql.param(rootIds)}::uuid[])
      union
      select t.id from tags t join subtree s on t.parent_id = s.id where t.workspace_id = ${workspaceId}
    )
    select id from subtree`);
  return result.rows.map((row) => row.id);
}

/** Ancestors of a tag, nearest first (for cycle checks). */
export async function ancestorIds(db: Executor, workspaceId: string, id: string): Promise<string[]> {
  const result = await db.execute<{ id: string }>(sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from tags where workspace_id = ${workspaceId} and id = ${id}
      union all
      select t.id, t.parent_id, up.depth + 1 from tags t join up on t.id = up.parent_id
      where t.workspace_id = ${workspaceId} and up.depth < 100
    )
    select id from up where depth > 0 order by depth`);
  return result.rows.map((row) => row.id);
}

/** How many customers and conversations carry any of these tags. */
export async function countUses(db: Executor, workspaceId: string, tagIds: string[]) {
  if (tagIds.length === 0) return { customers: 0, conversations: 0 };
  const ids = sql.param(tagIds);
  const result = await db.execute<{ customers: number; conversations: number }>(sql`
    select
      (select count(distinct customer_id)::int from customer_tags
        where workspace_id = ${workspaceId} and tag_id = any(${ids}::uuid[])) as customers,
      (select count(distinct conversation_id)::int from conversation_tags
        where workspace_id = ${workspaceId} and tag_id = any(${ids}::uuid[])) as conversations`);
  return result.rows[0]!;
}

export const findVisibleCustomer = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id), sql`${customers.mergedIntoId} is null`))
  )[0];

export const findConversation = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select({ id: conversations.id, customerId: conversations.customerId })
      .from(conversations)
      .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, id)))
  )[0];

/** Where tag applications live: customer or conversation tags share one shape. */
export type TagTarget = { kind: 'customer' | 'conversation'; id: string };

const tableOf = (target: TagTarget) => (target.kind === 'customer' ? customerTags : conversationTags);
const ownerColumn = (target: TagTarget) =>
  target.kind === 'customer' ? customerTags.customerId : conversationTags.conversationId;

export async function appliedTags(db: Executor, workspaceId: string, target: TagTarget): Promise<TagRow[]> {
  const table = tableOf(target);
  return db
    .select({
      id: tags.id,
      workspaceId: tags.workspaceId,
      groupId: tags.groupId,
      parentId: tags.parentId,
      name: tags.name,
      color: tags.color,
      position: tags.position,
      createdAt: tags.createdAt,
      updatedAt: tags.updatedAt,
    })
    .from(table)
    .innerJoin(tags, eq(tags.id, table.tagId))
    .innerJoin(tagGroups, eq(tagGroups.id, tags.groupId))
    .where(and(eq(table.workspaceId, workspaceId), eq(ownerColumn(target), target.id)))
    .orderBy(asc(tagGroups.position), asc(tagGroups.name), asc(tags.position), asc(tags.name));
}

/** Tags the target carries in these groups (for single-select replacement). */
export async function appliedTagIdsInGroups(db: Executor, workspaceId: string, target: TagTarget, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  const table = tableOf(target);
  const rows = await db
    .select({ id: tags.id })
    .from(table)
    .innerJoin(tags, eq(tags.id, table.tagId))
    .where(
      and(eq(table.workspaceId, workspaceId), eq(ownerColumn(target), target.id), inArray(tags.groupId, groupIds)),
    );
  return rows.map((row) => row.id);
}

export async function removeApplied(db: Executor, workspaceId: string, target: TagTarget, tagIds: string[]) {
  if (tagIds.length === 0) return [];
  const table = tableOf(target);
  const rows = await db
    .delete(table)
    .where(and(eq(table.workspaceId, workspaceId), eq(ownerColumn(target), target.id), inArray(table.tagId, tagIds)))
    .returning({ tagId: table.tagId });
  return rows.map((row) => row.tagId);
}

export async function insertApplied(
  db: Executor,
  workspaceId: string,
  target: TagTarget,
  tagIds: string[],
  createdBy: string | null,
) {
  if (tagIds.length === 0) return [];
  const rows =
    target.kind === 'customer'
      ? await db
          .insert(customerTags)
          .values(tagIds.map((tagId) => ({ workspaceId, customerId: target.id, tagId, createdBy })))
          .onConflictDoNothing()
          .returning({ tagId: customerTags.tagId })
      : await db
          .insert(conversationTags)
          .values(tagIds.map((tagId) => ({ workspaceId, conversationId: target.id, tagId, createdBy })))
          .onConflictDoNothing()
          .returning({ tagId: conversationTags.tagId });
  return rows.map((row) => row.tagId);
}

/** Serialises tag changes of one customer or conversation, so single-select groups stay single. */
export const lockTarget = (db: Executor, target: TagTarget) => lockKey(db, `tags:${target.kind}:${target.id}`);

/** Serialises hierarchy edits of a workspace, so two concurrent moves cannot close a cycle. */
export const lockHierarchy = (db: Executor, workspaceId: string) => lockKey(db, `tag-hierarchy:${workspaceId}`);

const lockKey = (db: Executor, key: string) => db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
