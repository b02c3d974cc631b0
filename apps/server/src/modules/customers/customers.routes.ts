import {
  anonymizeCustomerBody,
  anonymizeCustomerResult,
  createCustomFieldBody,
  customer,
  customerCountQuery,
  customerIdentity,
  customerListCount,
  customerListItem,
  customerListQuery,
  customFieldDefinition,
  customFieldListQuery,
  duplicateCandidate,
  duplicatePair,
  idParams,
  listQuery,
  mergeBody,
  mergePreview,
  mergeResult,
  page,
  revealBody,
  revealResult,
  staleProfile,
  timelineEntry,
  undoMergeResult,
  updateCustomerBody,
  updateCustomFieldBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { CustomFieldsService } from './custom-fields.service.ts';
import type { CustomersService } from './customers.service.ts';

export function customersRoutes(app: FastifyInstance, customers: CustomersService, customFields: CustomFieldsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];

  r.get(
    '/api/v1/customers',
    {
      schema: { tags, querystring: customerListQuery, response: { 200: page(customerListItem) } },
      // The search box's hot path: the service builds every item field by field (present()), so re-validating
      // 30 items against the schema on the way out (~1 ms of CPU) buys nothing; the schema still documents it.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    (request) => customers.list(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/customers/count',
    { schema: { tags, querystring: customerCountQuery, response: { 200: customerListCount } } },
    (request) => customers.count(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/customers/duplicates',
    { schema: { tags, querystring: listQuery, response: { 200: page(duplicatePair) } } },
    (request) => customers.duplicatePairs(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/customers/stale-profiles',
    { schema: { tags, querystring: listQuery, response: { 200: page(staleProfile) } } },
    (request) => customers.staleProfiles(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/customers/:id',
    { schema: { tags, params: idParams, response: { 200: customer } } },
    async (request, reply) => {
      const { customer, etag } = await customers.get(requireActor(request), request.params.id);
      return reply.header('etag', etag).send(customer);
    },
  );

  // If-Match (the ETag of a GET): refused with 412 customer.modified when someone saved since; without it, last write wins.
  r.patch(
    '/api/v1/customers/:id',
    { schema: { tags, params: idParams, body: updateCustomerBody, response: { 200: customer } } },
    async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const { customer, etag } = await customers.update(
        requireActor(request),
        request.params.id,
        request.body,
        ifMatch,
      );
      return reply.header('etag', etag).send(customer);
    },
  );

  r.post(
    '/api/v1/customers/:id/reveal',
    { schema: { tags, params: idParams, body: revealBody, response: { 200: revealResult } } },
    (request) => customers.reveal(requireActor(request), request.params.id, request.body.fields),
  );

  r.post(
    '/api/v1/customers/:id/anonymize',
    { schema: { tags, params: idParams, body: anonymizeCustomerBody, response: { 200: anonymizeCustomerResult } } },
    (request) => customers.anonymize(requireActor(request), request.params.id, request.body),
  );

  r.get(
    '/api/v1/customers/:id/identities',
    { schema: { tags, params: idParams, response: { 200: z.object({ items: z.array(customerIdentity) }) } } },
    async (request) => ({ items: await customers.identities(requireActor(request), request.params.id) }),
  );

  r.get(
    '/api/v1/customers/:id/timeline',
    { schema: { tags, params: idParams, querystring: listQuery, response: { 200: page(timelineEntry) } } },
    (request) => customers.timeline(requireActor(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/customers/:id/duplicates',
    { schema: { tags, params: idParams, response: { 200: z.object({ items: z.array(duplicateCandidate) }) } } },
    (request) => customers.duplicatesOf(requireActor(request), request.params.id),
  );

  r.post(
    '/api/v1/customers/:id/merge/preview',
    { schema: { tags, params: idParams, body: mergeBody, response: { 200: mergePreview } } },
    (request) => customers.previewMerge(requireActor(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/customers/:id/merge',
    { schema: { tags, params: idParams, body: mergeBody, response: { 200: mergeResult } } },
    (request) => customers.merge(requireActor(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/customer-merges/:id/undo',
    { schema: { tags, params: idParams, response: { 200: undoMergeResult } } },
    (request) => customers.undoMerge(requireActor(request), request.params.id),
  );

  const fieldTags = ['customer-fields'];

  r.get(
    '/api/v1/customer-fields',
    {
      schema: {
        tags: fieldTags,
        querystring: customFieldListQuery,
        response: { 200: z.object({ items: z.array(customFieldDefinition) }) },
      },
    },
    (request) => customFields.list(requireActor(request), request.query.includeArchived === 'true'),
  );

  r.post(
    '/api/v1/customer-fields',
    { schema: { tags: fieldTags, body: createCustomFieldBody, response: { 201: customFieldDefinition } } },
    async (request, reply) => reply.status(201).send(await customFields.create(requireActor(request), request.body)),
  );

  r.patch(
    '/api/v1/customer-fields/:id',
    {
      schema: {
        tags: fieldTags,
        params: idParams,
        body: updateCustomFieldBody,
        response: { 200: customFieldDefinition },
      },
    },
    (request) => customFields.update(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/customer-fields/:id', { schema: { tags: fieldTags, params: idParams } }, async (request, reply) => {
    await customFields.remove(requireActor(request), request.params.id);
    return reply.status(204).send();
  });
}
