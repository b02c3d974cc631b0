import type { Role, Session, User } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { setCsrfRefresher, setCsrfToken } from '../../../api/client.ts';
import { queryClient } from '../../../api/query-client.ts';
import { queryKeys } from '../../../api/query-keys.ts';
import { setWorkspaceTimezone } from '../../../ui/time.ts';
import { identityApi, type LoginInput } from '../api/identity-api.ts';
import { type Permission, roleCan } from '../permissions.ts';

// The last signed-in session, so screens being torn down during sign-out never see "no session".
let lastSession: Session | null = null;

/** Makes a session current: CSRF token for unsafe requests, workspace timezone for times. */
export function applySession(session: Session | null): void {
  setCsrfToken(session?.csrfToken ?? null);
  if (session) {
    lastSession = session;
    setWorkspaceTimezone(session.workspace.timezone);
  }
}

async function loadSession(signal?: AbortSignal): Promise<Session | null> {
  const session = await identityApi.getSession(signal);
  applySession(session);
  return session;
}

setCsrfRefresher(async () => {
  const session = await loadSession();
  queryClient.setQueryData(queryKeys.session, session);
  return session?.csrfToken ?? null;
});

export function useSession() {
  return useQuery({
    queryKey: queryKeys.session,
    queryFn: ({ signal }) => loadSession(signal),
    staleTime: 5 * 60_000,
    refetchOnWindowFocus: true,
  });
}

/** The signed-in session; only used below the RequireSession guard, where it is always present. */
export function useCurrentSession(): Session {
  const { data } = useSession();
  const session = data ?? lastSession;
  if (!session) throw new Error('useCurrentSession used outside a signed-in route');
  return session;
}

export function useCurrentUser(): User {
  return useCurrentSession().user;
}

export function useCan(): (permission: Permission) => boolean {
  const role: Role = useCurrentUser().role;
  return useCallback((permission: Permission) => roleCan(role, permission), [role]);
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: LoginInput) => identityApi.login(input),
    onSuccess: (session) => {
      applySession(session);
      // Nothing cached for a previous user may leak into this one's screens.
      client.removeQueries({ predicate: (query) => !['session', 'setup'].includes(String(query.queryKey[0])) });
      client.setQueryData(queryKeys.session, session);
    },
  });
}

/** Changes the signed-in user's own password; this session stays signed in. */
export function useChangePassword() {
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) => identityApi.changePassword(input),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => identityApi.logout(),
    onSettled: () => {
      applySession(null);
      // Signed out first (the guard sends the shell away), then forget everything the user could see.
      client.setQueryData(queryKeys.session, null);
      client.removeQueries({ predicate: (query) => !['session', 'setup'].includes(String(query.queryKey[0])) });
    },
  });
}
