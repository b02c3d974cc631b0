import { session, setupBody, setupStatus, updateWorkspaceBody, workspace } from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor, setSessionCookie } from '../../platform/auth/request-auth.ts';
import type { IdentityService } from '../identity/index.ts';
import type { WorkspacesService } from './workspaces.service.ts';

export function workspacesRoutes(
  app: FastifyInstance,
  workspaces: WorkspacesService,
  identity: IdentityService,
  opts: { secureCookies: boolean },
) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['workspaces'];

  r.get('/api/v1/setup', { schema: { tags, response: { 200: setupStatus } } }, async () => ({
    needsSetup: await workspaces.needsSetup(),
  }));

  r.post('/api/v1/setup', { schema: { tags, body: setupBody, response: { 201: session } } }, async (request, reply) => {
    const { token } = await workspaces.setup(request.body);
    setSessionCookie(reply, token, opts.secureCookies);
    const found = await identity.authenticateSession(token);
    return reply.status(201).send(await identity.getSession(found!.actor, found!.csrfToken));
  });

  r.get('/api/v1/workspace', { schema: { tags, response: { 200: workspace } } }, (request) =>
    workspaces.getWorkspace(requireActor(request)),
  );

  r.patch(
    '/api/v1/workspace',
    {
      schema: {
        tags,
        body: updateWorkspaceBody,
        response: { 200: workspace },
        description:
          'Renames the workspace and/or changes its time zone (an IANA name such as Asia/Shanghai; an unknown one ' +
          'answers 400 `request.invalid`). Needs `workspace:manage` (owners and admins). Audited as ' +
          '`workspace.updated` with the name and time zone before and after.',
      },
    },
    (request) => workspaces.updateWorkspace(requireActor(request), request.body),
  );
}
