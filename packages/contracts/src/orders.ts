import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { emailAddress, lifecycleStages, rfmTiers } from './customers.ts';

// ---------------------------------------------------------------------------------------------------------
// Orders: upserted by (platform, orderNo) from the API, imports and integrations. Money is integer fen.
// ---------------------------------------------------------------------------------------------------------

export const orderPlatforms = ['taobao', 'tmall', 'jd', 'douyin', 'pdd', 'website', 'other'] as const;
export type OrderPlatform = (typeof orderPlatforms)[number];
export const orderPlatformLabels: Record<OrderPlatform, string> = {
  taobao: '淘宝',
  tmall: '天猫',
  jd: '京东',
  douyin: '抖音',
  pdd: '拼多多',
  website: '官网',
  other: '其他',
};

/** `paid`, `shipped` and `completed` orders are purchases: they count towards order count, spend and RFM. */
export const orderStatuses = ['pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export const orderStatusLabels: Record<OrderStatus, string> = {
  pending: '待付款',
  paid: '已付款',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
};
export const purchaseStatuses: readonly OrderStatus[] = ['paid', 'shipped', 'completed'];

/** Largest amount accepted, in fen (¥10 亿): far above any real order, well inside a JS safe integer. */
export const MAX_AMOUNT_FEN = 100_000_000_000;

const fen = z.number().int('金额必须是整数（单位：分）').min(0, '金额不能为负数').max(MAX_AMOUNT_FEN, '金额过大');
const code = (label: string) =>
  trimmedString()
    .min(1, `${label}不能为空`)
    .max(64, `${label}最长 64 个字符`)
    .regex(/^[\x21-\x7e]+$/, `${label}只能包含字母、数字和符号`);
const EARLIEST_ORDER_TIME = Date.parse('2000-01-01T00:00:00Z');
// A year before 2000 or a date in the future is a typo or a placeholder (9999-12-31), and it would make the buyer
// an active, loyal customer for ever.
const dateTime = z.iso
  .datetime({ offset: true, message: '时间格式不正确，应为 ISO 8601（如 2024-05-01T10:00:00+08:00）' })
  .refine((value) => {
    const at = Date.parse(value);
    return at >= EARLIEST_ORDER_TIME && at <= Date.now() + 86_400_000;
  }, '时间不在合理范围内：应在 2000 年之后，且不晚于现在');
const optionalText = (max: number) => trimmedString().max(max).nullable().optional();

export const orderItemInput = z.strictObject({
  productName: trimmedString().min(1, '商品名称不能为空').max(200),
  sku: optionalText(100),
  quantity: z.number().int('数量必须是整数').min(1, '数量至少为 1').max(1_000_000),
  priceFen: fen,
});
export type OrderItemInput = z.infer<typeof orderItemInput>;

/** Who bought: an existing customer's id, or contact details resolved to a customer (found or created). */
export const orderCustomerInput = z
  .strictObject({
    customerId: id.optional(),
    buyerId: trimmedString().min(1).max(128).optional(),
    phone: z
      .string()
      .normalize('NFKC')
      .trim()
      .regex(/^\+?[0-9 -]{5,20}$/, '手机号格式不正确')
      .optional(),
    email: emailAddress.optional(),
    name: trimmedString().max(100).optional(),
  })
  .refine((c) => c.customerId || c.buyerId || c.phone || c.email, {
    message: '需要 customerId、buyerId、phone 或 email 之一来确定客户',
  });
export type OrderCustomerInput = z.infer<typeof orderCustomerInput>;

export const upsertOrderBody = z
  .strictObject({
    platform: z.enum(orderPlatforms, `平台只能是 ${orderPlatforms.join(' / ')}`),
    orderNo: code('订单号'),
    status: z.enum(orderStatuses, `订单状态只能是 ${orderStatuses.join(' / ')}`),
    amountFen: fen,
    items: z.array(orderItemInput).max(200, '一个订单最多 200 个商品').default([]),
    /** When the buyer placed the order; kept from the first upsert when omitted (defaults to then). */
    placedAt: dateTime.optional(),
    paidAt: dateTime.nullable().optional(),
    shippedAt: dateTime.nullable().optional(),
    completedAt: dateTime.nullable().optional(),
    trackingCompany: optionalText(50),
    trackingNo: code('物流单号').nullable().optional(),
    customer: orderCustomerInput,
  })
  .superRefine((order, context) => {
    if (!order.placedAt) return;
    const placed = Date.parse(order.placedAt);
    for (const [key, label] of [
      ['paidAt', '付款'],
      ['shippedAt', '发货'],
      ['completedAt', '完成'],
    ] as const) {
      const value = order[key];
      if (value && Date.parse(value) < placed)
        context.addIssue({ code: 'custom', path: [key], message: `${label}时间不能早于下单时间` });
    }
  });
export type UpsertOrderBody = z.input<typeof upsertOrderBody>;
export type UpsertOrderInput = z.output<typeof upsertOrderBody>;

export const MAX_ORDER_BATCH = 1000;
/** Each order is validated on its own, so one bad order is rejected with its index while the others are stored. */
export const upsertOrdersBatchBody = z.strictObject({
  orders: z
    .array(z.unknown())
    .min(1, '至少需要一个订单')
    .max(MAX_ORDER_BATCH, `一次最多 ${MAX_ORDER_BATCH} 个订单`)
    .describe('每项的格式同 POST /api/v1/orders 的请求体'),
});

export const orderItem = z.object({
  productName: z.string(),
  sku: z.string().nullable(),
  quantity: z.number().int(),
  priceFen: z.number().int(),
});

export const order = z.object({
  id,
  customerId: id,
  platform: z.enum(orderPlatforms),
  orderNo: z.string(),
  status: z.enum(orderStatuses),
  amountFen: z.number().int(),
  items: z.array(orderItem),
  placedAt: isoDateTime,
  paidAt: isoDateTime.nullable(),
  shippedAt: isoDateTime.nullable(),
  completedAt: isoDateTime.nullable(),
  trackingCompany: z.string().nullable(),
  trackingNo: z.string().nullable(),
  buyerId: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Order = z.infer<typeof order>;

/** `unchanged`: the stored order already said exactly this (an idempotent repeat); nothing was written. */
export const upsertOutcomes = ['created', 'updated', 'unchanged'] as const;
export type UpsertOutcome = (typeof upsertOutcomes)[number];

export const upsertOrderResult = z.object({ outcome: z.enum(upsertOutcomes), order });
export type UpsertOrderResult = z.infer<typeof upsertOrderResult>;

export const upsertOrdersBatchResult = z.object({
  counts: z.object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    rejected: z.number().int(),
  }),
  items: z.array(
    z.object({
      index: z.number().int(),
      outcome: z.enum([...upsertOutcomes, 'rejected']),
      orderId: id.nullable(),
      customerId: id.nullable(),
      error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
    }),
  ),
});
export type UpsertOrdersBatchResult = z.infer<typeof upsertOrdersBatchResult>;

export const orderListQuery = z.strictObject({
  customerId: id.optional(),
  /** An order number or tracking number, exactly or by prefix. */
  q: trimmedString().max(64).optional(),
  status: z.enum(orderStatuses).optional(),
  platform: z.enum(orderPlatforms).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;

export const customerOrdersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});

// ---------------------------------------------------------------------------------------------------------
// Customer value: RFM scores and tiers, lifecycle stages, computed from a customer's purchases.
// ---------------------------------------------------------------------------------------------------------

export type RfmTier = (typeof rfmTiers)[number];

export type LifecycleStage = (typeof lifecycleStages)[number];

/** What the customer view shows of a customer's value (the same keys as in `customer`). */
export const customerValue = z.object({
  orderCount: z.number().int(),
  totalSpentFen: z.number().int(),
  firstOrderAt: isoDateTime.nullable(),
  lastOrderAt: isoDateTime.nullable(),
  rfmTier: z.enum(rfmTiers).nullable(),
  lifecycleStage: z.enum(lifecycleStages),
});
export type CustomerValue = z.infer<typeof customerValue>;

const score = z.number().int().min(1).max(5);
const scoreRange = z
  .tuple([score, score])
  .refine(([min, max]) => min <= max, '分值区间的下限不能大于上限')
  .describe('[最小, 最大]，1–5，含两端');
const positiveInt = (max: number) => z.number().int('必须是整数').min(1, '必须大于 0').max(max);
const fourAscending = <T extends z.ZodType<number>>(value: T, what: string) =>
  z
    .tuple([value, value, value, value])
    .refine(
      (bounds) => (bounds as number[]).every((bound, i) => i === 0 || bounds[i - 1]! < bound),
      `${what}的四个分界必须严格递增`,
    );

export const tierRule = z.strictObject({
  tier: z.enum(rfmTiers),
  r: scoreRange.optional(),
  f: scoreRange.optional(),
  m: scoreRange.optional(),
});
export type TierRule = z.infer<typeof tierRule>;

export const customerValueSettings = z.strictObject({
  rfm: z.strictObject({
    /** R = 5 when the last purchase is at most [0] days ago, 4 at most [1], 3 at most [2], 2 at most [3], else 1. */
    recencyDays: fourAscending(positiveInt(3650), '最近购买天数'),
    /** F = 2 from [0] purchases, 3 from [1], 4 from [2], 5 from [3]; 1 below. */
    frequencyOrders: fourAscending(z.number().int().min(2, '购买次数分界至少为 2').max(100_000), '购买次数'),
    /** M = 2 from [0] fen spent, 3 from [1], 4 from [2], 5 from [3]; 1 below. */
    monetaryFen: fourAscending(positiveInt(MAX_AMOUNT_FEN), '消费金额'),
    /** First matching rule wins; customers matching none get `otherwise`. */
    tiers: z.strictObject({
      rules: z.array(tierRule).max(20),
      otherwise: z.enum(rfmTiers),
    }),
  }),
  lifecycle: z
    .strictObject({
      /** 新客: the first purchase is at most this many days ago. Also how long 回流 lasts. */
      newDays: positiveInt(3650),
      /** 活跃 while the last purchase is at most this many days ago; 沉睡 after. */
      dormantDays: positiveInt(3650),
      /** 流失 when the last purchase is more than this many days ago. */
      churnedDays: positiveInt(3650),
    })
    .refine((l) => l.newDays <= l.dormantDays, { message: '新客天数不能大于沉睡天数', path: ['newDays'] })
    .refine((l) => l.dormantDays < l.churnedDays, { message: '流失天数必须大于沉睡天数', path: ['churnedDays'] }),
  /** A profile is out of date after this many days without an update (active customers / everyone else). */
  staleProfileDays: z.strictObject({ active: positiveInt(3650), others: positiveInt(3650) }),
});
export type CustomerValueSettings = z.infer<typeof customerValueSettings>;

export const defaultCustomerValueSettings: CustomerValueSettings = {
  rfm: {
    recencyDays: [30, 90, 180, 365],
    frequencyOrders: [2, 3, 5, 10],
    monetaryFen: [20_000, 50_000, 100_000, 300_000],
    tiers: {
      rules: [
        { tier: 'loyal', r: [4, 5], f: [3, 5], m: [3, 5] },
        { tier: 'new', r: [4, 5], f: [1, 1] },
        { tier: 'potential', r: [3, 5] },
        { tier: 'winback', r: [2, 2] },
        { tier: 'winback', r: [1, 1], f: [3, 5] },
      ],
      otherwise: 'churned',
    },
  },
  lifecycle: { newDays: 30, dormantDays: 90, churnedDays: 365 },
  staleProfileDays: { active: 30, others: 60 },
};
