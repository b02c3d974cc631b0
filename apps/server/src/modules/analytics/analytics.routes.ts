import { serviceReport, serviceReportExportQuery, serviceReportQuery } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { AnalyticsService } from './analytics.service.ts';

export function analyticsRoutes(app: FastifyInstance, analytics: AnalyticsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const schemaTags = ['reports'];

  r.get(
    '/api/v1/reports/service',
    { schema: { tags: schemaTags, querystring: serviceReportQuery, response: { 200: serviceReport } } },
    (request) => analytics.serviceReport(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/reports/service/export',
    { schema: { tags: schemaTags, querystring: serviceReportExportQuery } },
    async (request, reply) => {
      const file = await analytics.exportServiceReport(requireActor(request), request.query);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .send(file.body);
    },
  );
}
