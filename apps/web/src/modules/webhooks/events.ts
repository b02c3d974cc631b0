import { type WebhookEvent, webhookEvents } from '@huike/contracts';
import type { TFunction } from 'i18next';

export type EventGroup = 'message' | 'conversation' | 'ticket' | 'customer';

/** The event checkboxes, grouped 消息 / 会话 / 工单 / 客户 (by the part before the dot). */
export const eventGroups: { key: EventGroup; events: WebhookEvent[] }[] = (
  ['message', 'conversation', 'ticket', 'customer'] as const
).map((key) => ({ key, events: webhookEvents.filter((event) => event.startsWith(`${key}.`)) }));

const labelKeys = {
  'message.created': 'message_created',
  'conversation.created': 'conversation_created',
  'conversation.resolved': 'conversation_resolved',
  'ticket.created': 'ticket_created',
  'ticket.updated': 'ticket_updated',
  'ticket.resolved': 'ticket_resolved',
  'customer.created': 'customer_created',
  'customer.updated': 'customer_updated',
  ping: 'ping',
} as const;

/** An event's name for people (「新消息」); unknown events show as they are. */
export function eventLabel(t: TFunction, event: string): string {
  const key = labelKeys[event as keyof typeof labelKeys];
  return key ? t(`webhooks.events.${key}`) : event;
}
