import { z } from 'zod';
import { id, isoDateTime, listQuery } from './common.ts';

/**
 * Supervisor alerts: urgent_spike (≥ 5 urgent customer messages within 10 minutes), negative_spike (the share of
 * negative customer messages in the last 10 minutes at least doubled against the hour before, above a floor).
 * At most one per kind per workspace every 30 minutes.
 */
export const alertKinds = ['urgent_spike', 'negative_spike'] as const;
export const alertKind = z.enum(alertKinds);
export type AlertKind = z.infer<typeof alertKind>;

export const alertDetails = z.object({
  windowMinutes: z.number().int(),
  inbound: z.number().int().describe('customer messages in the window'),
  urgent: z.number().int(),
  negative: z.number().int(),
  negativeRate: z.number(),
  baselineNegativeRate: z.number().nullable().describe('negative share in the hour before the window'),
  /** A few of the conversations concerned (ids only). */
  conversationIds: z.array(id),
});
export type AlertDetails = z.infer<typeof alertDetails>;

const alertBase = {
  id,
  createdAt: isoDateTime,
  acknowledgedBy: id.nullable(),
  acknowledgedByName: z.string().nullable(),
  acknowledgedAt: isoDateTime.nullable(),
};

/** A notification for one user: a conversation they own (or snoozed, when nobody owns it) woke from its snooze. */
export const snoozeEndedDetails = z.object({
  conversationId: id,
  customerName: z.string().nullable(),
  snoozedUntil: isoDateTime,
});
export type SnoozeEndedDetails = z.infer<typeof snoozeEndedDetails>;

/** What the bell shows: supervisor alerts (spikes, for alerts:read) and the user's own notifications. */
export const alert = z.discriminatedUnion('kind', [
  z.object({ ...alertBase, kind: alertKind, details: alertDetails }),
  z.object({ ...alertBase, kind: z.literal('snooze_ended'), details: snoozeEndedDetails }),
]);
export type Alert = z.infer<typeof alert>;

export const alertListQuery = listQuery.extend({
  /** Only alerts nobody acknowledged yet. */
  unacknowledged: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});
export type AlertListQuery = z.input<typeof alertListQuery>;
