import { z } from 'zod';
import { id, isoDateTime } from './common.ts';

/** `cancelled`: stopped on request (`POST /api/v1/jobs/:id/cancel`); the work done before it stopped stays. */
export const jobStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** A background job as its creator sees it: polled by the web app to draw a progress bar. */
export const job = z.object({
  id,
  kind: z.string(),
  status: z.enum(jobStatuses),
  progress: z.object({ done: z.number().int(), total: z.number().int().nullable() }),
  /**
   * Small JSON summary written by the job when it succeeds (e.g. `{ created, updated, rejected, fileId }`), or when
   * it is cancelled while running (its counts so far; `{}` when it never started).
   */
  result: z.record(z.string(), z.unknown()).nullable(),
  /** Someone asked to cancel it: a running job stops at its next checkpoint. */
  isCancelRequested: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: isoDateTime,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
});
export type Job = z.infer<typeof job>;
