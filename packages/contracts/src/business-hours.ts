import { z } from 'zod';
import { isoDateTime, page, trimmedString } from './common.ts';
import { calendarDate } from './customers.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayKey = (typeof weekdays)[number];

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** 'HH:mm', 00:00–23:59; an end may also be '24:00' (until midnight). */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:mm');
const endTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, '时间格式应为 HH:mm（结束时间可为 24:00）');

export const timeRange = z
  .strictObject({ start: clockTime, end: endTime })
  .refine((r) => minutesOf(r.end) > minutesOf(r.start), {
    message: '结束时间须晚于开始时间（跨午夜的时段请拆成两段）',
  });
export type TimeRangeInput = z.infer<typeof timeRange>;

/** A day's ranges: at most 6, not overlapping. */
const dayRanges = z
  .array(timeRange)
  .max(6, '每天最多 6 个时段')
  .superRefine((ranges, ctx) => {
    const sorted = [...ranges].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (let i = 1; i < sorted.length; i++) {
      if (minutesOf(sorted[i]!.start) < minutesOf(sorted[i - 1]!.end)) {
        ctx.addIssue({
          code: 'custom',
          message: `时段重叠：${sorted[i - 1]!.start}–${sorted[i - 1]!.end} 与 ${sorted[i]!.start}–${sorted[i]!.end}`,
        });
        return;
      }
    }
  });

export const isValidTimezone = (timeZone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
};

export const timezoneName = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimezone, { message: '未知的时区' })
  .describe('IANA timezone, e.g. Asia/Shanghai');

const emptyWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

/** Weekly opening hours of an inbox. Not enabled: always open. Holidays close a day; 调休 workdays use Monday's ranges. */
export const businessHours = z.strictObject({
  enabled: z.boolean().default(false),
  timezone: timezoneName.default('Asia/Shanghai'),
  weekly: z
    .strictObject({
      mon: dayRanges,
      tue: dayRanges,
      wed: dayRanges,
      thu: dayRanges,
      fri: dayRanges,
      sat: dayRanges,
      sun: dayRanges,
    })
    .default(emptyWeek),
});
export type BusinessHoursSettings = z.infer<typeof businessHours>;

/** Sent once per closed period per conversation; `{{next_open}}` becomes e.g. 「明天 09:00」. */
export const offlineReply = z.strictObject({
  enabled: z.boolean().default(false),
  content: trimmedString().max(1000).default('您好，现在是非工作时间，我们将于{{next_open}}回复您。'),
});
export type OfflineReplySettings = z.infer<typeof offlineReply>;

export const holidayKinds = ['holiday', 'workday'] as const;
export const holidayKind = z.enum(holidayKinds);

/** One day of the workspace calendar: `holiday` closes the day, `workday` (调休) opens it with Monday's hours. */
export const holiday = z.object({
  date: z.string().describe('YYYY-MM-DD'),
  kind: holidayKind,
  name: z.string(),
});
export type Holiday = z.infer<typeof holiday>;

/** The calendar days, and the years a national preset exists for (「恢复国家法定节假日安排」). */
export const holidayList = page(holiday).extend({ presetYears: z.array(z.number().int()) });
export type HolidayList = z.infer<typeof holidayList>;

const year = z.coerce.number().int().min(2000).max(2100);
export const holidayListQuery = z.strictObject({ year: year.optional() });
export const holidayDateParams = z.strictObject({ date: calendarDate });
export const putHolidayBody = z.strictObject({
  kind: holidayKind,
  name: trimmedString().min(1, '请填写名称').max(50),
});
export const importHolidayPresetBody = z.strictObject({ year });

/** The hours summary the widget shows: 「客服在线时间 09:00–22:00」, and when closed 「…我们将于明天 09:00 回复」. */
export const inboxHoursStatus = z.object({
  enabled: z.boolean(),
  timezone: z.string(),
  summary: z.string().describe('e.g. 周一至周五 09:00–18:00; empty when hours are off'),
  isOpen: z.boolean(),
  nextOpenAt: isoDateTime.nullable(),
  nextOpenText: z.string().nullable().describe('e.g. 明天 09:00, in the inbox timezone'),
});
export type InboxHoursStatus = z.infer<typeof inboxHoursStatus>;
