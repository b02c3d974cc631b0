import { z } from 'zod';
import { id, isoDateTime, listQuery, trimmedString } from './common.ts';
import { job } from './jobs.ts';

// ---------------------------------------------------------------------------------------------------------
// Satisfaction surveys (满意度调查): CSAT (1–5) after a conversation is resolved, NPS (0–10) sent to a segment.
// ---------------------------------------------------------------------------------------------------------

export const surveyKinds = ['csat', 'nps'] as const;
export type SurveyKind = (typeof surveyKinds)[number];

export const surveyStatuses = ['sent', 'answered', 'expired'] as const;
export type SurveyStatus = (typeof surveyStatuses)[number];

/** The score range of each kind. */
export const surveyScale: Record<SurveyKind, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
};

export const SURVEY_COMMENT_MAX = 1000;
export const SURVEY_QUESTION_MAX = 200;

export const DEFAULT_CSAT_QUESTION = '您对本次服务满意吗？';
export const DEFAULT_NPS_QUESTION = '您有多大可能向朋友或同事推荐我们？';

/** Per-workspace settings, kept under the `surveys` key of the workspace settings. */
export const surveySettings = z.strictObject({
  /** CSAT surveys may be sent at all (also from the composer). */
  csatEnabled: z.boolean(),
  /** Send a CSAT survey when an agent resolves a conversation. */
  csatAutoSend: z.boolean(),
  csatQuestion: trimmedString().min(1).max(SURVEY_QUESTION_MAX),
  npsQuestion: trimmedString().min(1).max(SURVEY_QUESTION_MAX),
  /** CSAT scores at or below it open a 差评回访 ticket (default 2). */
  csatLowThreshold: z.number().int().min(1).max(4),
  /** NPS scores at or below it (detractors, default 6) open a 差评回访 ticket. */
  npsLowThreshold: z.number().int().min(0).max(9),
  /** Days a survey link stays open. */
  expiryDays: z.number().int().min(1).max(90),
});
export type SurveySettings = z.infer<typeof surveySettings>;

export const defaultSurveySettings: SurveySettings = {
  csatEnabled: true,
  csatAutoSend: true,
  csatQuestion: DEFAULT_CSAT_QUESTION,
  npsQuestion: DEFAULT_NPS_QUESTION,
  csatLowThreshold: 2,
  npsLowThreshold: 6,
  expiryDays: 7,
};

export const survey = z.object({
  id,
  kind: z.enum(surveyKinds),
  status: z.enum(surveyStatuses),
  customerId: id,
  conversationId: id.nullable(),
  agentId: id.nullable(),
  question: z.string(),
  /** The public link path, `/s/{token}`. */
  link: z.string(),
  sentAt: isoDateTime,
  expiresAt: isoDateTime,
});
export type Survey = z.infer<typeof survey>;

export const sendCsatBody = z.strictObject({ conversationId: id });
export type SendCsatBody = z.infer<typeof sendCsatBody>;

export const npsCountBody = z.strictObject({ segmentId: id });
export const npsCount = z.object({ count: z.number().int() });

export const sendNpsBody = z.strictObject({
  segmentId: id,
  question: trimmedString().min(1).max(SURVEY_QUESTION_MAX).optional(),
  /** The count the lead confirmed; a different count now answers 409 bulk.count_changed. */
  expectedCount: z.number().int().min(0),
});
export type SendNpsBody = z.infer<typeof sendNpsBody>;
export const npsSend = z.object({ sendId: id, count: z.number().int(), job });
export type NpsSend = z.infer<typeof npsSend>;

export const surveyResponse = z.object({
  id,
  surveyId: id,
  kind: z.enum(surveyKinds),
  score: z.number().int(),
  comment: z.string().nullable(),
  customerId: id,
  customerName: z.string().nullable(),
  conversationId: id.nullable(),
  agentId: id.nullable(),
  agentName: z.string().nullable(),
  followUpTicketId: id.nullable(),
  answeredAt: isoDateTime,
});
export type SurveyResponse = z.infer<typeof surveyResponse>;

const surveyFilters = {
  kind: z.enum(surveyKinds).optional(),
  agentId: id.optional(),
  /** ISO date-times; `to` is exclusive. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};

export const surveyResponseListQuery = listQuery.extend({
  ...surveyFilters,
  minScore: z.coerce.number().int().min(0).max(10).optional(),
  maxScore: z.coerce.number().int().min(0).max(10).optional(),
});
export type SurveyResponseListQuery = z.infer<typeof surveyResponseListQuery>;

export const surveySummaryQuery = z.strictObject(surveyFilters);
export type SurveySummaryQuery = z.infer<typeof surveySummaryQuery>;

/**
 * CSAT: average score, satisfied = share of 4–5 answers. NPS: % promoters (9–10) − % detractors (0–6).
 * Response rate: answered ÷ sent, over surveys sent in the range. Rates are 0–100, null without data.
 */
export const surveySummary = z.object({
  csat: z.object({
    sent: z.number().int(),
    responses: z.number().int(),
    average: z.number().nullable(),
    satisfiedRate: z.number().nullable(),
    responseRate: z.number().nullable(),
    distribution: z.array(z.number().int()),
  }),
  nps: z.object({
    sent: z.number().int(),
    responses: z.number().int(),
    promoters: z.number().int(),
    passives: z.number().int(),
    detractors: z.number().int(),
    score: z.number().nullable(),
    responseRate: z.number().nullable(),
  }),
});
export type SurveySummary = z.infer<typeof surveySummary>;

// Public (no sign-in): the survey link page and the widget's rating card.

export const surveyTokenParams = z.strictObject({ token: z.string().min(16).max(64) });

export const publicSurvey = z.object({
  kind: z.enum(surveyKinds),
  question: z.string(),
  /** open: may be answered; answered / expired: shows a thank-you or expiry note. */
  state: z.enum(['open', 'answered', 'expired']),
  workspaceName: z.string(),
  min: z.number().int(),
  max: z.number().int(),
  /** The answer, once answered. */
  score: z.number().int().nullable(),
});
export type PublicSurvey = z.infer<typeof publicSurvey>;

export const publicSurveyAnswerBody = z.strictObject({
  score: z.number().int(),
  comment: trimmedString().max(SURVEY_COMMENT_MAX).optional(),
});
export type PublicSurveyAnswerBody = z.infer<typeof publicSurveyAnswerBody>;

/** The public link in a survey message: the widget recognises it to show a rating card. */
export const SURVEY_LINK_PATTERN = /\/s\/([A-Za-z0-9_-]{16,64})/;
