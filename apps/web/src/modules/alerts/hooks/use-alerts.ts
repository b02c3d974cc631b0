import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { alertsApi } from '../api/alerts-api.ts';

/** The realtime hook invalidates this key when an `alert.created` frame arrives. */
export const alertKeys = { all: ['alerts'] as const, recent: ['alerts', 'recent'] as const };

/** Everyone's bell: their own notifications, plus spike alerts for those who may read them (the server decides). */
export function useRecentAlerts() {
  return useQuery({
    queryKey: alertKeys.recent,
    queryFn: ({ signal }) => alertsApi.recent(signal),
    // The socket pushes new alerts; this only covers a missed push.
    refetchInterval: 5 * 60_000,
  });
}

export function useAcknowledgeAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => alertsApi.acknowledge(id),
    onSuccess: () => client.invalidateQueries({ queryKey: alertKeys.all }),
  });
}
