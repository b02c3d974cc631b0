import { z } from 'zod';
import { id, isoDateTime } from './common.ts';

export const conversationStatuses = ['open', 'pending', 'snoozed', 'resolved'] as const;
export const conversationStatus = z.enum(conversationStatuses);
export type ConversationStatus = z.infer<typeof conversationStatus>;

export const senderKind = z.enum(['customer', 'agent', 'bot', 'system']);
export const messageContent = z.string().trim().min(1, '消息不能为空').max(5000);
export const clientMsgId = z.string().min(1).max(64);

export const message = z.object({
  id,
  conversationId: id,
  direction: z.enum(['inbound', 'outbound']),
  senderKind,
  senderId: id.nullable(),
  senderName: z.string().nullable(),
  content: z.string(),
  private: z.boolean(),
  clientMsgId: z.string().nullable(),
  createdAt: isoDateTime,
});
export type Message = z.infer<typeof message>;

export const conversation = z.object({
  id,
  inboxId: id,
  inboxName: z.string(),
  customerId: id,
  customerName: z.string().nullable(),
  status: conversationStatus,
  assigneeId: id.nullable(),
  teamId: id.nullable(),
  snoozedUntil: isoDateTime.nullable(),
  waitingSince: isoDateTime.nullable().describe('when the customer started waiting for an answer'),
  lastMessageAt: isoDateTime,
  lastMessagePreview: z.string().nullable(),
  unreadCount: z.number().int(),
  createdAt: isoDateTime,
});
export type Conversation = z.infer<typeof conversation>;

export const conversationListQuery = z.strictObject({
  assignee: z.enum(['mine', 'unassigned', 'all']).default('all'),
  status: conversationStatus.optional(),
  inboxId: id.optional(),
  customerId: id.optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});

export const conversationCounts = z.object({
  mine: z.number().int(),
  unassigned: z.number().int(),
  all: z.number().int(),
});

export const messageListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional().describe('older-than cursor from the previous page'),
});

export const sendMessageBody = z.strictObject({
  content: messageContent,
  private: z.boolean().default(false),
  clientMsgId: clientMsgId.optional(),
});

export const assignBody = z.strictObject({
  assigneeId: id.nullable().optional(),
  teamId: id.nullable().optional(),
});

export const changeStatusBody = z.strictObject({
  status: conversationStatus,
  snoozedUntil: z.iso.datetime({ offset: true }).optional().describe('required for snoozed; at most a year ahead'),
});
