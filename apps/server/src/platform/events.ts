import type { Conversation, Message } from '@huike/contracts';

/** Domain events, named `<module>.<past-tense>`. `performedBy` is null when the customer or the system acted. */
export type DomainEvent =
  | {
      type: 'message.created';
      workspaceId: string;
      performedBy: string | null;
      message: Message;
      conversation: Conversation;
    }
  | {
      type: 'conversation.updated';
      workspaceId: string;
      performedBy: string | null;
      conversation: Conversation;
    }
  | { type: 'user.disabled'; workspaceId: string; performedBy: string | null; userId: string };

type Handler = (event: DomainEvent) => void | Promise<void>;

export type EventBus = {
  publish(event: DomainEvent): void;
  subscribe(handler: Handler): () => void;
};

/** In-process bus. Subscribers run after the publisher's transaction committed; a failing subscriber is logged, never fatal. */
export function createEventBus(onError: (error: unknown, event: DomainEvent) => void): EventBus {
  const handlers = new Set<Handler>();
  return {
    publish(event) {
      for (const handler of handlers) {
        Promise.resolve()
          .then(() => handler(event))
          .catch((error) => onError(error, event));
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
