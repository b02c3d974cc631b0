import type { TFunction } from 'i18next';

/** An agent's load against capacity, 「3/8」; capacity 0 reads 「3/不自动分配」 rather than a full 3/0. */
export const formatLoad = (load: number, capacity: number, t: TFunction): string =>
  `${load}/${capacity > 0 ? capacity : t('routing.noAutoAssign')}`;

/** The tooltip of the same figure. */
export const loadTitle = (load: number, capacity: number, t: TFunction): string =>
  capacity > 0 ? t('routing.loadTitle', { load, capacity }) : t('routing.loadTitleNoAuto', { load });
