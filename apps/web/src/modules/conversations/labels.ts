import type { Conversation } from '@huike/contracts';
import type { TFunction } from 'i18next';

/** The customer's name, or "访客 3f2a" for an anonymous visitor (last characters of the customer id). */
export function customerLabel(conversation: Pick<Conversation, 'customerName' | 'customerId'>, t: TFunction): string {
  const name = conversation.customerName?.trim();
  if (name) return name;
  return t('inbox.visitor', { suffix: conversation.customerId.replace(/-/g, '').slice(-4) });
}
