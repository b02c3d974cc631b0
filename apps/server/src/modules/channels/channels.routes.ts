import fastifyMultipart from '@fastify/multipart';
import {
  ATTACHMENT_MAX_BYTES,
  clientMsgId,
  createInboxBody,
  createVisitorBody,
  idParams,
  inbox,
  message,
  messageListQuery,
  page,
  publicInboxStatus,
  publicMessage,
  publicMessageBody,
  sourceId,
  updateInboxBody,
  visitorSession,
} from '@huike/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import { AppError } from '../../platform/errors.ts';
import { readUploadedFile, toPublicMessage } from '../conversations/index.ts';
import type { ChannelsService, PublicAuth } from './channels.service.ts';
import type { Typing } from './visitor-live.ts';

const inboxTokenParams = z.strictObject({ inboxToken: z.string().min(1).max(64) });

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const publicAuth = (request: FastifyRequest, signedPayload: string): PublicAuth => {
  const visitorToken = request.headers['x-huike-visitor-token'];
  const signature = request.headers['x-huike-signature'];
  if (typeof visitorToken !== 'string' && typeof signature !== 'string') {
    throw new AppError('auth.signature_invalid', '需要访客令牌（x-huike-visitor-token）或签名（x-huike-signature）');
  }
  return {
    visitorToken: typeof visitorToken === 'string' ? visitorToken : undefined,
    signature: typeof signature === 'string' ? signature : undefined,
    signedPayload,
  };
};

export function inboxesRoutes(app: FastifyInstance, channels: ChannelsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['inboxes'];

  r.get('/api/v1/inboxes', { schema: { tags, response: { 200: page(inbox) } } }, async (request) => ({
    items: await channels.list(requireActor(request)),
    nextCursor: null,
  }));

  r.post(
    '/api/v1/inboxes',
    { schema: { tags, body: createInboxBody, response: { 201: inbox } } },
    async (request, reply) => reply.status(201).send(await channels.create(requireActor(request), request.body)),
  );

  r.get('/api/v1/inboxes/:id', { schema: { tags, params: idParams, response: { 200: inbox } } }, (request) =>
    channels.get(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/inboxes/:id',
    { schema: { tags, params: idParams, body: updateInboxBody, response: { 200: inbox } } },
    (request) => channels.update(requireActor(request), request.params.id, request.body),
  );

  r.post(
    '/api/v1/messages/:id/retry',
    { schema: { tags: ['conversations'], params: idParams, response: { 200: message } } },
    (request) => channels.retryMessage(requireActor(request), request.params.id),
  );
}

/** Typing indicators from the workbench (agents' socket only listens, so this is a small POST). */
export function typingRoutes(app: FastifyInstance, typing: Typing) {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/conversations/:id/typing',
    {
      schema: {
        tags: ['conversations'],
        params: idParams,
        description:
          'The agent is typing: the website visitor sees 「客服正在输入…」. Throttled (one signal per 2 s), never stored.',
      },
    },
    async (request, reply) => {
      await typing.fromAgent(requireActor(request), request.params.id);
      return reply.status(204).send();
    },
  );
}

/** The public channel API: what the widget's REST fallback and custom integrations call. */
export async function publicChannelRoutes(app: FastifyInstance, channels: ChannelsService) {
  // Signatures cover the exact bytes sent, so keep the raw body beside the parsed one.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AppError('request.invalid', '请求体不是合法的 JSON'), undefined);
    }
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['public channel'];

  r.post(
    '/public/v1/inboxes/:inboxToken/visitors',
    { schema: { tags, params: inboxTokenParams, body: createVisitorBody, response: { 200: visitorSession } } },
    (request) => channels.startVisitor(request.params.inboxToken, request.body),
  );

  r.post(
    '/public/v1/inboxes/:inboxToken/messages',
    {
      schema: {
        tags,
        params: inboxTokenParams,
        body: publicMessageBody,
        response: { 200: publicMessage, 201: publicMessage },
      },
    },
    async (request, reply) => {
      const { message, isDuplicate } = await channels.receivePublicMessage(
        request.params.inboxToken,
        request.body,
        publicAuth(request, request.rawBody ?? ''),
      );
      return reply.status(isDuplicate ? 200 : 201).send(toPublicMessage(message));
    },
  );

  r.get(
    '/public/v1/inboxes/:inboxToken/status',
    {
      schema: {
        tags,
        params: inboxTokenParams,
        description: 'Whether an agent of the inbox is online now, and its business hours (the widget header).',
        response: { 200: publicInboxStatus },
      },
    },
    (request) => channels.publicStatus(request.params.inboxToken),
  );

  // Visitors' files: the multipart parser lives in this scope only.
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: ATTACHMENT_MAX_BYTES, files: 1, fields: 2, parts: 3 },
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/public/v1/inboxes/:inboxToken/conversations/:sourceId/attachments',
      {
        schema: {
          tags,
          description:
            'A visitor sends one image or file (multipart field `file`, at most 10 MB) as a message, proven by ' +
            "x-huike-visitor-token. Typed by its bytes, like agents' uploads: png, jpeg, gif, webp, pdf, xlsx, docx, " +
            'txt. SVG and HTML are refused. `clientMsgId` makes a resend store it once.',
          params: inboxTokenParams.extend({ sourceId }),
          querystring: z.strictObject({ clientMsgId: clientMsgId.optional() }),
          response: { 200: publicMessage, 201: publicMessage },
        },
      },
      async (request, reply) => {
        const visitorToken = request.headers['x-huike-visitor-token'];
        if (typeof visitorToken !== 'string') {
          throw new AppError('auth.signature_invalid', '需要访客令牌（x-huike-visitor-token）');
        }
        const file = await readUploadedFile(request);
        const { message, isDuplicate, signer } = await channels.receiveVisitorFile(request.params.inboxToken, {
          sourceId: request.params.sourceId,
          visitorToken,
          clientMsgId: request.query.clientMsgId,
          ...file,
        });
        return reply.status(isDuplicate ? 200 : 201).send(toPublicMessage(message, signer));
      },
    );
  });

  r.get(
    '/public/v1/inboxes/:inboxToken/conversations/:sourceId/messages',
    {
      schema: {
        tags,
        params: inboxTokenParams.extend({ sourceId }),
        querystring: messageListQuery,
        response: { 200: page(publicMessage) },
      },
    },
    (request) =>
      channels.listPublicMessages(
        request.params.inboxToken,
        request.params.sourceId,
        publicAuth(request, request.params.sourceId),
        request.query,
      ),
  );
}
