import type { Job, SmsCampaignBody, SmsCampaignPreview } from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type { SmsCampaignPreview };

export const campaignsApi = {
  /** Exactly who would get it now: recipients, and those skipped (退订 / no mobile). */
  preview: (input: SmsCampaignBody) => api.post<SmsCampaignPreview>('/api/v1/sms/campaigns/preview', input),
  /** Fixes the audience and starts sending; answers the job. */
  send: (input: SmsCampaignBody) => api.post<Job>('/api/v1/sms/campaigns', input),
};
