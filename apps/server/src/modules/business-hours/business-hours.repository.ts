import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { inboxes, workspaceHolidays } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type HolidayRow = typeof workspaceHolidays.$inferSelect;

const yearRange = (year: number) => [
  gte(workspaceHolidays.date, `${year}-01-01`),
  lt(workspaceHolidays.date, `${year + 1}-01-01`),
];

export const listHolidays = (db: Executor, workspaceId: string, year?: number) =>
  db
    .select()
    .from(workspaceHolidays)
    .where(and(eq(workspaceHolidays.workspaceId, workspaceId), ...(year ? yearRange(year) : [])))
    .orderBy(asc(workspaceHolidays.date));

export const findHoliday = async (db: Executor, workspaceId: string, date: string) =>
  (
    await db
      .select()
      .from(workspaceHolidays)
      .where(and(eq(workspaceHolidays.workspaceId, workspaceId), eq(workspaceHolidays.date, date)))
  )[0];

/** Inserts or replaces days of the calendar (one statement). */
export const upsertHolidays = async (
  db: Executor,
  workspaceId: string,
  days: { date: string; kind: 'holiday' | 'workday'; name: string }[],
) => {
  if (days.length === 0) return [];
  return db
    .insert(workspaceHolidays)
    .values(days.map((d) => ({ workspaceId, ...d })))
    .onConflictDoUpdate({
      target: [workspaceHolidays.workspaceId, workspaceHolidays.date],
      set: { kind: sql`excluded.kind`, name: sql`excluded.name`, updatedAt: sql`now()` },
    })
    .returning();
};

/** Adds days the calendar does not have yet; days already there (perhaps edited by an admin) are kept. */
export const insertMissingHolidays = async (
  db: Executor,
  workspaceId: string,
  days: { date: string; kind: 'holiday' | 'workday'; name: string }[],
) => {
  if (days.length === 0) return;
  await db
    .insert(workspaceHolidays)
    .values(days.map((d) => ({ workspaceId, ...d })))
    .onConflictDoNothing();
};

export const deleteHoliday = async (db: Executor, workspaceId: string, date: string) =>
  (
    await db
      .delete(workspaceHolidays)
      .where(and(eq(workspaceHolidays.workspaceId, workspaceId), eq(workspaceHolidays.date, date)))
      .returning()
  )[0];

/** The inbox's settings (owned by the channels module; read here for the business-hours fields). */
export const findInboxSettings = async (db: Executor, workspaceId: string, inboxId: string) =>
  (
    await db
      .select({ settings: inboxes.settings })
      .from(inboxes)
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId)))
  )[0]?.settings;
