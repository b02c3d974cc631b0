import { type BulkJobResult, bulkActions, customerTarget } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { actorOf, JobCancelled, type JobContext, type Jobs, jobActor } from '../../platform/jobs.ts';
import type { AuditService } from '../audit/index.ts';
import { recordCustomerEvents } from '../customers/index.ts';
import * as repo from './segments.repository.ts';
import { resolveCustomerTarget, type SearchMatches } from './segments.service.ts';

export const BULK_JOB_KIND = 'customers.bulk';
const BATCH = 1000;

export const bulkJobPayload = z.object({
  bulkId: z.uuid(),
  action: z.enum(bulkActions),
  tagIds: z.array(z.uuid()),
  ownerId: z.uuid().nullable(),
  target: customerTarget,
  actor: jobActor,
  /** The count the user confirmed; the job acts on the customers matching when it starts, and says how many. */
  expectedCount: z.number().int(),
  /** A hash of the request, to answer an identical request with this job (absent in jobs queued before). */
  requestKey: z.string().optional(),
});
export type BulkJobPayload = z.infer<typeof bulkJobPayload>;

/**
 * A job queued before the job froze its own targets: the request froze them (bulk_action_targets under `bulkId`)
 * and put their count in `total`. Read as `frozenCount`, the count its first step records instead of freezing.
 */
const legacyBulkJobPayload = z
  .object({
    bulkId: z.uuid(),
    action: z.enum(bulkActions),
    tagIds: z.array(z.uuid()),
    ownerId: z.uuid().nullable(),
    total: z.number().int(),
  })
  .transform(({ total, ...rest }) => ({ ...rest, expectedCount: total, frozenCount: total }));
const storedBulkJobPayload = z.union([bulkJobPayload, legacyBulkJobPayload]);
type StoredBulkJobPayload = z.output<typeof storedBulkJobPayload>;

/** `matched`: how many customers were frozen as the targets (saved in the same transaction as the targets). */
const checkpointSchema = z.object({
  matched: z.number().int(),
  after: z.uuid().nullable(),
  done: z.number().int(),
  changed: z.number().int(),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

type Pair = { customer_id: string; tag_id: string };

/**
 * The bulk action job: first freezes the target's customer ids (once: a retry finds them in its checkpoint), then
 * walks them in id order, 1000 per transaction, and checkpoints after each batch. Every step is idempotent (insert …
 * on conflict do nothing, delete, update … where distinct), so a batch run again after a crash changes nothing twice
 * and writes no second timeline entry. A cancel stops it between batches; what was done stays.
 */
export function defineSegmentsJobs(
  jobs: Jobs,
  { db, audit, searchMatches }: { db: Db; audit: AuditService; searchMatches?: SearchMatches },
) {
  /** Freezes the customers the target matches now, with a checkpoint saying so, in one transaction. */
  const freezeTargets = ({ job, payload, progress }: JobContext<StoredBulkJobPayload>): Promise<Checkpoint> =>
    db.transaction(async (tx) => {
      const matched =
        'frozenCount' in payload
          ? payload.frozenCount
          : await repo.snapshotTargets(
              tx,
              job.workspaceId,
              payload.bulkId,
              await resolveCustomerTarget(tx, actorOf(payload.actor, job.workspaceId), payload.target, searchMatches),
            );
      const frozen = { matched, after: null, done: 0, changed: 0 };
      await progress(0, matched, frozen, tx);
      return frozen;
    });

  jobs.define<StoredBulkJobPayload>({
    kind: BULK_JOB_KIND,
    payload: storedBulkJobPayload,
    cancelPermission: 'customers:bulk_update',
    async run(context) {
      const { job, payload, checkpoint, progress, cancelRequest } = context;
      const { workspaceId, createdBy } = job;
      // An old job's checkpoint has no `matched`: its frozen count.
      const saved = checkpointSchema.safeParse(
        'frozenCount' in payload && checkpoint ? { matched: payload.frozenCount, ...checkpoint } : checkpoint,
      );
      const frozen = saved.success ? saved.data : await freezeTargets(context);
      const { matched } = frozen;
      let { after, done, changed } = frozen;
      const summary = (): BulkJobResult => ({
        action: payload.action,
        expectedCount: payload.expectedCount,
        matched,
        processed: done,
        changed,
        unchanged: done - changed,
      });
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
        const cancel = cancelRequest();
        if (cancel) {
          await db.transaction(async (tx) => {
            await repo.deleteTargets(tx, workspaceId, payload.bulkId);
            await audit.record(tx, {
              workspaceId,
              actorId: cancel.by,
              action: 'customers.bulk_cancelled',
              targetType: 'job',
              targetId: job.id,
              details: summary(),
            });
          });
          throw new JobCancelled(summary());
        }
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
        await progress(done, matched, { matched, after, done, changed });
      }
      await repo.deleteTargets(db, workspaceId, payload.bulkId);
      return summary();
    },
  });
}
