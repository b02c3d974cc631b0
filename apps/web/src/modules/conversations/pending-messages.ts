import type { MessageAttachment } from '@huike/contracts';
import { useCallback, useSyncExternalStore } from 'react';

/** A message the agent sent that the server has not confirmed yet (optimistic send). */
export type PendingMessage = {
  clientMsgId: string;
  conversationId: string;
  content: string;
  private: boolean;
  /** Files already uploaded, sent with the message. */
  attachments?: MessageAttachment[];
  createdAt: string;
  state: 'sending' | 'failed';
  errorMessage?: string;
};

// Kept outside the query cache so a refetch of the history never drops a message still on its way.
const pendingByConversation = new Map<string, PendingMessage[]>();
const listeners = new Set<() => void>();
const empty: PendingMessage[] = [];

function emit(): void {
  for (const listener of listeners) listener();
}

function update(conversationId: string, change: (items: PendingMessage[]) => PendingMessage[]): void {
  const next = change(pendingByConversation.get(conversationId) ?? empty);
  if (next.length === 0) pendingByConversation.delete(conversationId);
  else pendingByConversation.set(conversationId, next);
  emit();
}

export function addPendingMessage(message: PendingMessage): void {
  update(message.conversationId, (items) => [
    ...items.filter((item) => item.clientMsgId !== message.clientMsgId),
    message,
  ]);
}

export function failPendingMessage(conversationId: string, clientMsgId: string, errorMessage: string): void {
  update(conversationId, (items) =>
    items.map((item) => (item.clientMsgId === clientMsgId ? { ...item, state: 'failed', errorMessage } : item)),
  );
}

/** The server has the message (answer or realtime event): the optimistic copy goes. */
export function resolvePendingMessage(conversationId: string, clientMsgId: string): void {
  if (!pendingByConversation.get(conversationId)?.some((item) => item.clientMsgId === clientMsgId)) return;
  update(conversationId, (items) => items.filter((item) => item.clientMsgId !== clientMsgId));
}

export function usePendingMessages(conversationId: string): PendingMessage[] {
  const subscribe = useCallback((listener: () => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return useSyncExternalStore(subscribe, () => pendingByConversation.get(conversationId) ?? empty);
}
