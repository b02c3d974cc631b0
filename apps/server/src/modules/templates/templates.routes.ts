import {
  createTemplateBody,
  idParams,
  page,
  renderedTemplate,
  renderTemplateBody,
  template,
  templateCategories,
  templateListItem,
  templateListQuery,
  templateUsageQuery,
  templateUsageReport,
  updateTemplateBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { TemplatesService } from './templates.service.ts';

export function templatesRoutes(app: FastifyInstance, templates: TemplatesService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['templates'];

  r.get(
    '/api/v1/templates',
    { schema: { tags, querystring: templateListQuery, response: { 200: page(templateListItem) } } },
    (request) => templates.list(requireActor(request), request.query),
  );

  r.get('/api/v1/templates/categories', { schema: { tags, response: { 200: templateCategories } } }, (request) =>
    templates.categories(requireActor(request)),
  );

  r.get(
    '/api/v1/templates/usage',
    { schema: { tags, querystring: templateUsageQuery, response: { 200: templateUsageReport } } },
    (request) => templates.usage(requireActor(request), request.query),
  );

  r.post(
    '/api/v1/templates',
    { schema: { tags, body: createTemplateBody, response: { 201: template } } },
    async (request, reply) => reply.status(201).send(await templates.create(requireActor(request), request.body)),
  );

  r.get('/api/v1/templates/:id', { schema: { tags, params: idParams, response: { 200: template } } }, (request) =>
    templates.get(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/templates/:id',
    { schema: { tags, params: idParams, body: updateTemplateBody, response: { 200: template } } },
    (request) => templates.update(requireActor(request), request.params.id, request.body),
  );

  r.delete('/api/v1/templates/:id', { schema: { tags, params: idParams } }, async (request, reply) => {
    await templates.remove(requireActor(request), request.params.id);
    return reply.status(204).send();
  });

  r.post(
    '/api/v1/templates/:id/render',
    { schema: { tags, params: idParams, body: renderTemplateBody, response: { 200: renderedTemplate } } },
    (request) => templates.render(requireActor(request), request.params.id, request.body.conversationId),
  );
}
