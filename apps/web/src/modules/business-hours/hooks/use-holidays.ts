import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { businessHoursApi, type HolidayInput } from '../api/business-hours-api.ts';

export const holidayKeys = {
  all: ['holidays'] as const,
  year: (year: number | 'all') => ['holidays', year] as const,
};

/** The workspace calendar of one year (or every year, for the business-hours preview). */
export function useHolidays(year: number | undefined, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: holidayKeys.year(year ?? 'all'),
    queryFn: ({ signal }) => businessHoursApi.listHolidays(year, signal),
    enabled: options.enabled ?? true,
  });
}

/** The day already on the calendar at `date` (YYYY-MM-DD), if any: from the cache, or asked for once. */
export function useFindHoliday() {
  const client = useQueryClient();
  return async (date: string) => {
    const year = Number(date.slice(0, 4));
    const list = await client.ensureQueryData({
      queryKey: holidayKeys.year(year),
      queryFn: ({ signal }) => businessHoursApi.listHolidays(year, signal),
    });
    return list.items.find((day) => day.date === date);
  };
}

export function useSaveHoliday() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ date, input }: { date: string; input: HolidayInput }) => businessHoursApi.putHoliday(date, input),
    onSuccess: () => client.invalidateQueries({ queryKey: holidayKeys.all }),
  });
}

export function useDeleteHoliday() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (date: string) => businessHoursApi.deleteHoliday(date),
    onSuccess: () => client.invalidateQueries({ queryKey: holidayKeys.all }),
  });
}

export function useImportHolidayPreset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (year: number) => businessHoursApi.importPreset(year),
    onSuccess: () => client.invalidateQueries({ queryKey: holidayKeys.all }),
  });
}
