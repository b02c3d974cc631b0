import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../api/query-keys.ts';
import { applySession } from '../../identity/hooks/use-session.ts';
import { type SetupInput, setupApi } from '../api/setup-api.ts';

export function useSetupStatus() {
  return useQuery({
    queryKey: queryKeys.setup,
    queryFn: ({ signal }) => setupApi.getStatus(signal),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
}

export function useSetupWorkspace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: SetupInput) => setupApi.setup(input),
    onSuccess: (session) => {
      applySession(session);
      client.setQueryData(queryKeys.setup, { needsSetup: false });
      client.setQueryData(queryKeys.session, session);
    },
  });
}
