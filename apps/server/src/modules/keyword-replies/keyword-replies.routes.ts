import {
  createKeywordReplyBody,
  idParams,
  keywordReply,
  keywordReplyListQuery,
  keywordReplyTestResult,
  page,
  reorderKeywordRepliesBody,
  testKeywordRepliesBody,
  updateKeywordReplyBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { KeywordRepliesService } from './keyword-replies.service.ts';

export function keywordRepliesRoutes(app: FastifyInstance, keywordReplies: KeywordRepliesService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['keyword-replies'];

  r.get(
    '/api/v1/keyword-replies',
    { schema: { tags, querystring: keywordReplyListQuery, response: { 200: page(keywordReply) } } },
    (request) => keywordReplies.list(requireActor(request), request.query),
  );

  r.post(
    '/api/v1/keyword-replies',
    { schema: { tags, body: createKeywordReplyBody, response: { 201: keywordReply } } },
    async (request, reply) => reply.status(201).send(await keywordReplies.create(requireActor(request), request.body)),
  );

  r.post(
    '/api/v1/keyword-replies/test',
    { schema: { tags, body: testKeywordRepliesBody, response: { 200: keywordReplyTestResult } } },
    (request) => keywordReplies.test(requireActor(request), request.body),
  );

  r.post(
    '/api/v1/keyword-replies/reorder',
    { schema: { tags, body: reorderKeywordRepliesBody, response: { 200: page(keywordReply) } } },
    (request) => keywordReplies.reorder(requireActor(request), request.body.ids),
  );

  r.get(
    '/api/v1/keyword-replies/:id',
    { schema: { tags, params: idParams, response: { 200: keywordReply } } },
    (request) => keywordReplies.get(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/keyword-replies/:id',
    { schema: { tags, params: idParams, body: updateKeywordReplyBody, response: { 200: keywordReply } } },
    (request) => keywordReplies.update(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/keyword-replies/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await keywordReplies.remove(requireActor(request), request.params.id);
    return reply.status(204).send();
  });
}
