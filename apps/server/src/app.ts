import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import {
  createChannelsService,
  inboxesRoutes,
  publicChannelRoutes,
  visitorSocketRoutes,
} from './modules/channels/index.ts';
import {
  agentSocketRoutes,
  conversationsRoutes,
  createConversationsService,
  fanOutEventsToSockets,
} from './modules/conversations/index.ts';
import { createCustomersService, customersRoutes } from './modules/customers/index.ts';
import { createIdentityService, identityRoutes } from './modules/identity/index.ts';
import { createWorkspacesService, workspacesRoutes } from './modules/workspaces/index.ts';
import { registerRequestAuth } from './platform/auth/request-auth.ts';
import { AppError, postgresCode, registerErrorHandler, routeNotFound } from './platform/errors.ts';
import { createEventBus } from './platform/events.ts';
import { registerObservability } from './platform/observability.ts';
import { createRealtime } from './platform/realtime.ts';
import { registerStaticAssets } from './platform/static-assets.ts';

export const BODY_LIMIT_BYTES = 256 * 1024;

function createLogger(config: Config) {
  return {
    level: config.logLevel,
    // Paths only: query strings carry visitor tokens, bodies carry messages and PII.
    // Driver errors quote the failed SQL with its parameters (names, phones, message text): errors are
    // logged by kind, codes and call stack, never by message.
    serializers: {
      req: (request: { method: string; routeOptions?: { url?: string }; url: string }) => ({
        method: request.method,
        route: request.routeOptions?.url ?? request.url.split('?')[0],
      }),
      err: (error: Error & { code?: unknown }) => ({
        type: error.name,
        message: error instanceof AppError ? error.message : '(withheld: may quote personal data)',
        code: error.code,
        pgCode: postgresCode(error),
        stack: error.stack?.split('\n').slice(1).join('\n') ?? '',
      }),
    },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
}

/** Builds every service and route in one readable place. Nothing here listens or starts timers. */
export async function buildApp({
  config,
  database,
  logStream,
}: {
  config: Config;
  database: Database;
  logStream?: { write(line: string): void };
}) {
  const app: FastifyInstance = Fastify({
    logger: { ...createLogger(config), ...(logStream ? { stream: logStream } : {}) },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: true,
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .status(400)
        .send({ error: { code: 'request.invalid', message: `请求地址不正确：${error.message}` } });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  const { db, pool } = database;
  const events = createEventBus((error, event) =>
    app.log.error({ err: error, event: event.type }, 'event handler failed'),
  );
  const realtime = createRealtime({
    pool,
    url: database.url,
    log: (error) => app.log.error({ err: error }, 'realtime'),
  });

  const identity = createIdentityService({ db, events });
  const workspaces = createWorkspacesService({ db, identity });
  const customers = createCustomersService({ db });
  const conversations = createConversationsService({ db, events, identity });
  const channels = createChannelsService({ db, customers, conversations });
  fanOutEventsToSockets(events, realtime);

  await app.register(fastifyCookie);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Huike API', version: '1', description: '慧客客服 CRM 的 HTTP API' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'huike_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  registerRequestAuth(app, identity);

  registerObservability(app, async () => (await pool.query('select 1')).rowCount === 1);
  workspacesRoutes(app, workspaces, identity, config);
  identityRoutes(app, identity, config);
  inboxesRoutes(app, channels);
  customersRoutes(app, customers);
  conversationsRoutes(app, conversations);
  agentSocketRoutes(app, realtime);
  await app.register(async (scope) => {
    await publicChannelRoutes(scope, channels);
    visitorSocketRoutes(scope, channels, realtime);
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const serveSpa = await registerStaticAssets(app, async () => (await channels.firstWebsiteInbox())?.token);
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && serveSpa(request.url, reply)) return;
    reply.status(404).send(routeNotFound(request.method, request.url));
  });

  app.addHook('onClose', async () => realtime.stop());
  await app.ready();
  await realtime.start();

  return { app, services: { identity, workspaces, customers, conversations, channels }, realtime, events };
}

export type HuikeApp = Awaited<ReturnType<typeof buildApp>>;
