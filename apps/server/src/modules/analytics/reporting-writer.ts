import type { Conversation, Message, Ticket } from '@huike/contracts';
import { businessDurationBetween } from '@huike/contracts';
import { TfIdf } from '@node-rs/jieba';
import { idf } from '@node-rs/jieba/dict.js';
import type { Db } from '../../db/database.ts';
import { createBatcher } from '../../platform/batcher.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import type { DomainEvent, EventBus } from '../../platform/events.ts';
import { createKeyedChain } from '../../platform/keyed-chain.ts';
import { segmenter } from '../../platform/text/index.ts';
import { inboxBusinessHours } from '../business-hours/index.ts';
import * as repo from './analytics.repository.ts';

let tfidf: TfIdf | undefined;
const STOP_WORDS = new Set([
  '你们',
  '我们',
  '什么',
  '怎么',
  '还是',
  '已经',
  '这个',
  '那个',
  '一下',
  '现在',
  '就是',
  '没有',
]);

/** Up to three top terms of a complaint (jieba TF-IDF), for the complaint keyword list. */
export function complaintKeywords(text: string): string[] {
  tfidf ??= TfIdf.withDict(idf);
  return tfidf
    .extractKeywords(segmenter(), text.slice(0, 500), 6)
    .map((k) => k.keyword)
    .filter((k) => k.length >= 2 && !STOP_WORDS.has(k) && !/^[\d\p{P}\s]+$/u.test(k))
    .slice(0, 3);
}

/** A merged duplicate is neither resolved, nor open, nor an SLA miss: only its ticket_created fact stays. */
const MERGED_OUT = ['ticket_resolved', 'ticket_sla_met', 'ticket_sla_missed', 'ticket_sla_breached'];

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

async function businessSeconds(executor: Executor, workspaceId: string, inboxId: string, from: Date, to: Date) {
  try {
    const bh = await inboxBusinessHours(executor, workspaceId, inboxId);
    return seconds(businessDurationBetween(bh.hours, bh.holidays, from, to));
  } catch {
    return seconds(to.getTime() - from.getTime()); // the inbox is gone: calendar time
  }
}

/** Writes one reporting event per fact; the fact key makes a replayed or repeated event write nothing. */
export function createReportingWriter({ db }: { db: Db }) {
  // Facts of many events leave in one statement while the previous one is in flight (busy inboxes write
  // several facts per message).
  const insertFact = createBatcher((facts: repo.ReportingFact[]) => repo.insertFacts(db, facts));

  async function insert(fact: repo.ReportingFact) {
    const isNew = await insertFact(fact);
    // A fact for a past day (e.g. an FCR that a later contact broke) makes that day read raw until rebuilt.
    if (isNew && Date.now() - fact.occurredAt.getTime() > 60_000)
      await repo.markDayStale(db, fact.workspaceId, fact.occurredAt);
    return isNew;
  }

  const base = (c: Conversation, agentId: string | null = c.assigneeId) => ({
    conversationId: c.id,
    inboxId: c.inboxId,
    teamId: c.teamId,
    agentId,
    customerId: c.customerId,
  });

  async function onConversationCreated(workspaceId: string, c: Conversation) {
    const at = new Date(c.createdAt);
    const isNew = await insert({
      workspaceId,
      occurredAt: at,
      kind: 'conversation_created',
      factKey: c.id,
      ...base(c),
    });
    if (!isNew) return;
    if (await repo.hasRecentConversation(db, workspaceId, c.customerId, c.id, at)) {
      await insert({ workspaceId, occurredAt: at, kind: 'conversation_repeat', factKey: c.id, ...base(c) });
    }
    // The customer came back within 7 days: their earlier first resolutions were not first-contact resolutions.
    for (const earlier of await repo.recentFirstResolutions(db, workspaceId, c.customerId, at)) {
      if (earlier !== c.id) await breakFirstContact(workspaceId, earlier, 'returned');
    }
  }

  /**
   * Conversations and tickets count for the agent and team they were first assigned to: routing (or a person) assigns
   * them after they were created, so the created facts take the first assignee and team when they get one.
   */
  async function attributeFirstAssignment(
    workspaceId: string,
    kinds: readonly string[],
    factKey: string,
    agentId: string | null,
    teamId: string | null,
  ) {
    if (!agentId && !teamId) return;
    for (const occurredAt of await repo.attributeFacts(db, workspaceId, kinds, factKey, agentId, teamId)) {
      if (Date.now() - occurredAt.getTime() > 60_000) await repo.markDayStale(db, workspaceId, occurredAt);
    }
  }

  async function breakFirstContact(workspaceId: string, conversationId: string, reason: 'reopened' | 'returned') {
    const resolution = await repo.findFact(db, workspaceId, 'conversation_resolved', `${conversationId}:0`);
    if (!resolution) return;
    await insert({
      workspaceId,
      occurredAt: new Date(resolution.occurred_at),
      kind: 'fcr_broken',
      factKey: conversationId,
      conversationId,
      inboxId: resolution.inbox_id,
      teamId: resolution.team_id,
      agentId: resolution.agent_id,
      customerId: resolution.customer_id,
      extra: { reason },
    });
  }

  async function onMessage(workspaceId: string, m: Message, c: Conversation) {
    const at = new Date(m.createdAt);
    if (m.senderKind === 'agent' && !m.private) {
      const context = await repo.replyContext(db, workspaceId, c.id, m.id, at);
      if (context.wait_start) {
        const from = new Date(context.wait_start);
        await insert({
          workspaceId,
          occurredAt: at,
          kind: 'reply_time',
          factKey: m.id,
          ...base(c, m.senderId),
          value: seconds(at.getTime() - from.getTime()),
          businessValue: await businessSeconds(db, workspaceId, c.inboxId, from, at),
        });
      }
      if (context.earlier === 0 && context.first_inbound) {
        const from = new Date(context.first_inbound);
        await insert({
          workspaceId,
          occurredAt: at,
          kind: 'first_response',
          factKey: c.id,
          ...base(c, m.senderId),
          value: seconds(at.getTime() - from.getTime()),
          businessValue: await businessSeconds(db, workspaceId, c.inboxId, from, at),
        });
      }
      return;
    }
    if (m.senderKind !== 'customer') return;
    const reasons = m.urgency?.reasons ?? [];
    if (reasons.length > 0) {
      await insert({
        workspaceId,
        occurredAt: at,
        kind: 'urgent_message',
        factKey: m.id,
        ...base(c),
        extra: { reasons },
      });
    }
    // Only the urgency reasons mark a complaint: the sentiment model, trained on reviews, scores plain questions
    // such as 有 XL 码吗 around 0.85 negative, and their words would crowd the complaint keyword list.
    const isComplaint = reasons.some(
      (r) => r === 'complaint_threat' || r === 'refund_dispute' || r === 'strong_negative',
    );
    if (isComplaint && m.content) {
      for (const keyword of complaintKeywords(m.content)) {
        await insert({
          workspaceId,
          occurredAt: at,
          kind: 'complaint_keyword',
          factKey: `${m.id}:${keyword}`,
          ...base(c),
          dim: keyword,
        });
      }
    }
  }

  async function onResolved(workspaceId: string, c: Conversation, performedBy: string | null) {
    const at = new Date();
    const n = await repo.countConversationFacts(db, workspaceId, c.id, 'conversation_reopened');
    const created = new Date(c.createdAt);
    await insert({
      workspaceId,
      occurredAt: at,
      kind: 'conversation_resolved',
      factKey: `${c.id}:${n}`,
      ...base(c, c.assigneeId ?? performedBy),
      dim: n === 0 ? 'first' : 'again',
      value: seconds(at.getTime() - created.getTime()),
      businessValue: await businessSeconds(db, workspaceId, c.inboxId, created, at),
    });
    if (n === 0) {
      const botAnswered = await repo.findFact(db, workspaceId, 'bot_answered', c.id);
      const handedOff = await repo.findFact(db, workspaceId, 'bot_handed_off', c.id);
      const humanReplied = await repo.findFact(db, workspaceId, 'first_response', c.id);
      if (botAnswered && !handedOff && !humanReplied) {
        await insert({ workspaceId, occurredAt: at, kind: 'bot_resolved', factKey: c.id, ...base(c, null) });
      }
    }
  }

  async function onReopened(workspaceId: string, c: Conversation) {
    const n = await repo.countConversationFacts(db, workspaceId, c.id, 'conversation_reopened');
    const resolutions = await repo.countConversationFacts(db, workspaceId, c.id, 'conversation_resolved');
    if (resolutions <= n) return; // already counted this reopen
    await insert({
      workspaceId,
      occurredAt: new Date(),
      kind: 'conversation_reopened',
      factKey: `${c.id}:${n}`,
      ...base(c),
    });
    await breakFirstContact(workspaceId, c.id, 'reopened');
  }

  async function ticketBase(workspaceId: string, t: Ticket) {
    const conversation = t.conversationId ? await repo.findConversationRow(db, workspaceId, t.conversationId) : null;
    return {
      ticketId: t.id,
      conversationId: t.conversationId,
      inboxId: conversation?.inbox_id ?? null,
      teamId: t.teamId,
      agentId: t.assigneeId,
      customerId: t.customerId,
    };
  }

  /** Its facts' days are read raw until rebuilt without them. */
  async function retractMergedTicket(workspaceId: string, t: Ticket) {
    // Its facts are dated at its creation, its resolution or a clock's due time.
    const dates = [t.createdAt, ...t.clocks.map((clock) => clock.dueAt)].filter((d): d is string => d !== null);
    const since = new Date(Math.min(...dates.map((d) => Date.parse(d))));
    for (const occurredAt of await repo.deleteTicketFacts(db, workspaceId, t.id, since, MERGED_OUT)) {
      await repo.markDayStale(db, workspaceId, occurredAt);
    }
  }

  async function onTicket(event: Extract<DomainEvent, { type: `ticket.${string}` }>) {
    const { workspaceId } = event;
    const t = event.ticket;
    if (event.type === 'ticket.created') {
      await insert({
        workspaceId,
        occurredAt: new Date(t.createdAt),
        kind: 'ticket_created',
        factKey: t.id,
        ...(await ticketBase(workspaceId, t)),
        dim: t.category,
        extra: { severity: t.severity },
      });
    } else if (event.type === 'ticket.resolved') {
      const at = t.resolvedAt ? new Date(t.resolvedAt) : new Date();
      const common = await ticketBase(workspaceId, t);
      await insert({
        workspaceId,
        occurredAt: at,
        kind: 'ticket_resolved',
        factKey: `${t.id}:${at.toISOString()}`,
        ...common,
        dim: t.category,
        value: seconds(at.getTime() - new Date(t.createdAt).getTime()),
        extra: { severity: t.severity },
      });
      if (t.clocks.length > 0) {
        const isBreached = t.clocks.some((clock) => clock.breachedAt !== null);
        await insert({
          workspaceId,
          occurredAt: at,
          kind: isBreached ? 'ticket_sla_missed' : 'ticket_sla_met',
          factKey: t.id,
          ...common,
          dim: t.category,
        });
      }
    } else if (event.type === 'ticket.updated') {
      if (event.changes.includes('mergedIntoId') && t.mergedIntoId) {
        await retractMergedTicket(workspaceId, t);
        return;
      }
      await attributeFirstAssignment(workspaceId, ['ticket_created'], t.id, t.assigneeId, t.teamId);
    } else if (event.type === 'ticket.sla_breached') {
      // The breach happened when the clock ran out (the sweep notices it a little later); a reopened ticket's new
      // clock has another due time, so its breach is a new fact.
      const dueAt = t.clocks.find((clock) => clock.target === event.target)?.dueAt;
      const occurredAt = dueAt ? new Date(dueAt) : new Date();
      const common = await ticketBase(workspaceId, t);
      await insert({
        workspaceId,
        occurredAt,
        kind: 'ticket_sla_breached',
        factKey: dueAt ? `${t.id}:${event.target}:${dueAt}` : `${t.id}:${event.target}`,
        ...common,
        dim: event.target,
        extra: { severity: t.severity, category: t.category },
      });
      // Missed from the moment its first clock ran out, open or not: counted on that due time's day (resolving it
      // later adds nothing, the key is the ticket's).
      await insert({ workspaceId, occurredAt, kind: 'ticket_sla_missed', factKey: t.id, ...common, dim: t.category });
    }
  }

  /**
   * `bot_engaged` once per conversation the bot answered or handed off (some it hands off without answering): the
   * denominator of its resolution and hand-off rates.
   */
  async function onBot(workspaceId: string, conversationId: string, kind: 'bot_answered' | 'bot_handed_off', dim = '') {
    const c = await repo.findConversationRow(db, workspaceId, conversationId);
    if (!c) return;
    const fact = {
      workspaceId,
      occurredAt: new Date(),
      factKey: conversationId,
      conversationId,
      inboxId: c.inbox_id,
      teamId: c.team_id,
      agentId: null,
      customerId: c.customer_id,
    };
    await insert({ ...fact, kind: 'bot_engaged', dim: '' });
    await insert({ ...fact, kind, dim });
  }

  async function onSurvey(event: Extract<DomainEvent, { type: 'survey.responded' }>) {
    const c = event.conversationId ? await repo.findConversationRow(db, event.workspaceId, event.conversationId) : null;
    await insert({
      workspaceId: event.workspaceId,
      occurredAt: new Date(),
      kind: event.kind,
      factKey: event.surveyId,
      conversationId: event.conversationId,
      inboxId: c?.inbox_id ?? null,
      teamId: c?.team_id ?? null,
      agentId: event.agentId ?? c?.assignee_id ?? null,
      customerId: event.customerId,
      dim: String(event.score),
      value: event.score,
    });
  }

  /** Handles one domain event (exported for tests and the demo seed). */
  async function handle(event: DomainEvent) {
    switch (event.type) {
      case 'conversation.created':
        return onConversationCreated(event.workspaceId, event.conversation);
      case 'message.created':
        return onMessage(event.workspaceId, event.message, event.conversation);
      case 'conversation.resolved':
        return onResolved(event.workspaceId, event.conversation, event.performedBy);
      case 'conversation.reopened':
        return onReopened(event.workspaceId, event.conversation);
      case 'conversation.updated':
        return attributeFirstAssignment(
          event.workspaceId,
          ['conversation_created', 'conversation_repeat'],
          event.conversation.id,
          event.conversation.assigneeId,
          event.conversation.teamId,
        );
      case 'ticket.created':
      case 'ticket.updated':
      case 'ticket.resolved':
      case 'ticket.sla_breached':
        return onTicket(event);
      case 'bot.answered':
        return onBot(event.workspaceId, event.conversationId, 'bot_answered');
      case 'bot.handed_off':
        return onBot(event.workspaceId, event.conversation.id, 'bot_handed_off', event.reason);
      case 'survey.responded':
        return onSurvey(event);
      default:
        return undefined;
    }
  }

  // Facts of one conversation (or ticket) are written in the order their events came, so "first" and counts stay right.
  const chain = createKeyedChain();
  function subscribe(events: EventBus) {
    return events.subscribe((event) => {
      const key =
        'conversation' in event
          ? event.conversation.id
          : 'conversationId' in event
            ? String(event.conversationId)
            : 'ticket' in event
              ? `ticket:${event.ticket.id}`
              : event.type;
      return chain.run(key, () => handle(event));
    });
  }

  /** Resolves when every fact of the events published so far is written (tests, demo seed). */
  const idle = () => chain.idle();

  return { handle, subscribe, idle };
}
export type ReportingWriter = ReturnType<typeof createReportingWriter>;
