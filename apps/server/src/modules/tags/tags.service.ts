import type {
  ApplyTagsBody,
  CreateTagBody,
  CreateTagGroupBody,
  Tag,
  TagDeleteConflict,
  TagGroup,
  TagGroupWithTags,
  TagListQuery,
  UpdateTagBody,
  UpdateTagGroupBody,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decodeCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError, postgresCode } from '../../platform/errors.ts';
import type { AutomationSource, EventBus } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import { normalizeText } from '../../platform/text/index.ts';
import type { AuditService } from '../audit/index.ts';
import { recordCustomerEvent } from '../customers/index.ts';
import * as repo from './tags.repository.ts';

const DEFAULT_COLOR = '#1677ff';

export const toTagGroup = (row: repo.TagGroupRow): TagGroup => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  selection: row.selection,
  position: row.position,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toTag = (row: repo.TagRow): Tag => ({
  id: row.id,
  groupId: row.groupId,
  parentId: row.parentId,
  name: row.name,
  color: row.color,
  position: row.position,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const isUniqueViolation = (error: unknown) => postgresCode(error) === '23505';

async function uniqueName<T>(code: 'tag.name_taken' | 'tag_group.name_taken', message: string, run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError(code, message);
    throw error;
  }
}

type ApplyInput = {
  workspaceId: string;
  actorId: string | null;
  target: repo.TagTarget;
  add: string[];
  remove: string[];
};

/**
 * Adds and removes tags on a customer or a conversation inside the caller's transaction. Adding a tag of a
 * single-select group removes the target's other tags of that group. Unknown tag ids (including another
 * workspace's) are refused with `tag.unknown` naming them. Every change is written to the customer's timeline
 * (a conversation's change to its customer's). Answers what actually changed.
 */
export async function applyTags(executor: Executor, input: ApplyInput) {
  const add = [...new Set(input.add)];
  const remove = [...new Set(input.remove)];
  const found = await repo.findTagsWithGroup(executor, input.workspaceId, [...add, ...remove]);
  const byId = new Map(found.map((tag) => [tag.id, tag]));
  const unknown = [...add, ...remove].filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new AppError('tag.unknown', `标签不存在：${unknown.join(', ')}`, { tagIds: unknown });
  }
  const singleGroups = new Map<string, string[]>();
  for (const id of add) {
    const tag = byId.get(id)!;
    if (tag.selection !== 'single') continue;
    singleGroups.set(tag.groupId, [...(singleGroups.get(tag.groupId) ?? []), id]);
  }
  for (const [groupId, ids] of singleGroups) {
    if (ids.length > 1) {
      const groupName = byId.get(ids[0]!)!.groupName;
      throw new AppError('request.invalid', `「${groupName}」是单选标签组，只能选择一个标签`, { groupId, tagIds: ids });
    }
  }

  await repo.lockTarget(executor, input.target);
  const replaced = (
    await repo.appliedTagIdsInGroups(executor, input.workspaceId, input.target, [...singleGroups.keys()])
  ).filter((id) => !add.includes(id));
  const removedIds = await repo.removeApplied(executor, input.workspaceId, input.target, [...remove, ...replaced]);
  const addedIds = await repo.insertApplied(executor, input.workspaceId, input.target, add, input.actorId);

  if (addedIds.length > 0 || removedIds.length > 0) {
    const names = new Map(found.map((tag) => [tag.id, tag.name]));
    if (replaced.length > 0) {
      for (const tag of await repo.findTagsWithGroup(executor, input.workspaceId, replaced))
        names.set(tag.id, tag.name);
    }
    const describe = (ids: string[]) => ids.map((id) => ({ id, name: names.get(id) ?? '' }));
    const customerId =
      input.target.kind === 'customer'
        ? input.target.id
        : (await repo.findConversation(executor, input.workspaceId, input.target.id))?.customerId;
    if (customerId) {
      await recordCustomerEvent(executor, {
        workspaceId: input.workspaceId,
        customerId,
        kind: input.target.kind === 'customer' ? 'tags_changed' : 'conversation_tags_changed',
        actorId: input.actorId,
        details: {
          added: describe(addedIds),
          removed: describe(removedIds),
          ...(input.target.kind === 'conversation' ? { conversationId: input.target.id } : {}),
        },
      });
    }
  }
  return { added: addedIds, removed: removedIds };
}

/** `customer.tag_added` / `conversation.tag_added`, after the change committed. */
export function publishTagAdded(
  events: EventBus | undefined,
  workspaceId: string,
  performedBy: string | null,
  target: repo.TagTarget,
  tagId: string,
  automation?: AutomationSource,
) {
  if (!events) return;
  if (target.kind === 'customer') {
    events.publish({ type: 'customer.tag_added', workspaceId, performedBy, automation, customerId: target.id, tagId });
  } else {
    events.publish({
      type: 'conversation.tag_added',
      workspaceId,
      performedBy,
      automation,
      conversationId: target.id,
      tagId,
    });
  }
}

export type TagTarget = repo.TagTarget;

export type TagsService = ReturnType<typeof createTagsService>;

/**
 * Segments drive bulk actions and campaigns: deleting a tag they test would silently change whom they match (a
 * `has_none` condition would match everyone), so even a forced delete waits until those segments drop the tag.
 */
function refuseWhileSegmentsUse(conflict: TagDeleteConflict, code: 'tag.in_use' | 'tag_group.in_use', what: string) {
  if (conflict.segments.length === 0) return;
  const names = conflict.segments.map((segment) => `「${segment.name}」`).join('');
  throw new AppError(code, `${what}正被客户分组${names}使用，请先在这些分组的筛选条件里去掉它，再删除`, conflict);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The last row's (position, name, id) of the previous page of `GET /api/v1/tags`. */
function readTagCursor(cursor: string | undefined) {
  const values = decodeCursor(cursor);
  if (!values) return undefined;
  const [position, name, id] = values;
  if (!Number.isInteger(position) || typeof name !== 'string' || typeof id !== 'string' || !UUID.test(id)) {
    throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
  }
  return { position: position as number, name, id };
}

export function createTagsService({ db, audit, events }: { db: Db; audit: AuditService; events?: EventBus }) {
  async function getGroup(executor: Executor, actor: Actor, id: string) {
    const row = await repo.findGroup(executor, actor.workspaceId, id);
    if (!row) throw new AppError('tag_group.not_found', '标签组不存在');
    return row;
  }

  async function getTag(executor: Executor, actor: Actor, id: string) {
    const row = await repo.findTag(executor, actor.workspaceId, id);
    if (!row) throw new AppError('tag.not_found', '标签不存在');
    return row;
  }

  /** A parent must be a tag of the same group and must not be the tag itself or one of its descendants. */
  async function checkParent(executor: Executor, actor: Actor, groupId: string, parentId: string, tagId?: string) {
    const parent = await repo.findTag(executor, actor.workspaceId, parentId);
    if (!parent || parent.groupId !== groupId) {
      throw new AppError('tag.invalid_parent', '上级标签不存在或不在同一个标签组');
    }
    if (
      tagId &&
      (parentId === tagId || (await repo.ancestorIds(executor, actor.workspaceId, parentId)).includes(tagId))
    ) {
      throw new AppError('tag.invalid_parent', '不能把标签移到它自己或它的下级标签之下');
    }
  }

  async function checkTarget(executor: Executor, actor: Actor, target: repo.TagTarget) {
    if (target.kind === 'customer') {
      if (!(await repo.findVisibleCustomer(executor, actor.workspaceId, target.id)))
        throw new AppError('customer.not_found', '客户不存在');
    } else if (!(await repo.findConversation(executor, actor.workspaceId, target.id))) {
      throw new AppError('conversation.not_found', '会话不存在');
    }
  }

  /**
   * Refuses a name that equals another tag's of the group once both are normalised (width, traditional form, case:
   * 會員 = 会员, ＶＩＰ = vip), naming that tag. Holds the group's lock until the caller's transaction ends. Only
   * new and renamed tags are checked: look-alike tags created before this check stay as they are.
   */
  async function checkNameFree(executor: Executor, actor: Actor, groupId: string, name: string, tagId?: string) {
    await repo.lockGroup(executor, actor.workspaceId, groupId);
    const key = normalizeText(name);
    const existing = (await repo.listTags(executor, actor.workspaceId, groupId)).find(
      (tag) => tag.id !== tagId && normalizeText(tag.name) === key,
    );
    if (existing) {
      throw new AppError('tag.name_taken', `这个标签组里已有同名标签「${existing.name}」`, {
        tagId: existing.id,
        name: existing.name,
      });
    }
  }

  async function conflictOf(executor: Executor, actor: Actor, rootIds: string[]): Promise<TagDeleteConflict> {
    const subtree = await repo.subtreeIds(executor, actor.workspaceId, rootIds);
    const uses = await repo.countUses(executor, actor.workspaceId, subtree);
    const segments = await repo.segmentsUsing(executor, actor.workspaceId, subtree);
    return { tags: subtree.length, children: subtree.length - rootIds.length, ...uses, segments };
  }

  return {
    /** Every group with its tags, for pickers and the tag settings page. Everyone may read. */
    async listGroups(actor: Actor): Promise<{ items: TagGroupWithTags[]; nextCursor: null }> {
      assertCan(actor, 'customers:read');
      const [groups, allTags] = await Promise.all([
        repo.listGroups(db, actor.workspaceId),
        repo.listTags(db, actor.workspaceId),
      ]);
      const items = groups.map((group) => ({
        ...toTagGroup(group),
        tags: allTags.filter((tag) => tag.groupId === group.id).map(toTag),
      }));
      return { items, nextCursor: null };
    },

    async getGroup(actor: Actor, id: string): Promise<TagGroupWithTags> {
      assertCan(actor, 'customers:read');
      const group = await getGroup(db, actor, id);
      return { ...toTagGroup(group), tags: (await repo.listTags(db, actor.workspaceId, id)).map(toTag) };
    },

    async createGroup(actor: Actor, body: CreateTagGroupBody) {
      assertCan(actor, 'tags:manage');
      const row = await uniqueName('tag_group.name_taken', '已有同名的标签组', () =>
        repo.insertGroup(db, {
          id: newId(),
          workspaceId: actor.workspaceId,
          name: body.name,
          kind: body.kind ?? 'custom',
          selection: body.selection ?? 'multi',
          position: body.position ?? 0,
        }),
      );
      return toTagGroup(row);
    },

    async updateGroup(actor: Actor, id: string, body: UpdateTagGroupBody) {
      assertCan(actor, 'tags:manage');
      await getGroup(db, actor, id);
      const row = await uniqueName('tag_group.name_taken', '已有同名的标签组', () =>
        repo.updateGroup(db, actor.workspaceId, id, body),
      );
      return toTagGroup(row!);
    },

    /** Refused with 409 and counts while the group has tags, unless forced (then its tags and their uses go too). */
    async deleteGroup(actor: Actor, id: string, force: boolean) {
      assertCan(actor, 'tags:manage');
      await db.transaction(async (tx) => {
        const group = await getGroup(tx, actor, id);
        const roots = (await repo.listTags(tx, actor.workspaceId, id)).map((tag) => tag.id);
        const conflict = await conflictOf(tx, actor, roots);
        refuseWhileSegmentsUse(conflict, 'tag_group.in_use', `标签组「${group.name}」里的标签`);
        if (conflict.tags > 0 && !force) {
          throw new AppError(
            'tag_group.in_use',
            `标签组下有 ${conflict.tags} 个标签，已用于 ${conflict.customers} 位客户、${conflict.conversations} 个会话，确认后才能删除`,
            conflict,
          );
        }
        await repo.deleteGroup(tx, actor.workspaceId, id);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'tag_groups.deleted',
          targetType: 'tag_group',
          targetId: id,
          details: { name: group.name, ...conflict },
        });
      });
    },

    async listTags(actor: Actor, query: TagListQuery) {
      assertCan(actor, 'customers:read');
      if (query.limit === undefined) {
        if (query.cursor) throw new AppError('request.invalid', '分页游标需要与 limit 一起使用');
        return { items: (await repo.listTags(db, actor.workspaceId, query.groupId)).map(toTag), nextCursor: null };
      }
      const rows = await repo.listTagPage(db, actor.workspaceId, {
        groupId: query.groupId,
        after: readTagCursor(query.cursor),
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(toTag),
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.position, last.name, last.id]) : null,
      };
    },

    async getTag(actor: Actor, id: string) {
      assertCan(actor, 'customers:read');
      return toTag(await getTag(db, actor, id));
    },

    async createTag(actor: Actor, body: CreateTagBody) {
      assertCan(actor, 'tags:manage');
      return db.transaction(async (tx) => {
        await getGroup(tx, actor, body.groupId);
        if (body.parentId) await checkParent(tx, actor, body.groupId, body.parentId);
        await checkNameFree(tx, actor, body.groupId, body.name);
        const row = await uniqueName('tag.name_taken', '这个标签组里已有同名标签', () =>
          repo.insertTag(tx, {
            id: newId(),
            workspaceId: actor.workspaceId,
            groupId: body.groupId,
            parentId: body.parentId ?? null,
            name: body.name,
            color: body.color ?? DEFAULT_COLOR,
            position: body.position ?? 0,
          }),
        );
        return toTag(row);
      });
    },

    async updateTag(actor: Actor, id: string, body: UpdateTagBody) {
      assertCan(actor, 'tags:manage');
      return db.transaction(async (tx) => {
        const tag = await getTag(tx, actor, id);
        if (body.parentId) {
          await repo.lockHierarchy(tx, actor.workspaceId);
          await checkParent(tx, actor, tag.groupId, body.parentId, id);
        }
        // Unchanged up to normalisation: an older look-alike pair keeps saving (colour, position) as before.
        if (body.name !== undefined && normalizeText(body.name) !== normalizeText(tag.name))
          await checkNameFree(tx, actor, tag.groupId, body.name, id);
        const row = await uniqueName('tag.name_taken', '这个标签组里已有同名标签', () =>
          repo.updateTag(tx, actor.workspaceId, id, body),
        );
        return toTag(row!);
      });
    },

    /** Refused with 409 and counts while the tag has children or is applied, unless forced. */
    async deleteTag(actor: Actor, id: string, force: boolean) {
      assertCan(actor, 'tags:manage');
      await db.transaction(async (tx) => {
        const tag = await getTag(tx, actor, id);
        const conflict = await conflictOf(tx, actor, [id]);
        refuseWhileSegmentsUse(conflict, 'tag.in_use', `标签「${tag.name}」`);
        if ((conflict.children > 0 || conflict.customers > 0 || conflict.conversations > 0) && !force) {
          throw new AppError(
            'tag.in_use',
            `标签「${tag.name}」有 ${conflict.children} 个下级标签，已用于 ${conflict.customers} 位客户、${conflict.conversations} 个会话，确认后才能删除`,
            conflict,
          );
        }
        await repo.deleteTag(tx, actor.workspaceId, id);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'tags.deleted',
          targetType: 'tag',
          targetId: id,
          details: { name: tag.name, ...conflict },
        });
      });
    },

    async appliedTags(actor: Actor, target: repo.TagTarget) {
      assertCan(actor, target.kind === 'customer' ? 'customers:read' : 'conversations:read');
      await checkTarget(db, actor, target);
      return { items: (await repo.appliedTags(db, actor.workspaceId, target)).map(toTag) };
    },

    async apply(actor: Actor, target: repo.TagTarget, body: ApplyTagsBody) {
      assertCan(actor, 'tags:apply');
      const { added, items } = await db.transaction(async (tx) => {
        await checkTarget(tx, actor, target);
        const changed = await applyTags(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          target,
          add: body.add ?? [],
          remove: body.remove ?? [],
        });
        return { added: changed.added, items: (await repo.appliedTags(tx, actor.workspaceId, target)).map(toTag) };
      });
      for (const tagId of added) publishTagAdded(events, actor.workspaceId, actor.userId, target, tagId);
      return { items };
    },
  };
}
