import { wechatChannelConfigFields, wechatEncodingAesKey } from '@huike/contracts';
import { z } from 'zod';
import { AppError } from '../../../../platform/errors.ts';
import { DeliveryError } from '../../../../platform/outbox.ts';
import type { ChannelAdapter } from '../types.ts';
import { checkCredentials, configOf, sendCustomText } from './api-client.ts';
import { wechatRoutes } from './routes.ts';

/*
 * WeChat Official Account (公众号): inbound through the server configuration URL (routes.ts: plain and safe mode,
 * signatures, AES), outbound as 客服消息 through the outbox (api-client.ts: cached access token, 48-hour window);
 * an automatic reply ready within the callback's window is its passive reply instead (passive-reply.ts).
 */

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

  async verify(inbox, runtime) {
    const problem = await checkCredentials(inbox, runtime);
    if (problem) {
      throw new AppError('channel.connection_failed', `无法连接微信公众号：${problem}`, [
        { path: '/channelConfig/appSecret', message: problem },
      ]);
    }
  },

  async deliver({ message, recipients, inbox }, runtime) {
    const openid = recipients.find((recipient) => recipient.kind === 'source')?.externalId;
    if (!openid) throw new DeliveryError('这位客户没有关注这个公众号（没有 openid），无法发送', { permanent: true });
    if (!configOf(inbox).appSecret) {
      throw new DeliveryError('公众号还没有填写 AppSecret，请在渠道设置中补全后重试', { permanent: true });
    }
    const content = message.content.trim();
    if (!content) throw new DeliveryError('公众号渠道暂只能发送文字消息', { permanent: true });
    await sendCustomText(inbox, runtime, openid, content);
    return { meta: { sentAs: 'custom_message', ...(message.attachments.length ? { attachmentsNotSent: true } : {}) } };
  },

  // Automatic replies wait in the outbox while the callback may still answer them passively (passive-reply.ts).
  holdAutomaticMs: 5_000,

  routes: wechatRoutes,
};
