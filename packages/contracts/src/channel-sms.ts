import { z } from 'zod';
import { id, isoDateTime, listQuery, page, trimmedString } from './common.ts';
import { deliveryReason } from './delivery-reasons.ts';

/*
 * The SMS channel (channels/adapters/sms): an HTTP SMS gateway as Chinese providers have them — approved
 * templates (模板 CODE), a signature (签名) the provider prints as 【signName】, and callbacks for replies and
 * delivery reports. The request format is documented in docs/API.md (短信网关).
 */

const templateCode = trimmedString()
  .min(1)
  .max(64)
  .regex(/^[\w.-]+$/, '模板 CODE 只能包含字母、数字、下划线、点和短横线');

export const smsChannelConfig = z.strictObject({
  /** Where Huike POSTs each send request (the provider, or a bridge to Aliyun / Tencent Cloud SMS). */
  providerUrl: z.url({ protocol: /^https?$/, error: '请填写 http 或 https 开头的网址' }).max(500),
  accessKeyId: trimmedString().min(1).max(128),
  /** Secret: stored encrypted, never returned; signs requests and verifies the provider's callbacks. */
  accessKeySecret: z.string().min(1).max(2000),
  /** 短信签名, without 【】: the provider adds it. */
  signName: trimmedString()
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

/**
 * A campaign's state: queued (job not started), sending (job running, or sends still on the outbox), completed
 * (every recipient sent, reported or skipped), failed (the job itself failed).
 */
export const smsCampaignStatuses = ['queued', 'sending', 'completed', 'failed'] as const;
export type SmsCampaignStatus = (typeof smsCampaignStatuses)[number];

/** A past campaign as the 短信群发记录 list shows it; counts are of its fixed audience, one per customer. */
export const smsCampaignSummary = z.object({
  id,
  inboxId: id,
  segmentId: id.nullable(),
  /** The segment's name when the campaign started (kept if the segment is renamed or deleted). */
  segmentName: z.string(),
  templateCode: z.string(),
  createdAt: isoDateTime,
  /** Null when that user was deleted. */
  createdBy: z.object({ id, name: z.string() }).nullable(),
  status: z.enum(smsCampaignStatuses),
  counts: z.object({
    /** Every customer of the audience, skipped ones included. */
    targeted: z.number().int(),
    /** Accepted by the provider, no delivery report yet. */
    sent: z.number().int(),
    delivered: z.number().int(),
    /** Refused by the provider after retries, or reported undelivered. */
    failed: z.number().int(),
    /** Unsubscribed when the campaign started, or before their SMS went out: skipped. */
    optedOut: z.number().int(),
    /** No mainland mobile number: skipped. */
    noPhone: z.number().int(),
  }),
});
export type SmsCampaignSummary = z.infer<typeof smsCampaignSummary>;

export const smsCampaignPage = page(smsCampaignSummary);

/** A campaign recipient's state: pending → queued (on the outbox) → sent → delivered | failed; or skipped. */
export const smsRecipientStatuses = [
  'pending',
  'queued',
  'sent',
  'delivered',
  'failed',
  'opted_out',
  'no_phone',
] as const;
export type SmsRecipientStatus = (typeof smsRecipientStatuses)[number];

/** What the recipients list filters by: a status, or waiting (pending, queued) and skipped (opted_out, no_phone). */
export const smsRecipientFilters = [
  'waiting',
  'sent',
  'delivered',
  'failed',
  'skipped',
  'opted_out',
  'no_phone',
] as const;
export type SmsRecipientFilter = (typeof smsRecipientFilters)[number];

export const smsCampaignRecipientsQuery = listQuery.extend({
  status: z.enum(smsRecipientFilters).optional(),
  /** A failure group's key from the failure summary (`sms.blacklisted`, `sms.not_delivered:MK:0001`, `unknown`). */
  reason: z.string().trim().min(1).max(120).optional(),
  /** Customer search: name, pinyin, phone (as the customer list searches, masked digits included). */
  q: z.string().trim().max(100).optional(),
});
export type SmsCampaignRecipientsQuery = z.infer<typeof smsCampaignRecipientsQuery>;

/** One customer of a campaign and what became of their SMS. */
export const smsCampaignRecipient = z.object({
  id,
  customer: z.object({ id, name: z.string().nullable(), nickname: z.string().nullable() }),
  /** The number the SMS went to; masked (`138****5678`) for roles without customers:reveal_pii. */
  phone: z.string().nullable(),
  status: z.enum(smsRecipientStatuses),
  /** Why it failed, as a code (null for rows without one); `error` is the server's Chinese sentence. */
  reason: deliveryReason.nullable(),
  error: z.string().nullable(),
  sentAt: isoDateTime.nullable(),
  /** When the state last changed (sent, reported, failed). */
  updatedAt: isoDateTime,
});
export type SmsCampaignRecipient = z.infer<typeof smsCampaignRecipient>;

export const smsCampaignRecipientPage = page(smsCampaignRecipient);

/**
 * A campaign's failures grouped by why, most first. `key` filters the recipients list (`reason=`): the reason code,
 * with the provider's own code for the catch-all ones (`sms.not_delivered:MK:0001`), or `unknown` (no code kept).
 */
export const smsCampaignFailureReasons = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      code: z.string().nullable(),
      providerCode: z.string().nullable(),
      count: z.number().int(),
    }),
  ),
});
export type SmsCampaignFailureReasons = z.infer<typeof smsCampaignFailureReasons>;
