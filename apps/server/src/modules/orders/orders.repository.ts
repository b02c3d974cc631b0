import {
  type CustomerValueSettings,
  type LifecycleStage,
  type OrderPlatform,
  type OrderStatus,
  orderPlatforms,
  orderStatuses,
} from '@huike/contracts';
import { and, asc, desc, eq, inArray, isNull, like, or, type SQL, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import { customerEvents, customers, orderItems, orders, workspaces } from '../../db/schema.ts';
import { type Executor, prefixPattern } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;

export const findOrder = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(orders)
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.id, id)))
  )[0];

/** The order stored under this key, row-locked for the rest of the transaction. */
export const lockOrderByKey = async (db: Executor, workspaceId: string, platform: OrderPlatform, orderNo: string) =>
  (
    await db
      .select()
      .from(orders)
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.platform, platform), eq(orders.orderNo, orderNo)))
      .for('update')
  )[0];

/** Inserts unless an order with the same key exists (a concurrent upsert won): answers the row or undefined. */
export const insertOrder = async (db: Executor, row: typeof orders.$inferInsert) =>
  (await db.insert(orders).values(row).onConflictDoNothing().returning())[0];

export const updateOrder = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof orders.$inferInsert>,
) =>
  (
    await db
      .update(orders)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(orders.workspaceId, workspaceId), eq(orders.id, id)))
      .returning()
  )[0]!;

export const itemsOf = (db: Executor, workspaceId: string, orderIds: string[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as OrderItemRow[])
    : db
        .select()
        .from(orderItems)
        .where(and(eq(orderItems.workspaceId, workspaceId), inArray(orderItems.orderId, orderIds)))
        .orderBy(asc(orderItems.orderId), asc(orderItems.position));

export async function replaceItems(
  db: Executor,
  workspaceId: string,
  orderId: string,
  items: { productName: string; sku: string | null; quantity: number; priceFen: number }[],
) {
  await db.delete(orderItems).where(and(eq(orderItems.workspaceId, workspaceId), eq(orderItems.orderId, orderId)));
  if (items.length === 0) return;
  await db
    .insert(orderItems)
    .values(items.map((item, position) => ({ id: newId(), workspaceId, orderId, position, ...item })));
}

/**
 * Newest first by order time, keyset on (placed_at, id). Each filter has its own access path, so a page costs
 * about the same whether the filter matches most orders or almost none.
 */
export function listOrders(
  db: Executor,
  workspaceId: string,
  filter: {
    customerId?: string;
    q?: string;
    status?: OrderStatus;
    platform?: OrderPlatform;
    before?: { placedAt: string; id: string };
  },
  limit: number,
) {
  const pattern = filter.q ? prefixPattern(filter.q) : undefined;
  const before = filter.before;
  const where = (...more: (SQL | undefined)[]) =>
    and(
      eq(orders.workspaceId, workspaceId),
      filter.customerId ? eq(orders.customerId, filter.customerId) : undefined,
      before
        ? sql`(${orders.placedAt}, ${orders.id}) < (${before.placedAt}::timestamptz, ${before.id}::uuid)`
        : undefined,
      ...more,
    );
  const newestFirst = [desc(orders.placedAt), desc(orders.id)] as const;
  const statusIs = (status: OrderStatus | undefined) => (status ? eq(orders.status, status) : undefined);
  const platformIs = (platform: OrderPlatform | undefined) => (platform ? eq(orders.platform, platform) : undefined);

  if (pattern) {
    // The matches first, through the order- and tracking-number prefix indexes, then sorted. Walking the
    // order-time index instead looks through millions of orders when the matches are old ones. OFFSET 0 keeps
    // the planner from merging the subquery into the sorted, limited outer query (which brings that walk back);
    // Drizzle leaves out a plain `.offset(0)`, hence the SQL literal.
    const matches = db
      .select()
      .from(orders)
      .where(
        where(
          or(like(orders.orderNo, pattern), like(orders.trackingNo, pattern)),
          statusIs(filter.status),
          platformIs(filter.platform),
        ),
      )
      .offset(sql`0` as unknown as number)
      .as('matches');
    return db.select().from(matches).orderBy(desc(matches.placedAt), desc(matches.id)).limit(limit);
  }
  if (!filter.status && !filter.platform) {
    return db
      .select()
      .from(orders)
      .where(where())
      .orderBy(...newestFirst)
      .limit(limit);
  }
  // One walk of orders_status_platform_idx per (status, platform) pair the filter allows, merged: each walk
  // reads at most `limit` orders, however rare its pair, and one index serves a status, a platform or both.
  const pages = (filter.status ? [filter.status] : orderStatuses).flatMap((status) =>
    (filter.platform ? [filter.platform] : orderPlatforms).map((platform) =>
      db
        .select()
        .from(orders)
        .where(where(statusIs(status), platformIs(platform)))
        .orderBy(...newestFirst)
        .limit(limit),
    ),
  );
  const [first, second, ...rest] = pages;
  if (!second) return first!;
  return unionAll(first!, second, ...rest)
    .orderBy(...newestFirst)
    .limit(limit);
}

export const findLiveCustomer = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id), isNull(customers.mergedIntoId)))
  )[0];

/**
 * Recomputes order count, spend and first/last purchase time of these customers from their orders.
 * A purchase is a paid, shipped or completed order (not pending, cancelled or refunded), timed by its payment.
 */
export async function refreshAggregates(db: Executor, workspaceId: string, customerIds: string[]) {
  if (customerIds.length === 0) return;
  await db.execute(sql`
    update customers c
    set order_count = a.order_count, total_spent_fen = a.total_spent_fen,
        first_order_at = a.first_order_at, last_order_at = a.last_order_at
    from (
      select ids.id, p.*
      from unnest(${uuidArray(customerIds)}) as ids(id)
      -- per customer through orders_customer_idx, whatever the planner believes about table sizes
      cross join lateral (
        select count(*)::int as order_count,
          coalesce(sum(o.amount_fen), 0)::bigint as total_spent_fen,
          min(coalesce(o.paid_at, o.placed_at)) as first_order_at,
          max(coalesce(o.paid_at, o.placed_at)) as last_order_at
        from orders o
        where o.workspace_id = ${workspaceId} and o.customer_id = ids.id
          and o.status in ('paid', 'shipped', 'completed')
      ) p
    ) a
    where c.workspace_id = ${workspaceId} and c.id = a.id
      and (c.order_count, c.total_spent_fen, c.first_order_at, c.last_order_at)
        is distinct from (a.order_count, a.total_spent_fen, a.first_order_at, a.last_order_at)`);
}

/** A uuid[] parameter (Drizzle would spread a JS array into a parameter list). */
const uuidArray = (ids: string[]) => {
  for (const id of ids) if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error('not a uuid');
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
};

/** Each customer's last purchase as stored, and as their orders say now (before the aggregates are refreshed). */
export async function lastPurchases(db: Executor, workspaceId: string, customerIds: string[]) {
  const result = await db.execute<{ id: string; stored: string | null; actual: string | null }>(sql`
    select c.id, c.last_order_at as stored,
      (select max(coalesce(o.paid_at, o.placed_at)) from orders o
        where o.workspace_id = c.workspace_id and o.customer_id = c.id
          and o.status in ('paid', 'shipped', 'completed')) as actual
    from customers c
    where c.workspace_id = ${workspaceId} and c.id = any(${uuidArray(customerIds)})`);
  return result.rows.map((row) => ({
    customerId: row.id,
    stored: row.stored ? new Date(row.stored) : null,
    actual: row.actual ? new Date(row.actual) : null,
  }));
}

const DAY_MS = 86_400_000;
const int = (value: number) => {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  return sql.raw(String(value));
};
const literal = (value: string) => {
  if (!/^[a-z_]+$/.test(value)) throw new Error(`not a plain word: ${value}`);
  return sql.raw(`'${value}'`);
};

/** RFM scores and lifecycle stage over a locked customer row `c` (the tier is derived from the scores after). */
function valueExpressions(settings: CustomerValueSettings, now: Date, returningIds: string[]) {
  const cutoff = (days: number) => sql`${new Date(now.getTime() - days * DAY_MS).toISOString()}::timestamptz`;
  const { recencyDays, frequencyOrders, monetaryFen } = settings.rfm;
  const noOrders = sql`(c.order_count = 0 or c.last_order_at is null)`;
  const ascendingScore = (column: SQL, bounds: readonly number[]) =>
    sql`case when ${noOrders} then null
      when ${column} >= ${int(bounds[3]!)} then 5 when ${column} >= ${int(bounds[2]!)} then 4
      when ${column} >= ${int(bounds[1]!)} then 3 when ${column} >= ${int(bounds[0]!)} then 2 else 1 end`;
  const r = sql`case when ${noOrders} then null
      when c.last_order_at >= ${cutoff(recencyDays[0])} then 5 when c.last_order_at >= ${cutoff(recencyDays[1])} then 4
      when c.last_order_at >= ${cutoff(recencyDays[2])} then 3 when c.last_order_at >= ${cutoff(recencyDays[3])} then 2
      else 1 end`;
  const f = ascendingScore(sql`c.order_count`, frequencyOrders);
  const m = ascendingScore(sql`c.total_spent_fen`, monetaryFen);
  const { newDays, dormantDays, churnedDays } = settings.lifecycle;
  // 回流 needs history: the caller names the customers whose new purchase ended a 沉睡/流失 silence; the
  // stage then lasts `newDays`, like 新客.
  const comingBack =
    returningIds.length > 0
      ? sql`when c.lifecycle_stage in ('dormant', 'churned') and c.id = any(${uuidArray(returningIds)}) then 'returning'`
      : sql``;
  const stage = sql`case when ${noOrders} then 'prospect'
      when c.last_order_at < ${cutoff(churnedDays)} then 'churned'
      when c.last_order_at < ${cutoff(dormantDays)} then 'dormant'
      ${comingBack}
      when c.lifecycle_stage = 'returning' and c.lifecycle_changed_at >= ${cutoff(newDays)} then 'returning'
      when c.first_order_at >= ${cutoff(newDays)} then 'new'
      else 'active' end`;
  return { r, f, m, stage };
}

/** The tier from the scores `r`, `f`, `m` (SQL expressions): the first matching rule wins. */
function tierExpression(tiers: CustomerValueSettings['rfm']['tiers'], scores: { r: SQL; f: SQL; m: SQL }) {
  const within = (score: SQL, range: readonly [number, number] | undefined) =>
    range ? sql` and ${score} between ${int(range[0])} and ${int(range[1])}` : sql``;
  const cases = tiers.rules.map(
    (rule) =>
      sql` when true${within(scores.r, rule.r)}${within(scores.f, rule.f)}${within(scores.m, rule.m)} then ${literal(rule.tier)}`,
  );
  return sql`case when ${scores.r} is null then null${sql.join(cases)} else ${literal(tiers.otherwise)} end`;
}

export type StageTransition = { customerId: string; from: LifecycleStage; to: LifecycleStage };

/**
 * Recomputes RFM scores, tier and lifecycle stage, writing only rows whose values change, for the listed
 * customers or for the next `limit` customers after `afterId` (id order).
 *
 * One UPDATE computes the values from the row it writes: when an order upsert commits on a row meanwhile,
 * PostgreSQL re-reads that row and computes again from its new aggregates (never overwriting them with values
 * from before). No separate locking pass and no join over the whole table: a batch reads and writes only its
 * id range, so the cost of a batch does not grow with the table. Rows whose values do not change are not
 * written at all (a nightly run rewrites only the customers who crossed a threshold).
 */
export async function recomputeValue(
  db: Executor,
  workspaceId: string,
  settings: CustomerValueSettings,
  now: Date,
  scope: { customerIds: string[]; returningIds?: string[] } | { afterId: string | null; limit: number },
) {
  let range: SQL;
  let scanned: number;
  let lastId: string | null = null;
  if ('customerIds' in scope) {
    range = sql`c.id = any(${uuidArray(scope.customerIds)})`;
    scanned = scope.customerIds.length;
  } else {
    // The batch's bounds first (index-only over (workspace_id, id)), so the planner sees a literal range.
    const after = scope.afterId ? sql`and id > ${scope.afterId}::uuid` : sql``;
    const bounds = (
      await db.execute<{ scanned: number; last_id: string | null }>(sql`
        select count(*)::int as scanned, max(id::text) as last_id from (
          select id from customers where workspace_id = ${workspaceId} ${after} order by id limit ${int(scope.limit)}
        ) b`)
    ).rows[0]!;
    if (!bounds.last_id) return { scanned: 0, lastId: null, updated: 0, transitions: [] as StageTransition[] };
    scanned = bounds.scanned;
    lastId = bounds.last_id;
    range = sql`${scope.afterId ? sql`c.id > ${scope.afterId}::uuid and ` : sql``}c.id <= ${lastId}::uuid`;
  }
  const e = valueExpressions(settings, now, 'returningIds' in scope ? (scope.returningIds ?? []) : []);
  const r = sql`(${e.r})::smallint`;
  const f = sql`(${e.f})::smallint`;
  const m = sql`(${e.m})::smallint`;
  const tier = tierExpression(settings.rfm.tiers, { r, f, m });
  const nowParam = sql`${now.toISOString()}::timestamptz`;
  const result = await db.execute<{ updated: number; transitions: [string, LifecycleStage, LifecycleStage][] }>(sql`
    with before as materialized (
      select c.id, c.lifecycle_stage from customers c where c.workspace_id = ${workspaceId} and ${range}
    ),
    changed as (
      update customers c
      set rfm_r = ${r}, rfm_f = ${f}, rfm_m = ${m}, rfm_tier = ${tier}, lifecycle_stage = ${e.stage},
          lifecycle_previous_stage = case when ${e.stage} <> c.lifecycle_stage
            then c.lifecycle_stage else c.lifecycle_previous_stage end,
          lifecycle_changed_at = case when ${e.stage} <> c.lifecycle_stage then ${nowParam} else c.lifecycle_changed_at end
      where c.workspace_id = ${workspaceId} and ${range}
        and (c.rfm_r, c.rfm_f, c.rfm_m, c.rfm_tier, c.lifecycle_stage) is distinct from (${r}, ${f}, ${m}, ${tier}, ${e.stage})
      returning c.id, c.lifecycle_stage, c.lifecycle_changed_at
    )
    select
      (select count(*) from changed)::int as updated,
      -- A transition: the stage this statement found differs from the one it wrote, at this run's time (a row
      -- re-read after a concurrent order upsert compares with what that upsert left, not with the old stage).
      (select coalesce(json_agg(json_build_array(ch.id, b.lifecycle_stage, ch.lifecycle_stage)), '[]'::json)
        from changed ch join before b on b.id = ch.id
        where b.lifecycle_stage <> ch.lifecycle_stage and ch.lifecycle_changed_at = ${nowParam}) as transitions`);
  const row = result.rows[0]!;
  const transitions: StageTransition[] = row.transitions.map(([customerId, from, to]) => ({ customerId, from, to }));
  return { scanned, lastId, updated: row.updated, transitions };
}

/**
 * Timeline entries for lifecycle transitions, written in one statement: a nightly recompute may move
 * thousands of customers at once, too many for one `recordCustomerEvent` call each — and too many for one
 * parameter per value (PostgreSQL's limit is 65,535), so the values travel as four arrays.
 */
export async function insertStageEvents(db: Executor, workspaceId: string, transitions: StageTransition[], at: Date) {
  if (transitions.length === 0) return;
  const stages = (values: string[]) => {
    for (const value of values) literal(value);
    return sql`${`{${values.join(',')}}`}::text[]`;
  };
  await db.execute(sql`
    insert into ${customerEvents} (id, workspace_id, customer_id, kind, actor_id, details, created_at)
    select t.id, ${workspaceId}, t.customer_id, 'lifecycle.changed', null,
      jsonb_build_object('from', t.from_stage, 'to', t.to_stage), ${at.toISOString()}::timestamptz
    from unnest(
      ${uuidArray(transitions.map(() => newId()))},
      ${uuidArray(transitions.map((t) => t.customerId))},
      ${stages(transitions.map((t) => t.from))},
      ${stages(transitions.map((t) => t.to))}
    ) as t(id, customer_id, from_stage, to_stage)`);
}

export const countCustomers = async (db: Executor, workspaceId: string) =>
  (
    await db.execute<{ count: number }>(
      sql`select count(*)::int as count from customers where workspace_id = ${workspaceId}`,
    )
  ).rows[0]!.count;

export const workspaceSettings = async (db: Executor, workspaceId: string) =>
  (await db.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.id, workspaceId)))[0]
    ?.settings;

/** Replaces the given top-level keys of the workspace's settings, leaving other modules' keys alone. */
export const mergeWorkspaceSettings = (db: Executor, workspaceId: string, patch: Record<string, unknown>) =>
  db
    .update(workspaces)
    .set({ settings: sql`${workspaces.settings} || ${JSON.stringify(patch)}::jsonb`, updatedAt: new Date() })
    .where(eq(workspaces.id, workspaceId));

/** Workspaces with their timezone, for the nightly schedule. */
export const allWorkspaces = (db: Executor) =>
  db.select({ id: workspaces.id, timezone: workspaces.timezone }).from(workspaces);

export const lockKey = (db: Executor, key: string) => db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);

/** Whether a job of this kind was queued for the workspace since `since` (the nightly run's idempotency). */
export const hasJobSince = async (db: Executor, workspaceId: string, kind: string, since: Date) =>
  (
    await db.execute(
      sql`select 1 from jobs where workspace_id = ${workspaceId} and kind = ${kind}
          and created_at >= ${since.toISOString()}::timestamptz limit 1`,
    )
  ).rows.length > 0;
