import type {
  AgentStatus,
  CreateRoutingRuleBody,
  LiveQueue,
  RoutingLogEntry,
  RoutingRule,
  UpdateAgentProfileBody,
} from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type { AgentStatus, LiveQueue, RoutingLogEntry, RoutingRule };
export type ChosenPresence = 'online' | 'busy' | 'away';

export const routingApi = {
  me: (signal?: AbortSignal) => api.get<AgentStatus>('/api/v1/routing/me', undefined, signal),
  setPresence: (presence: ChosenPresence) => api.post<AgentStatus>('/api/v1/routing/me/presence', { presence }),
  agents: async (signal?: AbortSignal) =>
    (await api.get<{ items: AgentStatus[] }>('/api/v1/routing/agents', undefined, signal)).items,
  updateAgent: (userId: string, input: UpdateAgentProfileBody) =>
    api.patch<AgentStatus>(`/api/v1/routing/agents/${userId}`, input),
  rules: async (signal?: AbortSignal) =>
    (await api.get<{ items: RoutingRule[] }>('/api/v1/routing/rules', undefined, signal)).items,
  createRule: (input: CreateRoutingRuleBody) => api.post<RoutingRule>('/api/v1/routing/rules', input),
  updateRule: (id: string, input: Partial<CreateRoutingRuleBody>) =>
    api.patch<RoutingRule>(`/api/v1/routing/rules/${id}`, input),
  deleteRule: (id: string) => api.delete<void>(`/api/v1/routing/rules/${id}`),
  reorderRules: async (ids: string[]) =>
    (await api.post<{ items: RoutingRule[] }>('/api/v1/routing/rules/reorder', { ids })).items,
  inboxMembers: async (inboxId: string, signal?: AbortSignal) =>
    (await api.get<{ userIds: string[] }>(`/api/v1/routing/inboxes/${inboxId}/members`, undefined, signal)).userIds,
  setInboxMembers: (inboxId: string, userIds: string[]) =>
    api.put<{ userIds: string[] }>(`/api/v1/routing/inboxes/${inboxId}/members`, { userIds }),
  log: async (signal?: AbortSignal) =>
    (await api.get<{ items: RoutingLogEntry[] }>('/api/v1/routing/log', { limit: 50 }, signal)).items,
  live: (signal?: AbortSignal) => api.get<LiveQueue>('/api/v1/routing/live', undefined, signal),
};
