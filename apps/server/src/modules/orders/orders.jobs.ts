import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { recomputeWorkspaceValue } from './customer-value.ts';
import * as repo from './orders.repository.ts';

export const RECOMPUTE_VALUE_JOB = 'customers.recompute_value';

/** The nightly run happens after this local hour, when shops are quiet. */
const NIGHTLY_HOUR = 3;

const checkpointSchema = z.object({
  afterId: z.string(),
  scanned: z.number(),
  updated: z.number(),
  transitions: z.number(),
  now: z.string(),
});

/**
 * `customers.recompute_value`: RFM, tier and lifecycle of every customer in the workspace. Safe to run twice:
 * it only writes rows whose values change; a retried run resumes after the last finished batch, with the
 * same clock, so a transition is recorded once.
 */
export function defineOrdersJobs(jobs: Jobs, { db, clock = () => new Date() }: { db: Db; clock?: () => Date }) {
  jobs.define({
    kind: RECOMPUTE_VALUE_JOB,
    payload: z.object({}),
    async run({ job, checkpoint, progress }) {
      const resumed = checkpointSchema.safeParse(checkpoint);
      const now = resumed.success ? new Date(resumed.data.now) : clock();
      const total = await repo.countCustomers(db, job.workspaceId);
      const totals = await recomputeWorkspaceValue(db, job.workspaceId, {
        now,
        afterId: resumed.success ? resumed.data.afterId : null,
        totals: resumed.success ? resumed.data : undefined,
        onBatch: (state) => progress(Math.min(state.scanned, total), total, { ...state, now: now.toISOString() }),
      });
      return { scanned: totals.scanned, updated: totals.updated, transitions: totals.transitions };
    },
  });
}

/** The last NIGHTLY_HOUR:00 in `timeZone` at or before `now`, as an instant. */
export function lastNightlySlot(now: Date, timeZone: string): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(now)
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const localAsUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const offsetMs = localAsUtc - Math.floor(now.getTime() / 1000) * 1000;
  const dayShift = parts.hour! < NIGHTLY_HOUR ? -1 : 0;
  return new Date(Date.UTC(parts.year!, parts.month! - 1, parts.day! + dayShift, NIGHTLY_HOUR) - offsetMs);
}

/**
 * Queues the nightly recompute of each workspace that has had none since its last 03:00 (local time).
 * Idempotent: any number of worker processes may call it any number of times; each workspace gets one job
 * per night (a manual recompute after 03:00 counts as that night's).
 */
export async function enqueueNightlyRecomputes(db: Db, jobs: Jobs, now = new Date()) {
  let queued = 0;
  for (const workspace of await repo.allWorkspaces(db)) {
    const since = lastNightlySlot(now, workspace.timezone);
    const isQueued = await db.transaction(async (tx) => {
      await repo.lockKey(tx, `nightly-value:${workspace.id}`);
      if (await repo.hasJobSince(tx, workspace.id, RECOMPUTE_VALUE_JOB, since)) return false;
      await jobs.enqueue(tx, { workspaceId: workspace.id, kind: RECOMPUTE_VALUE_JOB, payload: {}, createdBy: null });
      return true;
    });
    if (isQueued) queued++;
  }
  return queued;
}
