import type { Team, User } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { queryKeys } from '../../../api/query-keys.ts';
import {
  type CreateTeamInput,
  type CreateUserInput,
  identityApi,
  type UpdateTeamInput,
  type UpdateUserInput,
} from '../api/identity-api.ts';

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => identityApi.listUsers(signal) });
}

export function useTeams() {
  return useQuery({ queryKey: queryKeys.teams, queryFn: ({ signal }) => identityApi.listTeams(signal) });
}

/** id → user, for showing assignee names. */
export function useUserMap(): Map<string, User> {
  const { data } = useUsers();
  return useMemo(() => new Map((data ?? []).map((user) => [user.id, user])), [data]);
}

export function useTeamMap(): Map<string, Team> {
  const { data } = useTeams();
  return useMemo(() => new Map((data ?? []).map((team) => [team.id, team])), [data]);
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUserInput) => identityApi.createUser(input),
    onSuccess: (user) => {
      client.setQueryData<User[]>(queryKeys.users, (users) => (users ? [...users, user] : [user]));
      void client.invalidateQueries({ queryKey: queryKeys.teams });
    },
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateUserInput }) => identityApi.updateUser(id, input),
    onSuccess: (user) => {
      client.setQueryData<User[]>(queryKeys.users, (users) =>
        users?.map((each) => (each.id === user.id ? user : each)),
      );
      void client.invalidateQueries({ queryKey: queryKeys.teams });
    },
  });
}

/** Sets a member's new password; the server signs them out everywhere. */
export function useResetPassword() {
  return useMutation({
    mutationFn: ({ id, newPassword }: { id: string; newPassword: string }) =>
      identityApi.resetPassword(id, newPassword),
  });
}

export function useCreateTeam() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTeamInput) => identityApi.createTeam(input),
    onSuccess: (team) => {
      client.setQueryData<Team[]>(queryKeys.teams, (teams) => (teams ? [...teams, team] : [team]));
      void client.invalidateQueries({ queryKey: queryKeys.users });
    },
  });
}

export function useUpdateTeam() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateTeamInput }) => identityApi.updateTeam(id, input),
    onSuccess: (team) => {
      client.setQueryData<Team[]>(queryKeys.teams, (teams) =>
        teams?.map((each) => (each.id === team.id ? team : each)),
      );
      // Members' team lists changed with it.
      void client.invalidateQueries({ queryKey: queryKeys.users });
    },
  });
}

/** Conversations and tickets of the team lose it on the server: lists showing teams refetch when next viewed. */
export function useDeleteTeam() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => identityApi.deleteTeam(id),
    onSuccess: (_, id) => {
      client.setQueryData<Team[]>(queryKeys.teams, (teams) => teams?.filter((team) => team.id !== id));
      void client.invalidateQueries({ queryKey: queryKeys.users });
      void client.invalidateQueries({ queryKey: queryKeys.teams });
      void client.invalidateQueries({ queryKey: queryKeys.conversations });
      void client.invalidateQueries({ queryKey: ['tickets'] });
    },
  });
}

const apiTokensKey = ['api-tokens'] as const;

export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => identityApi.createApiToken(name),
    onSuccess: () => void client.invalidateQueries({ queryKey: apiTokensKey }),
  });
}

/** The signed-in user's own tokens (prefix only, never the secret). */
export function useApiTokens() {
  return useQuery({ queryKey: apiTokensKey, queryFn: ({ signal }) => identityApi.listApiTokens(signal) });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => identityApi.revokeApiToken(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: apiTokensKey }),
  });
}
