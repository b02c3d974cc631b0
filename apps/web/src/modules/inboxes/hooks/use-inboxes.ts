import type { Inbox } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { queryKeys } from '../../../api/query-keys.ts';
import { type CreateInboxInput, inboxesApi, type UpdateInboxInput } from '../api/inboxes-api.ts';

/** While a channel reports a receive failure, look again now and then, so its recovery shows without a reload. */
const HEALTH_RECHECK_MS = 15_000;

export function useInboxes() {
  return useQuery({
    queryKey: queryKeys.inboxes,
    queryFn: ({ signal }) => inboxesApi.list(signal),
    refetchInterval: (query) => (query.state.data?.some((inbox) => inbox.health?.error) ? HEALTH_RECHECK_MS : false),
  });
}

export function useInboxMap(): Map<string, Inbox> {
  const { data } = useInboxes();
  return useMemo(() => new Map((data ?? []).map((inbox) => [inbox.id, inbox])), [data]);
}

export function useInbox(id: string | undefined) {
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.inbox(id ?? ''),
    queryFn: ({ signal }) => inboxesApi.get(id ?? '', signal),
    enabled: Boolean(id),
    refetchInterval: (query) => (query.state.data?.health?.error ? HEALTH_RECHECK_MS : false),
    initialData: () => client.getQueryData<Inbox[]>(queryKeys.inboxes)?.find((inbox) => inbox.id === id),
    initialDataUpdatedAt: () => client.getQueryState(queryKeys.inboxes)?.dataUpdatedAt,
  });
}

function storeInbox(client: ReturnType<typeof useQueryClient>, inbox: Inbox): void {
  client.setQueryData(queryKeys.inbox(inbox.id), inbox);
  client.setQueryData<Inbox[]>(queryKeys.inboxes, (inboxes) => {
    if (!inboxes) return [inbox];
    return inboxes.some((each) => each.id === inbox.id)
      ? inboxes.map((each) => (each.id === inbox.id ? inbox : each))
      : [...inboxes, inbox];
  });
}

export function useCreateInbox() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateInboxInput) => inboxesApi.create(input),
    onSuccess: (inbox) => storeInbox(client, inbox),
  });
}

export function useUpdateInbox() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateInboxInput }) => inboxesApi.update(id, input),
    onSuccess: (inbox) => storeInbox(client, inbox),
  });
}
