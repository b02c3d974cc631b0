import type { ConversationStatus } from '@huike/contracts';
import type { ConversationFilters } from '../modules/conversations/api/conversations-api.ts';

/** Every TanStack Query key in one place, so realtime updates and mutations hit the same cache entries. */
export const queryKeys = {
  setup: ['setup'] as const,
  session: ['session'] as const,
  users: ['users'] as const,
  teams: ['teams'] as const,
  inboxes: ['inboxes'] as const,
  inbox: (id: string) => ['inboxes', id] as const,
  conversations: ['conversations'] as const,
  conversationLists: ['conversations', 'list'] as const,
  conversationList: (filters: ConversationFilters) => ['conversations', 'list', filters] as const,
  conversationCounts: ['conversations', 'counts'] as const,
  /** The tab counts under a status and the list's search ('' without one). */
  conversationCount: (status: ConversationStatus | undefined, q = '') =>
    ['conversations', 'counts', status ?? 'any', q] as const,
  conversation: (id: string) => ['conversations', 'detail', id] as const,
  messages: (conversationId: string) => ['conversations', 'messages', conversationId] as const,
  customers: ['customers'] as const,
  customerList: (params: { q?: string; limit: number; cursor?: string }) => ['customers', 'list', params] as const,
  customer: (id: string) => ['customers', 'detail', id] as const,
  /** A customer's cross-channel history (every channel's public messages). */
  customerMessagesAll: ['customers', 'messages'] as const,
  customerMessages: (id: string) => ['customers', 'messages', id] as const,
  customerChannels: (id: string) => ['customers', 'channels', id] as const,
};
