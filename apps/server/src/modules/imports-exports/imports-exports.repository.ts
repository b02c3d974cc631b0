import type { LifecycleStage, RejectedRow, RfmTier } from '@huike/contracts';
import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { customerFieldDefinitions, importRejections, imports, tags } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type ImportRow = typeof imports.$inferSelect;

export const insertImport = async (db: Executor, row: typeof imports.$inferInsert) =>
  (await db.insert(imports).values(row).returning())[0]!;

export const findImport = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(imports)
      .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id)))
  )[0];

/** Locks the import row: one run at a time, and a batch's progress is written with its rows. */
export const lockImport = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(imports)
      .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id)))
      .for('update')
  )[0];

export const updateImport = (db: Executor, workspaceId: string, id: string, patch: Partial<ImportRow>) =>
  db
    .update(imports)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id)));

export async function insertRejections(db: Executor, workspaceId: string, importId: string, rows: RejectedRow[]) {
  if (rows.length === 0) return;
  await db
    .insert(importRejections)
    .values(rows.map((r) => ({ workspaceId, importId, row: r.row, reason: r.reason, issues: r.errors })))
    .onConflictDoNothing();
}

export const clearRejections = (db: Executor, workspaceId: string, importId: string) =>
  db
    .delete(importRejections)
    .where(and(eq(importRejections.workspaceId, workspaceId), eq(importRejections.importId, importId)));

/** The import's rejected rows after row `afterRow`, in row order, at most `limit`. */
export const rejectionsAfter = (db: Executor, workspaceId: string, importId: string, afterRow: number, limit: number) =>
  db
    .select({ row: importRejections.row, reason: importRejections.reason, issues: importRejections.issues })
    .from(importRejections)
    .where(
      and(
        eq(importRejections.workspaceId, workspaceId),
        eq(importRejections.importId, importId),
        gt(importRejections.row, afterRow),
      ),
    )
    .orderBy(asc(importRejections.row))
    .limit(limit);

export const tagsOf = (db: Executor, workspaceId: string) =>
  db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.workspaceId, workspaceId)).orderBy(asc(tags.id));

export const customFieldsOf = (db: Executor, workspaceId: string) =>
  db
    .select()
    .from(customerFieldDefinitions)
    .where(and(eq(customerFieldDefinitions.workspaceId, workspaceId), eq(customerFieldDefinitions.archived, false)))
    .orderBy(asc(customerFieldDefinitions.position), asc(customerFieldDefinitions.key));

export const isJobActive = async (db: Executor, jobId: string) =>
  (
    await db.execute<{ active: boolean }>(
      sql`select status in ('queued', 'running') as active from jobs where id = ${jobId}`,
    )
  ).rows[0]?.active ?? false;

export type ExportCustomerRow = {
  id: string;
  name: string | null;
  nickname: string | null;
  phone: string | null;
  phones: string[];
  email: string | null;
  emails: string[];
  gender: string;
  birthday: string | null;
  region: string | null;
  source: string | null;
  campaign: string | null;
  notes: string;
  custom_fields: Record<string, unknown>;
  id_card_enc: string | null;
  bank_card_enc: string | null;
  owner_name: string | null;
  lifecycle_stage: LifecycleStage | null;
  rfm_tier: RfmTier | null;
  order_count: number | null;
  total_spent_fen: number | null;
  first_order_at: string | null;
  last_order_at: string | null;
  created_at: string;
  tag_names: string[];
};

/** How many customers match `where`, counting no further than `limit` (cheap for a big segment). */
export async function countUpTo(db: Executor, where: SQL, limit: number): Promise<number> {
  const result = await db.execute<{ count: number }>(
    sql`select count(*)::int as count from (select 1 from customers where ${where} limit ${limit}) as matched`,
  );
  return result.rows[0]!.count;
}

/** One page of the customers matching `where` (a fragment over `customers`), in id order after `afterId`. */
export async function exportPage(db: Executor, where: ReturnType<typeof sql>, afterId: string | null, limit: number) {
  const result = await db.execute<ExportCustomerRow>(sql`
    select customers.id, customers.name, customers.nickname, customers.phone, customers.phones, customers.email,
      customers.emails, customers.gender, customers.birthday::text as birthday, customers.region, customers.source,
      customers.campaign, customers.notes, customers.custom_fields, customers.id_card_enc, customers.bank_card_enc,
      (select u.name from users u where u.id = customers.owner_id) as owner_name,
      customers.lifecycle_stage, customers.rfm_tier, customers.order_count, customers.total_spent_fen,
      customers.first_order_at::text as first_order_at, customers.last_order_at::text as last_order_at,
      customers.created_at::text as created_at,
      coalesce((select array_agg(t.name order by t.name) from customer_tags ct join tags t on t.id = ct.tag_id
        where ct.workspace_id = customers.workspace_id and ct.customer_id = customers.id), '{}') as tag_names
    from customers
    where ${where} ${afterId ? sql`and customers.id > ${afterId}` : sql``}
    order by customers.id
    limit ${limit}`);
  return result.rows;
}
