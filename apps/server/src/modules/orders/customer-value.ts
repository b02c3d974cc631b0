import {
  type CustomerValue,
  type CustomerValueSettings,
  customerValueSettings,
  defaultCustomerValueSettings,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import type { customers } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import * as repo from './orders.repository.ts';

/** Customers per recompute statement: big enough to be set-based, small enough for short transactions. */
export const RECOMPUTE_BATCH = 20_000;
const DAY_MS = 86_400_000;

/**
 * The workspace's RFM, tier, lifecycle and stale-profile settings, with defaults for anything not set
 * (or stored by an older version in a shape that no longer validates).
 */
export async function getCustomerValueSettings(
  executor: Executor,
  workspaceId: string,
): Promise<CustomerValueSettings> {
  const stored = (await repo.workspaceSettings(executor, workspaceId)) ?? {};
  const pick = <K extends keyof CustomerValueSettings>(key: K): CustomerValueSettings[K] => {
    const parsed = customerValueSettings.shape[key].safeParse(stored[key]);
    return (parsed.success ? parsed.data : defaultCustomerValueSettings[key]) as CustomerValueSettings[K];
  };
  return { rfm: pick('rfm'), lifecycle: pick('lifecycle'), staleProfileDays: pick('staleProfileDays') };
}

type ValueColumns = Pick<
  typeof customers.$inferSelect,
  'orderCount' | 'totalSpentFen' | 'firstOrderAt' | 'lastOrderAt' | 'rfmTier' | 'lifecycleStage'
>;

/** The value part of a customer view, from a customers row (the customers module spreads it into its view). */
export const toCustomerValue = (row: ValueColumns): CustomerValue => ({
  orderCount: row.orderCount,
  totalSpentFen: row.totalSpentFen,
  firstOrderAt: row.firstOrderAt?.toISOString() ?? null,
  lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
  rfmTier: row.rfmTier,
  lifecycleStage: row.lifecycleStage,
});

/**
 * Recomputes order aggregates, RFM and lifecycle of these customers inside the caller's transaction (after a
 * merge, an undo, or orders moved between customers). Stage changes go to the customers' timelines.
 */
export async function refreshCustomerValue(
  executor: Executor,
  workspaceId: string,
  customerIds: string[],
  options: { now?: Date; settings?: CustomerValueSettings } = {},
) {
  if (customerIds.length === 0) return;
  const now = options.now ?? new Date();
  const settings = options.settings ?? (await getCustomerValueSettings(executor, workspaceId));
  // 回流: a new latest purchase after a silence longer than 沉睡. The stage just before that purchase is
  // stored first (沉睡 or 流失, also when no nightly run marked it yet), so the transition is recorded from it.
  // Backfilled history (an older order, or gaps shorter than that) never makes anyone 回流.
  const dormantMs = settings.lifecycle.dormantDays * DAY_MS;
  const comebacks = (await repo.lastPurchases(executor, workspaceId, customerIds)).filter(
    ({ stored, actual }) =>
      stored && actual && actual > stored && actual <= now && actual.getTime() - stored.getTime() > dormantMs,
  );
  const transitions: repo.StageTransition[] = [];
  for (const { customerId, actual } of comebacks) {
    const justBefore = new Date(actual!.getTime() - 1);
    const before = await repo.recomputeValue(executor, workspaceId, settings, justBefore, {
      customerIds: [customerId],
    });
    transitions.push(...before.transitions);
  }
  await repo.refreshAggregates(executor, workspaceId, customerIds);
  const after = await repo.recomputeValue(executor, workspaceId, settings, now, {
    customerIds,
    returningIds: comebacks.map((comeback) => comeback.customerId),
  });
  await repo.insertStageEvents(executor, workspaceId, [...transitions, ...after.transitions], now);
}

/**
 * RFM and lifecycle for every customer of a workspace, in id-ordered batches of short transactions.
 * Resumes after `afterId`; `onBatch` receives the running totals and where to resume.
 */
export async function recomputeWorkspaceValue(
  db: Db,
  workspaceId: string,
  options: {
    now?: Date;
    afterId?: string | null;
    batchSize?: number;
    onBatch?: (state: { afterId: string; scanned: number; updated: number; transitions: number }) => Promise<void>;
    totals?: { scanned: number; updated: number; transitions: number };
  } = {},
) {
  const now = options.now ?? new Date();
  const settings = await getCustomerValueSettings(db, workspaceId);
  const totals = { scanned: 0, updated: 0, transitions: 0, ...options.totals };
  let afterId = options.afterId ?? null;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const result = await repo.recomputeValue(tx, workspaceId, settings, now, {
        afterId,
        limit: options.batchSize ?? RECOMPUTE_BATCH,
      });
      await repo.insertStageEvents(tx, workspaceId, result.transitions, now);
      return result;
    });
    const lastId = batch.lastId;
    if (!lastId) break;
    afterId = lastId;
    totals.scanned += batch.scanned;
    totals.updated += batch.updated;
    totals.transitions += batch.transitions.length;
    await options.onBatch?.({ afterId: lastId, ...totals });
  }
  return totals;
}
