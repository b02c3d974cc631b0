import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';

/** Built-in category keys; a workspace may add its own (tickets module: editable list). */
export const builtInTicketCategories = ['inquiry', 'logistics', 'return', 'complaint', 'other'] as const;
export const ticketSeverities = ['normal', 'serious', 'urgent'] as const;
export const ticketSeverity = z.enum(ticketSeverities);
export type TicketSeverity = z.infer<typeof ticketSeverity>;
export const ticketStatuses = ['new', 'open', 'waiting_customer', 'waiting_third_party', 'resolved', 'closed'] as const;
export const ticketStatus = z.enum(ticketStatuses);
export type TicketStatus = z.infer<typeof ticketStatus>;
/** The clocks an SLA policy can set on a ticket. */
export const slaTargets = ['first_response', 'resolution', 'escalation'] as const;
export const slaTarget = z.enum(slaTargets);
export type SlaTarget = z.infer<typeof slaTarget>;

/** One SLA clock as shown on a ticket: due time, whether it is paused, met or breached. */
export const slaClock = z.object({
  target: slaTarget,
  dueAt: isoDateTime.nullable(),
  /** Set while the ticket waits on the customer: business/calendar seconds left when the pause began. */
  pausedRemainingSeconds: z.number().int().nullable(),
  metAt: isoDateTime.nullable(),
  breachedAt: isoDateTime.nullable(),
});
export type SlaClock = z.infer<typeof slaClock>;

export const ticket = z.object({
  id,
  /** Short per-workspace number shown to people (#1024). */
  number: z.number().int(),
  subject: z.string(),
  description: z.string(),
  category: z.string(),
  severity: ticketSeverity,
  status: ticketStatus,
  customerId: id.nullable(),
  conversationId: id.nullable(),
  assigneeId: id.nullable(),
  teamId: id.nullable(),
  orderIds: z.array(id),
  watcherIds: z.array(id),
  slaPolicyId: id.nullable(),
  clocks: z.array(slaClock),
  /** Set when merged into another ticket. */
  mergedIntoId: id.nullable(),
  firstRespondedAt: isoDateTime.nullable(),
  resolvedAt: isoDateTime.nullable(),
  closedAt: isoDateTime.nullable(),
  createdBy: id.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Ticket = z.infer<typeof ticket>;

// ---------------------------------------------------------------------------------------------------------------
// Requests and answers of /api/v1/tickets, /api/v1/ticket-categories, /api/v1/ticket-views, /api/v1/sla-policies.

const categoryKey = trimmedString()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9_-]+$/, '分类标识只能包含小写字母、数字、下划线和连字符');

/** One clock with the numbers the colour needs: green < 75% elapsed ≤ amber < 100% ≤ red. */
export const ticketClock = slaClock.extend({
  startedAt: isoDateTime.nullable(),
  /** Length of the target (seconds of business or calendar time). */
  targetSeconds: z.number().int().nullable(),
  /** 0–100+ elapsed at the time of the answer (paused clocks: frozen). */
  percentElapsed: z.number().nullable(),
  state: z.enum(['green', 'amber', 'red', 'met', 'paused']),
});
export type TicketClock = z.infer<typeof ticketClock>;

/** A ticket as lists and the detail page get it: the `Ticket` plus display names and clock colours. */
export const ticketRow = ticket.extend({
  clocks: z.array(ticketClock),
  customerName: z.string().nullable(),
  assigneeName: z.string().nullable(),
  /** The customer's RFM tier key when known (orders module). */
  customerTier: z.string().nullable(),
});
export type TicketRow = z.infer<typeof ticketRow>;

export const ticketSorts = ['updatedAt', 'createdAt', 'number', 'severity', 'dueAt'] as const;
export type TicketSort = (typeof ticketSorts)[number];

/** The list's filters; also what a saved view stores. `assignee`: `mine`, `unassigned` or a user id. */
export const ticketFilters = z.strictObject({
  q: trimmedString().max(100).optional(),
  status: z.enum([...ticketStatuses, 'active']).optional(),
  category: trimmedString().max(40).optional(),
  severity: ticketSeverity.optional(),
  assignee: z.union([z.enum(['mine', 'unassigned']), id]).optional(),
  teamId: id.optional(),
  customerId: id.optional(),
  conversationId: id.optional(),
  /** `overdue`: a clock past due, not met and not breached-and-handled; `breached`: a clock breached. */
  sla: z.enum(['overdue', 'breached']).optional(),
  /** Relative: `today` (workspace time zone) — used by the "complaints today" view. */
  created: z.enum(['today']).optional(),
  createdFrom: isoDateTime.optional(),
  createdTo: isoDateTime.optional(),
  sort: z.enum(ticketSorts).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});
export type TicketFilters = z.infer<typeof ticketFilters>;

export const ticketListQuery = ticketFilters.extend({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(400).optional(),
});
export type TicketListQuery = z.infer<typeof ticketListQuery>;

export const createTicketBody = z.strictObject({
  subject: trimmedString().min(1, '请填写工单标题').max(200),
  description: trimmedString().max(10000).default(''),
  /** Defaults to `inquiry`. */
  category: trimmedString().max(40).default('inquiry'),
  severity: ticketSeverity.default('normal'),
  /** From a conversation: customer (and the customer's latest order when `orderIds` is absent) are prefilled. */
  conversationId: id.nullable().optional(),
  customerId: id.nullable().optional(),
  orderIds: z.array(id).max(20).optional(),
  assigneeId: id.nullable().optional(),
  teamId: id.nullable().optional(),
  watcherIds: z.array(id).max(50).optional(),
});
export type CreateTicketInput = z.input<typeof createTicketBody>;

/** Field changes; `status` goes through the state machine, `assigneeId` is a recorded hand-over. */
export const updateTicketBody = z
  .strictObject({
    subject: trimmedString().min(1, '请填写工单标题').max(200),
    description: trimmedString().max(10000),
    category: trimmedString().max(40),
    severity: ticketSeverity,
    status: ticketStatus,
    assigneeId: id.nullable(),
    teamId: id.nullable(),
    customerId: id.nullable(),
    orderIds: z.array(id).max(20),
    watcherIds: z.array(id).max(50),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, '没有要修改的字段');
export type UpdateTicketInput = z.input<typeof updateTicketBody>;

/** Which status changes are allowed (reopen = resolved/closed → open). */
export const ticketTransitions: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'waiting_customer', 'waiting_third_party', 'resolved', 'closed'],
  open: ['waiting_customer', 'waiting_third_party', 'resolved', 'closed'],
  waiting_customer: ['open', 'waiting_third_party', 'resolved', 'closed'],
  waiting_third_party: ['open', 'waiting_customer', 'resolved', 'closed'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

export const ticketCommentBody = z
  .strictObject({
    body: trimmedString().max(10000).default(''),
    /** Internal note (default) or a public reply: the first public reply meets the first-response clock. */
    internal: z.boolean().default(true),
    /** Files uploaded with POST /api/v1/attachments. */
    attachmentIds: z.array(id).max(10).default([]),
  })
  .refine((value) => value.body !== '' || value.attachmentIds.length > 0, '请填写内容或添加附件');
export type TicketCommentInput = z.input<typeof ticketCommentBody>;

export const ticketAttachment = z.object({
  fileId: id,
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  url: z.string(),
});

export const ticketEventKinds = [
  'created',
  'status_changed',
  'assigned',
  'comment',
  'field_changed',
  'orders_changed',
  'watchers_changed',
  'sla_breached',
  'escalated',
  'merged',
  'merged_from',
  'message',
  'sla_changed',
] as const;

/**
 * One timeline entry. `data` by kind: status_changed {from,to}; assigned {fromId,toId,fromName,toName};
 * field_changed {field,from,to}; sla_breached/escalated {target, action?}; merged {targetId,targetNumber};
 * merged_from {sourceId,sourceNumber}; message {conversationId, direction, senderKind} (a linked conversation's message);
 * sla_changed {fromPolicy,toPolicy} (names; the category, severity or customer now matches another SLA policy).
 */
export const ticketTimelineEntry = z.object({
  id: z.string(),
  kind: z.enum(ticketEventKinds),
  actorId: id.nullable(),
  actorName: z.string().nullable(),
  body: z.string().nullable(),
  internal: z.boolean(),
  attachments: z.array(ticketAttachment),
  data: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoDateTime,
});
export type TicketTimelineEntry = z.infer<typeof ticketTimelineEntry>;

export const ticketTimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  /** Include the linked conversation's messages (default true). */
  messages: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export const mergeTicketBody = z.strictObject({ targetId: id });

export const bulkTicketChanges = z
  .strictObject({
    status: ticketStatus,
    assigneeId: id.nullable(),
    severity: ticketSeverity,
    category: trimmedString().max(40),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, '没有要修改的字段');
export type BulkTicketChanges = z.infer<typeof bulkTicketChanges>;

/**
 * Bulk update by `ids` or by `filter`. With a filter, call once with `dryRun: true` to get the count, then again
 * with `expectedCount` (refused with 409 bulk.count_changed when the match changed).
 */
export const bulkTicketBody = z
  .strictObject({
    ids: z.array(id).min(1).max(1000).optional(),
    filter: ticketFilters.optional(),
    changes: bulkTicketChanges,
    dryRun: z.boolean().default(false),
    expectedCount: z.number().int().min(0).optional(),
  })
  .refine((value) => (value.ids ? !value.filter : !!value.filter), '请指定工单 ids 或筛选条件（二选一）');
export type BulkTicketInput = z.input<typeof bulkTicketBody>;
export const bulkTicketResult = z.object({ matched: z.number().int(), updated: z.number().int() });

export const ticketCategory = z.object({
  id,
  key: z.string(),
  name: z.string(),
  position: z.number().int(),
  isBuiltIn: z.boolean(),
  archived: z.boolean(),
});
export type TicketCategory = z.infer<typeof ticketCategory>;
export const createTicketCategoryBody = z.strictObject({
  name: trimmedString().min(1, '请填写分类名称').max(40),
  /** Generated from the id when absent. */
  key: categoryKey.optional(),
  position: z.number().int().min(0).max(10000).optional(),
});
export const updateTicketCategoryBody = z
  .strictObject({
    name: trimmedString().min(1, '请填写分类名称').max(40),
    position: z.number().int().min(0).max(10000),
    archived: z.boolean(),
  })
  .partial();

export const ticketView = z.object({
  id,
  name: z.string(),
  filters: ticketFilters,
  /** Shared with everyone (needs tickets:manage) or only the creator's. */
  isShared: z.boolean(),
  isBuiltIn: z.boolean(),
  createdBy: id.nullable(),
});
export type TicketView = z.infer<typeof ticketView>;
export const createTicketViewBody = z.strictObject({
  name: trimmedString().min(1, '请填写视图名称').max(40),
  filters: ticketFilters,
  isShared: z.boolean().default(false),
});
export const updateTicketViewBody = createTicketViewBody.partial();

export const slaEscalation = z.strictObject({
  notifySupervisors: z.boolean().default(true),
  /** Reassign on breach of the escalation target. */
  assigneeId: id.nullable().default(null),
  teamId: id.nullable().default(null),
  raiseSeverity: z.boolean().default(false),
});
export type SlaEscalation = z.infer<typeof slaEscalation>;

const targetMinutes = z
  .number()
  .int('时限须为整数分钟')
  .min(1, '时限至少 1 分钟')
  .max(60 * 24 * 365, '时限最多 365 天')
  .nullable();
export const slaTargetsMinutes = z
  .strictObject({
    first_response: targetMinutes.default(null),
    resolution: targetMinutes.default(null),
    escalation: targetMinutes.default(null),
  })
  .refine(
    (targets) =>
      targets.first_response === null || targets.resolution === null || targets.first_response <= targets.resolution,
    { message: '首次响应时效不能大于解决时效', path: ['first_response'] },
  );

export const slaPolicy = z.object({
  id,
  name: z.string(),
  /** Lower first: the first enabled policy whose match fits the ticket applies. */
  position: z.number().int(),
  enabled: z.boolean(),
  /** Empty = any. */
  categories: z.array(z.string()),
  severities: z.array(ticketSeverity),
  /** RFM tier keys (orders module); empty = any. */
  customerTiers: z.array(z.string()),
  targets: z.object({
    first_response: z.number().int().nullable(),
    resolution: z.number().int().nullable(),
    escalation: z.number().int().nullable(),
  }),
  hours: z.enum(['business', 'calendar']),
  escalation: slaEscalation.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type SlaPolicy = z.infer<typeof slaPolicy>;

export const createSlaPolicyBody = z
  .strictObject({
    name: trimmedString().min(1, '请填写策略名称').max(60),
    position: z.number().int().min(0).max(10000).optional(),
    enabled: z.boolean().default(true),
    categories: z.array(trimmedString().min(1).max(40)).max(50).default([]),
    severities: z.array(ticketSeverity).max(3).default([]),
    customerTiers: z.array(trimmedString().min(1).max(40)).max(20).default([]),
    targets: slaTargetsMinutes,
    hours: z.enum(['business', 'calendar']).default('business'),
    escalation: slaEscalation.nullable().default(null),
  })
  .refine(
    (value) => Object.values(value.targets).some((minutes) => minutes !== null),
    '请至少设置一个时限（首次响应、解决或升级）',
  );
export type SlaPolicyInput = z.input<typeof createSlaPolicyBody>;
export const updateSlaPolicyBody = z
  .strictObject({
    name: trimmedString().min(1, '请填写策略名称').max(60),
    position: z.number().int().min(0).max(10000),
    enabled: z.boolean(),
    categories: z.array(trimmedString().min(1).max(40)).max(50),
    severities: z.array(ticketSeverity).max(3),
    customerTiers: z.array(trimmedString().min(1).max(40)).max(20),
    targets: slaTargetsMinutes,
    hours: z.enum(['business', 'calendar']),
    escalation: slaEscalation.nullable(),
  })
  .partial();
