import {
  createWebhookBody,
  idParams,
  page,
  updateWebhookBody,
  webhookDelivery,
  webhookDeliveryListQuery,
  webhookEndpoint,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { WebhooksService } from './webhooks.service.ts';

export function webhooksRoutes(app: FastifyInstance, webhooks: WebhooksService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];

  r.get('/api/v1/webhooks', { schema: { tags, response: { 200: page(webhookEndpoint) } } }, (request) =>
    webhooks.list(requireActor(request)),
  );

  r.post(
    '/api/v1/webhooks',
    { schema: { tags, body: createWebhookBody, response: { 201: webhookEndpoint } } },
    async (request, reply) => reply.status(201).send(await webhooks.create(requireActor(request), request.body)),
  );

  r.get('/api/v1/webhooks/:id', { schema: { tags, params: idParams, response: { 200: webhookEndpoint } } }, (request) =>
    webhooks.get(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/webhooks/:id',
    { schema: { tags, params: idParams, body: updateWebhookBody, response: { 200: webhookEndpoint } } },
    (request) => webhooks.update(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/webhooks/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await webhooks.remove(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.post(
    '/api/v1/webhooks/:id/test',
    { schema: { tags, params: idParams, response: { 200: webhookDelivery } } },
    (request) => webhooks.test(requireActor(request), request.params.id),
  );

  r.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        params: idParams,
        querystring: webhookDeliveryListQuery,
        response: { 200: page(webhookDelivery) },
      },
    },
    (request) => webhooks.listDeliveries(requireActor(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/webhook-deliveries',
    { schema: { tags, querystring: webhookDeliveryListQuery, response: { 200: page(webhookDelivery) } } },
    (request) => webhooks.listDeliveries(requireActor(request), undefined, request.query),
  );

  r.post(
    '/api/v1/webhook-deliveries/:id/replay',
    { schema: { tags, params: idParams, response: { 200: webhookDelivery } } },
    (request) => webhooks.replay(requireActor(request), request.params.id),
  );
}
