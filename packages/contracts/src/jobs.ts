import { z } from 'zod';
import { id, isoDateTime } from './common.ts';

export const jobStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** A background job as its creator sees it: polled by the web app to draw a progress bar. */
export const job = z.object({
  id,
  kind: z.string(),
  status: z.enum(jobStatuses),
  progress: z.object({ done: z.number().int(), total: z.number().int().nullable() }),
  /** Small JSON summary written by the job when it succeeds (e.g. `{ created, updated, rejected, fileId }`). */
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: isoDateTime,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
});
export type Job = z.infer<typeof job>;
