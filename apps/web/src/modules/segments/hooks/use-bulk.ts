import type { ExportTarget } from '@huike/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { bulkApi } from '../api/bulk-api.ts';

/** The exact number of customers a target matches right now (shown before any bulk action runs). */
export function useTargetCount(target: ExportTarget, enabled: boolean) {
  return useQuery({
    queryKey: ['customers', 'bulk-count', target],
    queryFn: () => bulkApi.count(target),
    enabled,
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
}

export function useRunBulk() {
  return useMutation({ mutationFn: bulkApi.run });
}
