import { alert, alertListQuery, idParams, page } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { AlertsService } from './alerts.service.ts';

export function alertsRoutes(app: FastifyInstance, alerts: AlertsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alerts'];

  r.get(
    '/api/v1/alerts',
    { schema: { tags, querystring: alertListQuery, response: { 200: page(alert) } } },
    (request) => alerts.list(requireActor(request), request.query),
  );

  r.post(
    '/api/v1/alerts/:id/acknowledge',
    { schema: { tags, params: idParams, response: { 200: alert } } },
    (request) => alerts.acknowledge(requireActor(request), request.params.id),
  );
}
