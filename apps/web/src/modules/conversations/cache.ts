import type { Conversation, Message, Session } from '@huike/contracts';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Page } from '../../api/client.ts';
import { queryKeys } from '../../api/query-keys.ts';
import { type ConversationFilters, conversationsApi } from './api/conversations-api.ts';
import { resolvePendingMessage } from './pending-messages.ts';

export type ConversationPages = InfiniteData<Page<Conversation>>;
export type MessagePages = InfiniteData<Page<Message>>;

const time = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

/** The server's order: longest waiting first, then the latest activity. */
export function compareConversations(a: Conversation, b: Conversation): number {
  const waitingA = time(a.waitingSince);
  const waitingB = time(b.waitingSince);
  const isWaitingA = !Number.isNaN(waitingA);
  const isWaitingB = !Number.isNaN(waitingB);
  if (isWaitingA && isWaitingB && waitingA !== waitingB) return waitingA - waitingB;
  if (isWaitingA !== isWaitingB) return isWaitingA ? -1 : 1;
  return time(b.lastMessageAt) - time(a.lastMessageAt);
}

/** Whether a conversation belongs in a list; 'unknown' when only the server can tell (full-text search). */
export function matchesFilters(conversation: Conversation, filters: ConversationFilters, meId: string | undefined) {
  if (filters.assignee === 'mine' && conversation.assigneeId !== meId) return false;
  if (filters.assignee === 'unassigned' && conversation.assigneeId !== null) return false;
  if (filters.status && conversation.status !== filters.status) return false;
  if (filters.inboxId && conversation.inboxId !== filters.inboxId) return false;
  if (filters.customerId && conversation.customerId !== filters.customerId) return false;
  if (filters.q) return 'unknown';
  return true;
}

export const flattenConversations = (data: ConversationPages | undefined): Conversation[] => {
  const seen = new Set<string>();
  const items: Conversation[] = [];
  for (const page of data?.pages ?? []) {
    for (const item of page.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
    }
  }
  return items.sort(compareConversations);
};

/** Messages oldest → newest from pages that go newest-page-first (each page oldest → newest). */
export const flattenMessages = (data: MessagePages | undefined): Message[] => {
  const seen = new Set<string>();
  const items: Message[] = [];
  for (const page of [...(data?.pages ?? [])].reverse()) {
    for (const item of page.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
    }
  }
  return items;
};

function meIdOf(client: QueryClient): string | undefined {
  return client.getQueryData<Session | null>(queryKeys.session)?.user.id;
}

// Counts are the server's to compute; refetch them (at most once a second) whenever a conversation changes.
let countsTimer: number | undefined;
function scheduleCountsRefresh(client: QueryClient): void {
  if (countsTimer !== undefined) return;
  countsTimer = window.setTimeout(() => {
    countsTimer = undefined;
    void client.invalidateQueries({ queryKey: queryKeys.conversationCounts });
  }, 800);
}

// A message for a conversation no list knows yet (a new visitor): refetch the lists, at most once a second.
let listsTimer: number | undefined;
function scheduleListsRefresh(client: QueryClient): void {
  if (listsTimer !== undefined) return;
  listsTimer = window.setTimeout(() => {
    listsTimer = undefined;
    void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
  }, 1000);
}

// message.created carries no conversation: fetch the row's new state (unread count, waiting timer, status)
// once things settle, coalescing a burst of messages into one request per conversation.
const refreshTimers = new Map<string, number>();
function scheduleConversationRefresh(client: QueryClient, id: string): void {
  window.clearTimeout(refreshTimers.get(id));
  refreshTimers.set(
    id,
    window.setTimeout(() => {
      refreshTimers.delete(id);
      conversationsApi.get(id).then(
        (conversation) => storeConversation(client, conversation),
        () => scheduleListsRefresh(client),
      );
    }, 250),
  );
}

/** Puts a conversation (from an HTTP answer or a realtime event) into every cached list and its detail. */
export function storeConversation(client: QueryClient, conversation: Conversation): void {
  const meId = meIdOf(client);
  if (client.getQueryData(queryKeys.conversation(conversation.id)) !== undefined) {
    client.setQueryData<Conversation>(queryKeys.conversation(conversation.id), conversation);
  }
  for (const [key, data] of client.getQueriesData<ConversationPages>({ queryKey: queryKeys.conversationLists })) {
    if (!data) continue;
    const filters = key[2] as ConversationFilters | undefined;
    if (!filters) continue;
    const isPresent = data.pages.some((page) => page.items.some((item) => item.id === conversation.id));
    const match = matchesFilters(conversation, filters, meId);
    if (isPresent) {
      client.setQueryData<ConversationPages>(key, {
        ...data,
        pages: data.pages.map((page) => ({
          ...page,
          items:
            match === false
              ? page.items.filter((item) => item.id !== conversation.id)
              : page.items.map((item) => (item.id === conversation.id ? conversation : item)),
        })),
      });
    } else if (match === true) {
      const [first, ...rest] = data.pages;
      if (!first) continue;
      client.setQueryData<ConversationPages>(key, {
        ...data,
        pages: [{ ...first, items: [conversation, ...first.items] }, ...rest],
      });
    }
  }
  scheduleCountsRefresh(client);
}

function insertMessage(items: Message[], message: Message): Message[] {
  const at = time(message.createdAt);
  let index = items.length;
  while (index > 0 && time(items[index - 1]?.createdAt ?? null) > at) index -= 1;
  return [...items.slice(0, index), message, ...items.slice(index)];
}

/** Adds or replaces a message (matched by id, then by clientMsgId), never duplicating it. */
export function upsertMessage(data: MessagePages, message: Message): MessagePages {
  const sameMessage = (item: Message) =>
    item.id === message.id || (message.clientMsgId !== null && item.clientMsgId === message.clientMsgId);
  if (data.pages.some((page) => page.items.some(sameMessage))) {
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((item) => (sameMessage(item) ? message : item)),
      })),
    };
  }
  const [newest, ...older] = data.pages;
  if (!newest) return { ...data, pages: [{ items: [message], nextCursor: null }], pageParams: [undefined] };
  return { ...data, pages: [{ ...newest, items: insertMessage(newest.items, message) }, ...older] };
}

/** Puts a message (from the send answer or a realtime event) into the chat and refreshes the row's preview. */
export function storeMessage(client: QueryClient, message: Message): void {
  client.setQueryData<MessagePages>(queryKeys.messages(message.conversationId), (data) =>
    data ? upsertMessage(data, message) : data,
  );
  if (message.clientMsgId) resolvePendingMessage(message.conversationId, message.clientMsgId);

  let isKnown = false;
  for (const [key, data] of client.getQueriesData<ConversationPages>({ queryKey: queryKeys.conversationLists })) {
    if (!data) continue;
    if (!data.pages.some((page) => page.items.some((item) => item.id === message.conversationId))) continue;
    isKnown = true;
    if (message.private) continue;
    client.setQueryData<ConversationPages>(key, {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((item) =>
          item.id === message.conversationId && time(message.createdAt) >= time(item.lastMessageAt)
            ? { ...item, lastMessagePreview: message.content.slice(0, 200), lastMessageAt: message.createdAt }
            : item,
        ),
      })),
    });
  }
  if (isKnown || client.getQueryData(queryKeys.conversation(message.conversationId)) !== undefined) {
    scheduleConversationRefresh(client, message.conversationId);
  } else {
    // A conversation no list holds yet (a new visitor): the lists and counts must be asked again.
    scheduleListsRefresh(client);
    scheduleCountsRefresh(client);
  }
}

/** A conversation as some cached list knows it, to show the header before the detail request answers. */
export function findCachedConversation(client: QueryClient, id: string): Conversation | undefined {
  for (const [, data] of client.getQueriesData<ConversationPages>({ queryKey: queryKeys.conversationLists })) {
    const found = data?.pages.flatMap((page) => page.items).find((item) => item.id === id);
    if (found) return found;
  }
  return undefined;
}
