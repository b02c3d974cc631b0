import type {
  AnonymizeCustomerResult,
  CreateCustomFieldBody,
  Customer,
  CustomerIdentity,
  CustomerListCount,
  CustomerSortKey,
  CustomFieldDefinition,
  DuplicateCandidate,
  MergeBody,
  MergePreview,
  MergeResult,
  RevealableField,
  RevealResult,
  SortOrder,
  StaleProfile,
  TimelineEntry,
  UndoMergeResult,
  UpdateCustomerBody,
  UpdateCustomFieldBody,
} from '@huike/contracts';
import { api, type Page, type Versioned } from '../../../api/client.ts';
import { rowsOf } from '../../tags/api/tags-api.ts';

/** Which customers the list shows (and counts). */
export type CustomerScopeParams = {
  q?: string;
  tagId?: string;
  segmentId?: string;
  lifecycleStage?: string;
  rfmTier?: string;
};
export type CustomerListParams = CustomerScopeParams & {
  /** Not with `q` (search results are ranked by match). */
  sort?: CustomerSortKey;
  order?: SortOrder;
  limit: number;
  cursor?: string;
};
export type UpdateCustomerInput = UpdateCustomerBody;

type List<T> = T[] | { items: T[] };

/**
 * Each customer's ETag as last read or saved here: a save sends it as If-Match, so saving over someone else's newer
 * edit answers 412 customer.modified instead of silently replacing it.
 */
const versions = new Map<string, string>();
const remember = <T>(id: string, { data, etag }: Versioned<T>) => {
  if (etag) versions.set(id, etag);
  else versions.delete(id);
  return data;
};

export const customersApi = {
  list: (params: CustomerListParams, signal?: AbortSignal) =>
    api.get<Page<Customer>>('/api/v1/customers', params, signal),
  count: (params: CustomerScopeParams, signal?: AbortSignal) =>
    api.get<CustomerListCount>('/api/v1/customers/count', params, signal),
  get: async (id: string, signal?: AbortSignal) =>
    remember(id, await api.getVersioned<Customer>(`/api/v1/customers/${id}`, signal)),
  update: async (id: string, input: UpdateCustomerInput) =>
    remember(id, await api.patchVersioned<Customer>(`/api/v1/customers/${id}`, input, versions.get(id))),
  identities: async (id: string, signal?: AbortSignal) =>
    rowsOf(await api.get<List<CustomerIdentity>>(`/api/v1/customers/${id}/identities`, undefined, signal)),
  timeline: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    api.get<Page<TimelineEntry>>(`/api/v1/customers/${id}/timeline`, { cursor, limit: 30 }, signal),
  duplicates: async (id: string, signal?: AbortSignal) =>
    rowsOf(await api.get<List<DuplicateCandidate>>(`/api/v1/customers/${id}/duplicates`, undefined, signal)),
  mergePreview: (id: string, otherId: string) =>
    api.post<MergePreview>(`/api/v1/customers/${id}/merge/preview`, { otherId }),
  merge: (id: string, body: MergeBody) => api.post<MergeResult>(`/api/v1/customers/${id}/merge`, body),
  undoMerge: (mergeId: string) => api.post<UndoMergeResult>(`/api/v1/customer-merges/${mergeId}/undo`),
  anonymize: (id: string, reason: string) =>
    api.post<AnonymizeCustomerResult>(`/api/v1/customers/${id}/anonymize`, { reason }),
  reveal: (id: string, fields: RevealableField[]) =>
    api.post<RevealResult>(`/api/v1/customers/${id}/reveal`, { fields }),
  staleProfiles: (params: { limit: number; cursor?: string }, signal?: AbortSignal) =>
    api.get<Page<StaleProfile>>('/api/v1/customers/stale-profiles', params, signal),
  fields: async (includeArchived: boolean, signal?: AbortSignal) =>
    rowsOf(
      await api.get<List<CustomFieldDefinition>>(
        '/api/v1/customer-fields',
        includeArchived ? { includeArchived: 'true' } : undefined,
        signal,
      ),
    ),
  createField: (input: CreateCustomFieldBody) => api.post<CustomFieldDefinition>('/api/v1/customer-fields', input),
  updateField: (id: string, input: UpdateCustomFieldBody) =>
    api.patch<CustomFieldDefinition>(`/api/v1/customer-fields/${id}`, input),
  deleteField: (id: string) => api.delete<void>(`/api/v1/customer-fields/${id}`),
};
