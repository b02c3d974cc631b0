import { customer, customerListQuery, idParams, page, updateCustomerBody } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { CustomersService } from './customers.service.ts';

export function customersRoutes(app: FastifyInstance, customers: CustomersService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];

  r.get(
    '/api/v1/customers',
    { schema: { tags, querystring: customerListQuery, response: { 200: page(customer) } } },
    (request) => customers.list(requireActor(request), request.query),
  );

  r.get('/api/v1/customers/:id', { schema: { tags, params: idParams, response: { 200: customer } } }, (request) =>
    customers.get(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/customers/:id',
    { schema: { tags, params: idParams, body: updateCustomerBody, response: { 200: customer } } },
    (request) => customers.update(requireActor(request), request.params.id, request.body),
  );
}
