import type {
  AutomationDryRunBody,
  AutomationDryRunResult,
  AutomationPreset,
  AutomationRule,
  AutomationRun,
  AutomationRunStatus,
  CreateAutomationRuleBody,
  UpdateAutomationRuleBody,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type RunFilters = { ruleId?: string; status?: AutomationRunStatus; limit: number; cursor?: string };

export const automationApi = {
  rules: (signal?: AbortSignal) => api.get<Page<AutomationRule>>('/api/v1/automation/rules', undefined, signal),
  create: (body: CreateAutomationRuleBody) => api.post<AutomationRule>('/api/v1/automation/rules', body),
  update: (id: string, body: UpdateAutomationRuleBody) =>
    api.patch<AutomationRule>(`/api/v1/automation/rules/${id}`, body),
  remove: (id: string) => api.delete<void>(`/api/v1/automation/rules/${id}`),
  dryRun: (body: AutomationDryRunBody) => api.post<AutomationDryRunResult>('/api/v1/automation/rules/dry-run', body),
  runs: (filters: RunFilters, signal?: AbortSignal) =>
    api.get<Page<AutomationRun>>('/api/v1/automation/runs', filters, signal),
  presets: (signal?: AbortSignal) =>
    api.get<{ items: AutomationPreset[] }>('/api/v1/automation/presets', undefined, signal),
};
