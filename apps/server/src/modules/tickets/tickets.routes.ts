import {
  bulkTicketBody,
  bulkTicketResult,
  createSlaPolicyBody,
  createTicketBody,
  createTicketCategoryBody,
  createTicketViewBody,
  idParams,
  mergeTicketBody,
  page,
  slaPolicy,
  ticketCategory,
  ticketCommentBody,
  ticketListQuery,
  ticketRow,
  ticketTimelineEntry,
  ticketTimelineQuery,
  ticketView,
  updateSlaPolicyBody,
  updateTicketBody,
  updateTicketCategoryBody,
  updateTicketViewBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { TicketsService } from './tickets.service.ts';

export function ticketsRoutes(app: FastifyInstance, tickets: TicketsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['tickets'];

  r.get(
    '/api/v1/tickets',
    { schema: { tags, querystring: ticketListQuery, response: { 200: page(ticketRow) } } },
    (request) => tickets.list(requireActor(request), request.query),
  );
  r.post(
    '/api/v1/tickets',
    { schema: { tags, body: createTicketBody, response: { 201: ticketRow } } },
    async (request, reply) => reply.status(201).send(await tickets.create(requireActor(request), request.body)),
  );
  r.post(
    '/api/v1/tickets/bulk',
    { schema: { tags, body: bulkTicketBody, response: { 200: bulkTicketResult } } },
    (request) => tickets.bulkUpdate(requireActor(request), request.body),
  );
  r.get('/api/v1/tickets/:id', { schema: { tags, params: idParams, response: { 200: ticketRow } } }, (request) =>
    tickets.get(requireActor(request), request.params.id),
  );
  r.patch(
    '/api/v1/tickets/:id',
    { schema: { tags, params: idParams, body: updateTicketBody, response: { 200: ticketRow } } },
    (request) => tickets.update(requireActor(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/tickets/:id/timeline',
    {
      schema: {
        tags,
        params: idParams,
        querystring: ticketTimelineQuery,
        response: { 200: page(ticketTimelineEntry) },
      },
    },
    (request) => tickets.timeline(requireActor(request), request.params.id, request.query),
  );
  r.post(
    '/api/v1/tickets/:id/comments',
    { schema: { tags, params: idParams, body: ticketCommentBody, response: { 201: ticketTimelineEntry } } },
    async (request, reply) =>
      reply.status(201).send(await tickets.comment(requireActor(request), request.params.id, request.body)),
  );
  r.post(
    '/api/v1/tickets/:id/merge',
    { schema: { tags, params: idParams, body: mergeTicketBody, response: { 200: ticketRow } } },
    (request) => tickets.merge(requireActor(request), request.params.id, request.body.targetId),
  );

  r.get('/api/v1/ticket-categories', { schema: { tags, response: { 200: page(ticketCategory) } } }, (request) =>
    tickets.listCategories(requireActor(request)),
  );
  r.post(
    '/api/v1/ticket-categories',
    { schema: { tags, body: createTicketCategoryBody, response: { 201: ticketCategory } } },
    async (request, reply) => reply.status(201).send(await tickets.createCategory(requireActor(request), request.body)),
  );
  r.patch(
    '/api/v1/ticket-categories/:id',
    { schema: { tags, params: idParams, body: updateTicketCategoryBody, response: { 200: ticketCategory } } },
    (request) => tickets.updateCategory(requireActor(request), request.params.id, request.body),
  );
  r.delete('/api/v1/ticket-categories/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await tickets.deleteCategory(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.get('/api/v1/ticket-views', { schema: { tags, response: { 200: page(ticketView) } } }, (request) =>
    tickets.listViews(requireActor(request)),
  );
  r.post(
    '/api/v1/ticket-views',
    { schema: { tags, body: createTicketViewBody, response: { 201: ticketView } } },
    async (request, reply) => reply.status(201).send(await tickets.createView(requireActor(request), request.body)),
  );
  r.patch(
    '/api/v1/ticket-views/:id',
    { schema: { tags, params: idParams, body: updateTicketViewBody, response: { 200: ticketView } } },
    (request) => tickets.updateView(requireActor(request), request.params.id, request.body),
  );
  r.delete('/api/v1/ticket-views/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await tickets.deleteView(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.get('/api/v1/sla-policies', { schema: { tags, response: { 200: page(slaPolicy) } } }, (request) =>
    tickets.listPolicies(requireActor(request)),
  );
  r.post(
    '/api/v1/sla-policies',
    { schema: { tags, body: createSlaPolicyBody, response: { 201: slaPolicy } } },
    async (request, reply) => reply.status(201).send(await tickets.createPolicy(requireActor(request), request.body)),
  );
  r.patch(
    '/api/v1/sla-policies/:id',
    { schema: { tags, params: idParams, body: updateSlaPolicyBody, response: { 200: slaPolicy } } },
    (request) => tickets.updatePolicy(requireActor(request), request.params.id, request.body),
  );
  r.delete('/api/v1/sla-policies/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await tickets.deletePolicy(requireActor(request), request.params.id);
    return reply.status(204).send();
  });
}
