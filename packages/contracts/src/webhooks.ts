import { z } from 'zod';
import { id, isoDateTime, listQuery, trimmedString } from './common.ts';
import { deliveryReason } from './delivery-reasons.ts';

// ---------------------------------------------------------------------------------------------------------
// Outgoing webhooks: events POSTed to an integrator's URL (ERP, marketplace bridge, BI), signed with the
// endpoint's secret, retried with backoff; dead deliveries are listed and can be replayed.
// ---------------------------------------------------------------------------------------------------------

export const webhookEvents = [
  'message.created',
  'conversation.created',
  'conversation.resolved',
  'ticket.created',
  'ticket.updated',
  'ticket.resolved',
  'customer.created',
  'customer.updated',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export const webhookEventLabels: Record<WebhookEvent, string> = {
  'message.created': '新消息（公开消息）',
  'conversation.created': '新会话',
  'conversation.resolved': '会话已解决',
  'ticket.created': '新工单',
  'ticket.updated': '工单更新',
  'ticket.resolved': '工单已解决',
  'customer.created': '新客户',
  'customer.updated': '客户资料更新',
};

/** Sent by `POST /api/v1/webhooks/{id}/test`; never subscribed to. */
export const WEBHOOK_PING_EVENT = 'ping';

export const WEBHOOK_URL_MAX = 2000;
export const WEBHOOK_DESCRIPTION_MAX = 200;

export const webhookEndpoint = z.object({
  id,
  url: z.string(),
  description: z.string(),
  events: z.array(z.enum(webhookEvents)),
  enabled: z.boolean(),
  /** Signing secret; null for roles that may not see it. */
  secret: z.string().nullable(),
  createdAt: isoDateTime,
  /** When the latest delivery to it was attempted. */
  lastDeliveryAt: isoDateTime.nullable(),
  /** Dead deliveries (out of attempts or refused): the dead-letter list. */
  failing: z.number().int(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;

const webhookUrl = trimmedString().min(1, '请填写网址').max(WEBHOOK_URL_MAX);
const webhookEventList = z
  .array(z.enum(webhookEvents))
  .min(1, '至少订阅一个事件')
  .max(webhookEvents.length)
  .refine((events) => new Set(events).size === events.length, '事件不能重复');

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  description: trimmedString().max(WEBHOOK_DESCRIPTION_MAX).default(''),
  events: webhookEventList,
  enabled: z.boolean().default(true),
});
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

export const updateWebhookBody = z.strictObject({
  url: webhookUrl.optional(),
  description: trimmedString().max(WEBHOOK_DESCRIPTION_MAX).optional(),
  events: webhookEventList.optional(),
  enabled: z.boolean().optional(),
  /** A new signing secret (the old one stops working at once). */
  rotateSecret: z.literal(true).optional(),
});
export type UpdateWebhookBody = z.infer<typeof updateWebhookBody>;

export const webhookDeliveryStatuses = ['pending', 'succeeded', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

export const webhookDeliveryStatusLabels: Record<WebhookDeliveryStatus, string> = {
  pending: '投递中',
  succeeded: '成功',
  dead: '失败（已停止重试）',
};

export const webhookDelivery = z.object({
  id,
  endpointId: id,
  /** One of webhookEvents, or 'ping'. */
  event: z.string(),
  status: z.enum(webhookDeliveryStatuses),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  /** The latest failure in Chinese; deliveries made before reasons had codes have only this. */
  lastError: z.string().nullable(),
  /** The latest failure as a code and its values, for the reader's language. */
  lastReason: deliveryReason.nullable(),
  lastDurationMs: z.number().int().nullable(),
  /** Pending: when the next attempt is due. */
  nextAttemptAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDelivery>;

export const webhookDeliveryListQuery = listQuery.extend({
  status: z.enum(webhookDeliveryStatuses).optional(),
});
export type WebhookDeliveryListQuery = z.infer<typeof webhookDeliveryListQuery>;

/** The JSON body every delivery POSTs. `id` is the delivery id (also in `X-Huike-Delivery`), stable across retries. */
export type WebhookPayload = {
  id: string;
  event: WebhookEvent | typeof WEBHOOK_PING_EVENT;
  workspaceId: string;
  occurredAt: string;
  data: Record<string, unknown>;
};
