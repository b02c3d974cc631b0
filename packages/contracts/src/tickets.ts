import { z } from 'zod';
import { id, isoDateTime } from './common.ts';

/** Built-in category keys; a workspace may add its own (tickets module: editable list). */
export const builtInTicketCategories = ['inquiry', 'logistics', 'return', 'complaint', 'other'] as const;
export const ticketSeverities = ['normal', 'serious', 'urgent'] as const;
export const ticketSeverity = z.enum(ticketSeverities);
export type TicketSeverity = z.infer<typeof ticketSeverity>;
export const ticketStatuses = ['new', 'open', 'waiting_customer', 'waiting_third_party', 'resolved', 'closed'] as const;
export const ticketStatus = z.enum(ticketStatuses);
export type TicketStatus = z.infer<typeof ticketStatus>;
/** The clocks an SLA policy can set on a ticket. */
export const slaTargets = ['first_response', 'resolution', 'escalation'] as const;
export const slaTarget = z.enum(slaTargets);
export type SlaTarget = z.infer<typeof slaTarget>;

/** One SLA clock as shown on a ticket: due time, whether it is paused, met or breached. */
export const slaClock = z.object({
  target: slaTarget,
  dueAt: isoDateTime.nullable(),
  /** Set while the ticket waits on the customer: business/calendar seconds left when the pause began. */
  pausedRemainingSeconds: z.number().int().nullable(),
  metAt: isoDateTime.nullable(),
  breachedAt: isoDateTime.nullable(),
});
export type SlaClock = z.infer<typeof slaClock>;

export const ticket = z.object({
  id,
  /** Short per-workspace number shown to people (#1024). */
  number: z.number().int(),
  subject: z.string(),
  description: z.string(),
  category: z.string(),
  severity: ticketSeverity,
  status: ticketStatus,
  customerId: id.nullable(),
  conversationId: id.nullable(),
  assigneeId: id.nullable(),
  teamId: id.nullable(),
  orderIds: z.array(id),
  watcherIds: z.array(id),
  slaPolicyId: id.nullable(),
  clocks: z.array(slaClock),
  /** Set when merged into another ticket. */
  mergedIntoId: id.nullable(),
  firstRespondedAt: isoDateTime.nullable(),
  resolvedAt: isoDateTime.nullable(),
  closedAt: isoDateTime.nullable(),
  createdBy: id.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Ticket = z.infer<typeof ticket>;
