import { z } from 'zod';

/*
 * Why a delivery failed (a channel message, a webhook call, an SMS campaign's send) or a mailbox could not be read
 * (an email inbox's IMAP receive health), as a stable code and its values instead of a sentence,
 * so each reader sees it in their own language. The server keeps a Chinese sentence next to it (the text rows stored
 * before codes existed have only that); the web app words a code through its i18n resources.
 * Params: numbers and strings. Two names are understood alike everywhere: `problem` is one of urlProblems (why an
 * address was refused before any request), and `reply`, when present, is the other side's own words (an SMTP answer,
 * a provider's error message), shown after the sentence as it was received.
 */

/** Why an address an admin typed in was refused before any request (platform/safe-fetch.ts). */
export const urlProblems = [
  'invalid_url',
  'protocol',
  'credentials',
  'no_host',
  'dns_failed',
  'private_address',
] as const;
export type UrlProblem = (typeof urlProblems)[number];

export const deliveryReasonCodes = [
  // Any delivery: the receiver's answer, the connection, the outbox itself.
  'delivery.http_status',
  'delivery.redirect',
  'delivery.timeout',
  'delivery.unreachable',
  'delivery.url_refused',
  'delivery.endpoint_deleted',
  'delivery.endpoint_disabled',
  'delivery.message_gone',
  'delivery.channel_cannot_send',
  'delivery.attachment_gone',
  'delivery.no_handler',
  'delivery.unexpected',
  // SMS gateway.
  'sms.no_phone',
  'sms.text_only',
  'sms.campaign_recipient_gone',
  'sms.inbox_deleted',
  'sms.gateway_url_refused',
  'sms.gateway_timeout',
  'sms.gateway_unreachable',
  'sms.gateway_unavailable',
  'sms.gateway_refused',
  'sms.gateway_bad_answer',
  'sms.invalid_number',
  'sms.content_rejected',
  'sms.blacklisted',
  'sms.template_invalid',
  'sms.sign_invalid',
  'sms.auth_failed',
  'sms.param_invalid',
  'sms.throttled',
  'sms.daily_limit',
  'sms.insufficient_balance',
  'sms.provider_failed',
  'sms.not_delivered',
  'sms.empty_number',
  'sms.phone_unreachable',
  'sms.unsubscribed',
  // Email (SMTP out, bounces in).
  'email.no_smtp',
  'email.no_address',
  'email.smtp_host_invalid',
  'email.smtp_host_unresolvable',
  'email.smtp_host_private',
  'email.smtp_auth_failed',
  'email.smtp_rejected',
  'email.smtp_timeout',
  'email.smtp_unreachable',
  'email.smtp_failed',
  'email.bounced',
  'email.bounced_status',
  'email.bounce_reply',
  // Email (IMAP in): an inbox's receive health.
  'email.imap_host_invalid',
  'email.imap_host_unresolvable',
  'email.imap_host_private',
  'email.imap_auth_failed',
  'email.imap_timeout',
  'email.imap_unreachable',
  'email.imap_failed',
  'email.imap_store_failed',
  // WeChat Official Account.
  'wechat.not_follower',
  'wechat.no_app_secret',
  'wechat.nothing_sendable',
  'wechat.api_url_refused',
  'wechat.api_timeout',
  'wechat.api_unreachable',
  'wechat.api_unavailable',
  'wechat.api_bad_answer',
  'wechat.no_access_token',
  'wechat.no_media_id',
  'wechat.api_error',
  'wechat.window_closed',
  'wechat.too_many_messages',
  'wechat.unfollowed',
  'wechat.invalid_openid',
  'wechat.content_too_long',
  'wechat.no_permission',
  'wechat.invalid_app_id',
  'wechat.invalid_app_secret',
  'wechat.ip_not_allowed',
  'wechat.invalid_grant_type',
  'wechat.missing_app_id',
  'wechat.missing_app_secret',
] as const;
export type DeliveryReasonCode = (typeof deliveryReasonCodes)[number];

export type DeliveryReasonParams = Record<string, string | number>;

/**
 * A failure reason as the API answers it. `code` is a plain string here so that an older web app still reads a
 * newer server's codes (it shows the stored text for a code it does not know).
 */
export const deliveryReason = z.object({
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type DeliveryReason = z.infer<typeof deliveryReason>;
