import {
  type CustomerValueSettings,
  customerValueSettings,
  type Order,
  type OrderListQuery,
  type UpsertOrderInput,
  type UpsertOrderResult,
  type UpsertOrdersBatchResult,
  upsertOrderBody,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decodeCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError, postgresCode } from '../../platform/errors.ts';
import { type Emit, type EventBus, publishingTransaction } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { AuditService } from '../audit/index.ts';
import { customerCreated, recordCustomerEvent, resolveCustomerByContact } from '../customers/index.ts';
import { getCustomerValueSettings, refreshCustomerValue } from './customer-value.ts';
import { RECOMPUTE_VALUE_JOB } from './orders.jobs.ts';
import * as repo from './orders.repository.ts';

export const toOrder = (row: repo.OrderRow, items: repo.OrderItemRow[]): Order => ({
  id: row.id,
  customerId: row.customerId,
  platform: row.platform,
  orderNo: row.orderNo,
  status: row.status,
  amountFen: row.amountFen,
  items: items.map((item) => ({
    productName: item.productName,
    sku: item.sku,
    quantity: item.quantity,
    priceFen: item.priceFen,
  })),
  placedAt: row.placedAt.toISOString(),
  paidAt: row.paidAt?.toISOString() ?? null,
  shippedAt: row.shippedAt?.toISOString() ?? null,
  completedAt: row.completedAt?.toISOString() ?? null,
  trackingCompany: row.trackingCompany,
  trackingNo: row.trackingNo,
  buyerId: row.buyerId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

async function withItems(executor: Executor, workspaceId: string, rows: repo.OrderRow[]) {
  const items = await repo.itemsOf(
    executor,
    workspaceId,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    toOrder(
      row,
      items.filter((item) => item.orderId === row.id),
    ),
  );
}

const toDate = (value: string | null | undefined) => (value ? new Date(value) : null);
const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** The fields an upsert writes, as they would be stored; `undefined` means "keep what is stored". */
function orderFields(input: UpsertOrderInput) {
  const keep = <T>(value: T | undefined, map: (v: T) => unknown) => (value === undefined ? undefined : map(value));
  return {
    status: input.status,
    amountFen: input.amountFen,
    placedAt: keep(input.placedAt, toDate) as Date | undefined,
    paidAt: keep(input.paidAt, toDate) as Date | null | undefined,
    shippedAt: keep(input.shippedAt, toDate) as Date | null | undefined,
    completedAt: keep(input.completedAt, toDate) as Date | null | undefined,
    trackingCompany: keep(input.trackingCompany, (v) => v || null) as string | null | undefined,
    trackingNo: keep(input.trackingNo, (v) => v || null) as string | null | undefined,
  };
}

const normalItems = (input: UpsertOrderInput) =>
  input.items.map((item) => ({
    productName: item.productName,
    sku: item.sku || null,
    quantity: item.quantity,
    priceFen: item.priceFen,
  }));

/** The patch that makes the stored order say what the input says; empty when it already does. */
function changesOf(
  stored: repo.OrderRow,
  fields: ReturnType<typeof orderFields>,
  customerId: string,
  buyerId: string | null,
) {
  const patch: Partial<repo.OrderRow> = {};
  if (stored.customerId !== customerId) patch.customerId = customerId;
  if (buyerId !== null && stored.buyerId !== buyerId) patch.buyerId = buyerId;
  if (stored.status !== fields.status) patch.status = fields.status;
  if (stored.amountFen !== fields.amountFen) patch.amountFen = fields.amountFen;
  for (const key of ['placedAt', 'paidAt', 'shippedAt', 'completedAt'] as const) {
    const value = fields[key];
    if (value !== undefined && !sameTime(stored[key], value)) (patch as Record<string, unknown>)[key] = value;
  }
  for (const key of ['trackingCompany', 'trackingNo'] as const) {
    const value = fields[key];
    if (value !== undefined && stored[key] !== value) patch[key] = value;
  }
  return patch;
}

const sameItems = (stored: repo.OrderItemRow[], wanted: ReturnType<typeof normalItems>) =>
  stored.length === wanted.length &&
  stored.every(
    (item, i) =>
      item.productName === wanted[i]!.productName &&
      item.sku === wanted[i]!.sku &&
      item.quantity === wanted[i]!.quantity &&
      item.priceFen === wanted[i]!.priceFen,
  );

async function customerFor(executor: Executor, workspaceId: string, input: UpsertOrderInput) {
  const { customerId, buyerId, phone, email, name } = input.customer;
  if (customerId) {
    if (!(await repo.findLiveCustomer(executor, workspaceId, customerId)))
      throw new AppError('customer.not_found', '客户不存在', { path: '/customer/customerId' });
    return { customerId, created: false };
  }
  return resolveCustomerByContact(executor, workspaceId, { platform: input.platform, buyerId, phone, email, name });
}

/**
 * Creates or updates one order by (platform, orderNo) inside the caller's transaction, keeps the customer's
 * purchase aggregates, RFM and lifecycle right, and writes the customer's timeline. Repeating the same input
 * changes nothing and answers `unchanged`. Used by the API, imports and integrations.
 */
export async function upsertOrder(
  executor: Executor,
  context: {
    workspaceId: string;
    actorId: string | null;
    now?: Date;
    settings?: CustomerValueSettings;
    /** Where `customer.created` goes when the order's buyer is new (publishingTransaction's emit). */
    emit?: Emit;
  },
  input: UpsertOrderInput,
): Promise<UpsertOrderResult> {
  const { workspaceId, actorId } = context;
  const { customerId, created } = await customerFor(executor, workspaceId, input);
  if (created) await context.emit?.(customerCreated(workspaceId, customerId));
  const fields = orderFields(input);
  const items = normalItems(input);
  const buyerId = input.customer.buyerId ?? null;

  let stored = await repo.lockOrderByKey(executor, workspaceId, input.platform, input.orderNo);
  if (!stored) {
    const inserted = await repo.insertOrder(executor, {
      id: newId(),
      workspaceId,
      customerId,
      platform: input.platform,
      orderNo: input.orderNo,
      buyerId,
      ...fields,
      placedAt: fields.placedAt ?? fields.paidAt ?? context.now ?? new Date(),
    });
    if (inserted) {
      await repo.replaceItems(executor, workspaceId, inserted.id, items);
      await recordCustomerEvent(executor, {
        workspaceId,
        customerId,
        kind: 'order.created',
        actorId,
        details: {
          orderId: inserted.id,
          platform: inserted.platform,
          orderNo: inserted.orderNo,
          status: inserted.status,
          amountFen: inserted.amountFen,
        },
      });
      await refreshCustomerValue(executor, workspaceId, [customerId], context);
      return { outcome: 'created', order: toOrder(inserted, await repo.itemsOf(executor, workspaceId, [inserted.id])) };
    }
    // A concurrent upsert of the same order committed first: update that one.
    stored = (await repo.lockOrderByKey(executor, workspaceId, input.platform, input.orderNo))!;
  }

  const patch = changesOf(stored, fields, customerId, buyerId);
  const storedItems = await repo.itemsOf(executor, workspaceId, [stored.id]);
  const itemsChanged = !sameItems(storedItems, items);
  if (Object.keys(patch).length === 0 && !itemsChanged) {
    return { outcome: 'unchanged', order: toOrder(stored, storedItems) };
  }
  const updated =
    Object.keys(patch).length > 0 ? await repo.updateOrder(executor, workspaceId, stored.id, patch) : stored;
  if (itemsChanged) await repo.replaceItems(executor, workspaceId, stored.id, items);
  if (patch.status) {
    await recordCustomerEvent(executor, {
      workspaceId,
      customerId,
      kind: 'order.status_changed',
      actorId,
      details: {
        orderId: stored.id,
        orderNo: stored.orderNo,
        platform: stored.platform,
        from: stored.status,
        to: patch.status,
      },
    });
  }
  // Moving an order to another customer changes both customers' value.
  const affected = patch.customerId ? [stored.customerId, customerId] : [customerId];
  await refreshCustomerValue(executor, workspaceId, affected, context);
  return {
    outcome: 'updated',
    order: toOrder(updated, itemsChanged ? await repo.itemsOf(executor, workspaceId, [stored.id]) : storedItems),
  };
}

/** Zod issues as the error handler reports them: a JSON-pointer path naming the field, and the message. */
const issuesOf = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((issue) => ({ path: `/${issue.path.map(String).join('/')}`, message: issue.message }));

// 22021: invalid byte sequence (NUL in text); 22P05: untranslatable character.
const isInvalidText = (error: unknown) => ['22021', '22P05'].includes(postgresCode(error) ?? '');

export type OrdersService = ReturnType<typeof createOrdersService>;

export function createOrdersService({
  db,
  jobs,
  audit,
  clock = () => new Date(),
  events,
}: {
  db: Db;
  jobs: Jobs;
  audit: AuditService;
  clock?: () => Date;
  events?: EventBus;
}) {
  /**
   * One order in its own transaction; its events (customer.created for a new buyer, order.created / order.updated)
   * are published once it committed.
   */
  function upsertPublishing(actor: Actor, input: UpsertOrderInput, settings?: CustomerValueSettings) {
    return publishingTransaction(db, events, async (tx, emit) => {
      const context = { workspaceId: actor.workspaceId, actorId: actor.userId, now: clock(), settings, emit };
      const result = await upsertOrder(tx, context, input);
      if (result.outcome !== 'unchanged') {
        await emit({
          type: result.outcome === 'created' ? 'order.created' : 'order.updated',
          workspaceId: actor.workspaceId,
          performedBy: actor.userId,
          order: result.order,
        });
      }
      return result;
    });
  }

  async function ordersPage(actor: Actor, filter: Parameters<typeof repo.listOrders>[2], limit: number) {
    const rows = await repo.listOrders(db, actor.workspaceId, filter, limit + 1);
    const items = await withItems(db, actor.workspaceId, rows.slice(0, limit));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.placedAt, last.id]) : null };
  }

  function decodeOrderCursor(cursor: string | undefined) {
    const values = decodeCursor(cursor);
    if (!values) return undefined;
    const [placedAt, id] = values;
    if (
      typeof placedAt !== 'string' ||
      Number.isNaN(Date.parse(placedAt)) ||
      typeof id !== 'string' ||
      !/^[0-9a-f-]{36}$/i.test(id)
    )
      throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
    return { placedAt, id };
  }

  return {
    /** Creates or updates one order by (platform, orderNo). */
    async upsert(actor: Actor, input: UpsertOrderInput): Promise<UpsertOrderResult> {
      assertCan(actor, 'orders:write');
      return upsertPublishing(actor, input);
    },

    /**
     * Upserts up to 1000 orders, each validated and stored on its own (its own transaction): a bad order is
     * answered `rejected` with its index and reason while the others are stored.
     */
    async upsertBatch(actor: Actor, bodies: unknown[]): Promise<UpsertOrdersBatchResult> {
      assertCan(actor, 'orders:write');
      const settings = await getCustomerValueSettings(db, actor.workspaceId);
      const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
      const items: UpsertOrdersBatchResult['items'] = [];
      for (const [index, body] of bodies.entries()) {
        const parsed = upsertOrderBody.safeParse(body);
        if (!parsed.success) {
          counts.rejected++;
          const error = { code: 'request.invalid', message: '订单格式不正确', details: issuesOf(parsed.error.issues) };
          items.push({ index, outcome: 'rejected', orderId: null, customerId: null, error });
          continue;
        }
        try {
          const result = await upsertPublishing(actor, parsed.data, settings);
          counts[result.outcome]++;
          items.push({
            index,
            outcome: result.outcome,
            orderId: result.order.id,
            customerId: result.order.customerId,
            error: null,
          });
        } catch (error) {
          const rejection =
            error instanceof AppError
              ? {
                  code: error.code,
                  message: error.message,
                  ...(error.details === undefined ? {} : { details: error.details }),
                }
              : isInvalidText(error)
                ? { code: 'request.invalid', message: '文本中含有无法保存的字符（如 NUL）' }
                : undefined;
          if (!rejection) throw error;
          counts.rejected++;
          items.push({ index, outcome: 'rejected', orderId: null, customerId: null, error: rejection });
        }
      }
      return { counts, items };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'orders:read');
      const row = await repo.findOrder(db, actor.workspaceId, id);
      if (!row) throw new AppError('order.not_found', '订单不存在');
      return (await withItems(db, actor.workspaceId, [row]))[0]!;
    },

    /** Orders newest first; `q` matches an order or tracking number exactly or by prefix. */
    async list(actor: Actor, query: OrderListQuery) {
      assertCan(actor, 'orders:read');
      const { customerId, q, status, platform } = query;
      return ordersPage(
        actor,
        { customerId, q: q || undefined, status, platform, before: decodeOrderCursor(query.cursor) },
        query.limit,
      );
    },

    async listForCustomer(actor: Actor, customerId: string, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'orders:read');
      if (!(await repo.findLiveCustomer(db, actor.workspaceId, customerId)))
        throw new AppError('customer.not_found', '客户不存在');
      return ordersPage(actor, { customerId, before: decodeOrderCursor(query.cursor) }, query.limit);
    },

    getSettings: async (actor: Actor) => {
      assertCan(actor, 'workspace:read');
      return getCustomerValueSettings(db, actor.workspaceId);
    },

    /** Replaces the value settings; recorded in the audit log. Scores change on the next recompute. */
    async updateSettings(actor: Actor, input: CustomerValueSettings) {
      assertCan(actor, 'workspace:manage');
      const settings = customerValueSettings.parse(input);
      await db.transaction(async (tx) => {
        await repo.mergeWorkspaceSettings(tx, actor.workspaceId, settings);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'settings.customer_value_updated',
          targetType: 'workspace',
          targetId: actor.workspaceId,
          details: { settings },
        });
      });
      return settings;
    },

    /** Queues a recompute of every customer's RFM and lifecycle; answers the job to poll. */
    async recompute(actor: Actor) {
      assertCan(actor, 'workspace:manage');
      return jobs.enqueue(db, {
        workspaceId: actor.workspaceId,
        kind: RECOMPUTE_VALUE_JOB,
        payload: {},
        createdBy: actor.userId,
      });
    },
  };
}
