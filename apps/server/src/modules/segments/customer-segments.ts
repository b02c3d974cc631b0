import type { SegmentFilter } from '@huike/contracts';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { segments } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { compileSegmentFilter } from './segment-filter.ts';

/**
 * Which of `segmentIds` (this workspace's saved segments) the customer belongs to now. Segments of another
 * workspace or deleted since are simply not answered; a filter referring to a deleted tag matches nobody.
 * One query: each segment's filter becomes one EXISTS probe on the customer's row.
 */
export async function customerSegmentIds(
  executor: Executor,
  workspaceId: string,
  customerId: string,
  segmentIds: string[],
): Promise<string[]> {
  const ids = [...new Set(segmentIds)];
  if (ids.length === 0) return [];
  const rows = await executor
    .select({ id: segments.id, filter: segments.filter })
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), inArray(segments.id, ids)));
  if (rows.length === 0) return [];
  const probes = await Promise.all(
    rows.map(async (row) => {
      const where = await compileSegmentFilter(executor, workspaceId, row.filter as SegmentFilter, { strict: false });
      return sql`select ${row.id}::uuid as id where exists (select 1 from customers where ${where} and customers.id = ${customerId})`;
    }),
  );
  const result = await executor.execute<{ id: string }>(sql.join(probes, sql` union all `));
  return result.rows.map((row) => row.id);
}
