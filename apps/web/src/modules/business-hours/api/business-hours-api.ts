import type { Holiday, HolidayList } from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type { Holiday, HolidayList };
export type HolidayInput = { kind: Holiday['kind']; name: string };

export const businessHoursApi = {
  listHolidays: (year: number | undefined, signal?: AbortSignal) =>
    api.get<HolidayList>('/api/v1/holidays', { year }, signal),
  putHoliday: (date: string, input: HolidayInput) => api.put<Holiday>(`/api/v1/holidays/${date}`, input),
  deleteHoliday: (date: string) => api.delete<void>(`/api/v1/holidays/${date}`),
  importPreset: (year: number) => api.post<HolidayList>('/api/v1/holidays/import-preset', { year }),
};
