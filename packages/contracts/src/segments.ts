import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { customer } from './customers.ts';

// ---------------------------------------------------------------------------------------------------------
// Segment filters: a JSON tree of AND/OR groups (nested at most 3 deep) over customer conditions.
// ---------------------------------------------------------------------------------------------------------

/** What kind of value a field holds; it decides the operators a condition may use. */
export const segmentValueTypes = [
  'text',
  'enum',
  'number',
  'date',
  'user',
  'tags',
  'product',
  'channel',
  'multi_select',
] as const;
export type SegmentValueType = (typeof segmentValueTypes)[number];

/**
 * Every field a condition can test, and its value type. `custom_field` conditions carry a `key` and take the
 * value type of the field definition (text, number, date, single_select → enum, multi_select).
 */
export const segmentFieldTypes = {
  name: 'text',
  gender: 'enum',
  region: 'text',
  source: 'text',
  campaign: 'text',
  birthday: 'date',
  created_at: 'date',
  owner: 'user',
  tags: 'tags',
  order_count: 'number',
  total_spent_fen: 'number',
  last_order_at: 'date',
  product: 'product',
  rfm_tier: 'enum',
  lifecycle_stage: 'enum',
  last_contact_at: 'date',
  channel: 'channel',
  custom_field: 'custom',
} as const;
export type SegmentField = keyof typeof segmentFieldTypes;
export const segmentFields = Object.keys(segmentFieldTypes) as SegmentField[];

export const segmentOperators = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'within_days',
  'older_than_days',
  'is_empty',
  'is_not_empty',
  'has_any',
  'has_all',
  'has_none',
] as const;
export type SegmentOperator = (typeof segmentOperators)[number];

/** The operators each value type accepts (what the filter builder offers). */
export const segmentOperatorsByType: Record<SegmentValueType, readonly SegmentOperator[]> = {
  text: ['eq', 'neq', 'in', 'not_in', 'contains', 'is_empty', 'is_not_empty'],
  enum: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  number: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty'],
  date: ['eq', 'gt', 'gte', 'lt', 'lte', 'between', 'within_days', 'older_than_days', 'is_empty', 'is_not_empty'],
  user: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  tags: ['has_any', 'has_all', 'has_none'],
  product: ['contains'],
  channel: ['eq', 'neq', 'in', 'not_in'],
  multi_select: ['has_any', 'has_all', 'has_none', 'is_empty', 'is_not_empty'],
};

/** Allowed values of the enum fields. */
export const segmentEnumValues = {
  gender: ['male', 'female', 'unknown'],
  rfm_tier: ['loyal', 'potential', 'new', 'winback', 'churned'],
  lifecycle_stage: ['prospect', 'new', 'active', 'dormant', 'churned', 'returning'],
} as const;

/** Inbox channel types a `channel` condition can name (a customer "is on" a channel when they have an identity or a conversation on an inbox of that type). */
export const segmentChannelTypes = ['website', 'api', 'email', 'wechat', 'sms'] as const;

export const MAX_SEGMENT_DEPTH = 3;
export const MAX_SEGMENT_CONDITIONS = 50;

const scalar = z.union([z.string().max(200), z.number()]);

/**
 * One condition. `value` by operator: a single value for eq/neq/contains/gt/gte/lt/lte; a list for
 * in/not_in/has_any/has_all/has_none; `[from, to]` (inclusive) for between; a whole number of days for
 * within_days/older_than_days; nothing for is_empty/is_not_empty. Dates are `YYYY-MM-DD` days in the
 * workspace's timezone; money is in fen; tags are tag ids (a parent tag includes its descendants).
 */
export const segmentCondition = z.strictObject({
  field: z.enum(segmentFields as [SegmentField, ...SegmentField[]]),
  /** Custom field key, only with `field: 'custom_field'`. */
  key: z.string().max(64).optional(),
  op: z.enum(segmentOperators),
  value: z.union([scalar, z.array(scalar).max(500), z.null()]).optional(),
});
export type SegmentCondition = z.infer<typeof segmentCondition>;

export type SegmentFilter = { op: 'and' | 'or'; conditions: (SegmentCondition | SegmentFilter)[] };

// Named: the OpenAPI document defines a recursive schema once, under components, and refers to it by this id.
const segmentGroup: z.ZodType<SegmentFilter, SegmentFilter> = z
  .lazy(() =>
    z.strictObject({
      op: z.enum(['and', 'or']),
      conditions: z.array(z.union([segmentCondition, segmentGroup])).max(MAX_SEGMENT_CONDITIONS),
    }),
  )
  .meta({ id: 'SegmentFilterGroup' });

export const isSegmentGroup = (node: SegmentCondition | SegmentFilter): node is SegmentFilter => 'conditions' in node;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isValidDate = (value: unknown) =>
  typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** Value type of a built-in field (custom fields are resolved by the server against their definitions). */
export const segmentValueTypeOf = (field: SegmentField): SegmentValueType | undefined => {
  const type = segmentFieldTypes[field];
  return type === 'custom' ? undefined : type;
};

/**
 * Why a condition's value does not fit its operator and value type, or undefined when it does. Shared by the
 * zod schema (built-in fields) and the server (custom fields, whose type comes from their definition).
 */
export function segmentValueProblem(
  type: SegmentValueType,
  op: SegmentOperator,
  value: unknown,
  options?: readonly string[],
): string | undefined {
  if (!segmentOperatorsByType[type].includes(op)) return `该字段不支持运算符 ${op}`;
  const isOne = (item: unknown): string | undefined => {
    switch (type) {
      case 'number':
        return typeof item === 'number' && Number.isFinite(item) ? undefined : '取值应为数字';
      case 'date':
        return isValidDate(item) ? undefined : '日期格式应为 YYYY-MM-DD';
      case 'user':
      case 'tags':
        return typeof item === 'string' && UUID.test(item) ? undefined : '取值应为 id';
      case 'channel':
        return typeof item === 'string' && (segmentChannelTypes as readonly string[]).includes(item)
          ? undefined
          : `未知的渠道：${String(item)}`;
      default:
        if (typeof item !== 'string' || item.length === 0) return '取值应为非空文本';
        if (options && !options.includes(item)) return `不是可选的值：${item}`;
        return undefined;
    }
  };
  switch (op) {
    case 'is_empty':
    case 'is_not_empty':
      return value === undefined || value === null ? undefined : '此运算符不需要取值';
    case 'within_days':
    case 'older_than_days':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 36_500
        ? undefined
        : '天数应为 0 到 36500 之间的整数';
    case 'in':
    case 'not_in':
    case 'has_any':
    case 'has_all':
    case 'has_none':
      if (!Array.isArray(value) || value.length === 0) return '取值应为非空列表';
      return value.map(isOne).find(Boolean);
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return '区间取值应为 [起, 止]';
      const problem = value.map(isOne).find(Boolean);
      if (problem) return problem;
      return (value[0] as number) > (value[1] as number) ? '区间的起点不能大于终点' : undefined;
    }
    default:
      if (Array.isArray(value) || value === undefined || value === null) return '取值应为单个值';
      return isOne(value);
  }
}

type Issue = { path: (string | number)[]; message: string };

/** Depth, size and value checks of a whole filter tree, with the path of each problem. */
export function segmentFilterIssues(filter: SegmentFilter): Issue[] {
  const issues: Issue[] = [];
  let conditions = 0;
  const walk = (group: SegmentFilter, depth: number, path: (string | number)[]) => {
    if (depth > MAX_SEGMENT_DEPTH) {
      issues.push({ path, message: `条件组最多嵌套 ${MAX_SEGMENT_DEPTH} 层` });
      return;
    }
    for (const [i, node] of group.conditions.entries()) {
      const at = [...path, 'conditions', i];
      if (isSegmentGroup(node)) {
        walk(node, depth + 1, at);
        continue;
      }
      conditions++;
      if (node.field === 'custom_field') {
        if (!node.key || !/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/.test(node.key))
          issues.push({ path: [...at, 'key'], message: '自定义字段条件需要有效的字段 key' });
        continue;
      }
      if (node.key !== undefined) issues.push({ path: [...at, 'key'], message: '只有自定义字段条件可以带 key' });
      const type = segmentValueTypeOf(node.field)!;
      const options =
        node.field in segmentEnumValues ? segmentEnumValues[node.field as keyof typeof segmentEnumValues] : undefined;
      const problem = segmentValueProblem(type, node.op, node.value, options);
      if (problem) issues.push({ path: [...at, 'value'], message: problem });
    }
  };
  walk(filter, 1, []);
  if (conditions > MAX_SEGMENT_CONDITIONS) issues.push({ path: [], message: `条件最多 ${MAX_SEGMENT_CONDITIONS} 个` });
  return issues;
}

/** A segment filter tree: `{ op: 'and' | 'or', conditions: (condition | group)[] }`; an empty group matches everyone. */
export const segmentFilter = segmentGroup.superRefine((filter, ctx) => {
  for (const issue of segmentFilterIssues(filter)) ctx.addIssue({ code: 'custom', ...issue });
});

// ---------------------------------------------------------------------------------------------------------
// Saved segments (分组)
// ---------------------------------------------------------------------------------------------------------

export const segment = z.object({
  id,
  name: z.string(),
  description: z.string(),
  filter: segmentGroup,
  createdBy: id.nullable(),
  /**
   * The segment's last exact count and when it was taken (null: not counted since it was created or its filter
   * changed). The list answers these at once; `GET /segments/:id/count` counts again and remembers the answer.
   */
  customerCount: z.number().int().nullable(),
  countedAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Segment = z.infer<typeof segment>;

/** A stored segment count older than this is shown with its age and counted again in the background. */
export const SEGMENT_COUNT_FRESH_MS = 5 * 60_000;

/** `GET /api/v1/segments/:id/count`: counted now, and remembered as the segment's `customerCount` / `countedAt`. */
export const segmentCount = z.object({ count: z.number().int(), countedAt: isoDateTime });
export type SegmentCount = z.infer<typeof segmentCount>;

const segmentName = trimmedString().min(1, '名称不能为空').max(60, '名称最多 60 个字');

export const createSegmentBody = z.strictObject({
  name: segmentName,
  description: trimmedString().max(500).default(''),
  filter: segmentFilter,
});
export type CreateSegmentBody = z.input<typeof createSegmentBody>;

export const updateSegmentBody = z.strictObject({
  name: segmentName.optional(),
  description: trimmedString().max(500).optional(),
  filter: segmentFilter.optional(),
});
export type UpdateSegmentBody = z.input<typeof updateSegmentBody>;

/** `POST /api/v1/segments/count`: live count while editing. */
export const segmentCountBody = z.strictObject({ filter: segmentFilter });
export const customerCount = z.object({ count: z.number().int() });
export type CustomerCount = z.infer<typeof customerCount>;

/** `POST /api/v1/segments/preview`: the first matching customers, newest first (same view as `GET /customers`). */
export const segmentPreviewBody = z.strictObject({
  filter: segmentFilter,
  limit: z.number().int().min(1).max(100).default(20),
});
export const segmentPreview = z.object({ items: z.array(customer) });

// ---------------------------------------------------------------------------------------------------------
// Bulk actions on customers: count first, confirm, then a job.
// ---------------------------------------------------------------------------------------------------------

/** Which customers: a saved segment, an unsaved filter, a selection, or the results of a search. */
export const customerTarget = z.union([
  z.strictObject({ segmentId: id }),
  z.strictObject({ filter: segmentFilter }),
  z.strictObject({ customerIds: z.array(id).min(1).max(10_000) }),
  z.strictObject({ q: trimmedString().min(1).max(100) }),
]);
export type CustomerTarget = z.infer<typeof customerTarget>;

export const bulkCountBody = z.strictObject({ target: customerTarget });

export const bulkActions = ['add_tags', 'remove_tags', 'assign_owner'] as const;
export type BulkAction = (typeof bulkActions)[number];

/**
 * `POST /api/v1/customers/bulk` → 202 with the job at once (`GET /api/v1/jobs/:id` for progress; cancellable).
 * `expectedCount` is the count the user confirmed (from `bulk/count`); the job acts on the customers matching when it
 * starts, and its result (BulkJobResult) says how many that was. `ownerId: null` with assign_owner clears the owner.
 */
export const bulkActionBody = z
  .strictObject({
    target: customerTarget,
    action: z.enum(bulkActions),
    tagIds: z.array(id).min(1).max(100).optional(),
    ownerId: id.nullable().optional(),
    expectedCount: z.number().int().min(0),
  })
  .superRefine((body, ctx) => {
    if (body.action !== 'assign_owner' && !body.tagIds)
      ctx.addIssue({ code: 'custom', path: ['tagIds'], message: '请选择要添加或移除的标签' });
    if (body.action === 'assign_owner' && body.ownerId === undefined)
      ctx.addIssue({ code: 'custom', path: ['ownerId'], message: '请选择负责人' });
    if (body.action === 'assign_owner' && body.tagIds)
      ctx.addIssue({ code: 'custom', path: ['tagIds'], message: '分配负责人时不需要标签' });
  });
export type BulkActionBody = z.input<typeof bulkActionBody>;

/**
 * A bulk job's `result` (also when cancelled): `matched` customers were frozen as its targets when it started
 * (≠ `expectedCount` if the count moved since it was shown), `processed` of them were reached, `changed` of those
 * actually changed.
 */
export type BulkJobResult = {
  action: BulkAction;
  expectedCount: number;
  matched: number;
  processed: number;
  changed: number;
  unchanged: number;
};
