import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../platform/access.ts';
import { requireActor } from '../../platform/auth/request-auth.ts';
import { AppError } from '../../platform/errors.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';

/** The host of an Origin header; undefined for `null` (sandboxed frames, file://) and anything not a URL. */
const originHost = (origin: string) => (URL.canParse(origin) ? new URL(origin).host : undefined);

/** Agents' live feed. Cookie-authenticated, so the Origin must be our own (no cross-site socket hijacking). */
/** `presence` (routing module) hears sockets open and close, to show agents online or offline. */
export function agentSocketRoutes(
  app: FastifyInstance,
  realtime: Realtime,
  presence?: { socketOpened(actor: Actor): Promise<void>; socketClosed(actor: Actor): void },
) {
  app.get(
    '/api/v1/realtime',
    {
      websocket: true,
      schema: { tags: ['conversations'] },
      preValidation: async (request) => {
        requireActor(request);
        const origin = request.headers.origin;
        if (request.auth?.via === 'session' && origin && originHost(origin) !== request.headers.host) {
          throw new AppError('auth.forbidden', '不允许跨站连接');
        }
      },
    },
    (socket, request) => {
      const actor = requireActor(request);
      socket.on('error', () => socket.terminate());
      // Agents only listen; anything they send is ignored.
      realtime.join(topics.workspace(actor.workspaceId), socket);
      realtime.join(topics.user(actor.userId), socket);
      // Closed when this session ends (the password changed elsewhere or was reset).
      if (request.auth?.via === 'session') realtime.join(topics.session(request.auth.sessionId), socket);
      if (presence) {
        presence.socketOpened(actor).catch((error) => request.log.error({ err: error }, 'presence'));
        socket.on('close', () => presence.socketClosed(actor));
      }
    },
  );
}
