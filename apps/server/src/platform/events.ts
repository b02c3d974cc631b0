import type { Conversation, Message, Order, SlaTarget, Ticket } from '@huike/contracts';
import type { Db } from '../db/database.ts';
import type { Executor } from './db-helpers.ts';

/** What automation caused an event, so automation rules never trigger themselves in a loop. */
export type AutomationSource = {
  kind: 'keyword_reply' | 'automation' | 'business_hours' | 'bot' | 'routing' | 'survey';
  id: string;
};

type EventBase = {
  workspaceId: string;
  /** The user who acted; null when the customer or the system did. */
  performedBy: string | null;
  /** Set when an automation (keyword reply, rule, offline reply, bot) caused the event. */
  automation?: AutomationSource;
  /** Published again after a restart (see replayRecentInbound): act idempotently, push nothing to sockets. */
  replayed?: true;
};

/** Domain events, named `<module>.<past-tense>`. */
export type DomainEvent = EventBase &
  (
    | { type: 'message.created'; message: Message; conversation: Conversation }
    | { type: 'message.delivery_changed'; message: Message; conversation: Conversation }
    | { type: 'conversation.created'; conversation: Conversation }
    | { type: 'conversation.updated'; conversation: Conversation }
    | { type: 'conversation.resolved'; conversation: Conversation }
    | { type: 'conversation.tag_added'; conversationId: string; tagId: string }
    | { type: 'customer.created'; customerId: string }
    | { type: 'customer.updated'; customerId: string; fields: string[] }
    | { type: 'customer.tag_added'; customerId: string; tagId: string }
    | { type: 'order.created'; order: Order }
    | { type: 'order.updated'; order: Order }
    | { type: 'user.disabled'; userId: string }
    /**
     * Sessions of the user ended because the password was replaced (changed by the user, who keeps the session that
     * changed it; or reset by an admin or the CLI): those sessions' live sockets close too.
     */
    | { type: 'user.signed_out'; userId: string; sessionIds: string[]; reason: 'password_changed' }
    | { type: 'user.presence_changed'; userId: string; presence: 'online' | 'busy' | 'away' | 'offline' }
    | { type: 'conversation.reopened'; conversation: Conversation }
    | {
        /** A snoozed conversation woke up (its time came); `notifyUserId` is told: the assignee, else who snoozed it. */
        type: 'conversation.snooze_ended';
        conversation: Conversation;
        snoozedUntil: string;
        notifyUserId: string | null;
      }
    | { type: 'ticket.created'; ticket: Ticket }
    | { type: 'ticket.updated'; ticket: Ticket; changes: string[] }
    | { type: 'ticket.resolved'; ticket: Ticket }
    | { type: 'ticket.reopened'; ticket: Ticket }
    | { type: 'ticket.sla_breached'; ticket: Ticket; target: SlaTarget }
    | { type: 'bot.answered'; conversationId: string; articleId: string; confidence: number }
    | {
        type: 'bot.handed_off';
        conversation: Conversation;
        reason: 'requested' | 'low_confidence' | 'negative' | 'urgent';
      }
    | {
        type: 'survey.responded';
        kind: 'csat' | 'nps';
        surveyId: string;
        score: number;
        comment: string | null;
        customerId: string;
        conversationId: string | null;
        agentId: string | null;
      }
  );

export type DomainEventType = DomainEvent['type'];

export type MessageCreatedEvent = Extract<DomainEvent, { type: 'message.created' }>;

type Handler = (event: DomainEvent) => void | Promise<void>;
type TransactionHandler = (tx: Executor, event: DomainEvent) => Promise<void>;

export type EventBus = {
  publish(event: DomainEvent): void;
  /**
   * `answersCustomers`: the handler may store an automatic answer to a customer's message (keyword replies, the
   * bot, automation rules, the offline notice) — what `answersSettled` waits for.
   */
  subscribe(handler: Handler, options?: { answersCustomers?: boolean }): () => void;
  /**
   * Resolves once every subscriber that may answer customers has finished with this published event (failed ones
   * included), e.g. a WeChat callback knowing no automatic reply to an inbound message is still coming, without
   * waiting for reporting, routing or webhooks. Unknown events: at once.
   */
  answersSettled(event: DomainEvent): Promise<void>;
  /**
   * For work that must not be lost if the process dies between the commit and `publish` (webhook deliveries):
   * `handler` runs inside the publisher's transaction for each event of `types` (see publishingTransaction).
   */
  subscribeInTransaction(types: readonly DomainEventType[], handler: TransactionHandler): () => void;
  /** Runs the in-transaction subscribers of `event` in `tx`; `publish(event)` after the commit as always. */
  record(tx: Executor, event: DomainEvent): Promise<void>;
};

/** Emits an event from inside publishingTransaction's work. */
export type Emit = (event: DomainEvent) => Promise<void>;

/**
 * Runs `work` in one transaction: the events it emits are recorded in that transaction (so their webhook
 * deliveries commit with the change, or not at all) and published once it committed. Without a bus (services
 * built for command-line tools) the events go nowhere.
 */
export async function publishingTransaction<T>(
  db: Db,
  events: EventBus | undefined,
  work: (tx: Executor, emit: Emit) => Promise<T>,
): Promise<T> {
  const emitted: DomainEvent[] = [];
  const result = await db.transaction((tx) =>
    work(tx, async (event) => {
      if (!events) return;
      await events.record(tx, event);
      emitted.push(event);
    }),
  );
  for (const event of emitted) events?.publish(event);
  return result;
}

/**
 * In-process bus. Subscribers run after the publisher's transaction committed; a failing subscriber is logged, never
 * fatal. An event with in-transaction subscribers that is published without `record` is reported to `onError` (its
 * webhook deliveries were never written).
 */
export function createEventBus(onError: (error: unknown, event: DomainEvent) => void): EventBus {
  const handlers = new Map<Handler, { answersCustomers: boolean }>();
  const answering = new WeakMap<DomainEvent, Promise<void>>();
  const transactionHandlers = new Map<TransactionHandler, ReadonlySet<DomainEventType>>();
  const recorded = new WeakSet<DomainEvent>();
  const isRecordedType = (type: DomainEventType) => {
    for (const types of transactionHandlers.values()) if (types.has(type)) return true;
    return false;
  };
  return {
    publish(event) {
      if (!recorded.has(event) && isRecordedType(event.type)) {
        onError(new Error(`${event.type} was published without being recorded in its transaction`), event);
      }
      const answers: Promise<void>[] = [];
      for (const [handler, { answersCustomers }] of handlers) {
        const run = Promise.resolve()
          .then(() => handler(event))
          .catch((error) => onError(error, event));
        if (answersCustomers) answers.push(run);
      }
      if (answers.length > 0)
        answering.set(
          event,
          Promise.all(answers).then(() => undefined),
        );
    },
    answersSettled: (event) => answering.get(event) ?? Promise.resolve(),
    subscribe(handler, options) {
      handlers.set(handler, { answersCustomers: options?.answersCustomers ?? false });
      return () => handlers.delete(handler);
    },
    subscribeInTransaction(types, handler) {
      transactionHandlers.set(handler, new Set(types));
      return () => transactionHandlers.delete(handler);
    },
    async record(tx, event) {
      for (const [handler, types] of transactionHandlers) if (types.has(event.type)) await handler(tx, event);
      recorded.add(event);
    },
  };
}
