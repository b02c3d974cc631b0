import {
  botSettings,
  botStats,
  botStatsQuery,
  createKbArticleBody,
  createKbCategoryBody,
  idParams,
  inboxBotSettings,
  kbArticle,
  kbArticleListItem,
  kbArticleListQuery,
  kbCategory,
  kbSearchHit,
  kbSearchQuery,
  page,
  publicBotInfo,
  publicBotInfoQuery,
  publicHelpArticle,
  publicHelpList,
  publicHelpQuery,
  updateKbArticleBody,
  updateKbCategoryBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import { AppError } from '../../platform/errors.ts';
import { renderHelpArticlePage, renderHelpIndexPage } from './help-center-page.ts';
import type { KnowledgeService } from './knowledge.service.ts';

const inboxIdParams = z.strictObject({ inboxId: z.uuid() });
const inboxTokenParams = z.strictObject({ inboxToken: z.string().min(1).max(64) });
const articleParams = inboxTokenParams.extend({ id: z.uuid() });

export function knowledgeRoutes(app: FastifyInstance, knowledge: KnowledgeService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['knowledge'];

  r.get('/api/v1/knowledge/categories', { schema: { tags, response: { 200: page(kbCategory) } } }, async (request) => ({
    items: await knowledge.listCategories(requireActor(request)),
    nextCursor: null,
  }));
  r.post(
    '/api/v1/knowledge/categories',
    { schema: { tags, body: createKbCategoryBody, response: { 201: kbCategory } } },
    async (request, reply) =>
      reply.status(201).send(await knowledge.createCategory(requireActor(request), request.body)),
  );
  r.patch(
    '/api/v1/knowledge/categories/:id',
    { schema: { tags, params: idParams, body: updateKbCategoryBody, response: { 200: kbCategory } } },
    (request) => knowledge.updateCategory(requireActor(request), request.params.id, request.body),
  );
  r.delete('/api/v1/knowledge/categories/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await knowledge.deleteCategory(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.get(
    '/api/v1/knowledge/articles',
    { schema: { tags, querystring: kbArticleListQuery, response: { 200: page(kbArticleListItem) } } },
    (request) => knowledge.listArticles(requireActor(request), request.query),
  );
  r.post(
    '/api/v1/knowledge/articles',
    { schema: { tags, body: createKbArticleBody, response: { 201: kbArticle } } },
    async (request, reply) =>
      reply.status(201).send(await knowledge.createArticle(requireActor(request), request.body)),
  );
  r.get(
    '/api/v1/knowledge/articles/:id',
    { schema: { tags, params: idParams, response: { 200: kbArticle } } },
    (request) => knowledge.getArticle(requireActor(request), request.params.id),
  );
  r.patch(
    '/api/v1/knowledge/articles/:id',
    { schema: { tags, params: idParams, body: updateKbArticleBody, response: { 200: kbArticle } } },
    (request) => knowledge.updateArticle(requireActor(request), request.params.id, request.body),
  );
  r.delete('/api/v1/knowledge/articles/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await knowledge.deleteArticle(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.get(
    '/api/v1/knowledge/search',
    { schema: { tags, querystring: kbSearchQuery, response: { 200: z.object({ items: z.array(kbSearchHit) }) } } },
    (request) => knowledge.search(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/knowledge/bot/settings',
    { schema: { tags, response: { 200: page(inboxBotSettings) } } },
    async (request) => ({
      items: await knowledge.listBotSettings(requireActor(request)),
      nextCursor: null,
    }),
  );
  r.get(
    '/api/v1/knowledge/bot/settings/:inboxId',
    { schema: { tags, params: inboxIdParams, response: { 200: inboxBotSettings } } },
    (request) => knowledge.getBotSettings(requireActor(request), request.params.inboxId),
  );
  r.put(
    '/api/v1/knowledge/bot/settings/:inboxId',
    { schema: { tags, params: inboxIdParams, body: botSettings, response: { 200: inboxBotSettings } } },
    (request) => knowledge.updateBotSettings(requireActor(request), request.params.inboxId, request.body),
  );
  r.get(
    '/api/v1/knowledge/bot/stats',
    { schema: { tags, querystring: botStatsQuery, response: { 200: botStats } } },
    (request) => knowledge.botStats(requireActor(request), request.query),
  );
}

/** The public help centre: JSON for the widget and integrations, and small server-rendered pages. */
export function publicHelpRoutes(app: FastifyInstance, knowledge: KnowledgeService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['public help center'];

  r.get(
    '/public/v1/help/:inboxToken/articles',
    { schema: { tags, params: inboxTokenParams, querystring: publicHelpQuery, response: { 200: publicHelpList } } },
    (request) => knowledge.publicList(request.params.inboxToken, request.query),
  );
  r.get(
    '/public/v1/help/:inboxToken/articles/:id',
    { schema: { tags, params: articleParams, response: { 200: publicHelpArticle } } },
    (request) => knowledge.publicArticle(request.params.inboxToken, request.params.id),
  );
  r.get(
    '/public/v1/help/:inboxToken/bot',
    { schema: { tags, params: inboxTokenParams, querystring: publicBotInfoQuery, response: { 200: publicBotInfo } } },
    (request) => knowledge.publicBotInfo(request.params.inboxToken, request.query.locale),
  );

  const pageHeaders = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const sendPage = (reply: import('fastify').FastifyReply, status: number, html: string) =>
    reply.status(status).headers(pageHeaders).send(html);

  r.get(
    '/help/:inboxToken',
    { schema: { hide: true, params: inboxTokenParams, querystring: z.object({ q: z.string().max(100).optional() }) } },
    async (request, reply) => {
      try {
        const q = request.query.q?.trim() || undefined;
        const list = await knowledge.publicList(request.params.inboxToken, { q });
        return sendPage(reply, 200, renderHelpIndexPage(request.params.inboxToken, list, q));
      } catch (error) {
        if (error instanceof AppError)
          return sendPage(reply, 404, renderHelpArticlePage(request.params.inboxToken, null));
        throw error;
      }
    },
  );
  r.get(
    '/help/:inboxToken/articles/:id',
    { schema: { hide: true, params: z.object({ inboxToken: z.string().min(1).max(64), id: z.string().max(64) }) } },
    async (request, reply) => {
      try {
        if (!z.uuid().safeParse(request.params.id).success) throw new AppError('kb_article.not_found', '文章不存在');
        const article = await knowledge.publicArticle(request.params.inboxToken, request.params.id);
        return sendPage(reply, 200, renderHelpArticlePage(request.params.inboxToken, article));
      } catch (error) {
        if (error instanceof AppError)
          return sendPage(reply, 404, renderHelpArticlePage(request.params.inboxToken, null));
        throw error;
      }
    },
  );
}
