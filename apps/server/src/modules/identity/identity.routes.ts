import {
  apiToken,
  apiTokenCreated,
  changePasswordBody,
  createApiTokenBody,
  createTeamBody,
  createUserBody,
  idParams,
  listApiTokensQuery,
  loginBody,
  page,
  resetPasswordBody,
  session,
  team,
  updateTeamBody,
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

  r.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags,
        body: changePasswordBody,
        description:
          'Changes the signed-in user’s own password (same rules as a new member’s: 8 to 200 characters). A wrong ' +
          '`currentPassword` answers 400 `auth.current_password_invalid` and counts towards the sign-in lockout ' +
          '(429 `auth.locked`). Every other session of the user is signed out and its open sockets close at once ' +
          '(close code 4402); this one stays. The user’s API tokens are revoked (`api_tokens.revoked`). Audited as ' +
          '`users.password_changed`.',
      },
    },
    async (request, reply) => {
      const sessionToken = request.auth?.via === 'session' ? request.auth.token : undefined;
      await identity.changeOwnPassword(requireActor(request), request.body, sessionToken);
      return reply.status(204).send();
    },
  );

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

  r.post(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags,
        params: idParams,
        body: resetPasswordBody,
        description:
          'Sets a member’s new password (needs `users:manage`; only the owner resets the owner’s, 403 ' +
          '`user.owner_protected`; one’s own is changed through POST /api/v1/auth/password, 400 ' +
          '`user.reset_own_password`). Signs the member out of every session and closes those sessions’ open ' +
          'sockets (close code 4402) and revokes their API tokens (`api_tokens.revoked`). Audited as `users.password_reset`, ' +
          'without the password.',
      },
    },
    async (request, reply) => {
      await identity.resetPassword(requireActor(request), request.params.id, request.body.newPassword);
      return reply.status(204).send();
    },
  );

  r.get('/api/v1/teams', { schema: { tags, response: { 200: page(team) } } }, async (request) => ({
    items: await identity.listTeams(requireActor(request)),
    nextCursor: null,
  }));

  r.post('/api/v1/teams', { schema: { tags, body: createTeamBody, response: { 201: team } } }, async (request, reply) =>
    reply.status(201).send(await identity.createTeam(requireActor(request), request.body)),
  );

  r.patch(
    '/api/v1/teams/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateTeamBody,
        response: { 200: team },
        description:
          'Renames a team and/or replaces its member list (`memberIds` is the whole new list). Needs `teams:manage`. ' +
          'Names are unique in a workspace (409 `team.name_taken`); a member of another workspace answers 404 ' +
          "`user.not_found`, another workspace's team 404 `team.not_found`. Recorded in the audit log with the " +
          'name and members before and after.',
      },
    },
    (request) => identity.updateTeam(requireActor(request), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/teams/:id',
    {
      schema: {
        tags,
        params: idParams,
        description:
          'Deletes a team (needs `teams:manage`). Refused with 409 `team.in_use` while routing rules send work to ' +
          'it, SLA policies escalate to it, automation rules name it, or it has team reply templates: the message ' +
          'names them and `details` lists them (`routingRules`, `slaPolicies`, `automationRules`, `templates`). ' +
          'Otherwise, in one transaction, its conversations and tickets keep their assignee but no longer belong ' +
          "to a team, its memberships are removed (the members stay), and the audit log records the team's " +
          'name, its members and how many conversations and tickets were unassigned. Conversations already ' +
          "waiting in the routing queue for the team are offered to every agent. Another workspace's team " +
          'answers 404 `team.not_found`.',
      },
    },
    async (request, reply) => {
      await identity.deleteTeam(requireActor(request), request.params.id);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/api-tokens',
    {
      schema: {
        tags,
        body: createApiTokenBody,
        response: { 201: apiTokenCreated },
        description:
          'Creates an API token acting as the caller (needs `tokens:create`). The secret is answered only here; ' +
          'lists show its first characters. Audited as `api_tokens.created` with the name and prefix.',
      },
    },
    async (request, reply) =>
      reply.status(201).send(await identity.createApiToken(requireActor(request), request.body.name)),
  );

  r.get(
    '/api/v1/api-tokens',
    {
      schema: {
        tags,
        querystring: listApiTokensQuery,
        response: { 200: page(apiToken) },
        description:
          'The caller’s own API tokens, newest first: name, prefix, who made it, created and last used (never ' +
          'the secret). `scope=all` lists every member’s tokens in the workspace (needs `users:manage`).',
      },
    },
    async (request) => identity.listApiTokens(requireActor(request), request.query),
  );

  r.delete(
    '/api/v1/api-tokens/:id',
    {
      schema: {
        tags,
        params: idParams,
        description:
          'Revokes an API token at once: one’s own, or any member’s with `users:manage` (403 otherwise). ' +
          "Another workspace's or an already revoked token answers 404 `api_token.not_found`. Audited as " +
          '`api_tokens.revoked`. A password change or reset and disabling a member revoke all of their tokens too.',
      },
    },
    async (request, reply) => {
      await identity.revokeApiToken(requireActor(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
