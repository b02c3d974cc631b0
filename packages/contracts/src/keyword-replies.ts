import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';

// ---------------------------------------------------------------------------------------------------------
// Keyword auto-replies (关键词自动回复): a customer message matching a rule's keywords is answered at once.
// ---------------------------------------------------------------------------------------------------------

/**
 * contains: any keyword appears in the message; exact: the whole message is one of the keywords; all_of: every
 * keyword appears; regex: any pattern matches (RE2 syntax, case-insensitive, no back-references or look-around).
 * Matching ignores traditional/simplified, full/half width, case and spaces.
 */
export const keywordMatchModes = ['contains', 'exact', 'regex', 'all_of'] as const;
export type KeywordMatchMode = (typeof keywordMatchModes)[number];

export const keywordMatchModeLabels: Record<KeywordMatchMode, string> = {
  contains: '包含任一关键词',
  exact: '完全匹配',
  all_of: '包含全部关键词',
  regex: '正则表达式',
};

/** always; business: only while the inbox is open; off_hours: only while it is closed. */
export const keywordReplyHours = ['always', 'business', 'off_hours'] as const;
export type KeywordReplyHours = (typeof keywordReplyHours)[number];

export const keywordReplyHoursLabels: Record<KeywordReplyHours, string> = {
  always: '全天',
  business: '仅工作时间',
  off_hours: '仅非工作时间',
};

export const keywordReplyFrequencies = ['every_time', 'once_per_conversation', 'cooldown'] as const;
export type KeywordReplyFrequency = (typeof keywordReplyFrequencies)[number];

export const keywordReplyFrequencyLabels: Record<KeywordReplyFrequency, string> = {
  every_time: '每次命中都回复',
  once_per_conversation: '每个会话只回复一次',
  cooldown: '冷却时间内不重复回复',
};

export const KEYWORD_MAX_LENGTH = 50;
export const KEYWORDS_PER_RULE_MAX = 50;
export const REGEX_MAX_LENGTH = 200;
export const KEYWORD_REPLY_TEXT_MAX = 2000;

export const keywordReply = z.object({
  id,
  name: z.string(),
  /** As typed; regex rules hold their patterns here. */
  keywords: z.array(z.string()),
  matchMode: z.enum(keywordMatchModes),
  templateId: id.nullable(),
  templateTitle: z.string().nullable(),
  replyText: z.string().nullable(),
  /** Empty: every inbox. */
  inboxIds: z.array(id),
  hours: z.enum(keywordReplyHours),
  frequency: z.enum(keywordReplyFrequencies),
  cooldownMinutes: z.number().int().nullable(),
  /** Lower first. */
  priority: z.number().int(),
  stopOtherRules: z.boolean(),
  enabled: z.boolean(),
  hitCount: z.number().int(),
  lastHitAt: isoDateTime.nullable(),
  /** Why the rule cannot fire (e.g. '模板已删除'); null when it is sound. */
  broken: z.string().nullable(),
  createdBy: id.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type KeywordReply = z.infer<typeof keywordReply>;

const keywordList = z
  .array(trimmedString().min(1, '关键词不能为空').max(KEYWORD_MAX_LENGTH, `关键词最多 ${KEYWORD_MAX_LENGTH} 个字`))
  .min(1, '至少填写一个关键词')
  .max(KEYWORDS_PER_RULE_MAX, `每条规则最多 ${KEYWORDS_PER_RULE_MAX} 个关键词`);

const ruleFields = {
  name: trimmedString().min(1, '名称不能为空').max(60, '名称最多 60 个字'),
  keywords: keywordList,
  matchMode: z.enum(keywordMatchModes),
  templateId: id.nullable(),
  replyText: trimmedString()
    .min(1, '回复内容不能为空')
    .max(KEYWORD_REPLY_TEXT_MAX, `回复内容最多 ${KEYWORD_REPLY_TEXT_MAX} 个字`)
    .nullable(),
  inboxIds: z.array(id).max(100),
  hours: z.enum(keywordReplyHours),
  frequency: z.enum(keywordReplyFrequencies),
  cooldownMinutes: z.number().int().min(1, '冷却时间至少 1 分钟').max(10_080, '冷却时间最多 7 天').nullable(),
  priority: z.number().int().min(0).max(1_000_000),
  stopOtherRules: z.boolean(),
  enabled: z.boolean(),
};

/** Exactly one of templateId and replyText; cooldownMinutes with the cooldown frequency (checked by the server). */
export const createKeywordReplyBody = z.strictObject({
  name: ruleFields.name,
  keywords: ruleFields.keywords,
  matchMode: ruleFields.matchMode.default('contains'),
  templateId: ruleFields.templateId.optional(),
  replyText: ruleFields.replyText.optional(),
  inboxIds: ruleFields.inboxIds.default([]),
  hours: ruleFields.hours.default('always'),
  frequency: ruleFields.frequency.default('every_time'),
  cooldownMinutes: ruleFields.cooldownMinutes.optional(),
  /** Default: after the workspace's last rule. */
  priority: ruleFields.priority.optional(),
  stopOtherRules: ruleFields.stopOtherRules.default(false),
  enabled: ruleFields.enabled.default(true),
});
export type CreateKeywordReplyBody = z.input<typeof createKeywordReplyBody>;

export const updateKeywordReplyBody = z.strictObject({
  name: ruleFields.name.optional(),
  keywords: ruleFields.keywords.optional(),
  matchMode: ruleFields.matchMode.optional(),
  templateId: ruleFields.templateId.optional(),
  replyText: ruleFields.replyText.optional(),
  inboxIds: ruleFields.inboxIds.optional(),
  hours: ruleFields.hours.optional(),
  frequency: ruleFields.frequency.optional(),
  cooldownMinutes: ruleFields.cooldownMinutes.optional(),
  priority: ruleFields.priority.optional(),
  stopOtherRules: ruleFields.stopOtherRules.optional(),
  enabled: ruleFields.enabled.optional(),
});
export type UpdateKeywordReplyBody = z.input<typeof updateKeywordReplyBody>;

export const keywordReplyListQuery = z.strictObject({
  /** Name or keyword contains (normalised like matching). */
  q: trimmedString().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
  cursor: z.string().max(200).optional(),
});
export type KeywordReplyListQuery = z.input<typeof keywordReplyListQuery>;

/** The rules in their new order (every rule of the workspace, or a prefix of them): priorities become 10, 20, … */
export const reorderKeywordRepliesBody = z.strictObject({
  ids: z.array(id).min(1).max(10_000),
});

export const testKeywordRepliesBody = z.strictObject({
  content: z.string().min(1, '请输入测试消息').max(5000, '测试消息最多 5000 个字'),
  /** The inbox the message would arrive in (inbox and business-hours conditions); omitted: any inbox, open. */
  inboxId: id.optional(),
  /** When it would arrive (business-hours conditions); default now. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** A conversation to check once-per-conversation and cooldown against, and to fill template variables from. */
  conversationId: id.optional(),
});
export type TestKeywordRepliesBody = z.input<typeof testKeywordRepliesBody>;

export const keywordReplyTestRule = z.object({
  ruleId: id,
  name: z.string(),
  priority: z.number().int(),
  matchMode: z.enum(keywordMatchModes),
  /** The message matched the keywords (other conditions aside). */
  matched: z.boolean(),
  /** The rule would reply. */
  fired: z.boolean(),
  matchedKeywords: z.array(z.string()),
  /** Why it fires or not, in Chinese: 命中关键词“退货” / 非工作时间规则，当前为工作时间 / … */
  reason: z.string(),
  /** What would be sent (template variables filled when a conversation is given). */
  reply: z.string().nullable(),
});
export type KeywordReplyTestRule = z.infer<typeof keywordReplyTestRule>;

export const keywordReplyTestResult = z.object({
  /** The message as the matcher sees it. */
  normalizedContent: z.string(),
  rules: z.array(keywordReplyTestRule),
});
export type KeywordReplyTestResult = z.infer<typeof keywordReplyTestResult>;

/** Splits typed keywords on 、，, ; and new lines (the editor's tag input does the same). */
export const splitKeywords = (text: string): string[] =>
  text
    .split(/[、，,;；\n]+/u)
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
