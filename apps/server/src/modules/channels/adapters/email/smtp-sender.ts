import type { Readable } from 'node:stream';
import type { DeliveryReasonCode, DeliveryReasonParams, EmailChannelConfig, MailServerConfig } from '@huike/contracts';
import type Nodemailer from 'nodemailer';
import { lazyModule } from '../../../../platform/lazy-module.ts';
import { DeliveryError } from '../../../../platform/outbox.ts';
import type { ChannelDelivery, ChannelRuntime } from '../types.ts';
import { BlockedMailHostError, type MailEndpoint, resolveMailHost } from './mail-host.ts';

const nodemailer = lazyModule<typeof Nodemailer>('nodemailer');

/*
 * Replies go out by SMTP from the inbox's own address, threaded the way mail clients expect: `Re: <subject>`,
 * In-Reply-To the customer's latest mail, References the thread's ids. The Message-ID is made from the message's
 * id, so a retried delivery carries the same one (receivers that deduplicate see one mail). A 5xx answer is
 * permanent (the message shows as failed); connection trouble and 4xx are retried by the outbox with backoff.
 */

const CONNECTION_TIMEOUT_MS = 15_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 60_000;
/** References keeps the first id and the latest ones (RFC 5322 allows trimming the middle of a long thread). */
const MAX_REFERENCES = 20;

export const smtpTransport = (
  server: MailServerConfig,
  endpoint: MailEndpoint,
  timeouts: { connection?: number; socket?: number } = {},
) =>
  nodemailer().createTransport({
    host: endpoint.address,
    port: server.port,
    secure: server.secure,
    tls: endpoint.servername ? { servername: endpoint.servername } : undefined,
    auth: { user: server.user, pass: server.password },
    connectionTimeout: timeouts.connection ?? CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: timeouts.socket ?? SOCKET_TIMEOUT_MS,
    name: 'huike',
    logger: false,
    debug: false,
  });

type SmtpError = { code?: string; responseCode?: number; response?: string; message?: string };

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ETLS', 'EPROXY']);

/** What went wrong talking to an SMTP server, in words an admin can act on (never the password). */
export function describeSmtpError(error: unknown, server: Pick<MailServerConfig, 'host' | 'port'>): string {
  const e = (error ?? {}) as SmtpError;
  if (error instanceof BlockedMailHostError) return `SMTP 发信服务器不可用：${error.message}`;
  const reply = e.response ? `：${e.response.replace(/\s+/g, ' ').slice(0, 300)}` : '';
  if (e.code === 'EAUTH') return `SMTP 发信服务器登录失败，请检查用户名和密码（授权码）${reply}`;
  if (e.responseCode) return `SMTP 发信服务器拒绝（${e.responseCode}）${reply}`;
  if (e.code === 'ETIMEDOUT') return `连接 SMTP 发信服务器 ${server.host}:${server.port} 超时`;
  if (e.code && CONNECTION_CODES.has(e.code)) return `无法连接 SMTP 发信服务器 ${server.host}:${server.port}`;
  return `SMTP 发信失败：${(e.message ?? String(error)).slice(0, 300)}`;
}

const BLOCKED_HOST_CODES = {
  invalid: 'email.smtp_host_invalid',
  unresolvable: 'email.smtp_host_unresolvable',
  private: 'email.smtp_host_private',
} as const;

/** The same as describeSmtpError, as a code and its values (the server's answer as `reply`, never the password). */
function smtpReason(
  error: unknown,
  server: Pick<MailServerConfig, 'host' | 'port'>,
): { code: DeliveryReasonCode; params: DeliveryReasonParams } {
  const e = (error ?? {}) as SmtpError;
  if (error instanceof BlockedMailHostError) return { code: BLOCKED_HOST_CODES[error.problem], params: {} };
  const reply: DeliveryReasonParams = e.response ? { reply: e.response.replace(/\s+/g, ' ').slice(0, 300) } : {};
  if (e.code === 'EAUTH') return { code: 'email.smtp_auth_failed', params: reply };
  if (e.responseCode) return { code: 'email.smtp_rejected', params: { responseCode: e.responseCode, ...reply } };
  const where = { host: server.host, port: server.port };
  if (e.code === 'ETIMEDOUT') return { code: 'email.smtp_timeout', params: where };
  if (e.code && CONNECTION_CODES.has(e.code)) return { code: 'email.smtp_unreachable', params: where };
  return { code: 'email.smtp_failed', params: { detail: (e.message ?? String(error)).slice(0, 300) } };
}

/** SMTP 5xx (and an envelope no server would take) cannot succeed on retry; anything else may. */
export function deliveryErrorFor(error: unknown, server: Pick<MailServerConfig, 'host' | 'port'>): DeliveryError {
  const e = (error ?? {}) as SmtpError;
  const permanent =
    (e.responseCode ?? 0) >= 500 ||
    (e.code === 'EENVELOPE' && !e.responseCode) ||
    (error instanceof BlockedMailHostError && error.problem !== 'unresolvable');
  return new DeliveryError(smtpReason(error, server), describeSmtpError(error, server), {
    permanent,
    statusCode: e.responseCode,
  });
}

/** Checks the SMTP server answers and takes the login; answers the problem in words, or undefined. */
export async function checkSmtp(
  server: MailServerConfig,
  runtime: Pick<ChannelRuntime, 'config'>,
): Promise<string | undefined> {
  let transport: ReturnType<typeof smtpTransport> | undefined;
  try {
    const endpoint = await resolveMailHost(server.host, runtime.config.allowPrivateWebhooks === true);
    transport = smtpTransport(server, endpoint, { connection: 10_000, socket: 15_000 });
    await transport.verify();
    return undefined;
  } catch (error) {
    return describeSmtpError(error, server);
  } finally {
    transport?.close();
  }
}

const bracketed = (id: string) => (id.startsWith('<') ? id : `<${id}>`);
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1) || 'huike.local';
const looksLikeEmail = (value: string) => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value);

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The reply as simple HTML: the agent's text, escaped, line breaks kept. */
export const replyHtml = (text: string) =>
  `<div style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6">${escapeHtml(
    text,
  ).replace(/\r?\n/g, '<br>')}</div>`;

/** `Re: <subject>` unless it already says so (Re:, 回复：, 答复：); `fallback` when the thread has none. */
export function replySubject(subject: string | undefined, fallback: string): string {
  const base = subject?.trim();
  if (!base) return fallback;
  return /^(re|回复|答复)\s*[:：]/i.test(base) ? base : `Re: ${base}`;
}

const metaString = (meta: Record<string, unknown> | null, key: string) =>
  typeof meta?.[key] === 'string' ? (meta[key] as string) : undefined;

/** The headers of a reply in this thread. */
export function threadHeaders(thread: ChannelDelivery['thread']) {
  const ids = [...new Set(thread.map((item) => bracketed(item.externalId)))];
  const references = ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
  const lastInbound = [...thread].reverse().find((item) => item.direction === 'inbound');
  const subjectSource =
    [...thread].reverse().find((item) => item.direction === 'inbound' && metaString(item.channelMeta, 'subject')) ??
    [...thread].reverse().find((item) => metaString(item.channelMeta, 'subject'));
  return {
    inReplyTo: lastInbound ? bracketed(lastInbound.externalId) : undefined,
    references,
    subject: subjectSource ? metaString(subjectSource.channelMeta, 'subject') : undefined,
  };
}

/** Sends one agent reply; answers its Message-ID and what to add to the message's channelMeta. */
export async function sendReply(
  delivery: ChannelDelivery,
  runtime: ChannelRuntime,
): Promise<{ externalId: string; meta: Record<string, unknown> }> {
  const { inbox, message, recipients, customer, thread } = delivery;
  const config = inbox.config as EmailChannelConfig;
  if (!config.smtp) {
    throw new DeliveryError({ code: 'email.no_smtp' }, '该邮箱渠道没有设置 SMTP 发信服务器，无法发送邮件', {
      permanent: true,
    });
  }
  const to =
    recipients.find((recipient) => recipient.kind === 'source' && looksLikeEmail(recipient.externalId))?.externalId ??
    (customer.email && looksLikeEmail(customer.email) ? customer.email : undefined);
  if (!to) throw new DeliveryError({ code: 'email.no_address' }, '客户没有邮箱地址，无法发送邮件', { permanent: true });

  const headers = threadHeaders(thread);
  const subject = replySubject(headers.subject, `来自「${config.displayName || inbox.name}」的消息`);
  const messageId = `<${message.id}@${domainOf(config.address)}>`;

  const attachments: { filename: string; contentType: string; content: Readable }[] = [];
  for (const attachment of message.attachments ?? []) {
    const file = await runtime.files.openAttachment(inbox.workspaceId, attachment.fileId).catch(() => undefined);
    if (!file) {
      throw new DeliveryError(
        { code: 'delivery.attachment_gone', params: { name: attachment.name } },
        `附件「${attachment.name}」已不存在`,
        { permanent: true },
      );
    }
    attachments.push({ filename: attachment.name, contentType: file.contentType, content: file.stream });
  }

  let transport: ReturnType<typeof smtpTransport> | undefined;
  try {
    const endpoint = await resolveMailHost(config.smtp.host, runtime.config.allowPrivateWebhooks === true);
    transport = smtpTransport(config.smtp, endpoint);
    await transport.sendMail({
      from: config.displayName ? { name: config.displayName, address: config.address } : config.address,
      to,
      subject,
      messageId,
      inReplyTo: headers.inReplyTo,
      references: headers.references.length > 0 ? headers.references : undefined,
      text: message.content,
      html: replyHtml(message.content),
      attachments,
      envelope: { from: config.address, to: [to] },
    });
  } catch (error) {
    throw deliveryErrorFor(error, config.smtp);
  } finally {
    transport?.close();
  }
  return {
    externalId: messageId,
    meta: {
      subject,
      from: config.address,
      to: [to],
      messageId,
      inReplyTo: headers.inReplyTo ?? null,
      references: headers.references,
    },
  };
}
