import type {
  CustomerChannels,
  CustomerHistoryMessage,
  CustomerMessageBody,
  CustomerMessageResult,
  IdentitySuggestion,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

/** One customer, every channel: where they can be reached, their whole history, and answering elsewhere. */
export const customerChannelsApi = {
  channels: (id: string, signal?: AbortSignal) =>
    api.get<CustomerChannels>(`/api/v1/customers/${id}/channels`, undefined, signal),
  messages: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    api.get<Page<CustomerHistoryMessage>>(`/api/v1/customers/${id}/messages`, { limit: 30, cursor }, signal),
  send: (id: string, body: CustomerMessageBody) =>
    api.post<CustomerMessageResult>(`/api/v1/customers/${id}/messages`, body),
  identitySuggestions: (id: string, signal?: AbortSignal) =>
    api.get<{ items: IdentitySuggestion[] }>(`/api/v1/customers/${id}/identity-suggestions`, undefined, signal),
};
