import type {
  CreateSegmentBody,
  Customer,
  CustomerCount,
  CustomFieldDefinition,
  Segment,
  SegmentCount,
  SegmentFilter,
  TagGroupWithTags,
  UpdateSegmentBody,
} from '@huike/contracts';
import { api, fetchAllPages } from '../../../api/client.ts';

/** A list answer that may come as `{ items }` or as a bare array. */
const itemsOf = <T>(answer: { items: T[] } | T[]): T[] => (Array.isArray(answer) ? answer : answer.items);

export const segmentsApi = {
  list: (signal?: AbortSignal) => fetchAllPages<Segment>('/api/v1/segments', {}, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Segment>(`/api/v1/segments/${id}`, undefined, signal),
  create: (body: CreateSegmentBody) => api.post<Segment>('/api/v1/segments', body),
  update: (id: string, body: UpdateSegmentBody) => api.patch<Segment>(`/api/v1/segments/${id}`, body),
  remove: (id: string) => api.delete<void>(`/api/v1/segments/${id}`),
  /** Counts the segment now; the server remembers the answer as its stored count. */
  count: (id: string, signal?: AbortSignal) => api.get<SegmentCount>(`/api/v1/segments/${id}/count`, undefined, signal),
  countFilter: (filter: SegmentFilter) => api.post<CustomerCount>('/api/v1/segments/count', { filter }),
  preview: (filter: SegmentFilter, limit: number) =>
    api.post<{ items: Customer[] }>('/api/v1/segments/preview', { filter, limit }),
  tagGroups: async (signal?: AbortSignal) =>
    itemsOf(await api.get<{ items: TagGroupWithTags[] } | TagGroupWithTags[]>('/api/v1/tag-groups', undefined, signal)),
};

export const customFieldsApi = {
  list: async (signal?: AbortSignal) =>
    itemsOf(
      await api.get<{ items: CustomFieldDefinition[] } | CustomFieldDefinition[]>(
        '/api/v1/customer-fields',
        undefined,
        signal,
      ),
    ),
};
