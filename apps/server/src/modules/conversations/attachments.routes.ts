import fastifyMultipart from '@fastify/multipart';
import { ATTACHMENT_MAX_BYTES, idParams, uploadedAttachment } from '@huike/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import { type AttachmentsService, downloadHeaders, readUploadedFile } from './message-attachments.ts';

const sendFile = (
  reply: FastifyReply,
  file: { name: string; contentType: string; size: number; stream: NodeJS.ReadableStream },
) => reply.headers(downloadHeaders(file)).send(file.stream);

/** Upload and download of message attachments; the multipart parser lives in this scope only. */
export async function attachmentsRoutes(app: FastifyInstance, attachments: AttachmentsService) {
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: ATTACHMENT_MAX_BYTES, files: 1, fields: 5, parts: 6 },
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/attachments',
      {
        schema: {
          tags: ['attachments'],
          description:
            'Uploads one file (multipart field `file`, at most 10 MB): images (png, jpeg, gif, webp) and documents (pdf, xlsx, docx, txt), typed by their bytes. SVG and HTML are refused.',
          response: { 201: uploadedAttachment },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply.status(201).send(await attachments.upload(actor, await readUploadedFile(request)));
      },
    );
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/attachments/:id',
    { schema: { tags: ['attachments'], params: idParams, description: 'Downloads a message attachment.' } },
    async (request, reply) => sendFile(reply, await attachments.download(requireActor(request), request.params.id)),
  );

  r.get(
    '/public/v1/inboxes/:inboxToken/attachments/:fileId',
    {
      schema: {
        tags: ['public channel'],
        description: 'A visitor downloads an attachment through the signed link in a public message.',
        params: z.strictObject({ inboxToken: z.string().min(1).max(64), fileId: z.uuid() }),
        querystring: z.strictObject({
          // Optional: a link without them is refused like a forged one (404), not as a malformed request.
          exp: z.coerce.number().int().positive().optional(),
          sig: z.string().max(128).optional(),
        }),
      },
    },
    async (request, reply) =>
      sendFile(
        reply,
        await attachments.publicDownload(request.params.inboxToken, request.params.fileId, request.query),
      ),
  );
}
