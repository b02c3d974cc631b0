import type { UpdateAutomationRuleBody } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { automationApi, type RunFilters } from '../api/automation-api.ts';

export const automationKeys = {
  all: ['automation'] as const,
  rules: ['automation', 'rules'] as const,
  runs: (filters: RunFilters) => ['automation', 'runs', filters] as const,
  presets: ['automation', 'presets'] as const,
};

export function useAutomationRules() {
  return useQuery({
    queryKey: automationKeys.rules,
    queryFn: async ({ signal }) => (await automationApi.rules(signal)).items,
    refetchInterval: 30_000,
  });
}

export function useAutomationRuns(filters: RunFilters) {
  return useQuery({
    queryKey: automationKeys.runs(filters),
    queryFn: ({ signal }) => automationApi.runs(filters, signal),
    placeholderData: keepPreviousData,
    // Runs happen in the background (events, timers): the log follows them while it is open.
    refetchInterval: 15_000,
  });
}

export function useAutomationPresets() {
  return useQuery({
    queryKey: automationKeys.presets,
    queryFn: async ({ signal }) => (await automationApi.presets(signal)).items,
    staleTime: 60_000,
  });
}

export function useSaveRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: UpdateAutomationRuleBody }) =>
      id ? automationApi.update(id, body) : automationApi.create(body as Parameters<typeof automationApi.create>[0]),
    onSuccess: () => client.invalidateQueries({ queryKey: automationKeys.all }),
  });
}

export function useDeleteRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: automationApi.remove,
    onSuccess: () => client.invalidateQueries({ queryKey: automationKeys.all }),
  });
}

export function useDryRun() {
  return useMutation({ mutationFn: automationApi.dryRun });
}
