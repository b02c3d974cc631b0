import {
  apiTokenCreated,
  createApiTokenBody,
  createTeamBody,
  createUserBody,
  idParams,
  loginBody,
  page,
  session,
  team,
  updateUserBody,
  user,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { clearSessionCookie, requireActor, setSessionCookie } from '../../platform/auth/request-auth.ts';
import { AppError } from '../../platform/errors.ts';
import type { IdentityService } from './identity.service.ts';

export function identityRoutes(app: FastifyInstance, identity: IdentityService, opts: { secureCookies: boolean }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];

  r.post(
    '/api/v1/auth/login',
    { schema: { tags, body: loginBody, response: { 200: session } } },
    async (request, reply) => {
      const { token, session } = await identity.login(request.body.email, request.body.password);
      setSessionCookie(reply, token, opts.secureCookies);
      return session;
    },
  );

  r.post('/api/v1/auth/logout', { schema: { tags } }, async (request, reply) => {
    if (request.auth?.via === 'session') await identity.logout(request.auth.token);
    clearSessionCookie(reply);
    return reply.status(204).send();
  });

  r.get('/api/v1/auth/session', { schema: { tags, response: { 200: session } } }, async (request) => {
    if (request.auth?.via !== 'session') throw new AppError('auth.required', '请先登录');
    return identity.getSession(request.auth.actor, request.auth.csrfToken);
  });

  r.get('/api/v1/users', { schema: { tags, response: { 200: page(user) } } }, async (request) => ({
    items: await identity.listUsers(requireActor(request)),
    nextCursor: null,
  }));

  r.post('/api/v1/users', { schema: { tags, body: createUserBody, response: { 201: user } } }, async (request, reply) =>
    reply.status(201).send(await identity.createUser(requireActor(request), request.body)),
  );

  r.patch(
    '/api/v1/users/:id',
    { schema: { tags, params: idParams, body: updateUserBody, response: { 200: user } } },
    async (request) => identity.updateUser(requireActor(request), request.params.id, request.body),
  );

  r.get('/api/v1/teams', { schema: { tags, response: { 200: page(team) } } }, async (request) => ({
    items: await identity.listTeams(requireActor(request)),
    nextCursor: null,
  }));

  r.post('/api/v1/teams', { schema: { tags, body: createTeamBody, response: { 201: team } } }, async (request, reply) =>
    reply.status(201).send(await identity.createTeam(requireActor(request), request.body)),
  );

  r.post(
    '/api/v1/api-tokens',
    { schema: { tags, body: createApiTokenBody, response: { 201: apiTokenCreated } } },
    async (request, reply) =>
      reply.status(201).send(await identity.createApiToken(requireActor(request), request.body.name)),
  );
}
