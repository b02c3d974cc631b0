import type { ChannelType } from '@huike/contracts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import type { EventBus } from '../../platform/events.ts';
import type { Files } from '../../platform/files.ts';
import { DeliveryError, type DeliveryRow, type Outbox } from '../../platform/outbox.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import type { ConversationsService, OutboundRef } from '../conversations/index.ts';
import type { CustomersService } from '../customers/index.ts';
import { adapterFor } from './adapters/index.ts';
import type { ChannelInbox, ChannelRuntime } from './adapters/types.ts';
import { decryptSecrets } from './channel-config.ts';
import * as repo from './channels.repository.ts';

/**
 * Public requests (widget, channel API, WeChat and SMS callbacks) name their inbox by token on every call: each
 * process keeps what it read for a few seconds. A settings change applies at once on the process that made it.
 */
const INBOX_CACHE_MS = 2_000;
const INBOX_CACHE_MAX = 10_000;

/** The cross-process signal that an inbox's settings were saved (frame: `{inboxId}`). */
const INBOX_SAVED = topics.internal('channels.inbox_saved');

/** The outbox kind of a channel message waiting to be delivered by its inbox's adapter. */
export const CHANNEL_MESSAGE = 'channel.message';

export const decryptInbox = (row: repo.InboxRow, cipher: FieldCipher): ChannelInbox => {
  const { channelConfig, ...inbox } = row;
  return { ...inbox, config: decryptSecrets(channelConfig, adapterFor(row.channelType).secretKeys, cipher) };
};

/** Channel types whose adapter delivers outbound messages itself (the widget's go over its socket). */
const deliversLater = (type: ChannelType) => Boolean(adapterFor(type).deliver);

/**
 * The queue hook conversations calls inside the transaction that stores a public outbound message: on a channel
 * that delivers later, the message is marked pending and an outbox row is written in the same transaction (answers
 * true; false when the widget's socket push is all there is).
 */
export function createQueueOutbound(outbox: Outbox) {
  // An inbox never changes its channel type: remember it instead of reading it for every reply.
  const typeOf = new Map<string, ChannelType>();
  return async (executor: Executor, ref: OutboundRef) => {
    let type = typeOf.get(ref.inboxId);
    if (!type) {
      const inbox = await repo.findInbox(executor, ref.workspaceId, ref.inboxId);
      if (!inbox) return false;
      type = inbox.channelType;
      typeOf.set(ref.inboxId, type);
    }
    if (!deliversLater(type)) return false;
    const { holdAutomaticMs } = adapterFor(type);
    const holdMs = ref.senderKind === 'agent' ? undefined : holdAutomaticMs;
    await repo.setDeliveryState(executor, ref.workspaceId, ref.messageId, { deliveryStatus: 'pending' });
    await outbox.enqueue(executor, [
      {
        workspaceId: ref.workspaceId,
        kind: CHANNEL_MESSAGE,
        subjectId: ref.messageId,
        orderKey: ref.conversationId,
        ...(holdMs ? { holdMs } : {}),
      },
    ]);
    outbox.wake();
    return true;
  };
}

export function createChannelRuntime(deps: {
  db: Db;
  files: Files;
  config: Config;
  cipher: FieldCipher;
  events: EventBus;
  outbox: Outbox;
  customers: CustomersService;
  conversations: ConversationsService;
  /** Signals between app processes (an inbox's settings were saved). */
  signals: Pick<Realtime, 'broadcast' | 'subscribe'>;
  log: ChannelRuntime['log'];
}): ChannelRuntime {
  const { db, cipher, customers, conversations } = deps;
  // Requests that miss together share one read (32 in flight used to read the row 32 times when it expired).
  const inboxesByToken = createTtlCache<ChannelInbox | undefined>(INBOX_CACHE_MS, INBOX_CACHE_MAX);

  const runtime: ChannelRuntime = {
    db,
    files: deps.files,
    config: deps.config,
    events: deps.events,
    log: deps.log,

    async receive(inbox, inbound) {
      const { sender } = inbound;
      const resolved = await customers.customerForIdentity({
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        kind: sender.kind,
        externalId: sender.externalId,
        details: { name: sender.name, email: sender.email, phone: sender.phone },
      });
      const stored = await conversations.receiveInbound({
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        customerId: resolved.customerId,
        content: inbound.content,
        externalId: inbound.externalId,
        channelMeta: inbound.channelMeta,
        attachments: inbound.attachments,
        threadId: inbound.threadId,
        isPlaceholder: inbound.isPlaceholder,
      });
      return {
        messageId: stored.message.id,
        conversationId: stored.message.conversationId,
        isDuplicate: stored.isDuplicate,
      };
    },

    inboxesOfType: async (type) => (await repo.inboxesOfType(db, type)).map((row) => decryptInbox(row, cipher)),

    async inboxByToken(token) {
      if (token.length > 64) return undefined;
      const inbox = await inboxesByToken.get(token, async () => {
        const row = await repo.findInboxByToken(db, token);
        return row ? decryptInbox(row, cipher) : undefined;
      });
      // An unknown token is not kept: an inbox made with it is found at once.
      if (!inbox) inboxesByToken.delete(token);
      return inbox;
    },

    forgetInbox(token) {
      inboxesByToken.delete(token);
    },

    async updateDelivery(inbox, externalId, update) {
      const changed = await repo.updateDeliveryByExternalId(db, inbox.workspaceId, inbox.id, externalId, {
        deliveryStatus: update.status,
        deliveryError: update.failure?.error ?? null,
        deliveryReason: update.failure?.reason ?? null,
      });
      for (const { id } of changed) await publishMessage(inbox.workspaceId, id);
      return changed.length > 0;
    },

    async claimDelivery(inbox, messageId, meta) {
      const claimed = await db.transaction(async (tx) => {
        const taken = await deps.outbox.takeOver(tx, {
          workspaceId: inbox.workspaceId,
          kind: CHANNEL_MESSAGE,
          subjectId: messageId,
          via: String(meta.sentAs ?? inbox.channelType),
        });
        if (taken) await repo.markSentWith(tx, inbox.workspaceId, messageId, meta);
        return taken;
      });
      if (claimed) await publishMessage(inbox.workspaceId, messageId);
      return claimed;
    },

    health: {
      ok: async (inbox) => {
        await repo.recordReceiveSuccess(db, inbox.workspaceId, inbox.id);
      },
      failing: async (inbox, failure) => {
        await repo.recordReceiveFailure(db, inbox.workspaceId, inbox.id, {
          error: failure.error.slice(0, 500),
          reason: failure.reason,
        });
      },
    },

    announceInboxSaved: (inbox) =>
      deps.signals.broadcast(inbox.workspaceId, { topic: INBOX_SAVED, frame: { inboxId: inbox.id } }),

    onInboxSaved: (listener) =>
      deps.signals.subscribe(INBOX_SAVED, (frame) => {
        const inboxId = (frame as { inboxId?: unknown } | undefined)?.inboxId;
        if (typeof inboxId === 'string') listener(inboxId);
      }),

    state: {
      get: async <T extends Record<string, unknown>>(inbox: ChannelInbox, key: string) =>
        (await repo.readChannelState(db, inbox.id, key)) as T | undefined,
      set: async (inbox, key, value) => {
        await repo.writeChannelState(db, { workspaceId: inbox.workspaceId, inboxId: inbox.id, key, value });
      },
      lease: (inbox, key, holder, ttlMs) =>
        repo.leaseChannelState(db, { workspaceId: inbox.workspaceId, inboxId: inbox.id, key, holder, ttlMs }),
      release: async (inbox, key, holder) => {
        await repo.releaseChannelState(db, inbox.id, key, holder);
      },
      delete: async (inbox, key) => {
        await repo.deleteChannelState(db, inbox.id, key);
      },
    },
  };

  async function publishMessage(workspaceId: string, messageId: string) {
    const message = await conversations.findMessage(workspaceId, messageId);
    if (message) deps.events.publish({ type: 'message.delivery_changed', workspaceId, performedBy: null, ...message });
  }
  const publishDelivery = (row: DeliveryRow) => publishMessage(row.workspaceId, row.subjectId);

  deps.outbox.define(CHANNEL_MESSAGE, {
    async send(row) {
      const message = await conversations.findMessageRow(row.workspaceId, row.subjectId);
      const context = message && (await repo.deliveryContext(db, row.workspaceId, message.id));
      if (!message || !context) {
        throw new DeliveryError({ code: 'delivery.message_gone' }, '消息已不存在', { permanent: true });
      }
      const inboxRow = await repo.findInbox(db, row.workspaceId, context.inboxId);
      const adapter = inboxRow && adapterFor(inboxRow.channelType);
      if (!inboxRow || !adapter?.deliver) {
        throw new DeliveryError({ code: 'delivery.channel_cannot_send' }, '渠道不再支持发送', { permanent: true });
      }
      const sent = await adapter.deliver(
        {
          inbox: decryptInbox(inboxRow, cipher),
          message,
          recipients: context.recipients,
          customer: { id: context.customerId, name: context.name, email: context.email, phone: context.phone },
          thread: context.thread,
          deliveryId: row.id,
        },
        runtime,
      );
      await repo.setDeliveryState(db, row.workspaceId, message.id, {
        deliveryStatus: 'sent',
        deliveryError: null,
        deliveryReason: null,
        externalId: sent.externalId ?? message.externalId,
        channelMeta: sent.meta ? { ...message.channelMeta, ...sent.meta } : message.channelMeta,
      });
      return undefined;
    },
    onSent: publishDelivery,
    async onDead(row, failure) {
      await repo.setDeliveryState(db, row.workspaceId, row.subjectId, {
        deliveryStatus: 'failed',
        deliveryError: failure.error,
        deliveryReason: failure.reason,
      });
      await publishDelivery(row);
    },
  });

  return runtime;
}
