import type {
  Job,
  SmsCampaignBody,
  SmsCampaignFailureReasons,
  SmsCampaignPreview,
  SmsCampaignRecipient,
  SmsCampaignSummary,
  SmsRecipientFilter,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type { SmsCampaignPreview, SmsCampaignSummary };

export const campaignsApi = {
  /** Exactly who would get it now: recipients, and those skipped (退订 / no mobile). */
  preview: (input: SmsCampaignBody) => api.post<SmsCampaignPreview>('/api/v1/sms/campaigns/preview', input),
  /** Fixes the audience and starts sending; answers the job. */
  send: (input: SmsCampaignBody) => api.post<Job>('/api/v1/sms/campaigns', input),
  /** 短信群发记录: past campaigns, newest first, with their recipients counted by outcome. */
  list: (query: { limit: number; cursor?: string }, signal?: AbortSignal) =>
    api.get<Page<SmsCampaignSummary>>('/api/v1/sms/campaigns', query, signal),
  /** A campaign's recipients and what became of each SMS, by status, failure reason and customer search. */
  recipients: (campaignId: string, query: RecipientsQuery, signal?: AbortSignal) =>
    api.get<Page<SmsCampaignRecipient>>(`/api/v1/sms/campaigns/${campaignId}/recipients`, query, signal),
  /** A campaign's failures counted by reason, most first. */
  failureReasons: (campaignId: string, signal?: AbortSignal) =>
    api.get<SmsCampaignFailureReasons>(`/api/v1/sms/campaigns/${campaignId}/failure-reasons`, undefined, signal),
};

export type RecipientsQuery = {
  limit: number;
  cursor?: string;
  status?: SmsRecipientFilter;
  reason?: string;
  q?: string;
};
