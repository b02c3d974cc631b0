import { BOT_DEFAULT_THRESHOLD, type Conversation, type Message } from '@huike/contracts';
import { and, eq, sql, TransactionRollbackError } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { botSessions, botTurns, conversations, type InboxSettingsColumn, inboxes, messages } from '../../db/schema.ts';
import { type BuyerLocale, buyerLine, messageBuyerLocale } from '../../platform/buyer-lines.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import type { DomainEvent, EventBus, MessageCreatedEvent } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import { inboxBusinessHours } from '../business-hours/index.ts';
import type { ConversationsService } from '../conversations/index.ts';
import { faqCandidates } from './knowledge.repository.ts';
import { asksForHuman, bestFaqMatch } from './search-terms.ts';

/**
 * Whether the inbox bot is (still) handling this conversation: the inbox's bot is enabled and the conversation's
 * bot session is active — or not created yet while no agent has replied and nobody is assigned.
 * Routing holds assignment while this is true and assigns on `bot.handed_off`.
 */
export async function isBotHandling(executor: Executor, workspaceId: string, conversationId: string): Promise<boolean> {
  const [row] = await executor
    .select({
      enabled: sql<boolean>`coalesce((${inboxes.settings}->'bot'->>'enabled')::boolean, false)`,
      assigneeId: conversations.assigneeId,
      state: botSessions.state,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .leftJoin(
      botSessions,
      and(eq(botSessions.workspaceId, conversations.workspaceId), eq(botSessions.conversationId, conversations.id)),
    )
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)))
    .limit(1);
  if (!row?.enabled) return false;
  if (row.state) return row.state === 'active';
  if (row.assigneeId) return false;
  const [agentReply] = await executor
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, conversationId),
        eq(messages.senderKind, 'agent'),
      ),
    )
    .limit(1);
  return !agentReply;
}

// Every customer message asks whether its inbox's bot is on: read each inbox's bot settings at most every few
// seconds (this process sees a change at once, through forgetBotSettings).
const BOT_SETTINGS_CACHE_MS = 5_000;
const botSettingsCache = createTtlCache<InboxSettingsColumn['bot']>(BOT_SETTINGS_CACHE_MS);

const inboxBotSettings = (executor: Executor, workspaceId: string, inboxId: string) =>
  botSettingsCache.get(`${workspaceId}:${inboxId}`, async () => {
    const [inbox] = await executor
      .select({ settings: inboxes.settings })
      .from(inboxes)
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId)));
    return inbox?.settings.bot;
  });

export const forgetBotSettings = (workspaceId: string, inboxId: string) =>
  botSettingsCache.delete(`${workspaceId}:${inboxId}`);

// ── the bot ─────────────────────────────────────────────────────────────────────────────────────────

/** Sentiment at or above this probability of "negative" hands the conversation to a person, matched or not. */
const NEGATIVE_MIN_SCORE = 0.995;
/** …and at or above this one, an unmatched question is handed off as negative rather than low_confidence. */
const NEGATIVE_UNMATCHED_SCORE = 0.9;
/** Answers longer than this are cut, with a pointer to the help centre. */
const ANSWER_MAX = 800;

type HandoffReason = 'requested' | 'low_confidence' | 'negative' | 'urgent';
type Decision =
  | { kind: 'handoff'; reason: HandoffReason; articleId?: string; confidence?: number }
  | { kind: 'answer'; articleId: string; confidence: number; content: string };

export type Bot = ReturnType<typeof createBot>;

/**
 * The inbox FAQ bot. On a customer's message in an inbox whose bot is on, while the conversation's bot session is
 * active: asks for a person / urgent / clearly negative → hand off; else the best FAQ match (search-terms.ts) at
 * or above the inbox's threshold → answer with the article's text; below → hand off (low_confidence).
 * An agent's reply or a manual assignment stops the bot; resolving the conversation while it is active counts it
 * resolved by the bot. Each inbound message is handled once (bot_turns keyed by message id), so replays are safe.
 * A message a keyword reply answers (`ruleAnswers`) is left to the rule, unless it must be handed off.
 * The hand-off text promises a quick answer only when one can come: in business hours with an agent online
 * (`isAgentOnline`, the check behind the widget's 在线 header, so both say the same).
 */
export function createBot({
  db,
  events,
  conversations,
  ruleAnswers,
  isAgentOnline,
  log,
}: {
  db: Db;
  events: EventBus;
  conversations: Pick<ConversationsService, 'sendAutomatedMessage'>;
  ruleAnswers: (event: MessageCreatedEvent) => Promise<boolean>;
  isAgentOnline: (inbox: { workspaceId: string; id: string }) => Promise<boolean>;
  log: (error: unknown, context: Record<string, unknown>) => void;
}) {
  async function stop(workspaceId: string, conversationId: string) {
    await db
      .update(botSessions)
      .set({ state: 'handed_off', reason: 'agent', endedAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(botSessions.workspaceId, workspaceId),
          eq(botSessions.conversationId, conversationId),
          eq(botSessions.state, 'active'),
        ),
      );
  }

  async function resolvedByBot(workspaceId: string, conversationId: string) {
    await db
      .update(botSessions)
      .set({ state: 'resolved_by_bot', endedAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(botSessions.workspaceId, workspaceId),
          eq(botSessions.conversationId, conversationId),
          eq(botSessions.state, 'active'),
        ),
      );
  }

  /** The active session for this conversation, created on its first customer message; null when the bot is off. */
  async function activeSession(workspaceId: string, conversation: Conversation) {
    const settings = await inboxBotSettings(db, workspaceId, conversation.inboxId);
    if (!settings?.enabled) return null;
    const where = and(eq(botSessions.workspaceId, workspaceId), eq(botSessions.conversationId, conversation.id));
    let [session] = await db.select().from(botSessions).where(where);
    if (!session) {
      if (!(await isBotHandling(db, workspaceId, conversation.id))) return null;
      await db
        .insert(botSessions)
        .values({ id: newId(), workspaceId, inboxId: conversation.inboxId, conversationId: conversation.id })
        .onConflictDoNothing();
      [session] = await db.select().from(botSessions).where(where);
    } else if (session.state === 'resolved_by_bot' && conversation.status !== 'resolved') {
      // The customer came back to a conversation the bot had closed: the bot answers again.
      [session] = await db
        .update(botSessions)
        .set({ state: 'active', endedAt: null, updatedAt: new Date() })
        .where(and(where, eq(botSessions.state, 'resolved_by_bot')))
        .returning();
    }
    if (session?.state !== 'active') return null;
    return { session, threshold: settings.threshold ?? BOT_DEFAULT_THRESHOLD };
  }

  /**
   * The sentiment model and urgency rules were trained on reviews and complaints, so plain FAQ questions such as
   * 怎么退货 or 退款多久到账 often score negative or refund_dispute. Hence: an explicit request for a person or a
   * complaint threat always hands off; anger the model is near-certain of (negative ≥ NEGATIVE_MIN_SCORE) hands
   * off; other urgency or negativity only decides the reason when no article is close enough.
   */
  async function decide(
    workspaceId: string,
    message: Message,
    threshold: number,
    locale: BuyerLocale,
  ): Promise<Decision> {
    if (asksForHuman(message.content)) return { kind: 'handoff', reason: 'requested' };
    const reasons = message.urgency?.reasons ?? [];
    if (reasons.includes('complaint_threat')) return { kind: 'handoff', reason: 'urgent' };
    const negative = message.sentiment?.label === 'negative' ? message.sentiment.score : 0;
    if (negative >= NEGATIVE_MIN_SCORE) return { kind: 'handoff', reason: 'negative' };
    const candidates = await faqCandidates(db, workspaceId);
    const match = bestFaqMatch(message.content, candidates);
    if (!match || match.confidence < threshold) {
      const reason = message.urgency?.urgent
        ? 'urgent'
        : negative >= NEGATIVE_UNMATCHED_SCORE
          ? 'negative'
          : 'low_confidence';
      return { kind: 'handoff', reason, articleId: match?.articleId, confidence: match?.confidence };
    }
    const article = candidates.find((candidate) => candidate.id === match.articleId)!;
    const content =
      article.bodyText.length > ANSWER_MAX
        ? `${article.bodyText.slice(0, ANSWER_MAX)}${buyerLine(locale, 'answerCut')}`
        : article.bodyText;
    return { kind: 'answer', articleId: article.id, confidence: match.confidence, content: content || article.title };
  }

  async function onCustomerMessage(event: MessageCreatedEvent) {
    const { workspaceId, message, conversation } = event;
    const active = await activeSession(workspaceId, conversation);
    if (!active) return;
    const { session } = active;
    const locale = messageBuyerLocale(message);
    const decision = await decide(workspaceId, message, active.threshold, locale);
    // One answer per question: the rule's. The bot neither answers nor hands off for want of an article.
    const mayLeaveToRule = decision.kind === 'answer' || decision.reason === 'low_confidence';
    if (mayLeaveToRule && (await ruleAnswers(event))) return;

    // Claim the message and move the session in one transaction: a replayed event finds the turn and stops here.
    const claimed = await db
      .transaction(async (tx) => {
        const [turn] = await tx
          .insert(botTurns)
          .values({
            messageId: message.id,
            workspaceId,
            sessionId: session.id,
            outcome: decision.kind === 'answer' ? 'answered' : 'handed_off',
            articleId: decision.articleId ?? null,
            confidence: decision.confidence ?? null,
          })
          .onConflictDoNothing()
          .returning({ messageId: botTurns.messageId });
        if (!turn) return false;
        const [moved] = await tx
          .update(botSessions)
          .set(
            decision.kind === 'answer'
              ? { answersCount: sql`${botSessions.answersCount} + 1`, updatedAt: new Date() }
              : { state: 'handed_off', reason: decision.reason, endedAt: new Date(), updatedAt: new Date() },
          )
          .where(
            and(
              eq(botSessions.workspaceId, workspaceId),
              eq(botSessions.id, session.id),
              eq(botSessions.state, 'active'),
            ),
          )
          .returning({ id: botSessions.id });
        if (!moved) tx.rollback();
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof TransactionRollbackError) return false;
        throw error;
      });
    if (!claimed) return;

    const source = { kind: 'bot' as const, id: session.id };
    if (decision.kind === 'answer') {
      await conversations.sendAutomatedMessage({
        workspaceId,
        conversationId: conversation.id,
        content: decision.content,
        senderKind: 'bot',
        idempotencyKey: `bot:${message.id}`,
        source,
      });
      events.publish({
        type: 'bot.answered',
        workspaceId,
        performedBy: null,
        automation: source,
        conversationId: conversation.id,
        articleId: decision.articleId,
        confidence: decision.confidence,
      });
      return;
    }
    await conversations.sendAutomatedMessage({
      workspaceId,
      conversationId: conversation.id,
      content: await handoffMessage(workspaceId, conversation.inboxId, new Date(message.createdAt), locale),
      senderKind: 'system',
      idempotencyKey: `bot:${message.id}`,
      source,
    });
    events.publish({
      type: 'bot.handed_off',
      workspaceId,
      performedBy: null,
      automation: source,
      conversation,
      reason: decision.reason,
    });
  }

  /** In the language of the buyer's message (the widget's language, else guessed from the text). */
  async function handoffMessage(workspaceId: string, inboxId: string, at: Date, locale: BuyerLocale) {
    const hours = await inboxBusinessHours(db, workspaceId, inboxId);
    if (hours.hours.enabled && !hours.isOpen(at)) return buyerLine(locale, 'handoffOffHours');
    if (!(await isAgentOnline({ workspaceId, id: inboxId }))) return buyerLine(locale, 'handoffNobodyOnline');
    return buyerLine(locale, 'handoff');
  }

  async function handleEvent(event: DomainEvent) {
    switch (event.type) {
      case 'message.created': {
        const { message } = event;
        if (message.private) return;
        if (message.senderKind === 'agent') return stop(event.workspaceId, event.conversation.id);
        if (message.direction === 'inbound' && message.senderKind === 'customer' && !event.automation) {
          return onCustomerMessage(event);
        }
        return;
      }
      case 'conversation.updated':
        // A person assigned it (routing's and automation's assignments carry no performer): the bot steps back.
        if (event.performedBy && event.conversation.assigneeId) return stop(event.workspaceId, event.conversation.id);
        return;
      case 'conversation.resolved':
        return resolvedByBot(event.workspaceId, event.conversation.id);
      default:
        return;
    }
  }

  return {
    handleEvent,
    subscribe: () =>
      events.subscribe(
        (event) =>
          handleEvent(event).catch((error) => log(error, { workspaceId: event.workspaceId, event: event.type })),
        { answersCustomers: true },
      ),
  };
}
