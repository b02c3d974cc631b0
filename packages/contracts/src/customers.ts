import { z } from 'zod';
import { id, isoDateTime, trimBlank, trimmedString } from './common.ts';

// ---------------------------------------------------------------------------------------------------------------
// Contact formats, shared by the API, imports and the web forms.

const CHINA_MOBILE = /^(?:\+?86)?1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$/;
const INTERNATIONAL = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number in its stored form, or null when it is not one: Chinese mobiles become their 11 digits
 * (`+86 138-1234-5678` → `13812345678`), landlines keep their area code and dash (`0571-88888888`),
 * other countries keep `+` and digits. Full-width digits count (`１３８…`).
 */
export function normalizePhone(input: string): string | null {
  // NFKC: full-width digits, ＋ and － as Chinese input methods type them become ASCII.
  const compact = input
    .normalize('NFKC')
    .trim()
    .replace(/[\s()（）]/g, '');
  const digitsOnly = compact.replace(/-/g, '');
  if (CHINA_MOBILE.test(digitsOnly)) return digitsOnly.slice(-11);
  if (LANDLINE.test(compact)) {
    if (compact.includes('-')) return compact;
    // Without a dash: 3-digit area codes are 010 and 02x, every other area code has 4 digits.
    const areaLength = /^0(?:10|2\d)/.test(compact) ? 3 : 4;
    return `${compact.slice(0, areaLength)}-${compact.slice(areaLength)}`;
  }
  if (INTERNATIONAL.test(digitsOnly)) return digitsOnly;
  return null;
}

/**
 * An email address in its stored form: NFKC (a Chinese input method left in full-width mode types ａｂｃ＠ｑｑ．ｃｏｍ,
 * which becomes abc@qq.com), the ideographic full stop 。 read as a dot (never valid in an address), white space and
 * invisible characters trimmed, the domain lower-cased (domains are case-insensitive; the local part is kept as
 * typed). Not a validator: `emailAddress` validates the result.
 */
export function normalizeEmail(input: string): string {
  const compact = trimBlank(input.normalize('NFKC').replace(/\u3002/gu, '.'));
  const at = compact.lastIndexOf('@');
  return at < 0 ? compact : compact.slice(0, at) + compact.slice(at).toLowerCase();
}

const ID_CARD_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CARD_CHECK = '10X98765432';

/** An 18-digit resident ID number (GB 11643): a real birth date and the right check digit. */
export function isValidIdCard(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const birth = value.slice(6, 14);
  const date = new Date(`${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10).replace(/-/g, '') !== birth) return false;
  if (date.getTime() > Date.now() || date.getUTCFullYear() < 1890) return false;
  const sum = ID_CARD_WEIGHTS.reduce((total, weight, index) => total + weight * Number(value[index]), 0);
  return ID_CARD_CHECK[sum % 11] === value[17];
}

/** A bank card number: 12 to 19 digits passing the Luhn check. */
export function isValidBankCard(value: string): boolean {
  if (!/^\d{12,19}$/.test(value)) return false;
  let sum = 0;
  for (let index = 0; index < value.length; index++) {
    let digit = Number(value[value.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Masking: what roles without `customers:reveal_pii` see, in the API, exports and sockets alike.

/** `13812345678` → `138****5678`; `0571-88888888` → `0571-****8888`. */
export function maskPhone(phone: string): string {
  const dash = phone.indexOf('-');
  if (dash > 0 && dash <= 4) {
    const rest = phone.slice(dash + 1);
    return `${phone.slice(0, dash)}-${'*'.repeat(Math.max(rest.length - 4, 1))}${rest.slice(-4)}`;
  }
  if (phone.length <= 7) return `${phone.slice(0, 1)}${'*'.repeat(Math.max(phone.length - 3, 1))}${phone.slice(-2)}`;
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** `110101199003077777` → `110101********7777` (region kept, birth date hidden). */
export function maskIdCard(idCard: string): string {
  if (idCard.length <= 8) return '*'.repeat(idCard.length);
  return `${idCard.slice(0, 6)}${'*'.repeat(idCard.length - 10)}${idCard.slice(-4)}`;
}

/** `6222021234567890123` → `6222 **** **** 0123`. */
export function maskBankCard(card: string): string {
  if (card.length <= 8) return '*'.repeat(card.length);
  return `${card.slice(0, 4)} **** **** ${card.slice(-4)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The customer as the API shows it.

export const genders = ['male', 'female', 'unknown'] as const;
export const lifecycleStages = ['prospect', 'new', 'active', 'dormant', 'churned', 'returning'] as const;
export const rfmTiers = ['loyal', 'potential', 'new', 'winback', 'churned'] as const;

export const customFieldValue = z.union([z.string(), z.number(), z.array(z.string())]);
export type CustomFieldValue = z.infer<typeof customFieldValue>;

export const unverifiedContactFields = ['phone', 'email'] as const;
export type UnverifiedContact = (typeof unverifiedContactFields)[number];

export const customer = z.object({
  id,
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  /** Masked (`138****5678`) for roles without customers:reveal_pii. */
  phone: z.string().nullable(),
  /** Other phones; masked like `phone`. */
  phones: z.array(z.string()),
  email: z.string().nullable(),
  emails: z.array(z.string()),
  gender: z.enum(genders),
  birthday: z.string().nullable().describe('YYYY-MM-DD'),
  region: z.string().nullable(),
  source: z.string().nullable().describe('the channel the customer came from'),
  campaign: z.string().nullable(),
  notes: z.string(),
  customFields: z.record(z.string(), customFieldValue),
  /** Always masked here; the plaintext only through POST /customers/:id/reveal (audit-logged). */
  idCard: z.string().nullable(),
  bankCard: z.string().nullable(),
  ownerId: id.nullable(),
  /** True when phone numbers in this answer are masked for the caller. */
  piiMasked: z.boolean(),
  profileUpdatedAt: isoDateTime.nullable(),
  // Customer value, computed from orders (orders module); absent until that module is installed.
  orderCount: z.number().int().optional(),
  totalSpentFen: z.number().int().optional(),
  firstOrderAt: isoDateTime.nullable().optional(),
  lastOrderAt: isoDateTime.nullable().optional(),
  rfmTier: z.enum(rfmTiers).nullable().optional(),
  lifecycleStage: z.enum(lifecycleStages).optional(),
  /** When the customer unsubscribed from marketing SMS (replied 退订/TD, or a lead set it); null: receives them. */
  marketingOptOutAt: isoDateTime.nullable(),
  /**
   * `phone` / `email`: typed by a website visitor and not verified (anyone can type anyone's number). A duplicate
   * found through them is only a hint; an agent's edit of the field clears it.
   */
  unverifiedContacts: z.array(z.enum(unverifiedContactFields)).optional(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Customer = z.infer<typeof customer>;

/** An optional profile text: blank (white space or invisible characters only) clears it, like the form's empty field. */
const optionalText = (max: number) =>
  trimmedString()
    .max(max)
    .transform((value) => value || null)
    .nullable()
    .optional();

/** A phone number in any accepted format, answered in its stored form (see normalizePhone). */
export const phoneNumber = trimmedString()
  .max(30)
  .transform((value, ctx) => {
    const normalized = normalizePhone(value);
    if (normalized === null) {
      ctx.addIssue({ code: 'custom', message: '手机号格式不正确（如 13812345678 或 0571-88888888）' });
      return z.NEVER;
    }
    return normalized;
  });

/** An email address, normalised first (see normalizeEmail): every API body and form that takes one uses this. */
export const emailAddress = z.string().overwrite(normalizeEmail).max(254).pipe(z.email('邮箱格式不正确'));

/** A calendar date `YYYY-MM-DD` that exists. */
export const calendarDate = trimmedString()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD', abort: true })
  .refine(
    (value) => {
      const date = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
    },
    { message: '日期不存在', abort: true },
  );

export const idCardNumber = trimmedString()
  .transform((value) => value.toUpperCase())
  .refine(isValidIdCard, '身份证号码不正确（18 位，校验位不符或出生日期无效）');

export const bankCardNumber = trimmedString()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .refine(isValidBankCard, '银行卡号不正确（12–19 位数字，校验不通过）');

export const updateCustomerBody = z.strictObject({
  name: optionalText(100),
  nickname: optionalText(100),
  phone: phoneNumber.nullable().optional(),
  phones: z.array(phoneNumber).max(10, '其他电话最多 10 个').optional(),
  email: emailAddress.nullable().optional(),
  emails: z.array(emailAddress).max(10, '其他邮箱最多 10 个').optional(),
  gender: z.enum(genders).optional(),
  birthday: calendarDate
    .refine((value) => value <= new Date().toISOString().slice(0, 10), { message: '生日不能晚于今天', abort: true })
    .refine((value) => value >= '1900-01-01', '生日不能早于 1900 年')
    .nullable()
    .optional(),
  region: optionalText(100),
  source: optionalText(100),
  campaign: optionalText(100),
  notes: z.string().max(5000).optional(),
  ownerId: id.nullable().optional(),
  idCard: idCardNumber.nullable().optional(),
  bankCard: bankCardNumber.nullable().optional(),
  /** Only the keys sent change; a key sent as null clears that field. Checked against the field definitions. */
  customFields: z.record(z.string().max(40), customFieldValue.nullable()).optional(),
  /** true: no more marketing SMS (as a 退订 reply does); false: receives them again. Needs campaigns:send. */
  marketingOptOut: z.boolean().optional(),
});
export type UpdateCustomerBody = z.infer<typeof updateCustomerBody>;

/** What the customer list can be sorted by (the value columns it shows); without `sort`, newest first. */
export const customerSortKeys = ['totalSpent', 'orderCount', 'lastOrderAt'] as const;
export type CustomerSortKey = (typeof customerSortKeys)[number];
export const sortOrders = ['asc', 'desc'] as const;
export type SortOrder = (typeof sortOrders)[number];

/** Which customers the list shows: a search, a segment, a tag, a stage, a tier (all optional, combined). */
const customerListScope = {
  q: trimmedString().max(100).optional(),
  /** Only customers of this segment (分组). */
  segmentId: id.optional(),
  /** Only customers with this tag or one of its child tags. */
  tagId: id.optional(),
  /** Only customers in this lifecycle stage (orders module's value columns). */
  lifecycleStage: z.enum(lifecycleStages).optional(),
  /** Only customers of this RFM tier. */
  rfmTier: z.enum(rfmTiers).optional(),
};

export const customerListQuery = z
  .strictObject({
    ...customerListScope,
    /**
     * Sort by a value column (customers without orders count as 0 / never, so they come last in `desc`); ties
     * newest first. Not with `q`: search results are ranked by how well they match.
     */
    sort: z.enum(customerSortKeys).optional(),
    /** With `sort`: `desc` (default, largest or latest first) or `asc`. */
    order: z.enum(sortOrders).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(30),
    cursor: z.string().max(200).optional(),
  })
  .refine((query) => !(query.sort && query.q), {
    path: ['sort'],
    message: '搜索结果按匹配度排列，不能再按其他列排序',
  });

/** `GET /api/v1/customers/count`: the list's scope, without paging. */
export const customerCountQuery = z.strictObject(customerListScope);
export const countPrecisions = ['exact', 'estimate', 'atLeast'] as const;
/**
 * How many customers the list's scope holds. `exact` up to 10,000; above that a listing answers PostgreSQL's
 * `estimate` (shown as 「约」) and a search, whose matches are ranked rather than counted, `atLeast` 1,000.
 */
export const customerListCount = z.object({ count: z.number().int(), precision: z.enum(countPrecisions) });
export type CustomerListCount = z.infer<typeof customerListCount>;

/** A tag as a list row shows it (a chip). */
export const customerListTag = z.object({ id, name: z.string(), color: z.string() });
export type CustomerListTag = z.infer<typeof customerListTag>;

/** A row of the customer list: the customer with its tags (one batched lookup per page). */
export const customerListItem = customer.extend({ tags: z.array(customerListTag) });
export type CustomerListItem = z.infer<typeof customerListItem>;

// ---------------------------------------------------------------------------------------------------------------
// Custom field definitions (admins define; everyone reads).

export const customFieldTypes = ['text', 'number', 'date', 'single_select', 'multi_select'] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];

export const customFieldDefinition = z.object({
  id,
  key: z.string(),
  label: z.string(),
  type: z.enum(customFieldTypes),
  options: z.array(z.string()),
  required: z.boolean(),
  position: z.number().int(),
  archived: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type CustomFieldDefinition = z.infer<typeof customFieldDefinition>;

const fieldOptions = z
  .array(trimmedString().min(1, '选项不能为空').max(50))
  .max(100, '选项最多 100 个')
  .refine((options) => new Set(options).size === options.length, '选项不能重复');

export const createCustomFieldBody = z.strictObject({
  key: trimmedString().regex(/^[a-z][a-z0-9_]{0,39}$/, '字段标识只能是小写字母开头的字母、数字、下划线（最多 40 位）'),
  label: trimmedString().min(1, '字段名称不能为空').max(50),
  type: z.enum(customFieldTypes),
  options: fieldOptions.optional(),
  required: z.boolean().optional(),
  position: z.number().int().min(0).max(10000).optional(),
});
export type CreateCustomFieldBody = z.infer<typeof createCustomFieldBody>;

export const updateCustomFieldBody = z.strictObject({
  label: trimmedString().min(1, '字段名称不能为空').max(50).optional(),
  options: fieldOptions.optional(),
  required: z.boolean().optional(),
  position: z.number().int().min(0).max(10000).optional(),
  archived: z.boolean().optional(),
});
export type UpdateCustomFieldBody = z.infer<typeof updateCustomFieldBody>;

export const customFieldListQuery = z.strictObject({
  includeArchived: z.enum(['true', 'false']).optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Identities, timeline, duplicates, merges, reveal, reminders.

export const identityKinds = ['source', 'shop_user', 'email', 'phone', 'platform_buyer'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export const customerIdentity = z.object({
  id,
  kind: z.enum(identityKinds),
  /** The inbox's channel type for inbox identities; for the others, the kind of contact. */
  channel: z.string(),
  inboxId: id.nullable(),
  inboxName: z.string().nullable(),
  /** Phone identities are masked like phones. A platform buyer is `<platform>:<buyerId>`. */
  externalId: z.string(),
  createdAt: isoDateTime,
});
export type CustomerIdentity = z.infer<typeof customerIdentity>;

export const timelineEntry = z.object({
  id: z.string(),
  /**
   * customer_events kinds (`profile_updated`, `tags_changed`, `order_created`, `merged`, …), `conversation_started` /
   * `conversation_resolved`, or `ticket_created` / `ticket_status_changed` (details: ticketId, number, subject, from, to).
   */
  kind: z.string(),
  at: isoDateTime,
  actor: z.object({ id, name: z.string() }).nullable(),
  details: z.record(z.string(), z.unknown()),
  conversationId: id.nullable(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;

export const duplicateReasons = ['phone', 'email', 'platform_buyer', 'similar_name'] as const;
export type DuplicateReason = (typeof duplicateReasons)[number];

export const duplicateCandidate = z.object({
  customer,
  reasons: z.array(z.enum(duplicateReasons)),
  /** Name similarity 0..1 (characters and character pairs in common). */
  similarity: z.number(),
});
export type DuplicateCandidate = z.infer<typeof duplicateCandidate>;

/**
 * A pair of `GET /customers/duplicates` (a older than b; newest b first): the same phone, email or platform buyer id,
 * or the same name in the same region (`similar_name`, similarity 1). Each page examines a bounded number of
 * customers, so a page may hold fewer items than `limit`, even none, while `nextCursor` still leads on.
 */
export const duplicatePair = z.object({
  a: customer,
  b: customer,
  reasons: z.array(z.enum(duplicateReasons)),
  similarity: z.number(),
});
export type DuplicatePair = z.infer<typeof duplicatePair>;

/** Profile fields a merge decides; phones, emails and custom fields are united. */
export const mergeableFields = [
  'name',
  'nickname',
  'phone',
  'email',
  'gender',
  'birthday',
  'region',
  'source',
  'campaign',
  'notes',
  'ownerId',
  'idCard',
  'bankCard',
] as const;
export type MergeableField = (typeof mergeableFields)[number];

export const mergeBody = z.strictObject({
  otherId: id,
  /** Per field, whose value to keep; by default the survivor's non-empty value, else the other's. */
  fieldChoices: z.partialRecord(z.enum(mergeableFields), z.enum(['survivor', 'other'])).optional(),
});
export type MergeBody = z.infer<typeof mergeBody>;

export const mergePreview = z.object({
  survivor: customer,
  other: customer,
  /** The survivor as it will look after the merge. */
  result: customer,
  fields: z.array(
    z.object({
      field: z.enum(mergeableFields),
      survivor: z.unknown(),
      other: z.unknown(),
      kept: z.enum(['survivor', 'other']),
    }),
  ),
  moves: z.object({
    conversations: z.number().int(),
    identities: z.number().int(),
    orders: z.number().int(),
    tags: z.number().int(),
    events: z.number().int(),
    tickets: z.number().int(),
  }),
});
export type MergePreview = z.infer<typeof mergePreview>;

export const mergeResult = z.object({ mergeId: id, customer, moves: mergePreview.shape.moves });
export type MergeResult = z.infer<typeof mergeResult>;

export const undoMergeResult = z.object({ survivor: customer, restored: customer });
export type UndoMergeResult = z.infer<typeof undoMergeResult>;

export const revealableFields = ['phone', 'phones', 'idCard', 'bankCard'] as const;
export type RevealableField = (typeof revealableFields)[number];

export const revealBody = z.strictObject({
  fields: z.array(z.enum(revealableFields)).min(1, '请选择要查看的字段').max(revealableFields.length),
});
export const revealResult = z.object({
  phone: z.string().nullable().optional(),
  phones: z.array(z.string()).optional(),
  idCard: z.string().nullable().optional(),
  bankCard: z.string().nullable().optional(),
});
export type RevealResult = z.infer<typeof revealResult>;

/** PIPL erasure on a buyer's request (`POST /customers/:id/anonymize`): why, as typed by the admin. */
export const anonymizeCustomerBody = z.strictObject({
  reason: z.string().trim().min(2, '请填写注销原因').max(500, '原因最多 500 个字'),
});
export type AnonymizeCustomerBody = z.infer<typeof anonymizeCustomerBody>;
/**
 * What an erasure keeps by design: orders without the buyer id, tags, statistics, past audit entries, export and
 * import files until their 7-day expiry, and what was already sent elsewhere (webhooks, SMS, emails).
 */
export const erasureKeptItems = [
  'orders',
  'tags',
  'statistics',
  'audit_log',
  'working_files',
  'sent_elsewhere',
] as const;

/** `alreadyAnonymized`: the customer had been anonymised before; nothing was changed or logged again. */
export const anonymizeCustomerResult = z.object({
  customerId: id,
  name: z.string(),
  anonymizedAt: isoDateTime,
  alreadyAnonymized: z.boolean(),
  kept: z.array(z.enum(erasureKeptItems)),
});
export type AnonymizeCustomerResult = z.infer<typeof anonymizeCustomerResult>;

export const staleProfile = z.object({
  customer,
  /** When the profile was last updated (or created, if never). */
  lastUpdatedAt: isoDateTime,
  thresholdDays: z.number().int(),
});
export type StaleProfile = z.infer<typeof staleProfile>;
