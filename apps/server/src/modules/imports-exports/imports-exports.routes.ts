import type { Readable } from 'node:stream';
import {
  createExportBody,
  exportFieldsResponse,
  idParams,
  importDryRunResult,
  importFieldsQuery,
  importFieldsResponse,
  importMappingBody,
  importRunBody,
  importUploadQuery,
  importUploadResponse,
  importView,
  job,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import { AppError } from '../../platform/errors.ts';
import type { ImportsExportsService } from './imports-exports.service.ts';

const UPLOAD_TYPES = [
  'text/csv',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel',
  'application/octet-stream',
];

const tooLarge = (limit: number) =>
  new AppError('request.too_large', `文件超过 ${Math.floor(limit / 1024 / 1024)} MB 上限，请拆分后再导入`);

export async function importsExportsRoutes(app: FastifyInstance, service: ImportsExportsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['imports-exports'];

  // The upload takes the raw file as its body, streamed to storage: a parser of its own, in a scope of its own.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(UPLOAD_TYPES, (request, payload, done) => {
      // Refused from the header alone, before a byte of a 2 GB body is read.
      if (Number(request.headers['content-length'] ?? 0) > service.maxUploadBytes) {
        done(tooLarge(service.maxUploadBytes), undefined);
        return;
      }
      done(null, payload);
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/imports',
      {
        schema: {
          tags,
          description:
            'Uploads a CSV (UTF-8 or GBK/GB18030) or XLSX file as the raw body (text/csv, the XLSX type, or application/octet-stream with ?filename=).',
          querystring: importUploadQuery,
          response: { 201: importUploadResponse },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const body = request.body as Readable | undefined;
        if (!body) throw new AppError('request.invalid', '请求体中没有文件');
        const contentType = String(request.headers['content-type'] ?? 'application/octet-stream')
          .split(';')[0]!
          .trim();
        const isXlsx = contentType.includes('spreadsheetml');
        const filename = request.query.filename ?? (isXlsx ? '导入.xlsx' : '导入.csv');
        const view = await service.upload(actor, { kind: request.query.kind, filename, contentType, body });
        return reply.status(201).send({ ...view, importId: view.id });
      },
    );
  });

  r.get(
    '/api/v1/imports/fields',
    { schema: { tags, querystring: importFieldsQuery, response: { 200: importFieldsResponse } } },
    (request) => service.importFields(requireActor(request), request.query.kind),
  );

  r.get('/api/v1/imports/:id', { schema: { tags, params: idParams, response: { 200: importView } } }, (request) =>
    service.get(requireActor(request), request.params.id),
  );

  r.post(
    '/api/v1/imports/:id/dry-run',
    { schema: { tags, params: idParams, body: importMappingBody, response: { 200: importDryRunResult } } },
    (request) => service.dryRun(requireActor(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/imports/:id/run',
    { schema: { tags, params: idParams, body: importRunBody, response: { 202: job } } },
    async (request, reply) =>
      reply.status(202).send(await service.run(requireActor(request), request.params.id, request.body)),
  );

  r.get('/api/v1/exports/fields', { schema: { tags, response: { 200: exportFieldsResponse } } }, (request) =>
    service.exportFields(requireActor(request)),
  );

  r.post(
    '/api/v1/exports',
    { schema: { tags, body: createExportBody, response: { 202: job } } },
    async (request, reply) => reply.status(202).send(await service.createExport(requireActor(request), request.body)),
  );
}
