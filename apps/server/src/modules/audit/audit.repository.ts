import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { auditLog, customers, inboxes, teams, users } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type AuditRow = typeof auditLog.$inferSelect;

/** Serialises writers of one workspace's chain until the transaction ends. */
export const lockChain = (db: Executor, workspaceId: string) =>
  db.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit:${workspaceId}`}))`);

export const lastHash = async (db: Executor, workspaceId: string) =>
  (
    await db
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, workspaceId))
      .orderBy(desc(auditLog.seq))
      .limit(1)
  )[0]?.hash;

export const insertEntry = (db: Executor, row: typeof auditLog.$inferInsert) => db.insert(auditLog).values(row);

export function listEntries(
  db: Executor,
  workspaceId: string,
  filter: { action?: string; targetType?: string; targetId?: string },
  beforeSeq: number | undefined,
  limit: number,
) {
  return db
    .select({ entry: auditLog, actorName: users.name })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(
      and(
        eq(auditLog.workspaceId, workspaceId),
        filter.action ? eq(auditLog.action, filter.action) : undefined,
        filter.targetType ? eq(auditLog.targetType, filter.targetType) : undefined,
        filter.targetId ? eq(auditLog.targetId, filter.targetId) : undefined,
        beforeSeq !== undefined ? lt(auditLog.seq, beforeSeq) : undefined,
      ),
    )
    .orderBy(desc(auditLog.seq))
    .limit(limit);
}

/** The chain in order, a page at a time (verification walks it all). */
export const chainPage = (db: Executor, workspaceId: string, afterSeq: number, limit: number) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, workspaceId), gt(auditLog.seq, afterSeq)))
    .orderBy(asc(auditLog.seq))
    .limit(limit);

const namedTables = { user: users, team: teams, inbox: inboxes, customer: customers } as const;
export type NamedTargetType = keyof typeof namedTables;
export const isNamedTargetType = (type: string | null): type is NamedTargetType =>
  type !== null && Object.hasOwn(namedTables, type);

/** Current names of a workspace's members, teams, channels or customers (targets of entries recorded without one). */
export async function currentNames(db: Executor, workspaceId: string, type: NamedTargetType, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const table = namedTables[type];
  const rows = await db
    .select({ id: table.id, name: table.name })
    .from(table)
    .where(and(eq(table.workspaceId, workspaceId), inArray(table.id, ids)));
  return new Map(rows.filter((row) => row.name).map((row) => [row.id, row.name as string]));
}
