import { randomUUID } from 'node:crypto';
import type { DeliveryReason, EmailChannelConfig, MailServerConfig } from '@huike/contracts';
import type { ImapFlow } from 'imapflow';
import { lazyModule } from '../../../../platform/lazy-module.ts';
import type { DeliveryFailure } from '../../../../platform/outbox.ts';
import type { ChannelInbox, ChannelRuntime } from '../types.ts';
import { BlockedMailHostError, type MailEndpoint, resolveMailHost } from './mail-host.ts';

const imapflow = lazyModule<typeof import('imapflow')>('imapflow');

/*
 * IMAP pull: one loop per email inbox with an IMAP server, on worker processes. The position in the mailbox is
 * `{uidValidity, lastUid}` in channel_state (key 'imap'); a pass reads the messages above lastUid in UID order and
 * advances lastUid only after a message is stored, so a stop at any point loses nothing and a restart refetches at
 * most the message in flight, which storage deduplicates by Message-ID. A new UIDVALIDITY (the server renumbered
 * the mailbox) starts over from the beginning of the recent window: again, duplicates are harmless. Between passes
 * the connection IDLEs where the server supports it (a new message wakes the loop at once) and polls every 30 s
 * where it does not; a lost connection is reopened with backoff.
 */

export const IMAP_STATE_KEY = 'imap';
/** Channel state key of the lease that lets one worker process pull an inbox's mailbox. */
export const IMAP_LEASE_KEY = 'imap_lease';

export type ImapState = {
  uidValidity: string;
  lastUid: number;
  /** A message that keeps failing to store is skipped after MAX_FAILURES passes so it cannot block the mailbox. */
  failingUid?: number;
  failures?: number;
};

/** A message the mailbox gave us could not be stored (not the server's fault): the next pass tries it again. */
export class MailStoreError extends Error {
  constructor(
    readonly uid: number,
    cause: unknown,
  ) {
    super(`IMAP message ${uid} failed to store`, { cause });
  }
}

/** Stores one raw message (parse, then receive / record a bounce / ignore). Throws when it could not. */
export type StoreRawMail = (raw: Buffer, inbox: ChannelInbox, runtime: ChannelRuntime) => Promise<void>;

const CONNECT_TIMEOUT_MS = 15_000;
const POLL_MS = 30_000;
/** Even with IDLE, look again now and then (a notification lost to a network blip). */
const IDLE_RESYNC_MS = 10 * 60_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** A mailbox connected for the first time (or renumbered) is read back this far, not to the beginning of time. */
const FIRST_SYNC_DAYS = 30;
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;
const MAX_FAILURES = 5;

export const mailboxClient = (server: MailServerConfig, endpoint: MailEndpoint, options: { timeoutMs?: number } = {}) =>
  new (imapflow().ImapFlow)({
    host: endpoint.address,
    servername: endpoint.servername,
    port: server.port,
    secure: server.secure,
    auth: { user: server.user, pass: server.password },
    logger: false,
    clientInfo: { name: 'Huike' },
    connectionTimeout: options.timeoutMs ?? CONNECT_TIMEOUT_MS,
    greetingTimeout: options.timeoutMs ?? CONNECT_TIMEOUT_MS,
    // IDLE starts soon after a pass and is renewed before servers drop it (RFC 2177: 29 minutes at most).
    autoIdleDelay: 2_000,
    maxIdleTime: 5 * 60_000,
  });

type ImapError = { authenticationFailed?: boolean; code?: string; responseText?: string; message?: string };

/** What went wrong with an IMAP server, in words an admin can act on (never the password). */
export function describeImapError(error: unknown, server: Pick<MailServerConfig, 'host' | 'port'>): string {
  const e = (error ?? {}) as ImapError;
  if (error instanceof BlockedMailHostError) return `IMAP 收信服务器不可用：${error.message}`;
  if (e.authenticationFailed || e.code === 'AUTHENTICATIONFAILED' || e.code === 'AuthenticationFailure')
    return 'IMAP 收信服务器登录失败，请检查用户名和密码（授权码）';
  if (e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT' || e.code === 'ETIMEDOUT')
    return `连接 IMAP 收信服务器 ${server.host}:${server.port} 超时`;
  if (e.code && /^E[A-Z]+$/.test(e.code)) return `无法连接 IMAP 收信服务器 ${server.host}:${server.port}`;
  return `IMAP 收信服务器出错：${(e.responseText ?? e.message ?? String(error)).slice(0, 300)}`;
}

const BLOCKED_HOST_CODES = {
  invalid: 'email.imap_host_invalid',
  unresolvable: 'email.imap_host_unresolvable',
  private: 'email.imap_host_private',
} as const;

/** The same as describeImapError, as a code and its values (never the password). */
function imapReason(error: unknown, server: Pick<MailServerConfig, 'host' | 'port'>): DeliveryReason {
  const e = (error ?? {}) as ImapError;
  if (error instanceof BlockedMailHostError) return { code: BLOCKED_HOST_CODES[error.problem], params: {} };
  if (e.authenticationFailed || e.code === 'AUTHENTICATIONFAILED' || e.code === 'AuthenticationFailure')
    return { code: 'email.imap_auth_failed', params: {} };
  const where = { host: server.host, port: server.port };
  if (e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT' || e.code === 'ETIMEDOUT')
    return { code: 'email.imap_timeout', params: where };
  if (e.code && /^E[A-Z]+$/.test(e.code)) return { code: 'email.imap_unreachable', params: where };
  return {
    code: 'email.imap_failed',
    params: { detail: (e.responseText ?? e.message ?? String(error)).slice(0, 300) },
  };
}

/** Connects to the checked address of the server (see mail-host.ts). */
async function openClient(server: MailServerConfig, runtime: Pick<ChannelRuntime, 'config'>, timeoutMs?: number) {
  const endpoint = await resolveMailHost(server.host, runtime.config.allowPrivateWebhooks === true);
  const client = mailboxClient(server, endpoint, { timeoutMs });
  client.on('error', () => undefined); // surfaces as 'close' and a failed command; handled by the callers
  return client;
}

/** Logs in and opens INBOX; answers the problem in words, or undefined. */
export async function checkImap(
  server: MailServerConfig,
  runtime: Pick<ChannelRuntime, 'config'>,
): Promise<string | undefined> {
  let client: ImapFlow | undefined;
  try {
    client = await openClient(server, runtime, 10_000);
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    return undefined;
  } catch (error) {
    return describeImapError(error, server);
  } finally {
    if (client) await closeClient(client);
  }
}

async function closeClient(client: ImapFlow) {
  if (client.usable) await client.logout().catch(() => undefined);
  client.close();
}

const errorSummary = (error: unknown) => {
  const e = (error ?? {}) as ImapError;
  return { code: e.code, message: (e.message ?? String(error)).slice(0, 200) };
};

/**
 * One pass over the open mailbox: stores every message above the stored position, in UID order, advancing the
 * position after each. Answers how many messages it stored.
 */
export async function syncMailbox(
  client: ImapFlow,
  inbox: ChannelInbox,
  runtime: ChannelRuntime,
  store: StoreRawMail,
): Promise<number> {
  const mailbox = client.mailbox;
  if (!mailbox) throw new Error('IMAP mailbox not open');
  const uidValidity = String(mailbox.uidValidity);
  let state = await runtime.state.get<ImapState>(inbox, IMAP_STATE_KEY);
  let firstSync = false;
  if (!state || state.uidValidity !== uidValidity || typeof state.lastUid !== 'number') {
    if (state) runtime.log.info({ inboxId: inbox.id }, 'IMAP UIDVALIDITY changed: reading the mailbox again');
    state = { uidValidity, lastUid: 0 };
    firstSync = true;
  }
  if (mailbox.exists === 0) {
    await runtime.state.set(inbox, IMAP_STATE_KEY, state);
    return 0;
  }

  // "N:*" also answers the highest message when N is above it: keep only UIDs really above the position.
  const after = state.lastUid;
  const listed = await client.fetchAll(`${after + 1}:*`, { uid: true, size: true }, { uid: true });
  let pending = listed.filter((item) => item.uid > after).sort((a, b) => a.uid - b.uid);
  if (firstSync && pending.length > 0) {
    const since = new Date(Date.now() - FIRST_SYNC_DAYS * 86_400_000);
    const recent = await client.search({ since }, { uid: true });
    const start = recent && recent.length > 0 ? Math.min(...recent) : Number.POSITIVE_INFINITY;
    const older = pending.filter((item) => item.uid < start);
    if (older.length > 0) state = { uidValidity, lastUid: older[older.length - 1]!.uid };
    pending = pending.filter((item) => item.uid >= start);
  }

  let stored = 0;
  for (const item of pending) {
    if (item.size !== undefined && item.size > MAX_MESSAGE_BYTES) {
      runtime.log.error({ inboxId: inbox.id, uid: item.uid, size: item.size }, 'IMAP message too large: skipped');
    } else {
      try {
        const fetched = await client.fetchOne(String(item.uid), { uid: true, source: true }, { uid: true });
        // Gone since it was listed (expunged by another client): nothing to store.
        const source = fetched ? fetched.source : undefined;
        if (source) {
          await store(source, inbox, runtime);
          stored += 1;
        }
      } catch (error) {
        // The connection went away: not the message's fault, the next pass takes it again.
        if (!client.usable) throw error;
        const failures = state.failingUid === item.uid ? (state.failures ?? 0) + 1 : 1;
        if (failures < MAX_FAILURES) {
          await runtime.state.set(inbox, IMAP_STATE_KEY, { ...state, failingUid: item.uid, failures });
          throw new MailStoreError(item.uid, error);
        }
        runtime.log.error(
          { inboxId: inbox.id, uid: item.uid, err: errorSummary(error) },
          'IMAP message failed to store repeatedly: skipped',
        );
      }
    }
    state = { uidValidity, lastUid: item.uid };
    await runtime.state.set(inbox, IMAP_STATE_KEY, state);
  }
  if (pending.length === 0) await runtime.state.set(inbox, IMAP_STATE_KEY, state);
  return stored;
}

/** Connects, runs one pass over INBOX and disconnects (tests; a manual "收取邮件"). Answers how many it stored. */
export async function pullOnce(inbox: ChannelInbox, runtime: ChannelRuntime, store: StoreRawMail): Promise<number> {
  const imap = (inbox.config as EmailChannelConfig).imap;
  if (!imap) return 0;
  const client = await openClient(imap, runtime);
  try {
    await client.connect();
    await client.mailboxOpen('INBOX');
    return await syncMailbox(client, inbox, runtime, store);
  } finally {
    await closeClient(client);
  }
}

/** Why the loop of an inbox failed, for its admins (ChannelRuntime.health). */
const loopFailure = (error: unknown, server: MailServerConfig): DeliveryFailure =>
  error instanceof MailStoreError
    ? {
        error: `收到的邮件（IMAP UID ${error.uid}）保存失败，会在下次收信时重试`,
        reason: { code: 'email.imap_store_failed', params: { uid: error.uid } },
      }
    : { error: describeImapError(error, server), reason: imapReason(error, server) };

/**
 * The loop of one inbox: connect, pass, wait for new mail (IDLE) or the next poll, again; reconnect on trouble. Each
 * pass that worked and each failure goes to the inbox's receive health, which admins see.
 */
function runInbox(
  inbox: ChannelInbox,
  runtime: ChannelRuntime,
  store: StoreRawMail,
  firstBackoffMs = FIRST_BACKOFF_MS,
) {
  const imap = (inbox.config as EmailChannelConfig).imap!;
  let stopped = false;
  let client: ImapFlow | undefined;
  let wake: (() => void) | undefined;

  const wait = (ms: number, current?: ImapFlow) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        current?.off('exists', done);
        current?.off('close', done);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      current?.on('exists', done);
      current?.on('close', done);
      wake = done;
    });

  // Health is what admins see; failing to write it must not stop the loop.
  const report = (write: Promise<void>) =>
    write.catch((error) =>
      runtime.log.error({ inboxId: inbox.id, err: errorSummary(error) }, 'IMAP receive health not recorded'),
    );

  const finished = (async () => {
    let backoff = firstBackoffMs;
    while (!stopped) {
      client = undefined;
      try {
        client = await openClient(imap, runtime);
        await client.connect();
        await client.mailboxOpen('INBOX');
        backoff = firstBackoffMs;
        const hasIdle = client.capabilities.has('IDLE');
        while (!stopped && client.usable) {
          await syncMailbox(client, inbox, runtime, store);
          await report(runtime.health.ok(inbox));
          if (!stopped && client.usable) await wait(hasIdle ? IDLE_RESYNC_MS : POLL_MS, client);
        }
      } catch (error) {
        if (!stopped) {
          runtime.log.error(
            { inboxId: inbox.id, err: errorSummary(error), retryInMs: backoff },
            'IMAP pull failed: reconnecting',
          );
          await report(runtime.health.failing(inbox, loopFailure(error, imap)));
        }
      } finally {
        if (client) await closeClient(client);
      }
      if (!stopped) {
        await wait(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      client?.close();
      await finished;
    },
  };
}

/** The loops' fingerprint of an inbox: a loop restarts when its mailbox settings change. */
const fingerprint = (inbox: ChannelInbox) => JSON.stringify((inbox.config as EmailChannelConfig).imap ?? null);

/**
 * Starts one loop per email inbox with IMAP settings and follows inboxes being added or changed (checked every
 * `refreshMs`, and at once when an inbox's settings are saved on any process: its loop then restarts, so a fix
 * applies without waiting out the backoff of a failing loop). With several worker processes, each inbox is pulled by
 * one of them: the one holding its lease, renewed at every check and lasting three checks, so another worker takes
 * over when one dies (or at once when it stops). `firstBackoffMs`: the first wait after a failure (tests). Answers the
 * stop function.
 */
export function startImapPullers(
  runtime: ChannelRuntime,
  store: StoreRawMail,
  options: { refreshMs?: number; holder?: string; firstBackoffMs?: number } = {},
): () => Promise<void> {
  const refreshMs = options.refreshMs ?? 60_000;
  const holder = options.holder ?? randomUUID();
  const loops = new Map<string, { inbox: ChannelInbox; fingerprint: string; stop: () => Promise<void> }>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  /** Inboxes whose settings were saved since the last check: their loops restart even with the same settings. */
  let saved = new Set<string>();
  let isRefreshDue = false;

  async function refresh() {
    const restart = saved;
    saved = new Set();
    const inboxes = (await runtime.inboxesOfType('email')).filter((inbox) => (inbox.config as EmailChannelConfig).imap);
    const current = new Set(inboxes.map((inbox) => inbox.id));
    for (const id of [...loops.keys()]) {
      if (!current.has(id)) await stopLoop(id);
    }
    for (const inbox of inboxes) {
      if (stopped) return;
      const existing = loops.get(inbox.id);
      if (!(await runtime.state.lease(inbox, IMAP_LEASE_KEY, holder, 3 * refreshMs))) {
        if (existing) await stopLoop(inbox.id); // another worker took the inbox over (ours had expired)
        continue;
      }
      if (existing?.fingerprint === fingerprint(inbox) && !restart.has(inbox.id)) continue;
      if (existing) await existing.stop();
      loops.set(inbox.id, {
        inbox,
        fingerprint: fingerprint(inbox),
        ...runInbox(inbox, runtime, store, options.firstBackoffMs),
      });
    }
  }

  async function stopLoop(id: string) {
    const loop = loops.get(id);
    if (!loop) return;
    loops.delete(id);
    await loop.stop();
    await runtime.state.release(loop.inbox, IMAP_LEASE_KEY, holder);
  }

  function tick() {
    clearTimeout(timer);
    if (refreshing) {
      isRefreshDue = true; // a save during a check: check again right after it
      return;
    }
    refreshing = refresh()
      .catch((error) => runtime.log.error({ err: errorSummary(error) }, 'IMAP pullers: listing inboxes failed'))
      .finally(() => {
        refreshing = undefined;
        if (stopped) return;
        if (isRefreshDue) {
          isRefreshDue = false;
          tick();
          return;
        }
        timer = setTimeout(tick, refreshMs);
        timer.unref();
      });
  }
  const unsubscribe = runtime.onInboxSaved((inboxId) => {
    if (stopped) return;
    saved.add(inboxId);
    tick();
  });
  tick();

  return async () => {
    stopped = true;
    unsubscribe();
    clearTimeout(timer);
    await refreshing;
    await Promise.all([...loops.keys()].map((id) => stopLoop(id).catch(() => undefined)));
  };
}
