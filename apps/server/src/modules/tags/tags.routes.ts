import {
  appliedTags,
  applyTagsBody,
  createTagBody,
  createTagGroupBody,
  forceQuery,
  idParams,
  page,
  tag,
  tagGroup,
  tagGroupWithTags,
  tagListQuery,
  updateTagBody,
  updateTagGroupBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { TagsService } from './tags.service.ts';

export function tagsRoutes(app: FastifyInstance, tags: TagsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const schemaTags = ['tags'];

  r.get('/api/v1/tag-groups', { schema: { tags: schemaTags, response: { 200: page(tagGroupWithTags) } } }, (request) =>
    tags.listGroups(requireActor(request)),
  );

  r.post(
    '/api/v1/tag-groups',
    { schema: { tags: schemaTags, body: createTagGroupBody, response: { 201: tagGroup } } },
    async (request, reply) => reply.status(201).send(await tags.createGroup(requireActor(request), request.body)),
  );

  r.get(
    '/api/v1/tag-groups/:id',
    { schema: { tags: schemaTags, params: idParams, response: { 200: tagGroupWithTags } } },
    (request) => tags.getGroup(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/tag-groups/:id',
    { schema: { tags: schemaTags, params: idParams, body: updateTagGroupBody, response: { 200: tagGroup } } },
    (request) => tags.updateGroup(requireActor(request), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/tag-groups/:id',
    { schema: { tags: schemaTags, params: idParams, querystring: forceQuery } },
    async (request, reply) => {
      await tags.deleteGroup(requireActor(request), request.params.id, request.query.force);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/tags',
    { schema: { tags: schemaTags, querystring: tagListQuery, response: { 200: page(tag) } } },
    (request) => tags.listTags(requireActor(request), request.query),
  );

  r.post(
    '/api/v1/tags',
    { schema: { tags: schemaTags, body: createTagBody, response: { 201: tag } } },
    async (request, reply) => reply.status(201).send(await tags.createTag(requireActor(request), request.body)),
  );

  r.get('/api/v1/tags/:id', { schema: { tags: schemaTags, params: idParams, response: { 200: tag } } }, (request) =>
    tags.getTag(requireActor(request), request.params.id),
  );

  r.patch(
    '/api/v1/tags/:id',
    { schema: { tags: schemaTags, params: idParams, body: updateTagBody, response: { 200: tag } } },
    (request) => tags.updateTag(requireActor(request), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/tags/:id',
    { schema: { tags: schemaTags, params: idParams, querystring: forceQuery } },
    async (request, reply) => {
      await tags.deleteTag(requireActor(request), request.params.id, request.query.force);
      return reply.status(204).send();
    },
  );

  for (const kind of ['customer', 'conversation'] as const) {
    const url = `/api/v1/${kind}s/:id/tags`;
    const schema = { tags: [`${kind}s`, 'tags'], params: idParams, response: { 200: appliedTags } };
    r.get(url, { schema }, (request) => tags.appliedTags(requireActor(request), { kind, id: request.params.id }));
    r.put(url, { schema: { ...schema, body: applyTagsBody } }, (request) =>
      tags.apply(requireActor(request), { kind, id: request.params.id }, request.body),
    );
  }
}
