import { z } from 'zod';
import { id } from './common.ts';

/*
 * The SMS channel (channels/adapters/sms): an HTTP SMS gateway as Chinese providers have them — approved
 * templates (模板 CODE), a signature (签名) the provider prints as 【signName】, and callbacks for replies and
 * delivery reports. The request format is documented in docs/API.md (短信网关).
 */

const templateCode = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w.-]+$/, '模板 CODE 只能包含字母、数字、下划线、点和短横线');

export const smsChannelConfig = z.strictObject({
  /** Where Huike POSTs each send request (the provider, or a bridge to Aliyun / Tencent Cloud SMS). */
  providerUrl: z.url({ protocol: /^https?$/, error: '请填写 http 或 https 开头的网址' }).max(500),
  accessKeyId: z.string().trim().min(1).max(128),
  /** Secret: stored encrypted, never returned; signs requests and verifies the provider's callbacks. */
  accessKeySecret: z.string().min(1).max(2000),
  /** 短信签名, without 【】: the provider adds it. */
  signName: z
    .string()
    .trim()
    .min(2)
    .max(20)
    .regex(/^[^【】[\]]+$/, '签名不要带【】'),
  templates: z.strictObject({
    /** Agent replies and notifications: the text goes in as the template parameter `content`. */
    notification: templateCode,
    /** Campaigns (营销短信); campaigns need it. */
    marketing: templateCode.optional(),
  }),
});
export type SmsChannelConfig = z.infer<typeof smsChannelConfig>;

/** Dot paths of the SMS config stored encrypted and left out of API responses. */
export const smsSecretKeys = ['accessKeySecret'] as const;

// Campaigns -------------------------------------------------------------------------------------------------------

/**
 * Parameters of the marketing template, by name (`{ "coupon": "满100减20" }`); `{name}` in a value becomes each
 * customer's name (亲 when unknown).
 */
export const smsTemplateParams = z
  .record(
    z.string().regex(/^[A-Za-z_]\w{0,31}$/, '参数名只能包含字母、数字和下划线，且不以数字开头'),
    z.string().max(200),
  )
  .refine((params) => Object.keys(params).length <= 20, '模板参数最多 20 个');

export const smsCampaignPreviewBody = z.strictObject({
  inboxId: id,
  segmentId: id,
  /** Accepted (and ignored) so the form can post the same body to preview and send. */
  templateParams: smsTemplateParams.optional(),
});
export type SmsCampaignPreviewBody = z.infer<typeof smsCampaignPreviewBody>;

export const smsCampaignBody = z.strictObject({
  inboxId: id,
  segmentId: id,
  templateParams: smsTemplateParams.default({}),
});
export type SmsCampaignBody = z.infer<typeof smsCampaignBody>;

/** Who a campaign would reach now: customers of the segment with a valid mobile, not unsubscribed. */
export const smsCampaignPreview = z.object({
  recipients: z.number().int(),
  /** Replied 退订/TD (or were unsubscribed otherwise): skipped. */
  optedOut: z.number().int(),
  /** No mainland mobile number on file: skipped. */
  withoutPhone: z.number().int(),
});
export type SmsCampaignPreview = z.infer<typeof smsCampaignPreview>;
