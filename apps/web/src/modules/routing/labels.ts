import type { TFunction } from 'i18next';

/** An agent's load against capacity, 「3/8」; capacity 0 reads 「3/不自动分配」 rather than a full 3/0. */
export const formatLoad = (load: number, capacity: number, t: TFunction): string =>
  `${load}/${capacity > 0 ? capacity : t('routing.noAutoAssign')}`;

/** More work than the capacity (a manual transfer or a reply from 待分配 can go past it): routing sends no more. */
export const isOverCapacity = (load: number, capacity: number): boolean => capacity > 0 && load > capacity;

/** The tooltip of the same figure. */
export const loadTitle = (load: number, capacity: number, t: TFunction): string => {
  if (capacity <= 0) return t('routing.loadTitleNoAuto', { load });
  return t(isOverCapacity(load, capacity) ? 'routing.loadTitleOver' : 'routing.loadTitle', { load, capacity });
};
