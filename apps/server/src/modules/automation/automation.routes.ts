import {
  automationDryRunBody,
  automationDryRunResult,
  automationPresetList,
  automationRule,
  automationRun,
  automationRunListQuery,
  createAutomationRuleBody,
  idParams,
  page,
  updateAutomationRuleBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { AutomationService } from './automation.service.ts';

export function automationRoutes(app: FastifyInstance, automation: AutomationService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['automation'];

  r.get('/api/v1/automation/rules', { schema: { tags, response: { 200: page(automationRule) } } }, (request) =>
    automation.list(requireActor(request)),
  );

  r.post(
    '/api/v1/automation/rules',
    { schema: { tags, body: createAutomationRuleBody, response: { 201: automationRule } } },
    async (request, reply) => reply.status(201).send(await automation.create(requireActor(request), request.body)),
  );

  r.post(
    '/api/v1/automation/rules/dry-run',
    { schema: { tags, body: automationDryRunBody, response: { 200: automationDryRunResult } } },
    (request) => automation.dryRun(requireActor(request), request.body),
  );

  r.get(
    '/api/v1/automation/rules/:id',
    { schema: { tags, params: idParams, response: { 200: automationRule } } },
    (request) => automation.get(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/automation/rules/:id',
    { schema: { tags, params: idParams, body: updateAutomationRuleBody, response: { 200: automationRule } } },
    (request) => automation.update(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/automation/rules/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await automation.remove(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.get(
    '/api/v1/automation/runs',
    { schema: { tags, querystring: automationRunListQuery, response: { 200: page(automationRun) } } },
    (request) => automation.runs(requireActor(request), request.query),
  );

  r.get('/api/v1/automation/presets', { schema: { tags, response: { 200: automationPresetList } } }, (request) =>
    automation.presets(requireActor(request)),
  );
}
