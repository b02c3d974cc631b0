import type { HolidayDay } from '../../platform/business-hours.ts';

/** Consecutive days `from`…`to` (same month or across a month end), as holiday entries. */
function span(from: string, to: string, name: string): HolidayDay[] {
  const days: HolidayDay[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push({ date: new Date(t).toISOString().slice(0, 10), kind: 'holiday', name });
  }
  return days;
}
const workday = (date: string, name: string): HolidayDay => ({ date, kind: 'workday', name: `${name}调休` });

/**
 * China's public holiday arrangements (放假调休) as published by the General Office of the State Council
 * (国务院办公厅关于 XXXX 年部分节假日安排的通知). `holiday` days are off, `workday` days are 调休 make-up
 * working days. Add the next year here once its notice is out (usually in November).
 */
export const HOLIDAY_PRESETS: Record<number, HolidayDay[]> = {
  // 国办发明电〔2024〕12号, 2024-11-12
  2025: [
    ...span('2025-01-01', '2025-01-01', '元旦'),
    ...span('2025-01-28', '2025-02-04', '春节'),
    workday('2025-01-26', '春节'),
    workday('2025-02-08', '春节'),
    ...span('2025-04-04', '2025-04-06', '清明节'),
    ...span('2025-05-01', '2025-05-05', '劳动节'),
    workday('2025-04-27', '劳动节'),
    ...span('2025-05-31', '2025-06-02', '端午节'),
    ...span('2025-10-01', '2025-10-08', '国庆节、中秋节'),
    workday('2025-09-28', '国庆节'),
    workday('2025-10-11', '国庆节'),
  ],
  // 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04
  2026: [
    ...span('2026-01-01', '2026-01-03', '元旦'),
    workday('2026-01-04', '元旦'),
    ...span('2026-02-15', '2026-02-23', '春节'),
    workday('2026-02-14', '春节'),
    workday('2026-02-28', '春节'),
    ...span('2026-04-04', '2026-04-06', '清明节'),
    ...span('2026-05-01', '2026-05-05', '劳动节'),
    workday('2026-05-09', '劳动节'),
    ...span('2026-06-19', '2026-06-21', '端午节'),
    ...span('2026-09-25', '2026-09-27', '中秋节'),
    ...span('2026-10-01', '2026-10-07', '国庆节'),
    workday('2026-09-20', '国庆节'),
    workday('2026-10-10', '国庆节'),
  ],
  // The 2027 notice was not found when this was written: only the fixed-date statutory days of the
  // 全国年节及纪念日放假办法 (元旦 1月1日, 劳动节 5月1日–2日, 国庆节 10月1日–3日). The lunar holidays
  // (春节, 清明, 端午, 中秋) and every 调休 workday are left out until the State Council publishes them;
  // admins can add them on the 节假日 page, and a later version of this table restores them with the preset.
  2027: [
    ...span('2027-01-01', '2027-01-01', '元旦'),
    ...span('2027-05-01', '2027-05-02', '劳动节'),
    ...span('2027-10-01', '2027-10-03', '国庆节'),
  ],
};

export const presetYears = () => Object.keys(HOLIDAY_PRESETS).map(Number);
