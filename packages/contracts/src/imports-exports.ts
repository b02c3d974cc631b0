import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { type LifecycleStage, orderPlatforms, type RfmTier } from './orders.ts';
import { customerTarget } from './segments.ts';

// ---------------------------------------------------------------------------------------------------------
// Imports: upload a CSV/XLSX file → map its columns → dry run → run as a job (progress via GET /jobs/:id).
// ---------------------------------------------------------------------------------------------------------

export const importKinds = ['customers', 'orders'] as const;
export type ImportKind = (typeof importKinds)[number];

/**
 * Target fields a column can be mapped to. Custom fields of customers are `custom:<key>` (listed by
 * `GET /api/v1/imports/fields?kind=customers`). `tags` holds tag names separated by , ， ; ； | or 、.
 */
export const customerImportFields = [
  'name',
  'nickname',
  'phone',
  'email',
  'gender',
  'birthday',
  'region',
  'source',
  'campaign',
  'tags',
  'notes',
  'platform',
  'buyerId',
] as const;
export const orderImportFields = [
  'platform',
  'orderNo',
  'status',
  'amount',
  'placedAt',
  'paidAt',
  'shippedAt',
  'completedAt',
  'trackingCompany',
  'trackingNo',
  'buyerId',
  'customerName',
  'phone',
  'email',
  'productName',
  'sku',
  'quantity',
  'price',
] as const;
export type CustomerImportField = (typeof customerImportFields)[number];
export type OrderImportField = (typeof orderImportFields)[number];

/** The example row of the download template (fields left out stay empty: tags must exist first). */
const templateExamples: Record<ImportKind, Partial<Record<CustomerImportField | OrderImportField, string>>> = {
  customers: {
    name: '张小美',
    nickname: 'tb_xiaomei88',
    phone: '13800000000',
    email: 'xiaomei@example.com',
    gender: '女',
    birthday: '1995-05-20',
    region: '浙江省杭州市',
    source: '淘宝',
    campaign: '双11',
    notes: '偏好小码',
    platform: '淘宝',
    buyerId: 'tb_xiaomei88',
  },
  orders: {
    platform: '淘宝',
    orderNo: 'TB20261120001',
    status: '已付款',
    amount: '199.00',
    placedAt: '2026-11-20 10:00:00',
    paidAt: '2026-11-20 10:05:00',
    buyerId: 'tb_xiaomei88',
    customerName: '张小美',
    phone: '13800000000',
    productName: '纯棉T恤',
    sku: 'TS-001-M',
    quantity: '1',
    price: '199.00',
  },
};

/**
 * A CSV template for `kind`: the fields' Chinese names as headers and one example row, UTF-8 with a BOM (Excel
 * opens UTF-8 Chinese correctly only with it). Built from the field list, so it names every field the import takes.
 */
export function importTemplateCsv(kind: ImportKind): string {
  const fields = kind === 'customers' ? customerImportFields : orderImportFields;
  const line = (values: string[]) => `${values.join(',')}\r\n`;
  return `\ufeff${line(fields.map((field) => importFieldLabels['zh-CN'][field]))}${line(fields.map((field) => templateExamples[kind][field] ?? ''))}`;
}

/** `POST /api/v1/imports?kind=customers&filename=客户.csv` with the raw file as the body. */
export const importUploadQuery = z.strictObject({
  kind: z.enum(importKinds),
  filename: trimmedString().min(1).max(255).optional(),
});

/**
 * Column header → target field key (or null / absent = ignored). Headers are unique: a repeated header
 * comes back from the upload as `电话 (2)`.
 */
export const importMapping = z.record(z.string().max(200), z.string().max(100).nullable());
export type ImportMapping = z.infer<typeof importMapping>;

export const importMappingBody = z.strictObject({
  mapping: importMapping,
  /** The platform of rows whose 平台 cell is empty or not mapped (a file exported from one shop). */
  defaultPlatform: z.enum(orderPlatforms).optional(),
});
export type ImportMappingBody = z.infer<typeof importMappingBody>;

export const importFileFormats = ['csv', 'xlsx'] as const;

export const importView = z.object({
  id,
  kind: z.enum(importKinds),
  filename: z.string(),
  format: z.enum(importFileFormats),
  /** Detected text encoding of a CSV ('utf-8' or 'gb18030'); XLSX is always 'utf-8'. */
  encoding: z.string(),
  columns: z.array(z.string()),
  /** First rows (up to 5) as text, aligned with `columns`. */
  sampleRows: z.array(z.array(z.string())),
  suggestedMapping: importMapping,
  /** The job of the last `run`, if any. */
  jobId: id.nullable(),
  createdAt: isoDateTime,
});
export type ImportView = z.infer<typeof importView>;

export const importUploadResponse = importView.extend({ importId: id });
export type ImportUploadResponse = z.infer<typeof importUploadResponse>;

/**
 * Why a row's cell (or the row) was rejected, as a code and its values, so each reader sees it in their own
 * language (the web app words it through its i18n resources; the server keeps the Chinese sentence next to it).
 * Params: `value` the cell as the file has it; `field` the import field key (`custom:<key>` for a custom field,
 * whose name is `label`); others as the code says. A rejection by the order upsert itself carries that error's code
 * (e.g. `order.*`) instead.
 */
export const importCellErrorCodes = [
  'import.broken_encoding',
  'import.phone_invalid',
  'import.email_invalid',
  'import.gender_invalid',
  'import.date_invalid',
  'import.datetime_invalid',
  'import.amount_invalid',
  'import.integer_invalid',
  'import.number_invalid',
  'import.text_too_long',
  'import.option_invalid',
  'import.options_unknown',
  'import.tags_unknown',
  'import.platform_unknown',
  'import.platform_missing',
  'import.status_unknown',
  'import.status_missing',
  'import.order_no_missing',
  'import.buyer_needs_platform',
  'import.customer_key_missing',
  'import.order_customer_missing',
  'import.order_invalid',
] as const;
export type ImportCellErrorCode = (typeof importCellErrorCodes)[number];

export const importCellError = z.object({
  /** One of importCellErrorCodes, or an API error code; a plain string so an older web app reads newer codes. */
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The Chinese sentence. */
  reason: z.string(),
});
export type ImportCellError = z.infer<typeof importCellError>;

export const rejectedRow = z.object({
  /** 1-based row number as a spreadsheet shows it (the header is row 1). */
  row: z.number().int(),
  /** Every reason of the row in Chinese, joined with 「；」 (importIssuesText words `errors` in another language). */
  reason: z.string(),
  /** Every bad cell of the row (at least one), in column-reading order. */
  errors: z.array(importCellError),
});
export type RejectedRow = z.infer<typeof rejectedRow>;

export const importDryRunResult = z.object({
  total: z.number().int(),
  create: z.number().int(),
  update: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** The first rejected rows (up to 100). */
  rejectedSample: z.array(rejectedRow),
});
export type ImportDryRunResult = z.infer<typeof importDryRunResult>;

/** What an `imports.run` job leaves in `job.result`. `reportFileId` (CSV of rejected rows) is null when none. */
export const importRunResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** The file's rows read through the last committed batch (all of them unless the import was cancelled). */
  rowsRead: z.number().int(),
  reportFileId: id.nullable(),
});
export type ImportRunResult = z.infer<typeof importRunResult>;

export const importFieldsQuery = z.strictObject({ kind: z.enum(importKinds) });
export const importFieldOption = z.object({ key: z.string(), label: z.string(), required: z.boolean() });
export const importFieldsResponse = z.object({ items: z.array(importFieldOption) });

// ---------------------------------------------------------------------------------------------------------
// Exports: choose who (target), which fields and the format → a job; result { fileId, rows }.
// ---------------------------------------------------------------------------------------------------------

export const exportFormats = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** A PDF export holds at most this many customers (more would be thousands of pages): 400 export.too_many_for_pdf. */
export const PDF_EXPORT_MAX_CUSTOMERS = 5000;

/** Who to export: a saved segment, an ad-hoc segment filter, picked customers, a search, or everyone. */
export const exportTarget = z.union([...customerTarget.options, z.strictObject({ all: z.literal(true) })]);
export type ExportTarget = z.infer<typeof exportTarget>;

/** The languages an export's headers and labels (性别, 生命周期…) can be written in. */
export const exportLocales = ['zh-CN', 'en'] as const;
export type ExportLocale = (typeof exportLocales)[number];

/**
 * `POST /api/v1/imports/:id/run`: the mapping, and the runner's UI language, which the rejected-rows report's header
 * and reasons are written in (default zh-CN); kept with the import, so a resumed run writes the same.
 */
export const importRunBody = importMappingBody.extend({ locale: z.enum(exportLocales).optional() });
export type ImportRunBody = z.infer<typeof importRunBody>;

/** The built-in export fields, in the output's column order (custom fields follow as `custom:<key>`). */
export const builtInExportFieldKeys = [
  'name',
  'nickname',
  'phone',
  'phones',
  'email',
  'emails',
  'gender',
  'birthday',
  'region',
  'source',
  'campaign',
  'tags',
  'lifecycleStage',
  'rfmTier',
  'orderCount',
  'totalSpent',
  'firstOrderAt',
  'lastOrderAt',
  'owner',
  'notes',
  'idCard',
  'bankCard',
  'createdAt',
  'id',
] as const;
export type BuiltInExportFieldKey = (typeof builtInExportFieldKeys)[number];

type LabelledField = CustomerImportField | OrderImportField | BuiltInExportFieldKey;

/**
 * The one table of customer and order field names, per language: import and export fields share their keys
 * (姓名 is `name` in both), so each name is written once here and the two views below pick from it.
 */
const fieldLabels: Record<ExportLocale, Record<LabelledField, string>> = {
  'zh-CN': {
    name: '姓名',
    nickname: '昵称',
    phone: '手机号',
    phones: '其他手机号',
    email: '邮箱',
    emails: '其他邮箱',
    gender: '性别',
    birthday: '生日',
    region: '地区',
    source: '来源渠道',
    campaign: '来源活动',
    tags: '标签',
    lifecycleStage: '生命周期',
    rfmTier: 'RFM 分层',
    orderCount: '订单数',
    totalSpent: '累计消费（元）',
    firstOrderAt: '首次下单时间',
    lastOrderAt: '最近下单时间',
    owner: '负责人',
    notes: '备注',
    idCard: '身份证号',
    bankCard: '银行卡号',
    createdAt: '创建时间',
    id: '客户 ID',
    platform: '平台',
    buyerId: '买家 ID',
    orderNo: '订单号',
    status: '订单状态',
    amount: '订单金额（元）',
    placedAt: '下单时间',
    paidAt: '付款时间',
    shippedAt: '发货时间',
    completedAt: '完成时间',
    trackingCompany: '物流公司',
    trackingNo: '物流单号',
    customerName: '收货人 / 客户姓名',
    productName: '商品名称',
    sku: 'SKU',
    quantity: '数量',
    price: '单价（元）',
  },
  en: {
    name: 'Name',
    nickname: 'Nickname',
    phone: 'Mobile',
    phones: 'Other phones',
    email: 'Email',
    emails: 'Other emails',
    gender: 'Gender',
    birthday: 'Birthday',
    region: 'Region',
    source: 'Source channel',
    campaign: 'Source campaign',
    tags: 'Tags',
    lifecycleStage: 'Lifecycle stage',
    rfmTier: 'RFM tier',
    orderCount: 'Orders',
    totalSpent: 'Total spent (CNY)',
    firstOrderAt: 'First order at',
    lastOrderAt: 'Last order at',
    owner: 'Owner',
    notes: 'Notes',
    idCard: 'ID card number',
    bankCard: 'Bank card number',
    createdAt: 'Created at',
    id: 'Customer ID',
    platform: 'Platform',
    buyerId: 'Buyer ID',
    orderNo: 'Order number',
    status: 'Order status',
    amount: 'Order amount (CNY)',
    placedAt: 'Placed at',
    paidAt: 'Paid at',
    shippedAt: 'Shipped at',
    completedAt: 'Completed at',
    trackingCompany: 'Carrier',
    trackingNo: 'Tracking number',
    customerName: 'Recipient / customer name',
    productName: 'Product name',
    sku: 'SKU',
    quantity: 'Quantity',
    price: 'Unit price (CNY)',
  },
};

/** The names of `keys` from `fieldLabels`, per language, in the order of `keys`. */
const pickFieldLabels = <K extends LabelledField>(keys: readonly K[]) =>
  Object.fromEntries(
    exportLocales.map((locale) => [locale, Object.fromEntries(keys.map((key) => [key, fieldLabels[locale][key]]))]),
  ) as Record<ExportLocale, Record<K, string>>;

/**
 * Import field key → its name, per language: the mapping step's choices (web) and the server's messages read this.
 * The Chinese names are headers the import recognises, so the download template heads its columns with them.
 */
export const importFieldLabels = pickFieldLabels([...new Set([...customerImportFields, ...orderImportFields])]);

/**
 * The built-in export fields' names, per language, in column order: the file's column headers (server) and the
 * export dialog's checkboxes (web) read this, so the dialog names a column as the file heads it.
 */
export const exportFieldLabels = pickFieldLabels(builtInExportFieldKeys);

/** The language's name of a built-in import field; undefined for custom fields (`custom:<key>`) and unknown keys. */
export const importFieldLabel = (key: string, locale: ExportLocale): string | undefined =>
  Object.hasOwn(importFieldLabels[locale], key)
    ? importFieldLabels[locale][key as CustomerImportField | OrderImportField]
    : undefined;

/** Lifecycle stages in words, per language: export files (server) and the web app's labels read this one table. */
export const lifecycleStageLabels: Record<ExportLocale, Record<LifecycleStage, string>> = {
  'zh-CN': { prospect: '潜在', new: '新客', active: '活跃', dormant: '沉睡', churned: '流失', returning: '回流' },
  en: {
    prospect: 'Prospect',
    new: 'New',
    active: 'Active',
    dormant: 'Dormant',
    churned: 'Churned',
    returning: 'Returning',
  },
};

/** RFM tiers in words, per language: export files, template variables (zh-CN) and the web app read this table. */
export const rfmTierLabels: Record<ExportLocale, Record<RfmTier, string>> = {
  'zh-CN': { loyal: '高价值忠诚', potential: '潜力成长', new: '新客', winback: '沉睡唤醒', churned: '流失' },
  en: { loyal: 'High-value loyal', potential: 'Growing', new: 'New', winback: 'Win back', churned: 'Churned' },
};

/** The UI language's name of a built-in export field; undefined for custom fields and unknown keys. */
export const exportFieldLabel = (key: string, locale: ExportLocale): string | undefined =>
  Object.hasOwn(exportFieldLabels[locale], key) ? exportFieldLabels[locale][key as BuiltInExportFieldKey] : undefined;

export const createExportBody = z.strictObject({
  target: exportTarget,
  format: z.enum(exportFormats),
  /** Field keys from `GET /api/v1/exports/fields`, in the order of the output's columns. */
  fields: z.array(z.string().min(1).max(100)).min(1).max(100),
  /** The requesting user's UI language: the file's headers and labels follow it (default zh-CN). */
  locale: z.enum(exportLocales).optional(),
});
export type CreateExportBody = z.infer<typeof createExportBody>;

export const exportField = z.object({
  key: z.string(),
  label: z.string(),
  /** Masked (138****5678) for roles without customers:reveal_pii. */
  isPii: z.boolean(),
  /** Suggested in the picker. */
  isDefault: z.boolean(),
});
export type ExportField = z.infer<typeof exportField>;
export const exportFieldsResponse = z.object({ items: z.array(exportField) });

/** What an `exports.run` job leaves in `job.result`; download with `GET /api/v1/files/:fileId`. */
export const exportRunResult = z.object({ fileId: id, rows: z.number().int() });
export type ExportRunResult = z.infer<typeof exportRunResult>;
