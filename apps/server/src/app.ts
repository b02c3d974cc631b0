import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import pino from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { analyticsRoutes, createAnalyticsService, createReportingWriter } from './modules/analytics/index.ts';
import { auditRoutes, createAuditService } from './modules/audit/index.ts';
import { automationRoutes, createAutomationEngine, createAutomationService } from './modules/automation/index.ts';
import {
  businessHoursRoutes,
  createBusinessHoursService,
  subscribeOfflineReplies,
} from './modules/business-hours/index.ts';
import {
  allAdapters,
  createChannelRuntime,
  createChannelsService,
  createQueueOutbound,
  createSmsCampaigns,
  createTyping,
  inboxesRoutes,
  publicChannelRoutes,
  smsCampaignRoutes,
  typingRoutes,
  visitorSocketRoutes,
} from './modules/channels/index.ts';
import {
  agentSocketRoutes,
  attachmentsRoutes,
  conversationsRoutes,
  createAttachmentsService,
  createConversationsService,
  fanOutEventsToSockets,
} from './modules/conversations/index.ts';
import { createCustomerChannelsService, customerChannelsRoutes } from './modules/customer-channels/index.ts';
import {
  createCustomersService,
  createCustomFieldsService,
  customersRoutes,
  searchCustomerMatches,
} from './modules/customers/index.ts';
import { createIdentityService, identityRoutes } from './modules/identity/index.ts';
import {
  createImportsExportsService,
  defineImportsExportsJobs,
  importsExportsRoutes,
} from './modules/imports-exports/index.ts';
import { createKeywordRepliesService, keywordRepliesRoutes } from './modules/keyword-replies/index.ts';
import {
  createBot,
  createKnowledgeService,
  isBotHandling,
  knowledgeRoutes,
  publicHelpRoutes,
} from './modules/knowledge/index.ts';
import { alertsRoutes, createAlertsService } from './modules/nlp/index.ts';
import {
  createOrdersService,
  defineOrdersJobs,
  getCustomerValueSettings,
  ordersRoutes,
  refreshCustomerValue,
} from './modules/orders/index.ts';
import { canAgentTake, createRoutingService, routingRoutes } from './modules/routing/index.ts';
import {
  createSegmentsService,
  defineSegmentsJobs,
  resolveCustomerTarget,
  type SearchMatches,
  segmentsRoutes,
} from './modules/segments/index.ts';
import { createSurveysService, publicSurveyRoutes, surveysRoutes } from './modules/surveys/index.ts';
import { createTagsService, tagsRoutes } from './modules/tags/index.ts';
import { createTemplatesService, templatesRoutes } from './modules/templates/index.ts';
import { createTicketsService, ticketsRoutes } from './modules/tickets/index.ts';
import { createWebhooksService, webhooksRoutes } from './modules/webhooks/index.ts';
import { createWorkspacesService, workspacesRoutes } from './modules/workspaces/index.ts';
import { registerRequestAuth } from './platform/auth/request-auth.ts';
import { createFieldCipher, loadEncryptionKey } from './platform/crypto.ts';
import { AppError, postgresCode, registerErrorHandler, routeNotFound } from './platform/errors.ts';
import { createEventBus } from './platform/events.ts';
import { createFiles } from './platform/files.ts';
import { jobsRoutes } from './platform/jobs.routes.ts';
import { createJobs } from './platform/jobs.ts';
import { registerObservability } from './platform/observability.ts';
import { createOutbox } from './platform/outbox.ts';
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
        // Frames only: a driver error's message (quoted SQL and parameters) spans several lines of the stack.
        stack:
          error.stack
            ?.split('\n')
            .filter((line) => line.startsWith('    at '))
            .join('\n') ?? '',
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
    // Written asynchronously: under load, lines that pile up while a write is in flight leave in one write (two
    // lines per request written one system call each cost the public channel API about a sixth of its throughput).
    // Flushed on exit by pino.
    logger: { ...createLogger(config), stream: logStream ?? pino.destination({ sync: false }) },
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
    log: {
      error: (error) => app.log.error({ err: error }, 'realtime'),
      info: (context, message) => app.log.info(context, message),
    },
  });

  const jobs = createJobs({ db, onError: (error, kind) => app.log.error({ err: error, job: kind }, 'job failed') });
  const files = createFiles({ db });
  const audit = createAuditService({ db });
  const cipher = createFieldCipher(loadEncryptionKey(config));
  const identity = createIdentityService({
    db,
    events,
    audit,
    // Through app.ts: conversations and tickets depend on identity, not the other way round. Both exist before any
    // request can delete a team.
    releaseTeam: {
      conversations: (tx, emit, input) => conversations.releaseTeam(tx, emit, input),
      tickets: (tx, emit, input) => tickets.releaseTeam(tx, emit, input),
    },
  });
  const workspaces = createWorkspacesService({ db, identity, audit });
  const customers = createCustomersService({
    db,
    cipher,
    audit,
    // Through app.ts: the orders module depends on the customers module, not the other way round.
    staleProfileDays: async (executor, workspaceId) =>
      (await getCustomerValueSettings(executor, workspaceId)).staleProfileDays,
    refreshCustomerValue: (executor, workspaceId, customerIds) =>
      refreshCustomerValue(executor, workspaceId, customerIds),
    customerTarget: (executor, actor, target) => resolveCustomerTarget(executor, actor, target),
    events,
  });
  const customFields = createCustomFieldsService({ db });
  const orders = createOrdersService({ db, jobs, audit, events });
  defineOrdersJobs(jobs, { db });
  const tags = createTagsService({ db, audit, events });
  const templates = createTemplatesService({ db });
  // `{ q }` targets (bulk actions, exports) act on every customer the actor's search box finds, matching phone
  // digits as their list does (in full only for roles that may reveal phones).
  const searchMatches: SearchMatches = searchCustomerMatches;
  const segments = createSegmentsService({
    db,
    jobs,
    audit,
    present: customers.present,
    searchMatches,
  });
  defineSegmentsJobs(jobs, { db, audit, searchMatches });
  const importsExports = createImportsExportsService({
    db,
    jobs,
    files,
    audit,
    cipher,
    searchMatches,
    maxUploadBytes: config.importMaxBytes,
  });
  defineImportsExportsJobs(jobs, importsExports);
  const outbox = createOutbox({
    db,
    backoffScale: config.outboxBackoffScale,
    onError: (error, kind) => app.log.error({ err: error, delivery: kind }, 'delivery failed'),
  });
  const conversations = createConversationsService({
    db,
    events,
    identity,
    files,
    canAgentTake,
    queueOutbound: createQueueOutbound(outbox),
  });
  const attachments = createAttachmentsService({ db, files });
  const channelRuntime = createChannelRuntime({
    db,
    files,
    config,
    cipher,
    events,
    outbox,
    customers,
    conversations,
    signals: realtime,
    log: {
      info: (context, message) => app.log.info(context, message),
      error: (context, message) => app.log.error(context, message),
    },
  });
  const channels = createChannelsService({
    db,
    customers,
    conversations,
    cipher,
    runtime: channelRuntime,
    outbox,
    events,
    audit,
    files,
    signals: realtime,
  });
  const typing = createTyping({ db, conversations, realtime });
  const smsCampaigns = createSmsCampaigns({
    db,
    jobs,
    outbox,
    audit,
    cipher,
    config,
    segmentTarget: async (executor, actor, segmentId) => ({
      name: (await segments.get(actor, segmentId)).name,
      where: await resolveCustomerTarget(executor, actor, { segmentId }),
    }),
  });
  const customerChannels = createCustomerChannelsService({ db, conversations });
  const webhooks = createWebhooksService({ db, outbox, events, audit, config });
  webhooks.subscribe();
  const businessHours = createBusinessHoursService({ db, audit });
  subscribeOfflineReplies({ db, events, conversations });
  const keywordReplies = createKeywordRepliesService({
    db,
    audit,
    conversations,
    log: (entry, message) => app.log.warn(entry, message),
  });
  keywordReplies.subscribe(events);
  const tickets = createTicketsService({
    db,
    events,
    audit,
    files,
    realtime,
    canAgentTake,
    log: (error, context) => app.log.error({ err: error, ...context }, 'tickets'),
  });
  tickets.subscribe();
  const automationEngine = createAutomationEngine({
    db,
    events,
    conversations,
    createTicket: tickets.createSystemTicket,
    log: (error, context) => app.log.error({ err: error, ...context }, 'automation'),
  });
  automationEngine.subscribe();
  const automation = createAutomationService({ db, engine: automationEngine, audit });
  const alerts = createAlertsService({
    db,
    events,
    realtime,
    log: (error, context) => app.log.error({ err: error, ...context }, 'alerts'),
  });
  alerts.subscribe();
  const routing = createRoutingService({
    db,
    events,
    realtime,
    audit,
    conversations,
    isBotHandling,
    log: (error, context) => app.log.error({ err: error, ...context }, 'routing'),
  });
  routing.subscribe();
  const surveys = createSurveysService({
    db,
    events,
    jobs,
    conversations,
    createFollowUpTicket: tickets.createSystemTicket,
    publicUrl: config.publicUrl,
    log: (error, context) => app.log.error({ err: error, ...context }, 'surveys'),
  });
  const knowledge = createKnowledgeService({ db, audit });
  createBot({
    db,
    events,
    conversations,
    ruleAnswers: keywordReplies.answers,
    isAgentOnline: channels.agentsOnline,
    log: (error, context) => app.log.error({ err: error, ...context }, 'bot'),
  }).subscribe();
  fanOutEventsToSockets(events, realtime, db);
  const analytics = createAnalyticsService({ db });
  const reportingWriter = createReportingWriter({ db });
  reportingWriter.subscribe(events);

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
    transformObject: jsonSchemaTransformObject,
  });
  registerRequestAuth(app, identity);

  registerObservability(app, async () => (await pool.query('select 1')).rowCount === 1);
  workspacesRoutes(app, workspaces, identity, config);
  identityRoutes(app, identity, config);
  inboxesRoutes(app, channels);
  typingRoutes(app, typing);
  webhooksRoutes(app, webhooks);
  businessHoursRoutes(app, businessHours);
  customersRoutes(app, customers, customFields);
  ordersRoutes(app, orders);
  tagsRoutes(app, tags);
  templatesRoutes(app, templates);
  automationRoutes(app, automation);
  keywordRepliesRoutes(app, keywordReplies);
  alertsRoutes(app, alerts);
  segmentsRoutes(app, segments);
  await importsExportsRoutes(app, importsExports);
  auditRoutes(app, audit);
  analyticsRoutes(app, analytics);
  jobsRoutes(app, jobs, files);
  conversationsRoutes(app, conversations);
  customerChannelsRoutes(app, customerChannels);
  smsCampaignRoutes(app, smsCampaigns);
  surveysRoutes(app, surveys);
  publicSurveyRoutes(app, surveys);
  await attachmentsRoutes(app, attachments);
  agentSocketRoutes(app, realtime, routing);
  routingRoutes(app, routing);
  ticketsRoutes(app, tickets);
  knowledgeRoutes(app, knowledge);
  publicHelpRoutes(app, knowledge);
  await app.register(async (scope) => {
    await publicChannelRoutes(scope, channels);
    for (const adapter of allAdapters()) adapter.routes?.(scope, channelRuntime);
    visitorSocketRoutes(scope, channels, realtime, typing);
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const serveSpa = await registerStaticAssets(app, async () => (await channels.firstWebsiteInbox())?.token);
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && serveSpa(request.url, reply)) return;
    reply.status(404).send(routeNotFound(request.method, request.url));
  });

  /** Worker processes: the outbox and the channels' own background work (IMAP pull). */
  let stopChannelWorkers: (() => Promise<void>)[] = [];
  const startChannelWorkers = () => {
    outbox.start();
    stopChannelWorkers = allAdapters().flatMap((adapter) => adapter.start?.(channelRuntime) ?? []);
  };

  app.addHook('onClose', async () => {
    await outbox.stop();
    await Promise.all(stopChannelWorkers.map((stop) => stop()));
    await jobs.stop();
    routing.stop();
    await realtime.stop();
  });
  await app.ready();
  await realtime.start();

  return {
    app,
    services: {
      identity,
      workspaces,
      customers,
      conversations,
      channels,
      businessHours,
      keywordReplies,
      alerts,
      audit,
      orders,
      tags,
      templates,
      automation,
      automationEngine,
      segments,
      importsExports,
      analytics,
      reportingWriter,
      surveys,
      routing,
      knowledge,
      tickets,
      webhooks,
    },
    realtime,
    events,
    jobs,
    outbox,
    channelRuntime,
    startChannelWorkers,
    files,
  };
}

export type HuikeApp = Awaited<ReturnType<typeof buildApp>>;
