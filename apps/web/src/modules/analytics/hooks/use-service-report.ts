import type { ServiceReportQuery } from '@huike/contracts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { reportsApi } from '../api/reports-api.ts';

/** Today is read from raw events: while the range includes today, refresh every few seconds so new ratings show. */
export function useServiceReport(query: ServiceReportQuery, includesToday: boolean) {
  return useQuery({
    queryKey: ['reports', 'service', query],
    queryFn: ({ signal }) => reportsApi.service(query, signal),
    placeholderData: keepPreviousData,
    refetchInterval: includesToday ? 5_000 : false,
  });
}
