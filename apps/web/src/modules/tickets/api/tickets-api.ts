import type {
  BulkTicketChanges,
  CreateTicketInput,
  SlaPolicy,
  SlaPolicyInput,
  TicketCategory,
  TicketCommentInput,
  TicketFilters,
  TicketRow,
  TicketTimelineEntry,
  TicketView,
  UpdateTicketInput,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export { type TicketSort, ticketSorts } from '@huike/contracts';
export type {
  BulkTicketChanges,
  CreateTicketInput,
  SlaPolicy,
  SlaPolicyInput,
  TicketCategory,
  TicketFilters,
  TicketRow,
  TicketTimelineEntry,
  TicketView,
  UpdateTicketInput,
};

export type TicketListParams = TicketFilters & { limit: number; cursor?: string };

type List<T> = T[] | { items: T[] };
const rowsOf = <T>(list: List<T>): T[] => (Array.isArray(list) ? list : list.items);

/** Drops empty filters so the URL and the request carry only what is set. */
export function cleanFilters(filters: TicketFilters): TicketFilters {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  }
  return out as TicketFilters;
}

export const ticketsApi = {
  list: (params: TicketListParams, signal?: AbortSignal) =>
    api.get<Page<TicketRow>>(
      '/api/v1/tickets',
      { ...cleanFilters(params), limit: params.limit, cursor: params.cursor },
      signal,
    ),
  get: (id: string, signal?: AbortSignal) => api.get<TicketRow>(`/api/v1/tickets/${id}`, undefined, signal),
  create: (input: CreateTicketInput) => api.post<TicketRow>('/api/v1/tickets', input),
  update: (id: string, input: UpdateTicketInput) => api.patch<TicketRow>(`/api/v1/tickets/${id}`, input),
  timeline: async (id: string, signal?: AbortSignal) =>
    rowsOf(await api.get<List<TicketTimelineEntry>>(`/api/v1/tickets/${id}/timeline`, { limit: 100 }, signal)),
  comment: (id: string, input: TicketCommentInput) =>
    api.post<TicketTimelineEntry>(`/api/v1/tickets/${id}/comments`, input),
  merge: (id: string, targetId: string) => api.post<TicketRow>(`/api/v1/tickets/${id}/merge`, { targetId }),
  bulkUpdate: (ids: string[], changes: BulkTicketChanges) =>
    api.post<{ matched: number; updated: number }>('/api/v1/tickets/bulk', { ids, changes }),
  forCustomer: (customerId: string, signal?: AbortSignal) =>
    api.get<Page<TicketRow>>('/api/v1/tickets', { customerId, limit: 20 }, signal),

  categories: async (signal?: AbortSignal) =>
    rowsOf(await api.get<List<TicketCategory>>('/api/v1/ticket-categories', undefined, signal)),
  createCategory: (input: { name: string; key?: string }) =>
    api.post<TicketCategory>('/api/v1/ticket-categories', input),
  updateCategory: (id: string, input: Partial<{ name: string; position: number; archived: boolean }>) =>
    api.patch<TicketCategory>(`/api/v1/ticket-categories/${id}`, input),
  deleteCategory: (id: string) => api.delete<void>(`/api/v1/ticket-categories/${id}`),

  views: async (signal?: AbortSignal) =>
    rowsOf(await api.get<List<TicketView>>('/api/v1/ticket-views', undefined, signal)),
  createView: (input: { name: string; filters: TicketFilters; isShared?: boolean }) =>
    api.post<TicketView>('/api/v1/ticket-views', input),
  deleteView: (id: string) => api.delete<void>(`/api/v1/ticket-views/${id}`),

  slaPolicies: async (signal?: AbortSignal) =>
    rowsOf(await api.get<List<SlaPolicy>>('/api/v1/sla-policies', undefined, signal)),
  createSlaPolicy: (input: SlaPolicyInput) => api.post<SlaPolicy>('/api/v1/sla-policies', input),
  updateSlaPolicy: (id: string, input: Partial<SlaPolicyInput>) =>
    api.patch<SlaPolicy>(`/api/v1/sla-policies/${id}`, input),
  deleteSlaPolicy: (id: string) => api.delete<void>(`/api/v1/sla-policies/${id}`),
};
