import { createHmac } from 'node:crypto';
import type {
  AutomationAction,
  AutomationActionResult,
  AutomationCondition,
  AutomationConditionGroup,
  AutomationConditionOutcome,
  AutomationTrigger,
  SegmentFilter,
} from '@huike/contracts';
import { isAutomationGroup, lifecycleStageLabels } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { type Executor, workspaceTimezone } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { AutomationSource, DomainEvent, EventBus } from '../../platform/events.ts';
import { idFloorAt, newId } from '../../platform/ids.ts';
import { safePost } from '../../platform/safe-fetch.ts';
import { normalizeText } from '../../platform/text/index.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import { inboxBusinessHours } from '../business-hours/index.ts';
import type { ConversationsService } from '../conversations/index.ts';
import { recordCustomerEvent } from '../customers/index.ts';
import { compileMatcher, type KeywordMatcher, normalizeForMatch } from '../keyword-replies/index.ts';
import { detectUrgency, scoreSentiment } from '../nlp/index.ts';
import { compileSegmentFilter, customerSegmentIds, visibleCustomers } from '../segments/index.ts';
import { applyTags, publishTagAdded, type TagTarget } from '../tags/index.ts';
import { renderTemplateForConversation } from '../templates/index.ts';
import * as repo from './automation.repository.ts';
import { maskedExcerpt } from './masked-excerpt.ts';
import { definingTags, ruleProblems } from './rule-checks.ts';

/*
 * The rules engine. Events from the bus (after their transaction committed) and timer sweeps become
 * "subjects" (what happened, to which conversation / customer / order); each enabled rule of that trigger
 * evaluates its conditions on the subject and, when they hold, claims a run row (unique per rule and trigger
 * key, so a replayed event runs nothing twice) and performs its actions in order.
 *
 * Loop policy: an event caused by automation (it carries `automation`: a rule's action, a keyword reply, an
 * offline notice, a bot) never triggers rules — zero levels deep, so no chain of rules can feed itself.
 * On top of that, one conversation takes at most RATE_CAP runs per RATE_WINDOW_MS; further runs are logged
 * as skipped.
 */

export const RATE_CAP = 20;
export const RATE_WINDOW_MS = 10 * 60_000;
const DRY_RUN_DAYS = 7;
const DRY_RUN_MISSES = 10;
/** How often one process writes a rule's 「条件未满足」 aggregate (see noteNotMatched). */
const NOT_MATCHED_WRITE_MS = 60_000;

const automationSourceLabels: Record<AutomationSource['kind'], string> = {
  automation: '自动化规则',
  keyword_reply: '关键词自动回复',
  business_hours: '非工作时间自动回复',
  bot: '机器人',
  routing: '自动分配',
  survey: '满意度调查',
};
const DRY_RUN_MAX_EVENTS = 5000;
const SCHEDULE_MAX_TARGETS = 1000;
const SWEEP_BATCH = 200;
/** A schedule fires within this long after its time (a worker down at 09:00 catches up at 09:30, not at 15:00). */
const SCHEDULE_GRACE_MINUTES = 120;

type ConversationFacts = {
  id: string;
  inboxId: string;
  customerId: string;
  status: string;
  assigneeId: string | null;
  teamId: string | null;
  priority: string;
};

type MessageFacts = {
  id: string;
  content: string;
  direction: string;
  sentiment?: { label: string; score: number } | null;
  urgency?: { urgent: boolean; reasons: string[] } | null;
};

type OrderFacts = { id: string; status: string; amountFen: number };

/** What happened, to what: the input of conditions and actions. Ids, plus the facts conditions read. */
export type Subject = {
  workspaceId: string;
  triggerKey: string;
  at: Date;
  conversation?: ConversationFacts;
  message?: MessageFacts;
  customerId?: string;
  order?: OrderFacts;
  tagId?: string;
  /** The ticket a ticket.* trigger fired for (tickets module). */
  ticketId?: string;
  summary: string;
};

export type RuleRecord = Omit<repo.RuleRow, 'trigger' | 'conditions' | 'actions'> & {
  trigger: AutomationTrigger;
  conditions: AutomationConditionGroup;
  actions: AutomationAction[];
};

export const asRecord = (row: repo.RuleRow) => row as unknown as RuleRecord;

const conversationColumns = sql`c.id, c.inbox_id as "inboxId", c.customer_id as "customerId", c.status,
  c.assignee_id as "assigneeId", c.team_id as "teamId", c.priority`;

async function loadConversationFacts(executor: Executor, workspaceId: string, id: string) {
  return (
    await executor.execute<ConversationFacts>(
      sql`select ${conversationColumns} from conversations c where c.workspace_id = ${workspaceId} and c.id = ${id}`,
    )
  ).rows[0];
}

/** A customer-level event acts on the customer's most recent conversation, if any. */
async function latestConversationOf(executor: Executor, workspaceId: string, customerId: string) {
  return (
    await executor.execute<ConversationFacts>(
      sql`select ${conversationColumns} from conversations c where c.workspace_id = ${workspaceId}
          and c.customer_id = ${customerId} order by c.last_message_at desc limit 1`,
    )
  ).rows[0];
}

const conversationFactsOf = (conversation: {
  id: string;
  inboxId: string;
  customerId: string;
  status: string;
  assigneeId: string | null;
  teamId: string | null;
  priority?: string;
}): ConversationFacts => ({
  id: conversation.id,
  inboxId: conversation.inboxId,
  customerId: conversation.customerId,
  status: conversation.status,
  assigneeId: conversation.assigneeId,
  teamId: conversation.teamId,
  priority: conversation.priority ?? 'normal',
});

// Conditions ---------------------------------------------------------------------------------------------

const inList = (value: string | null | undefined, list: readonly string[] | undefined) =>
  value !== null && value !== undefined && (list ?? []).includes(value);

async function customerMatches(executor: Executor, workspaceId: string, customerId: string, filter: SegmentFilter) {
  const where = await compileSegmentFilter(executor, workspaceId, filter, { strict: false });
  const result = await executor.execute<{ hit: boolean }>(
    sql`select exists (select 1 from customers where ${visibleCustomers(workspaceId)} and ${where} and customers.id = ${customerId}) as hit`,
  );
  return result.rows[0]?.hit === true;
}

async function latestOrderOf(executor: Executor, workspaceId: string, customerId: string) {
  return (
    await executor.execute<OrderFacts>(
      sql`select id, status, amount_fen::float8 as "amountFen" from orders where workspace_id = ${workspaceId}
          and customer_id = ${customerId} order by placed_at desc limit 1`,
    )
  ).rows[0];
}

/** What regex conditions see: as the keyword replies' regexes do (normalised, spaces kept, bounded length). */
const normalizeForRegex = (text: string) => normalizeText(text).slice(0, 2000);

/** Compiled regex conditions (RE2 through the keyword matcher: linear time), kept per pattern. */
const regexMatchers = new Map<string, KeywordMatcher>();
function regexMatcher(pattern: string): KeywordMatcher {
  let matcher = regexMatchers.get(pattern);
  if (!matcher) {
    if (regexMatchers.size > 1000) regexMatchers.clear();
    matcher = compileMatcher([{ mode: 'regex', keywords: [pattern] }]);
    regexMatchers.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Sentiment and urgency of a customer's message: as stored by the nlp scoring when the event carries them,
 * otherwise scored here (the model is local and fast). Agents' messages have none.
 */
function sentimentOf(message: MessageFacts) {
  if (message.sentiment === undefined) {
    message.sentiment = message.direction === 'inbound' ? scoreSentiment(message.content) : null;
  }
  return message.sentiment;
}

function urgencyOf(message: MessageFacts) {
  if (message.urgency === undefined) {
    const sentiment = sentimentOf(message);
    message.urgency =
      message.direction === 'inbound'
        ? detectUrgency(message.content, sentiment as Parameters<typeof detectUrgency>[1])
        : null;
  }
  return message.urgency;
}

async function conditionHolds(executor: Executor, condition: AutomationCondition, subject: Subject): Promise<boolean> {
  const { workspaceId, message, conversation } = subject;
  const customerId = subject.customerId ?? conversation?.customerId;
  switch (condition.field) {
    case 'message.content': {
      if (!message) return false;
      const found =
        condition.operator === 'regex'
          ? regexMatcher(condition.value).match(normalizeForMatch(message.content), normalizeForRegex(message.content))
              .length > 0
          : normalizeForMatch(message.content).includes(normalizeForMatch(condition.value));
      return condition.operator === 'not_contains' ? !found : found;
    }
    case 'message.sentiment': {
      const sentiment = message ? sentimentOf(message) : null;
      return (
        sentiment?.label === condition.value &&
        (condition.minScore === undefined || sentiment.score >= condition.minScore)
      );
    }
    case 'message.urgent':
      return message ? (urgencyOf(message)?.urgent ?? false) === condition.value : false;
    case 'message.urgency_reason':
      return (message ? (urgencyOf(message)?.reasons ?? []) : []).some((reason) =>
        (condition.value as string[]).includes(reason),
      );
    case 'conversation.status':
    case 'conversation.priority': {
      if (!conversation) return false;
      const value = condition.field === 'conversation.status' ? conversation.status : conversation.priority;
      return condition.operator === 'in' ? inList(value, condition.value) : !inList(value, condition.value);
    }
    case 'conversation.inbox':
    case 'conversation.assignee':
    case 'conversation.team': {
      if (!conversation) return false;
      const value =
        condition.field === 'conversation.inbox'
          ? conversation.inboxId
          : condition.field === 'conversation.assignee'
            ? conversation.assigneeId
            : conversation.teamId;
      switch (condition.operator) {
        case 'is_empty':
          return value === null;
        case 'is_not_empty':
          return value !== null;
        case 'in':
          return inList(value, condition.value);
        case 'not_in':
          return !inList(value, condition.value);
      }
      return false;
    }
    case 'customer.tags':
      if (!customerId) return false;
      return customerMatches(executor, workspaceId, customerId, {
        op: 'and',
        conditions: [{ field: 'tags', op: condition.operator, value: condition.value }],
      });
    case 'conversation.tags': {
      if (!conversation) return false;
      const rows = await executor.execute<{ tag_id: string }>(
        sql`select tag_id from conversation_tags where workspace_id = ${workspaceId} and conversation_id = ${conversation.id}`,
      );
      const applied = new Set(rows.rows.map((row) => row.tag_id));
      if (condition.operator === 'has_any') return condition.value.some((id) => applied.has(id));
      if (condition.operator === 'has_all') return condition.value.every((id) => applied.has(id));
      return !condition.value.some((id) => applied.has(id));
    }
    case 'customer.segment': {
      if (!customerId) return false;
      const member = await customerSegmentIds(executor, workspaceId, customerId, condition.value);
      return condition.operator === 'in' ? member.length > 0 : member.length === 0;
    }
    case 'customer':
      if (!customerId) return false;
      return customerMatches(executor, workspaceId, customerId, { op: 'and', conditions: [condition.condition] });
    case 'order.status':
    case 'order.amount_fen': {
      const order = subject.order ?? (customerId ? await latestOrderOf(executor, workspaceId, customerId) : undefined);
      if (!order) return false;
      if (condition.field === 'order.status') {
        return condition.operator === 'in'
          ? inList(order.status, condition.value)
          : !inList(order.status, condition.value);
      }
      const amount = Number(order.amountFen);
      switch (condition.operator) {
        case 'eq':
          return amount === condition.value;
        case 'gt':
          return amount > condition.value;
        case 'gte':
          return amount >= condition.value;
        case 'lt':
          return amount < condition.value;
        case 'lte':
          return amount <= condition.value;
      }
      return false;
    }
    case 'business_hours': {
      if (!conversation) return false;
      const hours = await inboxBusinessHours(executor, workspaceId, conversation.inboxId);
      return hours.isOpen(subject.at) === (condition.value === 'open');
    }
  }
}

/**
 * AND/OR tree, short-circuited; an empty group holds. With `trace`, each condition evaluated is appended with its
 * path (`2`, `3.1`) and outcome: why a rule ran, or which condition stopped it.
 */
export async function conditionsHold(
  executor: Executor,
  group: AutomationConditionGroup,
  subject: Subject,
  trace?: AutomationConditionOutcome[],
  prefix = '',
): Promise<boolean> {
  for (const [index, node] of group.conditions.entries()) {
    const path = `${prefix}${index + 1}`;
    let holds: boolean;
    if (isAutomationGroup(node)) {
      holds = await conditionsHold(executor, node, subject, trace, `${path}.`);
    } else {
      holds = await conditionHolds(executor, node, subject);
      trace?.push({ path, field: node.field, operator: 'operator' in node ? node.operator : undefined, passed: holds });
    }
    if (group.op === 'and' && !holds) return false;
    if (group.op === 'or' && holds) return true;
  }
  return group.op === 'and' || group.conditions.length === 0;
}

/** Conditions with their trace (see conditionsHold). */
async function explainConditions(executor: Executor, group: AutomationConditionGroup, subject: Subject) {
  const conditions: AutomationConditionOutcome[] = [];
  const holds = await conditionsHold(executor, group, subject, conditions);
  return { holds, conditions };
}

// Triggers -----------------------------------------------------------------------------------------------

/** Whether the rule's trigger accepts this event (its type already matches). */
function triggerAccepts(trigger: AutomationTrigger, event: DomainEvent): boolean {
  if (trigger.type === 'message.created' && event.type === 'message.created') {
    return trigger.direction === 'any' || trigger.direction === event.message.direction;
  }
  if (trigger.type === 'customer.tag_added' && event.type === 'customer.tag_added') {
    return !trigger.tagId || trigger.tagId === event.tagId;
  }
  if (trigger.type === 'conversation.tag_added' && event.type === 'conversation.tag_added') {
    return !trigger.tagId || trigger.tagId === event.tagId;
  }
  return true;
}

/** The subject of an event, or undefined when the event is not one rules act on. */
async function subjectOfEvent(executor: Executor, event: DomainEvent): Promise<Subject | undefined> {
  const base = { workspaceId: event.workspaceId, at: new Date() };
  switch (event.type) {
    case 'message.created': {
      const message = event.message as typeof event.message & Pick<MessageFacts, 'sentiment' | 'urgency'>;
      // Private notes are internal: no rule reacts to them.
      if (message.private) return undefined;
      return {
        ...base,
        triggerKey: `message:${message.id}`,
        conversation: conversationFactsOf(event.conversation),
        customerId: event.conversation.customerId,
        message: {
          id: message.id,
          content: message.content,
          direction: message.direction,
          sentiment: message.sentiment,
          urgency: message.urgency,
        },
        summary: maskedExcerpt(message.content),
      };
    }
    case 'conversation.created':
    case 'conversation.updated':
    case 'conversation.resolved': {
      const suffix =
        event.type === 'conversation.created'
          ? 'created'
          : event.type === 'conversation.resolved'
            ? 'resolved'
            : `updated:${Date.now()}`;
      return {
        ...base,
        triggerKey: `conversation:${event.conversation.id}:${suffix}`,
        conversation: conversationFactsOf(event.conversation),
        customerId: event.conversation.customerId,
        summary: `会话 ${event.conversation.id.slice(-8)}`,
      };
    }
    case 'customer.created':
    case 'customer.tag_added': {
      const conversation = await latestConversationOf(executor, event.workspaceId, event.customerId);
      return {
        ...base,
        triggerKey:
          event.type === 'customer.created'
            ? `customer:${event.customerId}:created`
            : `customer:${event.customerId}:tag:${event.tagId}:${Date.now()}`,
        customerId: event.customerId,
        conversation,
        tagId: event.type === 'customer.tag_added' ? event.tagId : undefined,
        summary: `客户 ${event.customerId.slice(-8)}`,
      };
    }
    case 'conversation.tag_added': {
      const conversation = await loadConversationFacts(executor, event.workspaceId, event.conversationId);
      if (!conversation) return undefined;
      return {
        ...base,
        triggerKey: `conversation:${event.conversationId}:tag:${event.tagId}:${Date.now()}`,
        conversation,
        customerId: conversation.customerId,
        tagId: event.tagId,
        summary: `会话 ${event.conversationId.slice(-8)}`,
      };
    }
    case 'order.created':
    case 'order.updated': {
      const { order } = event;
      const conversation = await latestConversationOf(executor, event.workspaceId, order.customerId);
      return {
        ...base,
        triggerKey:
          event.type === 'order.created'
            ? `order:${order.id}:created`
            : `order:${order.id}:updated:${order.status}:${order.updatedAt ?? Date.now()}`,
        order: { id: order.id, status: order.status, amountFen: order.amountFen },
        customerId: order.customerId,
        conversation,
        summary: `订单 ${order.orderNo}`,
      };
    }
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.sla_breached': {
      const { ticket } = event;
      const conversation = ticket.conversationId
        ? await loadConversationFacts(executor, event.workspaceId, ticket.conversationId)
        : ticket.customerId
          ? await latestConversationOf(executor, event.workspaceId, ticket.customerId)
          : undefined;
      return {
        ...base,
        triggerKey:
          event.type === 'ticket.created'
            ? `ticket:${ticket.id}:created`
            : event.type === 'ticket.sla_breached'
              ? `ticket:${ticket.id}:breached:${event.target}`
              : `ticket:${ticket.id}:updated:${ticket.updatedAt}`,
        ticketId: ticket.id,
        customerId: ticket.customerId ?? undefined,
        conversation,
        summary: `工单 #${ticket.number}`,
      };
    }
    default:
      return undefined;
  }
}

// Engine -------------------------------------------------------------------------------------------------

export type WebhookResolver = NonNullable<Parameters<typeof safePost>[3]>['resolve'];

const RULE_CACHE_MS = 3_000;

export type Engine = ReturnType<typeof createAutomationEngine>;

export function createAutomationEngine({
  db,
  events,
  conversations,
  createTicket,
  log,
}: {
  db: Db;
  events: EventBus;
  conversations: Pick<ConversationsService, 'sendAutomatedMessage' | 'applyAutomatedChange'>;
  /** The tickets module's `createSystemTicket` (the create_ticket action), passed in by app.ts. */
  createTicket?: (input: {
    workspaceId: string;
    subject: string;
    description: string;
    category: string;
    severity: 'normal' | 'serious' | 'urgent';
    customerId: string | null;
    conversationId: string | null;
    source: AutomationSource;
    reuseOpenTicket: boolean;
    repeatNote: string;
  }) => Promise<{ ticket: { id: string; number: number }; reused: boolean }>;
  log: (error: unknown, context: Record<string, unknown>) => void;
}) {
  let webhookResolver: WebhookResolver | undefined;

  const sourceOf = (rule: RuleRecord): AutomationSource => ({ kind: 'automation', id: rule.id });

  async function addTags(rule: RuleRecord, subject: Subject, target: TagTarget, add: string[], remove: string[]) {
    const changed = await db.transaction((tx) =>
      applyTags(tx, { workspaceId: subject.workspaceId, actorId: null, target, add, remove }),
    );
    for (const tagId of changed.added)
      publishTagAdded(events, subject.workspaceId, null, target, tagId, sourceOf(rule));
    return changed;
  }

  const needConversation = (subject: Subject) => {
    if (!subject.conversation) throw new AppError('conversation.not_found', '没有可操作的会话');
    return subject.conversation;
  };
  const needCustomer = (subject: Subject) => {
    const id = subject.customerId ?? subject.conversation?.customerId;
    if (!id) throw new AppError('customer.not_found', '没有可操作的客户');
    return id;
  };

  /** create_ticket opens one ticket per conversation, not one per matching message: an unfinished one is reused. */
  async function createTicketOnce(
    rule: RuleRecord,
    action: AutomationAction & { type: 'create_ticket' },
    subject: Subject,
  ) {
    if (!createTicket) throw new AppError('automation_rule.invalid', '工单功能不可用');
    const { ticket, reused } = await createTicket({
      workspaceId: subject.workspaceId,
      subject: action.subject?.trim() || rule.name,
      description: `自动化规则「${rule.name}」创建：${subject.summary}`,
      category: action.category ?? 'other',
      severity: action.severity ?? 'normal',
      customerId: subject.customerId ?? subject.conversation?.customerId ?? null,
      conversationId: subject.conversation?.id ?? null,
      source: sourceOf(rule),
      reuseOpenTicket: true,
      // The summary is the message's masked excerpt (maskedExcerpt): notes are read by every agent of the ticket.
      repeatNote: `自动化规则「${rule.name}」再次匹配：${subject.summary}`,
    });
    // A reused ticket gets a note of the repeated request (throttled by the tickets module), not a second ticket.
    return {
      detail: reused ? `会话已有未完成的工单 #${ticket.number}，未重复创建` : `已创建工单 #${ticket.number}`,
      values: { ticketId: ticket.id, ticketNumber: String(ticket.number) },
    };
  }

  async function performAction(
    rule: RuleRecord,
    action: AutomationAction,
    index: number,
    subject: Subject,
  ): Promise<string | { detail: string; values?: Record<string, string> }> {
    const { workspaceId } = subject;
    const key = `auto:${rule.id}:${subject.triggerKey}:${index}`;
    switch (action.type) {
      case 'add_tag':
      case 'remove_tag': {
        const target: TagTarget =
          action.target === 'customer'
            ? { kind: 'customer', id: needCustomer(subject) }
            : { kind: 'conversation', id: needConversation(subject).id };
        const add = action.type === 'add_tag' ? [action.tagId] : [];
        const remove = action.type === 'remove_tag' ? [action.tagId] : [];
        const changed = await addTags(rule, subject, target, add, remove);
        return changed.added.length + changed.removed.length > 0 ? '已更新标签' : '标签无变化';
      }
      case 'assign': {
        const result = await conversations.applyAutomatedChange(
          workspaceId,
          needConversation(subject).id,
          { assigneeId: action.assigneeId, teamId: action.teamId },
          sourceOf(rule),
        );
        return result.changed ? '已分配' : '分配无变化';
      }
      case 'set_priority': {
        const result = await conversations.applyAutomatedChange(
          workspaceId,
          needConversation(subject).id,
          { priority: action.priority },
          sourceOf(rule),
        );
        return result.changed ? { detail: '已更改优先级', values: { priority: action.priority } } : '优先级无变化';
      }
      case 'set_status': {
        const snoozedUntil =
          action.status === 'snoozed' ? new Date(Date.now() + (action.snoozeMinutes ?? 60) * 60_000) : undefined;
        const result = await conversations.applyAutomatedChange(
          workspaceId,
          needConversation(subject).id,
          { status: action.status, snoozedUntil },
          sourceOf(rule),
        );
        return result.changed ? { detail: '已更改会话状态', values: { status: action.status } } : '状态无变化';
      }
      case 'reply_template': {
        const conversation = needConversation(subject);
        const rendered = await renderTemplateForConversation(db, {
          workspaceId,
          templateId: action.templateId,
          conversationId: conversation.id,
        });
        if ('broken' in rendered) throw new AppError('template.not_found', rendered.broken);
        const sent = await conversations.sendAutomatedMessage({
          workspaceId,
          conversationId: conversation.id,
          content: rendered.content,
          attachments: rendered.attachments,
          senderKind: 'bot',
          idempotencyKey: key,
          source: sourceOf(rule),
        });
        return sent.isNew ? '已发送话术' : '话术已发送过';
      }
      case 'private_note': {
        const conversation = needConversation(subject);
        const sent = await conversations.sendAutomatedMessage({
          workspaceId,
          conversationId: conversation.id,
          content: action.content,
          senderKind: 'system',
          private: true,
          idempotencyKey: key,
          source: sourceOf(rule),
        });
        return sent.isNew ? '已添加备注' : '备注已添加过';
      }
      case 'create_ticket':
        return createTicketOnce(rule, action, subject);
      case 'webhook': {
        const body = JSON.stringify({
          id: key,
          rule: { id: rule.id, name: rule.name },
          trigger: rule.trigger.type,
          triggerKey: subject.triggerKey,
          occurredAt: subject.at.toISOString(),
          workspaceId,
          conversation: subject.conversation ?? null,
          customerId: subject.customerId ?? subject.conversation?.customerId ?? null,
          message: subject.message
            ? { id: subject.message.id, direction: subject.message.direction, content: subject.message.content }
            : null,
          order: subject.order ?? null,
          tagId: subject.tagId ?? null,
        });
        const t = Math.floor(Date.now() / 1000);
        const v1 = createHmac('sha256', rule.webhookSecret).update(`${t}.${body}`, 'utf8').digest('hex');
        let response: Awaited<ReturnType<typeof safePost>>;
        try {
          response = await safePost(
            action.url,
            body,
            { 'x-huike-signature': `t=${t},v1=${v1}`, 'x-huike-delivery': key, 'user-agent': 'Huike-Automation/1' },
            { resolve: webhookResolver },
          );
        } catch (error) {
          throw new AppError('automation_rule.invalid', `Webhook 调用失败：${(error as Error).message}`);
        }
        if (response.status < 200 || response.status >= 300) {
          throw new AppError('automation_rule.invalid', `Webhook 返回了 HTTP ${response.status}`);
        }
        return `Webhook 已调用（HTTP ${response.status}）`;
      }
      case 'set_lifecycle': {
        const customerId = needCustomer(subject);
        const changed = await db.transaction(async (tx) => {
          const result = await tx.execute<{ previous: string }>(
            sql`update customers set lifecycle_previous_stage = lifecycle_stage, lifecycle_stage = ${action.stage},
                  lifecycle_changed_at = now(), updated_at = now()
                where workspace_id = ${workspaceId} and id = ${customerId} and lifecycle_stage <> ${action.stage}
                returning lifecycle_previous_stage as previous`,
          );
          const row = result.rows[0];
          if (!row) return false;
          await recordCustomerEvent(tx, {
            workspaceId,
            customerId,
            kind: 'lifecycle_changed',
            actorId: null,
            details: { from: row.previous, to: action.stage, automationRuleId: rule.id },
          });
          return true;
        });
        return changed
          ? { detail: `生命周期已设为${lifecycleStageLabels['zh-CN'][action.stage]}`, values: { stage: action.stage } }
          : '生命周期无变化';
      }
      case 'add_to_segment': {
        const customerId = needCustomer(subject);
        const segment = await repo.findSegment(db, workspaceId, action.segmentId);
        if (!segment) throw new AppError('segment.not_found', '分组已删除');
        const tags = definingTags(segment.filter as SegmentFilter);
        if (!tags) throw new AppError('automation_rule.invalid', `分组「${segment.name}」不是由单个标签定义的`);
        const changed = await addTags(rule, subject, { kind: 'customer', id: customerId }, tags, []);
        return changed.added.length > 0 ? `已加入分组「${segment.name}」` : '客户已在分组中';
      }
    }
  }

  /** Performs the actions in order; a failing action is recorded and the next ones still run. */
  async function performActions(rule: RuleRecord, subject: Subject) {
    const results: AutomationActionResult[] = [];
    for (const [index, action] of rule.actions.entries()) {
      try {
        const outcome = await performAction(rule, action, index, subject);
        results.push({
          type: action.type,
          ok: true,
          ...(typeof outcome === 'string' ? { detail: outcome } : outcome),
          error: null,
        });
      } catch (error) {
        if (!(error instanceof AppError)) log(error, { ruleId: rule.id, action: action.type });
        const message = error instanceof AppError ? error.message : '内部错误（详见服务器日志）';
        results.push({ type: action.type, ok: false, detail: null, error: message });
      }
    }
    return results;
  }

  const contextOf = (subject: Subject) => ({
    ...(subject.conversation ? { conversationId: subject.conversation.id } : {}),
    ...((subject.customerId ?? subject.conversation?.customerId)
      ? { customerId: subject.customerId ?? subject.conversation?.customerId }
      : {}),
    ...(subject.message ? { messageId: subject.message.id } : {}),
    ...(subject.order ? { orderId: subject.order.id } : {}),
    ...(subject.tagId ? { tagId: subject.tagId } : {}),
    ...(subject.ticketId ? { ticketId: subject.ticketId } : {}),
    ...(subject.summary ? { summary: subject.summary } : {}),
  });

  async function logSkipped(
    rule: RuleRecord,
    subject: Subject,
    reason: string,
    conditions?: AutomationConditionOutcome[],
  ) {
    await repo.claimRun(db, {
      id: newId(),
      workspaceId: subject.workspaceId,
      ruleId: rule.id,
      triggerKey: subject.triggerKey,
      status: 'skipped',
      reason,
      context: { ...contextOf(subject), ...(conditions ? { conditions } : {}) },
      conversationId: subject.conversation?.id ?? null,
    });
  }

  /*
   * 「条件未满足」: a rule whose conditions fail on an event leaves a trace, but not a row per rule per event (every
   * message × every message rule would outgrow the log). Each rule gets one skipped row per hour (trigger key
   * `nomatch:<hour>`) holding the count and the latest event with its failing condition. This process writes it at
   * most once a minute per rule, adding the events it counted meanwhile; counts still pending when activity stops
   * are folded into the next write, so the hourly count is approximate.
   */
  const notMatchedPending = new Map<string, { count: number; lastWrite: number }>();
  async function noteNotMatched(rule: RuleRecord, subject: Subject, conditions: AutomationConditionOutcome[]) {
    const pending = notMatchedPending.get(rule.id) ?? { count: 0, lastWrite: 0 };
    pending.count++;
    notMatchedPending.set(rule.id, pending);
    if (Date.now() - pending.lastWrite < NOT_MATCHED_WRITE_MS) return;
    const count = pending.count;
    notMatchedPending.set(rule.id, { count: 0, lastWrite: Date.now() });
    if (notMatchedPending.size > 10_000) notMatchedPending.clear();
    const failed = conditions.at(-1);
    await repo.recordNotMatched(db, {
      id: newId(),
      workspaceId: subject.workspaceId,
      ruleId: rule.id,
      hourKey: `nomatch:${new Date().toISOString().slice(0, 13)}`,
      count,
      reason: failed ? `条件未满足：条件 ${failed.path} 不成立` : '条件未满足',
      context: { ...contextOf(subject), conditions },
    });
  }

  /** Evaluates one rule on one subject and, when it holds, runs it once per trigger key. */
  async function runRule(rule: RuleRecord, subject: Subject) {
    const problems = await ruleProblems(db, subject.workspaceId, rule);
    if (problems.length > 0) {
      await logSkipped(rule, subject, `规则已损坏：${problems.join('；')}`);
      return;
    }
    let holds: boolean;
    let conditions: AutomationConditionOutcome[];
    try {
      ({ holds, conditions } = await explainConditions(db, rule.conditions, subject));
    } catch (error) {
      if (!(error instanceof AppError)) log(error, { ruleId: rule.id, stage: 'conditions' });
      const runId = await repo.claimRun(db, {
        id: newId(),
        workspaceId: subject.workspaceId,
        ruleId: rule.id,
        triggerKey: subject.triggerKey,
        status: 'failed',
        reason: `条件判断失败：${error instanceof AppError ? error.message : '内部错误'}`,
        context: contextOf(subject),
        conversationId: subject.conversation?.id ?? null,
      });
      if (runId) await repo.countRun(db, subject.workspaceId, rule.id, true);
      return;
    }
    if (!holds) {
      await noteNotMatched(rule, subject, conditions);
      return;
    }
    if (subject.conversation) {
      const recent = await repo.recentRunsOnConversation(
        db,
        subject.workspaceId,
        subject.conversation.id,
        new Date(Date.now() - RATE_WINDOW_MS),
      );
      if (recent >= RATE_CAP) {
        await logSkipped(
          rule,
          subject,
          `同一会话 ${RATE_WINDOW_MS / 60_000} 分钟内已执行 ${RATE_CAP} 次自动化，已暂停`,
        );
        return;
      }
    }
    const runId = await repo.claimRun(db, {
      id: newId(),
      workspaceId: subject.workspaceId,
      ruleId: rule.id,
      triggerKey: subject.triggerKey,
      status: 'running',
      reason: null,
      context: { ...contextOf(subject), conditions },
      conversationId: subject.conversation?.id ?? null,
    });
    if (!runId) return; // this trigger already ran (a replayed event)
    const results = await performActions(rule, subject);
    const failed = results.filter((result) => !result.ok);
    await repo.finishRun(db, subject.workspaceId, runId, {
      status: failed.length > 0 ? 'failed' : 'succeeded',
      reason: failed.length > 0 ? failed.map((result) => result.error).join('；') : null,
      actionsResult: results,
    });
    await repo.countRun(db, subject.workspaceId, rule.id, failed.length > 0);
  }

  // Every event asks for its workspace's rules: read them at most every few seconds (other processes see a
  // change within RULE_CACHE_MS; this process at once, through forgetRules).
  const ruleCache = createTtlCache<RuleRecord[]>(RULE_CACHE_MS);
  const enabledRules = (workspaceId: string) =>
    ruleCache.get(workspaceId, () => repo.enabledRules(db, workspaceId).then((rows) => rows.map(asRecord)));

  async function handleEvent(event: DomainEvent) {
    // Loop policy: automation never triggers automation. Messages are left out of the log (every bot or keyword
    // reply would add a row per outbound-message rule); other events say so on the rules they would have run.
    if (event.automation && event.type === 'message.created') return;
    const rules = (await enabledRules(event.workspaceId)).filter((rule) => rule.triggerType === event.type);
    if (rules.length === 0) return;
    const accepted = rules.filter((rule) => triggerAccepts(rule.trigger, event));
    if (accepted.length === 0) return;
    const subject = await subjectOfEvent(db, event);
    if (!subject) return;
    for (const rule of accepted) {
      try {
        if (event.automation) await logCausedByAutomation(rule, subject, event.automation);
        else await runRule(rule, subject);
      } catch (error) {
        log(error, { ruleId: rule.id, event: event.type });
      }
    }
  }

  /** A rule whose conditions would hold on an automation-caused event: a skipped run naming the cause. */
  async function logCausedByAutomation(rule: RuleRecord, subject: Subject, source: AutomationSource) {
    const { holds, conditions } = await explainConditions(db, rule.conditions, subject);
    if (!holds) return;
    await logSkipped(
      rule,
      subject,
      `${await causeName(subject.workspaceId, source)}产生的变化不会触发其他规则（防止规则互相触发、循环执行）`,
      conditions,
    );
  }

  async function causeName(workspaceId: string, source: AutomationSource) {
    if (source.kind === 'automation') {
      const cause = await repo.findRule(db, workspaceId, source.id);
      return cause ? `由自动化规则「${cause.name}」` : '由自动化规则';
    }
    return `由${automationSourceLabels[source.kind]}`;
  }

  // Timers -----------------------------------------------------------------------------------------------

  async function sweepWaiting(rule: RuleRecord, now: Date) {
    const trigger = rule.trigger;
    if (trigger.type !== 'time.no_agent_reply' && trigger.type !== 'time.no_customer_reply') return;
    const cutoff = new Date(now.getTime() - trigger.minutes * 60_000);
    // Only waiting periods that crossed the threshold in the last day: older ones ran (or were missed) already.
    const floor = new Date(cutoff.getTime() - 86_400_000);
    const isAgent = trigger.type === 'time.no_agent_reply';
    const prefix = isAgent ? 'noagent' : 'nocustomer';
    const clock = isAgent ? sql`c.waiting_since` : sql`c.last_message_at`;
    // conversations_list_idx (workspace, status) narrows to the open conversations; the clocks are not indexed
    // on purpose (every message moves them, and an unindexed column keeps that update HOT).
    const rows = await db.execute<ConversationFacts & { clock: Date }>(
      sql`select ${conversationColumns}, ${clock} as clock from conversations c
          where c.workspace_id = ${rule.workspaceId} and c.status in ('open', 'pending')
            and ${clock} <= ${cutoff.toISOString()} and ${clock} > ${floor.toISOString()}
            ${isAgent ? sql`` : sql`and c.waiting_since is null and c.first_reply_at is not null`}
            and not exists (select 1 from automation_runs r where r.rule_id = ${rule.id}
              and r.trigger_key = ${prefix} || ':' || c.id || ':' || floor(extract(epoch from ${clock}) * 1000)::bigint)
          order by ${clock} limit ${SWEEP_BATCH}`,
    );
    for (const row of rows.rows) {
      const { clock: at, ...conversation } = row;
      const silentMinutes = Math.floor((now.getTime() - new Date(at).getTime()) / 60_000);
      await runRule(rule, {
        workspaceId: rule.workspaceId,
        triggerKey: `${prefix}:${conversation.id}:${new Date(at).getTime()}`,
        at: now,
        conversation,
        customerId: conversation.customerId,
        summary: `会话 ${conversation.id.slice(-8)} · ${isAgent ? '客户已等待' : '客户已'} ${silentMinutes} 分钟${isAgent ? '' : '未回复'}`,
      });
    }
  }

  /** Local date, ISO weekday and minutes since midnight in a timezone. */
  function localClock(at: Date, timeZone: string) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        weekday: 'short',
        hourCycle: 'h23',
      })
        .formatToParts(at)
        .map((part) => [part.type, part.value]),
    );
    const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    return {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      weekday: weekdays.indexOf(parts.weekday!) + 1,
      minutes: Number(parts.hour) * 60 + Number(parts.minute),
    };
  }

  async function scheduleTargets(rule: RuleRecord, now: Date): Promise<Subject[]> {
    const trigger = rule.trigger;
    if (trigger.type !== 'schedule') return [];
    const base = { workspaceId: rule.workspaceId, at: now };
    if (trigger.target.kind === 'segment') {
      const segment = await repo.findSegment(db, rule.workspaceId, trigger.target.segmentId);
      if (!segment) return [];
      const where = await compileSegmentFilter(db, rule.workspaceId, segment.filter as SegmentFilter, {
        strict: false,
      });
      const customers = await db.execute<{ id: string }>(
        sql`select id from customers where ${visibleCustomers(rule.workspaceId)} and ${where} order by id limit ${SCHEDULE_MAX_TARGETS}`,
      );
      const subjects: Subject[] = [];
      for (const { id } of customers.rows) {
        subjects.push({
          ...base,
          triggerKey: `customer:${id}`,
          customerId: id,
          conversation: await latestConversationOf(db, rule.workspaceId, id),
          summary: `客户 ${id.slice(-8)}`,
        });
      }
      return subjects;
    }
    const open = await db.execute<ConversationFacts>(
      sql`select ${conversationColumns} from conversations c where c.workspace_id = ${rule.workspaceId}
          and c.status in ('open', 'pending') order by c.id limit ${SCHEDULE_MAX_TARGETS}`,
    );
    return open.rows.map((conversation) => ({
      ...base,
      triggerKey: `conversation:${conversation.id}`,
      conversation,
      customerId: conversation.customerId,
      summary: `会话 ${conversation.id.slice(-8)}`,
    }));
  }

  /** One scheduled occurrence: claimed once (`schedule:<rule>:<date>`), then each matching target in turn. */
  async function runSchedule(rule: RuleRecord, now: Date) {
    const trigger = rule.trigger;
    if (trigger.type !== 'schedule') return;
    const timezone = await workspaceTimezone(db, rule.workspaceId);
    const local = localClock(now, timezone);
    if (trigger.frequency === 'weekly' && trigger.weekday !== local.weekday) return;
    const [hour, minute] = trigger.time.split(':').map(Number) as [number, number];
    const due = hour * 60 + minute;
    if (local.minutes < due || local.minutes >= due + SCHEDULE_GRACE_MINUTES) return;
    const occurrence = {
      workspaceId: rule.workspaceId,
      triggerKey: `schedule:${rule.id}:${local.date}`,
      at: now,
      summary: '',
    };
    const problems = await ruleProblems(db, rule.workspaceId, rule);
    if (problems.length > 0) {
      await logSkipped(rule, occurrence, `规则已损坏：${problems.join('；')}`);
      return;
    }
    const runId = await repo.claimRun(db, {
      id: newId(),
      workspaceId: rule.workspaceId,
      ruleId: rule.id,
      triggerKey: occurrence.triggerKey,
      status: 'running',
      reason: null,
      context: {},
    });
    if (!runId) return;
    let matched = 0;
    const failures: AutomationActionResult[] = [];
    try {
      for (const target of await scheduleTargets(rule, now)) {
        const subject = { ...target, triggerKey: `${occurrence.triggerKey}:${target.triggerKey}` };
        if (!(await conditionsHold(db, rule.conditions, subject))) continue;
        matched++;
        for (const result of await performActions(rule, subject)) {
          if (!result.ok && failures.length < 50) failures.push({ ...result, detail: subject.summary });
        }
      }
    } catch (error) {
      if (!(error instanceof AppError)) log(error, { ruleId: rule.id, stage: 'schedule' });
      failures.push({
        type: 'schedule',
        ok: false,
        detail: null,
        error: error instanceof AppError ? error.message : '内部错误',
      });
    }
    await db.execute(
      sql`update automation_runs set context = ${JSON.stringify({ targets: matched })}::jsonb where id = ${runId}`,
    );
    await repo.finishRun(db, rule.workspaceId, runId, {
      status: failures.length > 0 ? 'failed' : 'succeeded',
      reason: failures.length > 0 ? `${failures.length} 个动作失败` : matched === 0 ? '没有符合条件的对象' : null,
      actionsResult: [
        { type: 'schedule', ok: failures.length === 0, detail: `处理了 ${matched} 个对象`, error: null },
        ...failures,
      ],
    });
    await repo.countRun(db, rule.workspaceId, rule.id, failures.length > 0);
  }

  return {
    handleEvent,
    subscribe: () => events.subscribe(handleEvent, { answersCustomers: true }),

    /** After a rule changed: the next event reads the workspace's rules again. */
    forgetRules: (workspaceId: string) => ruleCache.delete(workspaceId),

    /** Timer (worker processes): "no reply for X" and scheduled rules. Safe to run twice or on two nodes. */
    async sweep(now = new Date()) {
      for (const type of ['time.no_agent_reply', 'time.no_customer_reply'] as const) {
        for (const rule of (await repo.enabledRulesOfType(db, type)).map(asRecord)) {
          try {
            await sweepWaiting(rule, now);
          } catch (error) {
            log(error, { ruleId: rule.id, stage: 'sweep' });
          }
        }
      }
      for (const rule of (await repo.enabledRulesOfType(db, 'schedule')).map(asRecord)) {
        try {
          await runSchedule(rule, now);
        } catch (error) {
          log(error, { ruleId: rule.id, stage: 'schedule' });
        }
      }
    },

    /** Tests only: webhooks to a local test server (the public-address check still runs on the answer). */
    useWebhookResolver(resolver: WebhookResolver | undefined) {
      webhookResolver = resolver;
    },

    /** Dry run: the rule against the last 7 days of reconstructed events, acting on nothing. */
    async dryRun(workspaceId: string, rule: Pick<RuleRecord, 'trigger' | 'conditions' | 'actions'>, now = new Date()) {
      const subjects = await reconstruct(db, workspaceId, rule.trigger, now);
      const truncated = subjects.length > DRY_RUN_MAX_EVENTS;
      const examinedSubjects = subjects.slice(0, DRY_RUN_MAX_EVENTS);
      type Evaluated = { subject: Subject; conditions: AutomationConditionOutcome[] };
      const firing: Evaluated[] = [];
      const missed: Evaluated[] = [];
      for (const subject of examinedSubjects) {
        const { holds, conditions } = await explainConditions(db, rule.conditions, subject);
        (holds ? firing : missed).push({ subject, conditions });
      }
      let wouldFire = firing.length;
      // The most recent ten of each, newest first.
      const newestTen = (list: Evaluated[]) =>
        list
          .sort((a, b) => b.subject.at.getTime() - a.subject.at.getTime())
          .slice(0, DRY_RUN_MISSES)
          .map(({ subject, conditions }) => ({
            at: subject.at.toISOString(),
            triggerKey: subject.triggerKey,
            context: contextOf(subject),
            summary: subject.summary,
            conditions,
          }));
      const trigger = rule.trigger;
      if (trigger.type === 'schedule') {
        // Targets match now; a schedule would have run once a day (or once a week) over the 7 days.
        wouldFire *= trigger.frequency === 'daily' ? DRY_RUN_DAYS : 1;
      }
      return {
        wouldFire,
        examined: examinedSubjects.length,
        truncated,
        samples: newestTen(firing),
        misses: newestTen(missed),
        problems: await ruleProblems(db, workspaceId, rule),
      };
    },
  };
}

// Dry run: events of the last 7 days rebuilt from stored rows -------------------------------------------

// Through to_jsonb, so the query does not depend on the nlp module's columns being there: absent (older rows,
// or no scoring) answers undefined, and the condition scores the text itself.
const storedSentiment = sql`case when to_jsonb(m) ->> 'sentiment_label' is not null then jsonb_build_object(
  'label', to_jsonb(m) ->> 'sentiment_label', 'score', (to_jsonb(m) ->> 'sentiment_score')::float8) end`;
const storedUrgency = sql`case when jsonb_typeof(to_jsonb(m) -> 'urgency_reasons') = 'array' then jsonb_build_object(
  'urgent', jsonb_array_length(to_jsonb(m) -> 'urgency_reasons') > 0, 'reasons', to_jsonb(m) -> 'urgency_reasons') end`;

async function reconstruct(
  db: Executor,
  workspaceId: string,
  trigger: AutomationTrigger,
  now: Date,
): Promise<Subject[]> {
  const since = new Date(now.getTime() - DRY_RUN_DAYS * 86_400_000);
  const sinceIso = since.toISOString();
  const limit = DRY_RUN_MAX_EVENTS + 1;
  const conversationsById = async (ids: string[]) => {
    if (ids.length === 0) return new Map<string, ConversationFacts>();
    const rows = await db.execute<ConversationFacts>(
      sql`select ${conversationColumns} from conversations c where c.workspace_id = ${workspaceId}
          and c.id = any(${`{${[...new Set(ids)].join(',')}}`}::uuid[])`,
    );
    return new Map(rows.rows.map((row) => [row.id, row]));
  };
  const latestByCustomer = async (customerIds: string[]) => {
    if (customerIds.length === 0) return new Map<string, ConversationFacts>();
    const rows = await db.execute<ConversationFacts>(
      sql`select distinct on (c.customer_id) ${conversationColumns} from conversations c
          where c.workspace_id = ${workspaceId} and c.customer_id = any(${`{${[...new Set(customerIds)].join(',')}}`}::uuid[])
          order by c.customer_id, c.last_message_at desc`,
    );
    return new Map(rows.rows.map((row) => [row.customerId, row]));
  };

  switch (trigger.type) {
    case 'message.created': {
      // Messages automation sent (bot, system) never trigger rules, so they are not replayed either.
      const rows = await db.execute<{
        id: string;
        conversation_id: string;
        direction: string;
        content: string;
        created_at: Date;
        sentiment: MessageFacts['sentiment'];
        urgency: MessageFacts['urgency'];
      }>(
        sql`select m.id, m.conversation_id, m.direction, m.content, m.created_at,
              ${storedSentiment} as sentiment, ${storedUrgency} as urgency
            from messages m
            where m.workspace_id = ${workspaceId} and m.id >= ${idFloorAt(since)} and not m.private
              and m.sender_kind in ('customer', 'agent')
              ${trigger.direction === 'any' ? sql`` : sql`and m.direction = ${trigger.direction}`}
            order by m.id desc limit ${limit}`,
      );
      const conversations = await conversationsById(rows.rows.map((row) => row.conversation_id));
      return rows.rows.flatMap((row) => {
        const conversation = conversations.get(row.conversation_id);
        if (!conversation) return [];
        return [
          {
            workspaceId,
            triggerKey: `message:${row.id}`,
            at: new Date(row.created_at),
            conversation,
            customerId: conversation.customerId,
            message: {
              id: row.id,
              content: row.content,
              direction: row.direction,
              sentiment: row.sentiment ?? undefined,
              urgency: row.urgency ?? undefined,
            },
            summary: maskedExcerpt(row.content),
          },
        ];
      });
    }
    case 'conversation.created':
    case 'conversation.updated':
    case 'conversation.resolved':
    case 'time.no_agent_reply':
    case 'time.no_customer_reply': {
      const cutoff = 'minutes' in trigger ? new Date(now.getTime() - trigger.minutes * 60_000).toISOString() : '';
      const where =
        trigger.type === 'conversation.created'
          ? sql`c.created_at >= ${sinceIso}`
          : trigger.type === 'conversation.updated'
            ? sql`c.updated_at >= ${sinceIso}`
            : trigger.type === 'conversation.resolved'
              ? sql`c.status = 'resolved' and coalesce(c.resolved_at, c.updated_at) >= ${sinceIso}`
              : trigger.type === 'time.no_agent_reply'
                ? // Conversations waiting (or that waited until their answer) longer than the threshold.
                  sql`c.created_at >= ${sinceIso} and coalesce(c.waiting_since <= ${cutoff}, false)`
                : sql`c.waiting_since is null and c.first_reply_at is not null and c.last_message_at >= ${sinceIso}
                      and c.last_message_at <= ${cutoff} and c.status in ('open', 'pending')`;
      const rows = await db.execute<ConversationFacts & { at: Date }>(
        sql`select ${conversationColumns}, coalesce(c.updated_at, c.created_at) as at from conversations c
            where c.workspace_id = ${workspaceId} and ${where} order by c.updated_at desc limit ${limit}`,
      );
      return rows.rows.map(({ at, ...conversation }) => ({
        workspaceId,
        triggerKey: `conversation:${conversation.id}`,
        at: new Date(at),
        conversation,
        customerId: conversation.customerId,
        summary: `会话 ${conversation.id.slice(-8)}`,
      }));
    }
    case 'customer.created':
    case 'customer.tag_added': {
      const rows =
        trigger.type === 'customer.created'
          ? await db.execute<{ customer_id: string; at: Date; tag_id: string | null }>(
              sql`select id as customer_id, created_at as at, null::uuid as tag_id from customers
                  where ${visibleCustomers(workspaceId)} and created_at >= ${sinceIso} order by created_at desc limit ${limit}`,
            )
          : await db.execute<{ customer_id: string; at: Date; tag_id: string | null }>(
              sql`select customer_id, created_at as at, tag_id from customer_tags
                  where workspace_id = ${workspaceId} and created_at >= ${sinceIso}
                  ${trigger.tagId ? sql`and tag_id = ${trigger.tagId}` : sql``}
                  order by created_at desc limit ${limit}`,
            );
      const latest = await latestByCustomer(rows.rows.map((row) => row.customer_id));
      return rows.rows.map((row) => ({
        workspaceId,
        triggerKey: `customer:${row.customer_id}${row.tag_id ? `:tag:${row.tag_id}` : ''}`,
        at: new Date(row.at),
        customerId: row.customer_id,
        conversation: latest.get(row.customer_id),
        tagId: row.tag_id ?? undefined,
        summary: `客户 ${row.customer_id.slice(-8)}`,
      }));
    }
    case 'conversation.tag_added': {
      const rows = await db.execute<{ conversation_id: string; at: Date; tag_id: string }>(
        sql`select conversation_id, created_at as at, tag_id from conversation_tags
            where workspace_id = ${workspaceId} and created_at >= ${sinceIso}
            ${trigger.tagId ? sql`and tag_id = ${trigger.tagId}` : sql``}
            order by created_at desc limit ${limit}`,
      );
      const conversations = await conversationsById(rows.rows.map((row) => row.conversation_id));
      return rows.rows.flatMap((row) => {
        const conversation = conversations.get(row.conversation_id);
        return conversation
          ? [
              {
                workspaceId,
                triggerKey: `conversation:${row.conversation_id}:tag:${row.tag_id}`,
                at: new Date(row.at),
                conversation,
                customerId: conversation.customerId,
                tagId: row.tag_id,
                summary: `会话 ${row.conversation_id.slice(-8)}`,
              },
            ]
          : [];
      });
    }
    case 'order.created':
    case 'order.updated': {
      const rows = await db.execute<{
        id: string;
        customer_id: string;
        status: string;
        amount_fen: number;
        order_no: string;
        at: Date;
      }>(
        trigger.type === 'order.created'
          ? sql`select id, customer_id, status, amount_fen::float8 as amount_fen, order_no, created_at as at from orders
                where workspace_id = ${workspaceId} and created_at >= ${sinceIso} order by created_at desc limit ${limit}`
          : sql`select id, customer_id, status, amount_fen::float8 as amount_fen, order_no, updated_at as at from orders
                where workspace_id = ${workspaceId} and updated_at >= ${sinceIso}
                  and updated_at > created_at + interval '1 second' order by updated_at desc limit ${limit}`,
      );
      const latest = await latestByCustomer(rows.rows.map((row) => row.customer_id));
      return rows.rows.map((row) => ({
        workspaceId,
        triggerKey: `order:${row.id}`,
        at: new Date(row.at),
        order: { id: row.id, status: row.status, amountFen: Number(row.amount_fen) },
        customerId: row.customer_id,
        conversation: latest.get(row.customer_id),
        summary: `订单 ${row.order_no}`,
      }));
    }
    case 'schedule': {
      if (trigger.target.kind === 'segment') {
        const segment = await repo.findSegment(db, workspaceId, trigger.target.segmentId);
        if (!segment) return [];
        const where = await compileSegmentFilter(db, workspaceId, segment.filter as SegmentFilter, { strict: false });
        const rows = await db.execute<{ id: string }>(
          sql`select id from customers where ${visibleCustomers(workspaceId)} and ${where} order by id limit ${SCHEDULE_MAX_TARGETS}`,
        );
        const latest = await latestByCustomer(rows.rows.map((row) => row.id));
        return rows.rows.map((row) => ({
          workspaceId,
          triggerKey: `customer:${row.id}`,
          at: now,
          customerId: row.id,
          conversation: latest.get(row.id),
          summary: `客户 ${row.id.slice(-8)}`,
        }));
      }
      const rows = await db.execute<ConversationFacts>(
        sql`select ${conversationColumns} from conversations c where c.workspace_id = ${workspaceId}
            and c.status in ('open', 'pending') order by c.id limit ${SCHEDULE_MAX_TARGETS}`,
      );
      return rows.rows.map((conversation) => ({
        workspaceId,
        triggerKey: `conversation:${conversation.id}`,
        at: now,
        conversation,
        customerId: conversation.customerId,
        summary: `会话 ${conversation.id.slice(-8)}`,
      }));
    }
    case 'ticket.created':
    case 'ticket.updated':
    case 'ticket.sla_breached': {
      const rows = await db.execute<TicketOccurrence>(ticketOccurrences(workspaceId, trigger.type, sinceIso, limit));
      const conversations = await conversationsById(rows.rows.flatMap((row) => row.conversation_id ?? []));
      const latest = await latestByCustomer(
        rows.rows.flatMap((row) => (row.conversation_id ? [] : (row.customer_id ?? []))),
      );
      return rows.rows.map((row) => ({
        workspaceId,
        triggerKey: `ticket:${row.ticket_id}:${row.key}`,
        at: new Date(row.at),
        ticketId: row.ticket_id,
        customerId: row.customer_id ?? undefined,
        conversation: row.conversation_id
          ? conversations.get(row.conversation_id)
          : row.customer_id
            ? latest.get(row.customer_id)
            : undefined,
        summary: `工单 #${row.number}`,
      }));
    }
    default:
      return [];
  }
}

type TicketOccurrence = {
  ticket_id: string;
  number: number;
  customer_id: string | null;
  conversation_id: string | null;
  at: Date;
  key: string;
};

/**
 * The ticket events of the last days as the live engine saw them. Created: tickets a person created (the system's
 * tickets, from automation or surveys, carry `automation` and trigger no rule; they have no creator). Updated: one
 * event per change (the timeline entries one transaction wrote share its time), creation excluded. Breached: the
 * timeline's 「已超时」 entries, one per clock.
 */
function ticketOccurrences(workspaceId: string, type: string, sinceIso: string, limit: number) {
  const columns = sql`t.id as ticket_id, t.number, t.customer_id, t.conversation_id`;
  if (type === 'ticket.created') {
    return sql`select ${columns}, t.created_at as at, 'created' as key from tickets t
      where t.workspace_id = ${workspaceId} and t.created_at >= ${sinceIso} and t.created_by is not null
      order by t.created_at desc limit ${limit}`;
  }
  if (type === 'ticket.sla_breached') {
    return sql`select ${columns}, e.created_at as at, 'breached:' || (e.data ->> 'target') as key
      from ticket_events e join tickets t on t.id = e.ticket_id
      where e.workspace_id = ${workspaceId} and e.kind = 'sla_breached' and e.created_at >= ${sinceIso}
      order by e.created_at desc limit ${limit}`;
  }
  return sql`select ${columns}, e.at, 'updated:' || to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as key
    from (select ticket_id, created_at as at from ticket_events
          where workspace_id = ${workspaceId} and created_at >= ${sinceIso}
          group by ticket_id, created_at
          having bool_and(kind <> 'created') and bool_or(kind not in ('sla_breached', 'message'))) e
    join tickets t on t.id = e.ticket_id
    order by e.at desc limit ${limit}`;
}
