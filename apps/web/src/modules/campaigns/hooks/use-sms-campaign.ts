import type { SmsCampaignBody } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { campaignsApi, type RecipientsQuery } from '../api/campaigns-api.ts';

/** The preview counts for a segment and an SMS inbox (refetched when either changes). */
export function useSmsCampaignPreview(segmentId: string, inboxId: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['sms-campaigns', 'preview', segmentId, inboxId ?? ''] as const,
    queryFn: () => campaignsApi.preview({ inboxId: inboxId ?? '', segmentId, templateParams: {} }),
    enabled: enabled && Boolean(inboxId),
    staleTime: 0,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  });
}

export function useSendSmsCampaign() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: SmsCampaignBody) => campaignsApi.send(input),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sms-campaigns', 'list'] }),
  });
}

/** One page of 短信群发记录; refreshed every few seconds while a campaign is still going out. */
export function useSmsCampaigns(query: { limit: number; cursor?: string }, enabled = true) {
  return useQuery({
    queryKey: ['sms-campaigns', 'list', query] as const,
    queryFn: ({ signal }) => campaignsApi.list(query, signal),
    enabled,
    placeholderData: keepPreviousData,
    refetchInterval: (current) =>
      current.state.data?.items.some((item) => item.status === 'queued' || item.status === 'sending') ? 5_000 : false,
  });
}

/** One page of a campaign's recipients (收件人明细). */
export function useSmsCampaignRecipients(campaignId: string, query: RecipientsQuery) {
  return useQuery({
    queryKey: ['sms-campaigns', 'recipients', campaignId, query] as const,
    queryFn: ({ signal }) => campaignsApi.recipients(campaignId, query, signal),
    placeholderData: keepPreviousData,
  });
}

/** A campaign's failures grouped by reason (the drawer's summary above the failed recipients). */
export function useSmsCampaignFailureReasons(campaignId: string) {
  return useQuery({
    queryKey: ['sms-campaigns', 'failure-reasons', campaignId] as const,
    queryFn: ({ signal }) => campaignsApi.failureReasons(campaignId, signal),
  });
}
