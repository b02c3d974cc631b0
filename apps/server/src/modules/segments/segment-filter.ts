import {
  isSegmentGroup,
  type SegmentCondition,
  type SegmentFilter,
  type SegmentOperator,
  type SegmentValueType,
  segmentValueProblem,
  segmentValueTypeOf,
} from '@huike/contracts';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { customerFieldDefinitions, customers, tags, workspaces } from '../../db/schema.ts';
import { containsPattern, type Executor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { normalizeText } from '../../platform/text/index.ts';
import { nameContains } from '../customers/index.ts';

/*
 * Compiles a segment filter tree into one parameterised WHERE fragment over `customers`. Values only ever
 * travel as bind parameters; column names come from the fixed table below, custom-field keys are checked
 * against the workspace's definitions (and still passed as parameters). Tag conditions test `customers.tag_ids`
 * (a copy of the customer's customer_tags kept by triggers, GIN-indexed) with the tags' descendants expanded here,
 * so the planner sees plain id lists and ANDs the tags' posting lists as bitmaps: at 1M customers this counts in
 * tens of milliseconds where joining customer_tags once per condition took seconds (bench/segments.bench.ts).
 */

type Options = {
  /**
   * strict (a filter being written or counted by a user): unknown tag ids and custom-field keys are refused.
   * lenient (a saved segment read later): a tag deleted since simply matches nobody.
   */
  strict: boolean;
};

type Context = {
  workspaceId: string;
  timezone: string;
  /** Tag id → itself and every descendant. */
  tagSubtrees: Map<string, string[]>;
  fields: Map<string, { type: string; options: string[] }>;
};

const customerColumns = {
  gender: customers.gender,
  region: customers.region,
  source: customers.source,
  campaign: customers.campaign,
  birthday: customers.birthday,
  created_at: customers.createdAt,
  owner: customers.ownerId,
  order_count: customers.orderCount,
  total_spent_fen: customers.totalSpentFen,
  last_order_at: customers.lastOrderAt,
  rfm_tier: customers.rfmTier,
  lifecycle_stage: customers.lifecycleStage,
} as const;

/** The base of every customer query: the workspace's customers, without records merged away. */
export const visibleCustomers = (workspaceId: string): SQL =>
  sql`${customers.workspaceId} = ${workspaceId} and ${customers.mergedIntoId} is null`;

function collect(filter: SegmentFilter, into: SegmentCondition[] = []): SegmentCondition[] {
  for (const node of filter.conditions) {
    if (isSegmentGroup(node)) collect(node, into);
    else into.push(node);
  }
  return into;
}

async function loadContext(
  executor: Executor,
  workspaceId: string,
  filter: SegmentFilter,
  options: Options,
): Promise<Context> {
  const conditions = collect(filter);
  const tagIds = [
    ...new Set(conditions.filter((c) => c.field === 'tags').flatMap((c) => (c.value as string[] | undefined) ?? [])),
  ];
  const keys = [...new Set(conditions.filter((c) => c.field === 'custom_field').map((c) => c.key!))];
  const workspace = (
    await executor.select({ timezone: workspaces.timezone }).from(workspaces).where(eq(workspaces.id, workspaceId))
  )[0];

  const tagSubtrees = new Map<string, string[]>();
  if (tagIds.length > 0) {
    // Tag hierarchies are small (hundreds of tags per workspace): read them once and walk in memory.
    const rows = await executor
      .select({ id: tags.id, parentId: tags.parentId })
      .from(tags)
      .where(eq(tags.workspaceId, workspaceId));
    const children = new Map<string, string[]>();
    for (const row of rows) {
      if (row.parentId) children.set(row.parentId, [...(children.get(row.parentId) ?? []), row.id]);
    }
    const known = new Set(rows.map((row) => row.id));
    const unknown = tagIds.filter((id) => !known.has(id));
    if (unknown.length > 0 && options.strict) {
      throw new AppError('tag.unknown', `标签不存在：${unknown.join(', ')}`, { tagIds: unknown });
    }
    for (const id of tagIds) {
      const subtree: string[] = [];
      const stack = known.has(id) ? [id] : [];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (subtree.includes(next)) continue;
        subtree.push(next);
        stack.push(...(children.get(next) ?? []));
      }
      tagSubtrees.set(id, subtree);
    }
  }

  const fields = new Map<string, { type: string; options: string[] }>();
  if (keys.length > 0) {
    const rows = await executor
      .select({
        key: customerFieldDefinitions.key,
        type: customerFieldDefinitions.type,
        options: customerFieldDefinitions.options,
      })
      .from(customerFieldDefinitions)
      .where(and(eq(customerFieldDefinitions.workspaceId, workspaceId), inArray(customerFieldDefinitions.key, keys)));
    for (const row of rows) fields.set(row.key, { type: row.type, options: row.options });
    const unknown = keys.filter((key) => !fields.has(key));
    if (unknown.length > 0 && options.strict) {
      throw new AppError('segment.invalid_filter', `自定义字段不存在：${unknown.join(', ')}`, { keys: unknown });
    }
  }
  return { workspaceId, timezone: workspace?.timezone ?? 'Asia/Shanghai', tagSubtrees, fields };
}

const uuidArray = (ids: string[]) => sql`${sql.param(ids)}::uuid[]`;
const textArray = (values: unknown[]) => sql`${sql.param(values.map(String))}::text[]`;
const numericArray = (values: unknown[]) => sql`${sql.param(values.map(Number))}::numeric[]`;
const always = sql`true`;
const never = sql`false`;

/** The start of a `YYYY-MM-DD` day in the workspace's timezone, as timestamptz. */
const dayStart = (ctx: Context, day: string, plusDays = 0) =>
  sql`((${day}::date + ${plusDays}::int)::timestamp at time zone ${ctx.timezone})`;
/** Today's date in the workspace's timezone. */
const today = (ctx: Context) => sql`(now() at time zone ${ctx.timezone})::date`;

/** Comparisons on a value expression of a given type (text, enum, number, user, date as timestamptz or date). */
function compare(
  ctx: Context,
  expression: SQL,
  type: SegmentValueType,
  op: SegmentOperator,
  value: unknown,
  dateKind: 'timestamptz' | 'date' | 'text' = 'timestamptz',
): SQL {
  if (type === 'date') return compareDate(ctx, expression, op, value, dateKind);
  const array = () => {
    const list = value as unknown[];
    return type === 'number' ? numericArray(list) : type === 'user' ? uuidArray(list as string[]) : textArray(list);
  };
  switch (op) {
    case 'eq':
      return sql`${expression} = ${value}`;
    case 'neq':
      return sql`${expression} is distinct from ${value}`;
    case 'in':
      return sql`${expression} = any(${array()})`;
    case 'not_in':
      return sql`(${expression} is null or not (${expression} = any(${array()})))`;
    case 'contains':
      return sql`${expression} ilike ${containsPattern(String(value))}`;
    case 'gt':
      return sql`${expression} > ${value}`;
    case 'gte':
      return sql`${expression} >= ${value}`;
    case 'lt':
      return sql`${expression} < ${value}`;
    case 'lte':
      return sql`${expression} <= ${value}`;
    case 'between': {
      const [from, to] = value as [unknown, unknown];
      return sql`${expression} between ${from} and ${to}`;
    }
    case 'is_empty':
      return type === 'text' || type === 'enum' ? sql`coalesce(${expression}, '') = ''` : sql`${expression} is null`;
    case 'is_not_empty':
      return type === 'text' || type === 'enum'
        ? sql`coalesce(${expression}, '') <> ''`
        : sql`${expression} is not null`;
    default:
      throw new AppError('segment.invalid_filter', `该字段不支持运算符 ${op}`);
  }
}

type DateKind = 'timestamptz' | 'date' | 'text';

/**
 * Dates are whole days in the workspace's timezone. A timestamptz column compares against the day's bounds;
 * a date column against the date; a custom date field (text `YYYY-MM-DD`) against the same text, which sorts
 * like the date and never needs a cast that a malformed stored value could break.
 */
function compareDate(ctx: Context, expression: SQL, op: SegmentOperator, value: unknown, kind: DateKind): SQL {
  switch (op) {
    case 'is_empty':
      return kind === 'text' ? sql`coalesce(${expression}, '') = ''` : sql`${expression} is null`;
    case 'is_not_empty':
      return kind === 'text' ? sql`coalesce(${expression}, '') <> ''` : sql`${expression} is not null`;
    default: {
      const { from, before } = dateRange(ctx, op, value, kind);
      return and(
        from ? sql`${expression} >= ${from}` : undefined,
        before ? sql`${expression} < ${before}` : undefined,
      )!;
    }
  }
}

/** The dates a date operator (other than is_empty / is_not_empty) selects: from `from` up to before `before`. */
function dateRange(ctx: Context, op: SegmentOperator, value: unknown, kind: DateKind): { from?: SQL; before?: SQL } {
  const bound = (day: string, plusDays = 0): SQL =>
    kind === 'timestamptz'
      ? dayStart(ctx, day, plusDays)
      : kind === 'date'
        ? sql`(${day}::date + ${plusDays}::int)`
        : sql`to_char(${day}::date + ${plusDays}::int, 'YYYY-MM-DD')`;
  const daysAgo = (days: number): SQL =>
    kind === 'timestamptz'
      ? sql`(now() - make_interval(days => ${days}::int))`
      : kind === 'date'
        ? sql`(${today(ctx)} - ${days}::int)`
        : sql`to_char(${today(ctx)} - ${days}::int, 'YYYY-MM-DD')`;
  const day = value as string;
  switch (op) {
    case 'eq':
      return { from: bound(day), before: bound(day, 1) };
    case 'gt':
      return { from: bound(day, 1) };
    case 'gte':
      return { from: bound(day) };
    case 'lt':
      return { before: bound(day) };
    case 'lte':
      return { before: bound(day, 1) };
    case 'between': {
      const [from, to] = value as [string, string];
      return { from: bound(from), before: bound(to, 1) };
    }
    case 'within_days':
      return { from: daysAgo(value as number) };
    case 'older_than_days':
      return { before: daysAgo(value as number) };
    default:
      throw new AppError('segment.invalid_filter', `日期字段不支持运算符 ${op}`);
  }
}

function tagCondition(ctx: Context, condition: SegmentCondition): SQL {
  const ids = (condition.value as string[]) ?? [];
  const hasAnyOf = (tagIds: string[]) =>
    tagIds.length === 0 ? never : sql`${customers.tagIds} && ${uuidArray(tagIds)}`;
  const subtree = (id: string) => ctx.tagSubtrees.get(id) ?? [];
  switch (condition.op) {
    case 'has_any':
      return hasAnyOf([...new Set(ids.flatMap(subtree))]);
    case 'has_all':
      return and(...ids.map((id) => hasAnyOf(subtree(id))))!;
    case 'has_none':
      return sql`not (${hasAnyOf([...new Set(ids.flatMap(subtree))])})`;
    default:
      throw new AppError('segment.invalid_filter', `标签条件不支持运算符 ${condition.op}`);
  }
}

function customFieldCondition(ctx: Context, condition: SegmentCondition): SQL {
  const key = condition.key!;
  const definition = ctx.fields.get(key);
  // A field deleted since the segment was saved matches nobody (strict mode refused it earlier).
  if (!definition) return never;
  const json = sql`(${customers.customFields} -> ${key})`;
  const text = sql`(${customers.customFields} ->> ${key})`;
  const type: SegmentValueType =
    definition.type === 'single_select'
      ? 'enum'
      : definition.type === 'multi_select'
        ? 'multi_select'
        : (definition.type as SegmentValueType);
  const options = type === 'enum' || type === 'multi_select' ? definition.options : undefined;
  const problem = segmentValueProblem(type, condition.op, condition.value, options);
  if (problem) throw new AppError('segment.invalid_filter', `自定义字段 ${key}：${problem}`, { key });

  if (type === 'multi_select') {
    const array = sql`(case when jsonb_typeof(${json}) = 'array' then ${json} end)`;
    const values = textArray((condition.value as unknown[]) ?? []);
    switch (condition.op) {
      case 'has_any':
        return sql`coalesce(${array} ?| ${values}, false)`;
      case 'has_all':
        return sql`coalesce(${array} ?& ${values}, false)`;
      case 'has_none':
        return sql`not coalesce(${array} ?| ${values}, false)`;
      case 'is_empty':
        return sql`coalesce(jsonb_array_length(${array}), 0) = 0`;
      default:
        return sql`coalesce(jsonb_array_length(${array}), 0) > 0`;
    }
  }
  if (type === 'number') {
    const number = sql`(case when jsonb_typeof(${json}) = 'number' then (${text})::numeric end)`;
    return compare(ctx, number, type, condition.op, condition.value);
  }
  if (type === 'date') return compareDate(ctx, text, condition.op, condition.value, 'text');
  return compare(ctx, text, type, condition.op, condition.value);
}

function channelCondition(ctx: Context, condition: SegmentCondition): SQL {
  const types = Array.isArray(condition.value) ? condition.value : [condition.value];
  const onChannel = sql`(exists (
      select 1 from customer_identities ci join inboxes ib on ib.id = ci.inbox_id
      where ci.workspace_id = ${ctx.workspaceId} and ci.customer_id = ${customers.id}
        and ib.channel_type = any(${textArray(types)}))
    or exists (
      select 1 from conversations cv join inboxes ib on ib.id = cv.inbox_id
      where cv.workspace_id = ${ctx.workspaceId} and cv.customer_id = ${customers.id}
        and ib.channel_type = any(${textArray(types)})))`;
  return condition.op === 'neq' || condition.op === 'not_in' ? sql`not ${onChannel}` : onChannel;
}

function productCondition(ctx: Context, condition: SegmentCondition): SQL {
  return sql`exists (
    select 1 from orders o join order_items oi on oi.workspace_id = o.workspace_id and oi.order_id = o.id
    where o.workspace_id = ${ctx.workspaceId} and o.customer_id = ${customers.id}
      and oi.product_name ilike ${containsPattern(String(condition.value))})`;
}

/**
 * The last contact is the customer's latest conversation activity. Tested as "has a conversation in the range
 * and none after it" (EXISTS, which the planner can drive from conversations as a semi/anti join), not as
 * max(last_message_at) per customer, which ran one subquery for every customer of the workspace. No index on
 * last_message_at (each new message updates it, and those updates must stay HOT; see the schema): the joins read
 * the workspace's conversations once, and a single-customer check probes conversations_customer_idx.
 */
function lastContactCondition(ctx: Context, condition: SegmentCondition): SQL {
  const hasConversation = (where?: SQL) => sql`exists (select 1 from conversations cv
    where cv.workspace_id = ${ctx.workspaceId} and cv.customer_id = ${customers.id}${where ? sql` and ${where}` : sql``})`;
  if (condition.op === 'is_empty') return sql`not ${hasConversation()}`;
  if (condition.op === 'is_not_empty') return hasConversation();
  const lastMessageAt = sql`cv.last_message_at`;
  const inRange = hasConversation(compareDate(ctx, lastMessageAt, condition.op, condition.value, 'timestamptz'));
  const { before } = dateRange(ctx, condition.op, condition.value, 'timestamptz');
  return before ? sql`(${inRange} and not ${hasConversation(sql`${lastMessageAt} >= ${before}`)})` : inRange;
}

/**
 * Names compare in search's folded form (search_name, customer-search.ts), so 陈 finds 陳大文 and ＬｉＭｉｎｇ finds
 * LiMing as search does; equality and lists use customers_search_name_idx, contains the grams' GIN index.
 */
function nameCondition(ctx: Context, condition: SegmentCondition): SQL {
  const fold = (value: unknown) => normalizeText(String(value));
  const { op, value } = condition;
  // Blank text folds to '' (names are stored trimmed): it names nothing rather than every customer.
  if (op === 'contains') return fold(value) ? nameContains(fold(value)) : never;
  const folded = Array.isArray(value) ? value.map(fold) : value == null ? value : fold(value);
  return compare(ctx, sql`${customers.searchName}`, 'text', op, folded);
}

function compileCondition(ctx: Context, condition: SegmentCondition): SQL {
  switch (condition.field) {
    case 'name':
      return nameCondition(ctx, condition);
    case 'tags':
      return tagCondition(ctx, condition);
    case 'custom_field':
      return customFieldCondition(ctx, condition);
    case 'channel':
      return channelCondition(ctx, condition);
    case 'product':
      return productCondition(ctx, condition);
    case 'last_contact_at':
      return lastContactCondition(ctx, condition);
    case 'gender':
      // 'unknown' is how an unset gender is stored.
      if (condition.op === 'is_empty') return sql`${customers.gender} = 'unknown'`;
      if (condition.op === 'is_not_empty') return sql`${customers.gender} <> 'unknown'`;
      break;
  }
  const type = segmentValueTypeOf(condition.field)!;
  const column = customerColumns[condition.field as keyof typeof customerColumns];
  const dateKind = condition.field === 'birthday' ? 'date' : 'timestamptz';
  return compare(ctx, sql`${column}`, type, condition.op, condition.value, dateKind);
}

function compileGroup(ctx: Context, group: SegmentFilter): SQL {
  if (group.conditions.length === 0) return always;
  const parts = group.conditions.map((node) =>
    isSegmentGroup(node) ? compileGroup(ctx, node) : compileCondition(ctx, node),
  );
  return sql`(${sql.join(parts, group.op === 'and' ? sql` and ` : sql` or `)})`;
}

/**
 * The WHERE fragment of a filter over `customers` (including the workspace scope and hiding merged records).
 * Use it as `select … from customers where ${fragment}`.
 */
export async function compileSegmentFilter(
  executor: Executor,
  workspaceId: string,
  filter: SegmentFilter,
  options: Options = { strict: true },
): Promise<SQL> {
  const ctx = await loadContext(executor, workspaceId, filter, options);
  return sql`(${visibleCustomers(workspaceId)} and ${compileGroup(ctx, filter)})`;
}
