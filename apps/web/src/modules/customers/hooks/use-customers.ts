import {
  type CreateCustomFieldBody,
  type Customer,
  type MergeBody,
  maskPhone,
  normalizePhone,
  type RevealableField,
  type RevealResult,
  type UpdateCustomFieldBody,
} from '@huike/contracts';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { isApiError, type Page } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';
import {
  type CustomerListParams,
  type CustomerScopeParams,
  customersApi,
  type UpdateCustomerInput,
} from '../api/customers-api.ts';

export const customerKeys = {
  list: (params: CustomerListParams) => ['customers', 'list', params] as const,
  count: (params: CustomerScopeParams) => ['customers', 'count', params] as const,
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

/** The list's total for the same filters (exact, 约 an estimate, or 超过 for a large search). */
export function useCustomerCount(params: CustomerScopeParams) {
  return useQuery({
    queryKey: customerKeys.count(params),
    queryFn: ({ signal }) => customersApi.count(params, signal),
    staleTime: 30_000,
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
    // Someone saved since this record was read (412): their version is loaded before the caller shows the message,
    // so saving again saves over what is shown.
    onError: async (error, { id }) => {
      if (isApiError(error, 'customer.modified')) await client.invalidateQueries({ queryKey: queryKeys.customer(id) });
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

/** 注销: erases the customer's personal data (irreversible); every customer, order and conversation view refetches. */
export function useAnonymizeCustomer() {
  const refresh = useRefreshCustomers();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) => customersApi.anonymize(id, reason),
    onSuccess: refresh,
  });
}

export function useMergeCustomers() {
  const refresh = useRefreshCustomers();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: MergeBody }) => customersApi.merge(id, body),
    onSuccess: refresh,
  });
}

/**
 * What the user has revealed of a customer (POST /reveal, audit-logged), shared by every part of the screen that
 * shows the customer — the profile, the duplicates tab — so that one reveal shows a number wherever it appears.
 * Forgotten as soon as nothing on screen shows the customer any more.
 */
const revealedKey = (id: string) => ['pii-revealed', id] as const;

export function useRevealedPii(id: string): RevealResult {
  const query = useQuery({
    queryKey: revealedKey(id),
    queryFn: () => ({}) as RevealResult,
    enabled: false,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
  return query.data ?? {};
}

export function useRevealPii() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, fields }: { id: string; fields: RevealableField[] }) => customersApi.reveal(id, fields),
    onSuccess: (result, { id }) =>
      client.setQueryData<RevealResult>(revealedKey(id), (current) => ({ ...current, ...result })),
  });
}

const samePhone = (phone: string) => normalizePhone(phone) ?? phone;

/**
 * How other records' phones read next to this customer (duplicates tab, merge drawer): masked, as on the profile,
 * until the user reveals this customer's numbers — then a number that is one of them (the usual reason a duplicate
 * is listed) reads in full too. Other numbers belong to other customers: they stay masked (revealed, audited, on
 * that customer's page).
 */
export function useRevealedPhoneText(customerId: string) {
  const customer = useCustomer(customerId).data;
  const revealed = useRevealedPii(customerId);
  const shown =
    customer && !customer.piiMasked && revealed.phone !== undefined && revealed.phones !== undefined
      ? new Set([customer.phone, ...customer.phones].filter((phone): phone is string => !!phone).map(samePhone))
      : new Set<string>();
  return (phone: string, piiMasked: boolean) => (piiMasked || shown.has(samePhone(phone)) ? phone : maskPhone(phone));
}

/** Masks the revealed fields again (no request: the numbers are simply no longer shown). */
export function useHidePii() {
  const client = useQueryClient();
  return (id: string, fields: RevealableField[]) =>
    client.setQueryData<RevealResult>(revealedKey(id), (current) => {
      const next = { ...current };
      for (const field of fields) delete next[field];
      return next;
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
