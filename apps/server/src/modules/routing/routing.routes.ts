import {
  agentStatus,
  createRoutingRuleBody,
  idParams,
  inboxMembers,
  inboxMembersBody,
  liveQueue,
  reorderRoutingRulesBody,
  routingLogEntry,
  routingLogQuery,
  routingRule,
  setPresenceBody,
  updateAgentProfileBody,
  updateRoutingRuleBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { RoutingService } from './routing.service.ts';

export function routingRoutes(app: FastifyInstance, routing: RoutingService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['routing'];

  r.get('/api/v1/routing/me', { schema: { tags, response: { 200: agentStatus } } }, (request) =>
    routing.getMyStatus(requireActor(request)),
  );

  r.post(
    '/api/v1/routing/me/presence',
    { schema: { tags, body: setPresenceBody, response: { 200: agentStatus } } },
    (request) => routing.setPresence(requireActor(request), request.body.presence),
  );

  r.get(
    '/api/v1/routing/agents',
    { schema: { tags, response: { 200: z.object({ items: z.array(agentStatus) }) } } },
    async (request) => ({ items: await routing.listAgents(requireActor(request)) }),
  );

  r.patch(
    '/api/v1/routing/agents/:id',
    { schema: { tags, params: idParams, body: updateAgentProfileBody, response: { 200: agentStatus } } },
    (request) => routing.updateAgent(requireActor(request), request.params.id, request.body),
  );

  r.get(
    '/api/v1/routing/rules',
    { schema: { tags, response: { 200: z.object({ items: z.array(routingRule) }) } } },
    async (request) => ({ items: await routing.listRules(requireActor(request)) }),
  );

  r.post(
    '/api/v1/routing/rules',
    { schema: { tags, body: createRoutingRuleBody, response: { 201: routingRule } } },
    async (request, reply) => reply.status(201).send(await routing.createRule(requireActor(request), request.body)),
  );

  r.post(
    '/api/v1/routing/rules/reorder',
    { schema: { tags, body: reorderRoutingRulesBody, response: { 200: z.object({ items: z.array(routingRule) }) } } },
    async (request) => ({ items: await routing.reorderRules(requireActor(request), request.body.ids) }),
  );

  r.patch(
    '/api/v1/routing/rules/:id',
    { schema: { tags, params: idParams, body: updateRoutingRuleBody, response: { 200: routingRule } } },
    (request) => routing.updateRule(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/routing/rules/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await routing.deleteRule(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.get(
    '/api/v1/routing/inboxes/:id/members',
    { schema: { tags, params: idParams, response: { 200: inboxMembers } } },
    (request) => routing.getInboxMembers(requireActor(request), request.params.id),
  );

  r.put(
    '/api/v1/routing/inboxes/:id/members',
    { schema: { tags, params: idParams, body: inboxMembersBody, response: { 200: inboxMembers } } },
    (request) => routing.setInboxMembers(requireActor(request), request.params.id, request.body.userIds),
  );

  r.get(
    '/api/v1/routing/log',
    {
      schema: { tags, querystring: routingLogQuery, response: { 200: z.object({ items: z.array(routingLogEntry) }) } },
    },
    async (request) => ({ items: await routing.listLog(requireActor(request), request.query.limit) }),
  );

  r.get('/api/v1/routing/live', { schema: { tags, response: { 200: liveQueue } } }, (request) =>
    routing.liveQueue(requireActor(request)),
  );
}
