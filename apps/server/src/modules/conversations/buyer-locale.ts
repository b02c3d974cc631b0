import { and, desc, eq, or, sql } from 'drizzle-orm';
import { messages } from '../../db/schema.ts';
import { type BuyerLocale, messageBuyerLocale } from '../../platform/buyer-lines.ts';
import type { Executor } from '../../platform/db-helpers.ts';

/**
 * The language to write the product's own lines in for this conversation's buyer: from their latest message
 * that tells (the widget's language, else its text); Chinese, the shop's language, when none does.
 */
export async function conversationBuyerLocale(
  executor: Executor,
  workspaceId: string,
  conversationId: string | null,
): Promise<BuyerLocale> {
  if (!conversationId) return 'zh-CN';
  const [latest] = await executor
    .select({ content: messages.content, channelMeta: messages.channelMeta })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, conversationId),
        eq(messages.direction, 'inbound'),
        eq(messages.senderKind, 'customer'),
        or(sql`${messages.content} <> ''`, sql`${messages.channelMeta} ? 'locale'`),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(1);
  return latest ? messageBuyerLocale(latest) : 'zh-CN';
}
