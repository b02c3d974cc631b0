import { z } from 'zod';
import { trimmedString } from './common.ts';

/** WeChat's own API host; a different base (a proxy, a local stand-in in tests) can be configured. */
export const WECHAT_API_BASE_URL = 'https://api.weixin.qq.com';

/** The EncodingAESKey of 公众号 → 开发 → 基本配置: 43 letters and digits (base64 of a 32-byte AES key). */
export const wechatEncodingAesKey = trimmedString().regex(/^[A-Za-z0-9]{43}$/, 'EncodingAESKey 应为 43 位字母和数字');

/**
 * A WeChat Official Account (公众号) inbox. Secrets (`appSecret`, `encodingAesKey`) are write-only. `safe` mode
 * (安全模式) needs the EncodingAESKey; the server configuration URL is `/public/v1/channels/wechat/{inboxToken}`.
 */
export const wechatChannelConfigFields = z.strictObject({
  appId: trimmedString().regex(/^wx[0-9a-zA-Z]{10,30}$/, 'AppID 以 wx 开头，见公众号后台「开发 → 基本配置」'),
  appSecret: trimmedString().min(1, '请填写 AppSecret').max(128),
  token: trimmedString().regex(/^[A-Za-z0-9]{3,32}$/, '令牌（Token）应为 3–32 位字母和数字'),
  encodingAesKey: wechatEncodingAesKey.optional(),
  mode: z.enum(['plain', 'safe']),
  apiBaseUrl: z.url({ protocol: /^https?$/, message: '接口地址应为 http(s) 网址' }).default(WECHAT_API_BASE_URL),
});

export const wechatChannelConfig = wechatChannelConfigFields.refine(
  (config) => config.mode === 'plain' || Boolean(config.encodingAesKey),
  {
    path: ['encodingAesKey'],
    message: '安全模式需要填写 EncodingAESKey',
  },
);
export type WechatChannelConfig = z.infer<typeof wechatChannelConfig>;

/** The path WeChat calls (server configuration URL), relative to Huike's public address. */
export const wechatCallbackPath = (inboxToken: string) => `/public/v1/channels/wechat/${inboxToken}`;
