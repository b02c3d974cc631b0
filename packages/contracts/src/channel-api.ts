import { z } from 'zod';

/*
 * The generic API channel (channels/adapters/api): marketplace bridges (Taobao/JD/Douyin), apps and gateways.
 * Inbound through the public channel API (HMAC-signed); outbound agent replies are POSTed to `outboundUrl`, signed
 * with the inbox secret like webhooks (`X-Huike-Signature: t=…,v1=…`). Without it the integrator polls for replies.
 */
export const apiChannelConfig = z.strictObject({
  outboundUrl: z
    .url({ protocol: /^https?$/, error: '请填写 http 或 https 开头的网址' })
    .max(2000)
    .optional(),
});
export type ApiChannelConfig = z.infer<typeof apiChannelConfig>;

/** What Huike POSTs to `outboundUrl` for each outbound message (`X-Huike-Event: message.outbound`). */
export type ApiChannelOutbound = {
  /** The delivery id (also `X-Huike-Delivery`): stable across retries, deduplicate on it. */
  id: string;
  event: 'message.outbound';
  inboxId: string;
  /** The contact's sourceId in this inbox (as the integrator sent it inbound). */
  sourceId: string | null;
  customer: { id: string; name: string | null };
  message: {
    id: string;
    conversationId: string;
    senderKind: string;
    senderName: string | null;
    content: string;
    attachments: { name: string; contentType: string; size: number }[];
    createdAt: string;
  };
};
