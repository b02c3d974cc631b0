import {
  assignBody,
  changeStatusBody,
  conversation,
  conversationCounts,
  conversationListQuery,
  conversationStatus,
  idParams,
  message,
  messageListQuery,
  page,
  sendMessageBody,
  trimmedString,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { ConversationsService } from './conversations.service.ts';

export function conversationsRoutes(app: FastifyInstance, conversations: ConversationsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['conversations'];

  r.get(
    '/api/v1/conversations',
    { schema: { tags, querystring: conversationListQuery, response: { 200: page(conversation) } } },
    (request) => conversations.list(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/conversations/counts',
    {
      schema: {
        tags,
        // q: the list's search, so the tabs count what it shows.
        querystring: z.strictObject({ status: conversationStatus.optional(), q: trimmedString().max(100).optional() }),
        response: { 200: conversationCounts },
      },
    },
    (request) => conversations.counts(requireActor(request), request.query.status, request.query.q),
  );

  r.get(
    '/api/v1/conversations/:id',
    { schema: { tags, params: idParams, response: { 200: conversation } } },
    (request) => conversations.get(requireActor(request), request.params.id),
  );

  r.get(
    '/api/v1/conversations/:id/messages',
    { schema: { tags, params: idParams, querystring: messageListQuery, response: { 200: page(message) } } },
    (request) => conversations.listMessages(requireActor(request), request.params.id, request.query),
  );

  r.post(
    '/api/v1/conversations/:id/messages',
    { schema: { tags, params: idParams, body: sendMessageBody, response: { 201: message } } },
    async (request, reply) =>
      reply
        .status(201)
        .send(await conversations.sendAgentMessage(requireActor(request), request.params.id, request.body)),
  );

  r.post(
    '/api/v1/conversations/:id/assign',
    { schema: { tags, params: idParams, body: assignBody, response: { 200: conversation } } },
    (request) => conversations.assign(requireActor(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/conversations/:id/status',
    { schema: { tags, params: idParams, body: changeStatusBody, response: { 200: conversation } } },
    (request) => conversations.changeStatus(requireActor(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/conversations/:id/read',
    { schema: { tags, params: idParams, response: { 200: conversation } } },
    (request) => conversations.markRead(requireActor(request), request.params.id),
  );
}
