import { type Conversation, type Message, messagePreview, type Session } from '@huike/contracts';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Page } from '../../api/client.ts';
import { queryKeys } from '../../api/query-keys.ts';
import type { ConversationFilters } from './api/conversations-api.ts';
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

type Counts = { mine: number; unassigned: number; all: number };

/** The conversation as the cache knows it now: the open detail, else any cached list row. */
function cachedState(client: QueryClient, id: string): Conversation | undefined {
  return client.getQueryData<Conversation>(queryKeys.conversation(id)) ?? findCachedConversation(client, id);
}

// A conversation no cache knows (a new visitor, a row beyond the loaded pages): only the server can
// recompute the tab counts and say whether it matches a search. Coalesce a burst into one refetch.
let unknownTimer: number | undefined;
function scheduleServerRecount(client: QueryClient): void {
  if (unknownTimer !== undefined) return;
  unknownTimer = window.setTimeout(() => {
    unknownTimer = undefined;
    void client.invalidateQueries({ queryKey: queryKeys.conversationCounts });
    void client.invalidateQueries({
      queryKey: queryKeys.conversationLists,
      predicate: (query) => Boolean((query.queryKey[2] as ConversationFilters | undefined)?.q),
    });
  }, 500);
}

/** Which tab counts a conversation adds to under a counts query's status filter. */
function countedIn(conversation: Conversation, status: string, meId: string | undefined): Counts {
  const counted = status === 'any' || conversation.status === status ? 1 : 0;
  return {
    all: counted,
    mine: counted && meId !== undefined && conversation.assigneeId === meId ? 1 : 0,
    unassigned: counted && conversation.assigneeId === null ? 1 : 0,
  };
}

/** Moves the tab counts from a conversation's previous state to its new one, without asking the server. */
function adjustCounts(client: QueryClient, previous: Conversation, next: Conversation): void {
  if (previous.status === next.status && previous.assigneeId === next.assigneeId) return;
  const meId = meIdOf(client);
  for (const [key, data] of client.getQueriesData<Counts>({ queryKey: queryKeys.conversationCounts })) {
    if (!data) continue;
    // Under a search only the server knows whether the conversation matches: recount there.
    if (key[3]) {
      void client.invalidateQueries({ queryKey: key, exact: true });
      continue;
    }
    const status = String(key[2] ?? 'any');
    const before = countedIn(previous, status, meId);
    const after = countedIn(next, status, meId);
    client.setQueryData<Counts>(key, {
      mine: Math.max(0, data.mine - before.mine + after.mine),
      unassigned: Math.max(0, data.unassigned - before.unassigned + after.unassigned),
      all: Math.max(0, data.all - before.all + after.all),
    });
  }
}

/** Whether a conversation the list did not hold belongs within its loaded pages (not past the last one). */
function fitsLoadedPages(data: ConversationPages, conversation: Conversation): boolean {
  const lastPage = data.pages[data.pages.length - 1];
  if (!lastPage?.nextCursor) return true;
  const items = data.pages.flatMap((page) => page.items);
  const last = items.sort(compareConversations)[items.length - 1];
  return !last || compareConversations(conversation, last) < 0;
}

/**
 * Puts a conversation (from an HTTP answer or a realtime event) into every cached list, its detail and
 * the tab counts. Only a conversation the cache did not know makes the server recount (and re-search).
 */
export function storeConversation(client: QueryClient, conversation: Conversation): void {
  const meId = meIdOf(client);
  const previous = cachedState(client, conversation.id);
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
      if (!first || !fitsLoadedPages(data, conversation)) continue;
      client.setQueryData<ConversationPages>(key, {
        ...data,
        pages: [{ ...first, items: [conversation, ...first.items] }, ...rest],
      });
    }
  }
  if (previous) adjustCounts(client, previous, conversation);
  else scheduleServerRecount(client);
}

function insertMessage(items: Message[], message: Message): Message[] {
  const at = time(message.createdAt);
  let index = items.length;
  while (index > 0 && time(items[index - 1]?.createdAt ?? null) > at) index -= 1;
  return [...items.slice(0, index), message, ...items.slice(index)];
}

/**
 * The send answer and the message.created frame carry the state at commit (delivery pending); the outbox may
 * already have delivered it and its message.updated frame may have come first. A late copy never moves the
 * delivery mark back (a retry moves it back on purpose, through replaceMessage).
 */
function keepDeliveryProgress(current: Message, incoming: Message): Message {
  if (current.id !== incoming.id || incoming.delivery?.status !== 'pending') return incoming;
  if (!current.delivery || current.delivery.status === 'pending') return incoming;
  return { ...incoming, delivery: current.delivery, externalId: current.externalId, channelMeta: current.channelMeta };
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
        items: page.items.map((item) => (sameMessage(item) ? keepDeliveryProgress(item, message) : item)),
      })),
    };
  }
  const [newest, ...older] = data.pages;
  if (!newest) return { ...data, pages: [{ items: [message], nextCursor: null }], pageParams: [undefined] };
  return { ...data, pages: [{ ...newest, items: insertMessage(newest.items, message) }, ...older] };
}

// Messages stored in the cache while their chat's history was being fetched (the chat just opened, a reload after
// a reconnect): that answer may have been read on the server before they were stored, and it replaces the cached
// pages when it lands. They are put back then, or the open chat would miss them until a reload.
const arrivedDuringFetch = new Map<string, Message[]>();
const MAX_ARRIVED_PER_CHAT = 200;

function noteArrivalDuringFetch(client: QueryClient, message: Message): void {
  if (client.isFetching({ queryKey: queryKeys.messages(message.conversationId) }) === 0) return;
  const arrived = arrivedDuringFetch.get(message.conversationId) ?? [];
  arrived.push(message);
  if (arrived.length > MAX_ARRIVED_PER_CHAT) arrived.shift();
  arrivedDuringFetch.set(message.conversationId, arrived);
}

/** Adds the messages the answer lacks; a message it has keeps the answer's (newer) state. */
function addMissing(data: MessagePages, messages: readonly Message[]): MessagePages {
  let merged = data;
  for (const message of messages) {
    const isPresent = merged.pages.some((page) =>
      page.items.some(
        (item) => item.id === message.id || (message.clientMsgId !== null && item.clientMsgId === message.clientMsgId),
      ),
    );
    if (!isPresent) merged = upsertMessage(merged, message);
  }
  return merged;
}

/**
 * Watches the chats' history fetches: when one lands, the messages that arrived (by realtime or a send answer)
 * while it was in flight are merged back in by id. Returns the unsubscribe.
 */
export function keepMessagesArrivedDuringFetch(client: QueryClient): () => void {
  return client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated') return;
    const { action } = event;
    if ((action.type !== 'success' || action.manual) && action.type !== 'error') return;
    const [scope, kind, conversationId] = event.query.queryKey;
    if (scope !== 'conversations' || kind !== 'messages' || typeof conversationId !== 'string') return;
    const arrived = arrivedDuringFetch.get(conversationId);
    if (!arrived) return;
    arrivedDuringFetch.delete(conversationId);
    // A failed fetch keeps the pages it had, the messages included; without pages the next fetch brings them.
    if (action.type === 'error') return;
    client.setQueryData<MessagePages>(event.query.queryKey, (data) => (data ? addMissing(data, arrived) : data));
  });
}

/**
 * Puts a message into the open chat and its conversation into the lists. A realtime message.created frame
 * carries the conversation's new state (preview, unread count, waiting timer, status); the send answer
 * does not, so then only the row's preview moves (the frame that follows brings the rest).
 */
export function storeMessage(client: QueryClient, message: Message, conversation?: Conversation): void {
  noteArrivalDuringFetch(client, message);
  client.setQueryData<MessagePages>(queryKeys.messages(message.conversationId), (data) =>
    data ? upsertMessage(data, message) : data,
  );
  if (message.clientMsgId) resolvePendingMessage(message.conversationId, message.clientMsgId);

  if (conversation) {
    storeConversation(client, conversation);
    return;
  }
  if (message.private) return;
  const withPreview = (item: Conversation): Conversation =>
    time(message.createdAt) >= time(item.lastMessageAt)
      ? {
          ...item,
          lastMessagePreview: messagePreview(message.content, message.attachments),
          lastMessageAt: message.createdAt,
        }
      : item;
  for (const [key, data] of client.getQueriesData<ConversationPages>({ queryKey: queryKeys.conversationLists })) {
    if (!data?.pages.some((page) => page.items.some((item) => item.id === message.conversationId))) continue;
    client.setQueryData<ConversationPages>(key, {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((item) => (item.id === message.conversationId ? withPreview(item) : item)),
      })),
    });
  }
  client.setQueryData<Conversation>(queryKeys.conversation(message.conversationId), (item) =>
    item ? withPreview(item) : item,
  );
}

/**
 * A stored message changed (a channel's delivery state: sent, delivered, failed, bounced): it is replaced
 * wherever a cache holds it — the open chat and any customer's cross-channel history. An open chat that missed
 * the message (its message.created frame was lost in a reconnect) gets it added, like a created frame would.
 */
export function replaceMessage(client: QueryClient, message: Message): void {
  const key = queryKeys.messages(message.conversationId);
  // A fetch in flight was answered before this change (e.g. 已发送 arriving while the list reloads after a send):
  // fetch again, or its older answer would overwrite this one.
  if (client.isFetching({ queryKey: key }) > 0) void client.invalidateQueries({ queryKey: key });
  client.setQueryData<MessagePages>(key, (data) => {
    if (!data) return data;
    if (!data.pages.some((page) => page.items.some((item) => item.id === message.id))) {
      return upsertMessage(data, message);
    }
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((item) => (item.id === message.id ? message : item)),
      })),
    };
  });
  if (message.clientMsgId) resolvePendingMessage(message.conversationId, message.clientMsgId);
  // The cross-channel history keeps its extra fields (inbox, channel) and takes the message's new state.
  for (const [key, data] of client.getQueriesData<InfiniteData<Page<Message>>>({
    queryKey: queryKeys.customerMessagesAll,
  })) {
    if (!data?.pages.some((page) => page.items.some((item) => item.id === message.id))) continue;
    client.setQueryData<InfiniteData<Page<Message>>>(key, {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((item) => (item.id === message.id ? { ...item, ...message } : item)),
      })),
    });
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
