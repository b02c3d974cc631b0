import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { conversations, inboxes } from '../../db/schema.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import { isAnyAgentOnline } from '../routing/index.ts';

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
export function createTyping({ db, realtime }: { db: Db; realtime: Realtime }) {
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
      const [row] = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(
          and(
            eq(conversations.workspaceId, workspaceId),
            eq(conversations.inboxId, inboxId),
            eq(conversations.customerId, visitor.customerId),
            inArray(conversations.status, ['open', 'pending', 'snoozed']),
          ),
        )
        .orderBy(desc(conversations.createdAt))
        .limit(1);
      if (!row) return;
      await realtime.broadcast(workspaceId, {
        topic: topics.workspace(workspaceId),
        frame: { type: 'conversation.typing', conversationId: row.id, sender: 'customer' },
      });
    },

    /** An agent types a reply: the conversation's website visitor sees 「客服正在输入…」. */
    async fromAgent(actor: Actor, conversationId: string) {
      assertCan(actor, 'conversations:reply');
      const [row] = await db
        .select({
          inboxId: conversations.inboxId,
          customerId: conversations.customerId,
          status: conversations.status,
          channelType: inboxes.channelType,
        })
        .from(conversations)
        .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
        .where(and(eq(conversations.workspaceId, actor.workspaceId), eq(conversations.id, conversationId)));
      if (!row) throw new AppError('conversation.not_found', '会话不存在');
      // Only the website widget shows it; other channels have no such thing.
      if (row.channelType !== 'website' || row.status === 'resolved') return;
      if (!allow(`a:${conversationId}`)) return;
      await realtime.broadcast(actor.workspaceId, {
        topic: topics.visitor(row.inboxId, row.customerId),
        frame: { type: 'typing' },
      });
    },
  };
}
