import { sourceId, visitorFrame } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { toPublicMessage } from '../conversations/index.ts';
import { type ChannelsService, visitorStoredTopic } from './channels.service.ts';
import type { Typing } from './visitor-live.ts';

type Visitor = Awaited<ReturnType<ChannelsService['authenticateVisitor']>>;

const TYPING_FRAME = JSON.stringify({ type: 'typing' });

const send = (socket: WebSocket, frame: unknown) => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
};

/**
 * The widget's socket. Frames are handled one after another, so messages are stored in the order typed;
 * each is acknowledged only after it is committed, and a resent clientMsgId acknowledges the stored message.
 */
export function visitorSocketRoutes(
  app: FastifyInstance,
  channels: ChannelsService,
  realtime: Realtime,
  typing: Typing,
) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/public/v1/inboxes/:inboxToken/ws',
    {
      websocket: true,
      schema: {
        tags: ['public channel'],
        params: z.strictObject({ inboxToken: z.string().min(1).max(64) }),
        querystring: z.strictObject({ sourceId, token: z.string().min(1).max(200) }),
      },
    },
    async (socket, request) => {
      socket.on('error', () => socket.terminate());
      // Listen before authenticating: frames sent the moment the socket opens must not be lost.
      const authenticated = channels
        .authenticateVisitor(request.params.inboxToken, request.query.sourceId, request.query.token)
        .then(
          (visitor) => {
            if (visitor.customerId) listen(visitor, visitor.customerId);
            else waitUntilStored(visitor);
            sendStatus(visitor);
            return visitor;
          },
          (error) => {
            const code = error instanceof AppError ? error.code : 'internal';
            send(socket, { type: 'error', code, message: '访客凭证无效' });
            socket.close(4401, code);
            return undefined;
          },
        );

      let isListening = false;
      /** Agents' replies and typing reach the visitor through their customer's topic. */
      function listen(visitor: Visitor, customerId: string) {
        if (isListening) return;
        isListening = true;
        visitor.customerId = customerId;
        realtime.join(topics.visitor(visitor.inbox.id, customerId), socket);
      }

      /**
       * A visitor who has not written has no customer yet: their first message makes it, on this socket or by an
       * upload (any process), and says so on visitorStoredTopic.
       */
      function waitUntilStored(visitor: Visitor) {
        if (socket.readyState !== socket.OPEN) return; // closed while authenticating: 'close' will not fire again
        const stop = realtime.subscribe(visitorStoredTopic(visitor.inbox.id, visitor.sourceId), (frame) => {
          stop();
          listen(visitor, (frame as { customerId: string }).customerId);
        });
        socket.once('close', stop);
      }

      /** Whether a person is there to answer (the header's 在线): on connect and after each ping. */
      function sendStatus(visitor: Visitor) {
        channels.agentsOnline(visitor.inbox).then(
          (agentsOnline) => send(socket, { type: 'status', agentsOnline }),
          (error) => request.log.warn({ err: error }, 'agents online not known'),
        );
      }

      let queue = authenticated.then(() => {});
      socket.on('message', (data, isBinary) => {
        // Typing signals skip the queue: they are not stored, and waiting behind a message would make them stale.
        if (!isBinary && data.toString() === TYPING_FRAME) {
          authenticated
            .then((visitor) => visitor && typeTo(visitor))
            .catch((error) => request.log.warn({ err: error }, 'typing signal not sent'));
          return;
        }
        queue = queue.then(async () => {
          const visitor = await authenticated;
          if (visitor) await handleFrame(visitor, isBinary ? undefined : data.toString());
        });
      });

      /** Typing before the first message has no conversation to show it on. */
      async function typeTo(visitor: Visitor) {
        const { inbox, customerId } = visitor;
        if (customerId) await typing.fromVisitor({ inbox, customerId });
      }

      async function handleFrame(visitor: Visitor, text: string | undefined) {
        let parsed: z.infer<typeof visitorFrame> | undefined;
        try {
          parsed = text === undefined ? undefined : visitorFrame.parse(JSON.parse(text));
        } catch {
          parsed = undefined;
        }
        if (!parsed) {
          send(socket, { type: 'error', code: 'request.invalid', message: '消息格式不正确' });
          return;
        }
        if (parsed.type === 'ping') {
          send(socket, { type: 'pong' });
          sendStatus(visitor);
          return;
        }
        if (parsed.type === 'typing') {
          await typeTo(visitor).catch((error) => request.log.warn({ err: error }, 'typing not sent'));
          return;
        }
        try {
          const { message, conversation } = await channels.receiveFromVisitor(visitor, {
            content: parsed.content,
            clientMsgId: parsed.clientMsgId,
            locale: parsed.locale,
          });
          listen(visitor, conversation.customerId);
          send(socket, { type: 'ack', clientMsgId: parsed.clientMsgId, message: toPublicMessage(message) });
        } catch (error) {
          request.log.warn({ err: error }, 'visitor message not stored');
          const code = error instanceof AppError ? error.code : 'internal';
          send(socket, { type: 'error', code, message: '消息未能发送，请稍后重试', clientMsgId: parsed.clientMsgId });
        }
      }
    },
  );
}
