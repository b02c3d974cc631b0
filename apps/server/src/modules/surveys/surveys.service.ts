import {
  defaultSurveySettings,
  type NpsSend,
  type PublicSurvey,
  type PublicSurveyAnswerBody,
  type SendNpsBody,
  type Survey,
  type SurveyKind,
  type SurveyResponse,
  type SurveyResponseListQuery,
  type SurveySettings,
  type SurveySummary,
  type SurveySummaryQuery,
  surveyScale,
  surveySettings,
} from '@huike/contracts';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { type BuyerLocale, buyerLine, localizedDefault } from '../../platform/buyer-lines.ts';
import { decodeCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventBus } from '../../platform/events.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { type ConversationsService, conversationBuyerLocale } from '../conversations/index.ts';
import { resolveCustomerTarget } from '../segments/index.ts';
import * as repo from './surveys.repository.ts';

const npsJobPayload = z.object({
  sendId: z.uuid(),
  segmentId: z.uuid(),
  question: z.string(),
  expiryDays: z.number().int(),
});

export const NPS_JOB_KIND = 'surveys.nps_send';
const DAY_MS = 86_400_000;

/** The tickets module's `createSystemTicket`, passed in by app.ts (surveys never imports tickets' internals). */
export type CreateFollowUpTicket = (input: {
  workspaceId: string;
  subject: string;
  description: string;
  category: string;
  severity: 'normal' | 'serious' | 'urgent';
  customerId?: string | null;
  conversationId?: string | null;
  assigneeId?: string | null;
  teamId?: string | null;
}) => Promise<{ ticket: { id: string } }>;

/** The public link: absolute when HUIKE_PUBLIC_URL is set (for customers reading it outside the widget). */
export const surveyLink = (token: string, publicUrl?: string) => `${publicUrl?.replace(/\/+$/, '') ?? ''}/s/${token}`;

const stars = (score: number) => '★'.repeat(score) + '☆'.repeat(Math.max(0, 5 - score));

export const toSurvey = (row: repo.SurveyRow, publicUrl?: string): Survey => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  customerId: row.customer_id,
  conversationId: row.conversation_id,
  agentId: row.agent_id,
  question: row.question,
  link: surveyLink(row.token, publicUrl),
  sentAt: row.sent_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** The workspace's survey settings, with defaults for anything unset or no longer valid. */
export async function getSurveySettings(executor: Executor, workspaceId: string): Promise<SurveySettings> {
  const stored = (await repo.workspaceSettings(executor, workspaceId))?.surveys;
  const raw = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const result = { ...defaultSurveySettings };
  for (const key of Object.keys(surveySettings.shape) as (keyof SurveySettings)[]) {
    const parsed = surveySettings.shape[key].safeParse(raw[key]);
    if (parsed.success) (result as Record<string, unknown>)[key] = parsed.data;
  }
  return result;
}

/**
 * The message that carries a survey, in the buyer's language: a short invitation and the public link (the widget
 * shows a rating card).
 */
export function invitationText(kind: SurveyKind, question: string, link: string, locale: BuyerLocale = 'zh-CN') {
  const lead = buyerLine(locale, kind === 'csat' ? 'csatLead' : 'npsLead');
  return `${lead}${question}${buyerLine(locale, 'surveyLink')}${link}`;
}

/** The survey's question for a buyer: the product's default in their language, the shop's own as is. */
const questionIn = (kind: SurveyKind, question: string, locale: BuyerLocale) =>
  localizedDefault(question, kind === 'csat' ? 'csatQuestion' : 'npsQuestion', locale);

const toPublicSurvey = (row: repo.PublicSurveyRow): PublicSurvey => {
  const isExpired = row.status === 'expired' || (row.status === 'sent' && row.expires_at.getTime() < Date.now());
  return {
    kind: row.kind,
    question: row.question,
    state: row.status === 'answered' ? 'answered' : isExpired ? 'expired' : 'open',
    workspaceName: row.workspace_name,
    ...surveyScale[row.kind],
    score: row.response_score,
  };
};

function decodeBefore(cursor: string | undefined) {
  if (!cursor) return null;
  const value = decodeCursor(cursor);
  const [at, id] = value ?? [];
  if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id))
    throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
  return { at, id };
}

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);

export type SurveysService = ReturnType<typeof createSurveysService>;

export function createSurveysService({
  db,
  events,
  jobs,
  conversations,
  createFollowUpTicket,
  publicUrl,
  log,
}: {
  db: Db;
  events: EventBus;
  jobs: Jobs;
  conversations: ConversationsService;
  createFollowUpTicket?: CreateFollowUpTicket;
  /** HUIKE_PUBLIC_URL, for absolute survey links. */
  publicUrl?: string;
  log: (error: unknown, context: Record<string, unknown>) => void;
}) {
  /** Posts a survey's invitation into its conversation; idempotent per survey (a replay stores nothing twice). */
  async function deliver(row: repo.SurveyRow, locale: BuyerLocale, key = `survey:${row.id}`) {
    if (!row.conversation_id) return;
    await conversations.sendAutomatedMessage({
      workspaceId: row.workspace_id,
      conversationId: row.conversation_id,
      content: invitationText(row.kind, row.question, surveyLink(row.token, publicUrl), locale),
      senderKind: 'system',
      idempotencyKey: key,
      source: { kind: 'survey', id: row.id },
    });
  }

  /** Creates a CSAT survey once per conversation; answers it with its buyer's language. */
  async function createCsat(workspaceId: string, conversationId: string, settings: SurveySettings) {
    const conversation = await repo.findConversation(db, workspaceId, conversationId);
    if (!conversation) throw new AppError('conversation.not_found', '会话不存在');
    const locale = await conversationBuyerLocale(db, workspaceId, conversationId);
    const { row, isNew } = await repo.insertSurvey(db, {
      id: newId(),
      workspaceId,
      kind: 'csat',
      customerId: conversation.customer_id,
      conversationId,
      agentId: await repo.servingAgentOf(db, workspaceId, conversationId),
      segmentId: null,
      sendId: null,
      question: questionIn('csat', settings.csatQuestion, locale),
      token: randomToken(16),
      expiresAt: new Date(Date.now() + settings.expiryDays * DAY_MS),
    });
    return { row, isNew, locale };
  }

  async function onResolved(workspaceId: string, conversationId: string) {
    const settings = await getSurveySettings(db, workspaceId);
    if (!settings.csatEnabled || !settings.csatAutoSend) return;
    const { row, locale } = await createCsat(workspaceId, conversationId, settings);
    // Delivered again on a replay or a second resolution: the idempotency key stores the message once.
    if (row.status === 'sent') await deliver(row, locale);
  }

  /** Opens the 差评回访 ticket for a low score, for a supervisor of the agent's team (else any supervisor). */
  async function followUp(survey: repo.SurveyRow, responseId: string, score: number) {
    if (!createFollowUpTicket) return;
    const assignee = await repo.followUpAssignee(db, survey.workspace_id, survey.agent_id);
    const label = survey.kind === 'csat' ? `满意度 ${score} 分` : `NPS ${score} 分`;
    const { ticket } = await createFollowUpTicket({
      workspaceId: survey.workspace_id,
      subject: `差评回访：${label}`,
      description: `客户在${survey.kind === 'csat' ? '满意度' : 'NPS'}调查中给出 ${score} 分，请主管回访了解原因。`,
      category: 'complaint',
      severity: 'serious',
      customerId: survey.customer_id,
      conversationId: survey.conversation_id,
      assigneeId: assignee?.id ?? null,
      teamId: assignee?.team_id ?? null,
    });
    await repo.setFollowUpTicket(db, survey.workspace_id, responseId, ticket.id);
  }

  jobs.define<z.infer<typeof npsJobPayload>>({
    kind: NPS_JOB_KIND,
    payload: npsJobPayload,
    async run({ job, payload, checkpoint, progress }) {
      const { workspaceId, createdBy } = job;
      const saved = checkpoint as { after: string | null; done: number; created: number } | null;
      let after = saved?.after ?? null;
      let done = saved?.done ?? 0;
      let created = saved?.created ?? 0;
      // The segment as it is now (a deleted segment fails the job with segment.not_found).
      const actor: Actor = { userId: createdBy ?? '', workspaceId, role: 'owner', name: '' };
      const where = await resolveCustomerTarget(db, actor, { segmentId: payload.segmentId });
      const total = await repo.countReachable(db, where);
      for (;;) {
        const batch = await repo.nextReachable(db, where, after, 200);
        if (batch.length === 0) break;
        for (const target of batch) {
          const locale = await conversationBuyerLocale(db, workspaceId, target.conversation_id);
          const { row, isNew } = await repo.insertSurvey(db, {
            id: newId(),
            workspaceId,
            kind: 'nps',
            customerId: target.customer_id,
            conversationId: target.conversation_id,
            agentId: await repo.servingAgentOf(db, workspaceId, target.conversation_id),
            segmentId: payload.segmentId,
            sendId: payload.sendId,
            question: questionIn('nps', payload.question, locale),
            token: randomToken(16),
            expiresAt: new Date(Date.now() + payload.expiryDays * DAY_MS),
          });
          if (isNew) created++;
          if (row.status === 'sent') await deliver(row, locale);
        }
        done += batch.length;
        after = batch.at(-1)!.customer_id;
        await progress(done, Math.max(total, done), { after, done, created });
      }
      return { sent: done, created };
    },
  });

  events.subscribe(async (event) => {
    if (event.type !== 'conversation.resolved') return;
    try {
      await onResolved(event.workspaceId, event.conversation.id);
    } catch (error) {
      log(error, { conversationId: event.conversation.id, step: 'csat_on_resolve' });
    }
  });

  return {
    async getSettings(actor: Actor): Promise<SurveySettings> {
      assertCan(actor, 'workspace:read');
      return getSurveySettings(db, actor.workspaceId);
    },

    async saveSettings(actor: Actor, body: SurveySettings): Promise<SurveySettings> {
      assertCan(actor, 'surveys:manage');
      await repo.saveSettings(db, actor.workspaceId, body);
      return getSurveySettings(db, actor.workspaceId);
    },

    /** 邀请评价: an agent sends the conversation's CSAT survey now (posts the open one again if already sent). */
    async sendCsat(actor: Actor, conversationId: string): Promise<Survey> {
      assertCan(actor, 'conversations:reply');
      const settings = await getSurveySettings(db, actor.workspaceId);
      if (!settings.csatEnabled) throw new AppError('survey.disabled', '满意度调查未开启，请在设置中开启');
      const { row, locale } = await createCsat(actor.workspaceId, conversationId, settings);
      if (row.status === 'answered') throw new AppError('survey.already_answered', '客户已评价过本次会话');
      if (row.status === 'expired' || row.expires_at.getTime() < Date.now())
        throw new AppError('survey.expired', '本次会话的评价邀请已过期');
      await deliver(row, locale, `survey:${row.id}:invite:${Date.now()}`);
      return toSurvey(row, publicUrl);
    },

    async countNps(actor: Actor, segmentId: string) {
      assertCan(actor, 'surveys:manage');
      const where = await resolveCustomerTarget(db, actor, { segmentId });
      return { count: await repo.countReachable(db, where) };
    },

    /** Queues the NPS send to a segment after checking the count the lead confirmed. */
    async sendNps(actor: Actor, body: SendNpsBody): Promise<NpsSend> {
      assertCan(actor, 'surveys:manage');
      const where = await resolveCustomerTarget(db, actor, { segmentId: body.segmentId });
      const settings = await getSurveySettings(db, actor.workspaceId);
      return db.transaction(async (tx) => {
        const count = await repo.countReachable(tx, where);
        if (count !== body.expectedCount)
          throw new AppError(
            'bulk.count_changed',
            `可发送的客户数已从 ${body.expectedCount} 变为 ${count}，请确认后重试`,
            {
              count,
              expectedCount: body.expectedCount,
            },
          );
        const sendId = newId();
        const job = await jobs.enqueue(tx, {
          workspaceId: actor.workspaceId,
          kind: NPS_JOB_KIND,
          payload: {
            sendId,
            segmentId: body.segmentId,
            question: body.question ?? settings.npsQuestion,
            expiryDays: settings.expiryDays,
          },
          createdBy: actor.userId,
        });
        return { sendId, count, job };
      });
    },

    async listResponses(actor: Actor, query: SurveyResponseListQuery) {
      assertCan(actor, 'reports:read');
      const before = decodeBefore(query.cursor);
      const rows = await repo.listResponses(db, actor.workspaceId, query, before, query.limit + 1);
      const items: SurveyResponse[] = rows.slice(0, query.limit).map((row) => ({
        id: row.id,
        surveyId: row.survey_id,
        kind: row.kind,
        score: row.score,
        comment: row.comment,
        customerId: row.customer_id,
        customerName: row.customer_name,
        conversationId: row.conversation_id,
        agentId: row.agent_id,
        agentName: row.agent_name,
        followUpTicketId: row.follow_up_ticket_id,
        answeredAt: row.answered_at.toISOString(),
      }));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.answeredAt, last.id]) : null,
      };
    },

    async summary(actor: Actor, query: SurveySummaryQuery): Promise<SurveySummary> {
      assertCan(actor, 'reports:read');
      const { sent, scores } = await repo.summarise(db, actor.workspaceId, query);
      const sentOf = (kind: SurveyKind) => sent.find((row) => row.kind === kind) ?? { sent: 0, answered: 0 };
      const count = (kind: SurveyKind, test: (score: number) => boolean) =>
        scores.filter((row) => row.kind === kind && test(row.score)).reduce((sum, row) => sum + row.n, 0);
      const csatResponses = count('csat', () => true);
      const csatTotal = scores.filter((row) => row.kind === 'csat').reduce((sum, row) => sum + row.score * row.n, 0);
      const npsResponses = count('nps', () => true);
      const promoters = count('nps', (score) => score >= 9);
      const detractors = count('nps', (score) => score <= 6);
      const csatSent = sentOf('csat');
      const npsSent = sentOf('nps');
      return {
        csat: {
          sent: csatSent.sent,
          responses: csatResponses,
          average: csatResponses > 0 ? Math.round((csatTotal / csatResponses) * 100) / 100 : null,
          satisfiedRate: rate(
            count('csat', (score) => score >= 4),
            csatResponses,
          ),
          responseRate: rate(csatSent.answered, csatSent.sent),
          distribution: [1, 2, 3, 4, 5].map((score) => count('csat', (s) => s === score)),
        },
        nps: {
          sent: npsSent.sent,
          responses: npsResponses,
          promoters,
          passives: npsResponses - promoters - detractors,
          detractors,
          score: npsResponses > 0 ? Math.round(((promoters - detractors) / npsResponses) * 1000) / 10 : null,
          responseRate: rate(npsSent.answered, npsSent.sent),
        },
      };
    },

    /** What the public link page and the widget card show. Unknown tokens answer 404. */
    async publicSurvey(token: string): Promise<PublicSurvey> {
      const row = await repo.findByToken(db, token);
      if (!row) throw new AppError('survey.not_found', '评价链接无效');
      return toPublicSurvey(row);
    },

    /**
     * The link page's survey (null for an unknown token) and the language to show it in: its conversation's buyer's;
     * the browser's (`browserLocale`) for a link without a conversation or an unknown one.
     */
    async surveyPage(token: string, browserLocale: BuyerLocale) {
      const row = await repo.findByToken(db, token);
      if (!row) return { survey: null, locale: browserLocale };
      const locale = row.conversation_id
        ? await conversationBuyerLocale(db, row.workspace_id, row.conversation_id)
        : browserLocale;
      return { survey: toPublicSurvey(row), locale };
    },

    /**
     * Stores the customer's answer. One answer per survey: a second is refused (409), as is an expired link (410).
     * The response, the survey's status and a low score's follow-up ticket are written in one transaction.
     */
    async answer(token: string, body: PublicSurveyAnswerBody) {
      const outcome = await db.transaction(async (tx) => {
        const survey = await repo.findByToken(tx, token, true);
        if (!survey) throw new AppError('survey.not_found', '评价链接无效');
        const scale = surveyScale[survey.kind];
        if (body.score < scale.min || body.score > scale.max)
          throw new AppError('survey.invalid_score', `评分须在 ${scale.min} 到 ${scale.max} 之间`, scale);
        if (survey.status === 'answered') throw new AppError('survey.already_answered', '您已经评价过了，感谢您的反馈');
        if (survey.status === 'expired' || survey.expires_at.getTime() < Date.now()) {
          await repo.markStatus(tx, survey.workspace_id, survey.id, 'expired');
          return { expired: true as const };
        }
        const responseId = newId();
        const comment = body.comment ? body.comment : null;
        await repo.insertResponse(tx, { id: responseId, survey, score: body.score, comment });
        await repo.markStatus(tx, survey.workspace_id, survey.id, 'answered');
        const settings = await getSurveySettings(tx, survey.workspace_id);
        const threshold = survey.kind === 'csat' ? settings.csatLowThreshold : settings.npsLowThreshold;
        return { expired: false as const, survey, comment, responseId, isLow: body.score <= threshold };
      });
      // Outside the transaction so the expiry is recorded; the caller still hears it was refused.
      if (outcome.expired) throw new AppError('survey.expired', '评价链接已过期');
      const { survey, comment } = outcome;
      // After the commit (the tickets module publishes ticket.created once its own transaction commits). An answer
      // is stored once per survey, so this runs once per response.
      if (outcome.isLow) {
        await followUp(survey, outcome.responseId, body.score).catch((error) =>
          log(error, { surveyId: survey.id, step: 'follow_up_ticket' }),
        );
      }
      events.publish({
        type: 'survey.responded',
        workspaceId: survey.workspace_id,
        performedBy: null,
        kind: survey.kind,
        surveyId: survey.id,
        score: body.score,
        comment,
        customerId: survey.customer_id,
        conversationId: survey.conversation_id,
        agentId: survey.agent_id,
      });
      if (survey.conversation_id) {
        const scoreText = survey.kind === 'csat' ? stars(body.score) : `NPS ${body.score} 分`;
        await conversations
          .sendAutomatedMessage({
            workspaceId: survey.workspace_id,
            conversationId: survey.conversation_id,
            content: `客户评价：${scoreText}${comment ? ` ${comment}` : ''}`,
            senderKind: 'system',
            private: true,
            idempotencyKey: `survey-response:${survey.id}`,
            source: { kind: 'survey', id: survey.id },
          })
          .catch((error) => log(error, { surveyId: survey.id, step: 'response_message' }));
      }
      return { state: 'answered' as const, score: body.score };
    },
  };
}
