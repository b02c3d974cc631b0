import { and, asc, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { bulkActionTargets, customers, jobs, segments, users } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type SegmentRow = typeof segments.$inferSelect;

export const listSegments = (db: Executor, workspaceId: string) =>
  db.select().from(segments).where(eq(segments.workspaceId, workspaceId)).orderBy(asc(segments.name));

export const findSegment = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(segments)
      .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, id)))
  )[0];

export const insertSegment = async (db: Executor, row: typeof segments.$inferInsert) =>
  (await db.insert(segments).values(row).returning())[0]!;

/** A new filter forgets the stored count (unless it is the same filter, compared as jsonb). */
export const updateSegment = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof segments.$inferInsert>,
) => {
  const sameFilter =
    patch.filter === undefined ? sql`true` : sql`${segments.filter} = ${JSON.stringify(patch.filter)}::jsonb`;
  return (
    await db
      .update(segments)
      .set({
        ...patch,
        customerCount: sql`case when ${sameFilter} then ${segments.customerCount} end`,
        countedAt: sql`case when ${sameFilter} then ${segments.countedAt} end`,
        updatedAt: new Date(),
      })
      .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, id)))
      .returning()
  )[0];
};

/**
 * Remembers a segment's count, unless its filter changed while counting (then the count is of the old filter).
 * Leaves `updated_at` alone: a count is not an edit.
 */
export const storeSegmentCount = (
  db: Executor,
  workspaceId: string,
  id: string,
  countedFilter: unknown,
  count: number,
  countedAt: Date,
) =>
  db
    .update(segments)
    .set({ customerCount: count, countedAt })
    .where(
      and(
        eq(segments.workspaceId, workspaceId),
        eq(segments.id, id),
        sql`${segments.filter} = ${JSON.stringify(countedFilter)}::jsonb`,
      ),
    );

export const deleteSegment = (db: Executor, workspaceId: string, id: string) =>
  db.delete(segments).where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, id)));

/** `where` is a full WHERE fragment over customers (workspace scope included: see compileSegmentFilter). */
export async function countCustomers(db: Executor, where: SQL): Promise<number> {
  const result = await db.execute<{ count: number }>(sql`select count(*)::int as count from customers where ${where}`);
  return result.rows[0]!.count;
}

/** The newest matching customers (full rows). */
export const firstCustomers = (db: Executor, where: SQL, limit: number) =>
  db.select().from(customers).where(where).orderBy(sql`${customers.id} desc`).limit(limit);

/** Freezes the customers a bulk action job acts on (its first step); answers how many. */
export async function snapshotTargets(db: Executor, workspaceId: string, bulkId: string, where: SQL) {
  const result = await db.execute(sql`
    insert into bulk_action_targets (workspace_id, bulk_id, customer_id)
    select ${workspaceId}, ${bulkId}, ${customers.id} from customers where ${where}`);
  return result.rowCount ?? 0;
}

/** The next batch of a bulk action's customers after `afterId` (id order), skipping any deleted or merged since. */
export async function nextTargets(
  db: Executor,
  workspaceId: string,
  bulkId: string,
  afterId: string | null,
  limit: number,
) {
  const result = await db.execute<{ customer_id: string; live: boolean }>(sql`
    select t.customer_id, (c.id is not null and c.merged_into_id is null) as live
    from bulk_action_targets t
    left join customers c on c.workspace_id = t.workspace_id and c.id = t.customer_id
    where t.workspace_id = ${workspaceId} and t.bulk_id = ${bulkId}
      ${afterId ? sql`and t.customer_id > ${afterId}` : sql``}
    order by t.customer_id
    limit ${limit}`);
  return result.rows;
}

export const deleteTargets = (db: Executor, workspaceId: string, bulkId: string) =>
  db
    .delete(bulkActionTargets)
    .where(and(eq(bulkActionTargets.workspaceId, workspaceId), eq(bulkActionTargets.bulkId, bulkId)));

export const findActiveUser = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select({ id: users.id, disabled: users.disabled })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, id)))
  )[0];

/** Adds tags to many customers; answers how many (customer, tag) pairs were new. */
export async function addTagsToMany(
  db: Executor,
  workspaceId: string,
  customerIds: string[],
  tagIds: string[],
  createdBy: string | null,
) {
  if (customerIds.length === 0 || tagIds.length === 0) return [];
  const result = await db.execute<{ customer_id: string; tag_id: string }>(sql`
    insert into customer_tags (workspace_id, customer_id, tag_id, created_by)
    select ${workspaceId}, c, t, ${createdBy}
    from unnest(${sql.param(customerIds)}::uuid[]) as c cross join unnest(${sql.param(tagIds)}::uuid[]) as t
    on conflict do nothing
    returning customer_id, tag_id`);
  return result.rows;
}

/** Removes tags from many customers; answers the (customer, tag) pairs removed. */
export async function removeTagsFromMany(db: Executor, workspaceId: string, customerIds: string[], tagIds: string[]) {
  if (customerIds.length === 0 || tagIds.length === 0) return [];
  const result = await db.execute<{ customer_id: string; tag_id: string }>(sql`
    delete from customer_tags
    where workspace_id = ${workspaceId}
      and customer_id = any(${sql.param(customerIds)}::uuid[]) and tag_id = any(${sql.param(tagIds)}::uuid[])
    returning customer_id, tag_id`);
  return result.rows;
}

/** Sets the owner of many customers; answers the ids whose owner changed. */
export async function assignOwnerToMany(
  db: Executor,
  workspaceId: string,
  customerIds: string[],
  ownerId: string | null,
) {
  if (customerIds.length === 0) return [];
  const rows = await db
    .update(customers)
    .set({ ownerId, updatedAt: new Date() })
    .where(
      and(
        eq(customers.workspaceId, workspaceId),
        inArray(customers.id, customerIds),
        sql`${customers.ownerId} is distinct from ${ownerId}`,
      ),
    )
    .returning({ id: customers.id });
  return rows.map((row) => row.id);
}

/** Tag ids of single-select groups' siblings: what adding `tagIds` must take away. */
export async function singleSelectSiblings(db: Executor, workspaceId: string, tagIds: string[]) {
  const result = await db.execute<{ id: string }>(sql`
    select s.id from tags t
    join tag_groups g on g.id = t.group_id and g.selection = 'single'
    join tags s on s.group_id = t.group_id and s.id <> t.id
    where t.workspace_id = ${workspaceId} and t.id = any(${sql.param(tagIds)}::uuid[])`);
  return result.rows.map((row) => row.id);
}

/** How long after queuing a bulk job the same request still answers that job (a double click, a client's retry). */
const DUPLICATE_WINDOW_SECONDS = 10;

/**
 * The user's job for the same bulk request (`requestKey`) if it is still queued or running, or was queued moments
 * ago. Callers hold lockKey(`bulk:…requestKey`) so two identical requests at once see each other's job.
 */
export const findDuplicateBulkJob = async (
  db: Executor,
  scope: { workspaceId: string; userId: string; kind: string },
  requestKey: string,
) =>
  (
    await db
      .select()
      .from(jobs)
      .where(
        and(
          eq(jobs.workspaceId, scope.workspaceId),
          eq(jobs.createdBy, scope.userId),
          eq(jobs.kind, scope.kind),
          sql`${jobs.payload} ->> 'requestKey' = ${requestKey}`,
          or(
            inArray(jobs.status, ['queued', 'running']),
            sql`${jobs.createdAt} > now() - make_interval(secs => ${DUPLICATE_WINDOW_SECONDS})`,
          ),
        ),
      )
      .orderBy(desc(jobs.id))
      .limit(1)
  )[0];

export const lockKey = (db: Executor, key: string) => db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
