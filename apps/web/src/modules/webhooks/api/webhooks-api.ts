import type {
  CreateWebhookBody,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type { WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint };

type List<T> = T[] | Page<T>;

/** Every endpoint (a workspace has a handful): walks the pages when the server pages them. */
async function listAll(signal?: AbortSignal): Promise<WebhookEndpoint[]> {
  const items: WebhookEndpoint[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 20; guard += 1) {
    const answer = await api.get<List<WebhookEndpoint>>('/api/v1/webhooks', { limit: 100, cursor }, signal);
    if (Array.isArray(answer)) return answer;
    items.push(...answer.items);
    if (!answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  return items;
}

export type DeliveryQuery = { status?: WebhookDeliveryStatus; limit: number; cursor?: string };

export const webhooksApi = {
  list: listAll,
  get: (id: string, signal?: AbortSignal) => api.get<WebhookEndpoint>(`/api/v1/webhooks/${id}`, undefined, signal),
  create: (input: CreateWebhookBody) => api.post<WebhookEndpoint>('/api/v1/webhooks', input),
  update: (id: string, input: UpdateWebhookBody) => api.patch<WebhookEndpoint>(`/api/v1/webhooks/${id}`, input),
  remove: (id: string) => api.delete<void>(`/api/v1/webhooks/${id}`),
  /** Sends a `ping` delivery; answers the delivery (its first attempt's outcome when the server waited for it). */
  test: (id: string) => api.post<WebhookDelivery>(`/api/v1/webhooks/${id}/test`),
  deliveries: (id: string, query: DeliveryQuery, signal?: AbortSignal) =>
    api.get<Page<WebhookDelivery>>(`/api/v1/webhooks/${id}/deliveries`, query, signal),
  /** Deliveries across every endpoint (the dead-letter list with status=dead). */
  allDeliveries: (query: DeliveryQuery, signal?: AbortSignal) =>
    api.get<Page<WebhookDelivery>>('/api/v1/webhook-deliveries', query, signal),
  replay: (deliveryId: string) => api.post<WebhookDelivery>(`/api/v1/webhook-deliveries/${deliveryId}/replay`),
};
