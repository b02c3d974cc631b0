/**
 * The customer list sorted by a value column (累计消费, 订单数, 最近下单), and the list's total.
 *
 * Sorted pages are keyset pages over `(value, id)`: each sort has a partial btree index on
 * `(workspace_id, lifecycle_stage, coalesce(rfm_tier, ''), value, id) where merged_into_id is null` (schema.ts), whose ranges
 * are walked forwards for `asc` and backwards for `desc` (see listSortedCustomerPage), so a page costs the same at
 * the millionth customer as at the first, with or without a stage or tier filter, and never sorts the workspace.
 * Customers without orders have `last_order_at` null; the index and the query use
 * `coalesce(last_order_at, '-infinity')`, so they sort as "never" (last in `desc`, first in `asc`) and the row
 * comparison stays a plain index range. The cursor carries the value as PostgreSQL's text (microseconds kept).
 *
 * The total of a listing (`countCustomerList`) is exact up to COUNT_CAP rows and PostgreSQL's estimate above; a
 * search counts its own ranked hits up to a cap (`countSearchHits` in customer-search.ts).
 */
import type { CustomerSortKey, SortOrder } from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
import { customers } from '../../db/schema.ts';
import { decodeCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { type ListedCustomerRow, type ListTag, listColumns, listTagsColumn } from './customer-search.ts';

export type CustomerSort = { key: CustomerSortKey; order: SortOrder };

/** The sort expression (as indexed) and the type its cursor value is read back as. */
const sortColumns: Record<CustomerSortKey, { value: SQL; type: SQL; min: SQL; max: SQL }> = {
  totalSpent: {
    value: sql`${customers.totalSpentFen}`,
    type: sql`bigint`,
    min: sql`(-9223372036854775808)::bigint`,
    max: sql`9223372036854775807::bigint`,
  },
  orderCount: {
    value: sql`${customers.orderCount}`,
    type: sql`integer`,
    min: sql`(-2147483648)::integer`,
    max: sql`2147483647::integer`,
  },
  lastOrderAt: {
    value: sql`coalesce(${customers.lastOrderAt}, '-infinity'::timestamptz)`,
    type: sql`timestamptz`,
    min: sql`'-infinity'::timestamptz`,
    max: sql`'infinity'::timestamptz`,
  },
};

/** How many entries of each (stage, tier) range a filtered sorted page samples first (see listSortedCustomerPage). */
const RANGE_SAMPLE = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalidCursor(): never {
  throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
}

/** `["totalSpent:desc", value, id]`: a cursor of another sort (or of the unsorted list) is refused. */
function readSortCursor(cursor: string | undefined, sort: CustomerSort) {
  const values = decodeCursor(cursor);
  if (!values) return undefined;
  const [kind, value, id] = values;
  if (kind !== `${sort.key}:${sort.order}` || typeof value !== 'string' || value.length > 64) invalidCursor();
  if (typeof id !== 'string' || !UUID.test(id)) invalidCursor();
  if (sort.key !== 'lastOrderAt' && !/^-?\d{1,19}$/.test(value)) invalidCursor();
  return { value, id };
}

/** The conditions every list shares: the workspace's live customers, plus the caller's filters. */
export type ListScope = { workspaceId: string; filters: SQL[] };

/** The lifecycle stage and RFM tier conditions of a list query (the search's listing takes them as options). */
export const valueFilters = (query: { lifecycleStage?: string; rfmTier?: string }): SQL[] => [
  ...(query.lifecycleStage ? [sql`${customers.lifecycleStage} = ${query.lifecycleStage}`] : []),
  ...(query.rfmTier ? [sql`${customers.rfmTier} = ${query.rfmTier}`] : []),
];

const scopeWhere = (scope: ListScope) => [
  sql`${customers.workspaceId} = ${scope.workspaceId}`,
  sql`${customers.mergedIntoId} is null`,
  ...scope.filters,
];

/** Up to this many customers matching a tag or segment filter (estimated), a sorted page sorts them. */
const FILTER_SORT_MAX = 20_000;

/** PostgreSQL's estimate of the customers matching `where` (a plan, nothing read). */
async function estimateRows(db: Executor, where: SQL): Promise<number> {
  const plan = await db.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    sql`explain (format json) select 1 from ${customers} where ${where}`,
  );
  return Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

/** Every lifecycle stage and RFM tier a customer can have (no tier before the first order). */
const stages = ['prospect', 'new', 'active', 'dormant', 'churned', 'returning'] as const;
const tiers = ['loyal', 'potential', 'new', 'winback', 'churned', null] as const;
type LifecycleStage = (typeof stages)[number];
type RfmTier = NonNullable<(typeof tiers)[number]>;

/**
 * One sorted page of the list (rows as `listCustomerPage` answers them), in one statement — after a plan-only
 * estimate when a tag or segment filter applies.
 *
 * The sort indexes lead with (lifecycle stage, RFM tier) after the workspace. Stage and tier follow from the very
 * values sorted on (a 潜在 customer has spent nothing, a 流失 one ordered long ago), so one index over the value
 * alone, filtered by stage or tier, walked most of the workspace before finding a page of them (1.8 s at 1M
 * customers). Instead a page is the best n of one index range per (stage, tier) pair the filters allow — at most
 * 36, each `order by value, id limit n` through a LATERAL join over the pairs, planned once: ~1 ms at 1M.
 *
 * Tag and segment filters are no ranges of these indexes. A filter PostgreSQL expects to match at most
 * FILTER_SORT_MAX customers makes the page one query planned from the filter (a tag's posting list, then the best
 * n of those: 25 ms for 7,700 customers of 1M); a broader one is checked within each range, where a walk soon
 * meets a page of its customers (a tag on a quarter of 1M customers: 411 ms sorting them all, ~10 ms walking).
 */
export async function listSortedCustomerPage(
  db: Executor,
  scope: ListScope & { lifecycleStage?: LifecycleStage; rfmTier?: RfmTier },
  options: { sort: CustomerSort; limit: number; cursor?: string },
): Promise<{ rows: (ListedCustomerRow & { tags: ListTag[] })[]; nextCursor: string | null }> {
  const { sort, limit } = options;
  const column = sortColumns[sort.key];
  const after = readSortCursor(options.cursor, sort);
  const direction = sort.order === 'desc' ? sql`desc` : sql`asc`;
  const value = [
    ...(scope.lifecycleStage ? [sql`${customers.lifecycleStage} = ${scope.lifecycleStage}`] : []),
    ...(scope.rfmTier ? [sql`${customers.rfmTier} = ${scope.rfmTier}`] : []),
  ];
  const fewMatches =
    scope.filters.length > 0 &&
    (await estimateRows(db, sql.join([...scopeWhere(scope), ...value], sql` and `))) <= FILTER_SORT_MAX;
  const where = scopeWhere(scope);
  if (after) {
    const beyond = sort.order === 'desc' ? sql`<` : sql`>`;
    where.push(sql`(${column.value}, ${customers.id}) ${beyond} (${after.value}::${column.type}, ${after.id}::uuid)`);
  }
  // As indexed: no tier is '' (an `is null` range would not come out in the value's order).
  const tier = sql`coalesce(${customers.rfmTier}, '')`;
  const order = sql`order by ${column.value} ${direction}, ${customers.id} ${direction} limit ${limit + 1}`;
  let hits: SQL;
  if (!fewMatches) {
    const stageList = (scope.lifecycleStage ? [scope.lifecycleStage] : stages).map((stage) => sql`(${stage}::text)`);
    const tierList = (scope.rfmTier ? [scope.rfmTier] : tiers).map((value) => sql`(${value ?? ''}::text)`);
    const ranges = sql`(values ${sql.join(stageList, sql`, `)}) as stage(value)
      cross join (values ${sql.join(tierList, sql`, `)}) as tier(value)`;
    const inRange = sql`${customers.lifecycleStage} = stage.value and ${tier} = tier.value`;
    const unfiltered = where.filter((condition) => !scope.filters.includes(condition));
    let bound = sql`true`;
    let sample = sql``;
    if (scope.filters.length > 0) {
      // A filtered range may hold few or none of the filter's customers (复购 has no 潜在 customer, who never
      // ordered): its walk read the whole range, 350k rows at 1M customers, before the page was known. The first
      // RANGE_SAMPLE entries of each range (filtered afterwards) give a page's worth of matches, whose last is a
      // bound no row of the page passes; each range's walk then stops there, an index condition. Rows beyond the
      // sampled ones in the filter's own columns: `customers` is the sample's name so the filters read it.
      const limits = sort.order === 'desc' ? column.min : column.max;
      const limitId =
        sort.order === 'desc'
          ? sql`'00000000-0000-0000-0000-000000000000'::uuid`
          : sql`'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid`;
      sample = sql`with sampled as materialized (
        select found.id, found.value from ${ranges}
        cross join lateral (
          select ${customers.id} as id, ${column.value} as value from (
            select * from ${customers}
             where ${sql.join(unfiltered, sql` and `)} and ${inRange}
             order by ${column.value} ${direction}, ${customers.id} ${direction} limit ${RANGE_SAMPLE}) as customers
           where ${sql.join(scope.filters, sql` and `)}
          ${order}) as found
        order by found.value ${direction}, found.id ${direction} offset ${limit} limit 1)`;
      bound = sql`(${column.value}, ${customers.id}) ${sort.order === 'desc' ? sql`>=` : sql`<=`}
        (coalesce((select value from sampled), ${limits}), coalesce((select id from sampled), ${limitId}))`;
    }
    // The filters as one opaque test (`is true`): with the bound a range looks small to the planner, which then
    // read the tag's whole GIN posting list once per range (1 s for a tag of 100k customers) instead of walking.
    const filtered = scope.filters.length > 0 ? sql` and (${sql.join(scope.filters, sql` and `)}) is true` : sql``;
    hits = sql`${sample} select range.id, range.value
      from ${ranges}
      cross join lateral (
        select ${customers.id} as id, ${column.value} as value from ${customers}
        where ${sql.join(unfiltered, sql` and `)}${filtered} and ${inRange} and ${bound}
        ${order}) as range
      order by range.value ${direction}, range.id ${direction} limit ${limit + 1}`;
  } else {
    hits = sql`select ${customers.id} as id, ${column.value} as value from ${customers}
      where ${sql.join([...where, ...value], sql` and `)} ${order}`;
  }
  const rows = await db
    .select({ ...listColumns, tags: listTagsColumn, sortValue: sql<string>`hits.value::text` })
    .from(customers)
    .innerJoin(sql`(${hits}) as hits`, sql`hits.id = ${customers.id}`)
    .where(sql`${customers.workspaceId} = ${scope.workspaceId}`)
    .orderBy(sql`hits.value ${direction}`, sql`${customers.id} ${direction}`)
    .catch((error: unknown) => {
      // A hand-made cursor value PostgreSQL cannot read as the sort's type.
      if (after && (error as { cause?: { code?: string } }).cause?.code?.startsWith('22')) invalidCursor();
      throw error;
    });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ sortValue: _value, ...row }) => row),
    nextCursor:
      rows.length > limit && last ? encodeCursor([`${sort.key}:${sort.order}`, last.sortValue, last.id]) : null,
  };
}

/** Above this many matches the total of a listing is PostgreSQL's estimate. */
export const COUNT_CAP = 10_000;

/**
 * How many customers a listing (no search) holds: exact up to COUNT_CAP — the capped count reads at most that
 * many index entries —, above it the planner's row estimate for the same condition (never below the cap).
 */
export async function countCustomerList(
  db: Executor,
  scope: ListScope,
): Promise<{ count: number; precision: 'exact' | 'estimate' }> {
  const where = sql.join(scopeWhere(scope), sql` and `);
  const capped = await db.execute<{ count: number }>(
    sql`select count(*)::int as count from (select 1 from ${customers} where ${where} limit ${COUNT_CAP + 1}) as hit`,
  );
  const count = capped.rows[0]?.count ?? 0;
  if (count <= COUNT_CAP) return { count, precision: 'exact' };
  return { count: Math.max(await estimateRows(db, where), COUNT_CAP + 1), precision: 'estimate' };
}
