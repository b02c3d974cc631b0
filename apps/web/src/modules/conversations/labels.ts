import { attachmentPreviewOf, type ChannelType, type Conversation } from '@huike/contracts';
import type { TFunction } from 'i18next';

/**
 * The customer's name, or a label that says who they are on the conversation's channel and tells them apart (last
 * characters of the customer id): 「访客 3f2a」 on the website, 「公众号粉丝 3f2a」 on WeChat, 「短信客户 3f2a」…
 * While the inboxes load the channel is unknown: 「客户 3f2a」.
 */
export function customerLabel(
  conversation: Pick<Conversation, 'customerName' | 'customerId'>,
  t: TFunction,
  channelType: ChannelType | undefined,
): string {
  const name = conversation.customerName?.trim();
  if (name) return name;
  const suffix = conversation.customerId.replace(/-/g, '').slice(-4);
  return t(`inbox.unnamed.${channelType ?? 'unknown'}`, { suffix });
}

/**
 * A conversation's preview as the list shows it: the stand-in the server stores for a message with only attachments
 * ([图片], [文件] name) in the UI language, 「暂无消息」 when there is none.
 */
export function previewText(preview: string | null | undefined, t: TFunction): string {
  if (!preview) return t('inbox.noPreview');
  const attachment = attachmentPreviewOf(preview);
  if (attachment?.kind === 'image') return t('attachments.image');
  if (attachment?.kind === 'file') return t('attachments.fileStandIn', { name: attachment.name });
  return preview;
}
