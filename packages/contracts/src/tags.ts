import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';

/** 状态 / 来源 / 行为 / 自定义 */
export const tagGroupKinds = ['status', 'source', 'behavior', 'custom'] as const;
export type TagGroupKind = (typeof tagGroupKinds)[number];

/** single: a customer carries at most one tag of the group (applying one replaces the other). */
export const tagGroupSelections = ['single', 'multi'] as const;
export type TagGroupSelection = (typeof tagGroupSelections)[number];

export const tagColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, '颜色格式应为 #RRGGBB');

export const tagGroup = z.object({
  id,
  name: z.string(),
  kind: z.enum(tagGroupKinds),
  selection: z.enum(tagGroupSelections),
  position: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type TagGroup = z.infer<typeof tagGroup>;

export const tag = z.object({
  id,
  groupId: id,
  /** Hierarchy inside a group: a parent tag includes its descendants in filters. */
  parentId: id.nullable(),
  name: z.string(),
  color: z.string(),
  position: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Tag = z.infer<typeof tag>;

const name = trimmedString().min(1, '名称不能为空').max(40, '名称最多 40 个字');

export const createTagGroupBody = z.strictObject({
  name,
  kind: z.enum(tagGroupKinds).default('custom'),
  selection: z.enum(tagGroupSelections).default('multi'),
  position: z.number().int().min(0).max(10_000).optional(),
});
export type CreateTagGroupBody = z.input<typeof createTagGroupBody>;

export const updateTagGroupBody = z.strictObject({
  name: name.optional(),
  kind: z.enum(tagGroupKinds).optional(),
  selection: z.enum(tagGroupSelections).optional(),
  position: z.number().int().min(0).max(10_000).optional(),
});
export type UpdateTagGroupBody = z.infer<typeof updateTagGroupBody>;

export const createTagBody = z.strictObject({
  groupId: id,
  parentId: id.nullable().optional(),
  name,
  color: tagColor.optional(),
  position: z.number().int().min(0).max(10_000).optional(),
});
export type CreateTagBody = z.input<typeof createTagBody>;

/** A tag stays in its group; `parentId` moves it within the group's hierarchy (null: to the top). */
export const updateTagBody = z.strictObject({
  name: name.optional(),
  color: tagColor.optional(),
  parentId: id.nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
});
export type UpdateTagBody = z.infer<typeof updateTagBody>;

/**
 * `GET /api/v1/tags`: in display order (position, then name). With `limit`, one page of at most that many and a
 * `nextCursor` for the next (DESIGN §5); without it, every tag (the list is small and its callers read it whole).
 */
export const tagListQuery = z.strictObject({
  groupId: id.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
});
export type TagListQuery = z.infer<typeof tagListQuery>;

/** Deleting a tag (or group) that has children or is applied answers 409 with `tagDeleteConflict` unless `force`. */
export const forceQuery = z.strictObject({
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true'),
});

/** `details` of the 409 `tag.in_use` / `tag_group.in_use` answer: what a forced delete would remove. */
export const tagDeleteConflict = z.object({
  tags: z.number().int(),
  children: z.number().int(),
  customers: z.number().int(),
  conversations: z.number().int(),
  /** Saved segments whose filter uses one of the tags: while there are any, even `force` is refused. */
  segments: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type TagDeleteConflict = z.infer<typeof tagDeleteConflict>;

/** `GET /api/v1/tag-groups` answers every group with its tags (ordered by position, then name), for pickers. */
export const tagGroupWithTags = tagGroup.extend({ tags: z.array(tag) });
export type TagGroupWithTags = z.infer<typeof tagGroupWithTags>;

/** `PUT /api/v1/customers/:id/tags` and `/api/v1/conversations/:id/tags`. Unknown tag ids answer 400 naming them. */
export const applyTagsBody = z
  .strictObject({
    add: z.array(id).max(100).default([]),
    remove: z.array(id).max(100).default([]),
  })
  .refine((body) => !body.add.some((tagId) => body.remove.includes(tagId)), {
    message: '同一个标签不能同时添加和移除',
    path: ['remove'],
  });
export type ApplyTagsBody = z.input<typeof applyTagsBody>;

/** The tags on a customer or a conversation, each with its group (for colour and single-select display). */
export const appliedTags = z.object({ items: z.array(tag) });
export type AppliedTags = z.infer<typeof appliedTags>;
