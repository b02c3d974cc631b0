import type { SmsCampaignBody } from '@huike/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { campaignsApi } from '../api/campaigns-api.ts';

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
  return useMutation({ mutationFn: (input: SmsCampaignBody) => campaignsApi.send(input) });
}
