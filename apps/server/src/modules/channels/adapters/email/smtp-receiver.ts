import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import * as repo from '../../channels.repository.ts';
import type { ChannelInbox, ChannelRuntime } from '../types.ts';
import { ingestMail } from './parse-mail.ts';

/*
 * Huike's own SMTP endpoint: a shop forwards its customer-service mailbox to `<inboxToken>@<HUIKE_MAIL_DOMAIN>` and
 * the mail lands in that email inbox. Only existing email inboxes are accepted at RCPT (550 otherwise); no AUTH, no
 * relaying. The answer to DATA comes only after the mail is stored (4xx on failure, so the sender retries; storage
 * is idempotent on the Message-ID, so a retry never stores it twice).
 */

/** Largest forwarded mail, in bytes (attachments are base64 inside it). */
export const DEFAULT_MAX_MAIL_BYTES = 25 * 1024 * 1024;

/** Inboxes one mail may be delivered to (a forwarding rule names one; a few for shared mailboxes). */
const MAX_RECIPIENTS = 20;

export type SmtpReceiver = { port: number; close(): Promise<void> };

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/** Reads the DATA stream, stopping (but draining) once it passes maxBytes. */
async function readMail(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes || (stream as Readable & { sizeExceeded?: boolean }).sizeExceeded
    ? undefined
    : Buffer.concat(chunks);
}

export async function startSmtpReceiver(options: {
  port: number;
  host?: string;
  runtime: ChannelRuntime;
  maxBytes?: number;
  /** Defaults to the runtime config's mailDomain. */
  mailDomain?: string;
}): Promise<SmtpReceiver> {
  const { runtime } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MAIL_BYTES;
  const mailDomain = (options.mailDomain ?? runtime.config.mailDomain ?? 'mail.huike.local').toLowerCase();
  // Inboxes accepted at RCPT, per SMTP session (a session's envelope only carries the addresses).
  const accepted = new WeakMap<SMTPServerSession, Map<string, ChannelInbox>>();

  async function inboxFor(address: string): Promise<ChannelInbox | undefined> {
    const at = address.lastIndexOf('@');
    if (at <= 0 || address.slice(at + 1).toLowerCase() !== mailDomain) return undefined;
    const token = address.slice(0, at);
    if (!/^[\w-]{8,128}$/.test(token)) return undefined;
    let inbox = await runtime.inboxByToken(token);
    if (!inbox) {
      const exact = await repo.emailInboxTokenIgnoringCase(runtime.db, token);
      inbox = exact ? await runtime.inboxByToken(exact) : undefined;
    }
    return inbox?.channelType === 'email' ? inbox : undefined;
  }

  async function deliver(raw: Buffer, inboxes: ChannelInbox[]) {
    for (const inbox of inboxes) {
      const outcome = await ingestMail(raw, { inbox, runtime });
      if (outcome.kind === 'ignored' && outcome.malformed)
        throw smtpError(550, `5.6.0 Message refused: ${outcome.reason}`);
    }
  }

  const server = new SMTPServer({
    name: mailDomain,
    banner: 'Huike mail forwarding',
    size: maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: 100,
    socketTimeout: 60_000,
    onRcptTo(address, session, callback) {
      inboxFor(address.address).then(
        (inbox) => {
          if (!inbox) return callback(smtpError(550, '5.1.1 No such mailbox here'));
          const inboxes = accepted.get(session) ?? new Map<string, ChannelInbox>();
          if (inboxes.size >= MAX_RECIPIENTS) return callback(smtpError(452, '4.5.3 Too many recipients'));
          inboxes.set(inbox.id, inbox);
          accepted.set(session, inboxes);
          callback();
        },
        (error: unknown) => {
          runtime.log.error({ err: error }, 'smtp recipient lookup failed');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      readMail(stream, maxBytes)
        .then(async (raw) => {
          if (!raw) throw smtpError(552, '5.3.4 Message too big');
          const inboxes = [...(accepted.get(session)?.values() ?? [])];
          // A new transaction (MAIL FROM) on the same connection starts with new recipients.
          accepted.delete(session);
          if (inboxes.length === 0) throw smtpError(503, '5.5.1 No valid recipients');
          await deliver(raw, inboxes);
          callback();
        })
        .catch((error: unknown) => {
          accepted.delete(session);
          const code = (error as { responseCode?: number }).responseCode;
          if (code) return callback(error as Error);
          runtime.log.error({ err: error }, 'storing a forwarded mail failed');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        });
    },
  });
  server.on('error', (error) => runtime.log.error({ err: error }, 'smtp receiver error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The forwarding endpoint on worker processes when HUIKE_SMTP_PORT is set (the email adapter's start() calls it);
 * answers its stop function. Off (a no-op stop) when the port is unset.
 */
export function startForwardingReceiver(runtime: ChannelRuntime): () => Promise<void> {
  const port = runtime.config.smtpPort;
  if (port === undefined) return async () => {};
  const started = startSmtpReceiver({ port, host: runtime.config.host, runtime }).then(
    (receiver) => {
      runtime.log.info({ port: receiver.port }, 'mail forwarding endpoint listening');
      return receiver;
    },
    (error: unknown) => {
      runtime.log.error({ err: error, port }, 'mail forwarding endpoint failed to start');
      return undefined;
    },
  );
  return async () => {
    await (await started)?.close();
  };
}
