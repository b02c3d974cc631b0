import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import 'dayjs/locale/en';
import 'dayjs/locale/zh-cn';
import relativeTime from 'dayjs/plugin/relativeTime';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import { useCallback, useSyncExternalStore } from 'react';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(relativeTime);

export const defaultTimezone = 'Asia/Shanghai';
let workspaceTimezone = defaultTimezone;

/** The workspace's timezone is used for every absolute time shown in the UI. */
export function setWorkspaceTimezone(tz: string | undefined): void {
  if (!tz) return;
  try {
    dayjs().tz(tz);
    workspaceTimezone = tz;
  } catch {
    workspaceTimezone = defaultTimezone;
  }
}

export const getWorkspaceTimezone = (): string => workspaceTimezone;

export function setDayjsLanguage(language: string): void {
  dayjs.locale(language.startsWith('zh') ? 'zh-cn' : 'en');
}

/** A time in the workspace's timezone. */
export const inWorkspace = (value: string | number | Date | dayjs.Dayjs = Date.now()): dayjs.Dayjs =>
  dayjs(value).tz(workspaceTimezone);

/** Midnight (browser time) of the workspace's current date: for date pickers, whose days are the browser's. */
export const workspaceToday = (now: number = Date.now()): dayjs.Dayjs => dayjs(inWorkspace(now).format('YYYY-MM-DD'));

export const formatDateTime = (iso: string): string => inWorkspace(iso).format('YYYY-MM-DD HH:mm:ss');
export const formatDate = (iso: string): string => inWorkspace(iso).format('YYYY-MM-DD');

/** A moment agents plan around (a snooze ending): 「今天 14:30」, 「明天 09:00」, 「11月28日 09:00」. */
export function formatUpcoming(iso: string, t: TFunction, now = Date.now()): string {
  const when = inWorkspace(iso);
  const today = inWorkspace(now);
  const time = when.format('HH:mm');
  if (when.isSame(today, 'day')) return t('time.todayAt', { time });
  if (when.isSame(today.add(1, 'day'), 'day')) return t('time.tomorrowAt', { time });
  if (when.isSame(today, 'year')) return when.format(t('time.dateThisYear'));
  return when.format('YYYY-MM-DD HH:mm');
}

/** "3分钟前" / "3 minutes ago"; never in the future (clock skew between browser and server). */
export function formatRelative(iso: string, now: number): string {
  const then = dayjs(iso);
  if (!then.isValid()) return '';
  const clamped = then.valueOf() > now ? dayjs(now) : then;
  return clamped.from(dayjs(now));
}

/**
 * A waiting time / SLA time left, never mistakable for a clock time: under an hour the ticking 「22:49」 (minutes and
 * seconds, as seller workbenches show a wait); from an hour on in units, 「16小时52分」 / "16h 52m", 「1天15小时」 / "1d 15h".
 */
export function formatDuration(totalSeconds: number, t: TFunction): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const secs = seconds % 60;
  if (days > 0) return hours > 0 ? t('time.durationDaysHours', { days, hours }) : t('time.durationDays', { days });
  if (hours > 0)
    return minutes > 0 ? t('time.durationHoursMinutes', { hours, minutes }) : t('time.durationHours', { hours });
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(minutes)}:${pad(secs)}`;
}

// One shared clock for every ticking label (relative times, waiting timers): a single interval, not one per row.
type Listener = () => void;
const clocks = new Map<number, { now: number; listeners: Set<Listener>; timer: number | undefined }>();

function getClock(intervalMs: number) {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    clock = { now: Date.now(), listeners: new Set(), timer: undefined };
    clocks.set(intervalMs, clock);
  }
  return clock;
}

function subscribeClock(intervalMs: number, listener: Listener): () => void {
  const current = getClock(intervalMs);
  current.listeners.add(listener);
  if (current.timer === undefined) {
    current.now = Date.now();
    current.timer = window.setInterval(() => {
      current.now = Date.now();
      for (const notify of current.listeners) notify();
    }, intervalMs);
  }
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0 && current.timer !== undefined) {
      window.clearInterval(current.timer);
      current.timer = undefined;
    }
  };
}

/** The current time, re-rendering every `intervalMs`. */
export function useNow(intervalMs = 30_000): number {
  const subscribe = useCallback((listener: Listener) => subscribeClock(intervalMs, listener), [intervalMs]);
  return useSyncExternalStore(subscribe, () => getClock(intervalMs).now);
}
