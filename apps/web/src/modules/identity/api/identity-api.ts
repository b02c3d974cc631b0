import type { ApiToken, Role, Session, Team, User } from '@huike/contracts';
import { ApiError, api, fetchAllPages } from '../../../api/client.ts';

export type LoginInput = { email: string; password: string };
export type CreateUserInput = { email: string; name: string; role: Role; password: string; teamIds: string[] };
export type UpdateUserInput = { name?: string; role?: Role; disabled?: boolean; teamIds?: string[] };
export type CreateTeamInput = { name: string; memberIds: string[] };
export type UpdateTeamInput = { name?: string; memberIds?: string[] };
export type ApiTokenCreated = { id: string; name: string; token: string };

export const identityApi = {
  login: (input: LoginInput) => api.post<Session>('/api/v1/auth/login', input),
  logout: () => api.post<void>('/api/v1/auth/logout'),
  /** The signed-in session, or null when signed out. */
  getSession: async (signal?: AbortSignal): Promise<Session | null> => {
    try {
      return await api.get<Session>('/api/v1/auth/session', undefined, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  listUsers: (signal?: AbortSignal) => fetchAllPages<User>('/api/v1/users', {}, signal),
  createUser: (input: CreateUserInput) => api.post<User>('/api/v1/users', input),
  updateUser: (id: string, input: UpdateUserInput) => api.patch<User>(`/api/v1/users/${id}`, input),
  changePassword: (input: { currentPassword: string; newPassword: string }) =>
    api.post<void>('/api/v1/auth/password', input),
  resetPassword: (id: string, newPassword: string) => api.post<void>(`/api/v1/users/${id}/password`, { newPassword }),
  listTeams: (signal?: AbortSignal) => fetchAllPages<Team>('/api/v1/teams', {}, signal),
  createTeam: (input: CreateTeamInput) => api.post<Team>('/api/v1/teams', input),
  updateTeam: (id: string, input: UpdateTeamInput) => api.patch<Team>(`/api/v1/teams/${id}`, input),
  deleteTeam: (id: string) => api.delete<void>(`/api/v1/teams/${id}`),
  createApiToken: (name: string) => api.post<ApiTokenCreated>('/api/v1/api-tokens', { name }),
  listApiTokens: (signal?: AbortSignal) => fetchAllPages<ApiToken>('/api/v1/api-tokens', {}, signal),
  revokeApiToken: (id: string) => api.delete<void>(`/api/v1/api-tokens/${id}`),
};
