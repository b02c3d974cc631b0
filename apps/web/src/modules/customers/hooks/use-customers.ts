import type {
  CreateCustomFieldBody,
  Customer,
  MergeBody,
  RevealableField,
  UpdateCustomFieldBody,
} from '@huike/contracts';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';
import { type CustomerListParams, customersApi, type UpdateCustomerInput } from '../api/customers-api.ts';

export const customerKeys = {
  list: (params: CustomerListParams) => ['customers', 'list', params] as const,
  identities: (id: string) => ['customers', 'identities', id] as const,
  timeline: (id: string) => ['customers', 'timeline', id] as const,
  duplicates: (id: string) => ['customers', 'duplicates', id] as const,
  stale: (params: { limit: number; cursor?: string }) => ['customers', 'stale', params] as const,
  fields: (includeArchived: boolean) => ['customer-fields', includeArchived] as const,
};

export function useCustomerList(params: CustomerListParams) {
  return useQuery({
    queryKey: customerKeys.list(params),
    queryFn: ({ signal }) => customersApi.list(params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.customer(id ?? ''),
    queryFn: ({ signal }) => customersApi.get(id ?? '', signal),
    enabled: Boolean(id),
  });
}

export function useUpdateCustomer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateCustomerInput }) => customersApi.update(id, input),
    onSuccess: (customer) => {
      client.setQueryData(queryKeys.customer(customer.id), customer);
      client.setQueriesData<Page<Customer>>({ queryKey: ['customers', 'list'] }, (page) =>
        page ? { ...page, items: page.items.map((each) => (each.id === customer.id ? customer : each)) } : page,
      );
      void client.invalidateQueries({ queryKey: customerKeys.timeline(customer.id) });
      void client.invalidateQueries({ queryKey: ['customers', 'stale'] });
      // Conversation rows and the chat header show the customer's name.
      void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
      void client.invalidateQueries({ queryKey: ['conversations', 'detail'] });
    },
  });
}

export function useCustomerIdentities(id: string) {
  return useQuery({
    queryKey: customerKeys.identities(id),
    queryFn: ({ signal }) => customersApi.identities(id, signal),
  });
}

export function useCustomerTimeline(id: string) {
  return useInfiniteQuery({
    queryKey: customerKeys.timeline(id),
    queryFn: ({ pageParam, signal }) => customersApi.timeline(id, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useCustomerDuplicates(id: string) {
  return useQuery({
    queryKey: customerKeys.duplicates(id),
    queryFn: ({ signal }) => customersApi.duplicates(id, signal),
  });
}

export function useMergePreview() {
  return useMutation({
    mutationFn: ({ id, otherId }: { id: string; otherId: string }) => customersApi.mergePreview(id, otherId),
  });
}

/** After a merge or its undo almost everything about both customers changed: refetch all customer data. */
export function useRefreshCustomers() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ['customers'] });
    void client.invalidateQueries({ queryKey: ['tags'] });
    void client.invalidateQueries({ queryKey: ['orders'] });
    void client.invalidateQueries({ queryKey: queryKeys.conversations });
  };
}

export function useMergeCustomers() {
  const refresh = useRefreshCustomers();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: MergeBody }) => customersApi.merge(id, body),
    onSuccess: refresh,
  });
}

export function useRevealPii() {
  return useMutation({
    mutationFn: ({ id, fields }: { id: string; fields: RevealableField[] }) => customersApi.reveal(id, fields),
  });
}

export function useStaleProfiles(params: { limit: number; cursor?: string }) {
  return useQuery({
    queryKey: customerKeys.stale(params),
    queryFn: ({ signal }) => customersApi.staleProfiles(params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useCustomFields(includeArchived = false) {
  return useQuery({
    queryKey: customerKeys.fields(includeArchived),
    queryFn: ({ signal }) => customersApi.fields(includeArchived, signal),
    staleTime: 60_000,
  });
}

function useInvalidateFields() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: ['customer-fields'] });
}

export function useSaveCustomField() {
  const invalidate = useInvalidateFields();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: CreateCustomFieldBody }) => {
      if (!id) return customersApi.createField(input);
      const { key: _key, type: _type, ...update } = input;
      return customersApi.updateField(id, update);
    },
    onSuccess: invalidate,
  });
}

export function useUpdateCustomField() {
  const invalidate = useInvalidateFields();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateCustomFieldBody }) => customersApi.updateField(id, input),
    onSettled: invalidate,
  });
}

export function useDeleteCustomField() {
  const invalidate = useInvalidateFields();
  return useMutation({ mutationFn: (id: string) => customersApi.deleteField(id), onSuccess: invalidate });
}
