import { type Job, roles } from '@huike/contracts';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { jobs as jobsTable } from '../db/schema.ts';
import { type Actor, assertCan, can, type Permission } from './access.ts';
import { decodeIdCursor, type Executor, encodeCursor } from './db-helpers.ts';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';

type JobRow = typeof jobsTable.$inferSelect;

export type JobContext<P> = {
  job: { id: string; workspaceId: string; createdBy: string | null };
  payload: P;
  /** What the last attempt saved with its progress; null on the first attempt. */
  checkpoint: unknown;
  /**
   * Records progress (and where a retry should resume) and keeps the job's lease alive. Pass the transaction that
   * did the work so the checkpoint commits with it. Called outside a transaction (no `executor`) while the worker is
   * stopping, it throws JobInterrupted once the checkpoint is saved: the job goes back to the queue and the next
   * worker resumes it from there (as after a crash, so jobs need no code of their own for it).
   */
  progress(done: number, total: number | null, checkpoint?: unknown, executor?: Executor): Promise<void>;
  /** Who asked to cancel the job (as of the last `progress`), or null while nobody has. */
  cancelRequest(): { by: string | null } | null;
};

/** A kind of background work. `run` must be safe to run again after a crash: it resumes from `checkpoint`. */
export type JobDefinition<P> = {
  kind: string;
  payload: z.ZodType<P>;
  run(context: JobContext<P>): Promise<Record<string, unknown>>;
  /**
   * Who may cancel a job of this kind: whoever may start one (for kinds where that depends on the job, a function of
   * it). Kinds without it cannot be cancelled; kinds with it check `cancelRequest()` between their checkpoints and
   * throw JobCancelled.
   */
  cancelPermission?: Permission | ((job: { workspaceId: string; payload: unknown }) => Promise<Permission>);
};

/** Thrown by a job that stopped at a checkpoint because it was cancelled: it ends `cancelled` with `result`. */
export class JobCancelled extends Error {
  constructor(readonly result: Record<string, unknown>) {
    super('job cancelled');
  }
}

/**
 * Thrown by `progress` when the worker is stopping (a shutdown): the job is queued again, to resume from the
 * checkpoint it just saved. Jobs let it pass (like any error they do not handle).
 */
export class JobInterrupted extends Error {
  constructor() {
    super('job interrupted: the worker is stopping');
  }
}

/** Who a job works for, kept in its payload: the job sees what they could see when they started it. */
export const jobActor = z.object({ userId: z.uuid(), workspaceId: z.uuid(), role: z.enum(roles), name: z.string() });

/** The actor of a payload's `jobActor`, in the job's own workspace. */
export const actorOf = (stored: z.infer<typeof jobActor>, workspaceId: string): Actor => ({ ...stored, workspaceId });

/** What a job stores as its `jobActor`. */
export const storedActor = ({ userId, workspaceId, role, name }: Actor) => ({ userId, workspaceId, role, name });

const MAX_ATTEMPTS = 3;
/** A running job whose process stopped renewing its lease for this long is taken over by another worker. */
const LEASE_MS = 60_000;
const HEARTBEAT_MS = 15_000;
const POLL_MS = 500;

const iso = (value: Date | null) => value?.toISOString() ?? null;

export const toJob = (row: JobRow): Job => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  progress: { done: row.progressDone, total: row.progressTotal },
  result: row.status === 'succeeded' || row.status === 'cancelled' ? (row.result ?? {}) : null,
  error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
  isCancelRequested: row.cancelRequestedAt !== null,
  createdAt: row.createdAt.toISOString(),
  startedAt: iso(row.startedAt),
  finishedAt: iso(row.finishedAt),
});

export type Jobs = ReturnType<typeof createJobs>;

/**
 * Background jobs stored in PostgreSQL: any worker process claims a queued job (SKIP LOCKED), renews a lease
 * while it runs, and a job whose worker died is taken over and resumed from its checkpoint.
 */
export function createJobs({ db, onError }: { db: Db; onError: (error: unknown, kind: string) => void }) {
  // biome-ignore lint/suspicious/noExplicitAny: definitions of every payload type live in one map
  const definitions = new Map<string, JobDefinition<any>>();
  let timer: NodeJS.Timeout | undefined;
  /** The poll in progress: a stop waits for its job, which would otherwise lose the pool mid-query. */
  let running: Promise<void> | undefined;
  /** Set by `stop`: the running job stops at its next checkpoint and goes back to the queue. */
  let isStopping = false;

  async function claimNext(): Promise<JobRow | undefined> {
    const result = await db.execute<{ id: string }>(sql`
      update jobs set status = 'running', attempts = attempts + 1, heartbeat_at = now(),
        started_at = coalesce(started_at, now()), updated_at = now()
      where id = (
        select id from jobs
        where status = 'queued'
           or (status = 'running' and heartbeat_at < now() - make_interval(secs => ${LEASE_MS / 1000}))
        order by id
        for update skip locked
        limit 1)
      returning id`);
    const id = result.rows[0]?.id;
    return id ? (await db.select().from(jobsTable).where(eq(jobsTable.id, id)))[0] : undefined;
  }

  const finish = (id: string, patch: Partial<typeof jobsTable.$inferInsert>) =>
    db
      .update(jobsTable)
      .set({ ...patch, finishedAt: new Date(), updatedAt: new Date() })
      .where(eq(jobsTable.id, id));

  async function execute(row: JobRow) {
    const definition = definitions.get(row.kind);
    if (!definition) {
      await finish(row.id, { status: 'failed', errorCode: 'job.unknown_kind', errorMessage: '未知的任务类型' });
      return;
    }
    const parsed = definition.payload.safeParse(row.payload);
    if (!parsed.success) {
      await finish(row.id, { status: 'failed', errorCode: 'job.invalid_payload', errorMessage: '任务参数无效' });
      return;
    }
    const heartbeat = setInterval(() => {
      db.update(jobsTable)
        .set({ heartbeatAt: new Date() })
        .where(eq(jobsTable.id, row.id))
        .catch((error) => onError(error, row.kind));
    }, HEARTBEAT_MS);
    let cancelRequest = row.cancelRequestedAt ? { by: row.cancelRequestedBy } : null;
    try {
      const result = await definition.run({
        job: { id: row.id, workspaceId: row.workspaceId, createdBy: row.createdBy },
        payload: parsed.data,
        checkpoint: row.checkpoint,
        async progress(done, total, checkpoint, executor = db) {
          const [current] = await executor
            .update(jobsTable)
            .set({
              progressDone: done,
              progressTotal: total,
              heartbeatAt: new Date(),
              updatedAt: new Date(),
              ...(checkpoint === undefined ? {} : { checkpoint }),
            })
            .where(eq(jobsTable.id, row.id))
            .returning({ at: jobsTable.cancelRequestedAt, by: jobsTable.cancelRequestedBy });
          if (current?.at) cancelRequest = { by: current.by };
          // A cancel asked for stops the job anyway (for good); outside a transaction the checkpoint has committed.
          if (isStopping && !cancelRequest && executor === db) throw new JobInterrupted();
        },
        cancelRequest: () => cancelRequest,
      });
      await db
        .update(jobsTable)
        .set({
          status: 'succeeded',
          result,
          progressDone: sql`greatest(${jobsTable.progressDone}, coalesce(${jobsTable.progressTotal}, 0))`,
          finishedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(jobsTable.id, row.id));
    } catch (error) {
      if (error instanceof JobCancelled) {
        await finish(row.id, { status: 'cancelled', result: error.result });
        return;
      }
      if (error instanceof JobInterrupted) {
        // Not a failed attempt: the next worker resumes it from the checkpoint as if it had never stopped.
        await db
          .update(jobsTable)
          .set({ status: 'queued', attempts: sql`greatest(${jobsTable.attempts} - 1, 0)`, updatedAt: new Date() })
          .where(eq(jobsTable.id, row.id));
        return;
      }
      onError(error, row.kind);
      if (error instanceof AppError) {
        await finish(row.id, { status: 'failed', errorCode: error.code, errorMessage: error.message });
      } else if (row.attempts >= MAX_ATTEMPTS) {
        await finish(row.id, { status: 'failed', errorCode: 'job.failed', errorMessage: '任务执行失败，请稍后重试' });
      } else {
        // Unexpected errors (a lost connection, a deadlock) may pass: queue it again, resuming from the checkpoint.
        await db.update(jobsTable).set({ status: 'queued', updatedAt: new Date() }).where(eq(jobsTable.id, row.id));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Runs one waiting job if there is one; answers whether it did. */
  async function runNext(): Promise<boolean> {
    const row = await claimNext();
    if (!row) return false;
    await execute(row);
    return true;
  }

  async function pollUntilIdle() {
    try {
      while (timer && (await runNext())) {
        // keep going while there is work
      }
    } catch (error) {
      onError(error, 'poll');
    } finally {
      running = undefined;
    }
  }

  function poll() {
    running ??= pollUntilIdle();
  }

  async function findRow(actor: Actor, id: string) {
    const row = (
      await db
        .select()
        .from(jobsTable)
        .where(and(eq(jobsTable.workspaceId, actor.workspaceId), eq(jobsTable.id, id)))
    )[0];
    // Jobs carry their creator's filters and results: others see them only as admins.
    if (!row || (row.createdBy !== actor.userId && !can(actor, 'workspace:manage')))
      throw new AppError('job.not_found', '任务不存在');
    return row;
  }

  /**
   * Cancels a queued job at once; marks a running one, which stops at its next checkpoint. Answers the job
   * (an already cancelled one as it is).
   */
  async function cancel(actor: Actor, id: string): Promise<Job> {
    const row = await findRow(actor, id);
    const cancelPermission = definitions.get(row.kind)?.cancelPermission;
    if (!cancelPermission) throw new AppError('job.not_cancellable', '这类任务不能取消');
    assertCan(
      actor,
      typeof cancelPermission === 'function'
        ? await cancelPermission({ workspaceId: row.workspaceId, payload: row.payload })
        : cancelPermission,
    );
    if (row.status === 'cancelled') return toJob(row);
    const [cancelled] = await db
      .update(jobsTable)
      .set({
        status: sql`case when ${jobsTable.status} = 'queued' then 'cancelled' else ${jobsTable.status} end`,
        finishedAt: sql`case when ${jobsTable.status} = 'queued' then now() else ${jobsTable.finishedAt} end`,
        cancelRequestedAt: sql`coalesce(${jobsTable.cancelRequestedAt}, now())`,
        cancelRequestedBy: sql`coalesce(${jobsTable.cancelRequestedBy}, ${actor.userId}::uuid)`,
        updatedAt: new Date(),
      })
      .where(and(eq(jobsTable.id, row.id), sql`${jobsTable.status} in ('queued', 'running')`))
      .returning();
    if (!cancelled) throw new AppError('job.finished', '任务已经结束，无法取消');
    return toJob(cancelled);
  }

  return {
    define<P>(definition: JobDefinition<P>) {
      definitions.set(definition.kind, definition);
    },

    /** Queues a job; pass the caller's transaction so the job exists only if the change that asked for it commits. */
    async enqueue(
      executor: Executor,
      input: { workspaceId: string; kind: string; payload: unknown; createdBy: string | null },
    ): Promise<Job> {
      if (!definitions.has(input.kind)) throw new Error(`job kind ${input.kind} is not defined`);
      const [row] = await executor
        .insert(jobsTable)
        .values({ id: newId(), ...input, payload: input.payload as object })
        .returning();
      return toJob(row!);
    },

    get: async (actor: Actor, id: string) => toJob(await findRow(actor, id)),

    cancel,

    /** The actor's own jobs, newest first (admins: everyone's). */
    async list(actor: Actor, query: { kind?: string; limit: number; cursor?: string }) {
      const before = decodeIdCursor(query.cursor);
      const rows = await db
        .select()
        .from(jobsTable)
        .where(
          and(
            eq(jobsTable.workspaceId, actor.workspaceId),
            can(actor, 'workspace:manage') ? undefined : eq(jobsTable.createdBy, actor.userId),
            query.kind ? eq(jobsTable.kind, query.kind) : undefined,
            before ? lt(jobsTable.id, before) : undefined,
          ),
        )
        .orderBy(desc(jobsTable.id))
        .limit(query.limit + 1);
      const items = rows.slice(0, query.limit).map(toJob);
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    runNext,

    /** Runs every waiting job to completion, in this process. For tests and the CLI. */
    async drain() {
      while (await runNext()) {
        // until the queue is empty
      }
    },

    /** Worker processes poll for work; web-only processes never call this. */
    start() {
      timer ??= setInterval(poll, POLL_MS);
    },

    /**
     * Stops polling and asks the job in progress, if any, to stop at its next checkpoint (it is queued again and the
     * next worker resumes it there); resolves once it has stopped, so a shutdown never cuts it off mid-query nor
     * waits for a long import to finish.
     */
    async stop() {
      clearInterval(timer);
      timer = undefined;
      isStopping = true;
      try {
        await running;
      } finally {
        isStopping = false;
      }
    },
  };
}
