import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { deliveries } from '../db/schema.ts';
import type { Executor } from './db-helpers.ts';
import { newId } from './ids.ts';

/*
 * The outbox: deliveries to the outside world (a channel message to WeChat or SMTP, a webhook to an integrator)
 * are rows written in the same transaction as the change that causes them, so nothing is sent before it is
 * committed and nothing is lost when a process stops. Any worker claims due rows (SKIP LOCKED), pushes their
 * next attempt forward by a lease while it works, and records the outcome: succeeded, retried later with backoff,
 * or dead after the last attempt (an admin can replay it). A handler must be safe to run twice for one row
 * (a worker can die after sending and before recording): receivers get the delivery id to deduplicate.
 */

export type DeliveryRow = typeof deliveries.$inferSelect;

/** A failed attempt. `permanent`: retrying cannot help (4xx, bad address), the row goes straight to dead. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly statusCode: number | undefined;
  constructor(message: string, options: { permanent?: boolean; statusCode?: number } = {}) {
    super(message);
    this.permanent = options.permanent ?? false;
    this.statusCode = options.statusCode;
  }
}

export type DeliveryHandler = {
  /** Sends the row's delivery; throws DeliveryError (or anything) when it did not arrive. */
  send(row: DeliveryRow): Promise<{ statusCode?: number } | undefined>;
  /** Called once a row is dead (out of attempts or permanent), e.g. to mark the message failed. */
  onDead?(row: DeliveryRow, error: string): Promise<void>;
  /** Called after a success, e.g. to mark the message sent. */
  onSent?(row: DeliveryRow): Promise<void>;
  maxAttempts?: number;
};

/** 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h: about five hours before a delivery is given up. */
const BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000];
const DEFAULT_MAX_ATTEMPTS = BACKOFF_MS.length + 1;
/** An attempt whose worker stopped is taken again after this long. */
const LEASE_MS = 60_000;
const POLL_MS = 250;
const BATCH = 100;

export const backoffMs = (attempts: number) => BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1] ?? BACKOFF_MS[0]!;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

export type Outbox = ReturnType<typeof createOutbox>;

export function createOutbox({ db, onError }: { db: Db; onError: (error: unknown, kind: string) => void }) {
  const handlers = new Map<string, DeliveryHandler>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  async function claim(limit: number, dueOnly: boolean): Promise<DeliveryRow[]> {
    const due = dueOnly ? sql`and next_attempt_at <= now()` : sql``;
    const result = await db.execute<{ id: string }>(sql`
      update deliveries set attempts = attempts + 1, updated_at = now(),
        next_attempt_at = now() + make_interval(secs => ${LEASE_MS / 1000})
      where id in (
        select id from deliveries where status = 'pending' ${due}
        order by next_attempt_at limit ${limit}
        for update skip locked)
      returning id`);
    const ids = result.rows.map((row) => row.id);
    if (ids.length === 0) return [];
    return db
      .select()
      .from(deliveries)
      .where(sql`${deliveries.id} = any(${sql.param(ids)}::uuid[])`);
  }

  async function attempt(row: DeliveryRow) {
    const handler = handlers.get(row.kind);
    const started = Date.now();
    try {
      if (!handler) throw new DeliveryError(`no handler for ${row.kind}`, { permanent: true });
      const outcome = await handler.send(row);
      await db
        .update(deliveries)
        .set({
          status: 'succeeded',
          lastError: null,
          lastStatusCode: outcome?.statusCode ?? null,
          lastDurationMs: Date.now() - started,
          finishedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(deliveries.id, row.id));
      await handler.onSent?.(row);
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const statusCode = error instanceof DeliveryError ? (error.statusCode ?? null) : null;
      const isDead = permanent || row.attempts >= (handler?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
      const message = errorText(error);
      await db
        .update(deliveries)
        .set({
          status: isDead ? 'dead' : 'pending',
          nextAttemptAt: new Date(Date.now() + backoffMs(row.attempts)),
          lastError: message,
          lastStatusCode: statusCode,
          lastDurationMs: Date.now() - started,
          finishedAt: isDead ? new Date() : null,
          updatedAt: new Date(),
        })
        .where(eq(deliveries.id, row.id));
      if (isDead) await handler?.onDead?.(row, message);
    }
  }

  /** One round: claims a batch and sends it concurrently; answers how many rows it took. */
  async function runOnce(dueOnly = true): Promise<number> {
    const rows = await claim(BATCH, dueOnly);
    await Promise.all(rows.map((row) => attempt(row).catch((error) => onError(error, row.kind))));
    return rows.length;
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
    timer.unref();
  }

  function tick() {
    if (running) return;
    running = runOnce()
      .catch((error) => {
        onError(error, 'outbox');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    void running.then((taken) => schedule(taken === BATCH ? 0 : POLL_MS));
  }

  return {
    define(kind: string, handler: DeliveryHandler) {
      handlers.set(kind, handler);
    },

    /** Queues deliveries inside the caller's transaction; they leave once it commits. */
    async enqueue(
      executor: Executor,
      items: { workspaceId: string; kind: string; subjectId: string; payload?: Record<string, unknown> }[],
    ): Promise<string[]> {
      if (items.length === 0) return [];
      const rows = items.map((item) => ({ id: newId(), ...item, payload: item.payload ?? {} }));
      await executor.insert(deliveries).values(rows);
      return rows.map((row) => row.id);
    },

    /** Sends what is due now instead of waiting for the next poll (after a commit that queued something). */
    wake() {
      schedule(0);
    },

    /** A dead delivery goes back to the queue with fresh attempts (the admin's 重新投递). */
    async replay(workspaceId: string, id: string): Promise<boolean> {
      const rows = await db
        .update(deliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), finishedAt: null, updatedAt: new Date() })
        .where(and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.id, id), eq(deliveries.status, 'dead')))
        .returning({ id: deliveries.id });
      if (rows.length > 0) schedule(0);
      return rows.length > 0;
    },

    start() {
      stopped = false;
      schedule(0);
    },

    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },

    /**
     * Tests: sends everything pending until nothing is left, retries included (their backoff is skipped), so a
     * test sees the final state. Stops after `maxRounds` so a receiver that always fails cannot loop forever.
     */
    async drain(maxRounds = 50) {
      for (let round = 0; round < maxRounds; round++) {
        if ((await runOnce(false)) === 0) return;
      }
    },
  };
}
