import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { segmentCondition } from './segments.ts';

// ---------------------------------------------------------------------------------------------------------
// Automation rules: 当…(trigger) / 如果…(conditions, an AND/OR tree) / 那么…(actions, in order).
// ---------------------------------------------------------------------------------------------------------

export const automationTriggerTypes = [
  'message.created',
  'conversation.created',
  'conversation.updated',
  'conversation.resolved',
  'customer.created',
  'customer.tag_added',
  'conversation.tag_added',
  'order.created',
  'order.updated',
  'ticket.created',
  'ticket.updated',
  'ticket.sla_breached',
  'time.no_customer_reply',
  'time.no_agent_reply',
  'schedule',
] as const;
export type AutomationTriggerType = (typeof automationTriggerTypes)[number];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const scheduleTarget = z.discriminatedUnion('kind', [
  /** Each customer of a saved segment (at most 1,000 per run). */
  z.strictObject({ kind: z.literal('segment'), segmentId: id }),
  /** Each open or pending conversation matching the conditions (at most 1,000 per run). */
  z.strictObject({ kind: z.literal('open_conversations') }),
]);

export const automationTrigger = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('message.created'),
    direction: z.enum(['inbound', 'outbound', 'any']).default('inbound'),
  }),
  z.strictObject({ type: z.literal('conversation.created') }),
  z.strictObject({ type: z.literal('conversation.updated') }),
  z.strictObject({ type: z.literal('conversation.resolved') }),
  z.strictObject({ type: z.literal('customer.created') }),
  /** `tagId`: only when this tag is added (otherwise any tag). */
  z.strictObject({ type: z.literal('customer.tag_added'), tagId: id.optional() }),
  z.strictObject({ type: z.literal('conversation.tag_added'), tagId: id.optional() }),
  z.strictObject({ type: z.literal('order.created') }),
  z.strictObject({ type: z.literal('order.updated') }),
  z.strictObject({ type: z.literal('ticket.created') }),
  z.strictObject({ type: z.literal('ticket.updated') }),
  z.strictObject({ type: z.literal('ticket.sla_breached') }),
  /** An agent answered and the customer has not written for `minutes` (fires once per waiting period). */
  z.strictObject({ type: z.literal('time.no_customer_reply'), minutes: z.number().int().min(1).max(43_200) }),
  /** The customer has been waiting for an answer for `minutes` (fires once per waiting period). */
  z.strictObject({ type: z.literal('time.no_agent_reply'), minutes: z.number().int().min(1).max(43_200) }),
  z.strictObject({
    type: z.literal('schedule'),
    frequency: z.enum(['daily', 'weekly']),
    /** ISO weekday (1 = Monday … 7 = Sunday), weekly only. */
    weekday: z.number().int().min(1).max(7).optional(),
    /** HH:mm in the workspace's timezone. */
    time: z.string().regex(HHMM, '时间格式应为 HH:mm'),
    target: scheduleTarget,
  }),
]);
export type AutomationTrigger = z.infer<typeof automationTrigger>;

// Conditions -----------------------------------------------------------------------------------------------

export const conversationPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export type ConversationPriority = (typeof conversationPriorities)[number];

const text200 = trimmedString().min(1, '请填写内容').max(200);
const idList = z.array(id).min(1, '请至少选择一项').max(50);
const stringList = z.array(z.string().max(64)).min(1, '请至少选择一项').max(50);

export const automationCondition = z.discriminatedUnion('field', [
  z.strictObject({
    field: z.literal('message.content'),
    operator: z.enum(['contains', 'not_contains', 'regex']),
    value: text200,
  }),
  z.strictObject({
    field: z.literal('message.sentiment'),
    operator: z.literal('is'),
    value: z.enum(['positive', 'negative']),
    /** Score of that label (0.5–1) at least this. */
    minScore: z.number().min(0.5).max(1).optional(),
  }),
  z.strictObject({ field: z.literal('message.urgent'), operator: z.literal('is'), value: z.boolean() }),
  /** Urgency reasons (nlp module): complaint_threat, refund_dispute, strong_negative, repeated_contact. */
  z.strictObject({
    field: z.literal('message.urgency_reason'),
    operator: z.literal('in'),
    value: z
      .array(z.enum(['complaint_threat', 'refund_dispute', 'strong_negative', 'repeated_contact']))
      .min(1)
      .max(4),
  }),
  z.strictObject({
    field: z.enum(['conversation.status', 'conversation.priority']),
    operator: z.enum(['in', 'not_in']),
    value: stringList,
  }),
  z.strictObject({
    field: z.enum(['conversation.inbox', 'conversation.assignee', 'conversation.team']),
    operator: z.enum(['in', 'not_in', 'is_empty', 'is_not_empty']),
    value: z.array(id).max(50).optional(),
  }),
  z.strictObject({
    field: z.enum(['customer.tags', 'conversation.tags']),
    operator: z.enum(['has_any', 'has_all', 'has_none']),
    value: idList,
  }),
  z.strictObject({ field: z.literal('customer.segment'), operator: z.enum(['in', 'not_in']), value: idList }),
  /** Any customer field a segment filter can test (lifecycle stage, RFM tier, gender, region, source, custom fields…). */
  z.strictObject({ field: z.literal('customer'), condition: segmentCondition }),
  z.strictObject({ field: z.literal('order.status'), operator: z.enum(['in', 'not_in']), value: stringList }),
  z.strictObject({
    field: z.literal('order.amount_fen'),
    operator: z.enum(['eq', 'gt', 'gte', 'lt', 'lte']),
    value: z.number().int().min(0),
  }),
  z.strictObject({ field: z.literal('business_hours'), operator: z.literal('is'), value: z.enum(['open', 'closed']) }),
]);
export type AutomationCondition = z.infer<typeof automationCondition>;
export type AutomationConditionField = AutomationCondition['field'];

export type AutomationConditionGroup = {
  op: 'and' | 'or';
  conditions: (AutomationCondition | AutomationConditionGroup)[];
};

export const MAX_AUTOMATION_DEPTH = 3;
export const MAX_AUTOMATION_CONDITIONS = 30;

// Named for the OpenAPI document, like SegmentFilterGroup.
export const automationConditionGroup: z.ZodType<AutomationConditionGroup, AutomationConditionGroup> = z
  .lazy(() =>
    z.strictObject({
      op: z.enum(['and', 'or']),
      conditions: z.array(z.union([automationCondition, automationConditionGroup])).max(MAX_AUTOMATION_CONDITIONS),
    }),
  )
  .meta({ id: 'AutomationConditionGroup' });

export const isAutomationGroup = (
  node: AutomationCondition | AutomationConditionGroup,
): node is AutomationConditionGroup => 'conditions' in node;

// Actions --------------------------------------------------------------------------------------------------

export const automationAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('add_tag'), target: z.enum(['customer', 'conversation']), tagId: id }),
  z.strictObject({ type: z.literal('remove_tag'), target: z.enum(['customer', 'conversation']), tagId: id }),
  /** Leave a field out to keep it; null clears it. */
  z.strictObject({ type: z.literal('assign'), assigneeId: id.nullable().optional(), teamId: id.nullable().optional() }),
  z.strictObject({ type: z.literal('set_priority'), priority: z.enum(conversationPriorities) }),
  z.strictObject({ type: z.literal('reply_template'), templateId: id }),
  z.strictObject({ type: z.literal('private_note'), content: trimmedString().min(1, '备注不能为空').max(2000) }),
  z.strictObject({
    type: z.literal('set_status'),
    status: z.enum(['open', 'snoozed', 'resolved']),
    /** Snooze length, with `snoozed`. */
    snoozeMinutes: z.number().int().min(1).max(525_600).optional(),
  }),
  /** Creates a ticket (tickets module) for the subject's conversation / customer; subject defaults to the rule name. */
  z.strictObject({
    type: z.literal('create_ticket'),
    subject: z.string().max(200).optional(),
    category: trimmedString().max(40).optional(),
    severity: z.enum(['normal', 'serious', 'urgent']).optional(),
  }),
  z.strictObject({ type: z.literal('webhook'), url: trimmedString().max(2000) }),
  z.strictObject({
    type: z.literal('set_lifecycle'),
    stage: z.enum(['prospect', 'new', 'active', 'dormant', 'churned', 'returning']),
  }),
  /** Applies the segment's defining tag (a segment whose filter is one "has tag" condition); others are refused. */
  z.strictObject({ type: z.literal('add_to_segment'), segmentId: id }),
]);
export type AutomationAction = z.infer<typeof automationAction>;
export type AutomationActionType = AutomationAction['type'];

// Rules ----------------------------------------------------------------------------------------------------

export const automationRuleDraft = z.strictObject({
  name: trimmedString().min(1, '请填写规则名称').max(100),
  description: trimmedString().max(500).default(''),
  enabled: z.boolean().default(false),
  trigger: automationTrigger,
  conditions: automationConditionGroup.default({ op: 'and', conditions: [] }),
  actions: z.array(automationAction).min(1, '请至少添加一个动作').max(10),
});
export type AutomationRuleDraft = z.input<typeof automationRuleDraft>;
export const createAutomationRuleBody = automationRuleDraft;
export type CreateAutomationRuleBody = z.input<typeof createAutomationRuleBody>;

export const updateAutomationRuleBody = z.strictObject({
  name: trimmedString().min(1, '请填写规则名称').max(100).optional(),
  description: trimmedString().max(500).optional(),
  enabled: z.boolean().optional(),
  trigger: automationTrigger.optional(),
  conditions: automationConditionGroup.optional(),
  actions: z.array(automationAction).min(1, '请至少添加一个动作').max(10).optional(),
  position: z.number().int().min(0).max(100_000).optional(),
});
export type UpdateAutomationRuleBody = z.input<typeof updateAutomationRuleBody>;

export const automationRule = z.object({
  id,
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  trigger: automationTrigger,
  conditions: automationConditionGroup,
  actions: z.array(automationAction),
  position: z.number().int(),
  createdBy: id.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  lastRunAt: isoDateTime.nullable(),
  runCount: z.number().int(),
  failureCount: z.number().int(),
  /** References to deleted tags, templates, agents, teams, segments…: the rule is shown broken and its runs skipped. */
  problems: z.array(z.string()),
  /** Key of the webhook signature (`X-Huike-Signature: t=…,v1=hex(HMAC-SHA256(secret, t + "." + body))`); managers only. */
  webhookSecret: z.string().nullable(),
});
export type AutomationRule = z.infer<typeof automationRule>;

// Runs -----------------------------------------------------------------------------------------------------

export const automationRunStatuses = ['running', 'succeeded', 'skipped', 'failed'] as const;
export type AutomationRunStatus = (typeof automationRunStatuses)[number];

export const automationActionResult = z.object({
  type: z.string(),
  ok: z.boolean(),
  detail: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  /** The enum values behind `detail` (e.g. `{ priority: 'urgent' }`), so clients can word them in their language. */
  values: z.record(z.string(), z.string()).optional(),
});
export type AutomationActionResult = z.infer<typeof automationActionResult>;

/**
 * One condition as evaluated on one event: `path` numbers it in the rule's tree (`2`, `3.1`); conditions after the
 * first failing one of an AND group (or the first holding one of an OR group) are not evaluated and not listed.
 */
export const automationConditionOutcome = z.object({
  path: z.string(),
  field: z.string(),
  operator: z.string().optional(),
  passed: z.boolean(),
});
export type AutomationConditionOutcome = z.infer<typeof automationConditionOutcome>;

/** Ids, plus why the rule ran: the event (`summary`, with phone, card and e-mail digits masked) and its conditions. */
export const automationRunContext = z.object({
  conversationId: id.optional(),
  customerId: id.optional(),
  messageId: id.optional(),
  orderId: id.optional(),
  tagId: id.optional(),
  ticketId: id.optional(),
  targets: z.number().int().optional(),
  /** What happened: the start of the message (masked), 「工单 #12」, 「会话 …」. */
  summary: z.string().optional(),
  conditions: z.array(automationConditionOutcome).optional(),
  /** An aggregate 「条件未满足」 entry: how many events did not meet the conditions in its hour (approximate). */
  notMatched: z.number().int().optional(),
});

export const automationRun = z.object({
  id,
  ruleId: id,
  ruleName: z.string().nullable(),
  triggerKey: z.string(),
  status: z.enum(automationRunStatuses),
  reason: z.string().nullable(),
  actionsResult: z.array(automationActionResult),
  context: automationRunContext,
  createdAt: isoDateTime,
});
export type AutomationRun = z.infer<typeof automationRun>;

export const automationRunListQuery = z.strictObject({
  ruleId: id.optional(),
  status: z.enum(automationRunStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});
export type AutomationRunListQuery = z.input<typeof automationRunListQuery>;

// Dry run --------------------------------------------------------------------------------------------------

export const automationDryRunBody = z.union([
  z.strictObject({ rule: automationRuleDraft }),
  z.strictObject({ ruleId: id }),
]);
export type AutomationDryRunBody = z.input<typeof automationDryRunBody>;

export const automationDryRunSample = z.object({
  at: isoDateTime,
  triggerKey: z.string(),
  context: automationRunContext,
  /** A short description of what happened (e.g. the start of the message), for the admin. */
  summary: z.string(),
  /** The conditions as evaluated on this event; on a miss the last one listed is the one that failed. */
  conditions: z.array(automationConditionOutcome),
});

export const automationDryRunResult = z.object({
  /** Events (or, for schedules, targets × occurrences) in the last 7 days that meet the trigger and conditions. */
  wouldFire: z.number().int(),
  examined: z.number().int(),
  /** More events than the examination cap: the counts cover the newest ones. */
  truncated: z.boolean(),
  samples: z.array(automationDryRunSample),
  /** The most recent events (up to 10) the trigger accepted but the conditions did not: which condition failed. */
  misses: z.array(automationDryRunSample),
  problems: z.array(z.string()),
});
export type AutomationDryRunResult = z.infer<typeof automationDryRunResult>;

// Presets --------------------------------------------------------------------------------------------------

export const automationPreset = z.object({
  key: z.string(),
  category: z.string(),
  name: z.string(),
  description: z.string(),
  /** Pre-filled rule; actions whose tag it could not find in this workspace are left out and listed in `needs`. */
  rule: z.object({
    name: z.string(),
    description: z.string(),
    enabled: z.boolean(),
    trigger: automationTrigger,
    conditions: automationConditionGroup,
    actions: z.array(automationAction),
  }),
  /** Tags the template's actions name that this workspace does not have yet. */
  needs: z.array(z.object({ tagName: z.string(), target: z.enum(['customer', 'conversation']) })),
});
export type AutomationPreset = z.infer<typeof automationPreset>;
export const automationPresetList = z.object({ items: z.array(automationPreset) });
