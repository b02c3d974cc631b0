import type {
  CreateTemplateBody,
  RenderedTemplate,
  Template,
  TemplateCategory,
  TemplateListItem,
  TemplateScope,
  TemplateUsageReport,
  UpdateTemplateBody,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type { Template, TemplateListItem, TemplateScope };

export type TemplateFilters = { q?: string; category?: string; scope?: TemplateScope; conversationId?: string };

export const templatesApi = {
  /** Every template the agent may use (the list is small: the picker matches locally). */
  list: async (filters: TemplateFilters, signal?: AbortSignal) => {
    const items: TemplateListItem[] = [];
    let cursor: string | null | undefined;
    for (let guard = 0; guard < 20; guard += 1) {
      const page = await api.get<Page<TemplateListItem>>(
        '/api/v1/templates',
        { ...filters, limit: 500, cursor: cursor ?? undefined },
        signal,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return items;
  },
  categories: async (signal?: AbortSignal) =>
    (await api.get<{ items: TemplateCategory[] }>('/api/v1/templates/categories', undefined, signal)).items,
  create: (input: CreateTemplateBody) => api.post<Template>('/api/v1/templates', input),
  update: (id: string, input: UpdateTemplateBody) => api.patch<Template>(`/api/v1/templates/${id}`, input),
  remove: (id: string) => api.delete<void>(`/api/v1/templates/${id}`),
  render: (id: string, conversationId: string) =>
    api.post<RenderedTemplate>(`/api/v1/templates/${id}/render`, { conversationId }),
  usage: (range: { from?: string; to?: string }, signal?: AbortSignal) =>
    api.get<TemplateUsageReport>('/api/v1/templates/usage', range, signal),
};
