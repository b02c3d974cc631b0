import type { Inbox } from '@huike/contracts';
import { api, fetchAllPages } from '../../../api/client.ts';

export type ChannelType = Inbox['channelType'];
export type InboxSettingsInput = { color: string; greeting: string };
export type CreateInboxInput = { name: string; channelType: ChannelType; settings: InboxSettingsInput };
export type UpdateInboxInput = {
  name?: string;
  settings?: Partial<InboxSettingsInput> & Pick<Inbox['settings'], 'businessHours' | 'offlineReply'>;
};

export const inboxesApi = {
  list: (signal?: AbortSignal) => fetchAllPages<Inbox>('/api/v1/inboxes', {}, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Inbox>(`/api/v1/inboxes/${id}`, undefined, signal),
  create: (input: CreateInboxInput) => api.post<Inbox>('/api/v1/inboxes', input),
  update: (id: string, input: UpdateInboxInput) => api.patch<Inbox>(`/api/v1/inboxes/${id}`, input),
};
