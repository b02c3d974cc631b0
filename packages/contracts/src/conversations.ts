import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { deliveryReason } from './delivery-reasons.ts';

export const conversationStatuses = ['open', 'pending', 'snoozed', 'resolved'] as const;
export const conversationStatus = z.enum(conversationStatuses);
export type ConversationStatus = z.infer<typeof conversationStatus>;

export const senderKind = z.enum(['customer', 'agent', 'bot', 'system']);
/** The longest message, in characters (after trimming). */
export const MESSAGE_MAX_LENGTH = 5000;
export const messageContent = trimmedString().min(1, '消息不能为空').max(MESSAGE_MAX_LENGTH);
export const clientMsgId = z.string().min(1).max(64);

export const sentimentLabels = ['positive', 'neutral', 'negative'] as const;
export type SentimentLabel = (typeof sentimentLabels)[number];
export const messageSentiment = z.object({
  label: z.enum(sentimentLabels),
  /** Probability of the label, 0.5–1; for `neutral`, how sure the model was of its lean (below 0.8). */
  score: z.number().min(0).max(1),
});
export type MessageSentiment = z.infer<typeof messageSentiment>;
/** complaint_threat, refund_dispute, strong_negative, repeated_contact. */
export const urgencyReasons = ['complaint_threat', 'refund_dispute', 'strong_negative', 'repeated_contact'] as const;
export const messageUrgency = z.object({ urgent: z.boolean(), reasons: z.array(z.enum(urgencyReasons)) });
export type MessageUrgency = z.infer<typeof messageUrgency>;

/** Kinds of file an attachment may be (sniffed from the bytes on upload; SVG and HTML are refused). */
export const attachmentContentTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/plain',
] as const;
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const MESSAGE_ATTACHMENTS_MAX = 10;

/** A file sent with a message. `url`: for agents the workspace download, for visitors a signed, expiring link. */
export const messageAttachment = z.object({
  fileId: id,
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  url: z.string(),
});
export type MessageAttachment = z.infer<typeof messageAttachment>;

/** The answer to `POST /api/v1/attachments` (multipart, one file in the field `file`). */
export const uploadedAttachment = z.object({
  fileId: id,
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
});
export type UploadedAttachment = z.infer<typeof uploadedAttachment>;

export const deliveryStatuses = ['pending', 'sent', 'delivered', 'failed', 'bounced'] as const;
export const messageDelivery = z.object({
  status: z.enum(deliveryStatuses),
  /** Why it failed or bounced, for the agent (Chinese, no secrets); messages stored before reasons had codes have only this. */
  error: z.string().nullable(),
  /** The same as a code and its values, for the reader's language (null on older messages and while it went well). */
  reason: deliveryReason.nullable(),
});
export type MessageDelivery = z.infer<typeof messageDelivery>;

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
  attachments: z.array(messageAttachment),
  /** Inbound customer messages: scored on arrival (nlp module); null for other messages. */
  sentiment: messageSentiment.nullable(),
  urgency: messageUrgency.nullable(),
  /** The channel's own id (email Message-ID, WeChat MsgId, an integrator's id); null for widget messages. */
  externalId: z.string().nullable(),
  /** Outbound on channels that deliver later (email, WeChat, SMS, API); null for widget and private messages. */
  delivery: messageDelivery.nullable(),
  /** What the channel adds: email subject/from/to/cc/html (sanitised), WeChat msgType/event. */
  channelMeta: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoDateTime,
});
export type Message = z.infer<typeof message>;

/** How long a conversation's stored preview of its latest message is. */
export const PREVIEW_LENGTH = 120;
/**
 * The preview of a message without text stands in for its attachments. These stand-ins are markers, not words:
 * clients show them in their own language (attachmentPreviewOf). Rows stored before keep the same text.
 */
export const PREVIEW_IMAGE = '[图片]';
export const PREVIEW_FILE_PREFIX = '[文件] ';

/** A message's preview for the conversation list: its text on one line, or a stand-in for its attachments. */
export function messagePreview(
  content: string,
  attachments: readonly { name: string; contentType: string }[] = [],
): string {
  const text = content.replace(/\s+/g, ' ');
  const [first] = attachments;
  if (text.trim() || !first) return text.slice(0, PREVIEW_LENGTH);
  return attachments.every((attachment) => attachment.contentType.startsWith('image/'))
    ? PREVIEW_IMAGE
    : `${PREVIEW_FILE_PREFIX}${first.name}`.slice(0, PREVIEW_LENGTH);
}

export type AttachmentPreview = { kind: 'image' } | { kind: 'file'; name: string };

/** What a stored preview stands in for when it is an attachment stand-in (messagePreview), else null. */
export function attachmentPreviewOf(preview: string | null | undefined): AttachmentPreview | null {
  if (preview === PREVIEW_IMAGE) return { kind: 'image' };
  if (preview?.startsWith(PREVIEW_FILE_PREFIX))
    return { kind: 'file', name: preview.slice(PREVIEW_FILE_PREFIX.length) };
  return null;
}

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
  lastMessagePreview: z
    .string()
    .nullable()
    .describe(
      "the latest public message's text; one with only attachments: `[图片]` or `[文件] name` (messagePreview)",
    ),
  /** Email conversations: the first mail's subject. */
  subject: z.string().nullable(),
  unreadCount: z.number().int(),
  /** Whether the customer's latest message was urgent (nlp module). */
  lastUrgent: z.boolean().optional(),
  /** low | normal | high | urgent (set by agents or automation rules). */
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  createdAt: isoDateTime,
});
export type Conversation = z.infer<typeof conversation>;

export const conversationListQuery = z.strictObject({
  assignee: z.enum(['mine', 'unassigned', 'all']).default('all'),
  status: conversationStatus.optional(),
  inboxId: id.optional(),
  customerId: id.optional(),
  q: trimmedString().max(100).optional(),
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

export const sendMessageBody = z
  .strictObject({
    /** May be empty when the reply is attachments only. */
    content: trimmedString().max(MESSAGE_MAX_LENGTH).default(''),
    private: z.boolean().default(false),
    clientMsgId: clientMsgId.optional(),
    /** Files uploaded with `POST /api/v1/attachments` (or a template's attachments). */
    attachmentIds: z.array(id).max(MESSAGE_ATTACHMENTS_MAX, `最多 ${MESSAGE_ATTACHMENTS_MAX} 个附件`).default([]),
  })
  .refine((body) => body.content.length > 0 || body.attachmentIds.length > 0, {
    message: '消息不能为空',
    path: ['content'],
  });

export const assignBody = z.strictObject({
  assigneeId: id.nullable().optional(),
  teamId: id.nullable().optional(),
});

export const changeStatusBody = z.strictObject({
  status: conversationStatus,
  snoozedUntil: z.iso.datetime({ offset: true }).optional().describe('required for snoozed; at most a year ahead'),
});
