export { DEFAULT_TAG_GROUPS, seedDefaultTags } from './default-tags.ts';
export { tagsRoutes } from './tags.routes.ts';
export { applyTags, createTagsService, type TagsService, toTag, toTagGroup } from './tags.service.ts';
