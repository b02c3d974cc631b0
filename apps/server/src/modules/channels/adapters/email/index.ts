import { type EmailChannelConfig, emailChannelConfig, emailForwardingAddress, emailSecretKeys } from '@huike/contracts';
import type { Config } from '../../../../config.ts';
import { AppError } from '../../../../platform/errors.ts';
import type { ChannelAdapter, ChannelInbox, ChannelRuntime } from '../types.ts';
import { checkImap, pullOnce, type StoreRawMail, startImapPullers } from './imap-puller.ts';
import { ingestMail } from './parse-mail.ts';
import { startForwardingReceiver } from './smtp-receiver.ts';
import { checkSmtp, sendReply } from './smtp-sender.ts';

/*
 * The email channel: a shop mailbox read by IMAP (imap-puller.ts) or mail forwarded to Huike's own SMTP endpoint
 * (smtp-receiver.ts), parsed and threaded by parse-mail.ts, and replies sent by SMTP (smtp-sender.ts).
 */

/** A raw mail from the mailbox: a customer's message is stored, a bounce marks our message, the rest is ignored. */
export const storeRawMail: StoreRawMail = async (raw, inbox, runtime) => {
  await ingestMail(raw, { inbox, runtime });
};

/** Runs one IMAP pass for an inbox now (tests; a manual fetch). Answers how many messages it stored. */
export const pullEmailInbox = (inbox: ChannelInbox, runtime: ChannelRuntime) => pullOnce(inbox, runtime, storeRawMail);

/** Logs in to the IMAP and SMTP servers given; refuses the config naming each side that does not work. */
async function verifyMailServers(inbox: ChannelInbox, runtime: ChannelRuntime) {
  const config = inbox.config as EmailChannelConfig;
  const [imapProblem, smtpProblem] = await Promise.all([
    config.imap ? checkImap(config.imap, runtime) : undefined,
    config.smtp ? checkSmtp(config.smtp, runtime) : undefined,
  ]);
  const problems = [
    ...(imapProblem ? [{ path: '/channelConfig/imap', message: imapProblem }] : []),
    ...(smtpProblem ? [{ path: '/channelConfig/smtp', message: smtpProblem }] : []),
  ];
  if (problems.length > 0) {
    throw new AppError('channel.connection_failed', problems.map((problem) => problem.message).join('；'), problems);
  }
}

/**
 * An email inbox keeps a way to receive: its IMAP section may be removed only while Huike's forwarding endpoint
 * (HUIKE_SMTP_PORT) is on, since mail forwarded to the inbox's address is then its way in.
 */
function checkMailChange(before: Record<string, unknown>, after: Record<string, unknown>, appConfig: Config) {
  if (!before.imap || after.imap || appConfig.smtpPort !== undefined) return;
  const message = '不能移除 IMAP 收信：本服务器未开启邮件转发，移除后这个邮箱将收不到任何邮件';
  throw new AppError('channel.no_receive_path', message, [{ path: '/channelConfig/imap', message }]);
}

export const emailAdapter: ChannelAdapter = {
  type: 'email',
  config: emailChannelConfig,
  secretKeys: emailSecretKeys,
  verify: (inbox, runtime) => verifyMailServers(inbox, runtime),
  checkChange: checkMailChange,
  deliver: (delivery, runtime) => sendReply(delivery, runtime),
  canSend: (config) => Boolean((config as EmailChannelConfig).smtp),
  describeConfig: (inbox, appConfig) => ({
    forwardingAddress: emailForwardingAddress(inbox.token, appConfig.mailDomain ?? 'mail.huike.local'),
  }),
  start(runtime) {
    const stops = [startImapPullers(runtime, storeRawMail), startForwardingReceiver(runtime)];
    return async () => {
      await Promise.all(stops.map((stop) => stop()));
    };
  },
};
