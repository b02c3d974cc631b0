import {
  customerChannels,
  customerHistoryMessage,
  customerMessageBody,
  customerMessageResult,
  identitySuggestion,
  idParams,
  messageListQuery,
  page,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { CustomerChannelsService } from './customer-channels.service.ts';

export function customerChannelsRoutes(app: FastifyInstance, service: CustomerChannelsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];

  r.get(
    '/api/v1/customers/:id/channels',
    { schema: { tags, params: idParams, response: { 200: customerChannels } } },
    (request) => service.channels(requireActor(request), request.params.id),
  );

  r.get(
    '/api/v1/customers/:id/messages',
    {
      schema: {
        tags,
        params: idParams,
        querystring: messageListQuery,
        response: { 200: page(customerHistoryMessage) },
      },
    },
    (request) => service.history(requireActor(request), request.params.id, request.query),
  );

  r.post(
    '/api/v1/customers/:id/messages',
    { schema: { tags, params: idParams, body: customerMessageBody, response: { 201: customerMessageResult } } },
    async (request, reply) =>
      reply.status(201).send(await service.answer(requireActor(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/customers/:id/identity-suggestions',
    { schema: { tags, params: idParams, response: { 200: z.object({ items: z.array(identitySuggestion) }) } } },
    (request) => service.identitySuggestions(requireActor(request), request.params.id),
  );
}
