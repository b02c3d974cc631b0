import type { DeliveryReason, DeliveryReasonCode, DeliveryReasonParams } from '@huike/contracts';
import { and, desc, eq, sql } from 'drizzle-orm';
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
 * Rows sharing an `orderKey` (a conversation's messages) leave one at a time, oldest first: only the oldest pending
 * row of a key can be claimed, so a retried message is never overtaken by the next one.
 */

export type DeliveryRow = typeof deliveries.$inferSelect;

/**
 * A failed attempt. `code` and `params` say why (a code of deliveryReasonCodes in @huike/contracts, words for people
 * in the web app's languages); `message` is the same in Chinese, stored next to it. `permanent`: retrying cannot
 * help (4xx, bad address), the row goes straight to dead.
 */
export class DeliveryError extends Error {
  readonly code: DeliveryReasonCode;
  readonly params: DeliveryReasonParams;
  readonly permanent: boolean;
  readonly statusCode: number | undefined;
  constructor(
    reason: { code: DeliveryReasonCode; params?: DeliveryReasonParams },
    message: string,
    options: { permanent?: boolean; statusCode?: number } = {},
  ) {
    super(message);
    this.code = reason.code;
    this.params = reason.params ?? {};
    this.permanent = options.permanent ?? false;
    this.statusCode = options.statusCode;
  }

  get reason(): DeliveryReason {
    return { code: this.code, params: this.params };
  }
}

/** Why a delivery failed, as it is stored: the Chinese text and the code with its values. */
export type DeliveryFailure = { error: string; reason: DeliveryReason };

const clipped = (text: string) => text.slice(0, 500);

/** A failed attempt's text and reason; anything but a DeliveryError is `delivery.unexpected` with its message. */
export function deliveryFailureOf(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryError) {
    const params = Object.fromEntries(
      Object.entries(error.params).map(([key, value]) => [key, typeof value === 'string' ? clipped(value) : value]),
    );
    return { error: clipped(error.message), reason: { code: error.code, params } };
  }
  const detail = clipped(error instanceof Error ? error.message : String(error));
  return { error: detail, reason: { code: 'delivery.unexpected', params: { detail } } };
}

export type DeliveryHandler = {
  /** Sends the row's delivery; throws DeliveryError (or anything) when it did not arrive. */
  send(row: DeliveryRow): Promise<{ statusCode?: number } | undefined>;
  /** Called once a row is dead (out of attempts or permanent), e.g. to mark the message failed. */
  onDead?(row: DeliveryRow, failure: DeliveryFailure): Promise<void>;
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
/** Rounds (claim a batch, send it concurrently, record the outcomes) running at once on one process. */
const MAX_ROUNDS = 4;
/** Enqueues within this long share one wake-up (and one claim). */
const WAKE_MS = 5;

export const backoffMs = (attempts: number) => BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1] ?? BACKOFF_MS[0]!;

type Outcome = {
  row: DeliveryRow;
  handler: DeliveryHandler | undefined;
  status: 'succeeded' | 'pending' | 'dead';
  nextAttemptAt: Date | null;
  failure: DeliveryFailure | null;
  statusCode: number | null;
  durationMs: number;
  finishedAt: Date | null;
};

export type Outbox = ReturnType<typeof createOutbox>;

export type OutboxItem = {
  workspaceId: string;
  kind: string;
  subjectId: string;
  payload?: Record<string, unknown>;
  orderKey?: string;
  /** Held back this long before a worker may take it (e.g. while a channel may still answer it another way). */
  holdMs?: number;
};

export function createOutbox({
  db,
  onError,
  backoffScale = 1,
}: {
  db: Db;
  onError: (error: unknown, kind: string) => void;
  /** Multiplies the retry backoff (benchmarks use a small one to see every retry land in seconds). */
  backoffScale?: number;
}) {
  const handlers = new Map<string, DeliveryHandler>();
  const rounds = new Set<Promise<unknown>>();
  let pollTimer: NodeJS.Timeout | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;
  let stopped = true;

  /** Takes up to `limit` pending rows (or the one `id`), pushing their next attempt out by the lease. */
  function claim(limit: number, dueOnly: boolean, id?: string): Promise<DeliveryRow[]> {
    const due = dueOnly ? sql`and d.next_attempt_at <= now()` : sql``;
    const only = id ? sql`and d.id = ${id}` : sql``;
    return db
      .update(deliveries)
      .set({
        attempts: sql`${deliveries.attempts} + 1`,
        updatedAt: sql`now()`,
        nextAttemptAt: sql`now() + make_interval(secs => ${LEASE_MS / 1000})`,
      })
      .where(
        sql`${deliveries.id} in (
          select d.id from deliveries d where d.status = 'pending' ${due} ${only}
            and (d.order_key is null or not exists (
              select 1 from deliveries e where e.order_key = d.order_key and e.status = 'pending' and e.id < d.id))
          order by d.next_attempt_at limit ${limit}
          for update skip locked)`,
      )
      .returning();
  }

  /** One attempt; answers its outcome without writing it (outcomes are recorded a batch at a time). */
  async function attempt(row: DeliveryRow): Promise<Outcome> {
    const handler = handlers.get(row.kind);
    const started = Date.now();
    try {
      if (!handler) {
        const reason = { code: 'delivery.no_handler', params: { kind: row.kind } } as const;
        throw new DeliveryError(reason, `没有处理 ${row.kind} 的程序`, { permanent: true });
      }
      const outcome = await handler.send(row);
      return {
        row,
        handler,
        status: 'succeeded',
        nextAttemptAt: null,
        failure: null,
        statusCode: outcome?.statusCode ?? null,
        durationMs: Date.now() - started,
        finishedAt: new Date(),
      };
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const isDead = permanent || row.attempts >= (handler?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
      return {
        row,
        handler,
        status: isDead ? 'dead' : 'pending',
        nextAttemptAt: isDead ? null : new Date(Date.now() + backoffMs(row.attempts) * backoffScale),
        failure: deliveryFailureOf(error),
        statusCode: error instanceof DeliveryError ? (error.statusCode ?? null) : null,
        durationMs: Date.now() - started,
        finishedAt: isDead ? new Date() : null,
      };
    }
  }

  /** Writes a batch's outcomes in one statement, then runs the handlers' hooks. */
  async function record(outcomes: Outcome[]) {
    if (outcomes.length === 0) return;
    const column = <T>(pick: (outcome: Outcome) => T) => sql.param(outcomes.map(pick));
    const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;
    await db.execute(sql`
      update deliveries as d set
        status = v.status,
        next_attempt_at = coalesce(v.next_attempt_at, d.next_attempt_at),
        last_error = v.last_error,
        last_reason = v.last_reason::jsonb,
        last_status_code = v.last_status_code,
        last_duration_ms = v.last_duration_ms,
        finished_at = v.finished_at,
        updated_at = now()
      from unnest(
        ${column((o) => o.row.id)}::uuid[],
        ${column((o) => o.status)}::text[],
        ${column((o) => isoOrNull(o.nextAttemptAt))}::timestamptz[],
        ${column((o) => o.failure?.error ?? null)}::text[],
        ${column((o) => (o.failure ? JSON.stringify(o.failure.reason) : null))}::text[],
        ${column((o) => o.statusCode)}::int[],
        ${column((o) => o.durationMs)}::int[],
        ${column((o) => isoOrNull(o.finishedAt))}::timestamptz[]
      ) as v(id, status, next_attempt_at, last_error, last_reason, last_status_code, last_duration_ms, finished_at)
      where d.id = v.id and d.status = 'pending'`);
    await Promise.all(
      outcomes.map(async (outcome) => {
        try {
          if (outcome.status === 'succeeded') await outcome.handler?.onSent?.(outcome.row);
          if (outcome.status === 'dead' && outcome.failure) {
            await outcome.handler?.onDead?.(outcome.row, outcome.failure);
          }
        } catch (error) {
          onError(error, outcome.row.kind);
        }
      }),
    );
  }

  /** One round: claims a batch, sends it concurrently, records the outcomes; answers how many rows it took. */
  async function runOnce(dueOnly = true, id?: string): Promise<number> {
    const rows = await claim(id ? 1 : BATCH, dueOnly, id);
    // A full batch: more is probably waiting, so another round claims it while this one sends.
    if (rows.length === BATCH) tick();
    const outcomes = await Promise.all(rows.map(attempt));
    await record(outcomes);
    return rows.length;
  }

  async function enqueue(executor: Executor, items: OutboxItem[]): Promise<string[]> {
    if (items.length === 0) return [];
    const rows = items.map(({ holdMs, ...item }) => ({
      id: newId(),
      ...item,
      payload: item.payload ?? {},
      ...(holdMs ? { nextAttemptAt: sql`now() + make_interval(secs => ${holdMs / 1000})` } : {}),
    }));
    await executor.insert(deliveries).values(rows);
    return rows.map((row) => row.id);
  }

  function wake() {
    if (stopped || wakeTimer) return;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      tick();
    }, WAKE_MS);
    wakeTimer.unref();
  }

  function tick() {
    if (stopped || rounds.size >= MAX_ROUNDS) return;
    const round: Promise<unknown> = runOnce()
      .catch((error) => {
        onError(error, 'outbox');
        return 0;
      })
      .then((taken) => {
        rounds.delete(round);
        if (taken === BATCH) tick();
      });
    rounds.add(round);
  }

  return {
    define(kind: string, handler: DeliveryHandler) {
      handlers.set(kind, handler);
    },

    /** Queues deliveries inside the caller's transaction; they leave once it commits. */
    enqueue,

    /**
     * Inside the caller's transaction: the subject's delivery of this kind is taken over by a path outside the
     * outbox (WeChat's passive reply) and marked succeeded, but only while no worker ever took it (pending, never
     * attempted) and no older delivery of its order key is still waiting. A row-level conditional update: a worker in
     * any process either claimed it first (its attempt counted, this answers false) or skips it from then on, so the
     * delivery goes out exactly once. `via` is recorded in the payload.
     */
    async takeOver(executor: Executor, item: { workspaceId: string; kind: string; subjectId: string; via: string }) {
      const rows = await executor
        .update(deliveries)
        .set({
          status: 'succeeded',
          attempts: 1,
          payload: sql`${deliveries.payload} || jsonb_build_object('via', ${item.via}::text)`,
          finishedAt: sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(
          sql`${deliveries.workspaceId} = ${item.workspaceId} and ${deliveries.kind} = ${item.kind}
            and ${deliveries.subjectId} = ${item.subjectId} and ${deliveries.status} = 'pending'
            and ${deliveries.attempts} = 0
            and (${deliveries.orderKey} is null or not exists (
              select 1 from deliveries e where e.order_key = ${deliveries.orderKey} and e.status = 'pending'
                and e.id < ${deliveries.id}))`,
        )
        .returning({ id: deliveries.id });
      return rows.length > 0;
    },

    /** Sends what is due now instead of waiting for the next poll (after a commit that queued something). */
    wake,

    /** Attempts one pending delivery now, whatever its schedule (a test ping the admin waits for). */
    async sendNow(id: string): Promise<boolean> {
      return (await runOnce(false, id)) > 0;
    },

    /**
     * Inside the caller's transaction: the subject's latest dead delivery of this kind goes back to the queue with
     * fresh attempts; with none dead (or pending already), a pending one is kept or a fresh one queued. Answers its id.
     */
    async requeue(executor: Executor, item: OutboxItem): Promise<string> {
      const latest = await executor
        .select({ id: deliveries.id, status: deliveries.status })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.workspaceId, item.workspaceId),
            eq(deliveries.kind, item.kind),
            eq(deliveries.subjectId, item.subjectId),
          ),
        )
        .orderBy(desc(deliveries.id))
        .limit(1)
        .for('update');
      const row = latest[0];
      if (row?.status === 'pending') return row.id;
      if (row?.status === 'dead') {
        await executor
          .update(deliveries)
          .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), finishedAt: null, updatedAt: new Date() })
          .where(eq(deliveries.id, row.id));
        return row.id;
      }
      const [id] = await enqueue(executor, [item]);
      return id!;
    },

    /** A dead delivery goes back to the queue with fresh attempts (the admin's 重新投递). */
    async replay(workspaceId: string, id: string): Promise<boolean> {
      const rows = await db
        .update(deliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), finishedAt: null, updatedAt: new Date() })
        .where(and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.id, id), eq(deliveries.status, 'dead')))
        .returning({ id: deliveries.id });
      if (rows.length > 0) wake();
      return rows.length > 0;
    },

    start() {
      stopped = false;
      pollTimer = setInterval(tick, POLL_MS);
      pollTimer.unref();
      tick();
    },

    async stop() {
      stopped = true;
      clearInterval(pollTimer);
      clearTimeout(wakeTimer);
      wakeTimer = undefined;
      await Promise.all([...rounds]);
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
