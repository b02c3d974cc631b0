import type { Conversation, ConversationStatus, Message } from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type AssigneeFilter = 'mine' | 'unassigned' | 'all';

export type ConversationFilters = {
  assignee: AssigneeFilter;
  status?: ConversationStatus;
  inboxId?: string;
  customerId?: string;
  q?: string;
};

export type ConversationCounts = { mine: number; unassigned: number; all: number };
export type SendMessageInput = { content: string; private: boolean; clientMsgId: string; attachmentIds?: string[] };
export type AssignInput = { assigneeId?: string | null; teamId?: string | null };
export type ChangeStatusInput = { status: ConversationStatus; snoozedUntil?: string };

export const conversationsApi = {
  list: (filters: ConversationFilters, cursor: string | undefined, signal?: AbortSignal) =>
    api.get<Page<Conversation>>('/api/v1/conversations', { ...filters, limit: 30, cursor }, signal),
  counts: (status: ConversationStatus | undefined, q: string | undefined, signal?: AbortSignal) =>
    api.get<ConversationCounts>('/api/v1/conversations/counts', { status, q: q || undefined }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Conversation>(`/api/v1/conversations/${id}`, undefined, signal),
  messages: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    api.get<Page<Message>>(`/api/v1/conversations/${id}/messages`, { limit: 30, cursor }, signal),
  send: (id: string, input: SendMessageInput) => api.post<Message>(`/api/v1/conversations/${id}/messages`, input),
  assign: (id: string, input: AssignInput) => api.post<Conversation>(`/api/v1/conversations/${id}/assign`, input),
  changeStatus: (id: string, input: ChangeStatusInput) =>
    api.post<Conversation>(`/api/v1/conversations/${id}/status`, input),
  markRead: (id: string) => api.post<Conversation>(`/api/v1/conversations/${id}/read`),
  /** A failed channel message goes back to pending and is delivered again (conversations:reply). */
  retryDelivery: (messageId: string) => api.post<Message>(`/api/v1/messages/${messageId}/retry`),
};
