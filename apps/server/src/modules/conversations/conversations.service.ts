import type { Conversation, ConversationStatus, Message, PublicMessage } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { createBatcher } from '../../platform/batcher.ts';
import { decodeCursor, decodeIdCursor, type Executor, encodeCursor, iso } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventBus } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import type { IdentityService } from '../identity/index.ts';
import * as repo from './conversations.repository.ts';

const PREVIEW_LENGTH = 120;

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
  unreadCount: row.unreadCount,
  createdAt: row.createdAt.toISOString(),
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
  createdAt: row.createdAt.toISOString(),
});

/** What a visitor may see of a message: no internal ids of agents. */
export const toPublicMessage = (message: Message): PublicMessage => ({
  id: message.id,
  direction: message.direction,
  senderKind: message.senderKind,
  senderName: message.senderName,
  content: message.content,
  clientMsgId: message.clientMsgId,
  createdAt: message.createdAt,
});

const preview = (content: string) => content.replace(/\s+/g, ' ').slice(0, PREVIEW_LENGTH);

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
};

export type ConversationsService = ReturnType<typeof createConversationsService>;

export function createConversationsService({
  db,
  events,
  identity,
}: {
  db: Db;
  events: EventBus;
  identity: Pick<IdentityService, 'findUser' | 'findTeam'>;
}) {
  async function loadConversation(executor: Executor, workspaceId: string, id: string) {
    const row = await repo.findConversation(executor, workspaceId, id);
    if (!row) throw new AppError('conversation.not_found', '会话不存在');
    return row;
  }

  const storeOne = (item: repo.InboundRow) =>
    repo.receiveInboundBatch(db, [item]).then(
      ([row]) => ({ row: row! }),
      (error: unknown) => ({ error }),
    );

  /**
   * Inbound messages that arrive while others are being stored go to the database together, in one
   * transaction. If a batch fails (one bad item), its items are stored one by one so only the bad one fails.
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
      return Promise.all(items.map(storeOne));
    },
    { lanes: 2, maxBatch: 100 },
  );

  async function publishUpdated(workspaceId: string, id: string, performedBy: string | null) {
    const conversation = toConversation(await loadConversation(db, workspaceId, id));
    events.publish({ type: 'conversation.updated', workspaceId, performedBy, conversation });
    return conversation;
  }

  async function publishCreated(workspaceId: string, messageId: string, performedBy: string | null) {
    const message = toMessage((await repo.findMessage(db, workspaceId, messageId))!);
    const conversation = toConversation(await loadConversation(db, workspaceId, message.conversationId));
    events.publish({ type: 'message.created', workspaceId, performedBy, message, conversation });
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
      const { limit, cursor: _cursor, ...filter } = query;
      const rows = await repo.listConversations(
        db,
        { ...filter, q: filter.q || undefined, workspaceId: actor.workspaceId, userId: actor.userId },
        offset,
        limit + 1,
      );
      return {
        items: rows.slice(0, limit).map(toConversation),
        nextCursor: rows.length > limit ? encodeCursor([offset + limit]) : null,
      };
    },

    counts(actor: Actor, status: ConversationStatus | undefined) {
      assertCan(actor, 'conversations:read');
      return repo.countConversations(db, actor.workspaceId, actor.userId, status);
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

    /** An agent's reply or private note: stored, then pushed; the same clientMsgId twice is stored once. */
    async sendAgentMessage(
      actor: Actor,
      id: string,
      input: { content: string; private: boolean; clientMsgId?: string },
    ) {
      assertCan(actor, 'conversations:reply');
      const stored = await db.transaction(async (tx) => {
        const conversation = await loadConversation(tx, actor.workspaceId, id);
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
        });
        if (!inserted) {
          const duplicate = await repo.findMessageByClientId(tx, actor.workspaceId, id, input.clientMsgId!);
          return { id: duplicate!.id, isNew: false };
        }
        if (!input.private) {
          await repo.updateConversation(tx, actor.workspaceId, id, {
            waitingSince: null,
            firstReplyAt: conversation.firstReplyAt ?? new Date(),
            lastMessageAt: new Date(),
            lastMessagePreview: preview(input.content),
            unreadCount: 0,
            status: conversation.status === 'resolved' ? 'resolved' : 'open',
          });
        }
        return { id: messageId, isNew: true };
      });
      if (!stored.isNew) return toMessage((await repo.findMessage(db, actor.workspaceId, stored.id))!);
      return (await publishCreated(actor.workspaceId, stored.id, actor.userId)).message;
    },

    /**
     * Stores a customer's message in their active conversation (opening one if needed) and pushes it.
     * Idempotent on clientMsgId per customer and inbox: a retry answers the stored message with isDuplicate.
     */
    async receiveInbound(
      input: InboundMessage,
    ): Promise<{ message: Message; conversation: Conversation; isDuplicate: boolean }> {
      const outcome = await storeInbound({
        ...input,
        messageId: newId(),
        newConversationId: newId(),
        clientMsgId: input.clientMsgId ?? null,
        preview: preview(input.content),
      });
      if ('error' in outcome) throw outcome.error;
      const { row } = outcome;
      const message: Message = {
        id: row.message_id,
        conversationId: row.conversation_id,
        direction: 'inbound',
        senderKind: 'customer',
        senderId: null,
        senderName: null,
        content: row.message_content,
        private: false,
        clientMsgId: input.clientMsgId ?? null,
        createdAt: iso(row.message_created_at)!,
      };
      const conversation: Conversation = {
        id: row.conversation_id,
        inboxId: input.inboxId,
        inboxName: row.inbox_name,
        customerId: input.customerId,
        customerName: row.customer_name,
        status: row.status,
        assigneeId: row.assignee_id,
        teamId: row.team_id,
        snoozedUntil: iso(row.snoozed_until),
        waitingSince: iso(row.waiting_since),
        lastMessageAt: iso(row.last_message_at)!,
        lastMessagePreview: row.last_message_preview,
        unreadCount: row.unread_count,
        createdAt: iso(row.conversation_created_at)!,
      };
      if (!row.is_duplicate) {
        events.publish({
          type: 'message.created',
          workspaceId: input.workspaceId,
          performedBy: null,
          message,
          conversation,
        });
      }
      return { message, conversation, isDuplicate: row.is_duplicate };
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
      const newestFirst = rows.slice(0, query.limit).map((row) => toPublicMessage(toMessage(row)));
      return {
        items: newestFirst.reverse(),
        nextCursor: rows.length > query.limit ? encodeCursor([newestFirst[0]!.id]) : null,
      };
    },

    async assign(actor: Actor, id: string, input: { assigneeId?: string | null; teamId?: string | null }) {
      assertCan(actor, 'conversations:assign');
      await loadConversation(db, actor.workspaceId, id);
      if (input.assigneeId) {
        const user = await identity.findUser(actor.workspaceId, input.assigneeId);
        if (!user || user.disabled) throw new AppError('user.not_found', '要分配的客服不存在或已停用');
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
      await repo.updateConversation(db, actor.workspaceId, id, {
        status: input.status,
        snoozedUntil,
        ...(input.status === 'resolved' ? { waitingSince: null } : {}),
      });
      return publishUpdated(actor.workspaceId, id, actor.userId);
    },

    /** Timer: snoozed conversations reopen when their time comes (safe to run twice or on two nodes). */
    async wakeSnoozed() {
      for (const row of await repo.wakeSnoozed(db)) await publishUpdated(row.workspaceId, row.id, null);
    },

    async markRead(actor: Actor, id: string) {
      assertCan(actor, 'conversations:read');
      const conversation = await loadConversation(db, actor.workspaceId, id);
      if (conversation.unreadCount === 0) return toConversation(conversation);
      await repo.updateConversation(db, actor.workspaceId, id, { unreadCount: 0 });
      return publishUpdated(actor.workspaceId, id, actor.userId);
    },
  };
}
