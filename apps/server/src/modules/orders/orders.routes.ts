import {
  customerOrdersQuery,
  customerValueSettings,
  idParams,
  job,
  order,
  orderListQuery,
  page,
  upsertOrderBody,
  upsertOrderResult,
  upsertOrdersBatchBody,
  upsertOrdersBatchResult,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { OrdersService } from './orders.service.ts';

export function ordersRoutes(app: FastifyInstance, orders: OrdersService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['orders'];

  r.post(
    '/api/v1/orders',
    {
      schema: {
        tags,
        description: 'Creates or updates one order by (platform, orderNo). The same body twice changes nothing.',
        body: upsertOrderBody,
        response: { 200: upsertOrderResult, 201: upsertOrderResult },
      },
    },
    async (request, reply) => {
      const result = await orders.upsert(requireActor(request), request.body);
      return reply.status(result.outcome === 'created' ? 201 : 200).send(result);
    },
  );

  r.post(
    '/api/v1/orders/batch',
    {
      schema: {
        tags,
        description: 'Upserts up to 1000 orders; each is validated and stored on its own, with a result per order.',
        body: upsertOrdersBatchBody,
        response: { 200: upsertOrdersBatchResult },
      },
    },
    (request) => orders.upsertBatch(requireActor(request), request.body.orders),
  );

  r.get(
    '/api/v1/orders',
    { schema: { tags, querystring: orderListQuery, response: { 200: page(order) } } },
    (request) => orders.list(requireActor(request), request.query),
  );

  r.get('/api/v1/orders/:id', { schema: { tags, params: idParams, response: { 200: order } } }, (request) =>
    orders.get(requireActor(request), request.params.id),
  );

  r.get(
    '/api/v1/customers/:id/orders',
    { schema: { tags, params: idParams, querystring: customerOrdersQuery, response: { 200: page(order) } } },
    (request) => orders.listForCustomer(requireActor(request), request.params.id, request.query),
  );

  const settingsTags = ['settings'];
  r.get(
    '/api/v1/settings/customer-value',
    { schema: { tags: settingsTags, response: { 200: customerValueSettings } } },
    (request) => orders.getSettings(requireActor(request)),
  );

  r.put(
    '/api/v1/settings/customer-value',
    { schema: { tags: settingsTags, body: customerValueSettings, response: { 200: customerValueSettings } } },
    (request) => orders.updateSettings(requireActor(request), request.body),
  );

  r.post(
    '/api/v1/settings/customer-value/recompute',
    {
      schema: {
        tags: settingsTags,
        description: 'Recomputes every customer’s RFM, tier and lifecycle as a job; poll GET /api/v1/jobs/:id.',
        response: { 202: job },
      },
    },
    async (request, reply) => reply.status(202).send(await orders.recompute(requireActor(request))),
  );
}
