import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { conversation, message } from './conversations.ts';
import { channelType } from './workspaces.ts';

/*
 * One customer, every channel: where a customer can be reached, their history across all inboxes, answering on
 * a channel of the agent's choice, and identities of other customers that look like the same person.
 */

/**
 * Why an agent cannot write to a customer on an inbox: `receive_only` — the inbox cannot send (an email inbox without
 * an SMTP server); `address_taken` — the profile's address belongs to another customer in this inbox (merge the two
 * first); `no_address` — an email or SMS inbox, but the profile has no email address / mobile number.
 */
export const contactBlockers = ['receive_only', 'address_taken', 'no_address'] as const;
export type ContactBlocker = (typeof contactBlockers)[number];

export const customerChannel = z.object({
  inboxId: id,
  inboxName: z.string(),
  channelType,
  /** How the channel knows them, as the agent may see it: phone masked without PII rights, openids shortened. */
  address: z.string().nullable(),
  lastMessageAt: isoDateTime.nullable(),
  /** Their latest conversation in this inbox (an open one first); null when they never talked there. */
  conversationId: id.nullable(),
  /** Null when an agent can write to the customer here now (「通过其他渠道联系」); otherwise why not. */
  cannotContact: z.enum(contactBlockers).nullable(),
  /** With `address_taken`: the customer who owns the address in this inbox. */
  addressOwner: z.object({ customerId: id, customerName: z.string().nullable() }).nullable(),
});
export type CustomerChannel = z.infer<typeof customerChannel>;

export const customerChannels = z.object({
  /**
   * Every inbox the customer talked on, and the email and SMS inboxes that can send: reachable at the profile's
   * address, or marked with why not. Receive-only inboxes they never used are left out. Latest activity first.
   */
  items: z.array(customerChannel),
  /** The inbox of the customer's latest message to the shop: where an answer most likely reaches them. */
  lastUsedInboxId: id.nullable(),
});
export type CustomerChannels = z.infer<typeof customerChannels>;

/** A message of the cross-channel history, with the inbox it went through. */
export const customerHistoryMessage = message.extend({ inboxId: id, inboxName: z.string(), channelType });
export type CustomerHistoryMessage = z.infer<typeof customerHistoryMessage>;

/** Body of `POST /api/v1/customers/{id}/messages`: answers on the chosen inbox. */
export const customerMessageBody = z.strictObject({
  inboxId: id,
  content: trimmedString().min(1, '消息不能为空').max(5000),
});
export type CustomerMessageBody = z.infer<typeof customerMessageBody>;

export const customerMessageResult = z.object({ message, conversation });
export type CustomerMessageResult = z.infer<typeof customerMessageResult>;

export const identitySuggestionReasons = ['same_phone', 'same_email'] as const;

/** Another customer who shares an email or phone: to merge by hand (only verified data links automatically). */
export const identitySuggestion = z.object({
  customerId: id,
  customerName: z.string().nullable(),
  reason: z.enum(identitySuggestionReasons),
});
export type IdentitySuggestion = z.infer<typeof identitySuggestion>;
