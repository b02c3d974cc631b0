import type { Db } from '../../db/database.ts';
import { localizedDefault, messageBuyerLocale } from '../../platform/buyer-lines.ts';
import type { EventBus } from '../../platform/events.ts';
import type { ConversationsService } from '../conversations/index.ts';
import { inboxBusinessHours, renderOfflineReply } from './inbox-hours.ts';

/**
 * Offline auto-reply: a customer who writes while the inbox is closed gets the inbox's offline message, once per
 * closed period per conversation. The idempotency key names the conversation and the next opening, so a second
 * message in the same closed period, or a replayed event, stores nothing new.
 */
export function subscribeOfflineReplies({
  db,
  events,
  conversations,
}: {
  db: Db;
  events: EventBus;
  conversations: Pick<ConversationsService, 'sendAutomatedMessage'>;
}) {
  return events.subscribe(
    async (event) => {
      if (event.type !== 'message.created' || event.automation) return;
      const { message, conversation } = event;
      if (message.direction !== 'inbound' || message.senderKind !== 'customer' || message.private) return;
      const bh = await inboxBusinessHours(db, event.workspaceId, conversation.inboxId);
      if (!bh.hours.enabled || !bh.offlineReply.enabled) return;
      const at = new Date(message.createdAt);
      if (bh.isOpen(at)) return;
      const next = bh.nextOpeningAt(at);
      // The product's default notice speaks the buyer's language; an away message the shop wrote is sent as written.
      const locale = messageBuyerLocale(message);
      const template = localizedDefault(bh.offlineReply.content, 'offlineReply', locale);
      const isTranslated = template !== bh.offlineReply.content;
      const content = renderOfflineReply(template, next, at, bh.hours.timezone, isTranslated ? locale : 'zh-CN').trim();
      if (!content) return;
      await conversations.sendAutomatedMessage({
        workspaceId: event.workspaceId,
        conversationId: conversation.id,
        content: content.slice(0, 5000),
        senderKind: 'bot',
        idempotencyKey: `offline:${conversation.id}:${next?.toISOString() ?? 'never'}`,
        source: { kind: 'business_hours', id: conversation.inboxId },
      });
    },
    { answersCustomers: true },
  );
}
