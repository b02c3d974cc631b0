import type {
  AppliedTags,
  CreateTagBody,
  CreateTagGroupBody,
  Tag,
  TagDeleteConflict,
  TagGroup,
  TagGroupWithTags,
  UpdateTagBody,
  UpdateTagGroupBody,
} from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type { Tag, TagDeleteConflict, TagGroup, TagGroupWithTags };
export type TagChange = { add: string[]; remove: string[] };

/** Lists answer either a bare array or a `{ items }` page; the UI only needs the rows. */
export function rowsOf<T>(value: T[] | { items: T[] } | null | undefined): T[] {
  if (!value) return [];
  return Array.isArray(value) ? value : value.items;
}

type List<T> = T[] | { items: T[] };

export const tagsApi = {
  /** Every group with its tags. */
  groups: async (signal?: AbortSignal) =>
    rowsOf(await api.get<List<TagGroupWithTags>>('/api/v1/tag-groups', undefined, signal)),
  createGroup: (input: CreateTagGroupBody) => api.post<TagGroup>('/api/v1/tag-groups', input),
  updateGroup: (id: string, input: UpdateTagGroupBody) => api.patch<TagGroup>(`/api/v1/tag-groups/${id}`, input),
  deleteGroup: (id: string, force: boolean) =>
    api.delete<void>(`/api/v1/tag-groups/${id}${force ? '?force=true' : ''}`),
  createTag: (input: CreateTagBody) => api.post<Tag>('/api/v1/tags', input),
  updateTag: (id: string, input: UpdateTagBody) => api.patch<Tag>(`/api/v1/tags/${id}`, input),
  deleteTag: (id: string, force: boolean) => api.delete<void>(`/api/v1/tags/${id}${force ? '?force=true' : ''}`),
  customerTags: async (customerId: string, signal?: AbortSignal) =>
    rowsOf(await api.get<AppliedTags>(`/api/v1/customers/${customerId}/tags`, undefined, signal)),
  changeCustomerTags: (customerId: string, change: TagChange) =>
    api.put<AppliedTags>(`/api/v1/customers/${customerId}/tags`, change),
  conversationTags: async (conversationId: string, signal?: AbortSignal) =>
    rowsOf(await api.get<AppliedTags>(`/api/v1/conversations/${conversationId}/tags`, undefined, signal)),
  changeConversationTags: (conversationId: string, change: TagChange) =>
    api.put<AppliedTags>(`/api/v1/conversations/${conversationId}/tags`, change),
};
