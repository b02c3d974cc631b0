import type { CreateWebhookBody, UpdateWebhookBody } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type DeliveryQuery, type WebhookEndpoint, webhooksApi } from '../api/webhooks-api.ts';

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  deliveries: ['webhooks', 'deliveries'] as const,
  endpointDeliveries: (id: string, query: DeliveryQuery) => ['webhooks', 'deliveries', id, query] as const,
  allDeliveries: (query: DeliveryQuery) => ['webhooks', 'deliveries', 'all', query] as const,
};

export function useWebhooks(enabled = true) {
  // Refreshed now and then: the last delivery time and the failing count change as events go out.
  return useQuery({
    queryKey: webhookKeys.list,
    queryFn: ({ signal }) => webhooksApi.list(signal),
    enabled,
    refetchInterval: 30_000,
  });
}

export function useWebhookDeliveries(endpointId: string | null, query: DeliveryQuery) {
  return useQuery({
    queryKey: webhookKeys.endpointDeliveries(endpointId ?? '', query),
    queryFn: ({ signal }) => webhooksApi.deliveries(endpointId ?? '', query, signal),
    enabled: Boolean(endpointId),
    placeholderData: keepPreviousData,
    // While some are still being retried, watch them settle.
    refetchInterval: (current) =>
      current.state.data?.items.some((delivery) => delivery.status === 'pending') ? 5_000 : false,
  });
}

export function useAllWebhookDeliveries(query: DeliveryQuery, enabled = true) {
  return useQuery({
    queryKey: webhookKeys.allDeliveries(query),
    queryFn: ({ signal }) => webhooksApi.allDeliveries(query, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

function storeEndpoint(client: ReturnType<typeof useQueryClient>, endpoint: WebhookEndpoint) {
  client.setQueryData<WebhookEndpoint[]>(webhookKeys.list, (list) => {
    if (!list) return [endpoint];
    return list.some((each) => each.id === endpoint.id)
      ? list.map((each) => (each.id === endpoint.id ? endpoint : each))
      : [...list, endpoint];
  });
}

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateWebhookBody) => webhooksApi.create(input),
    onSuccess: (endpoint) => storeEndpoint(client, endpoint),
  });
}

export function useUpdateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateWebhookBody }) => webhooksApi.update(id, input),
    onSuccess: (endpoint) => storeEndpoint(client, endpoint),
  });
}

export function useDeleteWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => webhooksApi.remove(id),
    onSuccess: (_, id) => {
      client.setQueryData<WebhookEndpoint[]>(webhookKeys.list, (list) => list?.filter((each) => each.id !== id));
      void client.invalidateQueries({ queryKey: webhookKeys.deliveries });
    },
  });
}

/** Sends a ping; the endpoint's log and last delivery time change, so both are refetched. */
export function useTestWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => webhooksApi.test(id),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: webhookKeys.all });
    },
  });
}

/** Replays dead deliveries one after another; answers how many went back in the queue and which failed. */
export function useReplayDeliveries() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (ids: string[]) => {
      const failed: { id: string; error: unknown }[] = [];
      for (const id of ids) {
        try {
          await webhooksApi.replay(id);
        } catch (error) {
          failed.push({ id, error });
        }
      }
      return { replayed: ids.length - failed.length, failed };
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: webhookKeys.all });
    },
  });
}
