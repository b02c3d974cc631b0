import {
  npsCount,
  npsCountBody,
  npsSend,
  page,
  publicSurvey,
  publicSurveyAnswerBody,
  sendCsatBody,
  sendNpsBody,
  survey,
  surveyResponse,
  surveyResponseListQuery,
  surveySettings,
  surveySummary,
  surveySummaryQuery,
  surveyTokenParams,
} from '@huike/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import { buyerLocaleOf } from '../../platform/buyer-lines.ts';
import { AppError } from '../../platform/errors.ts';
import { renderSurveyPage } from './survey-page.ts';
import type { SurveysService } from './surveys.service.ts';

/** Public survey requests per client address and minute: per link (stops score flooding) and overall (stops scans). */
const PER_LINK_PER_MINUTE = 20;
const PER_ADDRESS_PER_MINUTE = 300;

function createRateLimiter(windowMs = 60_000) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const hit = (key: string, limit: number, now: number) => {
    const entry = hits.get(key);
    if (!entry || entry.resetAt <= now) {
      hits.set(key, { count: 1, resetAt: now + windowMs });
      return true;
    }
    entry.count++;
    return entry.count <= limit;
  };
  return (request: FastifyRequest, token: string) => {
    const now = Date.now();
    if (hits.size > 50_000) {
      for (const [key, value] of hits) if (value.resetAt <= now) hits.delete(key);
    }
    const isAllowed =
      hit(request.ip, PER_ADDRESS_PER_MINUTE, now) && hit(`${request.ip}|${token}`, PER_LINK_PER_MINUTE, now);
    if (!isAllowed) throw new AppError('rate_limited', '请求过于频繁，请稍后再试');
  };
}

export function surveysRoutes(app: FastifyInstance, surveys: SurveysService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['surveys'];

  r.get('/api/v1/surveys/settings', { schema: { tags, response: { 200: surveySettings } } }, (request) =>
    surveys.getSettings(requireActor(request)),
  );

  r.put(
    '/api/v1/surveys/settings',
    { schema: { tags, body: surveySettings, response: { 200: surveySettings } } },
    (request) => surveys.saveSettings(requireActor(request), request.body),
  );

  r.post(
    '/api/v1/surveys/csat',
    { schema: { tags, body: sendCsatBody, response: { 201: survey } } },
    async (request, reply) =>
      reply.status(201).send(await surveys.sendCsat(requireActor(request), request.body.conversationId)),
  );

  r.post(
    '/api/v1/surveys/nps/count',
    { schema: { tags, body: npsCountBody, response: { 200: npsCount } } },
    (request) => surveys.countNps(requireActor(request), request.body.segmentId),
  );

  r.post(
    '/api/v1/surveys/nps',
    { schema: { tags, body: sendNpsBody, response: { 202: npsSend } } },
    async (request, reply) => reply.status(202).send(await surveys.sendNps(requireActor(request), request.body)),
  );

  r.get(
    '/api/v1/surveys/responses',
    { schema: { tags, querystring: surveyResponseListQuery, response: { 200: page(surveyResponse) } } },
    (request) => surveys.listResponses(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/surveys/summary',
    { schema: { tags, querystring: surveySummaryQuery, response: { 200: surveySummary } } },
    (request) => surveys.summary(requireActor(request), request.query),
  );
}

/** The survey link (no sign-in): JSON for the widget card and the link page, and the page itself at /s/{token}. */
export function publicSurveyRoutes(app: FastifyInstance, surveys: SurveysService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['public surveys'];
  const limit = createRateLimiter();

  r.get(
    '/public/v1/surveys/:token',
    { schema: { tags, params: surveyTokenParams, response: { 200: publicSurvey } } },
    (request) => {
      limit(request, request.params.token);
      return surveys.publicSurvey(request.params.token);
    },
  );

  r.post(
    '/public/v1/surveys/:token/responses',
    {
      schema: {
        tags,
        params: surveyTokenParams,
        body: publicSurveyAnswerBody,
        response: { 201: z.object({ state: z.literal('answered'), score: z.number().int() }) },
      },
    },
    async (request, reply) => {
      limit(request, request.params.token);
      return reply.status(201).send(await surveys.answer(request.params.token, request.body));
    },
  );

  r.get(
    '/s/:token',
    { schema: { hide: true, params: z.object({ token: z.string().max(200) }) } },
    async (request, reply) => {
      const token = request.params.token;
      limit(request, token);
      const browserLocale = buyerLocaleOf(request.headers['accept-language']?.split(/[,;]/)[0]);
      const { survey, locale } = /^[A-Za-z0-9_-]{16,64}$/.test(token)
        ? await surveys.surveyPage(token, browserLocale)
        : { survey: null, locale: browserLocale };
      const { html, nonce } = renderSurveyPage(token, survey, locale);
      return reply
        .status(survey ? 200 : 404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header(
          'content-security-policy',
          `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'`,
        )
        .send(html);
    },
  );
}
