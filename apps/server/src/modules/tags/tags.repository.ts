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

const pinyinOrder = new Intl.Collator('zh-CN');
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
type TagOrderKey = Pick<TagRow, 'position' | 'name' | 'id'>;

/**
 * Display order: position, then name in pinyin order (阿里, 安静, 百度, 会员, 中国), then code point and id so
 * equal rows keep one order. Sorted here, not in SQL: a zh collation is not in every PostgreSQL build.
 */
const compareTags = (a: TagOrderKey, b: TagOrderKey) =>
  a.position - b.position ||
  pinyinOrder.compare(a.name, b.name) ||
  byCodePoint(a.name, b.name) ||
  byCodePoint(a.id, b.id);

/** The workspace's (or a group's) tags in display order; a workspace has hundreds at most. */
export const listTags = async (db: Executor, workspaceId: string, groupId?: string) =>
  (
    await db
      .select()
      .from(tags)
      .where(and(eq(tags.workspaceId, workspaceId), groupId ? eq(tags.groupId, groupId) : undefined))
  ).sort(compareTags);

/** One page of tags in display order, after `after` (the previous page's last row). */
export const listTagPage = async (
  db: Executor,
  workspaceId: string,
  options: { groupId?: string; after?: TagOrderKey; limit: number },
) => {
  const { after } = options;
  const all = await listTags(db, workspaceId, options.groupId);
  return (after ? all.filter((tag) => compareTags(tag, after) > 0) : all).slice(0, options.limit);
};

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

/** Saved segments with a tag condition naming any of these tags (anywhere in the filter tree), by name. */
export async function segmentsUsing(db: Executor, workspaceId: string, tagIds: string[]) {
  if (tagIds.length === 0) return [];
  const result = await db.execute<{ id: string; name: string }>(sql`
    select s.id, s.name from segments s
    where s.workspace_id = ${workspaceId} and exists (
      select 1 from jsonb_path_query(s.filter, 'strict $.**.conditions[*] ? (@.field == "tags").value[*]') tag_id
      where tag_id #>> '{}' = any(${sql.param(tagIds)}::text[]))
    order by s.name`);
  return result.rows;
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

/** Serialises tag creation and renaming in a group, so two look-alike names cannot both pass the name check. */
export const lockGroup = (db: Executor, workspaceId: string, groupId: string) =>
  db.execute(sql`select 1 from tag_groups where workspace_id = ${workspaceId} and id = ${groupId} for update`);

/** Serialises tag changes of one customer or conversation, so single-select groups stay single. */
export const lockTarget = (db: Executor, target: TagTarget) => lockKey(db, `tags:${target.kind}:${target.id}`);

/** Serialises hierarchy edits of a workspace, so two concurrent moves cannot close a cycle. */
export const lockHierarchy = (db: Executor, workspaceId: string) => lockKey(db, `tag-hierarchy:${workspaceId}`);

const lockKey = (db: Executor, key: string) => db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
