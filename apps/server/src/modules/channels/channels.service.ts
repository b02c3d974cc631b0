import {
  ATTACHMENT_MAX_BYTES,
  type ChannelType,
  type Inbox,
  type PublicInboxStatus,
  type VisitorSession,
} from '@huike/contracts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import { buyerLocaleOf, localeFromTag, localizedDefault } from '../../platform/buyer-lines.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { type EventBus, publishingTransaction } from '../../platform/events.ts';
import type { Files } from '../../platform/files.ts';
import { newId, randomToken, sha256 } from '../../platform/ids.ts';
import type { Outbox } from '../../platform/outbox.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { type AuditService, changedFields, type FieldChange, hasChanges } from '../audit/index.ts';
import { hoursStatus, inboxBusinessHours, invalidateInboxBusinessHours } from '../business-hours/index.ts';
import { attachmentName, type ConversationsService, sniffAttachment } from '../conversations/index.ts';
import { type CustomersService, customerCreated } from '../customers/index.ts';
import { adapterFor } from './adapters/index.ts';
import type { ChannelInbox, ChannelRuntime } from './adapters/types.ts';
import { encryptSecrets, mergeConfig, withoutSecrets } from './channel-config.ts';
import { CHANNEL_MESSAGE, decryptInbox } from './channel-runtime.ts';
import * as repo from './channels.repository.ts';
import { isEqualSecret, isValidIdentifierHash, isValidTimestampedSignature, visitorTokenFor } from './signatures.ts';
import { agentsOnline } from './visitor-live.ts';

type InboxSettings = repo.InboxRow['settings'];

/** How a public request proved who it is: the visitor's own token, or the integrator's signature. */
export type PublicAuth = { visitorToken?: string; signature?: string; signedPayload: string };

/**
 * The cross-process signal that a widget visitor was stored (their first message made their customer; frame:
 * `{customerId}`): their open socket starts listening for agents' replies.
 */
export const visitorStoredTopic = (inboxId: string, sourceId: string) =>
  topics.internal(`channels.visitor_stored:${inboxId}:${sourceId}`);

/** The widget's language on the buyer's message, so the product's own lines to them follow it (buyer-lines.ts). */
function localeMeta(tag: string | undefined) {
  const locale = localeFromTag(tag);
  return locale ? { channelMeta: { locale } } : {};
}

const isoOrNull = (value: string | null | undefined) => (value ? new Date(value).toISOString() : null);

/** What an adapter recorded about receiving (repo.recordReceive*), for those who can fix the channel. */
const toHealth = (health: repo.InboxRow['health']): Inbox['health'] =>
  health
    ? {
        error: health.error ?? null,
        reason: health.reason ?? null,
        failingSince: isoOrNull(health.failingSince),
        lastSuccessAt: isoOrNull(health.lastSuccessAt),
      }
    : null;

const toInbox = (row: repo.InboxRow, canSeeSecret: boolean, appConfig: Config, canManage = canSeeSecret): Inbox => ({
  id: row.id,
  name: row.name,
  channelType: row.channelType,
  token: row.token,
  secret: canSeeSecret ? row.secret : null,
  settings: row.settings,
  channelConfig: {
    ...withoutSecrets(row.channelConfig, [
      ...adapterFor(row.channelType).secretKeys,
      ...(canSeeSecret ? [] : (adapterFor(row.channelType).adminOnlyKeys ?? [])),
    ]),
    ...adapterFor(row.channelType).describeConfig?.(row, appConfig),
  },
  health: canManage ? toHealth(row.health) : null,
  createdAt: row.createdAt.toISOString(),
});

/** A channel config as given (merged over the stored one on update), checked by its adapter. */
function parseChannelConfig(type: ChannelType, config: Record<string, unknown>) {
  const parsed = adapterFor(type).config.safeParse(config);
  if (!parsed.success) {
    throw new AppError(
      'request.invalid',
      '渠道设置不完整或格式不对',
      parsed.error.issues.map((issue) => ({ path: `/channelConfig/${issue.path.join('/')}`, message: issue.message })),
    );
  }
  return parsed.data;
}

/** Config paths whose values the audit log never shows, beyond what the adapter stores encrypted. */
const SECRET_LIKE = /(password|secret|token|key|pass)$/i;

function leaves(value: unknown, prefix: string, into: Map<string, unknown>) {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) leaves(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined) {
    into.set(prefix, value);
  }
  return into;
}

/**
 * What an update changed in a channel's connection settings, per leaf (`imap.host`), for the audit log. A secret (a
 * password, app secret, token or key) is recorded only as `{ changed: true }`: the log never holds its value.
 */
function configChanges(before: Record<string, unknown>, after: Record<string, unknown>, secretKeys: readonly string[]) {
  const old = leaves(before, '', new Map());
  const now = leaves(after, '', new Map());
  const changes: Record<string, FieldChange | { changed: true }> = {};
  for (const path of new Set([...old.keys(), ...now.keys()])) {
    const change = changedFields({ value: old.get(path) }, { value: now.get(path) ?? null }).value;
    if (!change) continue;
    const isSecret = secretKeys.includes(path) || SECRET_LIKE.test(path.split('.').at(-1) ?? '');
    changes[`channelConfig.${path}`] = isSecret ? { changed: true } : change;
  }
  return changes;
}

export type ChannelsService = ReturnType<typeof createChannelsService>;

export function createChannelsService({
  db,
  customers,
  conversations,
  cipher,
  runtime,
  outbox,
  events,
  audit,
  files,
  signals,
}: {
  db: Db;
  /** Signals between app processes (a visitor was stored). */
  signals: Pick<Realtime, 'broadcast'>;
  /** Where visitors' uploads are kept (purpose 'attachment', like agents' and other channels' files). */
  files: Files;
  customers: CustomersService;
  conversations: ConversationsService;
  cipher: FieldCipher;
  runtime: ChannelRuntime;
  outbox: Outbox;
  events: EventBus;
  audit: AuditService;
}) {
  /** Validates a config, lets the adapter check it really works, and answers it with its secrets encrypted. */
  async function acceptConfig(
    row: Omit<repo.InboxRow, 'channelConfig'>,
    config: Record<string, unknown>,
    before?: Record<string, unknown>,
  ) {
    const adapter = adapterFor(row.channelType);
    const parsed = parseChannelConfig(row.channelType, config);
    if (before) adapter.checkChange?.(before, parsed, runtime.config);
    const encrypted = encryptSecrets(parsed, adapter.secretKeys, cipher);
    await adapter.verify?.(decryptInbox({ ...row, channelConfig: encrypted }, cipher), runtime);
    return encrypted;
  }

  async function getInboxRow(actor: Actor, id: string) {
    const row = await repo.findInbox(db, actor.workspaceId, id);
    if (!row) throw new AppError('inbox.not_found', '渠道不存在');
    return row;
  }

  async function inboxByToken(token: string) {
    const inbox = await runtime.inboxByToken(token);
    if (!inbox) throw new AppError('inbox.not_found', '渠道不存在或已停用');
    return inbox;
  }

  /** After the commit: a lost signal only delays background work until its next check (IMAP: a minute). */
  const announceSaved = (row: repo.InboxRow) =>
    runtime
      .announceInboxSaved(row)
      .catch((error) => runtime.log.error({ err: error, inboxId: row.id }, 'announcing saved inbox settings failed'));

  const invalidCredentials = () => new AppError('auth.signature_invalid', '访客凭证或签名无效');

  /**
   * Whether `token` is the visitor's of this source id: a stored visitor's is the one whose hash was stored (visitors
   * from before derived tokens keep their random ones); a visitor not stored yet (who has not written) holds the
   * token derived from the source id. Answers the stored identity, if any.
   */
  async function provenVisitor(inbox: ChannelInbox, sourceId: string, token: string) {
    const identity = await customers.findIdentity(inbox.workspaceId, inbox.id, 'source', sourceId);
    const expectedHash = identity ? identity.tokenHash : sha256(visitorTokenFor(inbox.secret, sourceId));
    return expectedHash && isEqualSecret(expectedHash, sha256(token)) ? { identity } : undefined;
  }

  /** The stored identity behind a source id (if any), once the request proves it may speak for it. */
  async function authenticateSource(inbox: ChannelInbox, sourceId: string, auth: PublicAuth) {
    if (auth.signature) {
      if (!isValidTimestampedSignature(inbox.secret, auth.signature, auth.signedPayload)) throw invalidCredentials();
      return undefined; // trusted integrator: the caller resolves (or creates) the source
    }
    const proven = auth.visitorToken ? await provenVisitor(inbox, sourceId, auth.visitorToken) : undefined;
    if (!proven) throw invalidCredentials();
    return proven.identity;
  }

  /**
   * The customer of a source, made (customer.created) on its first message. A visitor's identity is stored with
   * their token's hash; their open socket, on any process, is told so it hears agents' replies.
   */
  async function customerForSource(
    inbox: ChannelInbox,
    sourceId: string,
    input: { visitorToken?: string; details?: { name?: string; phone?: string; email?: string } },
  ) {
    const { customerId, created } = await customers.customerForIdentity({
      workspaceId: inbox.workspaceId,
      inboxId: inbox.id,
      kind: 'source',
      externalId: sourceId,
      token: input.visitorToken,
      details: input.details,
    });
    if (created && input.visitorToken) {
      await signals
        .broadcast(inbox.workspaceId, { topic: visitorStoredTopic(inbox.id, sourceId), frame: { customerId } })
        .catch((error) => runtime.log.error({ err: error, inboxId: inbox.id }, 'announcing a stored visitor failed'));
    }
    return customerId;
  }

  /** A signed-in shop user's browser is stored at once, on that shop user's customer (made if new). */
  const storeShopUserVisitor = (
    inbox: ChannelInbox,
    sourceId: string,
    visitorToken: string,
    identifier: string,
    name?: string,
  ) =>
    publishingTransaction(db, events, async (tx, emit) => {
      const scope = { workspaceId: inbox.workspaceId, inboxId: inbox.id };
      const shopUser = await customers.resolveIdentity(tx, {
        ...scope,
        kind: 'shop_user',
        externalId: identifier,
        details: { name },
      });
      await customers.resolveIdentity(tx, {
        ...scope,
        kind: 'source',
        externalId: sourceId,
        token: visitorToken,
        customerId: shopUser.customerId,
      });
      if (shopUser.created) await emit(customerCreated(inbox.workspaceId, shopUser.customerId));
    });

  return {
    async list(actor: Actor) {
      assertCan(actor, 'inboxes:read');
      const rows = await repo.listInboxes(db, actor.workspaceId);
      return rows.map((row) =>
        toInbox(row, can(actor, 'inboxes:read_secret'), runtime.config, can(actor, 'inboxes:manage')),
      );
    },

    get: async (actor: Actor, id: string) => {
      assertCan(actor, 'inboxes:read');
      return toInbox(
        await getInboxRow(actor, id),
        can(actor, 'inboxes:read_secret'),
        runtime.config,
        can(actor, 'inboxes:manage'),
      );
    },

    async create(
      actor: Actor,
      input: {
        name: string;
        channelType: ChannelType;
        settings: InboxSettings;
        channelConfig: Record<string, unknown>;
      },
    ) {
      assertCan(actor, 'inboxes:manage');
      const now = new Date();
      const inbox = {
        id: newId(),
        workspaceId: actor.workspaceId,
        name: input.name,
        channelType: input.channelType,
        token: randomToken(18),
        secret: randomToken(32),
        settings: input.settings,
        health: null,
        createdAt: now,
        updatedAt: now,
      };
      const channelConfig = await acceptConfig(inbox, input.channelConfig);
      const row = await db.transaction(async (tx) => {
        const inserted = await repo.insertInbox(tx, { ...inbox, channelConfig });
        // Name and type only: the connection settings may hold passwords and keys, which the log never holds.
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'inboxes.created',
          targetType: 'inbox',
          targetId: inserted.id,
          details: { name: inserted.name, channelType: inserted.channelType },
        });
        return inserted;
      });
      await announceSaved(row); // e.g. its IMAP loop starts now, not at the next check
      return toInbox(row, true, runtime.config);
    },

    async update(
      actor: Actor,
      id: string,
      patch: { name?: string; settings?: Partial<InboxSettings>; channelConfig?: Record<string, unknown> },
    ) {
      assertCan(actor, 'inboxes:manage');
      const existing = await getInboxRow(actor, id);
      const channelConfig = patch.channelConfig
        ? await acceptConfig(
            existing,
            mergeConfig(existing.channelConfig, patch.channelConfig, adapterFor(existing.channelType)),
            existing.channelConfig,
          )
        : undefined;
      const settings = { ...existing.settings, ...patch.settings };
      const row = await db.transaction(async (tx) => {
        const updated = await repo.updateInbox(tx, actor.workspaceId, id, {
          ...(patch.name ? { name: patch.name } : {}),
          settings,
          // Saved connection settings were just tested (adapter.verify): a recorded receive failure is history.
          ...(channelConfig
            ? {
                channelConfig,
                health: existing.health && { ...existing.health, error: null, reason: null, failingSince: null },
              }
            : {}),
        });
        // Two entries, so business hours can be looked up on their own: the channel's settings, and its hours.
        const record = (action: string, changes: Record<string, unknown>) =>
          audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action,
            targetType: 'inbox',
            targetId: id,
            details: { name: updated!.name, channelType: existing.channelType, changes },
          });
        const settingsChanges = {
          ...changedFields(
            { name: existing.name, color: existing.settings.color, greeting: existing.settings.greeting },
            { name: patch.name, color: patch.settings?.color, greeting: patch.settings?.greeting },
          ),
          ...(channelConfig
            ? configChanges(existing.channelConfig, channelConfig, adapterFor(existing.channelType).secretKeys)
            : {}),
        };
        if (hasChanges(settingsChanges)) await record('inboxes.updated', settingsChanges);
        const hoursChanges = changedFields(
          { businessHours: existing.settings.businessHours, offlineReply: existing.settings.offlineReply },
          { businessHours: patch.settings?.businessHours, offlineReply: patch.settings?.offlineReply },
        );
        if (hasChanges(hoursChanges)) await record('inboxes.business_hours_updated', hoursChanges);
        return updated;
      });
      invalidateInboxBusinessHours(actor.workspaceId, id);
      runtime.forgetInbox(existing.token);
      // Background work restarts with the new connection settings now (an IMAP loop waiting out its backoff
      // reconnects at once).
      if (channelConfig) await announceSaved(row!);
      return toInbox(row!, true, runtime.config);
    },

    /**
     * An outbound channel message that failed (or bounced) is sent again: back to pending, its dead delivery
     * replayed (or a fresh one queued), agents see the change.
     */
    async retryMessage(actor: Actor, messageId: string) {
      assertCan(actor, 'conversations:reply');
      const row = await conversations.findMessageRow(actor.workspaceId, messageId);
      if (!row) throw new AppError('message.not_found', '消息不存在');
      if (row.deliveryStatus !== 'failed' && row.deliveryStatus !== 'bounced') {
        throw new AppError('message.not_retryable', '只有发送失败的消息可以重新发送');
      }
      await db.transaction(async (tx) => {
        await repo.setDeliveryState(tx, actor.workspaceId, messageId, {
          deliveryStatus: 'pending',
          deliveryError: null,
          deliveryReason: null,
        });
        await outbox.requeue(tx, {
          workspaceId: actor.workspaceId,
          kind: CHANNEL_MESSAGE,
          subjectId: messageId,
          orderKey: row.conversationId,
        });
      });
      outbox.wake();
      const found = (await conversations.findMessage(actor.workspaceId, messageId))!;
      events.publish({
        type: 'message.delivery_changed',
        workspaceId: actor.workspaceId,
        performedBy: actor.userId,
        ...found,
      });
      return found.message;
    },

    /** The first website inbox, for the demo shop page. */
    firstWebsiteInbox: () => repo.firstWebsiteInbox(db),

    /**
     * Starts or resumes a widget visitor. A valid {sourceId, visitorToken} resumes; otherwise a new visitor is made.
     * Nothing is stored for an anonymous visitor until their first message. A valid signed shop user id links the
     * visitor to that shop user's customer and history at once.
     */
    async startVisitor(
      inboxToken: string,
      input: {
        sourceId?: string;
        visitorToken?: string;
        identifier?: string;
        identifierHash?: string;
        name?: string;
        locale?: string;
      },
    ): Promise<VisitorSession> {
      const inbox = await inboxByToken(inboxToken);
      if (input.identifier && !isValidIdentifierHash(inbox.secret, input.identifier, input.identifierHash ?? '')) {
        throw new AppError('auth.signature_invalid', '用户身份签名无效（identifierHash）');
      }
      const resumed =
        input.sourceId && input.visitorToken
          ? await provenVisitor(inbox, input.sourceId, input.visitorToken)
          : undefined;
      const sourceId = resumed ? input.sourceId! : `v_${randomToken(12)}`;
      const visitorToken = resumed ? input.visitorToken! : visitorTokenFor(inbox.secret, sourceId);
      if (input.identifier && resumed?.identity) {
        const linked = await customers.linkVisitorToShopUser(
          inbox.workspaceId,
          inbox.id,
          resumed.identity.id,
          input.identifier,
          input.name,
        );
        await conversations.publishChanged(inbox.workspaceId, linked.movedConversations);
      } else if (input.identifier) {
        await storeShopUserVisitor(inbox, sourceId, visitorToken, input.identifier, input.name);
      }
      return {
        sourceId,
        visitorToken,
        inbox: {
          name: inbox.name,
          color: inbox.settings.color,
          greeting: localizedDefault(inbox.settings.greeting, 'inboxGreeting', buyerLocaleOf(input.locale)),
          hours: hoursStatus(await inboxBusinessHours(db, inbox.workspaceId, inbox.id)),
          agentsOnline: await agentsOnline(db, inbox.workspaceId, inbox.id),
        },
      };
    },

    /** What the widget's header shows: whether a person is there, and the business hours. */
    async publicStatus(inboxToken: string): Promise<PublicInboxStatus> {
      const inbox = await inboxByToken(inboxToken);
      return {
        agentsOnline: await agentsOnline(db, inbox.workspaceId, inbox.id),
        hours: hoursStatus(await inboxBusinessHours(db, inbox.workspaceId, inbox.id)),
      };
    },

    /** For the visitor socket's status frames. */
    agentsOnline: (inbox: { workspaceId: string; id: string }) => agentsOnline(db, inbox.workspaceId, inbox.id),

    /**
     * A visitor sends an image or file (proven by their own token only). The bytes decide the type, with the agents'
     * limits (png, jpeg, gif, webp, pdf, xlsx, docx, txt; 10 MB); SVG, HTML and the rest are refused. Stored as an
     * inbound message carrying the file, deduplicated by clientMsgId like a text message.
     */
    async receiveVisitorFile(
      inboxToken: string,
      input: {
        sourceId: string;
        visitorToken: string | undefined;
        clientMsgId?: string;
        filename?: string;
        data: Buffer;
      },
    ) {
      const inbox = await inboxByToken(inboxToken);
      const identity = await authenticateSource(inbox, input.sourceId, {
        visitorToken: input.visitorToken,
        signedPayload: '',
      });
      if (input.data.length > ATTACHMENT_MAX_BYTES) {
        throw new AppError('request.too_large', `文件超过 ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB 上限`);
      }
      const sniffed = sniffAttachment(input.data);
      if (!sniffed) {
        throw new AppError(
          'attachment.type_refused',
          '不支持的文件类型：只能发送图片（PNG、JPEG、GIF、WebP）和文档（PDF、Excel、Word、TXT）',
        );
      }
      const name = attachmentName(input.filename, sniffed.ext);
      const stored = await files.save(db, {
        workspaceId: inbox.workspaceId,
        createdBy: null,
        name,
        contentType: sniffed.contentType,
        data: input.data,
        maxBytes: ATTACHMENT_MAX_BYTES,
        purpose: 'attachment',
      });
      const received = await conversations.receiveInbound({
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        customerId:
          identity?.customerId ??
          (await customerForSource(inbox, input.sourceId, { visitorToken: input.visitorToken })),
        content: '',
        clientMsgId: input.clientMsgId,
        attachments: [{ fileId: stored.id, name, contentType: sniffed.contentType, size: stored.size }],
      });
      // The visitor's own copy links the file through this inbox's signed public URL.
      return { ...received, signer: { inboxToken: inbox.token, secret: inbox.secret } };
    },

    /** Public channel API: stores an inbound message for a visitor (token) or an integrator's contact (signature). */
    async receivePublicMessage(
      inboxToken: string,
      input: {
        sourceId: string;
        content: string;
        clientMsgId?: string;
        name?: string;
        phone?: string;
        email?: string;
        locale?: string;
      },
      auth: PublicAuth,
    ) {
      const inbox = await inboxByToken(inboxToken);
      const proven = await authenticateSource(inbox, input.sourceId, auth);
      const details = { name: input.name, phone: input.phone, email: input.email };
      const hasDetails = Boolean(input.name || input.phone || input.email);
      const message = {
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        content: input.content,
        clientMsgId: input.clientMsgId,
        ...localeMeta(input.locale),
      };
      // A signed integrator's source without details: its customer is found by the batch that stores the message
      // (made here first when the source is new), not by a read of its own.
      if (auth.signature && !hasDetails) {
        return conversations.receiveInboundFrom(
          { ...message, identity: { kind: 'source', externalId: input.sourceId } },
          () => customerForSource(inbox, input.sourceId, {}),
        );
      }
      // A stored visitor without new details is already known; otherwise (a signed integrator's source with details,
      // a visitor's first message, or details to fill into the customer's empty contact fields) the source is found
      // or made.
      const customerId =
        (hasDetails ? undefined : proven?.customerId) ??
        (await customerForSource(inbox, input.sourceId, {
          visitorToken: auth.signature ? undefined : auth.visitorToken,
          details,
        }));
      return conversations.receiveInbound({ ...message, customerId });
    },

    async listPublicMessages(
      inboxToken: string,
      sourceId: string,
      auth: PublicAuth,
      query: { limit: number; cursor?: string },
    ) {
      const inbox = await inboxByToken(inboxToken);
      const identity =
        (await authenticateSource(inbox, sourceId, auth)) ??
        (await customers.findIdentity(inbox.workspaceId, inbox.id, 'source', sourceId));
      if (!identity) return { items: [], nextCursor: null };
      return conversations.listCustomerMessages(inbox.workspaceId, inbox.id, identity.customerId, query);
    },

    /**
     * A message on an authenticated visitor socket: no need to prove the visitor again per frame. A visitor without a
     * customer yet gets one with this message.
     */
    receiveFromVisitor: async (
      visitor: { inbox: ChannelInbox; sourceId: string; visitorToken: string; customerId: string | undefined },
      { locale, ...input }: { content: string; clientMsgId: string; locale?: string },
    ) =>
      conversations.receiveInbound({
        workspaceId: visitor.inbox.workspaceId,
        inboxId: visitor.inbox.id,
        customerId:
          visitor.customerId ??
          (await customerForSource(visitor.inbox, visitor.sourceId, { visitorToken: visitor.visitorToken })),
        ...input,
        ...localeMeta(locale),
      }),

    /** For the visitor socket: who is connecting, proven by their token (no customer yet: they have not written). */
    async authenticateVisitor(inboxToken: string, sourceId: string, visitorToken: string) {
      const inbox = await inboxByToken(inboxToken);
      const identity = await authenticateSource(inbox, sourceId, { visitorToken, signedPayload: '' });
      return { inbox, sourceId, visitorToken, customerId: identity?.customerId };
    },
  };
}
