import type { Inbox } from '@huike/contracts';
import { api, fetchAllPages } from '../../../api/client.ts';

export type ChannelType = Inbox['channelType'];
export type InboxSettingsInput = { color: string; greeting: string };
export type CreateInboxInput = {
  name: string;
  channelType: ChannelType;
  settings: InboxSettingsInput;
  /** The channel's connection settings (邮件 / 微信公众号 / 短信 / API); secrets are write-only. */
  channelConfig?: Record<string, unknown>;
};
export type UpdateInboxInput = {
  name?: string;
  settings?: Partial<InboxSettingsInput> & Pick<Inbox['settings'], 'businessHours' | 'offlineReply'>;
  /** Merged over the stored config: secrets left out keep their stored value. */
  channelConfig?: Record<string, unknown>;
};

export const inboxesApi = {
  list: (signal?: AbortSignal) => fetchAllPages<Inbox>('/api/v1/inboxes', {}, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Inbox>(`/api/v1/inboxes/${id}`, undefined, signal),
  create: (input: CreateInboxInput) => api.post<Inbox>('/api/v1/inboxes', input),
  update: (id: string, input: UpdateInboxInput) => api.patch<Inbox>(`/api/v1/inboxes/${id}`, input),
};
