import type { CreateRoutingRuleBody, UpdateAgentProfileBody } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCan } from '../../identity/hooks/use-session.ts';
import { type ChosenPresence, routingApi } from '../api/routing-api.ts';

export const routingKeys = {
  all: ['routing'] as const,
  me: ['routing', 'me'] as const,
  agents: ['routing', 'agents'] as const,
  rules: ['routing', 'rules'] as const,
  log: ['routing', 'log'] as const,
  live: ['routing', 'live'] as const,
  inboxMembers: (inboxId: string) => ['routing', 'inbox-members', inboxId] as const,
};

/** The signed-in agent's presence and load (refreshed now and then: load changes as work is assigned). */
export function useMyRoutingStatus() {
  const can = useCan();
  return useQuery({
    queryKey: routingKeys.me,
    queryFn: ({ signal }) => routingApi.me(signal),
    enabled: can('conversations:reply'),
    refetchInterval: 15_000,
  });
}

export function useSetPresence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (presence: ChosenPresence) => routingApi.setPresence(presence),
    onSuccess: (status) => {
      client.setQueryData(routingKeys.me, status);
      void client.invalidateQueries({ queryKey: routingKeys.live });
    },
  });
}

export function useRoutingAgents(enabled = true) {
  return useQuery({ queryKey: routingKeys.agents, queryFn: ({ signal }) => routingApi.agents(signal), enabled });
}

export function useUpdateAgentProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, input }: { userId: string; input: UpdateAgentProfileBody }) =>
      routingApi.updateAgent(userId, input),
    onSuccess: () => void client.invalidateQueries({ queryKey: routingKeys.all }),
  });
}

export function useRoutingRules() {
  return useQuery({ queryKey: routingKeys.rules, queryFn: ({ signal }) => routingApi.rules(signal) });
}

export function useSaveRoutingRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: CreateRoutingRuleBody }) =>
      id ? routingApi.updateRule(id, input) : routingApi.createRule(input),
    onSuccess: () => void client.invalidateQueries({ queryKey: routingKeys.rules }),
  });
}

export function useToggleRoutingRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => routingApi.updateRule(id, { enabled }),
    onSuccess: () => void client.invalidateQueries({ queryKey: routingKeys.rules }),
  });
}

export function useDeleteRoutingRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => routingApi.deleteRule(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: routingKeys.rules }),
  });
}

export function useReorderRoutingRules() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) => routingApi.reorderRules(ids),
    onSuccess: (rules) => client.setQueryData(routingKeys.rules, rules),
  });
}

export function useInboxMembers(inboxId: string) {
  return useQuery({
    queryKey: routingKeys.inboxMembers(inboxId),
    queryFn: ({ signal }) => routingApi.inboxMembers(inboxId, signal),
  });
}

export function useSetInboxMembers() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ inboxId, userIds }: { inboxId: string; userIds: string[] }) =>
      routingApi.setInboxMembers(inboxId, userIds),
    onSuccess: (_result, { inboxId }) => void client.invalidateQueries({ queryKey: routingKeys.inboxMembers(inboxId) }),
  });
}

export function useRoutingLog() {
  return useQuery({
    queryKey: routingKeys.log,
    queryFn: ({ signal }) => routingApi.log(signal),
    refetchInterval: 30_000,
  });
}

/** The live queue: refetched every 5 s, and at once when presence or assignments change (see use-realtime). */
export function useLiveQueue() {
  return useQuery({
    queryKey: routingKeys.live,
    queryFn: ({ signal }) => routingApi.live(signal),
    refetchInterval: 5_000,
  });
}
