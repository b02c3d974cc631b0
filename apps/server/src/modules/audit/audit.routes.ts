import { auditEntry, auditListQuery, auditVerification, page } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { AuditService } from './audit.service.ts';

export function auditRoutes(app: FastifyInstance, audit: AuditService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];

  r.get(
    '/api/v1/audit-log',
    { schema: { tags, querystring: auditListQuery, response: { 200: page(auditEntry) } } },
    (request) => audit.list(requireActor(request), request.query),
  );

  r.get('/api/v1/audit-log/verify', { schema: { tags, response: { 200: auditVerification } } }, (request) =>
    audit.verify(requireActor(request)),
  );
}
