import type { Session, UpdateWorkspaceInput } from '@huike/contracts';
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

/** Saves the workspace's name and time zone; the session carries them, so the header and times follow at once. */
export function useUpdateWorkspace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateWorkspaceInput) => setupApi.updateWorkspace(input),
    onSuccess: (workspace) => {
      const session = client.getQueryData<Session | null>(queryKeys.session);
      if (!session) return;
      const updated = { ...session, workspace };
      applySession(updated);
      client.setQueryData(queryKeys.session, updated);
      // Lists already on screen show times in the new zone when they render again.
      void client.invalidateQueries();
    },
  });
}
