import type { Message, MessageAttachment } from '@huike/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { ApiError } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';
import { randomId } from '../../../ui/ids.ts';
import { conversationsApi } from '../api/conversations-api.ts';
import { flattenMessages, replaceMessage, storeMessage } from '../cache.ts';
import { addPendingMessage, failPendingMessage, type PendingMessage, usePendingMessages } from '../pending-messages.ts';

export type ChatItem = { kind: 'message'; message: Message } | { kind: 'pending'; pending: PendingMessage };

/** The conversation's history (older pages load on demand) plus messages still being sent. */
export function useMessages(conversationId: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.messages(conversationId),
    queryFn: ({ pageParam, signal }) => conversationsApi.messages(conversationId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    // Realtime keeps the open chat current; a reconnect refetches it explicitly.
    staleTime: 5 * 60_000,
    refetchOnWindowFocus: false,
  });
  const pending = usePendingMessages(conversationId);
  const items = useMemo<ChatItem[]>(() => {
    const messages = flattenMessages(query.data);
    const confirmed = new Set(messages.map((message) => message.clientMsgId).filter(Boolean));
    return [
      ...messages.map((message) => ({ kind: 'message' as const, message })),
      ...pending
        .filter((item) => !confirmed.has(item.clientMsgId))
        .map((item) => ({ kind: 'pending' as const, pending: item })),
    ];
  }, [query.data, pending]);
  return { ...query, items };
}

export type SendInput = {
  content: string;
  isPrivate: boolean;
  clientMsgId?: string;
  /** Uploaded files (their `url` shows them in the optimistic bubble). */
  attachments?: MessageAttachment[];
};

/** Optimistic send: the bubble appears at once and is replaced by the stored message, never duplicated. */
export function useSendMessage(conversationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ content, isPrivate, clientMsgId, attachments = [] }: SendInput & { clientMsgId: string }) =>
      conversationsApi.send(conversationId, {
        content,
        private: isPrivate,
        clientMsgId,
        attachmentIds: attachments.map((attachment) => attachment.fileId),
      }),
    onMutate: ({ content, isPrivate, clientMsgId, attachments }) => {
      addPendingMessage({
        clientMsgId,
        conversationId,
        content,
        private: isPrivate,
        attachments,
        createdAt: new Date().toISOString(),
        state: 'sending',
      });
    },
    onSuccess: (message) => storeMessage(client, message),
    onError: (error, { clientMsgId }) => {
      failPendingMessage(conversationId, clientMsgId, error instanceof ApiError ? error.message : String(error));
    },
  });
}

/**
 * 重试 on a failed channel message: the mark goes back to 发送中 at once (optimistic), the server answers the
 * message back in pending, and the outcome arrives later as a realtime `message.updated`. On error the mark
 * returns to what it was.
 */
export function useRetryDelivery(conversationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (message: Message) => conversationsApi.retryDelivery(message.id),
    onMutate: (message) => {
      replaceMessage(client, { ...message, delivery: { status: 'pending', error: null, reason: null } });
      return { previous: message };
    },
    onSuccess: (message) => {
      // A realtime frame may already have brought a newer state (sent): keep it.
      const cached = flattenMessages(client.getQueryData(queryKeys.messages(conversationId))).find(
        (item) => item.id === message.id,
      );
      if (!cached || cached.delivery?.status === 'pending') replaceMessage(client, message);
    },
    onError: (_error, _message, context) => {
      if (context?.previous) replaceMessage(client, context.previous);
    },
  });
}

export const newClientMsgId = (): string => randomId();
