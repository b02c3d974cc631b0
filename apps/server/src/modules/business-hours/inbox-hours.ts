import type { InboxHoursStatus } from '@huike/contracts';
import {
  type BusinessHours,
  DEFAULT_TIMEZONE,
  describeOpening,
  type HolidayDay,
  isOpenAt,
  localDate,
  nextOpeningAt,
  summarizeWeekly,
} from '../../platform/business-hours.ts';
import { BUYER_LINES, type BuyerLocale, buyerLine } from '../../platform/buyer-lines.ts';
import { type Executor, workspaceTimezone } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import * as repo from './business-hours.repository.ts';
import { HOLIDAY_PRESETS } from './holiday-presets.ts';

/** How long one process trusts what it read; changes made through this process invalidate at once. */
const CACHE_MS = 5_000;

const EMPTY_WEEK: BusinessHours['weekly'] = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
export const DEFAULT_OFFLINE_REPLY = BUYER_LINES['zh-CN'].offlineReply;

export type InboxBusinessHours = {
  hours: BusinessHours;
  holidays: HolidayDay[];
  offlineReply: { enabled: boolean; content: string };
  isOpen(at?: Date): boolean;
  /** `at` itself while open; null when the inbox never opens. */
  nextOpeningAt(at?: Date): Date | null;
};

const holidayCache = createTtlCache<HolidayDay[]>(CACHE_MS);
const inboxCache = createTtlCache<InboxBusinessHours>(CACHE_MS);

/** Forget what this process read about an inbox (its settings changed). */
export function invalidateInboxBusinessHours(workspaceId: string, inboxId: string) {
  inboxCache.delete(`${workspaceId}:${inboxId}`);
}

/** Forget a workspace's calendar and every inbox of it (a holiday changed). */
export function invalidateWorkspaceHolidays(workspaceId: string) {
  holidayCache.delete(workspaceId);
  inboxCache.deleteWhere((key) => key.startsWith(`${workspaceId}:`));
}

const loadHolidays = (executor: Executor, workspaceId: string) =>
  holidayCache.get(workspaceId, async () =>
    (await repo.listHolidays(executor, workspaceId)).map((row) => ({
      date: row.date,
      kind: row.kind,
      name: row.name,
    })),
  );

/**
 * An inbox's business hours and the workspace calendar, with `isOpen` / `nextOpeningAt` bound to them.
 * Hours not enabled (or never set): always open. Cached for a few seconds per inbox.
 */
export function inboxBusinessHours(executor: Executor, workspaceId: string, inboxId: string) {
  return inboxCache.get(`${workspaceId}:${inboxId}`, async (): Promise<InboxBusinessHours> => {
    const settings = await repo.findInboxSettings(executor, workspaceId, inboxId);
    if (!settings) throw new AppError('inbox.not_found', '渠道不存在');
    const holidays = await loadHolidays(executor, workspaceId);
    const timezone = settings.businessHours?.timezone ?? (await workspaceTimezone(executor, workspaceId));
    const hours: BusinessHours = {
      enabled: settings.businessHours?.enabled ?? false,
      timezone,
      weekly: { ...EMPTY_WEEK, ...settings.businessHours?.weekly },
    };
    return {
      hours,
      holidays,
      offlineReply: {
        enabled: settings.offlineReply?.enabled ?? false,
        content: settings.offlineReply?.content || DEFAULT_OFFLINE_REPLY,
      },
      isOpen: (at = new Date()) => isOpenAt(hours, holidays, at),
      nextOpeningAt: (at = new Date()) => nextOpeningAt(hours, holidays, at),
    };
  });
}

/** What the widget shows: the weekly summary, whether the inbox is open now and when it opens next. */
export function hoursStatus(bh: InboxBusinessHours, now = new Date()): InboxHoursStatus {
  const open = bh.isOpen(now);
  const next = open ? null : bh.nextOpeningAt(now);
  return {
    enabled: bh.hours.enabled,
    timezone: bh.hours.timezone,
    summary: bh.hours.enabled ? summarizeWeekly(bh.hours.weekly) : '',
    isOpen: open,
    nextOpenAt: next?.toISOString() ?? null,
    nextOpenText: next ? describeOpening(next, now, bh.hours.timezone) : null,
  };
}

/** When the inbox opens, for an English-speaking buyer: 「on Mon 1 Dec, 09:00」 in the inbox timezone. */
const describeOpeningInEnglish = (at: Date, timeZone: string) =>
  `on ${new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)}`;

/** The offline reply with `{{next_open}}` filled in, e.g. 「明天 09:00」 in the inbox timezone, in the buyer's language. */
export function renderOfflineReply(
  content: string,
  next: Date | null,
  now: Date,
  timeZone: string,
  locale: BuyerLocale = 'zh-CN',
): string {
  const opening = locale === 'en' ? describeOpeningInEnglish : (at: Date) => describeOpening(at, now, timeZone);
  const when = next ? opening(next, timeZone) : buyerLine(locale, 'offlineReplyNoOpening');
  return content.replace(/\{\{\s*next_open\s*\}\}/g, when);
}

/** The years whose preset a new workspace gets: the current one (in the workspace timezone) and the next. */
export const seedYears = (now: Date, timeZone = DEFAULT_TIMEZONE) => {
  let year: number;
  try {
    year = Number(localDate(now, timeZone).slice(0, 4));
  } catch {
    year = Number(localDate(now, DEFAULT_TIMEZONE).slice(0, 4)); // an unknown timezone name
  }
  return [year, year + 1];
};

/** Seeds a new workspace's calendar with the public holidays of the current and next year. */
export async function seedHolidays(executor: Executor, workspaceId: string, now = new Date(), timeZone?: string) {
  const days = seedYears(now, timeZone).flatMap((year) => HOLIDAY_PRESETS[year] ?? []);
  await repo.insertMissingHolidays(executor, workspaceId, days);
  invalidateWorkspaceHolidays(workspaceId);
}
