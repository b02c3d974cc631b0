import {
  type Conversation,
  type ConversationStatus,
  type Message,
  type MessageUrgency,
  messagePreview,
  type PublicMessage,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { createBatcher } from '../../platform/batcher.ts';
import {
  commitWithoutFlush,
  decodeCursor,
  decodeIdCursor,
  type Executor,
  encodeCursor,
  iso,
} from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { type AutomationSource, type Emit, type EventBus, publishingTransaction } from '../../platform/events.ts';
import type { Files } from '../../platform/files.ts';
import { newId, sha256 } from '../../platform/ids.ts';
import { searchCustomerIds } from '../customers/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { analyseInbound, isScorable } from '../nlp/index.ts';
import * as repo from './conversations.repository.ts';
import {
  type AttachmentRef,
  type AttachmentSigner,
  inboxSigner,
  resolveAttachments,
  toMessageAttachments,
  toPublicAttachments,
} from './message-attachments.ts';

export const toConversation = (row: repo.ConversationRow): Conversation => ({
  id: row.id,
  inboxId: row.inboxId,
  inboxName: row.inboxName,
  customerId: row.customerId,
  customerName: row.customerName,
  status: row.status,
  assigneeId: row.assigneeId,
  teamId: row.teamId,
  snoozedUntil: iso(row.snoozedUntil),
  waitingSince: iso(row.waitingSince),
  lastMessageAt: row.lastMessageAt.toISOString(),
  lastMessagePreview: row.lastMessagePreview,
  subject: row.subject,
  unreadCount: row.unreadCount,
  lastUrgent: row.lastUrgent,
  priority: row.priority,
  createdAt: row.createdAt.toISOString(),
});

const toUrgency = (reasons: string[]): MessageUrgency => ({
  urgent: reasons.length > 0,
  reasons: reasons as MessageUrgency['reasons'],
});

export const toMessage = (row: repo.MessageRow): Message => ({
  id: row.id,
  conversationId: row.conversationId,
  direction: row.direction,
  senderKind: row.senderKind,
  senderId: row.senderId,
  senderName: row.senderName,
  content: row.content,
  private: row.private,
  clientMsgId: row.clientMsgId,
  attachments: toMessageAttachments(row.attachments),
  sentiment: row.sentimentLabel ? { label: row.sentimentLabel, score: row.sentimentScore ?? 0.5 } : null,
  urgency: row.urgencyReasons ? toUrgency(row.urgencyReasons) : null,
  externalId: row.externalId,
  delivery: row.deliveryStatus
    ? { status: row.deliveryStatus, error: row.deliveryError, reason: row.deliveryReason ?? null }
    : null,
  channelMeta: row.channelMeta,
  createdAt: row.createdAt.toISOString(),
});

/**
 * What a visitor may see of a message: no internal ids of agents. Attachment links are signed for the inbox
 * (`signer`); without one, attachments are left out (inbound messages carry none).
 */
export const toPublicMessage = (message: Message, signer?: AttachmentSigner): PublicMessage => ({
  id: message.id,
  direction: message.direction,
  senderKind: message.senderKind,
  senderName: message.senderName,
  content: message.content,
  clientMsgId: message.clientMsgId,
  attachments: toPublicAttachments(message.attachments, signer),
  createdAt: message.createdAt,
});

// An attachment-only message is previewed by a stand-in ([图片], [文件] name) that clients show in their language.
const preview = (content: string, attachments: readonly AttachmentRef[] = []) => messagePreview(content, attachments);

/** Which status changes an agent may make. Resolved conversations are reopened, not snoozed. */
const allowedTransitions: Record<ConversationStatus, readonly ConversationStatus[]> = {
  open: ['pending', 'snoozed', 'resolved'],
  pending: ['open', 'snoozed', 'resolved'],
  snoozed: ['open', 'pending', 'resolved'],
  resolved: ['open'],
};

export type InboundMessage = {
  workspaceId: string;
  inboxId: string;
  customerId: string;
  content: string;
  clientMsgId?: string;
  /** Channel messages: the channel's id (also used as clientMsgId when none is given, so redelivery is a no-op). */
  externalId?: string;
  channelMeta?: Record<string, unknown>;
  /** Files the channel brought (stored with platform/files.ts, purpose 'attachment'). */
  attachments?: AttachmentRef[];
  /** An email reply's conversation (found by In-Reply-To/References): used when it is this customer's in this inbox. */
  threadId?: string;
  /** The content is a stand-in the channel wrote ([图片], [关注公众号]), not the customer's words: not scored. */
  isPlaceholder?: boolean;
};

/** A channel sender as the customers module stores it: an identity of kind `kind` in the message's inbox. */
export type InboundIdentity = { kind: 'source'; externalId: string };

/** A stored public outbound message that its conversation's channel may have to deliver. */
export type OutboundRef = {
  workspaceId: string;
  messageId: string;
  conversationId: string;
  inboxId: string;
  /** An agent's reply, or an automatic one (bot, system) that a channel may answer another way first. */
  senderKind: 'agent' | 'bot' | 'system';
};

/** A message automation sends (keyword reply, rule action, offline notice, bot answer). */
export type AutomatedMessage = {
  workspaceId: string;
  conversationId: string;
  content: string;
  senderKind: 'bot' | 'system';
  private?: boolean;
  /** Files to send along (e.g. a template's `attachments`); ones no longer stored are left out. */
  attachments?: readonly { fileId: string }[];
  /** Derived from what triggered it (e.g. `kw:<ruleId>:<inboundMessageId>`): the same key twice is stored once. */
  idempotencyKey: string;
  source: AutomationSource;
};

export type ConversationsService = ReturnType<typeof createConversationsService>;

/** A workbench search looks at the conversations of at most this many matching customers (the best ranked). */
const SEARCH_CUSTOMER_LIMIT = 500;

export function createConversationsService({
  db,
  events,
  identity,
  files,
  canAgentTake,
  queueOutbound,
}: {
  db: Db;
  events: EventBus;
  identity: Pick<IdentityService, 'findUser' | 'findTeam'>;
  files: Files;
  /** Routing's inbox-access rule (routing/index.ts), passed in by app.ts; absent: every enabled member may take work. */
  canAgentTake?: (executor: Executor, workspaceId: string, userId: string, inboxId: string) => Promise<boolean>;
  /**
   * The channels module's outbound queue (channels/index.ts), passed in by app.ts: called inside the transaction
   * that stores a public outbound message, so a channel that delivers later (email, WeChat, SMS, API) gets it
   * exactly when it is committed; answers whether it queued a delivery. Absent: messages are only pushed to
   * sockets (the widget).
   */
  queueOutbound?: (executor: Executor, message: OutboundRef) => Promise<boolean>;
}) {
  async function loadConversation(executor: Executor, workspaceId: string, id: string) {
    const row = await repo.findConversation(executor, workspaceId, id);
    if (!row) throw new AppError('conversation.not_found', '会话不存在');
    return row;
  }

  /**
   * A workbench search: the customer search first (its indexes; pinyin, initials, traditional characters,
   * full-width and spaced digits; phones only as far as `actor` may see them), then their conversations by
   * customer id. At most SEARCH_CUSTOMER_LIMIT customers, the customer list's best first.
   */
  async function searchOf(actor: Actor, q: string | undefined): Promise<repo.ConversationSearch | undefined> {
    if (!q) return undefined;
    return { q, customerIds: await searchCustomerIds(db, actor, q, SEARCH_CUSTOMER_LIMIT) };
  }

  const storeOne = (item: repo.InboundRow) =>
    repo.receiveInboundBatch(db, [item]).then(
      ([row]) => ({ row: row! }),
      (error: unknown) => ({ error }),
    );

  /**
   * Inbound messages that arrive while others are being stored go to the database together, in one
   * transaction. A customer's messages in an inbox always take the same lane, so they are stored in the order they
   * came (a later one cannot take the conversation first, nor a retry be stored before its original). If a batch
   * fails (one bad item), its items are stored one by one, in order, so only the bad one fails.
   */
  const storeInbound = createBatcher(
    async (items: repo.InboundRow[]) => {
      if (items.length > 1) {
        try {
          return (await repo.receiveInboundBatch(db, items)).map((row) => ({ row }));
        } catch {
          // fall through to one by one
        }
      }
      const outcomes = [];
      for (const item of items) outcomes.push(await storeOne(item));
      return outcomes;
    },
    {
      lanes: 2,
      maxBatch: 100,
      // A sender named by an identity keeps to its identity's lane (its customer is found in the batch).
      keyOf: (item) => `${item.inboxId}:${item.customerId ?? `${item.identityKind}:${item.identityExternalId}`}`,
    },
  );

  /**
   * Stores one inbound message from its customer, or from the sender with this identity in the inbox (whose customer
   * the batch looks up), and publishes it. Undefined (nothing stored) when that identity is not stored yet.
   */
  async function storeInboundMessage(
    input: Omit<InboundMessage, 'customerId'>,
    sender: { customerId: string } | { identity: InboundIdentity },
  ): Promise<{ message: Message; conversation: Conversation; isDuplicate: boolean } | undefined> {
    // Scored here, before the write, so sentiment and urgency go into the same row (tens of µs, no I/O).
    const isScored = isScorable(input);
    const analysis = isScored ? analyseInbound(input.content) : null;
    const item: repo.InboundRow = {
      ...input,
      ...('customerId' in sender
        ? { customerId: sender.customerId }
        : { customerId: null, identityKind: sender.identity.kind, identityExternalId: sender.identity.externalId }),
      messageId: newId(),
      newConversationId: newId(),
      clientMsgId: input.clientMsgId ?? input.externalId ?? null,
      preview: preview(input.content, input.attachments ?? []),
      sentimentLabel: analysis?.sentiment.label ?? null,
      sentimentScore: analysis?.sentiment.score ?? null,
      urgencyReasons: analysis?.urgency.reasons ?? null,
      isScored,
    };
    const outcome = await storeInbound(item);
    if ('error' in outcome) throw outcome.error;
    const { row } = outcome;
    if (row.customer_id === null) return undefined;
    const message: Message = {
      id: row.message_id,
      conversationId: row.conversation_id,
      direction: 'inbound',
      senderKind: 'customer',
      senderId: null,
      senderName: null,
      content: row.message_content,
      private: false,
      clientMsgId: item.clientMsgId,
      attachments: toMessageAttachments(input.attachments ?? []),
      sentiment: row.sentiment_label ? { label: row.sentiment_label, score: row.sentiment_score ?? 0.5 } : null,
      urgency: row.urgency_reasons ? toUrgency(row.urgency_reasons) : null,
      externalId: input.externalId ?? null,
      delivery: null,
      channelMeta: input.channelMeta ?? null,
      createdAt: iso(row.message_created_at)!,
    };
    const conversation: Conversation = {
      id: row.conversation_id,
      inboxId: input.inboxId,
      inboxName: row.inbox_name,
      customerId: row.customer_id,
      customerName: row.customer_name,
      status: row.status,
      assigneeId: row.assignee_id,
      teamId: row.team_id,
      snoozedUntil: iso(row.snoozed_until),
      waitingSince: iso(row.waiting_since),
      lastMessageAt: iso(row.last_message_at)!,
      lastMessagePreview: row.last_message_preview,
      subject: row.subject,
      unreadCount: row.unread_count,
      lastUrgent: row.last_urgent,
      priority: row.priority,
      createdAt: iso(row.conversation_created_at)!,
    };
    if (!row.is_duplicate) {
      if (row.conversation_id === item.newConversationId) {
        events.publish({
          type: 'conversation.created',
          workspaceId: input.workspaceId,
          performedBy: null,
          conversation,
        });
      }
      events.publish({
        type: 'message.created',
        workspaceId: input.workspaceId,
        performedBy: null,
        message,
        conversation,
      });
    }
    return { message, conversation, isDuplicate: row.is_duplicate };
  }

  async function publishUpdated(workspaceId: string, id: string, performedBy: string | null) {
    const conversation = toConversation(await loadConversation(db, workspaceId, id));
    events.publish({ type: 'conversation.updated', workspaceId, performedBy, conversation });
    return conversation;
  }

  async function publishCreated(
    workspaceId: string,
    messageId: string,
    performedBy: string | null,
    automation?: AutomationSource,
  ) {
    const messageRow = (await repo.findMessage(db, workspaceId, messageId))!;
    const conversationRow = await loadConversation(db, workspaceId, messageRow.conversationId);
    return publish(workspaceId, performedBy, automation, messageRow, conversationRow);
  }

  /** Publishes a stored message from the rows its transaction wrote. */
  function publish(
    workspaceId: string,
    performedBy: string | null,
    automation: AutomationSource | undefined,
    messageRow: repo.MessageRow,
    conversationRow: repo.ConversationRow,
  ) {
    const message = toMessage(messageRow);
    const conversation = toConversation(conversationRow);
    events.publish({ type: 'message.created', workspaceId, performedBy, automation, message, conversation });
    return { message, conversation };
  }

  return {
    async list(
      actor: Actor,
      query: {
        assignee: 'mine' | 'unassigned' | 'all';
        status?: ConversationStatus;
        inboxId?: string;
        customerId?: string;
        q?: string;
        limit: number;
        cursor?: string;
      },
    ) {
      assertCan(actor, 'conversations:read');
      const offset = Number(decodeCursor(query.cursor)?.[0] ?? 0);
      if (!Number.isInteger(offset) || offset < 0) throw new AppError('request.invalid', '分页游标无效');
      const { limit, cursor: _cursor, q, ...filter } = query;
      const rows = await repo.listConversations(
        db,
        { ...filter, search: await searchOf(actor, q), workspaceId: actor.workspaceId, userId: actor.userId },
        offset,
        limit + 1,
      );
      return {
        items: rows.slice(0, limit).map(toConversation),
        nextCursor: rows.length > limit ? encodeCursor([offset + limit]) : null,
      };
    },

    /** The tabs' counts under the list's status and search (`q` as the list got it). */
    async counts(actor: Actor, status: ConversationStatus | undefined, q?: string) {
      assertCan(actor, 'conversations:read');
      return repo.countConversations(db, actor.workspaceId, actor.userId, status, await searchOf(actor, q));
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'conversations:read');
      return toConversation(await loadConversation(db, actor.workspaceId, id));
    },

    async listMessages(actor: Actor, id: string, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'conversations:read');
      await loadConversation(db, actor.workspaceId, id);
      const before = decodeIdCursor(query.cursor);
      const rows = await repo.listMessages(db, actor.workspaceId, id, before, query.limit + 1);
      const newestFirst = rows.slice(0, query.limit).map(toMessage);
      return {
        items: newestFirst.reverse(),
        nextCursor: rows.length > query.limit ? encodeCursor([newestFirst[0]!.id]) : null,
      };
    },

    /**
     * An agent's reply or private note: stored, then pushed; the same clientMsgId twice is stored once. The first
     * public reply on an unassigned conversation assigns it to the agent in the same transaction, published as a
     * manual assignment is (`conversation.updated`), whatever their load: someone is answering this customer now.
     * A conversation assigned to someone else stays theirs.
     */
    async sendAgentMessage(
      actor: Actor,
      id: string,
      input: { content: string; private: boolean; clientMsgId?: string; attachmentIds?: string[] },
    ) {
      assertCan(actor, 'conversations:reply');
      const stored = await db.transaction(async (tx) => {
        const conversation = await loadConversation(tx, actor.workspaceId, id);
        const attachments = await resolveAttachments(tx, files, actor.workspaceId, input.attachmentIds ?? []);
        if (input.clientMsgId) {
          const duplicate = await repo.findMessageByClientId(tx, actor.workspaceId, id, input.clientMsgId);
          if (duplicate) return { id: duplicate.id, isNew: false };
        }
        const messageId = newId();
        const inserted = await repo.insertMessage(tx, {
          id: messageId,
          workspaceId: actor.workspaceId,
          conversationId: id,
          direction: 'outbound',
          senderKind: 'agent',
          senderId: actor.userId,
          content: input.content,
          private: input.private,
          clientMsgId: input.clientMsgId ?? null,
          attachments,
        });
        if (!inserted) {
          const duplicate = await repo.findMessageByClientId(tx, actor.workspaceId, id, input.clientMsgId!);
          return { id: duplicate!.id, isNew: false };
        }
        let claimed = false;
        if (!input.private) {
          await queueOutbound?.(tx, {
            workspaceId: actor.workspaceId,
            messageId,
            conversationId: id,
            inboxId: conversation.inboxId,
            senderKind: 'agent',
          });
          claimed =
            conversation.assigneeId === null &&
            conversation.status !== 'resolved' &&
            (!canAgentTake || (await canAgentTake(tx, actor.workspaceId, actor.userId, conversation.inboxId))) &&
            (await repo.claimConversation(tx, actor.workspaceId, id, actor.userId));
          await repo.updateConversation(tx, actor.workspaceId, id, {
            waitingSince: null,
            firstReplyAt: conversation.firstReplyAt ?? new Date(),
            lastMessageAt: new Date(),
            lastMessagePreview: preview(input.content, attachments),
            // The unread count is the assignee's: a colleague's reply leaves their badge as it is.
            ...(claimed || conversation.assigneeId === actor.userId ? { unreadCount: 0 } : {}),
            status: conversation.status === 'resolved' ? 'resolved' : 'open',
          });
        }
        return { id: messageId, isNew: true, claimed };
      });
      if (!stored.isNew) return toMessage((await repo.findMessage(db, actor.workspaceId, stored.id))!);
      const { message, conversation } = await publishCreated(actor.workspaceId, stored.id, actor.userId);
      if (stored.claimed) {
        events.publish({
          type: 'conversation.updated',
          workspaceId: actor.workspaceId,
          performedBy: actor.userId,
          conversation,
        });
      }
      return message;
    },

    /**
     * The one outbound path for automation: stored first (once per idempotency key), then published and pushed
     * like an agent's reply, so a replay after a restart sends nothing twice. A bot's reply does not stop the
     * customer's waiting clock: only a person's reply counts as the first response.
     */
    async sendAutomatedMessage(input: AutomatedMessage): Promise<{ message: Message; isNew: boolean }> {
      // Hashed: the key names rules and messages, and clientMsgId is visible to the visitor.
      const clientMsgId = `auto:${sha256(input.idempotencyKey).slice(0, 40)}`;
      const stored = await db.transaction(async (tx) => {
        const conversation = await loadConversation(tx, input.workspaceId, input.conversationId);
        const wanted = [...new Set((input.attachments ?? []).map((attachment) => attachment.fileId))];
        const found = new Map(
          (await files.findAttachments(tx, input.workspaceId, wanted)).map((row) => [row.fileId, row] as const),
        );
        const attachments = wanted.flatMap((fileId) => found.get(fileId) ?? []);
        const messageId = newId();
        const inserted = await repo.insertMessage(tx, {
          id: messageId,
          workspaceId: input.workspaceId,
          conversationId: input.conversationId,
          direction: 'outbound',
          senderKind: input.senderKind,
          senderId: null,
          content: input.content,
          private: input.private ?? false,
          clientMsgId,
          attachments,
        });
        if (!inserted) {
          const existing = await repo.findMessageByClientId(tx, input.workspaceId, input.conversationId, clientMsgId);
          return { isNew: false as const, id: existing!.id };
        }
        const queued =
          !input.private &&
          (await queueOutbound?.(tx, {
            workspaceId: input.workspaceId,
            messageId,
            conversationId: input.conversationId,
            inboxId: conversation.inboxId,
            senderKind: input.senderKind,
          }));
        // An automatic message that no channel delivers later does not wait for its commit to reach disk: it is
        // derived from a durable one, and a database crash that loses it is repaired at start (replayRecentInbound
        // re-runs the subscribers: same key, same message). The customer's answer then waits for one WAL flush,
        // the inbound message's, not two. One queued for a channel is flushed: it must never leave twice.
        if (!queued) await commitWithoutFlush(tx);
        if (input.private) return { isNew: true as const, message: inserted, conversation };
        // The list shows what was said: a system line (the bot's hand-off notice, a survey invitation) or an
        // automatic notice (the offline reply) does not take the place of the customer's, an agent's or the bot's words.
        const isNotice = input.senderKind === 'system' || input.source.kind === 'business_hours';
        const [updated] = await repo
          .updateConversation(tx, input.workspaceId, input.conversationId, {
            lastMessageAt: new Date(),
            ...(isNotice ? {} : { lastMessagePreview: preview(input.content, attachments) }),
          })
          .returning();
        return { isNew: true as const, message: inserted, conversation: { ...conversation, ...updated! } };
      });
      if (!stored.isNew) {
        return { message: toMessage((await repo.findMessage(db, input.workspaceId, stored.id))!), isNew: false };
      }
      // Published from the rows just written: no read-back on the automation path.
      const { message } = publish(
        input.workspaceId,
        null,
        input.source,
        { ...stored.message, senderName: null },
        stored.conversation,
      );
      return { message, isNew: true };
    },

    /**
     * Stores a customer's message in their active conversation (opening one if needed) and pushes it.
     * Idempotent on clientMsgId per customer and inbox: a retry answers the stored message with isDuplicate.
     */
    async receiveInbound(
      input: InboundMessage,
    ): Promise<{ message: Message; conversation: Conversation; isDuplicate: boolean }> {
      return (await storeInboundMessage(input, { customerId: input.customerId }))!;
    },

    /**
     * receiveInbound for a sender named by an identity of the inbox (the API channel's sourceId) who brings no
     * contact details: their customer is looked up in the batch that stores the message, not by a read of its own.
     * A sender seen for the first time has no identity yet: `customerFor` makes it (and announces the customer),
     * then the message is stored on it.
     */
    async receiveInboundFrom(
      input: Omit<InboundMessage, 'customerId'> & { identity: InboundIdentity },
      customerFor: () => Promise<string>,
    ): Promise<{ message: Message; conversation: Conversation; isDuplicate: boolean }> {
      const { identity, ...message } = input;
      return (
        (await storeInboundMessage(message, { identity })) ??
        (await storeInboundMessage(message, { customerId: await customerFor() }))!
      );
    },

    /**
     * Opens (or continues) the customer's conversation in an inbox for an agent who writes first — answering on
     * another channel — inside the caller's transaction; publish with `publishOpened` after it commits.
     */
    openOutbound: (
      executor: Executor,
      input: { workspaceId: string; inboxId: string; customerId: string; assigneeId: string },
    ) => repo.openOutboundConversation(executor, { id: newId(), ...input }),

    /** `conversation.created` for a conversation `openOutbound` created, once its transaction committed. */
    async publishOpened(workspaceId: string, id: string, performedBy: string) {
      const conversation = toConversation(await loadConversation(db, workspaceId, id));
      events.publish({ type: 'conversation.created', workspaceId, performedBy, conversation });
    },

    /** The customer's latest unresolved conversation in an inbox (no permission check: the visitor's own). */
    findUnresolvedId: (workspaceId: string, inboxId: string, customerId: string) =>
      repo.findUnresolvedConversationId(db, workspaceId, inboxId, customerId),

    /** A stored message as the channels module delivers it (no permission check: internal use). */
    findMessageRow: (workspaceId: string, id: string) => repo.findMessage(db, workspaceId, id),

    /** A message with its conversation, for events about it (e.g. its delivery state changed). */
    async findMessage(workspaceId: string, id: string) {
      const row = await repo.findMessage(db, workspaceId, id);
      if (!row) return undefined;
      return {
        message: toMessage(row),
        conversation: toConversation(await loadConversation(db, workspaceId, row.conversationId)),
      };
    },

    /** A visitor's own view of their history in one inbox: public messages only, newest page last. */
    async listCustomerMessages(
      workspaceId: string,
      inboxId: string,
      customerId: string,
      query: { limit: number; cursor?: string },
    ) {
      const before = decodeIdCursor(query.cursor);
      const rows = await repo.listCustomerMessages(db, workspaceId, inboxId, customerId, before, query.limit + 1);
      const signer = rows.some((row) => row.attachments.length > 0)
        ? await inboxSigner(db, workspaceId, inboxId)
        : undefined;
      const newestFirst = rows.slice(0, query.limit).map((row) => toPublicMessage(toMessage(row), signer));
      return {
        items: newestFirst.reverse(),
        nextCursor: rows.length > query.limit ? encodeCursor([newestFirst[0]!.id]) : null,
      };
    },

    async assign(actor: Actor, id: string, input: { assigneeId?: string | null; teamId?: string | null }) {
      assertCan(actor, 'conversations:assign');
      const current = await loadConversation(db, actor.workspaceId, id);
      if (input.assigneeId) {
        const user = await identity.findUser(actor.workspaceId, input.assigneeId);
        if (!user || user.disabled) throw new AppError('user.not_found', '要分配的客服不存在或已停用');
        if (canAgentTake && !(await canAgentTake(db, actor.workspaceId, input.assigneeId, current.inboxId))) {
          throw new AppError('routing.agent_ineligible', '该客服没有此收件箱的接待权限（或不是客服角色），不能分配');
        }
      }
      if (input.teamId && !(await identity.findTeam(actor.workspaceId, input.teamId))) {
        throw new AppError('team.not_found', '团队不存在');
      }
      await repo.updateConversation(db, actor.workspaceId, id, {
        ...(input.assigneeId !== undefined ? { assigneeId: input.assigneeId } : {}),
        ...(input.teamId !== undefined ? { teamId: input.teamId } : {}),
      });
      return publishUpdated(actor.workspaceId, id, actor.userId);
    },

    async changeStatus(actor: Actor, id: string, input: { status: ConversationStatus; snoozedUntil?: string }) {
      assertCan(actor, 'conversations:change_status');
      const conversation = await loadConversation(db, actor.workspaceId, id);
      if (conversation.status === input.status) return toConversation(conversation);
      if (!allowedTransitions[conversation.status].includes(input.status)) {
        throw new AppError(
          'conversation.invalid_transition',
          `不能从「${conversation.status}」变为「${input.status}」`,
        );
      }
      let snoozedUntil: Date | null = null;
      if (input.status === 'snoozed') {
        snoozedUntil = input.snoozedUntil ? new Date(input.snoozedUntil) : null;
        const inAYear = Date.now() + 366 * 86_400_000;
        if (!snoozedUntil || !(snoozedUntil.getTime() > Date.now() && snoozedUntil.getTime() < inAYear)) {
          throw new AppError('request.invalid', '挂起需要一个一年以内的将来时间（snoozedUntil）');
        }
      }
      const updated = await publishingTransaction(db, events, async (tx, emit) => {
        await repo.updateConversation(tx, actor.workspaceId, id, {
          status: input.status,
          snoozedUntil,
          snoozedBy: input.status === 'snoozed' ? actor.userId : null,
          ...(input.status === 'resolved' ? { waitingSince: null } : {}),
        });
        const changed = toConversation(await loadConversation(tx, actor.workspaceId, id));
        const base = { workspaceId: actor.workspaceId, performedBy: actor.userId, conversation: changed };
        await emit({ type: 'conversation.updated', ...base });
        if (input.status === 'resolved') await emit({ type: 'conversation.resolved', ...base });
        if (conversation.status === 'resolved') await emit({ type: 'conversation.reopened', ...base });
        return changed;
      });
      return updated;
    },

    /**
     * A change an automation rule makes (assign, priority, status): checked like an agent's, then published with
     * `automation` set so rules do not trigger themselves. Answers whether anything changed.
     */
    async applyAutomatedChange(
      workspaceId: string,
      id: string,
      change: {
        assigneeId?: string | null;
        teamId?: string | null;
        priority?: 'low' | 'normal' | 'high' | 'urgent';
        status?: 'open' | 'snoozed' | 'resolved';
        snoozedUntil?: Date;
      },
      source: AutomationSource,
    ): Promise<{ changed: boolean; conversation: Conversation }> {
      const current = await loadConversation(db, workspaceId, id);
      if (change.assigneeId) {
        const user = await identity.findUser(workspaceId, change.assigneeId);
        if (!user || user.disabled) throw new AppError('user.not_found', '要分配的客服不存在或已停用');
      }
      if (change.teamId && !(await identity.findTeam(workspaceId, change.teamId))) {
        throw new AppError('team.not_found', '团队不存在');
      }
      const patch: Parameters<typeof repo.updateConversation>[3] = {};
      if (change.assigneeId !== undefined && change.assigneeId !== current.assigneeId) {
        patch.assigneeId = change.assigneeId;
      }
      if (change.teamId !== undefined && change.teamId !== current.teamId) patch.teamId = change.teamId;
      if (change.priority !== undefined && change.priority !== current.priority) patch.priority = change.priority;
      if (change.status !== undefined && change.status !== current.status) {
        if (!allowedTransitions[current.status].includes(change.status)) {
          throw new AppError('conversation.invalid_transition', `不能从「${current.status}」变为「${change.status}」`);
        }
        patch.status = change.status;
        patch.snoozedUntil = change.status === 'snoozed' ? (change.snoozedUntil ?? null) : null;
        patch.snoozedBy = null;
        if (change.status === 'resolved') patch.waitingSince = null;
      }
      if (Object.keys(patch).length === 0) return { changed: false, conversation: toConversation(current) };
      const conversation = await publishingTransaction(db, events, async (tx, emit) => {
        await repo.updateConversation(tx, workspaceId, id, patch);
        const changed = toConversation(await loadConversation(tx, workspaceId, id));
        const base = { workspaceId, performedBy: null, automation: source, conversation: changed };
        await emit({ type: 'conversation.updated', ...base });
        if (patch.status === 'resolved') await emit({ type: 'conversation.resolved', ...base });
        return changed;
      });
      return { changed: true, conversation };
    },

    /**
     * After a restart: subscribers (auto-replies, rules, scoring) may have missed messages received just before
     * the stop, so those are published again, marked `replayed`. Subscribers are idempotent; pushes skip them.
     */
    async replayRecentInbound(since: Date, limit = 10_000) {
      const rows = await repo.listInboundSince(db, since, limit);
      for (const row of rows) {
        const message = toMessage(row);
        const conversation = toConversation(await loadConversation(db, row.workspaceId, message.conversationId));
        events.publish({
          type: 'message.created',
          workspaceId: row.workspaceId,
          performedBy: null,
          replayed: true,
          message,
          conversation,
        });
      }
      return rows.length;
    },

    /**
     * A deleted team's conversations lose the team, in the deletion's transaction (identity's deleteTeam, through
     * app.ts). Each unresolved one is emitted as `conversation.updated`, as when an agent changes the team, and so
     * reaches open inboxes once the deletion committed; resolved ones (a team's whole history) change quietly.
     * Answers how many changed.
     */
    async releaseTeam(
      tx: Executor,
      emit: Emit,
      input: { workspaceId: string; teamId: string; performedBy: string | null },
    ): Promise<number> {
      const cleared = await repo.clearTeam(tx, input.workspaceId, input.teamId);
      const unresolved = cleared.filter((row) => row.status !== 'resolved').map((row) => row.id);
      for (const row of await repo.findConversations(tx, input.workspaceId, unresolved)) {
        await emit({
          type: 'conversation.updated',
          workspaceId: input.workspaceId,
          performedBy: input.performedBy,
          conversation: toConversation(row),
        });
      }
      return cleared.length;
    },

    /** Conversations another module changed (moved to another customer by a merge), published as they are now. */
    async publishChanged(workspaceId: string, ids: string[]) {
      for (const id of ids) await publishUpdated(workspaceId, id, null);
    },

    /**
     * Timer: snoozed conversations reopen when their time comes (safe to run twice or on two nodes), with their
     * assignee and waiting from the snooze's end; each is published as updated and as `conversation.snooze_ended`,
     * whose notification (the assignee's, else the snoozer's) is written in the same transaction.
     */
    async wakeSnoozed() {
      return publishingTransaction(db, events, async (tx, emit) => {
        const woken = await repo.wakeSnoozed(tx);
        for (const row of woken) {
          const conversation = toConversation(await loadConversation(tx, row.workspaceId, row.id));
          const base = { workspaceId: row.workspaceId, performedBy: null, conversation };
          await emit({ type: 'conversation.updated', ...base });
          await emit({
            type: 'conversation.snooze_ended',
            ...base,
            snoozedUntil: row.snoozedUntil.toISOString(),
            notifyUserId: row.assigneeId ?? row.snoozedBy,
          });
        }
        return woken.length;
      });
    },

    /**
     * The assignee has read the customer's messages. Anyone else opening the conversation (a colleague or a
     * supervisor browsing, anyone while it is unassigned) leaves the unread count to the assignee.
     */
    async markRead(actor: Actor, id: string) {
      assertCan(actor, 'conversations:read');
      const conversation = await loadConversation(db, actor.workspaceId, id);
      if (conversation.unreadCount === 0 || conversation.assigneeId !== actor.userId) {
        return toConversation(conversation);
      }
      await repo.updateConversation(db, actor.workspaceId, id, { unreadCount: 0 });
      return publishUpdated(actor.workspaceId, id, actor.userId);
    },
  };
}
