/**
 * SLA clock maths (pure, shared by the server and the web app): due times in business or calendar time, pauses
 * (waiting on the customer) that keep the remaining time and give a new due time on resume, and the share of the
 * target elapsed for the green / amber (≥ 75%) / red (≥ 100%) colour.
 */
import {
  addBusinessDuration,
  type BusinessHours,
  businessDurationBetween,
  type HolidayDay,
} from './business-hours-time.ts';

/** The calendar a clock counts in: business hours (an inbox's, with the workspace holidays) or calendar time. */
export type SlaCalendar =
  | { kind: 'calendar' }
  | { kind: 'business'; hours: BusinessHours; holidays: readonly HolidayDay[] };

export const CALENDAR_TIME: SlaCalendar = { kind: 'calendar' };

export const AMBER_AT = 75;

/** When `seconds` of counted time have passed since `start`. Null: business hours never reach it (~2 years). */
export function slaDueAt(calendar: SlaCalendar, start: Date, seconds: number): Date | null {
  if (calendar.kind === 'calendar') return new Date(start.getTime() + Math.max(seconds, 0) * 1000);
  return addBusinessDuration(calendar.hours, calendar.holidays, start, Math.max(seconds, 0) * 1000);
}

/** Counted seconds between two instants (0 when `to` ≤ `from`). */
export function slaSecondsBetween(calendar: SlaCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  if (calendar.kind === 'calendar') return Math.floor((to.getTime() - from.getTime()) / 1000);
  return Math.floor(businessDurationBetween(calendar.hours, calendar.holidays, from, to) / 1000);
}

/** Pausing at `at`: the counted seconds left until `dueAt` (negative never: an overdue clock pauses with 0 left). */
export function slaPause(calendar: SlaCalendar, dueAt: Date, at: Date): number {
  return slaSecondsBetween(calendar, at, dueAt);
}

/** Resuming at `at` with `remainingSeconds` left: the new due time. */
export function slaResume(calendar: SlaCalendar, remainingSeconds: number, at: Date): Date | null {
  return slaDueAt(calendar, at, remainingSeconds);
}

export type SlaClockState = 'green' | 'amber' | 'red' | 'met' | 'paused';

/**
 * How much of the target has elapsed (0–100+, rounded to one decimal), counted in the clock's calendar.
 * `targetSeconds` is the full length; `dueAt` the current due time (after any pauses), so elapsed = target − left.
 * A paused clock answers its frozen share from `pausedRemainingSeconds`.
 */
export function slaPercentElapsed(
  calendar: SlaCalendar,
  clock: { targetSeconds: number; dueAt: Date | null; pausedRemainingSeconds: number | null },
  now: Date,
): number | null {
  if (clock.targetSeconds <= 0) return null;
  let left: number;
  if (clock.pausedRemainingSeconds !== null) left = clock.pausedRemainingSeconds;
  else if (clock.dueAt === null) return null;
  else if (now >= clock.dueAt) left = -slaSecondsBetween(calendar, clock.dueAt, now);
  else left = slaSecondsBetween(calendar, now, clock.dueAt);
  const percent = ((clock.targetSeconds - left) / clock.targetSeconds) * 100;
  return Math.round(Math.max(percent, 0) * 10) / 10;
}

/** The colour of a clock: met, paused, else green below 75%, amber from 75%, red from 100% (or breached). */
export function slaClockState(input: {
  percentElapsed: number | null;
  metAt: Date | null;
  breachedAt: Date | null;
  pausedRemainingSeconds: number | null;
}): SlaClockState {
  if (input.metAt) return 'met';
  if (input.breachedAt) return 'red';
  if (input.pausedRemainingSeconds !== null) return 'paused';
  const percent = input.percentElapsed ?? 0;
  if (percent >= 100) return 'red';
  if (percent >= AMBER_AT) return 'amber';
  return 'green';
}
