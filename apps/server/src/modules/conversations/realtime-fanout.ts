import { agentSocketCloseCodes } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { toPublicMessage } from './conversations.service.ts';
import { inboxSigner } from './message-attachments.ts';

/** Turns domain events into realtime frames: agents see their workspace, visitors their own public messages. */
export function fanOutEventsToSockets(events: EventBus, realtime: Realtime, db: Db) {
  return events.subscribe(async (event) => {
    if (event.replayed) return;
    switch (event.type) {
      case 'message.created': {
        await realtime.broadcast(event.workspaceId, {
          topic: topics.workspace(event.workspaceId),
          frame: { type: 'message.created', message: event.message, conversation: event.conversation },
        });
        if (event.message.direction === 'outbound' && !event.message.private) {
          // Attachment links are signed for the visitor's inbox (looked up only when there are files).
          const signer =
            event.message.attachments.length > 0
              ? await inboxSigner(db, event.workspaceId, event.conversation.inboxId)
              : undefined;
          await realtime.broadcast(event.workspaceId, {
            topic: topics.visitor(event.conversation.inboxId, event.conversation.customerId),
            frame: { type: 'message', message: toPublicMessage(event.message, signer) },
          });
        }
        return;
      }
      case 'message.delivery_changed':
        await realtime.broadcast(event.workspaceId, {
          topic: topics.workspace(event.workspaceId),
          frame: { type: 'message.updated', message: event.message },
        });
        return;
      case 'conversation.updated':
        await realtime.broadcast(event.workspaceId, {
          topic: topics.workspace(event.workspaceId),
          frame: { type: 'conversation.updated', conversation: event.conversation },
        });
        return;
      case 'ticket.created':
      case 'ticket.updated':
        await realtime.broadcast(event.workspaceId, {
          topic: topics.workspace(event.workspaceId),
          frame: { type: 'ticket.updated', ticket: event.ticket },
        });
        return;
      case 'user.disabled':
        await realtime.broadcast(event.workspaceId, {
          topic: topics.user(event.userId),
          close: { code: agentSocketCloseCodes.disabled, reason: 'user disabled' },
        });
        return;
      case 'user.signed_out':
        // Only the ended sessions' sockets: the session that changed its own password stays connected.
        await Promise.all(
          event.sessionIds.map((sessionId) =>
            realtime.broadcast(event.workspaceId, {
              topic: topics.session(sessionId),
              close: { code: agentSocketCloseCodes.passwordChanged, reason: 'password changed' },
            }),
          ),
        );
        return;
    }
  });
}
