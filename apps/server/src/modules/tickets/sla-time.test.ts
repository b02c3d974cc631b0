import {
  type BusinessHours,
  CALENDAR_TIME,
  type HolidayDay,
  type SlaCalendar,
  slaClockState,
  slaDueAt,
  slaPause,
  slaPercentElapsed,
  slaResume,
  slaSecondsBetween,
} from '@huike/contracts';
import { describe, expect, it } from 'vitest';

/** An instant given as Beijing wall-clock time (UTC+8). */
const cst = (local: string) => new Date(`${local}+08:00`);
const HOUR = 3600;

const nineToSix = [{ start: '09:00', end: '18:00' }];
const weekdays: BusinessHours = {
  enabled: true,
  timezone: 'Asia/Shanghai',
  weekly: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [], sun: [] },
};
const overnight: BusinessHours = {
  enabled: true,
  timezone: 'Asia/Shanghai',
  // 22:00–02:00 written as two ranges (ranges never cross midnight).
  weekly: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
      d,
      [
        { start: '00:00', end: '02:00' },
        { start: '22:00', end: '24:00' },
      ],
    ]),
  ) as BusinessHours['weekly'],
};
/** 2026 国庆: 10月1日至7日放假; 10月10日（周六）调休上班. */
const guoqing: HolidayDay[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ date: `2026-10-0${d}`, kind: 'holiday' as const, name: '国庆节' })),
  { date: '2026-10-10', kind: 'workday', name: '国庆节调休' },
];
const business = (hours: BusinessHours, holidays: HolidayDay[] = []): SlaCalendar => ({
  kind: 'business',
  hours,
  holidays,
});

describe('SLA due times', () => {
  it('adds calendar time straight through nights and weekends', () => {
    expect(slaDueAt(CALENDAR_TIME, cst('2026-11-20T17:00:00'), 4 * HOUR)).toEqual(cst('2026-11-20T21:00:00'));
  });

  it('counts business hours only while open, across the weekend', () => {
    // Friday 17:00 + 4 business hours: 1 h on Friday, 3 h on Monday → Monday 12:00.
    expect(slaDueAt(business(weekdays), cst('2026-11-20T17:00:00'), 4 * HOUR)).toEqual(cst('2026-11-23T12:00:00'));
    // Starting before opening counts from 09:00.
    expect(slaDueAt(business(weekdays), cst('2026-11-23T07:30:00'), HOUR)).toEqual(cst('2026-11-23T10:00:00'));
  });

  it('skips public holidays and works on 调休 make-up days', () => {
    // Wed 30 Sep 17:00 + 2 h: 1 h that day, then the holiday week and the weekend of 3–4 Oct are closed; Thu 8 Oct opens.
    expect(slaDueAt(business(weekdays, guoqing), cst('2026-09-30T17:00:00'), 2 * HOUR)).toEqual(
      cst('2026-10-08T10:00:00'),
    );
    // Fri 9 Oct 17:00 + 2 h: Saturday 10 Oct is a working day (Monday's hours).
    expect(slaDueAt(business(weekdays, guoqing), cst('2026-10-09T17:00:00'), 2 * HOUR)).toEqual(
      cst('2026-10-10T10:00:00'),
    );
  });

  it('handles overnight shifts in Asia/Shanghai', () => {
    // 23:00 + 2 h: 1 h until midnight, 1 h after → 01:00 the next day.
    expect(slaDueAt(business(overnight), cst('2026-11-20T23:00:00'), 2 * HOUR)).toEqual(cst('2026-11-21T01:00:00'));
    // 01:30 + 1 h: 30 min until 02:00, then 30 min from 22:00.
    expect(slaDueAt(business(overnight), cst('2026-11-21T01:30:00'), HOUR)).toEqual(cst('2026-11-21T22:30:00'));
  });

  it('treats business hours that are not enabled as calendar time', () => {
    const off = business({ ...weekdays, enabled: false });
    expect(slaDueAt(off, cst('2026-11-21T10:00:00'), HOUR)).toEqual(cst('2026-11-21T11:00:00'));
  });
});

describe('pauses', () => {
  it('keeps the remaining business time and gives a new due time on resume', () => {
    const calendar = business(weekdays);
    const due = slaDueAt(calendar, cst('2026-11-23T09:00:00'), 8 * HOUR)!; // Mon 17:00
    // Paused Monday 12:00 with 5 business hours left.
    const left = slaPause(calendar, due, cst('2026-11-23T12:00:00'));
    expect(left).toBe(5 * HOUR);
    // Resumed Tuesday 16:00: 2 h that day, 3 h on Wednesday → Wed 12:00.
    expect(slaResume(calendar, left, cst('2026-11-24T16:00:00'))).toEqual(cst('2026-11-25T12:00:00'));
  });

  it('pauses an overdue clock with nothing left', () => {
    expect(slaPause(CALENDAR_TIME, cst('2026-11-23T09:00:00'), cst('2026-11-23T10:00:00'))).toBe(0);
  });

  it('counts seconds between instants in business time', () => {
    expect(slaSecondsBetween(business(weekdays), cst('2026-11-20T17:00:00'), cst('2026-11-23T10:00:00'))).toBe(
      2 * HOUR,
    );
    expect(slaSecondsBetween(CALENDAR_TIME, cst('2026-11-23T10:00:00'), cst('2026-11-23T09:00:00'))).toBe(0);
  });
});

describe('percentage elapsed and colour', () => {
  const due = cst('2026-11-23T13:00:00'); // 4 h target
  const clock = { targetSeconds: 4 * HOUR, dueAt: due, pausedRemainingSeconds: null };

  it('is green below 75%, amber from 75%, red from 100%', () => {
    const at = (local: string) => slaPercentElapsed(CALENDAR_TIME, clock, cst(local));
    expect(at('2026-11-23T09:00:00')).toBe(0);
    expect(at('2026-11-23T11:00:00')).toBe(50);
    expect(at('2026-11-23T12:00:00')).toBe(75);
    expect(at('2026-11-23T15:00:00')).toBe(150);
    const state = (percentElapsed: number) =>
      slaClockState({ percentElapsed, metAt: null, breachedAt: null, pausedRemainingSeconds: null });
    expect(state(50)).toBe('green');
    expect(state(74.9)).toBe('green');
    expect(state(75)).toBe('amber');
    expect(state(100)).toBe('red');
  });

  it('counts business time only (a closed night does not advance the clock)', () => {
    const calendar = business(weekdays);
    const friday = { targetSeconds: 4 * HOUR, dueAt: cst('2026-11-23T12:00:00'), pausedRemainingSeconds: null };
    // Saturday: 1 h of the 4 h used on Friday, 3 h left on Monday → 25%.
    expect(slaPercentElapsed(calendar, friday, cst('2026-11-21T15:00:00'))).toBe(25);
  });

  it('freezes a paused clock and reports met / breached first', () => {
    expect(
      slaPercentElapsed(
        CALENDAR_TIME,
        { targetSeconds: 4 * HOUR, dueAt: null, pausedRemainingSeconds: HOUR },
        new Date(),
      ),
    ).toBe(75);
    expect(
      slaClockState({ percentElapsed: 10, metAt: new Date(), breachedAt: null, pausedRemainingSeconds: null }),
    ).toBe('met');
    expect(
      slaClockState({ percentElapsed: 10, metAt: null, breachedAt: new Date(), pausedRemainingSeconds: null }),
    ).toBe('red');
    expect(slaClockState({ percentElapsed: 80, metAt: null, breachedAt: null, pausedRemainingSeconds: 60 })).toBe(
      'paused',
    );
  });
});
