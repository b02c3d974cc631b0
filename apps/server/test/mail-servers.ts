import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/*
 * Real mail servers for the email channel's tests: Debian's Dovecot as the IMAP server (a throwaway instance with
 * its own config, mail and sockets in a temp dir, on a spare port, no root needed) and an `smtp-server` receiver
 * that keeps every message sent to it. CI installs Dovecot (.ci/run); a machine without it fails these tests with
 * a message saying how to get it, never skips them.
 */

export const DOVECOT = '/usr/sbin/dovecot';

const spareTcpPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const acceptsConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A mailbox user of the test Dovecot. */
export type Mailbox = {
  user: string;
  password: string;
  /** Puts a raw RFC 822 message into the user's INBOX (IMAP APPEND); answers its UID. */
  append(raw: string | Buffer): Promise<number>;
};

export type Dovecot = {
  host: string;
  port: number;
  /** Adds a mailbox user: one per test keeps tests apart. */
  createMailbox(user?: string, password?: string): Mailbox;
  /** The dovecot log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
};

/** Starts a private Dovecot; add mailbox users with `createMailbox`. */
export async function startDovecot(): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) {
    throw new Error(
      `Dovecot is not installed (${DOVECOT} missing): the email channel's tests need a real IMAP server. ` +
        'Install it with `apt-get install -y dovecot-imapd` (CI does this in .ci/run).',
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'huike-dovecot-'));
  chmodSync(dir, 0o755);
  const mailDir = path.join(dir, 'mail');
  mkdirSync(mailDir);
  mkdirSync(path.join(dir, 'run'));
  mkdirSync(path.join(dir, 'state'));

  // Dovecot refuses to run its login processes as root: as root, use the users the package creates (the master
  // still runs as root); otherwise everything runs as the current user.
  const me = userInfo();
  const asRoot = me.uid === 0;
  const account = (name: string) => ({
    uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim()),
  });
  const groupName = asRoot ? 'dovecot' : execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const mailOwner = asRoot ? account('dovecot') : { uid: me.uid, gid: me.gid };
  if (asRoot) chownSync(mailDir, mailOwner.uid, mailOwner.gid);

  const port = await spareTcpPort();
  // One passwd file per user, written once: Dovecot notices a changed file only by its timestamp.
  const passwdDir = path.join(dir, 'passwd');
  mkdirSync(passwdDir);
  chmodSync(passwdDir, 0o755);
  const config = path.join(dir, 'dovecot.conf');
  const logFile = path.join(dir, 'dovecot.log');
  writeFileSync(
    config,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${logFile}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${asRoot ? 'dovecot' : me.username}
default_internal_group = ${groupName}
default_login_user = ${asRoot ? 'dovenull' : me.username}
first_valid_uid = 1
first_valid_gid = 0
mail_location = maildir:${mailDir}/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdDir}/%u
}
userdb {
  driver = static
  args = uid=${mailOwner.uid} gid=${mailOwner.gid} home=${mailDir}/%u
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );

  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let output = '';
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exitedPromise, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const deadline = Date.now() + 15_000;
  while (!(await acceptsConnections(port))) {
    if (exited || Date.now() > deadline) {
      const reason = `${output}\n${log()}`.trim();
      await stop();
      throw new Error(`Dovecot did not start on port ${port}: ${reason || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const append = async (user: string, password: string, raw: string | Buffer) => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    try {
      const appended = await client.append('INBOX', typeof raw === 'string' ? Buffer.from(raw) : raw);
      if (!appended || appended.uid === undefined) throw new Error('APPEND answered no UID');
      return appended.uid;
    } finally {
      await client.logout().catch(() => undefined);
    }
  };

  return {
    host: '127.0.0.1',
    port,
    createMailbox(
      user = `shop-${randomBytes(4).toString('hex')}@shop.test`,
      password = randomBytes(9).toString('hex'),
    ) {
      writeFileSync(path.join(passwdDir, user), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
      return { user, password, append: (raw) => append(user, password, raw) };
    },
    log,
    stop,
  };
}

/** A message the SMTP receiver got, with its envelope and parsed headers. */
export type ReceivedMail = {
  from: string | undefined;
  to: string[];
  raw: Buffer;
  subject: string | undefined;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
  text: string | undefined;
  html: string | undefined;
  attachments: { filename: string | undefined; contentType: string; content: Buffer }[];
  headerFrom: string | undefined;
};

export type SmtpReceiver = {
  host: string;
  port: number;
  user: string;
  password: string;
  received: ReceivedMail[];
  /** The next RCPT TO (or DATA) is refused with this SMTP reply (e.g. 550 mailbox unavailable), until reset. */
  refuse(reply: { code: number; message: string } | null): void;
  stop(): Promise<void>;
};

/** A real SMTP server (plain, AUTH PLAIN/LOGIN over cleartext) on a spare port that keeps what it receives. */
export async function startSmtpReceiver(options: { user?: string; password?: string } = {}): Promise<SmtpReceiver> {
  const user = options.user ?? 'service@shop.test';
  const password = options.password ?? 'smtp-pass-1';
  const received: ReceivedMail[] = [];
  let refusal: { code: number; message: string } | null = null;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        try {
          const parsed = await simpleParser(raw);
          const references = parsed.references;
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw,
            subject: parsed.subject,
            messageId: parsed.messageId,
            inReplyTo: parsed.inReplyTo,
            references: Array.isArray(references) ? references : references ? [references] : [],
            text: parsed.text,
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            attachments: parsed.attachments.map((attachment) => ({
              filename: attachment.filename,
              contentType: attachment.contentType,
              content: attachment.content,
            })),
            headerFrom: parsed.from?.text,
          });
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    received,
    refuse(reply) {
      refusal = reply;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A raw customer email, as a mail client would write it. */
export function rawEmail(mail: {
  from: string;
  fromName?: string;
  to: string;
  subject: string;
  body: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
}): string {
  const encodedSubject = `=?UTF-8?B?${Buffer.from(mail.subject).toString('base64')}?=`;
  const from = mail.fromName
    ? `=?UTF-8?B?${Buffer.from(mail.fromName).toString('base64')}?= <${mail.from}>`
    : `<${mail.from}>`;
  const headers = [
    `From: ${from}`,
    `To: <${mail.to}>`,
    `Subject: ${encodedSubject}`,
    `Date: ${(mail.date ?? new Date()).toUTCString()}`,
    `Message-ID: ${mail.messageId}`,
    ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`] : []),
    ...(mail.references?.length ? [`References: ${mail.references.join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  const body = Buffer.from(mail.body).toString('base64').replace(/.{76}/g, '$&\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}
