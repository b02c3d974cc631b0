/**
 * Business-hours maths: weekly ranges in a timezone, holidays, 调休 workdays; `isOpenAt`, `nextOpeningAt`,
 * `addBusinessDuration`, `businessDurationBetween` (for SLA clocks). The code lives in @huike/contracts
 * (business-hours-time.ts) so the web app's live preview computes exactly what the server decides.
 */
export {
  addBusinessDuration,
  type BusinessHours,
  businessDurationBetween,
  currentClosingAt,
  DEFAULT_TIMEZONE,
  describeOpening,
  type HolidayDay,
  isOpenAt,
  localDate,
  nextOpeningAt,
  parseMinutes,
  rangesForDate,
  summarizeWeekly,
  type TimeRange,
  WEEKDAYS,
  type Weekday,
  wallClock,
} from '@huike/contracts';
