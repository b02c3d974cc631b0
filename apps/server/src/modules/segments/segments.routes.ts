import {
  bulkActionBody,
  bulkCountBody,
  createSegmentBody,
  customerCount,
  idParams,
  job,
  page,
  segment,
  segmentCount,
  segmentCountBody,
  segmentPreview,
  segmentPreviewBody,
  updateSegmentBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { SegmentsService } from './segments.service.ts';

export function segmentsRoutes(app: FastifyInstance, segments: SegmentsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['segments'];

  r.get('/api/v1/segments', { schema: { tags, response: { 200: page(segment) } } }, (request) =>
    segments.list(requireActor(request)),
  );

  r.post(
    '/api/v1/segments',
    { schema: { tags, body: createSegmentBody, response: { 201: segment } } },
    async (request, reply) => reply.status(201).send(await segments.create(requireActor(request), request.body)),
  );

  r.post(
    '/api/v1/segments/count',
    { schema: { tags, body: segmentCountBody, response: { 200: customerCount } } },
    (request) => segments.countFilter(requireActor(request), request.body.filter),
  );

  r.post(
    '/api/v1/segments/preview',
    { schema: { tags, body: segmentPreviewBody, response: { 200: segmentPreview } } },
    (request) => segments.preview(requireActor(request), request.body.filter, request.body.limit),
  );

  r.get('/api/v1/segments/:id', { schema: { tags, params: idParams, response: { 200: segment } } }, (request) =>
    segments.get(requireActor(request), request.params.id),
  );

  r.get(
    '/api/v1/segments/:id/count',
    { schema: { tags, params: idParams, response: { 200: segmentCount } } },
    (request) => segments.countSegment(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/segments/:id',
    { schema: { tags, params: idParams, body: updateSegmentBody, response: { 200: segment } } },
    (request) => segments.update(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/segments/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await segments.remove(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.post(
    '/api/v1/customers/bulk/count',
    { schema: { tags: ['customers'], body: bulkCountBody, response: { 200: customerCount } } },
    (request) => segments.bulkCount(requireActor(request), request.body.target),
  );

  r.post(
    '/api/v1/customers/bulk',
    { schema: { tags: ['customers'], body: bulkActionBody, response: { 202: job } } },
    async (request, reply) => reply.status(202).send(await segments.bulk(requireActor(request), request.body)),
  );
}
