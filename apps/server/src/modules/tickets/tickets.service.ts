import {
  type BulkTicketChanges,
  builtInTicketCategories,
  type bulkTicketBody,
  type createSlaPolicyBody,
  type createTicketBody,
  type createTicketCategoryBody,
  type createTicketViewBody,
  type SlaPolicy,
  type SlaTarget,
  type Ticket,
  type TicketCategory,
  type TicketFilters,
  type TicketListQuery,
  type TicketRow,
  type TicketSeverity,
  type TicketStatus,
  type TicketTimelineEntry,
  type TicketView,
  ticketTransitions,
  type updateSlaPolicyBody,
  type updateTicketBody,
  type updateTicketCategoryBody,
  type updateTicketViewBody,
} from '@huike/contracts';
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import {
  conversations,
  customers,
  messages,
  orders,
  slaPolicies,
  teams,
  ticketCategories,
  ticketCounters,
  ticketEvents,
  ticketOrders,
  tickets,
  ticketViews,
  ticketWatchers,
  users,
} from '../../db/schema.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import {
  containsPattern,
  decodeCursor,
  type Executor,
  encodeCursor,
  workspaceTimezone,
} from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { type AutomationSource, type Emit, type EventBus, publishingTransaction } from '../../platform/events.ts';
import type { Files } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { type AuditService, changedFields, hasChanges } from '../audit/index.ts';
import { agentAttachmentUrl, resolveAttachments } from '../conversations/index.ts';
import {
  CLOCK_PREFIX,
  CLOCK_TARGETS,
  calendarFor,
  nextDueSql,
  pauseClocks,
  presentClocks,
  restartClocks,
  resumeClocks,
  retargetClocks,
  startClocks,
  stopClocks,
  type TicketRecord,
} from './sla-clocks.ts';

export type CanAgentTake = (
  executor: Executor,
  workspaceId: string,
  userId: string,
  inboxId: string,
) => Promise<boolean>;

const BUILT_IN_CATEGORY_NAMES: Record<(typeof builtInTicketCategories)[number], string> = {
  inquiry: '咨询',
  logistics: '物流',
  return: '退换货',
  complaint: '投诉',
  other: '其他',
};

/** Status names as the web shows them, for messages in Chinese. */
const STATUS_NAMES: Record<TicketStatus, string> = {
  new: '新建',
  open: '处理中',
  waiting_customer: '等待客户',
  waiting_third_party: '等待第三方',
  resolved: '已解决',
  closed: '已关闭',
};

const BUILT_IN_VIEWS = [
  { key: 'my_overdue', name: '我的逾期', filters: { assignee: 'mine', sla: 'overdue', status: 'active' } },
  { key: 'complaints_today', name: '今日投诉', filters: { category: 'complaint', created: 'today' } },
] as const;

/** A merged duplicate stays closed: it is neither resolved nor open again (reports count it as neither). */
const canMove = (row: { status: TicketStatus; mergedIntoId: string | null }, to: TicketStatus) =>
  !row.mergedIntoId && ticketTransitions[row.status].includes(to);

const SEVERITY_RANK = sql`(case ${tickets.severity} when 'urgent' then 3 when 'serious' then 2 else 1 end)`;
const RAISED: Record<TicketSeverity, TicketSeverity> = { normal: 'serious', serious: 'urgent', urgent: 'urgent' };
const STAFF_ROLES = ['owner', 'admin', 'supervisor', 'agent'] as const;
const SUPERVISOR_ROLES = ['owner', 'admin', 'supervisor'] as const;
/** A chatty buyer's messages matching a rule again add one note per ticket and rule in this many minutes. */
const REPEAT_NOTE_MINUTES = 10;
const MAX_BULK = 5000;
const SWEEP_BATCH = 500;

export type CreateSystemTicketInput = {
  workspaceId: string;
  subject: string;
  description?: string;
  category?: string;
  severity?: TicketSeverity;
  customerId?: string | null;
  conversationId?: string | null;
  assigneeId?: string | null;
  teamId?: string | null;
  /** Set when automation created it: automation rules never react to their own tickets. */
  source?: AutomationSource;
  /** With a conversation: answer its unfinished ticket instead of opening a second (automation's create_ticket). */
  reuseOpenTicket?: boolean;
  /** An internal note for a reused ticket, at most one per source every REPEAT_NOTE_MINUTES. */
  repeatNote?: string;
};

type Dependencies = {
  db: Db;
  events: EventBus;
  audit: AuditService;
  files: Files;
  realtime: Realtime;
  canAgentTake?: CanAgentTake;
  log: (error: unknown, context: Record<string, unknown>) => void;
};

export type TicketsService = ReturnType<typeof createTicketsService>;

export function createTicketsService({ db, events, audit, files, realtime, canAgentTake, log }: Dependencies) {
  // ---------------------------------------------------------------------------------------------------------
  // Loading and presenting

  async function loadTicket(executor: Executor, workspaceId: string, id: string, forUpdate = false) {
    const query = executor
      .select()
      .from(tickets)
      .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, id)));
    const [row] = forUpdate ? await query.for('update') : await query;
    if (!row) throw new AppError('ticket.not_found', '工单不存在');
    return row;
  }

  /** The distinct non-null ids (drizzle's inArray of none is `false`, so an empty list needs no sentinel). */
  const distinctIds = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];

  async function present(executor: Executor, rows: TicketRecord[], now = new Date()): Promise<TicketRow[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const workspaceId = rows[0]!.workspaceId;
    // One query after another: the executor may be a transaction, which has a single connection.
    const orderRows = await executor
      .select({ ticketId: ticketOrders.ticketId, orderId: ticketOrders.orderId })
      .from(ticketOrders)
      .where(and(eq(ticketOrders.workspaceId, workspaceId), inArray(ticketOrders.ticketId, ids)));
    const watcherRows = await executor
      .select({ ticketId: ticketWatchers.ticketId, userId: ticketWatchers.userId })
      .from(ticketWatchers)
      .where(and(eq(ticketWatchers.workspaceId, workspaceId), inArray(ticketWatchers.ticketId, ids)));
    const customerRows = await executor
      .select({
        id: customers.id,
        name: sql<string | null>`coalesce(${customers.name}, ${customers.nickname})`,
        tier: customers.rfmTier,
      })
      .from(customers)
      .where(
        and(eq(customers.workspaceId, workspaceId), inArray(customers.id, distinctIds(rows.map((r) => r.customerId)))),
      );
    const userRows = await executor
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), inArray(users.id, distinctIds(rows.map((r) => r.assigneeId)))));
    const policyRows = await executor
      .select({ id: slaPolicies.id, hours: slaPolicies.hours })
      .from(slaPolicies)
      .where(eq(slaPolicies.workspaceId, workspaceId));
    const customerById = new Map(customerRows.map((c) => [c.id, c]));
    const userName = new Map(userRows.map((u) => [u.id, u.name]));
    const hoursOf = new Map(policyRows.map((p) => [p.id, p.hours]));
    const calendars = new Map<string, Awaited<ReturnType<typeof calendarFor>>>();
    const out: TicketRow[] = [];
    for (const row of rows) {
      const hours = row.slaPolicyId ? (hoursOf.get(row.slaPolicyId) ?? 'calendar') : 'calendar';
      const key = `${hours}:${row.inboxId ?? ''}`;
      let calendar = calendars.get(key);
      if (!calendar) {
        calendar = await calendarFor(executor, workspaceId, row.inboxId, hours);
        calendars.set(key, calendar);
      }
      const customer = row.customerId ? customerById.get(row.customerId) : undefined;
      out.push({
        ...toTicketBase(row),
        orderIds: orderRows.filter((o) => o.ticketId === row.id).map((o) => o.orderId),
        watcherIds: watcherRows.filter((w) => w.ticketId === row.id).map((w) => w.userId),
        clocks: presentClocks(row, calendar, now),
        customerName: customer?.name ?? null,
        customerTier: customer?.tier ?? null,
        assigneeName: row.assigneeId ? (userName.get(row.assigneeId) ?? null) : null,
      });
    }
    return out;
  }

  const toTicketBase = (row: TicketRecord) => ({
    id: row.id,
    number: row.number,
    subject: row.subject,
    description: row.description,
    category: row.category,
    severity: row.severity,
    status: row.status,
    customerId: row.customerId,
    conversationId: row.conversationId,
    assigneeId: row.assigneeId,
    teamId: row.teamId,
    slaPolicyId: row.slaPolicyId,
    mergedIntoId: row.mergedIntoId,
    firstRespondedAt: row.firstRespondedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });

  /** The `Ticket` of events (no display names). */
  const asTicket = ({ customerName: _c, assigneeName: _a, customerTier: _t, ...row }: TicketRow): Ticket => ({
    ...row,
    clocks: row.clocks.map(({ target, dueAt, pausedRemainingSeconds, metAt, breachedAt }) => ({
      target,
      dueAt,
      pausedRemainingSeconds,
      metAt,
      breachedAt,
    })),
  });

  async function presentOne(executor: Executor, row: TicketRecord) {
    return (await present(executor, [row]))[0]!;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Validation helpers

  async function ensureCategories(executor: Executor, workspaceId: string) {
    await executor
      .insert(ticketCategories)
      .values(
        builtInTicketCategories.map((key, position) => ({
          id: newId(),
          workspaceId,
          key,
          name: BUILT_IN_CATEGORY_NAMES[key],
          position,
          isBuiltIn: true,
        })),
      )
      .onConflictDoNothing();
  }

  async function assertCategory(executor: Executor, workspaceId: string, key: string) {
    if ((builtInTicketCategories as readonly string[]).includes(key)) return;
    const [row] = await executor
      .select({ archived: ticketCategories.archived })
      .from(ticketCategories)
      .where(and(eq(ticketCategories.workspaceId, workspaceId), eq(ticketCategories.key, key)));
    if (!row || row.archived) throw new AppError('ticket.unknown_category', `工单分类不存在：${key}`);
  }

  async function assertCustomer(executor: Executor, workspaceId: string, id: string) {
    const [row] = await executor
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)));
    if (!row) throw new AppError('customer.not_found', '客户不存在');
  }

  async function assertTeam(executor: Executor, workspaceId: string, id: string) {
    const [row] = await executor
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, id)));
    if (!row) throw new AppError('team.not_found', '团队不存在');
  }

  async function assertOrders(executor: Executor, workspaceId: string, ids: readonly string[]) {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return unique;
    const rows = await executor
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.workspaceId, workspaceId), inArray(orders.id, unique)));
    if (rows.length !== unique.length) throw new AppError('order.not_found', '订单不存在');
    return unique;
  }

  async function assertWatchers(executor: Executor, workspaceId: string, ids: readonly string[]) {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return unique;
    const rows = await executor
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), inArray(users.id, unique), eq(users.disabled, false)));
    if (rows.length !== unique.length) throw new AppError('ticket.invalid_watchers', '关注人不存在或已停用');
    return unique;
  }

  /** Routing's rule when the ticket has an inbox; otherwise any enabled staff member of the workspace. */
  async function assertAssignable(executor: Executor, workspaceId: string, userId: string, inboxId: string | null) {
    let ok: boolean;
    if (inboxId && canAgentTake) ok = await canAgentTake(executor, workspaceId, userId, inboxId);
    else {
      const [row] = await executor
        .select({ id: users.id })
        .from(users)
        .where(
          and(
            eq(users.workspaceId, workspaceId),
            eq(users.id, userId),
            eq(users.disabled, false),
            inArray(users.role, [...STAFF_ROLES]),
          ),
        );
      ok = !!row;
    }
    if (!ok) throw new AppError('ticket.assignee_unavailable', '该客服已停用或无权处理此渠道，不能指派工单');
  }

  async function userNames(executor: Executor, workspaceId: string, ids: (string | null)[]) {
    const wanted = [...new Set(ids.filter((v): v is string => !!v))];
    if (wanted.length === 0) return new Map<string, string>();
    const rows = await executor
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), inArray(users.id, wanted)));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async function addEvent(
    executor: Executor,
    input: {
      workspaceId: string;
      ticketId: string;
      kind: TicketTimelineEntry['kind'];
      actorId: string | null;
      body?: string | null;
      internal?: boolean;
      attachments?: { fileId: string; name: string; contentType: string; size: number }[];
      data?: Record<string, unknown> | null;
    },
  ) {
    await executor.insert(ticketEvents).values({
      id: newId(),
      workspaceId: input.workspaceId,
      ticketId: input.ticketId,
      kind: input.kind,
      actorId: input.actorId,
      body: input.body ?? null,
      internal: input.internal ?? true,
      attachments: input.attachments ?? [],
      data: input.data ?? null,
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // SLA policy match

  async function matchPolicy(
    executor: Executor,
    workspaceId: string,
    input: { category: string; severity: TicketSeverity; customerId: string | null },
  ) {
    let tier: string | null = null;
    if (input.customerId) {
      const [row] = await executor
        .select({ tier: customers.rfmTier })
        .from(customers)
        .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, input.customerId)));
      tier = row?.tier ?? null;
    }
    const policies = await executor
      .select()
      .from(slaPolicies)
      .where(and(eq(slaPolicies.workspaceId, workspaceId), eq(slaPolicies.enabled, true)))
      .orderBy(asc(slaPolicies.position), asc(slaPolicies.id));
    return policies.find(
      (p) =>
        (p.categories.length === 0 || p.categories.includes(input.category)) &&
        (p.severities.length === 0 || p.severities.includes(input.severity)) &&
        (p.customerTiers.length === 0 || (tier !== null && p.customerTiers.includes(tier))),
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // Create

  type CreateInput = z.output<typeof createTicketBody>;

  async function insertTicket(
    tx: Executor,
    workspaceId: string,
    actorId: string | null,
    input: CreateInput,
    prefillOrder: boolean,
  ) {
    let customerId = input.customerId ?? null;
    let inboxId: string | null = null;
    if (input.conversationId) {
      const [conversation] = await tx
        .select({ customerId: conversations.customerId, inboxId: conversations.inboxId })
        .from(conversations)
        .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, input.conversationId)));
      if (!conversation) throw new AppError('conversation.not_found', '会话不存在');
      customerId = customerId ?? conversation.customerId;
      inboxId = conversation.inboxId;
    }
    if (customerId) await assertCustomer(tx, workspaceId, customerId);
    await ensureCategories(tx, workspaceId);
    await assertCategory(tx, workspaceId, input.category);
    let orderIds = input.orderIds ? await assertOrders(tx, workspaceId, input.orderIds) : [];
    if (orderIds.length > 0) {
      const buyers = await tx
        .selectDistinct({ customerId: orders.customerId })
        .from(orders)
        .where(and(eq(orders.workspaceId, workspaceId), inArray(orders.id, orderIds)));
      if (customerId && buyers.some((buyer) => buyer.customerId !== customerId))
        throw new AppError('order.not_found', '订单不属于该客户');
      if (buyers.length > 1)
        throw new AppError('request.invalid', '所选订单属于不同客户，请分开建工单', { field: 'orderIds' });
      customerId = customerId ?? buyers[0]?.customerId ?? null;
    }
    if (!input.orderIds && prefillOrder && customerId && input.conversationId) {
      const [latest] = await tx
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.workspaceId, workspaceId), eq(orders.customerId, customerId)))
        .orderBy(desc(orders.placedAt))
        .limit(1);
      if (latest) orderIds = [latest.id];
    }
    if (input.teamId) await assertTeam(tx, workspaceId, input.teamId);
    if (input.assigneeId) await assertAssignable(tx, workspaceId, input.assigneeId, inboxId);
    const watcherIds = await assertWatchers(tx, workspaceId, input.watcherIds ?? []);

    const [counter] = await tx
      .insert(ticketCounters)
      .values({ workspaceId, lastNumber: 1 })
      .onConflictDoUpdate({
        target: ticketCounters.workspaceId,
        set: { lastNumber: sql`${ticketCounters.lastNumber} + 1` },
      })
      .returning({ number: ticketCounters.lastNumber });
    const now = new Date();
    const policy = await matchPolicy(tx, workspaceId, {
      category: input.category,
      severity: input.severity,
      customerId,
    });
    const clocks = policy
      ? startClocks(await calendarFor(tx, workspaceId, inboxId, policy.hours), now, {
          first_response: policy.firstResponseMinutes,
          resolution: policy.resolutionMinutes,
          escalation: policy.escalationMinutes,
        })
      : {};
    const id = newId();
    const [row] = await tx
      .insert(tickets)
      .values({
        id,
        workspaceId,
        number: counter!.number,
        subject: input.subject,
        description: input.description,
        category: input.category,
        severity: input.severity,
        status: input.assigneeId ? 'open' : 'new',
        customerId,
        conversationId: input.conversationId ?? null,
        inboxId,
        assigneeId: input.assigneeId ?? null,
        teamId: input.teamId ?? null,
        slaPolicyId: policy?.id ?? null,
        createdBy: actorId,
        createdAt: now,
        updatedAt: now,
        ...clocks,
      })
      .returning();
    if (orderIds.length > 0)
      await tx.insert(ticketOrders).values(orderIds.map((orderId) => ({ workspaceId, ticketId: id, orderId })));
    if (watcherIds.length > 0)
      await tx.insert(ticketWatchers).values(watcherIds.map((userId) => ({ workspaceId, ticketId: id, userId })));
    await addEvent(tx, {
      workspaceId,
      ticketId: id,
      kind: 'created',
      actorId,
      data: { slaPolicy: policy?.name ?? null, assigneeId: input.assigneeId ?? null },
    });
    return row!;
  }

  /**
   * Emits a ticket's changes (publishingTransaction): ticket.updated, and ticket.resolved / ticket.reopened. Closing a
   * ticket that was not resolved finishes it too (resolvedAt is the close time), so it is also ticket.resolved;
   * closing a resolved one is not resolved again.
   */
  async function emitChange(
    emit: Emit,
    workspaceId: string,
    performedBy: string | null,
    ticket: TicketRow,
    changes: string[],
    status?: { from: TicketStatus; to: TicketStatus },
  ) {
    if (changes.length === 0) return;
    const base = { workspaceId, performedBy, ticket: asTicket(ticket) };
    await emit({ type: 'ticket.updated', ...base, changes });
    if (status?.to === 'resolved' || (status?.to === 'closed' && status.from !== 'resolved'))
      await emit({ type: 'ticket.resolved', ...base });
    if (status && (status.from === 'resolved' || status.from === 'closed') && status.to === 'open')
      await emit({ type: 'ticket.reopened', ...base });
  }

  /** The calendar a ticket's clocks count in, from its SLA policy's hours. */
  async function policyCalendar(executor: Executor, row: TicketRecord) {
    const [policy] = row.slaPolicyId
      ? await executor.select({ hours: slaPolicies.hours }).from(slaPolicies).where(eq(slaPolicies.id, row.slaPolicyId))
      : [];
    return calendarFor(executor, row.workspaceId, row.inboxId, policy?.hours ?? 'calendar');
  }

  /**
   * The category, severity or customer changed: the policy they now match takes over the clocks still running
   * (recorded on the timeline). When none matches, the current policy stays.
   */
  async function rematchPolicy(
    tx: Executor,
    row: TicketRecord,
    changed: TicketRecord,
    actorId: string | null,
    now: Date,
  ): Promise<Partial<TicketRecord>> {
    const policy = await matchPolicy(tx, row.workspaceId, changed);
    if (!policy || policy.id === row.slaPolicyId) return {};
    const calendar = await calendarFor(tx, row.workspaceId, row.inboxId, policy.hours);
    const [previous] = row.slaPolicyId
      ? await tx.select({ name: slaPolicies.name }).from(slaPolicies).where(eq(slaPolicies.id, row.slaPolicyId))
      : [];
    await addEvent(tx, {
      workspaceId: row.workspaceId,
      ticketId: row.id,
      kind: 'sla_changed',
      actorId,
      data: { fromPolicy: previous?.name ?? null, toPolicy: policy.name },
    });
    return {
      slaPolicyId: policy.id,
      ...retargetClocks(
        row,
        calendar,
        {
          first_response: policy.firstResponseMinutes,
          resolution: policy.resolutionMinutes,
          escalation: policy.escalationMinutes,
        },
        now,
      ),
    };
  }

  /**
   * The rule matched again on a ticket it reused: an internal note, so the agent working it sees the repeated
   * request; unless this source noted it within REPEAT_NOTE_MINUTES (the ticket's own events decide, so every
   * process agrees; the caller holds the conversation's lock).
   */
  async function addRepeatNote(
    tx: Executor,
    emit: Emit,
    row: TicketRecord,
    note: string,
    source: AutomationSource | undefined,
  ) {
    const now = new Date();
    const repeatOf = source?.id ?? 'system';
    const [recent] = await tx
      .select({ id: ticketEvents.id })
      .from(ticketEvents)
      .where(
        and(
          eq(ticketEvents.ticketId, row.id),
          eq(ticketEvents.kind, 'comment'),
          sql`${ticketEvents.data}->>'repeatOf' = ${repeatOf}`,
          sql`${ticketEvents.createdAt} > ${new Date(now.getTime() - REPEAT_NOTE_MINUTES * 60_000)}`,
        ),
      )
      .limit(1);
    if (recent) return row;
    await addEvent(tx, {
      workspaceId: row.workspaceId,
      ticketId: row.id,
      kind: 'comment',
      actorId: null,
      body: note,
      data: { repeatOf },
    });
    const [updated] = await tx.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, row.id)).returning();
    const ticket = asTicket(await presentOne(tx, updated!));
    await emit({
      type: 'ticket.updated',
      workspaceId: row.workspaceId,
      performedBy: null,
      ticket,
      changes: ['comment'],
      ...(source ? { automation: source } : {}),
    });
    return updated!;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Update (fields, status machine, hand-over)

  type Changes = z.output<typeof updateTicketBody>;

  async function applyChanges(
    tx: Executor,
    row: TicketRecord,
    actorId: string | null,
    changes: Changes,
    now = new Date(),
  ): Promise<{ row: TicketRecord; changed: string[]; status?: { from: TicketStatus; to: TicketStatus } }> {
    const { workspaceId } = row;
    let set: Partial<TicketRecord> = {};
    const changed: string[] = [];
    let statusChange: { from: TicketStatus; to: TicketStatus } | undefined;

    for (const field of ['subject', 'description', 'category', 'severity', 'teamId', 'customerId'] as const) {
      const value = changes[field];
      if (value === undefined || value === row[field]) continue;
      if (field === 'category') await assertCategory(tx, workspaceId, value as string);
      if (field === 'teamId' && value) await assertTeam(tx, workspaceId, value as string);
      if (field === 'customerId' && value) await assertCustomer(tx, workspaceId, value as string);
      set = { ...set, [field]: value };
      changed.push(field);
      await addEvent(tx, {
        workspaceId,
        ticketId: row.id,
        kind: 'field_changed',
        actorId,
        data: { field, from: field === 'description' ? null : row[field], to: field === 'description' ? null : value },
      });
    }

    if (changes.assigneeId !== undefined && changes.assigneeId !== row.assigneeId) {
      if (changes.assigneeId) await assertAssignable(tx, workspaceId, changes.assigneeId, row.inboxId);
      const names = await userNames(tx, workspaceId, [row.assigneeId, changes.assigneeId]);
      set = { ...set, assigneeId: changes.assigneeId };
      changed.push('assigneeId');
      await addEvent(tx, {
        workspaceId,
        ticketId: row.id,
        kind: 'assigned',
        actorId,
        data: {
          fromId: row.assigneeId,
          toId: changes.assigneeId,
          fromName: row.assigneeId ? (names.get(row.assigneeId) ?? null) : null,
          toName: changes.assigneeId ? (names.get(changes.assigneeId) ?? null) : null,
        },
      });
      if (changes.assigneeId && row.status === 'new' && !changes.status) changes = { ...changes, status: 'open' };
    }

    if (changed.some((field) => field === 'category' || field === 'severity' || field === 'customerId')) {
      const retargeted = await rematchPolicy(tx, row, { ...row, ...set }, actorId, now);
      if (retargeted.slaPolicyId) changed.push('slaPolicyId');
      set = { ...set, ...retargeted };
    }

    if (changes.status !== undefined && changes.status !== row.status) {
      const from = row.status;
      const to = changes.status;
      if (row.mergedIntoId)
        throw new AppError('ticket.invalid_transition', '已合并的工单不能再改状态，请在合并后的工单上继续处理', {
          from,
          to,
        });
      if (!canMove(row, to))
        throw new AppError(
          'ticket.invalid_transition',
          `工单状态不能从「${STATUS_NAMES[from]}」改为「${STATUS_NAMES[to]}」`,
          { from, to },
        );
      const current = { ...row, ...set } as TicketRecord;
      const calendar = await policyCalendar(tx, current);
      set = { ...set, status: to };
      if (to === 'waiting_customer') set = { ...set, ...pauseClocks(current, calendar, now) };
      if (from === 'waiting_customer' && to !== 'resolved' && to !== 'closed')
        set = { ...set, ...resumeClocks(current, calendar, now) };
      if (to === 'resolved' || to === 'closed') {
        set = { ...set, ...stopClocks(current, now) };
        if (to === 'resolved') set = { ...set, resolvedAt: now };
        if (to === 'closed') set = { ...set, closedAt: now, resolvedAt: row.resolvedAt ?? now };
      }
      if ((from === 'resolved' || from === 'closed') && to === 'open')
        set = { ...set, resolvedAt: null, closedAt: null, ...restartClocks(current, calendar, now) };
      changed.push('status');
      statusChange = { from, to };
      await addEvent(tx, { workspaceId, ticketId: row.id, kind: 'status_changed', actorId, data: { from, to } });
    }

    if (changes.orderIds !== undefined) {
      const wanted = await assertOrders(tx, workspaceId, changes.orderIds);
      const current = (
        await tx.select({ id: ticketOrders.orderId }).from(ticketOrders).where(eq(ticketOrders.ticketId, row.id))
      ).map((r) => r.id);
      const added = wanted.filter((id) => !current.includes(id));
      const removed = current.filter((id) => !wanted.includes(id));
      if (added.length + removed.length > 0) {
        if (removed.length > 0)
          await tx
            .delete(ticketOrders)
            .where(and(eq(ticketOrders.ticketId, row.id), inArray(ticketOrders.orderId, removed)));
        if (added.length > 0)
          await tx.insert(ticketOrders).values(added.map((orderId) => ({ workspaceId, ticketId: row.id, orderId })));
        changed.push('orderIds');
        await addEvent(tx, {
          workspaceId,
          ticketId: row.id,
          kind: 'orders_changed',
          actorId,
          data: { added, removed },
        });
      }
    }

    if (changes.watcherIds !== undefined) {
      const current = (
        await tx.select({ id: ticketWatchers.userId }).from(ticketWatchers).where(eq(ticketWatchers.ticketId, row.id))
      ).map((r) => r.id);
      const added = changes.watcherIds.filter((id, i, all) => !current.includes(id) && all.indexOf(id) === i);
      await assertWatchers(tx, workspaceId, added);
      const removed = current.filter((id) => !changes.watcherIds!.includes(id));
      if (added.length + removed.length > 0) {
        if (removed.length > 0)
          await tx
            .delete(ticketWatchers)
            .where(and(eq(ticketWatchers.ticketId, row.id), inArray(ticketWatchers.userId, removed)));
        if (added.length > 0)
          await tx.insert(ticketWatchers).values(added.map((userId) => ({ workspaceId, ticketId: row.id, userId })));
        changed.push('watcherIds');
        await addEvent(tx, {
          workspaceId,
          ticketId: row.id,
          kind: 'watchers_changed',
          actorId,
          data: { added, removed },
        });
      }
    }

    if (changed.length === 0) return { row, changed };
    const [updated] = await tx
      .update(tickets)
      .set({ ...set, updatedAt: now })
      .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, row.id)))
      .returning();
    return { row: updated!, changed, status: statusChange };
  }

  // ---------------------------------------------------------------------------------------------------------
  // List

  async function filterConditions(executor: Executor, actor: Actor, filters: TicketFilters): Promise<SQL[]> {
    const where: SQL[] = [eq(tickets.workspaceId, actor.workspaceId)];
    if (filters.status === 'active') where.push(sql`${tickets.status} not in ('resolved', 'closed')`);
    else if (filters.status) where.push(eq(tickets.status, filters.status));
    if (filters.category) where.push(eq(tickets.category, filters.category));
    if (filters.severity) where.push(eq(tickets.severity, filters.severity));
    if (filters.assignee === 'mine') where.push(eq(tickets.assigneeId, actor.userId));
    else if (filters.assignee === 'unassigned') where.push(isNull(tickets.assigneeId));
    else if (filters.assignee) where.push(eq(tickets.assigneeId, filters.assignee));
    if (filters.teamId) where.push(eq(tickets.teamId, filters.teamId));
    if (filters.customerId) where.push(eq(tickets.customerId, filters.customerId));
    if (filters.conversationId) where.push(eq(tickets.conversationId, filters.conversationId));
    if (filters.sla === 'breached')
      where.push(
        sql`(${tickets.frBreachedAt} is not null or ${tickets.resBreachedAt} is not null or ${tickets.escBreachedAt} is not null)`,
      );
    if (filters.sla === 'overdue') {
      const overdue = (p: 'fr' | 'res' | 'esc') =>
        sql`(${sql.raw(`${p}_due_at`)} < now() and ${sql.raw(`${p}_met_at`)} is null and ${sql.raw(`${p}_paused_remaining`)} is null)`;
      where.push(sql`(${overdue('fr')} or ${overdue('res')} or ${overdue('esc')})`);
    }
    if (filters.created === 'today') {
      const tz = await workspaceTimezone(executor, actor.workspaceId);
      where.push(sql`${tickets.createdAt} >= (date_trunc('day', now() at time zone ${tz}) at time zone ${tz})`);
    }
    if (filters.createdFrom) where.push(sql`${tickets.createdAt} >= ${new Date(filters.createdFrom)}`);
    if (filters.createdTo) where.push(sql`${tickets.createdAt} < ${new Date(filters.createdTo)}`);
    if (filters.q) {
      const number = /^#?(\d{1,9})$/.exec(filters.q)?.[1];
      where.push(
        number
          ? sql`(${tickets.number} = ${Number(number)} or ${tickets.subject} ilike ${containsPattern(filters.q)})`
          : sql`${tickets.subject} ilike ${containsPattern(filters.q)}`,
      );
    }
    return where;
  }

  const sortSpec = (sort: TicketListQuery['sort'], order: TicketListQuery['order']) => {
    switch (sort) {
      case 'createdAt':
        return { expr: sql`${tickets.createdAt}`, cast: 'timestamptz', dir: order ?? 'desc' } as const;
      case 'number':
        return { expr: sql`${tickets.number}`, cast: 'int', dir: order ?? 'desc' } as const;
      case 'severity':
        return { expr: SEVERITY_RANK, cast: 'int', dir: order ?? 'desc' } as const;
      case 'dueAt':
        return {
          expr: sql`coalesce(${nextDueSql}, 'infinity'::timestamptz)`,
          cast: 'timestamptz',
          dir: order ?? 'asc',
        } as const;
      default:
        return { expr: sql`${tickets.updatedAt}`, cast: 'timestamptz', dir: order ?? 'desc' } as const;
    }
  };

  async function listRows(executor: Executor, actor: Actor, query: TicketListQuery) {
    const where = await filterConditions(executor, actor, query);
    const spec = sortSpec(query.sort, query.order);
    const cursor = decodeCursor(query.cursor);
    if (cursor) {
      const [value, id] = cursor;
      if (typeof id !== 'string' || (typeof value !== 'string' && typeof value !== 'number'))
        throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
      const typed = sql`${String(value)}::${sql.raw(spec.cast)}`;
      where.push(
        spec.dir === 'desc'
          ? sql`(${spec.expr}, ${tickets.id}) < (${typed}, ${id}::uuid)`
          : sql`(${spec.expr}, ${tickets.id}) > (${typed}, ${id}::uuid)`,
      );
    }
    const rows = await executor
      .select({ row: tickets, sortValue: sql<string | number>`${spec.expr}` })
      .from(tickets)
      .where(and(...where))
      .orderBy(
        spec.dir === 'desc' ? sql`${spec.expr} desc` : sql`${spec.expr} asc`,
        spec.dir === 'desc' ? desc(tickets.id) : asc(tickets.id),
      )
      .limit(query.limit + 1);
    const more = rows.length > query.limit;
    const pageRows = rows.slice(0, query.limit);
    const last = pageRows.at(-1);
    const sortValue = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'number' ? v : String(v));
    return {
      rows: pageRows.map((r) => r.row),
      nextCursor: more && last ? encodeCursor([sortValue(last.sortValue), last.row.id]) : null,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // First response

  async function recordFirstResponse(
    tx: Executor,
    row: TicketRecord,
    responderId: string,
    at: Date,
  ): Promise<{ row: TicketRecord; changed: string[] }> {
    const changed: string[] = [];
    let set: Partial<TicketRecord> = {};
    if (!row.firstRespondedAt) {
      set = { ...set, firstRespondedAt: at };
      if (row.frTargetSeconds !== null && !row.frMetAt) set = { ...set, frMetAt: at };
      changed.push('firstRespondedAt');
    }
    // 首问负责制: the first agent to reply on an unassigned ticket owns it.
    if (!row.assigneeId && !row.resolvedAt) {
      let ok = true;
      try {
        await assertAssignable(tx, row.workspaceId, responderId, row.inboxId);
      } catch {
        ok = false;
      }
      if (ok) {
        const names = await userNames(tx, row.workspaceId, [responderId]);
        set = { ...set, assigneeId: responderId, ...(row.status === 'new' ? { status: 'open' as const } : {}) };
        changed.push('assigneeId');
        await addEvent(tx, {
          workspaceId: row.workspaceId,
          ticketId: row.id,
          kind: 'assigned',
          actorId: responderId,
          data: {
            fromId: null,
            toId: responderId,
            fromName: null,
            toName: names.get(responderId) ?? null,
            reason: 'first_responder',
          },
        });
      }
    }
    if (changed.length === 0) return { row, changed };
    const [updated] = await tx
      .update(tickets)
      .set({ ...set, updatedAt: at })
      .where(eq(tickets.id, row.id))
      .returning();
    return { row: updated!, changed };
  }

  // ---------------------------------------------------------------------------------------------------------
  // SLA sweep

  async function supervisors(workspaceId: string) {
    return db
      .select({ id: users.id })
      .from(users)
      .where(
        and(eq(users.workspaceId, workspaceId), inArray(users.role, [...SUPERVISOR_ROLES]), eq(users.disabled, false)),
      );
  }

  /** One clock's breached tickets: marked once (`… where breached_at is null returning`), recorded, escalated. */
  async function sweepTarget(target: SlaTarget, now: Date) {
    const p = CLOCK_PREFIX[target];
    const handled: { row: TicketRecord; notifySupervisors: boolean; escalated: boolean }[] = [];
    for (;;) {
      const batch = await publishingTransaction(db, events, async (tx, emit) => {
        const marked = await tx.execute<{ id: string }>(sql`
          update tickets set ${sql.raw(`${p}_breached_at`)} = ${now}, updated_at = ${now}
          where id in (
            select id from tickets
            where ${sql.raw(`${p}_due_at`)} < ${now} and ${sql.raw(`${p}_met_at`)} is null
              and ${sql.raw(`${p}_breached_at`)} is null and ${sql.raw(`${p}_paused_remaining`)} is null
            order by ${sql.raw(`${p}_due_at`)}
            limit ${SWEEP_BATCH}
            for update skip locked
          ) and ${sql.raw(`${p}_breached_at`)} is null
          returning id`);
        const ids = marked.rows.map((r) => r.id);
        if (ids.length === 0) return [];
        const rows = await tx.select().from(tickets).where(inArray(tickets.id, ids));
        const policyIds = [...new Set(rows.map((r) => r.slaPolicyId).filter((v): v is string => !!v))];
        const policies = policyIds.length
          ? await tx.select().from(slaPolicies).where(inArray(slaPolicies.id, policyIds))
          : [];
        const policyById = new Map(policies.map((pol) => [pol.id, pol]));
        const out: typeof handled = [];
        // One insert for the batch's timeline entries.
        await tx.insert(ticketEvents).values(
          rows.map((row) => ({
            id: newId(),
            workspaceId: row.workspaceId,
            ticketId: row.id,
            kind: 'sla_breached',
            actorId: null,
            data: { target },
            createdAt: now,
          })),
        );
        // Escalation actions, decided per ticket, written as one update per distinct change and one event insert.
        const eventRows: (typeof ticketEvents.$inferInsert)[] = [];
        const changes = new Map<string, { ids: string[]; set: Partial<TicketRecord> }>();
        const assignable = new Map<string, boolean>();
        const escalatedIds = new Set<string>();
        for (const row of rows) {
          const escalation = row.slaPolicyId ? policyById.get(row.slaPolicyId)?.escalation : null;
          if (target !== 'escalation' || !escalation) continue;
          const set: Partial<TicketRecord> = {};
          const actions: string[] = [];
          if (escalation.raiseSeverity && row.severity !== 'urgent') {
            set.severity = RAISED[row.severity];
            actions.push('raise_severity');
          }
          if (escalation.teamId && escalation.teamId !== row.teamId) {
            set.teamId = escalation.teamId;
            actions.push('reassign_team');
          }
          if (escalation.assigneeId && escalation.assigneeId !== row.assigneeId) {
            const key = `${row.workspaceId}:${escalation.assigneeId}:${row.inboxId ?? ''}`;
            let ok = assignable.get(key);
            if (ok === undefined) {
              ok = await assertAssignable(tx, row.workspaceId, escalation.assigneeId, row.inboxId).then(
                () => true,
                () => false,
              );
              assignable.set(key, ok);
            }
            if (ok) {
              set.assigneeId = escalation.assigneeId;
              actions.push('reassign');
              eventRows.push({
                id: newId(),
                workspaceId: row.workspaceId,
                ticketId: row.id,
                kind: 'assigned',
                actorId: null,
                createdAt: now,
                data: { fromId: row.assigneeId, toId: escalation.assigneeId, reason: 'sla_escalation' },
              });
            }
          }
          if (escalation.notifySupervisors) actions.push('notify_supervisors');
          // A raised severity can match another SLA policy: re-matched as when a person raises it.
          if (set.severity) Object.assign(set, await rematchPolicy(tx, row, { ...row, ...set }, null, now));
          eventRows.push({
            id: newId(),
            workspaceId: row.workspaceId,
            ticketId: row.id,
            kind: 'escalated',
            actorId: null,
            createdAt: now,
            data: { target, actions, fromSeverity: row.severity, toSeverity: set.severity ?? row.severity },
          });
          escalatedIds.add(row.id);
          if (Object.keys(set).length > 0) {
            const key = JSON.stringify(set);
            const group = changes.get(key) ?? { ids: [], set };
            group.ids.push(row.id);
            changes.set(key, group);
          }
        }
        // Names on hand-over entries, as a person-made hand-over records them.
        const assignedEvents = eventRows.filter((e) => e.kind === 'assigned');
        if (assignedEvents.length > 0) {
          // The batch spans workspaces; the ids come from the tickets' own rows and policies.
          const ids = [
            ...new Set(
              assignedEvents
                .flatMap((e) => [e.data!.fromId as string | null, e.data!.toId as string | null])
                .filter((v): v is string => !!v),
            ),
          ];
          const who = new Map(
            (await tx.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids))).map(
              (u) => [u.id, u.name] as const,
            ),
          );
          for (const e of assignedEvents) {
            const data = e.data as { fromId: string | null; toId: string };
            e.data = {
              ...data,
              fromName: data.fromId ? (who.get(data.fromId) ?? null) : null,
              toName: who.get(data.toId) ?? null,
            };
          }
        }
        if (eventRows.length > 0) await tx.insert(ticketEvents).values(eventRows);
        const updated = new Map<string, TicketRecord>();
        for (const { ids: groupIds, set } of changes.values()) {
          for (const row of await tx.update(tickets).set(set).where(inArray(tickets.id, groupIds)).returning())
            updated.set(row.id, row);
        }
        for (const row of rows) {
          const escalation = row.slaPolicyId ? policyById.get(row.slaPolicyId)?.escalation : null;
          out.push({
            row: updated.get(row.id) ?? row,
            notifySupervisors: escalation ? escalation.notifySupervisors : true,
            escalated: escalatedIds.has(row.id),
          });
        }
        const escalated = out.filter((item) => item.escalated).map((item) => item.row);
        const presented = escalated.length > 0 ? await present(tx, escalated, now) : [];
        for (const [i, ticket] of presented.entries()) {
          const rematched = ticket.slaPolicyId !== rows.find((row) => row.id === ticket.id)?.slaPolicyId;
          await emitChange(emit, escalated[i]!.workspaceId, null, ticket, [
            'escalated',
            ...(rematched ? ['slaPolicyId'] : []),
          ]);
        }
        return out;
      });
      handled.push(...batch);
      if (batch.length < SWEEP_BATCH) break;
    }
    return handled;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Public API

  /** Two categories of one name could not be told apart in any list (the same name differently spaced counts too). */
  async function assertCategoryNameFree(workspaceId: string, name: string, exceptId?: string) {
    const [clash] = await db
      .select({ id: ticketCategories.id })
      .from(ticketCategories)
      .where(
        and(
          eq(ticketCategories.workspaceId, workspaceId),
          sql`lower(trim(${ticketCategories.name})) = lower(trim(${name}))`,
          exceptId ? sql`${ticketCategories.id} <> ${exceptId}` : undefined,
        ),
      );
    if (clash) throw new AppError('ticket_category.name_taken', `已有名为「${name.trim()}」的工单分类`);
  }

  return {
    async list(actor: Actor, query: TicketListQuery) {
      assertCan(actor, 'tickets:read');
      const { rows, nextCursor } = await listRows(db, actor, query);
      return { items: await present(db, rows), nextCursor };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'tickets:read');
      return presentOne(db, await loadTicket(db, actor.workspaceId, id));
    },

    async create(actor: Actor, input: CreateInput) {
      assertCan(actor, 'tickets:write');
      return publishingTransaction(db, events, async (tx, emit) => {
        const ticket = await presentOne(tx, await insertTicket(tx, actor.workspaceId, actor.userId, input, true));
        await emit({
          type: 'ticket.created',
          workspaceId: actor.workspaceId,
          performedBy: actor.userId,
          ticket: asTicket(ticket),
        });
        return ticket;
      });
    },

    async update(actor: Actor, id: string, changes: Changes) {
      assertCan(actor, 'tickets:write');
      return publishingTransaction(db, events, async (tx, emit) => {
        const row = await loadTicket(tx, actor.workspaceId, id, true);
        const result = await applyChanges(tx, row, actor.userId, changes);
        const ticket = await presentOne(tx, result.row);
        await emitChange(emit, actor.workspaceId, actor.userId, ticket, result.changed, result.status);
        return ticket;
      });
    },

    async timeline(actor: Actor, id: string, query: { limit: number; messages: boolean }) {
      assertCan(actor, 'tickets:read');
      const row = await loadTicket(db, actor.workspaceId, id);
      const entries = await db
        .select({ event: ticketEvents, actorName: users.name })
        .from(ticketEvents)
        .leftJoin(users, eq(users.id, ticketEvents.actorId))
        .where(and(eq(ticketEvents.workspaceId, actor.workspaceId), eq(ticketEvents.ticketId, id)))
        .orderBy(desc(ticketEvents.id))
        .limit(query.limit);
      const items: TicketTimelineEntry[] = entries.map(({ event, actorName }) => ({
        id: event.id,
        kind: event.kind as TicketTimelineEntry['kind'],
        actorId: event.actorId,
        actorName: actorName ?? null,
        body: event.body,
        internal: event.internal,
        attachments: event.attachments.map((a) => ({ ...a, url: agentAttachmentUrl(a.fileId) })),
        data: event.data ?? null,
        createdAt: event.createdAt.toISOString(),
      }));
      if (query.messages && row.conversationId) {
        const recent = await db
          .select({
            id: messages.id,
            content: messages.content,
            private: messages.private,
            direction: messages.direction,
            senderKind: messages.senderKind,
            senderId: messages.senderId,
            senderName: users.name,
            attachments: messages.attachments,
            createdAt: messages.createdAt,
          })
          .from(messages)
          .leftJoin(users, eq(users.id, messages.senderId))
          .where(and(eq(messages.workspaceId, actor.workspaceId), eq(messages.conversationId, row.conversationId)))
          .orderBy(desc(messages.id))
          .limit(query.limit);
        for (const message of recent)
          items.push({
            id: message.id,
            kind: 'message',
            actorId: message.senderKind === 'agent' ? message.senderId : null,
            actorName: message.senderKind === 'agent' ? (message.senderName ?? null) : null,
            body: message.content,
            internal: message.private,
            attachments: (message.attachments ?? []).map((a) => ({ ...a, url: agentAttachmentUrl(a.fileId) })),
            data: { conversationId: row.conversationId, direction: message.direction, senderKind: message.senderKind },
            createdAt: message.createdAt.toISOString(),
          });
      }
      items.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
      return { items, nextCursor: null };
    },

    async comment(actor: Actor, id: string, input: { body: string; internal: boolean; attachmentIds: string[] }) {
      assertCan(actor, 'tickets:write');
      const now = new Date();
      const result = await publishingTransaction(db, events, async (tx, emit) => {
        let row = await loadTicket(tx, actor.workspaceId, id, true);
        const attachments = await resolveAttachments(tx, files, actor.workspaceId, input.attachmentIds);
        const eventId = newId();
        await tx.insert(ticketEvents).values({
          id: eventId,
          workspaceId: actor.workspaceId,
          ticketId: id,
          kind: 'comment',
          actorId: actor.userId,
          body: input.body,
          internal: input.internal,
          attachments,
          createdAt: now,
        });
        let changed: string[] = [];
        if (!input.internal) ({ row, changed } = await recordFirstResponse(tx, row, actor.userId, now));
        if (changed.length === 0)
          [row] = (await tx.update(tickets).set({ updatedAt: now }).where(eq(tickets.id, id)).returning()) as [
            TicketRecord,
          ];
        const ticket = await presentOne(tx, row);
        await emitChange(emit, actor.workspaceId, actor.userId, ticket, ['comment', ...changed]);
        return { eventId, attachments };
      });
      return {
        id: result.eventId,
        kind: 'comment' as const,
        actorId: actor.userId,
        actorName: actor.name,
        body: input.body,
        internal: input.internal,
        attachments: result.attachments.map((a) => ({ ...a, url: agentAttachmentUrl(a.fileId) })),
        data: null,
        createdAt: now.toISOString(),
      };
    },

    async merge(actor: Actor, sourceId: string, targetId: string) {
      assertCan(actor, 'tickets:manage');
      if (sourceId === targetId) throw new AppError('ticket.merge_invalid', '不能把工单合并到它自己');
      const now = new Date();
      return publishingTransaction(db, events, async (tx, emit) => {
        // Lock both in id order, so two merges of the same pair never deadlock.
        const locked = await tx
          .select()
          .from(tickets)
          .where(and(eq(tickets.workspaceId, actor.workspaceId), inArray(tickets.id, [sourceId, targetId])))
          .orderBy(asc(tickets.id))
          .for('update');
        const source = locked.find((t) => t.id === sourceId);
        const target = locked.find((t) => t.id === targetId);
        if (!source || !target) throw new AppError('ticket.not_found', '工单不存在');
        if (source.mergedIntoId) throw new AppError('ticket.merge_invalid', '该工单已被合并');
        if (target.mergedIntoId) throw new AppError('ticket.merge_invalid', '目标工单已被合并，请选择其他工单');
        await tx
          .update(ticketEvents)
          .set({ ticketId: targetId })
          .where(and(eq(ticketEvents.ticketId, sourceId), eq(ticketEvents.kind, 'comment')));
        await tx.execute(sql`
          insert into ticket_orders (workspace_id, ticket_id, order_id)
          select workspace_id, ${targetId}, order_id from ticket_orders where ticket_id = ${sourceId}
          on conflict do nothing`);
        await tx.delete(ticketOrders).where(eq(ticketOrders.ticketId, sourceId));
        await tx.execute(sql`
          insert into ticket_watchers (workspace_id, ticket_id, user_id)
          select workspace_id, ${targetId}, user_id from ticket_watchers where ticket_id = ${sourceId}
          on conflict do nothing`);
        await tx.delete(ticketWatchers).where(eq(ticketWatchers.ticketId, sourceId));
        const [mergedSource] = await tx
          .update(tickets)
          .set({ ...stopClocks(source, now), status: 'closed', closedAt: now, mergedIntoId: targetId, updatedAt: now })
          .where(eq(tickets.id, sourceId))
          .returning();
        const [mergedTarget] = await tx
          .update(tickets)
          .set({ updatedAt: now })
          .where(eq(tickets.id, targetId))
          .returning();
        await addEvent(tx, {
          workspaceId: actor.workspaceId,
          ticketId: sourceId,
          kind: 'merged',
          actorId: actor.userId,
          data: { targetId, targetNumber: target.number, fromStatus: source.status },
        });
        await addEvent(tx, {
          workspaceId: actor.workspaceId,
          ticketId: targetId,
          kind: 'merged_from',
          actorId: actor.userId,
          data: { sourceId, sourceNumber: source.number },
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'ticket.merged',
          targetType: 'ticket',
          targetId: targetId,
          details: { sourceId, sourceNumber: source.number, targetNumber: target.number },
        });
        const [presentedSource, presentedTarget] = await present(tx, [mergedSource!, mergedTarget!]);
        await emitChange(emit, actor.workspaceId, actor.userId, presentedSource!, ['status', 'mergedIntoId']);
        await emitChange(emit, actor.workspaceId, actor.userId, presentedTarget!, ['merged']);
        return presentedTarget!;
      });
    },

    async bulkUpdate(actor: Actor, input: z.output<typeof bulkTicketBody>) {
      assertCan(actor, 'tickets:manage');
      const now = new Date();
      return publishingTransaction(db, events, async (tx, emit) => {
        let ids: string[];
        if (input.ids) {
          const found = await tx
            .select({ id: tickets.id })
            .from(tickets)
            .where(and(eq(tickets.workspaceId, actor.workspaceId), inArray(tickets.id, input.ids)));
          if (found.length !== new Set(input.ids).size) throw new AppError('ticket.not_found', '部分工单不存在');
          ids = found.map((r) => r.id);
        } else {
          const where = await filterConditions(tx, actor, input.filter!);
          const found = await tx
            .select({ id: tickets.id })
            .from(tickets)
            .where(and(...where))
            .limit(MAX_BULK + 1);
          if (found.length > MAX_BULK)
            throw new AppError('request.invalid', `一次最多批量修改 ${MAX_BULK} 个工单，请缩小筛选范围`);
          ids = found.map((r) => r.id);
        }
        if (input.dryRun) return { matched: ids.length, updated: 0 };
        if (input.expectedCount !== undefined && input.expectedCount !== ids.length)
          throw new AppError('bulk.count_changed', `符合条件的工单数已变化（现在 ${ids.length} 个），请确认后重试`, {
            matched: ids.length,
          });
        if (input.changes.category) await assertCategory(tx, actor.workspaceId, input.changes.category);
        const rows = await tx
          .select()
          .from(tickets)
          .where(inArray(tickets.id, ids))
          .orderBy(asc(tickets.id))
          .for('update');
        const outcomes: Awaited<ReturnType<typeof applyChanges>>[] = [];
        for (const row of rows) {
          let changes: Changes = { ...input.changes } as BulkTicketChanges;
          // A status this ticket cannot move to is skipped for that ticket (closed → resolved, a merged duplicate).
          if (changes.status && changes.status !== row.status && !canMove(row, changes.status)) {
            const { status: _skip, ...rest } = changes;
            changes = rest;
          }
          const outcome = await applyChanges(tx, row, actor.userId, changes, now);
          if (outcome.changed.length > 0) outcomes.push(outcome);
        }
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'ticket.bulk_updated',
          targetType: 'ticket',
          details: { matched: ids.length, updated: outcomes.length, changes: input.changes },
        });
        const presented = await present(
          tx,
          outcomes.map((o) => o.row),
        );
        for (const [i, ticket] of presented.entries()) {
          const outcome = outcomes[i]!;
          await emitChange(emit, actor.workspaceId, actor.userId, ticket, outcome.changed, outcome.status);
        }
        return { matched: ids.length, updated: outcomes.length };
      });
    },

    // -------------------------------------------------------------------------------------------------------
    // Categories

    async listCategories(actor: Actor): Promise<{ items: TicketCategory[]; nextCursor: null }> {
      assertCan(actor, 'tickets:read');
      await ensureCategories(db, actor.workspaceId);
      const rows = await db
        .select()
        .from(ticketCategories)
        .where(eq(ticketCategories.workspaceId, actor.workspaceId))
        .orderBy(asc(ticketCategories.position), asc(ticketCategories.id));
      return { items: rows.map(toCategory), nextCursor: null };
    },

    async createCategory(actor: Actor, input: z.output<typeof createTicketCategoryBody>) {
      assertCan(actor, 'tickets:manage');
      await ensureCategories(db, actor.workspaceId);
      await assertCategoryNameFree(actor.workspaceId, input.name);
      const id = newId();
      const key = input.key ?? `c_${id.replace(/-/g, '').slice(-10)}`;
      const [max] = await db
        .select({ max: sql<number>`coalesce(max(${ticketCategories.position}), -1)` })
        .from(ticketCategories)
        .where(eq(ticketCategories.workspaceId, actor.workspaceId));
      const [row] = await db
        .insert(ticketCategories)
        .values({
          id,
          workspaceId: actor.workspaceId,
          key,
          name: input.name,
          position: input.position ?? Number(max!.max) + 1,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new AppError('ticket_category.key_taken', '分类标识已被使用');
      return toCategory(row);
    },

    async updateCategory(actor: Actor, id: string, input: z.output<typeof updateTicketCategoryBody>) {
      assertCan(actor, 'tickets:manage');
      const [existing] = await db
        .select()
        .from(ticketCategories)
        .where(and(eq(ticketCategories.workspaceId, actor.workspaceId), eq(ticketCategories.id, id)));
      if (!existing) throw new AppError('ticket_category.not_found', '工单分类不存在');
      if (existing.isBuiltIn && input.archived) throw new AppError('ticket_category.built_in', '内置分类不能停用');
      if (input.name !== undefined) await assertCategoryNameFree(actor.workspaceId, input.name, id);
      const [row] = await db
        .update(ticketCategories)
        .set({ ...input, updatedAt: new Date() })
        .where(eq(ticketCategories.id, id))
        .returning();
      return toCategory(row!);
    },

    async deleteCategory(actor: Actor, id: string) {
      assertCan(actor, 'tickets:manage');
      const [existing] = await db
        .select()
        .from(ticketCategories)
        .where(and(eq(ticketCategories.workspaceId, actor.workspaceId), eq(ticketCategories.id, id)));
      if (!existing) throw new AppError('ticket_category.not_found', '工单分类不存在');
      if (existing.isBuiltIn) throw new AppError('ticket_category.built_in', '内置分类不能删除，可以改名');
      const [used] = await db
        .select({ id: tickets.id })
        .from(tickets)
        .where(and(eq(tickets.workspaceId, actor.workspaceId), eq(tickets.category, existing.key)))
        .limit(1);
      if (used) throw new AppError('ticket_category.in_use', '还有工单使用此分类，不能删除；可以停用它');
      await db.delete(ticketCategories).where(eq(ticketCategories.id, id));
    },

    // -------------------------------------------------------------------------------------------------------
    // Saved views

    async listViews(actor: Actor): Promise<{ items: TicketView[]; nextCursor: null }> {
      assertCan(actor, 'tickets:read');
      await db
        .insert(ticketViews)
        .values(
          BUILT_IN_VIEWS.map((view) => ({
            id: newId(),
            workspaceId: actor.workspaceId,
            name: view.name,
            filters: view.filters,
            isShared: true,
            isBuiltIn: true,
            builtInKey: view.key,
          })),
        )
        .onConflictDoNothing();
      const rows = await db
        .select()
        .from(ticketViews)
        .where(
          and(
            eq(ticketViews.workspaceId, actor.workspaceId),
            sql`(${ticketViews.isShared} or ${ticketViews.createdBy} = ${actor.userId})`,
          ),
        )
        .orderBy(desc(ticketViews.isBuiltIn), asc(ticketViews.id));
      return { items: rows.map(toView), nextCursor: null };
    },

    async createView(actor: Actor, input: z.output<typeof createTicketViewBody>) {
      assertCan(actor, input.isShared ? 'tickets:manage' : 'tickets:read');
      const [row] = await db
        .insert(ticketViews)
        .values({
          id: newId(),
          workspaceId: actor.workspaceId,
          name: input.name,
          filters: input.filters,
          isShared: input.isShared,
          createdBy: actor.userId,
        })
        .returning();
      return toView(row!);
    },

    async updateView(actor: Actor, id: string, input: z.output<typeof updateTicketViewBody>) {
      const existing = await loadView(actor, id);
      assertCan(actor, existing.isShared || input.isShared ? 'tickets:manage' : 'tickets:read');
      const [row] = await db
        .update(ticketViews)
        .set({ ...input, updatedAt: new Date() })
        .where(eq(ticketViews.id, id))
        .returning();
      return toView(row!);
    },

    async deleteView(actor: Actor, id: string) {
      const existing = await loadView(actor, id);
      if (existing.isBuiltIn) throw new AppError('ticket_view.built_in', '内置视图不能删除');
      assertCan(actor, existing.isShared ? 'tickets:manage' : 'tickets:read');
      await db.delete(ticketViews).where(eq(ticketViews.id, id));
    },

    // -------------------------------------------------------------------------------------------------------
    // SLA policies

    async listPolicies(actor: Actor) {
      assertCan(actor, 'tickets:read');
      const rows = await db
        .select()
        .from(slaPolicies)
        .where(eq(slaPolicies.workspaceId, actor.workspaceId))
        .orderBy(asc(slaPolicies.position), asc(slaPolicies.id));
      return { items: rows.map(toPolicy), nextCursor: null };
    },

    async createPolicy(actor: Actor, input: z.output<typeof createSlaPolicyBody>) {
      assertCan(actor, 'sla:manage');
      await validatePolicyRefs(actor, input);
      return db.transaction(async (tx) => {
        const [max] = await tx
          .select({ max: sql<number>`coalesce(max(${slaPolicies.position}), -1)` })
          .from(slaPolicies)
          .where(eq(slaPolicies.workspaceId, actor.workspaceId));
        const [row] = await tx
          .insert(slaPolicies)
          .values({
            id: newId(),
            workspaceId: actor.workspaceId,
            ...policyColumns(input),
            position: input.position ?? Number(max!.max) + 1,
          })
          .returning();
        const policy = toPolicy(row!);
        // The settings that are set (an empty list means "any", a missing target "none"): what a reader checks.
        const settings = Object.fromEntries(
          Object.entries(await policyForAudit(tx, actor.workspaceId, policy)).filter(
            ([key, value]) =>
              !['name', 'position'].includes(key) && value !== null && !(Array.isArray(value) && value.length === 0),
          ),
        );
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'sla_policies.created',
          targetType: 'sla_policy',
          targetId: policy.id,
          details: { name: policy.name, ...settings },
        });
        return policy;
      });
    },

    async updatePolicy(actor: Actor, id: string, input: z.output<typeof updateSlaPolicyBody>) {
      assertCan(actor, 'sla:manage');
      const [existing] = await db
        .select()
        .from(slaPolicies)
        .where(and(eq(slaPolicies.workspaceId, actor.workspaceId), eq(slaPolicies.id, id)));
      if (!existing) throw new AppError('sla_policy.not_found', 'SLA 策略不存在');
      await validatePolicyRefs(actor, input);
      const merged = { ...toPolicy(existing), ...input };
      if (Object.values(merged.targets).every((m) => m === null))
        throw new AppError('request.invalid', '请至少设置一个时限（首次响应、解决或升级）');
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(slaPolicies)
          .set({ ...policyColumns(merged), position: merged.position, updatedAt: new Date() })
          .where(and(eq(slaPolicies.workspaceId, actor.workspaceId), eq(slaPolicies.id, id)))
          .returning();
        if (!row) throw new AppError('sla_policy.not_found', 'SLA 策略不存在');
        const policy = toPolicy(row);
        const changes = changedFields(
          await policyForAudit(tx, actor.workspaceId, toPolicy(existing)),
          await policyForAudit(tx, actor.workspaceId, policy),
        );
        if (hasChanges(changes)) {
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: 'sla_policies.updated',
            targetType: 'sla_policy',
            targetId: id,
            details: { name: policy.name, changes },
          });
        }
        return policy;
      });
    },

    async deletePolicy(actor: Actor, id: string) {
      assertCan(actor, 'sla:manage');
      await db.transaction(async (tx) => {
        const [deleted] = await tx
          .delete(slaPolicies)
          .where(and(eq(slaPolicies.workspaceId, actor.workspaceId), eq(slaPolicies.id, id)))
          .returning({ id: slaPolicies.id, name: slaPolicies.name });
        if (!deleted) throw new AppError('sla_policy.not_found', 'SLA 策略不存在');
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'sla_policies.deleted',
          targetType: 'sla_policy',
          targetId: id,
          details: { name: deleted.name },
        });
      });
    },

    // -------------------------------------------------------------------------------------------------------
    // For other modules, the message subscriber and the sweep

    /** A ticket created by the system (surveys' low-score follow-up, automation's create_ticket action). */
    /** In its own transaction, so the event it publishes follows a commit (callers never pass theirs). */
    /**
     * A ticket the product opens (automation, survey follow-ups). `reuseOpenTicket` takes the conversation's advisory
     * lock first, so two of its messages handled at once (two processes, a burst) wait for each other and the second
     * finds the first one's ticket.
     */
    async createSystemTicket(input: CreateSystemTicketInput): Promise<{ ticket: Ticket; reused: boolean }> {
      return publishingTransaction(db, events, async (tx, emit) => {
        if (input.reuseOpenTicket && input.conversationId) {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`open-ticket:${input.conversationId}`}))`);
          const [open] = await tx
            .select()
            .from(tickets)
            .where(
              and(
                eq(tickets.workspaceId, input.workspaceId),
                eq(tickets.conversationId, input.conversationId),
                sql`${tickets.status} not in ('resolved', 'closed')`,
                isNull(tickets.mergedIntoId),
              ),
            )
            .orderBy(desc(tickets.id))
            .limit(1);
          if (open) {
            const row = input.repeatNote ? await addRepeatNote(tx, emit, open, input.repeatNote, input.source) : open;
            return { ticket: asTicket(await presentOne(tx, row)), reused: true };
          }
        }
        const row = await insertTicket(
          tx,
          input.workspaceId,
          null,
          {
            subject: input.subject.slice(0, 200) || '工单',
            description: input.description ?? '',
            category: input.category ?? 'other',
            severity: input.severity ?? 'normal',
            customerId: input.customerId ?? null,
            conversationId: input.conversationId ?? null,
            assigneeId: input.assigneeId ?? null,
            teamId: input.teamId ?? null,
          },
          true,
        );
        const ticket = asTicket(await presentOne(tx, row));
        await emit({
          type: 'ticket.created',
          workspaceId: input.workspaceId,
          performedBy: null,
          ticket,
          ...(input.source ? { automation: input.source } : {}),
        });
        return { ticket, reused: false };
      });
    },

    /**
     * A deleted team's tickets lose the team, in the deletion's transaction (identity's deleteTeam, through app.ts).
     * Active ones change the way an agent's change does, with a 「修改了团队」 timeline entry and `ticket.updated` (its
     * webhook deliveries written in `tx`, published after the commit); resolved and closed ones, a team's whole
     * history, are cleared in one statement without an event each. Answers how many changed.
     */
    async releaseTeam(
      tx: Executor,
      emit: Emit,
      input: { workspaceId: string; teamId: string; performedBy: string | null },
    ): Promise<number> {
      const ofTeam = and(eq(tickets.workspaceId, input.workspaceId), eq(tickets.teamId, input.teamId));
      const finished = sql`${tickets.status} in ('resolved', 'closed')`;
      const history = await tx
        .update(tickets)
        .set({ teamId: null, updatedAt: new Date() })
        .where(and(ofTeam, finished))
        .returning({ id: tickets.id });
      const rows = await tx
        .select()
        .from(tickets)
        .where(and(ofTeam, sql`not (${finished})`))
        .orderBy(asc(tickets.id))
        .for('update');
      const outcomes: Awaited<ReturnType<typeof applyChanges>>[] = [];
      for (const row of rows) {
        const outcome = await applyChanges(tx, row, input.performedBy, { teamId: null });
        if (outcome.changed.length > 0) outcomes.push(outcome);
      }
      const presented = await present(
        tx,
        outcomes.map((outcome) => outcome.row),
      );
      for (const [i, ticket] of presented.entries()) {
        await emitChange(emit, input.workspaceId, input.performedBy, ticket, outcomes[i]!.changed);
      }
      return history.length + outcomes.length;
    },

    /** Subscribes to the bus: an agent's public reply on a linked conversation meets first response (and owns it). */
    subscribe() {
      return events.subscribe(async (event) => {
        if (event.type !== 'message.created') return;
        const { message } = event;
        if (message.direction !== 'outbound' || message.senderKind !== 'agent' || message.private || !message.senderId)
          return;
        const responder = message.senderId;
        const open = await db
          .select({ id: tickets.id })
          .from(tickets)
          .where(
            and(
              eq(tickets.workspaceId, event.workspaceId),
              eq(tickets.conversationId, message.conversationId),
              sql`${tickets.status} not in ('resolved', 'closed')`,
              sql`(${tickets.firstRespondedAt} is null or ${tickets.assigneeId} is null)`,
            ),
          );
        for (const { id } of open) {
          try {
            await publishingTransaction(db, events, async (tx, emit) => {
              const row = await loadTicket(tx, event.workspaceId, id, true);
              const result = await recordFirstResponse(tx, row, responder, new Date(message.createdAt));
              if (result.changed.length === 0) return;
              await emitChange(emit, event.workspaceId, responder, await presentOne(tx, result.row), result.changed);
            });
          } catch (error) {
            log(error, { ticketId: id, stage: 'first_response' });
          }
        }
      });
    },

    /** Marks breached clocks (once, even on two workers), records, escalates, notifies. Answers how many. */
    async sweepSla(now = new Date()) {
      let count = 0;
      for (const target of CLOCK_TARGETS) {
        const handled = await sweepTarget(target, now);
        count += handled.length;
        if (handled.length === 0) continue;
        const byWorkspace = new Map<string, typeof handled>();
        for (const h of handled) byWorkspace.set(h.row.workspaceId, [...(byWorkspace.get(h.row.workspaceId) ?? []), h]);
        for (const [workspaceId, items] of byWorkspace) {
          const presented = await present(
            db,
            items.map((h) => h.row),
            now,
          );
          const supervisorIds = items.some((h) => h.notifySupervisors)
            ? (await supervisors(workspaceId)).map((s) => s.id)
            : [];
          for (const [i, ticket] of presented.entries()) {
            events.publish({
              type: 'ticket.sla_breached',
              workspaceId,
              performedBy: null,
              ticket: asTicket(ticket),
              target,
            });
            const recipients = new Set<string>(items[i]!.notifySupervisors ? supervisorIds : []);
            if (ticket.assigneeId) recipients.add(ticket.assigneeId);
            await Promise.all(
              [...recipients].map((userId) =>
                realtime
                  .broadcast(workspaceId, {
                    topic: topics.user(userId),
                    frame: { type: 'ticket.sla_breached', ticket: asTicket(ticket), target },
                  })
                  .catch((error: unknown) => log(error, { ticketId: ticket.id, stage: 'breach_notify' })),
              ),
            );
          }
        }
      }
      return count;
    },
  };

  async function loadView(actor: Actor, id: string) {
    assertCan(actor, 'tickets:read');
    const [row] = await db
      .select()
      .from(ticketViews)
      .where(
        and(
          eq(ticketViews.workspaceId, actor.workspaceId),
          eq(ticketViews.id, id),
          sql`(${ticketViews.isShared} or ${ticketViews.createdBy} = ${actor.userId})`,
        ),
      );
    if (!row) throw new AppError('ticket_view.not_found', '视图不存在');
    return row;
  }

  async function validatePolicyRefs(
    actor: Actor,
    input: { escalation?: { assigneeId: string | null; teamId: string | null } | null; categories?: string[] },
  ) {
    if (input.escalation?.assigneeId) {
      await assertAssignable(db, actor.workspaceId, input.escalation.assigneeId, null).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        throw new AppError('request.invalid', '升级接手人不存在或已停用', [
          { path: '/escalation/assigneeId', message: '请选择一位在职成员' },
        ]);
      });
    }
    if (input.escalation?.teamId) await assertTeam(db, actor.workspaceId, input.escalation.teamId);
    if (input.categories) {
      await ensureCategories(db, actor.workspaceId);
      for (const key of input.categories) await assertCategory(db, actor.workspaceId, key);
    }
  }
}

const toCategory = (row: typeof ticketCategories.$inferSelect): TicketCategory => ({
  id: row.id,
  key: row.key,
  name: row.name,
  position: row.position,
  isBuiltIn: row.isBuiltIn,
  archived: row.archived,
});

const toView = (row: typeof ticketViews.$inferSelect): TicketView => ({
  id: row.id,
  name: row.name,
  filters: row.filters as TicketView['filters'],
  isShared: row.isShared,
  isBuiltIn: row.isBuiltIn,
  createdBy: row.createdBy,
});

const toPolicy = (row: typeof slaPolicies.$inferSelect): SlaPolicy => ({
  id: row.id,
  name: row.name,
  position: row.position,
  enabled: row.enabled,
  categories: row.categories,
  severities: row.severities as TicketSeverity[],
  customerTiers: row.customerTiers,
  targets: {
    first_response: row.firstResponseMinutes,
    resolution: row.resolutionMinutes,
    escalation: row.escalationMinutes,
  },
  hours: row.hours,
  escalation: row.escalation ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * A policy as the audit log shows it: flat fields, and the escalation's member and team by name (ids mean nothing to
 * a reader). Lists are sorted so a reorder is not a change.
 */
async function categoryNames(executor: Executor, workspaceId: string, keys: string[]) {
  if (keys.length === 0) return [];
  const rows = await executor
    .select({ key: ticketCategories.key, name: ticketCategories.name })
    .from(ticketCategories)
    .where(and(eq(ticketCategories.workspaceId, workspaceId), inArray(ticketCategories.key, keys)));
  const nameOf = new Map(rows.map((row) => [row.key, row.name]));
  return keys.map((key) => nameOf.get(key) ?? key).sort();
}

async function policyForAudit(executor: Executor, workspaceId: string, policy: SlaPolicy) {
  const escalation = policy.escalation;
  const nameOf = async (table: typeof users | typeof teams, id: string | null) => {
    if (!id) return null;
    const [row] = await executor
      .select({ name: table.name })
      .from(table)
      .where(and(eq(table.workspaceId, workspaceId), eq(table.id, id)));
    return row?.name ?? id;
  };
  return {
    name: policy.name,
    enabled: policy.enabled,
    position: policy.position,
    hours: policy.hours,
    firstResponseMinutes: policy.targets.first_response,
    resolutionMinutes: policy.targets.resolution,
    escalationMinutes: policy.targets.escalation,
    categories: await categoryNames(executor, workspaceId, policy.categories),
    severities: [...policy.severities].sort(),
    customerTiers: [...policy.customerTiers].sort(),
    escalation: escalation && {
      notifySupervisors: escalation.notifySupervisors,
      raiseSeverity: escalation.raiseSeverity,
      assignee: await nameOf(users, escalation.assigneeId),
      team: await nameOf(teams, escalation.teamId),
    },
  };
}

function policyColumns(input: {
  name?: string;
  enabled?: boolean;
  categories?: string[];
  severities?: TicketSeverity[];
  customerTiers?: string[];
  targets?: { first_response: number | null; resolution: number | null; escalation: number | null };
  hours?: 'business' | 'calendar';
  escalation?: SlaPolicy['escalation'];
}) {
  return {
    name: input.name!,
    enabled: input.enabled ?? true,
    categories: input.categories ?? [],
    severities: input.severities ?? [],
    customerTiers: input.customerTiers ?? [],
    firstResponseMinutes: input.targets?.first_response ?? null,
    resolutionMinutes: input.targets?.resolution ?? null,
    escalationMinutes: input.targets?.escalation ?? null,
    hours: input.hours ?? 'business',
    escalation: input.escalation ?? null,
  };
}
