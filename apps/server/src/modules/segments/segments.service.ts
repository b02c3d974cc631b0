import type {
  BulkActionBody,
  CreateSegmentBody,
  Customer,
  CustomerTarget,
  Job,
  Segment,
  SegmentCount,
  SegmentFilter,
  UpdateSegmentBody,
} from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { customers } from '../../db/schema.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { AppError, postgresCode } from '../../platform/errors.ts';
import { newId, sha256 } from '../../platform/ids.ts';
import { type Jobs, storedActor, toJob } from '../../platform/jobs.ts';
import type { AuditService } from '../audit/index.ts';
import { compileSegmentFilter, visibleCustomers } from './segment-filter.ts';
import { BULK_JOB_KIND, type BulkJobPayload } from './segments.jobs.ts';
import * as repo from './segments.repository.ts';

export const toSegment = (row: repo.SegmentRow): Segment => ({
  id: row.id,
  name: row.name,
  description: row.description,
  filter: row.filter as SegmentFilter,
  createdBy: row.createdBy,
  customerCount: row.customerCount,
  countedAt: row.countedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * The customers module's search: every customer `actor`'s search for `q` finds, as a WHERE fragment over
 * `customers` without the workspace scope (for `{ q }` targets), matching phone digits as their customer list does.
 * No cap: a bulk action or export on a search's results acts on all of them, counted exactly first, like a segment.
 */
export type SearchMatches = (actor: Actor, q: string) => SQL;

const byIds = (workspaceId: string, ids: string[]) =>
  sql`(${visibleCustomers(workspaceId)} and ${customers.id} = any(${sql.param([...new Set(ids)])}::uuid[]))`;

/**
 * Which customers a target means, as a WHERE fragment over `customers` (workspace scope and merged-record hiding
 * included). A segment of another workspace answers 404; unknown tag ids or custom-field keys in a filter 400.
 */
export async function resolveCustomerTarget(
  executor: Executor,
  actor: Actor,
  target: CustomerTarget,
  searchMatches?: SearchMatches,
): Promise<SQL> {
  assertCan(actor, 'customers:read');
  if ('segmentId' in target) {
    const segment = await repo.findSegment(executor, actor.workspaceId, target.segmentId);
    if (!segment) throw new AppError('segment.not_found', '分组不存在');
    return compileSegmentFilter(executor, actor.workspaceId, segment.filter as SegmentFilter, { strict: false });
  }
  if ('filter' in target) return compileSegmentFilter(executor, actor.workspaceId, target.filter);
  if ('customerIds' in target) return byIds(actor.workspaceId, target.customerIds);
  if (!searchMatches) throw new AppError('request.invalid', '暂不支持按搜索结果批量操作');
  return sql`(${visibleCustomers(actor.workspaceId)} and ${searchMatches(actor, target.q)})`;
}

/** A selection is audited by its first 1000 ids (the count says how many there were). */
const auditedTarget = (target: CustomerTarget) =>
  'customerIds' in target
    ? { customerIds: target.customerIds.slice(0, 1000), selected: target.customerIds.length }
    : target;

const nameTaken = (error: unknown) => {
  if (postgresCode(error) === '23505') throw new AppError('segment.name_taken', '已有同名的分组');
  throw error;
};

export type SegmentsService = ReturnType<typeof createSegmentsService>;

export function createSegmentsService({
  db,
  jobs,
  audit,
  present,
  searchMatches,
}: {
  db: Db;
  jobs: Jobs;
  audit: AuditService;
  /** The customer as the actor may see it (customers module: PII masked without reveal permission). */
  present: (actor: Actor, row: typeof customers.$inferSelect) => Customer;
  searchMatches?: SearchMatches;
}) {
  async function getRow(executor: Executor, actor: Actor, id: string) {
    const row = await repo.findSegment(executor, actor.workspaceId, id);
    if (!row) throw new AppError('segment.not_found', '分组不存在');
    return row;
  }

  const target = (executor: Executor, actor: Actor, customerTarget: CustomerTarget) =>
    resolveCustomerTarget(executor, actor, customerTarget, searchMatches);

  /**
   * Counting a big segment takes seconds (12–16 s for 已下单 at a million customers): one count per segment at a
   * time in this process, shared by everyone who asks meanwhile (two tabs, two leads opening 分组).
   */
  const counting = new Map<string, Promise<SegmentCount>>();

  /** Counts a segment's customers now and remembers the answer as its stored count. */
  function countAndStore(actor: Actor, id: string): Promise<SegmentCount> {
    const key = `${actor.workspaceId}:${id}`;
    const running = counting.get(key);
    if (running) return running;
    const run = (async () => {
      const row = await getRow(db, actor, id);
      const where = await compileSegmentFilter(db, actor.workspaceId, row.filter as SegmentFilter, { strict: false });
      const count = await repo.countCustomers(db, where);
      const countedAt = new Date();
      await repo.storeSegmentCount(db, actor.workspaceId, id, row.filter, count, countedAt);
      return { count, countedAt: countedAt.toISOString() };
    })().finally(() => counting.delete(key));
    counting.set(key, run);
    return run;
  }

  return {
    /** The segments with their stored counts: nothing is counted here (see countSegment). */
    async list(actor: Actor) {
      assertCan(actor, 'customers:read');
      return { items: (await repo.listSegments(db, actor.workspaceId)).map(toSegment), nextCursor: null };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'customers:read');
      return toSegment(await getRow(db, actor, id));
    },

    async create(actor: Actor, body: CreateSegmentBody) {
      assertCan(actor, 'segments:manage');
      // Compiling checks tag ids and custom-field keys against this workspace.
      await compileSegmentFilter(db, actor.workspaceId, body.filter);
      const row = await repo
        .insertSegment(db, {
          id: newId(),
          workspaceId: actor.workspaceId,
          name: body.name,
          description: body.description ?? '',
          filter: body.filter,
          createdBy: actor.userId,
        })
        .catch(nameTaken);
      return toSegment(row);
    },

    async update(actor: Actor, id: string, body: UpdateSegmentBody) {
      assertCan(actor, 'segments:manage');
      await getRow(db, actor, id);
      if (body.filter) await compileSegmentFilter(db, actor.workspaceId, body.filter);
      const row = await repo.updateSegment(db, actor.workspaceId, id, body).catch(nameTaken);
      return toSegment(row!);
    },

    async remove(actor: Actor, id: string) {
      assertCan(actor, 'segments:manage');
      await getRow(db, actor, id);
      await repo.deleteSegment(db, actor.workspaceId, id);
    },

    /** Counts exactly now and remembers it (the list shows it, with its time, until counted again). */
    async countSegment(actor: Actor, id: string): Promise<SegmentCount> {
      assertCan(actor, 'customers:read');
      return countAndStore(actor, id);
    },

    async countFilter(actor: Actor, filter: SegmentFilter) {
      assertCan(actor, 'customers:read');
      return { count: await repo.countCustomers(db, await compileSegmentFilter(db, actor.workspaceId, filter)) };
    },

    async preview(actor: Actor, filter: SegmentFilter, limit: number) {
      assertCan(actor, 'customers:read');
      const where = await compileSegmentFilter(db, actor.workspaceId, filter);
      const rows = await repo.firstCustomers(db, where, limit);
      return { items: rows.map((row) => present(actor, row)) };
    },

    async bulkCount(actor: Actor, customerTarget: CustomerTarget) {
      assertCan(actor, 'customers:bulk_update');
      // A segment's exact count is remembered for the 分组 list too.
      if ('segmentId' in customerTarget) return { count: (await countAndStore(actor, customerTarget.segmentId)).count };
      return { count: await repo.countCustomers(db, await target(db, actor, customerTarget)) };
    },

    /**
     * Checks the action and its target, records it in the audit log and queues the job, in one transaction. The job
     * freezes the target's customers as its first step (for a big segment that takes seconds), so the count the
     * user confirmed (`expectedCount`, from the count endpoint) is compared there: the job's result says how many
     * customers matched when it started.
     */
    async bulk(actor: Actor, body: BulkActionBody): Promise<Job> {
      assertCan(actor, 'customers:bulk_update');
      return db.transaction(async (tx) => {
        const tagIds = [...new Set(body.tagIds ?? [])];
        const ownerId = body.action === 'assign_owner' ? (body.ownerId ?? null) : null;
        // A double click or a retried request asks for the same job again: it gets the job already queued.
        const requestKey = sha256(
          JSON.stringify([body.action, [...tagIds].sort(), ownerId, body.target, body.expectedCount]),
        );
        await repo.lockKey(tx, `bulk:${actor.workspaceId}:${actor.userId}:${requestKey}`);
        const scope = { workspaceId: actor.workspaceId, userId: actor.userId, kind: BULK_JOB_KIND };
        const earlier = await repo.findDuplicateBulkJob(tx, scope, requestKey);
        if (earlier) return toJob(earlier);
        if (tagIds.length > 0) {
          const found = await tx.execute<{ id: string }>(
            sql`select id from tags where workspace_id = ${actor.workspaceId} and id = any(${sql.param(tagIds)}::uuid[])`,
          );
          const known = new Set(found.rows.map((row) => row.id));
          const unknown = tagIds.filter((id) => !known.has(id));
          if (unknown.length > 0)
            throw new AppError('tag.unknown', `标签不存在：${unknown.join(', ')}`, { tagIds: unknown });
          if (body.action === 'add_tags') {
            const groups = await tx.execute<{ group_id: string; name: string; n: number }>(sql`
              select g.id as group_id, g.name, count(*)::int as n from tags t join tag_groups g on g.id = t.group_id
              where t.workspace_id = ${actor.workspaceId} and t.id = any(${sql.param(tagIds)}::uuid[])
                and g.selection = 'single'
              group by g.id, g.name having count(*) > 1`);
            if (groups.rows[0])
              throw new AppError('request.invalid', `「${groups.rows[0].name}」是单选标签组，只能选择一个标签`);
          }
        }
        if (ownerId) {
          const user = await repo.findActiveUser(tx, actor.workspaceId, ownerId);
          if (!user || user.disabled) throw new AppError('user.not_found', '负责人不存在或已停用');
        }
        // Resolving now answers a wrong segment id (404) or filter (400) here rather than in the job.
        await target(tx, actor, body.target);
        const payload: BulkJobPayload = {
          bulkId: newId(),
          action: body.action,
          tagIds,
          ownerId,
          target: body.target,
          actor: storedActor(actor),
          expectedCount: body.expectedCount,
          requestKey,
        };
        const job = await jobs.enqueue(tx, {
          workspaceId: actor.workspaceId,
          kind: BULK_JOB_KIND,
          payload,
          createdBy: actor.userId,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'customers.bulk_updated',
          targetType: 'job',
          targetId: job.id,
          details: {
            action: body.action,
            expectedCount: body.expectedCount,
            target: auditedTarget(body.target),
            tagIds,
            ownerId,
          },
        });
        return job;
      });
    },
  };
}
