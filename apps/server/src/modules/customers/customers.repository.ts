import { and, desc, eq, ilike, lt, or, sql } from 'drizzle-orm';
import { conversations, customerIdentities, customers } from '../../db/schema.ts';
import { containsPattern, type Executor } from '../../platform/db-helpers.ts';

export type CustomerRow = typeof customers.$inferSelect;
export type IdentityKind = (typeof customerIdentities.$inferSelect)['kind'];

export const findCustomer = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(customers)
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)))
  )[0];

/** Newest first, keyset on id (UUIDv7 is time-ordered). */
export function listCustomers(
  db: Executor,
  workspaceId: string,
  q: string | undefined,
  before: string | undefined,
  limit: number,
) {
  const pattern = q ? containsPattern(q) : undefined;
  return db
    .select()
    .from(customers)
    .where(
      and(
        eq(customers.workspaceId, workspaceId),
        before ? lt(customers.id, before) : undefined,
        pattern
          ? or(ilike(customers.name, pattern), ilike(customers.phone, pattern), ilike(customers.email, pattern))
          : undefined,
      ),
    )
    .orderBy(desc(customers.id))
    .limit(limit);
}

export const insertCustomer = async (db: Executor, row: typeof customers.$inferInsert) =>
  (await db.insert(customers).values(row).returning())[0]!;

export const updateCustomer = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof customers.$inferInsert>,
) =>
  (
    await db
      .update(customers)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, id)))
      .returning()
  )[0];

export const findIdentity = async (
  db: Executor,
  workspaceId: string,
  inboxId: string,
  kind: IdentityKind,
  externalId: string,
) =>
  (
    await db
      .select()
      .from(customerIdentities)
      .where(
        and(
          eq(customerIdentities.workspaceId, workspaceId),
          eq(customerIdentities.inboxId, inboxId),
          eq(customerIdentities.kind, kind),
          eq(customerIdentities.externalId, externalId),
        ),
      )
  )[0];

/** Inserts the identity unless it exists; returns the stored one either way (safe under concurrency). */
export async function upsertIdentity(db: Executor, row: typeof customerIdentities.$inferInsert) {
  const inserted = await db.insert(customerIdentities).values(row).onConflictDoNothing().returning();
  return inserted[0] ?? (await findIdentity(db, row.workspaceId, row.inboxId, row.kind, row.externalId))!;
}

/** Moves an identity to another customer; answers the customer it belonged to. */
export async function moveIdentity(db: Executor, id: string, customerId: string) {
  const previous = await db
    .select({ customerId: customerIdentities.customerId })
    .from(customerIdentities)
    .where(eq(customerIdentities.id, id));
  await db.update(customerIdentities).set({ customerId, updatedAt: new Date() }).where(eq(customerIdentities.id, id));
  return previous[0]?.customerId;
}

export const hasIdentities = async (db: Executor, customerId: string) =>
  (
    await db
      .select({ id: customerIdentities.id })
      .from(customerIdentities)
      .where(eq(customerIdentities.customerId, customerId))
      .limit(1)
  ).length > 0;

/** Hands a customer's conversations to another customer and removes the emptied record. */
export async function mergeCustomerInto(db: Executor, workspaceId: string, fromId: string, intoId: string) {
  await db
    .update(conversations)
    .set({ customerId: intoId, updatedAt: new Date() })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.customerId, fromId)));
  await db.delete(customers).where(and(eq(customers.workspaceId, workspaceId), eq(customers.id, fromId)));
}

export const lockKey = (db: Executor, key: string) => db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
