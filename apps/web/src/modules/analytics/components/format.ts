import type { TFunction } from 'i18next';

/** 12,345 → 1.2万 (zh) / 12.3k (en); exact below 10,000. */
export function formatCount(value: number, t: TFunction): string {
  if (value < 10_000) return value.toLocaleString();
  return t('reports.units.wan') === '万' ? `${(value / 10_000).toFixed(1)}万` : `${(value / 1_000).toFixed(1)}k`;
}

export function formatDuration(seconds: number | null | undefined, t: TFunction): string {
  if (seconds === null || seconds === undefined) return '—';
  const u = (key: 's' | 'm' | 'h' | 'd') => t(`reports.units.${key}`);
  if (seconds < 60) return `${seconds}${u('s')}`;
  if (seconds < 3600) {
    const s = seconds % 60;
    return `${Math.floor(seconds / 60)}${u('m')}${s ? `${s}${u('s')}` : ''}`;
  }
  if (seconds < 86_400) {
    const m = Math.round((seconds % 3600) / 60);
    return `${Math.floor(seconds / 3600)}${u('h')}${m ? `${m}${u('m')}` : ''}`;
  }
  return `${(seconds / 86_400).toFixed(1)}${u('d')}`;
}

export const formatPercent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
