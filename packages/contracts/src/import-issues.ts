import {
  type ExportLocale,
  type ImportCellError,
  type ImportCellErrorCode,
  importFieldLabel,
} from './imports-exports.ts';

type IssueKey = ImportCellErrorCode extends `import.${infer K}` ? K : never;

/** A wording whose noun follows `count` (Intl.PluralRules categories; `other` also words a row without `count`). */
type PluralWording = { one: string; other: string };

/**
 * The one table of why an imported row was rejected, by code, per language: the web app's dry run and the server's
 * rejected-rows report (and the Chinese `reason` kept with each row) read it. `{{field}}` is the field's name in
 * that language (a custom field's own name); the type makes a code without words a compile error.
 */
export const importIssueTexts: Record<ExportLocale, Record<IssueKey, string | PluralWording>> = {
  'zh-CN': {
    broken_encoding: '含有无法识别的字符（文件编码损坏，请用 UTF-8 或 GBK 保存）',
    phone_invalid: '手机号格式不正确：{{value}}',
    email_invalid: '邮箱格式不正确：{{value}}',
    gender_invalid: '性别只能是 男 / 女 / 未知：{{value}}',
    date_invalid: '{{field}}：日期格式不正确（应为 YYYY-MM-DD、YYYY/M/D、YYYY.MM.DD 或 YYYY年M月D日）：{{value}}',
    datetime_invalid: '{{field}}格式不正确（应为 YYYY-MM-DD HH:mm:ss）：{{value}}',
    amount_invalid: '{{field}}不正确（应为不超过两位小数的非负数）：{{value}}',
    integer_invalid: '{{field}}应为 {{min}} 到 {{max}} 之间的整数：{{value}}',
    number_invalid: '{{field}}应为数字：{{value}}',
    text_too_long: '{{field}}过长（最多 {{max}} 个字符）',
    option_invalid: '{{field}}只能是 {{options}}：{{value}}',
    options_unknown: '{{field}}没有这些选项：{{values}}',
    tags_unknown: '未知标签：{{names}}（请先在标签管理中创建）',
    platform_unknown: '未知平台：{{value}}（淘宝 / 天猫 / 京东 / 抖音 / 拼多多 / 官网 / 其他）',
    platform_missing: '缺少平台',
    status_unknown: '未知订单状态：{{value}}',
    status_missing: '缺少订单状态',
    order_no_missing: '缺少订单号',
    buyer_needs_platform: '填写了买家 ID 时需要同时填写平台',
    customer_key_missing: '缺少手机号、邮箱或买家 ID（至少需要一项来识别客户）',
    order_customer_missing: '缺少买家 ID、手机号或邮箱（至少需要一项来确定客户）',
    order_invalid: '订单数据不正确：{{detail}}',
  },
  en: {
    broken_encoding:
      'Contains characters that cannot be read (the file’s encoding is damaged: save it as UTF-8 or GBK)',
    phone_invalid: 'Not a valid mobile number: {{value}}',
    email_invalid: 'Not a valid email address: {{value}}',
    gender_invalid: 'Gender must be 男 (male), 女 (female) or 未知 (unknown): {{value}}',
    date_invalid: '{{field}} is not a valid date (use YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD or YYYY年M月D日): {{value}}',
    datetime_invalid: '{{field}} is not a valid date and time (use YYYY-MM-DD HH:mm:ss): {{value}}',
    amount_invalid: '{{field}} must be a non-negative amount with at most two decimals: {{value}}',
    integer_invalid: '{{field}} must be a whole number from {{min}} to {{max}}: {{value}}',
    number_invalid: '{{field}} must be a number: {{value}}',
    text_too_long: '{{field}} is too long (at most {{max}} characters)',
    option_invalid: '{{field}} must be one of {{options}}: {{value}}',
    options_unknown: {
      one: '{{field}} has no such option: {{values}}',
      other: '{{field}} has no such options: {{values}}',
    },
    tags_unknown: {
      one: 'Unknown tag: {{names}} (create it under Tags first)',
      other: 'Unknown tags: {{names}} (create them under Tags first)',
    },
    platform_unknown:
      'Unknown platform: {{value}} (use 淘宝 Taobao, 天猫 Tmall, 京东 JD, 抖音 Douyin, 拼多多 Pinduoduo, 官网 Website or 其他 Other)',
    platform_missing: 'No platform',
    status_unknown: 'Unknown order status: {{value}}',
    status_missing: 'No order status, and no paid, shipped or completed time to tell it',
    order_no_missing: 'No order number',
    buyer_needs_platform: 'A buyer ID needs a platform',
    customer_key_missing: 'No mobile, email or buyer ID (at least one is needed to identify the customer)',
    order_customer_missing: 'No buyer ID, mobile or email (at least one is needed to find the customer)',
    order_invalid: 'The order is not valid: {{detail}}',
  },
};

const CODE = /^import\.([a-z_]+)$/;

function wordingOf(code: string, locale: ExportLocale, count: unknown): string | undefined {
  const key = CODE.exec(code)?.[1];
  if (!key || !Object.hasOwn(importIssueTexts[locale], key)) return undefined;
  const wording = importIssueTexts[locale][key as IssueKey];
  if (typeof wording === 'string') return wording;
  return typeof count === 'number' && new Intl.PluralRules(locale).select(count) === 'one'
    ? wording.one
    : wording.other;
}

/**
 * One reason a row was rejected, in `locale`: `params` put into the code's wording, `field` by its name in that
 * language (a custom field by its `label`). Undefined for a code the table does not know (e.g. an API error's).
 */
export function importIssueText(
  issue: Pick<ImportCellError, 'code' | 'params'>,
  locale: ExportLocale,
): string | undefined {
  const { field, label, ...params } = issue.params;
  const wording = wordingOf(issue.code, locale, params.count);
  if (wording === undefined) return undefined;
  const name =
    field === undefined
      ? undefined
      : (importFieldLabel(String(field), locale) ?? (label === undefined ? String(field) : String(label)));
  const values: Record<string, string | number> = name === undefined ? params : { ...params, field: name };
  return wording.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) =>
    Object.hasOwn(values, key) ? String(values[key]) : placeholder,
  );
}

/** Every reason of a rejected row in `locale`, joined as the rejected-rows report's reason column shows them. */
export const importIssuesText = (issues: ImportCellError[], locale: ExportLocale): string =>
  issues.map((issue) => importIssueText(issue, locale) ?? issue.reason).join(locale === 'en' ? '; ' : '；');
