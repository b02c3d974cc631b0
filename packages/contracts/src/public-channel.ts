import { z } from 'zod';
import { inboxHoursStatus } from './business-hours.ts';
import { clientMsgId, message, messageContent } from './conversations.ts';

export const sourceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:@-]+$/, 'sourceId 只能包含字母、数字和 _.:@-');

/** Starts (or resumes) a widget visitor. `identifier` + `identifierHash` link a signed-in shop user. */
export const createVisitorBody = z.strictObject({
  sourceId: sourceId.optional(),
  visitorToken: z.string().max(200).optional(),
  identifier: z.string().min(1).max(128).optional(),
  identifierHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  name: z.string().trim().max(100).optional(),
});

export const visitorSession = z.object({
  sourceId,
  visitorToken: z.string(),
  inbox: z.object({
    name: z.string(),
    color: z.string(),
    greeting: z.string(),
    hours: inboxHoursStatus.describe('business hours and whether the inbox is open now'),
  }),
});
export type VisitorSession = z.infer<typeof visitorSession>;

export const publicMessageBody = z.strictObject({
  sourceId,
  content: messageContent,
  clientMsgId: clientMsgId.optional(),
  name: z.string().trim().max(100).optional(),
  phone: z.string().trim().max(32).optional(),
  email: z.email().max(254).optional(),
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
  z.strictObject({ type: z.literal('message'), content: messageContent, clientMsgId }),
  z.strictObject({ type: z.literal('ping') }),
]);

/** Frames the server sends to the widget. */
export const visitorServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ack'), clientMsgId: z.string(), message: publicMessage }),
  z.object({ type: z.literal('message'), message: publicMessage }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string(), clientMsgId: z.string().optional() }),
  z.object({ type: z.literal('pong') }),
]);
export type VisitorServerFrame = z.infer<typeof visitorServerFrame>;
