import { describe, expect, it } from 'vitest';
import {
  addBusinessDuration,
  type BusinessHours,
  businessDurationBetween,
  currentClosingAt,
  describeOpening,
  type HolidayDay,
  isOpenAt,
  localDate,
  nextOpeningAt,
  summarizeWeekly,
} from './business-hours.ts';

const HOUR = 3_600_000;
/** An instant given as Beijing wall-clock time (UTC+8, no DST). */
const cst = (local: string) => new Date(`${local}+08:00`);

const nineToSix = [{ start: '09:00', end: '18:00' }];
const weekdays: BusinessHours = {
  enabled: true,
  timezone: 'Asia/Shanghai',
  weekly: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [], sun: [] },
};
const split = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '22:00' },
];
const everyDaySplit: BusinessHours = {
  enabled: true,
  timezone: 'Asia/Shanghai',
  weekly: { mon: split, tue: split, wed: split, thu: split, fri: split, sat: split, sun: split },
};

/** 2026 国庆: 10月1日（周四）至7日（周三）放假调休; 9月20日（周日）、10月10日（周六）上班. */
const guoqing2026: HolidayDay[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ date: `2026-10-0${d}`, kind: 'holiday' as const, name: '国庆节' })),
  { date: '2026-09-20', kind: 'workday', name: '国庆节调休' },
  { date: '2026-10-10', kind: 'workday', name: '国庆节调休' },
];

describe('isOpenAt', () => {
  it('follows the weekly ranges in the inbox timezone, start inclusive and end exclusive', () => {
    // Monday 2026-11-23
    expect(isOpenAt(weekdays, [], cst('2026-11-23T08:59:59'))).toBe(false);
    expect(isOpenAt(weekdays, [], cst('2026-11-23T09:00:00'))).toBe(true);
    expect(isOpenAt(weekdays, [], cst('2026-11-23T17:59:59'))).toBe(true);
    expect(isOpenAt(weekdays, [], cst('2026-11-23T18:00:00'))).toBe(false);
    // Saturday
    expect(isOpenAt(weekdays, [], cst('2026-11-28T10:00:00'))).toBe(false);
  });

  it('uses the local day, not the UTC day: 01:00 in Shanghai on Monday is still Sunday in UTC', () => {
    const hours: BusinessHours = {
      ...weekdays,
      weekly: { ...weekdays.weekly, mon: [{ start: '00:00', end: '02:00' }] },
    };
    const at = cst('2026-11-23T01:00:00'); // Sunday 17:00 UTC
    expect(at.getUTCDay()).toBe(0);
    expect(isOpenAt(hours, [], at)).toBe(true);
    expect(localDate(at, 'Asia/Shanghai')).toBe('2026-11-23');
  });

  it('supports several ranges per day and a lunch break', () => {
    expect(isOpenAt(everyDaySplit, [], cst('2026-11-24T11:59:00'))).toBe(true);
    expect(isOpenAt(everyDaySplit, [], cst('2026-11-24T12:30:00'))).toBe(false);
    expect(isOpenAt(everyDaySplit, [], cst('2026-11-24T13:30:00'))).toBe(true);
    expect(isOpenAt(everyDaySplit, [], cst('2026-11-24T21:59:59'))).toBe(true);
    expect(isOpenAt(everyDaySplit, [], cst('2026-11-24T22:00:00'))).toBe(false);
  });

  it("allows an end of '24:00' (open until midnight)", () => {
    const late: BusinessHours = {
      ...weekdays,
      weekly: { ...weekdays.weekly, fri: [{ start: '20:00', end: '24:00' }] },
    };
    expect(isOpenAt(late, [], cst('2026-11-27T23:59:59'))).toBe(true);
    expect(isOpenAt(late, [], cst('2026-11-28T00:00:00'))).toBe(false);
  });

  it('is always open when hours are not enabled', () => {
    expect(isOpenAt({ ...weekdays, enabled: false }, [], cst('2026-11-28T03:00:00'))).toBe(true);
  });

  it('closes the whole day on a holiday and opens a 调休 workday with the Monday schedule', () => {
    const mondayDiffers: BusinessHours = {
      ...weekdays,
      weekly: { ...weekdays.weekly, mon: [{ start: '10:00', end: '16:00' }] },
    };
    expect(isOpenAt(mondayDiffers, guoqing2026, cst('2026-10-01T10:00:00'))).toBe(false); // Thursday, 国庆
    expect(isOpenAt(mondayDiffers, guoqing2026, cst('2026-09-20T09:30:00'))).toBe(false); // Sunday 调休: Monday's hours
    expect(isOpenAt(mondayDiffers, guoqing2026, cst('2026-09-20T10:00:00'))).toBe(true);
    expect(isOpenAt(mondayDiffers, guoqing2026, cst('2026-10-10T15:59:00'))).toBe(true); // Saturday 调休
    expect(isOpenAt(mondayDiffers, guoqing2026, cst('2026-10-10T16:00:00'))).toBe(false);
  });

  it('works in a timezone with daylight saving time', () => {
    const ny: BusinessHours = { ...weekdays, timezone: 'America/New_York' };
    // 2026-03-09 (Monday) is after the spring change (EDT, UTC-4); 2026-03-06 (Friday) before it (EST, UTC-5).
    expect(isOpenAt(ny, [], new Date('2026-03-09T13:00:00Z'))).toBe(true); // 09:00 EDT
    expect(isOpenAt(ny, [], new Date('2026-03-09T12:59:00Z'))).toBe(false);
    expect(isOpenAt(ny, [], new Date('2026-03-06T14:00:00Z'))).toBe(true); // 09:00 EST
    expect(isOpenAt(ny, [], new Date('2026-03-06T13:59:00Z'))).toBe(false);
  });
});

describe('nextOpeningAt', () => {
  it('is the instant itself while open', () => {
    const at = cst('2026-11-23T10:00:00');
    expect(nextOpeningAt(weekdays, [], at)).toEqual(at);
  });

  it('is later today before opening, tomorrow after closing, Monday over the weekend', () => {
    expect(nextOpeningAt(weekdays, [], cst('2026-11-23T07:00:00'))).toEqual(cst('2026-11-23T09:00:00'));
    expect(nextOpeningAt(weekdays, [], cst('2026-11-23T18:00:00'))).toEqual(cst('2026-11-24T09:00:00'));
    expect(nextOpeningAt(weekdays, [], cst('2026-11-27T19:00:00'))).toEqual(cst('2026-11-30T09:00:00'));
    expect(nextOpeningAt(everyDaySplit, [], cst('2026-11-24T12:15:00'))).toEqual(cst('2026-11-24T13:30:00'));
  });

  it('skips 国庆 and opens on the 调休 Saturday', () => {
    expect(nextOpeningAt(weekdays, guoqing2026, cst('2026-09-30T18:30:00'))).toEqual(cst('2026-10-08T09:00:00'));
    expect(nextOpeningAt(weekdays, guoqing2026, cst('2026-10-09T20:00:00'))).toEqual(cst('2026-10-10T09:00:00'));
    expect(nextOpeningAt(weekdays, guoqing2026, cst('2026-09-19T12:00:00'))).toEqual(cst('2026-09-20T09:00:00'));
  });

  it('is null when the inbox never opens, and the instant itself when hours are off', () => {
    const never: BusinessHours = {
      ...weekdays,
      weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    };
    expect(nextOpeningAt(never, [], cst('2026-11-23T10:00:00'))).toBeNull();
    const at = cst('2026-11-28T03:00:00');
    expect(nextOpeningAt({ ...weekdays, enabled: false }, [], at)).toEqual(at);
  });

  it('treats 18:00–24:00 and 00:00–02:00 of the next day as one open period', () => {
    const night: BusinessHours = {
      ...weekdays,
      weekly: {
        ...weekdays.weekly,
        mon: [{ start: '18:00', end: '24:00' }],
        tue: [{ start: '00:00', end: '02:00' }],
      },
    };
    expect(currentClosingAt(night, [], cst('2026-11-23T23:00:00'))).toEqual(cst('2026-11-24T02:00:00'));
    expect(isOpenAt(night, [], cst('2026-11-24T01:00:00'))).toBe(true);
  });
});

describe('addBusinessDuration', () => {
  it('runs the clock only while open, over a weekend', () => {
    // Friday 17:00 + 2 business hours = Monday 10:00
    expect(addBusinessDuration(weekdays, [], cst('2026-11-27T17:00:00'), 2 * HOUR)).toEqual(cst('2026-11-30T10:00:00'));
    // Saturday: the clock starts on Monday at opening
    expect(addBusinessDuration(weekdays, [], cst('2026-11-28T11:00:00'), 30 * 60_000)).toEqual(
      cst('2026-11-30T09:30:00'),
    );
  });

  it('skips the lunch break', () => {
    expect(addBusinessDuration(everyDaySplit, [], cst('2026-11-24T11:00:00'), 2 * HOUR)).toEqual(
      cst('2026-11-24T14:30:00'),
    );
  });

  it('skips 国庆 and counts the 调休 Saturday', () => {
    // Wed 2026-09-30 17:00 + 3 h: 1 h on the 30th, holidays 1–7, 2 h on Thursday the 8th.
    expect(addBusinessDuration(weekdays, guoqing2026, cst('2026-09-30T17:00:00'), 3 * HOUR)).toEqual(
      cst('2026-10-08T11:00:00'),
    );
    // Fri 2026-10-09 17:00 + 2 h: 1 h Friday, 1 h on the 调休 Saturday the 10th.
    expect(addBusinessDuration(weekdays, guoqing2026, cst('2026-10-09T17:00:00'), 2 * HOUR)).toEqual(
      cst('2026-10-10T10:00:00'),
    );
  });

  it('crosses the day boundary in Asia/Shanghai while the UTC date differs', () => {
    const late: BusinessHours = {
      ...everyDaySplit,
      weekly: Object.fromEntries(
        Object.keys(everyDaySplit.weekly).map((d) => [
          d,
          [
            { start: '00:00', end: '06:00' },
            { start: '20:00', end: '24:00' },
          ],
        ]),
      ) as BusinessHours['weekly'],
    };
    // 23:00 Beijing = 15:00 UTC the same UTC date; +3 h lands at 02:00 Beijing next day (18:00 UTC, same UTC day).
    const start = cst('2026-11-23T23:00:00');
    const end = addBusinessDuration(late, [], start, 3 * HOUR)!;
    expect(end).toEqual(cst('2026-11-24T02:00:00'));
    expect(end.toISOString()).toBe('2026-11-23T18:00:00.000Z');
  });

  it('is plain addition when hours are off, and null when never open', () => {
    const start = cst('2026-11-28T03:00:00');
    expect(addBusinessDuration({ ...weekdays, enabled: false }, [], start, HOUR)).toEqual(
      new Date(start.getTime() + HOUR),
    );
    const never: BusinessHours = {
      ...weekdays,
      weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    };
    expect(addBusinessDuration(never, [], start, HOUR)).toBeNull();
  });
});

describe('businessDurationBetween', () => {
  it('counts only open time, over a weekend', () => {
    expect(businessDurationBetween(weekdays, [], cst('2026-11-27T17:00:00'), cst('2026-11-30T10:00:00'))).toBe(
      2 * HOUR,
    );
    expect(businessDurationBetween(weekdays, [], cst('2026-11-28T00:00:00'), cst('2026-11-29T23:59:00'))).toBe(0);
    expect(businessDurationBetween(weekdays, [], cst('2026-11-23T00:00:00'), cst('2026-11-30T00:00:00'))).toBe(
      45 * HOUR,
    );
  });

  it('over 国庆 with 调休', () => {
    // Week of Mon 2026-10-05 … Sun 10-11: Mon–Wed holidays, Thu–Fri open, Sat 调休 open → 3 × 9 h.
    expect(businessDurationBetween(weekdays, guoqing2026, cst('2026-10-05T00:00:00'), cst('2026-10-12T00:00:00'))).toBe(
      27 * HOUR,
    );
  });

  it('crosses the Shanghai midnight while UTC is mid-afternoon', () => {
    const night: BusinessHours = {
      ...weekdays,
      weekly: { ...weekdays.weekly, mon: [{ start: '22:00', end: '24:00' }], tue: [{ start: '00:00', end: '03:00' }] },
    };
    // Mon 23:00 → Tue 01:00 Beijing (15:00 → 17:00 UTC on Monday)
    expect(businessDurationBetween(night, [], new Date('2026-11-23T15:00:00Z'), new Date('2026-11-23T17:00:00Z'))).toBe(
      2 * HOUR,
    );
  });

  it('agrees with addBusinessDuration', () => {
    const start = cst('2026-09-29T15:20:00');
    for (const h of [1, 5, 9, 20, 40]) {
      const end = addBusinessDuration(weekdays, guoqing2026, start, h * HOUR)!;
      expect(businessDurationBetween(weekdays, guoqing2026, start, end)).toBe(h * HOUR);
    }
  });

  it('is zero for an empty or reversed span and plain difference when hours are off', () => {
    const a = cst('2026-11-23T10:00:00');
    expect(businessDurationBetween(weekdays, [], a, a)).toBe(0);
    expect(businessDurationBetween(weekdays, [], a, new Date(a.getTime() - HOUR))).toBe(0);
    expect(businessDurationBetween({ ...weekdays, enabled: false }, [], a, new Date(a.getTime() + 5 * HOUR))).toBe(
      5 * HOUR,
    );
  });
});

describe('wording', () => {
  const tz = 'Asia/Shanghai';
  it('describes the next opening relative to now', () => {
    const now = cst('2026-11-23T23:30:00'); // Monday
    expect(describeOpening(cst('2026-11-23T23:45:00'), now, tz)).toBe('今天 23:45');
    expect(describeOpening(cst('2026-11-24T09:00:00'), now, tz)).toBe('明天 09:00');
    expect(describeOpening(cst('2026-11-30T09:00:00'), cst('2026-11-27T19:00:00'), tz)).toBe('周一 09:00');
    expect(describeOpening(cst('2026-10-08T09:00:00'), cst('2026-09-30T18:30:00'), tz)).toBe('10月8日 09:00');
    expect(describeOpening(cst('2027-01-04T09:00:00'), cst('2026-12-24T18:30:00'), tz)).toBe('2027年1月4日 09:00');
  });

  it('uses the timezone for "tomorrow", not UTC', () => {
    // 00:30 Beijing on Tuesday is Monday 16:30 UTC: an opening on Tuesday 09:00 is "today".
    expect(describeOpening(cst('2026-11-24T09:00:00'), cst('2026-11-24T00:30:00'), tz)).toBe('今天 09:00');
  });

  it('summarises the weekly schedule', () => {
    expect(summarizeWeekly(everyDaySplit.weekly)).toBe('09:00–12:00、13:30–22:00');
    expect(summarizeWeekly(weekdays.weekly)).toBe('周一至周五 09:00–18:00');
    expect(summarizeWeekly({ ...weekdays.weekly, sat: [{ start: '10:00', end: '16:00' }] })).toBe(
      '周一至周五 09:00–18:00；周六 10:00–16:00',
    );
  });
});
