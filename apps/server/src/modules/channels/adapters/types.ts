import type { ChannelType } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Db } from '../../../db/database.ts';
import type { EventBus } from '../../../platform/events.ts';
import type { Files } from '../../../platform/files.ts';
import type { DeliveryFailure } from '../../../platform/outbox.ts';
import type { MessageRow } from '../../conversations/conversations.repository.ts';
import type { IdentityKind } from '../../customers/customers.repository.ts';
import type { InboxRow } from '../channels.repository.ts';

/*
 * One channel = one adapter in adapters/<type>/, registered in adapters/index.ts. The channels module does the
 * rest the same way for every channel: config validation and encryption of its secrets, identity resolution,
 * idempotent storage (the channel's message id), the outbox with retries for outbound, delivery state on the
 * message and in the UI.
 */

/** An inbox with its channel config decrypted (secrets in plaintext: never log it, never return it). */
export type ChannelInbox = Omit<InboxRow, 'channelConfig'> & { config: Record<string, unknown> };

/** Who sent an inbound message, as the channel knows them. */
export type ChannelSender = {
  /** 'source' = the channel's own id for this person in this inbox (WeChat openid, an email address, a phone). */
  kind: IdentityKind;
  externalId: string;
  /** The channel vouches for it (a signed shop user id, a verified phone): only then may it link to an existing customer. */
  verified?: boolean;
  name?: string;
  email?: string;
  phone?: string;
};

/** An inbound message in the channel's terms, normalised by its adapter. */
export type ChannelInbound = {
  sender: ChannelSender;
  content: string;
  /** The channel's id of the message (Message-ID, MsgId): the same id twice is stored once. */
  externalId: string;
  channelMeta?: Record<string, unknown>;
  /** Files already stored with platform/files.ts (purpose 'attachment'). */
  attachments?: { fileId: string; name: string; contentType: string; size: number }[];
  /** Email: the conversation this replies to, found by In-Reply-To/References. */
  threadId?: string;
  /**
   * The content is a stand-in the adapter wrote for what has no text ([图片], [关注公众号], （无正文）), not the
   * customer's words: it is not scored for sentiment or urgency.
   */
  isPlaceholder?: boolean;
};

/** What an adapter needs to deliver one outbound message. */
export type ChannelDelivery = {
  inbox: ChannelInbox;
  message: MessageRow;
  /** The customer's identities in this inbox (the recipient: openid, email address, phone…). */
  recipients: { kind: IdentityKind; externalId: string }[];
  customer: { id: string; name: string | null; email: string | null; phone: string | null };
  /** Earlier messages of the conversation with an externalId, oldest first (email threading headers). */
  thread: { externalId: string; direction: 'inbound' | 'outbound'; channelMeta: Record<string, unknown> | null }[];
  /** The delivery's id: stable across retries, for receivers that deduplicate. */
  deliveryId: string;
};

export type ChannelRuntime = {
  db: Db;
  files: Files;
  config: Config;
  /** Domain events; publish after the transaction that made the change committed. */
  events: EventBus;
  /** Stores an inbound message (identity → customer → conversation → message, idempotent) and publishes it. */
  receive(
    inbox: ChannelInbox,
    inbound: ChannelInbound,
  ): Promise<{ messageId: string; conversationId: string; isDuplicate: boolean }>;
  /** Inboxes of a type with their configs decrypted (pullers like IMAP start one loop per inbox). */
  inboxesOfType(type: ChannelType): Promise<ChannelInbox[]>;
  /** An inbox by its public token, read at most every few seconds per process. */
  inboxByToken(token: string): Promise<ChannelInbox | undefined>;
  /** Drops a changed inbox from this process's token cache. */
  forgetInbox(token: string): void;
  /**
   * A channel's later word on an outbound message of the inbox (email bounce, SMS delivery report), found by the id
   * the channel gave it; agents see the change. Answers false when no such message.
   */
  updateDelivery(
    inbox: ChannelInbox,
    externalId: string,
    update: { status: 'delivered' | 'bounced' | 'failed'; failure?: DeliveryFailure | null },
  ): Promise<boolean>;
  /**
   * An automatic outbound message the channel delivers in its own callback response (WeChat's passive reply): takes
   * its delivery from the outbox (only while pending and never attempted) and marks it sent with `meta` added to its
   * channelMeta; agents see the change. False when a worker took it first: the outbox sends it then.
   */
  claimDelivery(inbox: ChannelInbox, messageId: string, meta: Record<string, unknown>): Promise<boolean>;
  /**
   * Receive health of a channel that fetches its own messages (IMAP), shown to admins on the inbox. Call `ok` after
   * each fetch that worked and `failing` with a failure an admin can act on (never a password) after one that did not.
   */
  health: {
    /** Clears a recorded failure and notes the time (rewritten at most once a minute while all is well). */
    ok(inbox: ChannelInbox): Promise<void>;
    /** Records why receiving fails; the first failure of a run sets since when. */
    failing(inbox: ChannelInbox, failure: DeliveryFailure): Promise<void>;
  };
  /** Tells every app process that an inbox's settings were saved (the channels module calls it after the commit). */
  announceInboxSaved(inbox: Pick<ChannelInbox, 'id' | 'workspaceId'>): Promise<void>;
  /**
   * Runs `listener` with the id of each inbox whose settings were saved, on any process: background work such as the
   * IMAP loop picks new settings up at once instead of at its next check. Answers the unsubscribe.
   */
  onInboxSaved(listener: (inboxId: string) => void): () => void;
  /** Small per-inbox running state (IMAP's last UID, WeChat's access token and multi-part delivery progress). */
  state: {
    get<T extends Record<string, unknown>>(inbox: ChannelInbox, key: string): Promise<T | undefined>;
    set(inbox: ChannelInbox, key: string, value: Record<string, unknown>): Promise<void>;
    /** Takes or renews a lease on `key` for `ttlMs` (one worker per inbox for pullers); false while another holds it. */
    lease(inbox: ChannelInbox, key: string, holder: string, ttlMs: number): Promise<boolean>;
    /** Gives the lease up now, so another worker takes over without waiting for it to expire. */
    release(inbox: ChannelInbox, key: string, holder: string): Promise<void>;
    /** Forgets `key` (state that served its purpose, e.g. a finished delivery's progress). */
    delete(inbox: ChannelInbox, key: string): Promise<void>;
  };
  log: { info(context: object, message: string): void; error(context: object, message: string): void };
};

export type ChannelAdapter = {
  type: ChannelType;
  /** Validates `channelConfig` on inbox create and update. */
  config: z.ZodType<Record<string, unknown>>;
  /** Dot paths in the config stored encrypted and never returned by the API (e.g. 'imap.password'). */
  secretKeys: readonly string[];
  /** Dot paths in the config only roles that may see the inbox secret read (the admins who set the channel up). */
  adminOnlyKeys?: readonly string[];
  /** Checks a new or changed config can work (URL allowed, login works); throws AppError with a clear message. */
  verify?(inbox: ChannelInbox, runtime: ChannelRuntime): Promise<void>;
  /**
   * Checks an update may turn the stored config into the new one (both validated; secrets may be encrypted), e.g.
   * that removing a section leaves the channel a way to work; throws AppError with a clear message.
   */
  checkChange?(before: Record<string, unknown>, after: Record<string, unknown>, appConfig: Config): void;
  /**
   * Sends one stored outbound message. Throw DeliveryError (platform/outbox.ts) with `permanent` when a retry
   * cannot help. Answers the channel's id for it, and anything to add to the message's channelMeta.
   */
  deliver?(
    delivery: ChannelDelivery,
    runtime: ChannelRuntime,
  ): Promise<{ externalId?: string; meta?: Record<string, unknown> }>;
  /**
   * Whether an inbox with this config can send at all (an email inbox without SMTP only receives), so agents are not
   * offered it to start a conversation. Absent: it can whenever it delivers. The config may hold encrypted secrets.
   */
  canSend?(config: Record<string, unknown>): boolean;
  /**
   * Automatic replies (senderKind bot/system) wait this long in the outbox before a worker may send them, so the
   * channel's own callback can answer them in its response first (WeChat's passive reply); agents' replies never wait.
   */
  holdAutomaticMs?: number;
  /** Public endpoints (callbacks, inbound hooks), registered under /public/v1/channels/<type>/. */
  routes?(app: FastifyInstance, runtime: ChannelRuntime): void;
  /** Background work on worker processes (IMAP pull); answers a stop function. */
  start?(runtime: ChannelRuntime): () => Promise<void>;
  /** Read-only fields the API adds to an inbox's config (email: its forwarding address). */
  describeConfig?(inbox: { token: string }, appConfig: Config): Record<string, unknown>;
};
