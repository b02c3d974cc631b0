import {
  CALENDAR_TIME,
  type SlaCalendar,
  type SlaTarget,
  slaClockState,
  slaDueAt,
  slaPause,
  slaPercentElapsed,
  slaResume,
  slaSecondsBetween,
  type TicketClock,
} from '@huike/contracts';
import { eq, sql } from 'drizzle-orm';
import { inboxes, tickets } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { inboxBusinessHours } from '../business-hours/index.ts';

export type TicketRecord = typeof tickets.$inferSelect;

/** Column prefix of each clock on the tickets row. */
export const CLOCK_PREFIX = { first_response: 'fr', resolution: 'res', escalation: 'esc' } as const;
export const CLOCK_TARGETS = ['first_response', 'resolution', 'escalation'] as const satisfies readonly SlaTarget[];

type Prefix = (typeof CLOCK_PREFIX)[SlaTarget];
type ClockFields = {
  targetSeconds: number | null;
  dueAt: Date | null;
  pausedRemaining: number | null;
  metAt: Date | null;
  breachedAt: Date | null;
};

export function readClock(row: TicketRecord, target: SlaTarget): ClockFields {
  const p: Prefix = CLOCK_PREFIX[target];
  const r = row as unknown as Record<string, unknown>;
  return {
    targetSeconds: r[`${p}TargetSeconds`] as number | null,
    dueAt: r[`${p}DueAt`] as Date | null,
    pausedRemaining: r[`${p}PausedRemaining`] as number | null,
    metAt: r[`${p}MetAt`] as Date | null,
    breachedAt: r[`${p}BreachedAt`] as Date | null,
  };
}

/** A partial update of one clock's columns (for `db.update(tickets).set(...)`). */
export function writeClock(target: SlaTarget, fields: Partial<ClockFields>): Partial<TicketRecord> {
  const p: Prefix = CLOCK_PREFIX[target];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[`${p}${key[0]!.toUpperCase()}${key.slice(1)}`] = value;
  return out as Partial<TicketRecord>;
}

/**
 * The calendar a ticket's clocks count in: calendar time, or business hours of its conversation's inbox (standalone
 * tickets: the workspace's first inbox — the workspace default). No inbox at all: calendar time.
 */
export async function calendarFor(
  executor: Executor,
  workspaceId: string,
  inboxId: string | null,
  hours: 'business' | 'calendar',
): Promise<SlaCalendar> {
  if (hours === 'calendar') return CALENDAR_TIME;
  let id = inboxId;
  if (!id) {
    const [first] = await executor
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(eq(inboxes.workspaceId, workspaceId))
      .orderBy(inboxes.createdAt)
      .limit(1);
    id = first?.id ?? null;
  }
  if (!id) return CALENDAR_TIME;
  const settings = await inboxBusinessHours(executor, workspaceId, id).catch(() => null);
  if (!settings?.hours.enabled) return CALENDAR_TIME;
  return { kind: 'business', hours: settings.hours, holidays: settings.holidays };
}

/** Clocks as the API shows them, with the share elapsed and the colour. */
export function presentClocks(row: TicketRecord, calendar: SlaCalendar, now = new Date()): TicketClock[] {
  const out: TicketClock[] = [];
  for (const target of CLOCK_TARGETS) {
    const clock = readClock(row, target);
    if (clock.targetSeconds === null) continue;
    const percentElapsed = clock.metAt
      ? null
      : slaPercentElapsed(
          calendar,
          { targetSeconds: clock.targetSeconds, dueAt: clock.dueAt, pausedRemainingSeconds: clock.pausedRemaining },
          now,
        );
    out.push({
      target,
      startedAt: row.slaStartedAt?.toISOString() ?? null,
      targetSeconds: clock.targetSeconds,
      dueAt: clock.dueAt?.toISOString() ?? null,
      pausedRemainingSeconds: clock.pausedRemaining,
      metAt: clock.metAt?.toISOString() ?? null,
      breachedAt: clock.breachedAt?.toISOString() ?? null,
      percentElapsed,
      state: slaClockState({
        percentElapsed,
        metAt: clock.metAt,
        breachedAt: clock.breachedAt,
        pausedRemainingSeconds: clock.pausedRemaining,
      }),
    });
  }
  return out;
}

/** Clocks a new ticket starts with, from a policy's minutes. */
export function startClocks(
  calendar: SlaCalendar,
  start: Date,
  minutes: Record<SlaTarget, number | null>,
): Partial<TicketRecord> {
  let set: Partial<TicketRecord> = { slaStartedAt: start };
  for (const target of CLOCK_TARGETS) {
    const value = minutes[target];
    const seconds = value === null ? null : value * 60;
    set = {
      ...set,
      ...writeClock(target, {
        targetSeconds: seconds,
        dueAt: seconds === null ? null : slaDueAt(calendar, start, seconds),
        pausedRemaining: null,
        metAt: null,
        breachedAt: null,
      }),
    };
  }
  return set;
}

/** Clocks paused while waiting on the customer (resolution and escalation; first response keeps running). */
const PAUSABLE: readonly SlaTarget[] = ['resolution', 'escalation'];

export function pauseClocks(row: TicketRecord, calendar: SlaCalendar, at: Date): Partial<TicketRecord> {
  let set: Partial<TicketRecord> = {};
  for (const target of PAUSABLE) {
    const clock = readClock(row, target);
    if (clock.targetSeconds === null || clock.metAt || clock.pausedRemaining !== null || !clock.dueAt) continue;
    set = { ...set, ...writeClock(target, { pausedRemaining: slaPause(calendar, clock.dueAt, at), dueAt: null }) };
  }
  return set;
}

export function resumeClocks(row: TicketRecord, calendar: SlaCalendar, at: Date): Partial<TicketRecord> {
  let set: Partial<TicketRecord> = {};
  for (const target of PAUSABLE) {
    const clock = readClock(row, target);
    if (clock.pausedRemaining === null) continue;
    set = {
      ...set,
      ...writeClock(target, { dueAt: slaResume(calendar, clock.pausedRemaining, at), pausedRemaining: null }),
    };
  }
  return set;
}

/**
 * Another SLA policy now applies (category, severity or customer changed): clocks still running take the new targets,
 * counted from the ticket's start plus any time they spent paused; clocks already met or breached stay as they are.
 */
export function retargetClocks(
  row: TicketRecord,
  calendar: SlaCalendar,
  minutes: Record<SlaTarget, number | null>,
  now: Date,
): Partial<TicketRecord> {
  const start = row.slaStartedAt ?? row.createdAt;
  let set: Partial<TicketRecord> = { slaStartedAt: start };
  for (const target of CLOCK_TARGETS) {
    const clock = readClock(row, target);
    const seconds = minutes[target] === null ? null : minutes[target] * 60;
    if (clock.metAt || clock.breachedAt || seconds === clock.targetSeconds) continue;
    if (seconds === null) {
      set = { ...set, ...writeClock(target, { targetSeconds: null, dueAt: null, pausedRemaining: null }) };
      continue;
    }
    if (clock.pausedRemaining !== null) {
      const remaining = Math.max(0, clock.pausedRemaining + seconds - (clock.targetSeconds ?? 0));
      set = { ...set, ...writeClock(target, { targetSeconds: seconds, pausedRemaining: remaining }) };
      continue;
    }
    const pausedFor =
      clock.dueAt && clock.targetSeconds !== null
        ? Math.max(0, slaSecondsBetween(calendar, start, clock.dueAt) - clock.targetSeconds)
        : 0;
    const dueAt = slaDueAt(calendar, start, seconds + pausedFor);
    const waiting = row.status === 'waiting_customer' && PAUSABLE.includes(target) && clock.targetSeconds === null;
    set = {
      ...set,
      ...writeClock(target, {
        targetSeconds: seconds,
        dueAt: waiting ? null : dueAt,
        pausedRemaining: waiting && dueAt ? slaPause(calendar, dueAt, now) : null,
      }),
    };
  }
  return set;
}

/** A reopened ticket is unfinished again: its resolution and escalation clocks start over from the reopen time. */
export function restartClocks(row: TicketRecord, calendar: SlaCalendar, at: Date): Partial<TicketRecord> {
  let set: Partial<TicketRecord> = {};
  for (const target of PAUSABLE) {
    const clock = readClock(row, target);
    if (clock.targetSeconds === null) continue;
    set = {
      ...set,
      ...writeClock(target, {
        dueAt: slaDueAt(calendar, at, clock.targetSeconds),
        pausedRemaining: null,
        metAt: null,
        breachedAt: null,
      }),
    };
  }
  return set;
}

/** Resolving or closing stops every running clock (a paused one resumes and stops at once). */
export function stopClocks(row: TicketRecord, at: Date): Partial<TicketRecord> {
  let set: Partial<TicketRecord> = {};
  for (const target of CLOCK_TARGETS) {
    const clock = readClock(row, target);
    if (clock.targetSeconds === null || clock.metAt) continue;
    set = { ...set, ...writeClock(target, { metAt: at, pausedRemaining: null }) };
  }
  return set;
}

/** SQL: the soonest running due time (null when none), for sorting by "due soonest". */
export const nextDueSql = sql`least(
  case when ${tickets.frMetAt} is null then ${tickets.frDueAt} end,
  case when ${tickets.resMetAt} is null then ${tickets.resDueAt} end,
  case when ${tickets.escMetAt} is null then ${tickets.escDueAt} end
)`;
