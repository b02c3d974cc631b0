import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { customers, deliveries, webhookEndpoints } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

/** The outbox kind of a webhook delivery; its subject is the endpoint. */
export const WEBHOOK_KIND = 'webhook';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type ListedEndpointRow = EndpointRow & { lastDeliveryAt: Date | string | null; failing: number };
export type DeliveryRow = typeof deliveries.$inferSelect;

const listedColumns = {
  lastDeliveryAt: sql<Date | string | null>`(
    select d.updated_at from deliveries d
    where d.workspace_id = webhook_endpoints.workspace_id and d.kind = ${WEBHOOK_KIND}
      and d.subject_id = webhook_endpoints.id and d.attempts > 0
    order by d.id desc limit 1)`,
  failing: sql<number>`(
    select count(*) from deliveries d
    where d.workspace_id = webhook_endpoints.workspace_id and d.kind = ${WEBHOOK_KIND}
      and d.status = 'dead' and d.subject_id = webhook_endpoints.id)`.mapWith(Number),
};

const selectListed = (db: Executor) =>
  db.select({ endpoint: webhookEndpoints, ...listedColumns }).from(webhookEndpoints);

const flatten = (row: { endpoint: EndpointRow; lastDeliveryAt: Date | string | null; failing: number }) => ({
  ...row.endpoint,
  lastDeliveryAt: row.lastDeliveryAt,
  failing: row.failing,
});

export async function listEndpoints(db: Executor, workspaceId: string): Promise<ListedEndpointRow[]> {
  const rows = await selectListed(db).where(eq(webhookEndpoints.workspaceId, workspaceId)).orderBy(webhookEndpoints.id);
  return rows.map(flatten);
}

export async function findListedEndpoint(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<ListedEndpointRow | undefined> {
  const [row] = await selectListed(db).where(
    and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)),
  );
  return row && flatten(row);
}

export async function findEndpoint(db: Executor, workspaceId: string, id: string): Promise<EndpointRow | undefined> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)));
  return row;
}

/** Enabled endpoints of a workspace (the event fan-out reads these, cached). */
export const enabledEndpoints = (db: Executor, workspaceId: string) =>
  db
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.enabled, true)));

export async function insertEndpoint(db: Executor, row: typeof webhookEndpoints.$inferInsert) {
  await db.insert(webhookEndpoints).values(row);
}

export async function updateEndpoint(
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<EndpointRow, 'url' | 'description' | 'events' | 'enabled' | 'secret'>>,
) {
  await db
    .update(webhookEndpoints)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)));
}

/** Removes the endpoint and every delivery to it (pending ones could never be sent). */
export async function deleteEndpoint(db: Executor, workspaceId: string, id: string) {
  await db
    .delete(deliveries)
    .where(
      and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.kind, WEBHOOK_KIND), eq(deliveries.subjectId, id)),
    );
  const removed = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id });
  return removed.length > 0;
}

/** Deliveries newest first; of one endpoint or of all (the dead-letter list), by status. */
export function listDeliveries(
  db: Executor,
  workspaceId: string,
  filter: { endpointId?: string; status?: DeliveryRow['status']; beforeId?: string; limit: number },
) {
  return db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.workspaceId, workspaceId),
        eq(deliveries.kind, WEBHOOK_KIND),
        filter.endpointId ? eq(deliveries.subjectId, filter.endpointId) : undefined,
        filter.status ? eq(deliveries.status, filter.status) : undefined,
        filter.beforeId ? lt(deliveries.id, filter.beforeId) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(filter.limit);
}

export async function findDelivery(db: Executor, workspaceId: string, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.kind, WEBHOOK_KIND), eq(deliveries.id, id)));
  return row;
}

/**
 * Endpoints (of `endpointIds`) that already have a delivery for this event key created since `sinceId`
 * (a replayed event must not be sent twice).
 */
export async function endpointsWithKey(
  db: Executor,
  workspaceId: string,
  endpointIds: string[],
  key: string,
  sinceId: string,
): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ subjectId: deliveries.subjectId })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.workspaceId, workspaceId),
        eq(deliveries.kind, WEBHOOK_KIND),
        sql`${deliveries.subjectId} = any(${sql.param(endpointIds)}::uuid[])`,
        sql`${deliveries.id} >= ${sinceId}`,
        sql`${deliveries.payload}->>'key' = ${key}`,
      ),
    );
  return new Set(rows.map((row) => row.subjectId));
}

/** What a webhook says about a customer: the profile an integrator needs to match them (no card numbers). */
export async function customerPayload(db: Executor, workspaceId: string, customerId: string) {
  const [row] = await db
    .select({
      id: customers.id,
      name: customers.name,
      nickname: customers.nickname,
      phone: customers.phone,
      email: customers.email,
      gender: customers.gender,
      region: customers.region,
      source: customers.source,
      lifecycleStage: customers.lifecycleStage,
      ownerId: customers.ownerId,
      customFields: customers.customFields,
      marketingOptOutAt: customers.marketingOptOutAt,
      createdAt: customers.createdAt,
      updatedAt: customers.updatedAt,
    })
    .from(customers)
    .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, customerId)));
  return row;
}
