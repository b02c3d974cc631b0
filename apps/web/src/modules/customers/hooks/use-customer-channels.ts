import {
  type CustomerChannel,
  type CustomerHistoryMessage,
  type CustomerMessageBody,
  normalizePhone,
} from '@huike/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { queryKeys } from '../../../api/query-keys.ts';
import { storeMessage } from '../../conversations/cache.ts';
import { customerChannelsApi } from '../api/customer-channels-api.ts';
import { useCustomer, useRevealedPhoneText } from './use-customers.ts';

const suggestionsKey = (id: string) => ['customers', 'identity-suggestions', id] as const;

export function useCustomerChannels(customerId: string) {
  return useQuery({
    queryKey: queryKeys.customerChannels(customerId),
    queryFn: ({ signal }) => customerChannelsApi.channels(customerId, signal),
  });
}

/**
 * A channel's address as the customer's screens show it (渠道 cards, 通过其他渠道联系): a phone — an SMS number, a
 * phone-number id — masked like the profile's phones until the user reveals them there (one audited reveal of
 * phone + phones, shared with the profile); emails and ids as the server sent them. Roles without
 * customers:reveal_pii get phones masked from the server already.
 */
export function useChannelAddressText(customerId: string) {
  const customer = useCustomer(customerId).data;
  const phoneText = useRevealedPhoneText(customerId);
  return ({ address, channelType }: Pick<CustomerChannel, 'address' | 'channelType'>): string | null => {
    if (!address) return null;
    const isPhone = channelType === 'sms' || normalizePhone(address) !== null;
    // Until the customer has loaded, masked: whether they are already masked is not known yet.
    return isPhone ? phoneText(address, customer?.piiMasked ?? false) : address;
  };
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
