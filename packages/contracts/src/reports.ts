import { z } from 'zod';
import { id } from './common.ts';
import { calendarDate } from './customers.ts';

/** A day that exists (2026-02-30 is refused with 400 before it reaches the database). */
const localDay = calendarDate;

/** `GET /api/v1/reports/service`: days are calendar days in the workspace timezone, both ends included. */
export const serviceReportQuery = z.strictObject({
  from: localDay,
  to: localDay,
  inboxId: id.optional(),
  teamId: id.optional(),
  agentId: id.optional(),
});
export type ServiceReportQuery = z.infer<typeof serviceReportQuery>;

export const serviceReportExportQuery = serviceReportQuery.extend({ format: z.enum(['xlsx', 'pdf']) });

/** Durations in seconds; null when nothing was measured. */
export const durationStats = z.object({
  count: z.number().int(),
  median: z.number().nullable(),
  p90: z.number().nullable(),
  businessMedian: z.number().nullable(),
  businessP90: z.number().nullable(),
});
export type DurationStats = z.infer<typeof durationStats>;

/** Rates are 0..1, null when the denominator is 0. */
export const serviceReport = z.object({
  range: z.object({ from: z.string(), to: z.string(), timezone: z.string() }),
  /** The demo workspace's made-up history lies before this workspace date; null when the range holds none of it. */
  sampleHistoryUntil: z.string().nullable(),
  kpis: z.object({
    conversations: z.number().int(),
    conversationsResolved: z.number().int(),
    ticketsCreated: z.number().int(),
    ticketsResolved: z.number().int(),
    urgentMessages: z.number().int(),
    firstResponse: durationStats,
    replyTime: durationStats,
    resolution: durationStats,
    ticketResolution: durationStats,
    fcr: z.object({ resolved: z.number().int(), firstContact: z.number().int(), rate: z.number().nullable() }),
    repeatInquiry: z.object({
      conversations: z.number().int(),
      repeats: z.number().int(),
      rate: z.number().nullable(),
    }),
    sla: z.object({
      met: z.number().int(),
      missed: z.number().int(),
      breaches: z.number().int(),
      rate: z.number().nullable(),
    }),
    bot: z.object({
      engaged: z.number().int(),
      resolved: z.number().int(),
      handedOff: z.number().int(),
      resolutionRate: z.number().nullable(),
      handOffRate: z.number().nullable(),
    }),
    csat: z.object({
      responses: z.number().int(),
      average: z.number().nullable(),
      satisfiedRate: z.number().nullable(),
    }),
    nps: z.object({
      responses: z.number().int(),
      promoters: z.number().int(),
      passives: z.number().int(),
      detractors: z.number().int(),
      score: z.number().nullable(),
    }),
  }),
  daily: z.array(
    z.object({
      date: z.string(),
      conversations: z.number().int(),
      resolved: z.number().int(),
      tickets: z.number().int(),
      firstResponseMedian: z.number().nullable(),
    }),
  ),
  /** weekday 1 = Monday … 7 = Sunday; hour 0–23 (workspace timezone); only cells with work in them. */
  heatmap: z.array(
    z.object({
      weekday: z.number().int(),
      hour: z.number().int(),
      conversations: z.number().int(),
      tickets: z.number().int(),
    }),
  ),
  leaderboard: z.array(
    z.object({
      agentId: id,
      name: z.string(),
      resolved: z.number().int(),
      firstResponseMedian: z.number().nullable(),
      csatAverage: z.number().nullable(),
      csatResponses: z.number().int(),
    }),
  ),
  topCategories: z.array(z.object({ category: z.string(), count: z.number().int() })),
  topKeywords: z.array(z.object({ keyword: z.string(), count: z.number().int() })),
});
export type ServiceReport = z.infer<typeof serviceReport>;
