import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCan } from '../../identity/hooks/use-session.ts';
import { alertsApi } from '../api/alerts-api.ts';

/** The realtime hook invalidates this key when an `alert.created` frame arrives. */
export const alertKeys = { all: ['alerts'] as const, recent: ['alerts', 'recent'] as const };

export function useRecentAlerts() {
  const can = useCan();
  return useQuery({
    queryKey: alertKeys.recent,
    queryFn: ({ signal }) => alertsApi.recent(signal),
    enabled: can('alerts:read'),
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
