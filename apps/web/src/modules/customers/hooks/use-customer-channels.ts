import type { CustomerHistoryMessage, CustomerMessageBody } from '@huike/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { queryKeys } from '../../../api/query-keys.ts';
import { storeMessage } from '../../conversations/cache.ts';
import { customerChannelsApi } from '../api/customer-channels-api.ts';

const suggestionsKey = (id: string) => ['customers', 'identity-suggestions', id] as const;

export function useCustomerChannels(customerId: string) {
  return useQuery({
    queryKey: queryKeys.customerChannels(customerId),
    queryFn: ({ signal }) => customerChannelsApi.channels(customerId, signal),
  });
}

export function useIdentitySuggestions(customerId: string, isEnabled = true) {
  return useQuery({
    queryKey: suggestionsKey(customerId),
    queryFn: async ({ signal }) => (await customerChannelsApi.identitySuggestions(customerId, signal)).items,
    enabled: isEnabled,
  });
}

/** The cross-channel history, newest first; older pages load as the list scrolls. */
export function useCustomerMessages(customerId: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.customerMessages(customerId),
    queryFn: ({ pageParam, signal }) => customerChannelsApi.messages(customerId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
  const items = useMemo(() => {
    const seen = new Set<string>();
    const all: CustomerHistoryMessage[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const item of page.items) {
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        all.push(item);
      }
    }
    return all.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id));
  }, [query.data]);
  return { ...query, items };
}

/** 通过其他渠道联系: answers on the chosen inbox; the chat, lists, channels and history see it at once. */
export function useContactCustomer(customerId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomerMessageBody) => customerChannelsApi.send(customerId, body),
    onSuccess: ({ message, conversation }) => {
      storeMessage(client, message, conversation);
      void client.invalidateQueries({ queryKey: queryKeys.customerChannels(customerId) });
      void client.invalidateQueries({ queryKey: queryKeys.customerMessages(customerId) });
      void client.invalidateQueries({ queryKey: ['conversations', 'messages', conversation.id] });
    },
  });
}
