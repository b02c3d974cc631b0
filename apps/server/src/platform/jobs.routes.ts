import { idParams, job, listQuery, page } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from './auth/request-auth.ts';
import type { Files } from './files.ts';
import type { Jobs } from './jobs.ts';

const jobListQuery = listQuery.extend({ kind: z.string().max(100).optional() });

/** `filename*` carries the real (often Chinese) name; `filename` an ASCII fallback for old clients. */
const contentDisposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function jobsRoutes(app: FastifyInstance, jobs: Jobs, files: Files) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/jobs',
    { schema: { tags: ['jobs'], querystring: jobListQuery, response: { 200: page(job) } } },
    (request) => jobs.list(requireActor(request), request.query),
  );

  r.get('/api/v1/jobs/:id', { schema: { tags: ['jobs'], params: idParams, response: { 200: job } } }, (request) =>
    jobs.get(requireActor(request), request.params.id),
  );

  r.post(
    '/api/v1/jobs/:id/cancel',
    {
      schema: {
        tags: ['jobs'],
        params: idParams,
        response: { 200: job },
        description:
          'Cancels a job: a queued one at once, a running one at its next checkpoint (the work done so far stays). ' +
          'Allowed to whoever may start that kind of job.',
      },
    },
    (request) => jobs.cancel(requireActor(request), request.params.id),
  );

  r.get(
    '/api/v1/files/:id',
    { schema: { tags: ['files'], params: idParams, description: 'Downloads an export or an import report.' } },
    async (request, reply) => {
      const file = await files.download(requireActor(request), request.params.id);
      return reply
        .header('content-type', file.contentType)
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(file.name))
        .header('x-content-type-options', 'nosniff')
        .send(file.stream);
    },
  );
}
