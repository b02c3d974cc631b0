import { z } from 'zod';
import { trimmedString } from './common.ts';

/*
 * The email channel (channels/adapters/email): a mailbox read by IMAP (IDLE where the server has it, otherwise
 * polled) and written by SMTP; mail can also be forwarded to `<inboxToken>@<HUIKE_MAIL_DOMAIN>` at Huike's own SMTP
 * endpoint, so IMAP and SMTP are each optional. Passwords are write-only: stored encrypted, never returned, and
 * kept when an update leaves them out.
 */

/** Common ports: IMAP 993 (TLS) / 143, SMTP 465 (TLS) / 587 (STARTTLS) / 25. */
export const mailServerConfig = z.strictObject({
  host: trimmedString()
    .min(1, '请填写服务器地址')
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]-]+$/, '服务器地址只能是域名或 IP'),
  port: z.number().int().min(1, '端口应在 1–65535 之间').max(65535, '端口应在 1–65535 之间'),
  /** TLS from the first byte (993, 465); false = plain connection upgraded with STARTTLS when the server offers it. */
  secure: z.boolean(),
  user: trimmedString().min(1, '请填写登录用户名').max(320),
  password: z.string().min(1, '请填写密码或授权码').max(1000),
});
export type MailServerConfig = z.infer<typeof mailServerConfig>;

export const emailChannelConfig = z.strictObject({
  /** The shop's service address: replies are sent from it. */
  address: z.email('请填写有效的邮箱地址').max(320),
  /** The sender name buyers see (e.g. 「慧客旗舰店客服」). */
  displayName: trimmedString().max(100).optional(),
  imap: mailServerConfig.optional(),
  smtp: mailServerConfig.optional(),
});
export type EmailChannelConfig = z.infer<typeof emailChannelConfig>;

/** Dot paths of the email config stored encrypted and left out of API responses. */
export const emailSecretKeys = ['imap.password', 'smtp.password'] as const;

/** How an email inbox's config comes back from the API: no passwords, plus its forwarding address. */
export type EmailChannelConfigView = Omit<EmailChannelConfig, 'imap' | 'smtp'> & {
  imap?: Omit<MailServerConfig, 'password'>;
  smtp?: Omit<MailServerConfig, 'password'>;
  /** Mail forwarded here lands in the inbox (computed, read-only). */
  forwardingAddress?: string;
};

/** The address mail can be forwarded to for an inbox. */
export const emailForwardingAddress = (inboxToken: string, mailDomain: string) => `${inboxToken}@${mailDomain}`;
