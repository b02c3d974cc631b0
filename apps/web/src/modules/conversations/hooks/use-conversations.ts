import type { ConversationStatus } from '@huike/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { queryKeys } from '../../../api/query-keys.ts';
import {
  type AssignInput,
  type ChangeStatusInput,
  type ConversationFilters,
  conversationsApi,
} from '../api/conversations-api.ts';
import { findCachedConversation, flattenConversations, storeConversation } from '../cache.ts';

export function useConversationList(filters: ConversationFilters, enabled = true) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.conversationList(filters),
    queryFn: ({ pageParam, signal }) => conversationsApi.list(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    enabled,
  });
  const conversations = useMemo(() => flattenConversations(query.data), [query.data]);
  return { ...query, conversations };
}

/** The tab counts under the list's status and search (the server applies the list's own search). */
export function useConversationCounts(status: ConversationStatus | undefined, q = '') {
  return useQuery({
    queryKey: queryKeys.conversationCount(status, q),
    queryFn: ({ signal }) => conversationsApi.counts(status, q, signal),
  });
}

export function useConversation(id: string | undefined) {
  const client = useQueryClient();
  // Show the row we already have while the detail loads, so the header never flashes empty.
  const cached = id ? findCachedConversation(client, id) : undefined;
  return useQuery({
    queryKey: queryKeys.conversation(id ?? ''),
    queryFn: ({ signal }) => conversationsApi.get(id ?? '', signal),
    enabled: Boolean(id),
    placeholderData: cached,
  });
}

export function useAssignConversation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: AssignInput }) => conversationsApi.assign(id, input),
    onSuccess: (conversation) => storeConversation(client, conversation),
  });
}

export function useChangeConversationStatus() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: ChangeStatusInput }) => conversationsApi.changeStatus(id, input),
    onSuccess: (conversation) => storeConversation(client, conversation),
  });
}

export function useMarkConversationRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => conversationsApi.markRead(id),
    onSuccess: (conversation) => storeConversation(client, conversation),
  });
}
