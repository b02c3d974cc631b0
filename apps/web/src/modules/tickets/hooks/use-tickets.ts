import type { TicketCommentInput } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Page } from '../../../api/client.ts';
import {
  type BulkTicketChanges,
  type CreateTicketInput,
  type SlaPolicyInput,
  type TicketCategory,
  type TicketFilters,
  type TicketListParams,
  type TicketRow,
  ticketsApi,
  type UpdateTicketInput,
} from '../api/tickets-api.ts';

export const ticketKeys = {
  all: ['tickets'] as const,
  lists: ['tickets', 'list'] as const,
  list: (params: TicketListParams) => ['tickets', 'list', params] as const,
  detail: (id: string) => ['tickets', 'detail', id] as const,
  timeline: (id: string) => ['tickets', 'timeline', id] as const,
  customer: (id: string) => ['tickets', 'customer', id] as const,
  categories: ['ticket-categories'] as const,
  views: ['ticket-views'] as const,
  slaPolicies: ['sla-policies'] as const,
};

export function useTicketList(params: TicketListParams) {
  return useQuery({
    queryKey: ticketKeys.list(params),
    queryFn: ({ signal }) => ticketsApi.list(params, signal),
    placeholderData: keepPreviousData,
    // No ticket events on the socket yet: breaches and others' changes show within half a minute.
    refetchInterval: 30_000,
  });
}

export function useTicket(id: string | undefined) {
  return useQuery({
    queryKey: ticketKeys.detail(id ?? ''),
    queryFn: ({ signal }) => ticketsApi.get(id ?? '', signal),
    enabled: Boolean(id),
    refetchInterval: 30_000,
  });
}

export function useTicketTimeline(id: string) {
  return useQuery({ queryKey: ticketKeys.timeline(id), queryFn: ({ signal }) => ticketsApi.timeline(id, signal) });
}

export function useCustomerTickets(customerId: string) {
  return useQuery({
    queryKey: ticketKeys.customer(customerId),
    queryFn: ({ signal }) => ticketsApi.forCustomer(customerId, signal),
  });
}

/** After any change: the ticket itself, its timeline and every list that may show it. */
function useRefreshTicket() {
  const client = useQueryClient();
  return (ticket?: TicketRow) => {
    if (ticket) {
      client.setQueryData(ticketKeys.detail(ticket.id), ticket);
      client.setQueriesData<Page<TicketRow>>({ queryKey: ticketKeys.lists }, (page) =>
        page ? { ...page, items: page.items.map((each) => (each.id === ticket.id ? ticket : each)) } : page,
      );
      void client.invalidateQueries({ queryKey: ticketKeys.timeline(ticket.id) });
    }
    void client.invalidateQueries({ queryKey: ticketKeys.lists });
    void client.invalidateQueries({ queryKey: ['tickets', 'customer'] });
  };
}

export function useCreateTicket() {
  const refresh = useRefreshTicket();
  return useMutation({
    mutationFn: (input: CreateTicketInput) => ticketsApi.create(input),
    onSuccess: (ticket) => refresh(ticket),
  });
}

export function useUpdateTicket() {
  const refresh = useRefreshTicket();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateTicketInput }) => ticketsApi.update(id, input),
    onSuccess: (ticket) => refresh(ticket),
  });
}

export function useCommentTicket(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: TicketCommentInput) => ticketsApi.comment(id, input),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ticketKeys.timeline(id) });
      // A first comment may stop the first-response clock.
      void client.invalidateQueries({ queryKey: ticketKeys.detail(id) });
    },
  });
}

export function useMergeTicket() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, targetId }: { id: string; targetId: string }) => ticketsApi.merge(id, targetId),
    onSuccess: () => void client.invalidateQueries({ queryKey: ticketKeys.all }),
  });
}

export function useBulkUpdateTickets() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, changes }: { ids: string[]; changes: BulkTicketChanges }) =>
      ticketsApi.bulkUpdate(ids, changes),
    onSuccess: () => void client.invalidateQueries({ queryKey: ticketKeys.all }),
  });
}

export function useTicketCategories() {
  const query = useQuery({
    queryKey: ticketKeys.categories,
    queryFn: ({ signal }) => ticketsApi.categories(signal),
    staleTime: 60_000,
  });
  const byKey = useMemo(
    () => new Map<string, TicketCategory>((query.data ?? []).map((category) => [category.key, category])),
    [query.data],
  );
  return { ...query, byKey };
}

function useInvalidating<TInput, TResult>(key: readonly unknown[], fn: (input: TInput) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void client.invalidateQueries({ queryKey: key }) });
}

export const useCreateCategory = () => useInvalidating(ticketKeys.categories, ticketsApi.createCategory);
export const useUpdateCategory = () =>
  useInvalidating(
    ticketKeys.categories,
    ({ id, input }: { id: string; input: Parameters<typeof ticketsApi.updateCategory>[1] }) =>
      ticketsApi.updateCategory(id, input),
  );
export const useDeleteCategory = () => useInvalidating(ticketKeys.categories, ticketsApi.deleteCategory);

export function useTicketViews() {
  return useQuery({ queryKey: ticketKeys.views, queryFn: ({ signal }) => ticketsApi.views(signal) });
}
export const useCreateView = () =>
  useInvalidating(ticketKeys.views, (input: { name: string; filters: TicketFilters; isShared: boolean }) =>
    ticketsApi.createView(input),
  );
export const useDeleteView = () => useInvalidating(ticketKeys.views, ticketsApi.deleteView);

export function useSlaPolicies() {
  return useQuery({ queryKey: ticketKeys.slaPolicies, queryFn: ({ signal }) => ticketsApi.slaPolicies(signal) });
}
export const useCreateSlaPolicy = () => useInvalidating(ticketKeys.slaPolicies, ticketsApi.createSlaPolicy);
export const useUpdateSlaPolicy = () =>
  useInvalidating(ticketKeys.slaPolicies, ({ id, input }: { id: string; input: Partial<SlaPolicyInput> }) =>
    ticketsApi.updateSlaPolicy(id, input),
  );
export const useDeleteSlaPolicy = () => useInvalidating(ticketKeys.slaPolicies, ticketsApi.deleteSlaPolicy);
