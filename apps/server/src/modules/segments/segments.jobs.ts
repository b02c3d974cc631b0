import { bulkActions } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { recordCustomerEvents } from '../customers/index.ts';
import * as repo from './segments.repository.ts';

export const BULK_JOB_KIND = 'customers.bulk';
const BATCH = 1000;

export const bulkJobPayload = z.object({
  bulkId: z.uuid(),
  action: z.enum(bulkActions),
  tagIds: z.array(z.uuid()),
  ownerId: z.uuid().nullable(),
  total: z.number().int(),
});
export type BulkJobPayload = z.infer<typeof bulkJobPayload>;

const checkpointSchema = z.object({ after: z.uuid().nullable(), done: z.number().int(), changed: z.number().int() });

type Pair = { customer_id: string; tag_id: string };

/**
 * The bulk action job: walks the frozen customer ids in id order, 1000 per transaction, and checkpoints after
 * each batch. Every step is idempotent (insert … on conflict do nothing, delete, update … where distinct), so a
 * batch run again after a crash changes nothing twice and writes no second timeline entry.
 */
export function defineSegmentsJobs(jobs: Jobs, { db }: { db: Db }) {
  jobs.define<BulkJobPayload>({
    kind: BULK_JOB_KIND,
    payload: bulkJobPayload,
    async run({ job, payload, checkpoint, progress }) {
      const { workspaceId, createdBy } = job;
      const saved = checkpointSchema.safeParse(checkpoint);
      let { after, done, changed } = saved.success ? saved.data : { after: null, done: 0, changed: 0 };
      const names = new Map<string, string>();
      if (payload.tagIds.length > 0) {
        const rows = await db.execute<{ id: string; name: string }>(
          sql`select id, name from tags where workspace_id = ${workspaceId} and id = any(${sql.param(payload.tagIds)}::uuid[])`,
        );
        for (const row of rows.rows) names.set(row.id, row.name);
      }
      // Tags deleted since the action was confirmed are skipped.
      const tagIds = payload.tagIds.filter((id) => names.has(id));
      const siblings = payload.action === 'add_tags' ? await repo.singleSelectSiblings(db, workspaceId, tagIds) : [];
      if (siblings.length > 0) {
        const rows = await db.execute<{ id: string; name: string }>(
          sql`select id, name from tags where workspace_id = ${workspaceId} and id = any(${sql.param(siblings)}::uuid[])`,
        );
        for (const row of rows.rows) names.set(row.id, row.name);
      }
      const describe = (pairs: Pair[], customerId: string) =>
        pairs
          .filter((p) => p.customer_id === customerId)
          .map((p) => ({ id: p.tag_id, name: names.get(p.tag_id) ?? '' }));

      for (;;) {
        const batch = await repo.nextTargets(db, workspaceId, payload.bulkId, after, BATCH);
        if (batch.length === 0) break;
        const ids = batch.filter((row) => row.live).map((row) => row.customer_id);
        changed += await db.transaction(async (tx) => {
          const event = (customerId: string, kind: string, details: Record<string, unknown>) => ({
            workspaceId,
            customerId,
            kind,
            actorId: createdBy,
            details: { ...details, bulkJobId: job.id },
          });
          if (payload.action === 'assign_owner') {
            const owned = await repo.assignOwnerToMany(tx, workspaceId, ids, payload.ownerId);
            await recordCustomerEvents(
              tx,
              owned.map((id) => event(id, 'owner_changed', { ownerId: payload.ownerId })),
            );
            return owned.length;
          }
          let added: Pair[] = [];
          let removed: Pair[] = [];
          if (payload.action === 'add_tags') {
            removed = await repo.removeTagsFromMany(tx, workspaceId, ids, siblings);
            added = await repo.addTagsToMany(tx, workspaceId, ids, tagIds, createdBy);
          } else {
            removed = await repo.removeTagsFromMany(tx, workspaceId, ids, tagIds);
          }
          const touched = [...new Set([...added, ...removed].map((pair) => pair.customer_id))];
          await recordCustomerEvents(
            tx,
            touched.map((id) =>
              event(id, 'tags_changed', { added: describe(added, id), removed: describe(removed, id) }),
            ),
          );
          return touched.length;
        });
        after = batch.at(-1)!.customer_id;
        done += batch.length;
        await progress(done, payload.total, { after, done, changed });
      }
      await repo.deleteTargets(db, workspaceId, payload.bulkId);
      return { action: payload.action, matched: payload.total, changed, unchanged: done - changed };
    },
  });
}
