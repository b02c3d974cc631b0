import { z } from 'zod';
import { id, isoDateTime, trimBlank, trimmedString } from './common.ts';

// ---------------------------------------------------------------------------------------------------------
// Reply templates (话术 / 快捷回复): personal, team or workspace-wide, with {{variables}} filled per conversation.
// ---------------------------------------------------------------------------------------------------------

/** personal: only its owner sees it; team: members of the team and leads; workspace: everyone. */
export const templateScopes = ['personal', 'team', 'workspace'] as const;
export type TemplateScope = (typeof templateScopes)[number];

/** Every variable a template may use, and its Chinese label (the editor's variable picker). */
export const templateVariableLabels = {
  'customer.name': '客户姓名',
  'customer.nickname': '客户昵称',
  'customer.phone': '客户手机号',
  'customer.tier': '客户价值分层',
  'order.latest.order_no': '最近订单号',
  'order.latest.status': '最近订单状态',
  'order.latest.tracking_company': '最近订单快递公司',
  'order.latest.tracking_no': '最近订单快递单号',
  'order.latest.amount': '最近订单金额',
  'agent.name': '客服姓名',
  'inbox.name': '渠道名称',
  'workspace.name': '店铺名称',
} as const;
export type TemplateVariable = keyof typeof templateVariableLabels;
export const templateVariables = Object.keys(templateVariableLabels) as TemplateVariable[];

export const TEMPLATE_CONTENT_MAX = 2000;

/** `{{ name }}` placeholders: anything between double braces (so a misspelt one is caught, not sent). */
export const TEMPLATE_VARIABLE_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The distinct variable names a text uses, in order of first use. */
export function templateVariablesIn(content: string): string[] {
  return [...new Set([...content.matchAll(TEMPLATE_VARIABLE_PATTERN)].map((match) => match[1]!))];
}

/** Variables a text uses that do not exist. */
export const unknownTemplateVariables = (content: string): string[] =>
  templateVariablesIn(content).filter((name) => !(name in templateVariableLabels));

export const templateAttachment = z.object({
  fileId: id,
  name: trimmedString().min(1).max(200),
  contentType: trimmedString().min(1).max(200),
});
export type TemplateAttachment = z.infer<typeof templateAttachment>;

export const template = z.object({
  id,
  scope: z.enum(templateScopes),
  /** The owner of a personal template. */
  ownerUserId: id.nullable(),
  /** The team of a team template. */
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  category: z.string(),
  title: z.string(),
  content: z.string(),
  /** Empty: for every customer; otherwise part of these segments' 话术 sets. */
  segmentIds: z.array(id),
  attachments: z.array(templateAttachment),
  /** How many times it was inserted into a reply, by anyone, ever. */
  usageCount: z.number().int(),
  createdBy: id.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Template = z.infer<typeof template>;

/** Normalised forms for local fuzzy matching: text (simplified, half-width, lower case), pinyin and initials. */
export const templateSearchKeys = z.object({
  text: z.string(),
  titlePinyin: z.string(),
  titleInitials: z.string(),
  contentPinyin: z.string(),
  contentInitials: z.string(),
});
export type TemplateSearchKeys = z.infer<typeof templateSearchKeys>;

export const templateListItem = template.extend({
  searchKeys: templateSearchKeys,
  /** The template belongs to a segment the conversation's customer is in (such templates come first). */
  forCustomerSegment: z.boolean(),
});
export type TemplateListItem = z.infer<typeof templateListItem>;

export const templateListQuery = z.strictObject({
  q: trimmedString().max(100).optional(),
  category: trimmedString().max(40).optional(),
  scope: z.enum(templateScopes).optional(),
  conversationId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});
export type TemplateListQuery = z.input<typeof templateListQuery>;

const category = trimmedString().min(1, '分类不能为空').max(40, '分类最多 40 个字');
const title = trimmedString().min(1, '标题不能为空').max(60, '标题最多 60 个字');
const content = z
  .string()
  .min(1, '内容不能为空')
  .max(TEMPLATE_CONTENT_MAX, `内容最多 ${TEMPLATE_CONTENT_MAX} 个字`)
  .refine((value) => trimBlank(value).length > 0, '内容不能为空');

export const createTemplateBody = z.strictObject({
  scope: z.enum(templateScopes).default('personal'),
  teamId: id.nullable().optional(),
  category: category.default('通用'),
  title,
  content,
  segmentIds: z.array(id).max(50).default([]),
  attachments: z.array(templateAttachment).max(10).default([]),
});
export type CreateTemplateBody = z.input<typeof createTemplateBody>;

/** The scope is fixed at creation; a team template may move to another team. */
export const updateTemplateBody = z.strictObject({
  teamId: id.optional(),
  category: category.optional(),
  title: title.optional(),
  content: content.optional(),
  segmentIds: z.array(id).max(50).optional(),
  attachments: z.array(templateAttachment).max(10).optional(),
});
export type UpdateTemplateBody = z.infer<typeof updateTemplateBody>;

export const templateCategory = z.object({ name: z.string(), count: z.number().int() });
export const templateCategories = z.object({ items: z.array(templateCategory) });
export type TemplateCategory = z.infer<typeof templateCategory>;

export const renderTemplateBody = z.strictObject({ conversationId: id });
export const renderedTemplate = z.object({
  content: z.string(),
  /** Variables with no value for this conversation: rendered empty, for the agent to fill in. */
  missingVariables: z.array(z.string()),
  attachments: z.array(templateAttachment),
});
export type RenderedTemplate = z.infer<typeof renderedTemplate>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
export const templateUsageQuery = z.strictObject({ from: day.optional(), to: day.optional() });
export type TemplateUsageQuery = z.infer<typeof templateUsageQuery>;

export const templateUsageReport = z.object({
  from: z.string(),
  to: z.string(),
  byTemplate: z.array(z.object({ templateId: id, title: z.string(), category: z.string(), count: z.number().int() })),
  byAgent: z.array(z.object({ userId: id, name: z.string(), count: z.number().int() })),
  /** Per template and agent. */
  rows: z.array(z.object({ templateId: id, userId: id, count: z.number().int() })),
});
export type TemplateUsageReport = z.infer<typeof templateUsageReport>;
