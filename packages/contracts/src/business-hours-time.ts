/**
 * Business-hours maths (shared: the server decides with it, the web app previews with it): weekly opening ranges in a timezone, public holidays that close a whole day, and 调休
 * make-up working days that open a weekend day with the Monday schedule. Pure functions, no I/O.
 *
 * Wall-clock times are turned into instants with the runtime's IANA timezone data (Intl), never with offsets
 * written by hand, so a timezone with daylight saving time works too.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `start` inclusive, `end` exclusive; 'HH:mm', `end` may be '24:00'. Ranges do not cross midnight (split them). */
export type TimeRange = { start: string; end: string };

export type BusinessHours = {
  enabled: boolean;
  timezone: string;
  weekly: Record<Weekday, TimeRange[]>;
};

/** `workday` = 调休: a make-up working day (usually a weekend day) that uses the Monday schedule. */
export type HolidayDay = { date: string; kind: 'holiday' | 'workday'; name: string };

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** How far ahead the searches look before concluding an inbox never opens. */
const MAX_SEARCH_DAYS = 800;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------------------
// Calendar dates and wall-clock times in a timezone

/** A calendar date as days since 1970-01-01 (timezone-free arithmetic). */
type DayNumber = number;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of an instant in a timezone. */
export function wallClock(at: Date, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Offset of the timezone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(new Date(at), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time happens in a timezone, the wall clock given as milliseconds read as if it were UTC
 * (`Date.UTC(2026, 10, 25, 9, 30)` for 09:30 on 25 November). A time skipped by a DST jump maps to the instant
 * after the jump; a repeated time maps to its first occurrence.
 */
export function instantOfWallClock(local: number, timeZone: string): number {
  const first = local - offsetAt(local, timeZone);
  const second = local - offsetAt(first, timeZone);
  if (first === second) return first;
  // Around a transition: the earliest candidate whose wall clock is the asked one, else (a gap) the later one.
  const valid = [first, second].filter((x) => local - offsetAt(x, timeZone) === x).sort((a, b) => a - b);
  return valid[0] ?? Math.max(first, second);
}

const instantOf = (day: DayNumber, minuteOfDay: number, timeZone: string): number =>
  instantOfWallClock(day * DAY_MS + minuteOfDay * 60_000, timeZone);

const dayNumberOf = (year: number, month: number, day: number): DayNumber => Date.UTC(year, month - 1, day) / DAY_MS;

/** The local calendar date of an instant, as a day number. */
function localDay(at: number, timeZone: string): DayNumber {
  const w = wallClock(new Date(at), timeZone);
  return dayNumberOf(w.year, w.month, w.day);
}

/** 'YYYY-MM-DD' of a day number. */
const isoDate = (day: DayNumber): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** 0 = Monday … 6 = Sunday. */
const weekdayIndex = (day: DayNumber): number => (new Date(day * DAY_MS).getUTCDay() + 6) % 7;

/** 'YYYY-MM-DD' of an instant in a timezone. */
export const localDate = (at: Date, timeZone: string): string => isoDate(localDay(at.getTime(), timeZone));

export const parseMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

// ---------------------------------------------------------------------------------------------------------------
// Open intervals

const holidayMaps = new WeakMap<readonly HolidayDay[], Map<string, HolidayDay>>();
function holidayMap(holidays: readonly HolidayDay[]) {
  let map = holidayMaps.get(holidays);
  if (!map) {
    map = new Map(holidays.map((h) => [h.date, h]));
    holidayMaps.set(holidays, map);
  }
  return map;
}

/** The opening ranges of one local date: none on a holiday, Monday's on a 调休 workday, else the weekday's. */
export function rangesForDate(hours: BusinessHours, holidays: readonly HolidayDay[], date: string): TimeRange[] {
  const special = holidayMap(holidays).get(date);
  if (special?.kind === 'holiday') return [];
  if (special?.kind === 'workday') return hours.weekly.mon;
  const [y, m, d] = date.split('-').map(Number);
  return hours.weekly[WEEKDAYS[weekdayIndex(dayNumberOf(y!, m!, d!))]!];
}

type Interval = { start: number; end: number };

function dayIntervals(hours: BusinessHours, holidays: readonly HolidayDay[], day: DayNumber): Interval[] {
  const ranges = rangesForDate(hours, holidays, isoDate(day))
    .map((r) => ({ start: parseMinutes(r.start), end: parseMinutes(r.end) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  return ranges.map((r) => ({
    start: instantOf(day, r.start, hours.timezone),
    end: r.end >= 1440 ? instantOf(day + 1, 0, hours.timezone) : instantOf(day, r.end, hours.timezone),
  }));
}

/**
 * Open intervals in time order, from the local day containing `from` onwards, with touching or overlapping
 * intervals merged (09:00–12:00 + 12:00–18:00, or 18:00–24:00 today + 00:00–02:00 tomorrow, are one period).
 */
function* openIntervals(
  hours: BusinessHours,
  holidays: readonly HolidayDay[],
  from: number,
  maxDays = MAX_SEARCH_DAYS,
) {
  const firstDay = localDay(from, hours.timezone);
  let pending: Interval | undefined;
  for (let day = firstDay; day < firstDay + maxDays; day++) {
    for (const interval of dayIntervals(hours, holidays, day)) {
      if (pending && interval.start <= pending.end) {
        pending.end = Math.max(pending.end, interval.end);
        continue;
      }
      if (pending) yield pending;
      pending = { ...interval };
    }
  }
  if (pending) yield pending;
}

// ---------------------------------------------------------------------------------------------------------------
// The public functions

/** Whether the inbox is open at an instant. Hours not enabled: always open. */
export function isOpenAt(hours: BusinessHours, holidays: readonly HolidayDay[], at: Date): boolean {
  if (!hours.enabled) return true;
  const t = at.getTime();
  for (const interval of dayIntervals(hours, holidays, localDay(t, hours.timezone))) {
    if (interval.start <= t && t < interval.end) return true;
  }
  return false;
}

/**
 * The earliest instant at or after `at` when the inbox is open: `at` itself while open, otherwise the start of
 * the next opening range. Null when no opening exists in the next ~2 years (every day closed).
 */
export function nextOpeningAt(hours: BusinessHours, holidays: readonly HolidayDay[], at: Date): Date | null {
  if (!hours.enabled) return new Date(at);
  const t = at.getTime();
  for (const interval of openIntervals(hours, holidays, t)) {
    if (interval.end <= t) continue;
    return new Date(Math.max(interval.start, t));
  }
  return null;
}

/** The end of the open period containing `at` (when the inbox next closes), or null while closed / never closing. */
export function currentClosingAt(hours: BusinessHours, holidays: readonly HolidayDay[], at: Date): Date | null {
  if (!hours.enabled) return null;
  const t = at.getTime();
  for (const interval of openIntervals(hours, holidays, t)) {
    if (interval.end <= t) continue;
    return interval.start <= t ? new Date(interval.end) : null;
  }
  return null;
}

/**
 * The instant when `ms` of business time have passed since `start` (the clock runs only while open). Hours not
 * enabled: plain `start + ms`. Null when the business time cannot be reached within ~2 years.
 */
export function addBusinessDuration(
  hours: BusinessHours,
  holidays: readonly HolidayDay[],
  start: Date,
  ms: number,
): Date | null {
  const t = start.getTime();
  if (!hours.enabled || ms <= 0) return new Date(t + Math.max(ms, 0));
  let left = ms;
  for (const interval of openIntervals(hours, holidays, t)) {
    if (interval.end <= t) continue;
    const from = Math.max(interval.start, t);
    const available = interval.end - from;
    if (available >= left) return new Date(from + left);
    left -= available;
  }
  return null;
}

/** Business time (ms) between two instants: the length of their overlap with the open periods. 0 when to ≤ from. */
export function businessDurationBetween(
  hours: BusinessHours,
  holidays: readonly HolidayDay[],
  from: Date,
  to: Date,
): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (!hours.enabled) return b - a;
  const days = Math.ceil((b - a) / DAY_MS) + 2;
  let total = 0;
  for (const interval of openIntervals(hours, holidays, a, days)) {
    if (interval.start >= b) break;
    const overlap = Math.min(interval.end, b) - Math.max(interval.start, a);
    if (overlap > 0) total += overlap;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// Wording (zh-CN), for offline replies and the widget

const WEEKDAY_NAMES = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

const hhmm = (w: { hour: number; minute: number }) =>
  `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;

/**
 * When the inbox next opens, as a customer reads it, relative to `now` in the inbox timezone:
 * 「今天 13:30」, 「明天 09:00」, 「周一 09:00」 (within the coming week), 「10月8日 09:00」, 「2027年1月4日 09:00」.
 */
export function describeOpening(at: Date, now: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  const days = dayNumberOf(w.year, w.month, w.day) - localDay(now.getTime(), timeZone);
  const time = hhmm(w);
  if (days <= 0) return `今天 ${time}`;
  if (days === 1) return `明天 ${time}`;
  if (days < 7) return `${WEEKDAY_NAMES[weekdayIndex(dayNumberOf(w.year, w.month, w.day))]} ${time}`;
  const sameYear = wallClock(now, timeZone).year === w.year;
  return `${sameYear ? '' : `${w.year}年`}${w.month}月${w.day}日 ${time}`;
}

/**
 * The weekly schedule in one line: 「09:00–22:00」 when every day is the same, else groups of consecutive days,
 * e.g. 「周一至周五 09:00–18:00；周六 10:00–16:00」 (closed days left out).
 */
export function summarizeWeekly(weekly: Record<Weekday, TimeRange[]>): string {
  const text = (ranges: TimeRange[]) =>
    [...ranges]
      .sort((a, b) => parseMinutes(a.start) - parseMinutes(b.start))
      .map((r) => `${r.start}–${r.end}`)
      .join('、');
  const perDay = WEEKDAYS.map((d) => text(weekly[d]));
  if (perDay.every((t) => t === perDay[0])) return perDay[0] ? perDay[0] : '';
  const groups: { from: number; to: number; text: string }[] = [];
  perDay.forEach((t, i) => {
    const last = groups.at(-1);
    if (last && last.text === t && last.to === i - 1) last.to = i;
    else groups.push({ from: i, to: i, text: t });
  });
  return groups
    .filter((g) => g.text)
    .map((g) => {
      const days =
        g.from === g.to
          ? WEEKDAY_NAMES[g.from]
          : `${WEEKDAY_NAMES[g.from]}${g.to === g.from + 1 ? '、' : '至'}${WEEKDAY_NAMES[g.to]}`;
      return `${days} ${g.text}`;
    })
    .join('；');
}
