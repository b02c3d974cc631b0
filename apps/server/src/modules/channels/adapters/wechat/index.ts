import { buffer } from 'node:stream/consumers';
import { wechatChannelConfigFields, wechatEncodingAesKey } from '@huike/contracts';
import { z } from 'zod';
import { AppError } from '../../../../platform/errors.ts';
import { DeliveryError } from '../../../../platform/outbox.ts';
import type { ChannelAdapter, ChannelDelivery, ChannelRuntime } from '../types.ts';
import {
  type CustomMessage,
  checkCredentials,
  configOf,
  IMAGE_TYPES,
  MAX_IMAGE_BYTES,
  sendCustomMessage,
  uploadImage,
} from './api-client.ts';
import { wechatRoutes } from './routes.ts';

/*
 * WeChat Official Account (公众号): inbound through the server configuration URL (routes.ts: plain and safe mode,
 * signatures, AES), outbound as 客服消息 through the outbox (api-client.ts: cached access token, 48-hour window):
 * the text, then each image attachment; an automatic reply ready within the callback's window is its passive reply
 * instead (passive-reply.ts).
 */

type Attachment = ChannelDelivery['message']['attachments'][number];

const isSendableImage = (attachment: Attachment) =>
  attachment.contentType in IMAGE_TYPES && attachment.size <= MAX_IMAGE_BYTES;

async function readAttachment(delivery: ChannelDelivery, runtime: ChannelRuntime, attachment: Attachment) {
  const file = await runtime.files.openAttachment(delivery.inbox.workspaceId, attachment.fileId).catch(() => undefined);
  if (!file) {
    throw new DeliveryError(
      { code: 'delivery.attachment_gone', params: { name: attachment.name } },
      `附件「${attachment.name}」已不存在`,
      { permanent: true },
    );
  }
  return { contentType: file.contentType, data: await buffer(file.stream) };
}

/**
 * Sends a message's parts (each a 客服消息) in order. WeChat takes no idempotency key, so a message of several parts
 * keeps how many were sent in channel state under its delivery id: a retry (automatic, or 重试 after a failure)
 * sends only the rest, and the follower never gets the text twice.
 */
async function sendParts(
  delivery: ChannelDelivery,
  runtime: ChannelRuntime,
  openid: string,
  parts: (() => Promise<CustomMessage>)[],
) {
  const { inbox } = delivery;
  const progressKey = `delivery:${delivery.deliveryId}`;
  const tracked = parts.length > 1;
  let sent = tracked ? Number((await runtime.state.get<{ sent: number }>(inbox, progressKey))?.sent ?? 0) : 0;
  for (; sent < parts.length; sent++) {
    await sendCustomMessage(inbox, runtime, openid, await parts[sent]!());
    if (tracked) await runtime.state.set(inbox, progressKey, { sent: sent + 1 });
  }
  if (tracked) await runtime.state.delete(inbox, progressKey);
}

const NOTHING_SENDABLE = '公众号只能发送文字和图片（JPG、PNG、GIF，10 MB 以内），这条消息没有能发送的内容';

/** A secret as stored: encrypted by the channels module ('v1:…'), when an update leaves it out and keeps it. */
const storedSecret = z.string().startsWith('v1:');

const config = wechatChannelConfigFields
  .extend({
    appSecret: z.union([wechatChannelConfigFields.shape.appSecret, storedSecret]),
    encodingAesKey: z.union([wechatEncodingAesKey, storedSecret]).optional(),
  })
  .refine((value) => value.mode === 'plain' || Boolean(value.encodingAesKey), {
    path: ['encodingAesKey'],
    message: '安全模式需要填写 EncodingAESKey',
  });

export const wechatAdapter: ChannelAdapter = {
  type: 'wechat',
  config,
  secretKeys: ['appSecret', 'encodingAesKey'],
  // Whoever holds the token can sign callbacks as WeChat.
  adminOnlyKeys: ['token'],

  async verify(inbox, runtime) {
    const problem = await checkCredentials(inbox, runtime);
    if (problem) {
      throw new AppError('channel.connection_failed', `无法连接微信公众号：${problem}`, [
        { path: '/channelConfig/appSecret', message: problem },
      ]);
    }
  },

  async deliver(delivery, runtime) {
    const { message, recipients, inbox } = delivery;
    const openid = recipients.find((recipient) => recipient.kind === 'source')?.externalId;
    if (!openid) {
      throw new DeliveryError({ code: 'wechat.not_follower' }, '这位客户没有关注这个公众号（没有 openid），无法发送', {
        permanent: true,
      });
    }
    if (!configOf(inbox).appSecret) {
      throw new DeliveryError(
        { code: 'wechat.no_app_secret' },
        '公众号还没有填写 AppSecret，请在渠道设置中补全后重试',
        {
          permanent: true,
        },
      );
    }
    const content = message.content.trim();
    const images = message.attachments.filter(isSendableImage);
    const notSent = message.attachments.filter((attachment) => !isSendableImage(attachment)).map((a) => a.name);
    const parts: (() => Promise<CustomMessage>)[] = [
      ...(content ? [async () => ({ msgtype: 'text' as const, text: { content } })] : []),
      ...images.map((image) => async () => ({
        msgtype: 'image' as const,
        image: { media_id: await uploadImage(inbox, runtime, await readAttachment(delivery, runtime, image)) },
      })),
    ];
    if (parts.length === 0) {
      throw new DeliveryError({ code: 'wechat.nothing_sendable' }, NOTHING_SENDABLE, { permanent: true });
    }
    await sendParts(delivery, runtime, openid, parts);
    return { meta: { sentAs: 'custom_message', ...(notSent.length > 0 ? { attachmentsNotSent: notSent } : {}) } };
  },

  // Automatic replies wait in the outbox while the callback may still answer them passively (passive-reply.ts).
  holdAutomaticMs: 5_000,

  routes: wechatRoutes,
};
