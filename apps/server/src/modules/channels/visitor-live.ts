import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import type { ConversationsService } from '../conversations/index.ts';
import { isAnyAgentOnline } from '../routing/index.ts';
import { findInbox } from './channels.repository.ts';

/** Presence changes reach a widget within this time (its socket pings every 25 s; REST polls every 30 s). */
const ONLINE_TTL_MS = 10_000;
const online = createTtlCache<boolean>(ONLINE_TTL_MS);

/** Whether an agent who may work this inbox is 在线 now (cached per process for a few seconds). */
export const agentsOnline = (db: Db, workspaceId: string, inboxId: string) =>
  online.get(`${workspaceId}:${inboxId}`, () => isAnyAgentOnline(db, workspaceId, inboxId));

/** Forgets this process's cached answers (tests; a change shows elsewhere within ONLINE_TTL_MS anyway). */
export const forgetAgentsOnline = () => online.deleteWhere(() => true);

/** At most one typing signal per side and conversation in this window; the rest are dropped, never stored. */
export const TYPING_INTERVAL_MS = 2_000;

export type Typing = ReturnType<typeof createTyping>;

/**
 * Typing indicators, both ways, through the realtime fan-out (LISTEN/NOTIFY, so every process's sockets get them).
 * Ephemeral: nothing is written to the database. The visitor's go to the agents of the workspace as
 * `conversation.typing`; an agent's go to that conversation's visitor only.
 */
export function createTyping({
  db,
  conversations,
  realtime,
}: {
  db: Db;
  conversations: Pick<ConversationsService, 'get' | 'findUnresolvedId'>;
  realtime: Realtime;
}) {
  const lastSent = new Map<string, number>();

  /** Throttle per key; false when the previous signal is too recent. */
  function allow(key: string, now = Date.now()) {
    const last = lastSent.get(key);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return false;
    if (lastSent.size >= 10_000) {
      for (const [k, at] of lastSent) if (now - at >= TYPING_INTERVAL_MS) lastSent.delete(k);
    }
    lastSent.set(key, now);
    return true;
  }

  return {
    /** The visitor types: their open conversation's agents are told (no open conversation: nothing to show). */
    async fromVisitor(visitor: { inbox: { id: string; workspaceId: string }; customerId: string }) {
      const { workspaceId, id: inboxId } = visitor.inbox;
      if (!allow(`v:${inboxId}:${visitor.customerId}`)) return;
      const conversationId = await conversations.findUnresolvedId(workspaceId, inboxId, visitor.customerId);
      if (!conversationId) return;
      await realtime.broadcast(workspaceId, {
        topic: topics.workspace(workspaceId),
        frame: { type: 'conversation.typing', conversationId, sender: 'customer' },
      });
    },

    /** An agent types a reply: the conversation's website visitor sees 「客服正在输入…」. */
    async fromAgent(actor: Actor, conversationId: string) {
      assertCan(actor, 'conversations:reply');
      const conversation = await conversations.get(actor, conversationId);
      if (conversation.status === 'resolved') return;
      // Only the website widget shows it; other channels have no such thing.
      const inbox = await findInbox(db, actor.workspaceId, conversation.inboxId);
      if (inbox?.channelType !== 'website') return;
      if (!allow(`a:${conversationId}`)) return;
      await realtime.broadcast(actor.workspaceId, {
        topic: topics.visitor(conversation.inboxId, conversation.customerId),
        frame: { type: 'typing' },
      });
    },
  };
}
