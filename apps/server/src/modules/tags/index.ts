export { DEFAULT_TAG_GROUPS, seedDefaultTags } from './default-tags.ts';
export { tagsRoutes } from './tags.routes.ts';
export {
  applyTags,
  createTagsService,
  publishTagAdded,
  type TagsService,
  type TagTarget,
  toTag,
  toTagGroup,
} from './tags.service.ts';
