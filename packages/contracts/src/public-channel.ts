import { z } from 'zod';
import { inboxHoursStatus } from './business-hours.ts';
import { trimmedString } from './common.ts';
import { clientMsgId, message, messageContent } from './conversations.ts';
import { emailAddress } from './customers.ts';

export const sourceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:@-]+$/, 'sourceId 只能包含字母、数字和 _.:@-');

/** The buyer's browser language (navigator.language, e.g. en-US): the product's own lines to them follow it. */
export const buyerLanguageTag = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'locale 应为语言标签，如 en-US、zh-CN');

/** Starts (or resumes) a widget visitor. `identifier` + `identifierHash` link a signed-in shop user. */
export const createVisitorBody = z.strictObject({
  locale: buyerLanguageTag.optional(),
  sourceId: sourceId.optional(),
  visitorToken: z.string().max(200).optional(),
  identifier: z.string().min(1).max(128).optional(),
  identifierHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  name: trimmedString().max(100).optional(),
});

export const visitorSession = z.object({
  sourceId,
  visitorToken: z.string(),
  inbox: z.object({
    name: z.string(),
    color: z.string(),
    greeting: z.string(),
    hours: inboxHoursStatus.describe('business hours and whether the inbox is open now'),
    agentsOnline: z.boolean().describe('at least one agent who may work this inbox is online (presence) now'),
  }),
});
export type VisitorSession = z.infer<typeof visitorSession>;

export const publicMessageBody = z.strictObject({
  sourceId,
  content: messageContent,
  clientMsgId: clientMsgId.optional(),
  name: trimmedString().max(100).optional(),
  phone: trimmedString().max(32).optional(),
  email: emailAddress.optional(),
  locale: buyerLanguageTag.optional(),
});

export const publicMessage = message.pick({
  id: true,
  direction: true,
  senderKind: true,
  senderName: true,
  content: true,
  clientMsgId: true,
  attachments: true,
  createdAt: true,
});
export type PublicMessage = z.infer<typeof publicMessage>;

/** Frames the widget sends on its socket. */
export const visitorFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('message'),
    content: messageContent,
    clientMsgId,
    locale: buyerLanguageTag.optional(),
  }),
  z.strictObject({ type: z.literal('ping') }),
  /** The visitor is typing (sent at most every few seconds; never stored). */
  z.strictObject({ type: z.literal('typing') }),
]);

/** Frames the server sends to the widget. */
export const visitorServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ack'), clientMsgId: z.string(), message: publicMessage }),
  z.object({ type: z.literal('message'), message: publicMessage }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string(), clientMsgId: z.string().optional() }),
  z.object({ type: z.literal('pong') }),
  /** An agent is typing a reply (ephemeral). */
  z.object({ type: z.literal('typing') }),
  /** Whether a person is there to answer: sent on connect and after pings. */
  z.object({ type: z.literal('status'), agentsOnline: z.boolean() }),
]);
export type VisitorServerFrame = z.infer<typeof visitorServerFrame>;

/** GET /public/v1/inboxes/{inboxToken}/status: what the widget's header shows (polled when the socket is down). */
export const publicInboxStatus = z.object({
  agentsOnline: z.boolean(),
  hours: inboxHoursStatus,
});
export type PublicInboxStatus = z.infer<typeof publicInboxStatus>;
