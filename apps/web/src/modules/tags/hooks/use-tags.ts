import type { CreateTagBody, CreateTagGroupBody, UpdateTagBody, UpdateTagGroupBody } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { type Tag, type TagChange, type TagGroup, type TagGroupWithTags, tagsApi } from '../api/tags-api.ts';

export const tagKeys = {
  all: ['tags'] as const,
  groups: ['tags', 'groups'] as const,
  customer: (id: string) => ['tags', 'customer', id] as const,
  conversation: (id: string) => ['tags', 'conversation', id] as const,
};

export type TagOption = Tag & { group: TagGroup; path: string; depth: number };

export type TagCatalog = {
  groups: TagGroup[];
  /** Every tag with its group and "父 / 子" path, in display order (group position, then tree order). */
  options: TagOption[];
  byId: Map<string, TagOption>;
  /** The tags of a group, as a tree. */
  childrenOf: (groupId: string, parentId: string | null) => TagOption[];
};

function byPosition<T extends { position?: number; name: string }>(a: T, b: T): number {
  return (a.position ?? 0) - (b.position ?? 0) || a.name.localeCompare(b.name, 'zh-CN');
}

export function buildCatalog(groupsWithTags: TagGroupWithTags[]): TagCatalog {
  const groups: TagGroup[] = groupsWithTags.map(({ tags: _tags, ...group }) => group);
  const tags: Tag[] = groupsWithTags.flatMap((group) => group.tags);
  const sortedGroups = [...groups].sort(byPosition);
  const groupById = new Map(sortedGroups.map((group) => [group.id, group]));
  const tagById = new Map(tags.map((tag) => [tag.id, tag]));
  const pathOf = (tag: Tag): { path: string; depth: number } => {
    const names = [tag.name];
    let parent = tag.parentId ? tagById.get(tag.parentId) : undefined;
    for (let guard = 0; parent && guard < 10; guard += 1) {
      names.unshift(parent.name);
      parent = parent.parentId ? tagById.get(parent.parentId) : undefined;
    }
    return { path: names.join(' / '), depth: names.length - 1 };
  };
  const children = new Map<string, TagOption[]>();
  const byId = new Map<string, TagOption>();
  for (const tag of tags) {
    const group = groupById.get(tag.groupId);
    if (!group) continue;
    const option: TagOption = { ...tag, group, ...pathOf(tag) };
    byId.set(tag.id, option);
    const key = `${tag.groupId}:${tag.parentId && tagById.has(tag.parentId) ? tag.parentId : ''}`;
    children.set(key, [...(children.get(key) ?? []), option]);
  }
  for (const list of children.values()) list.sort(byPosition);
  const childrenOf = (groupId: string, parentId: string | null) => children.get(`${groupId}:${parentId ?? ''}`) ?? [];
  const options: TagOption[] = [];
  const walk = (groupId: string, parentId: string | null) => {
    for (const option of childrenOf(groupId, parentId)) {
      options.push(option);
      walk(groupId, option.id);
    }
  };
  for (const group of sortedGroups) walk(group.id, null);
  return { groups: sortedGroups, options, byId, childrenOf };
}

export function useTagGroups() {
  return useQuery({ queryKey: tagKeys.groups, queryFn: ({ signal }) => tagsApi.groups(signal), staleTime: 60_000 });
}

/** Groups and tags together, ready for pickers and editors. */
export function useTagCatalog() {
  const groups = useTagGroups();
  const catalog = useMemo(() => (groups.data ? buildCatalog(groups.data) : undefined), [groups.data]);
  return {
    catalog,
    isPending: groups.isPending,
    error: groups.error,
    refetch: () => void groups.refetch(),
  };
}

export function useCustomerTags(customerId: string | undefined) {
  return useQuery({
    queryKey: tagKeys.customer(customerId ?? ''),
    queryFn: ({ signal }) => tagsApi.customerTags(customerId ?? '', signal),
    enabled: Boolean(customerId),
  });
}

export function useConversationTags(conversationId: string | undefined) {
  return useQuery({
    queryKey: tagKeys.conversation(conversationId ?? ''),
    queryFn: ({ signal }) => tagsApi.conversationTags(conversationId ?? '', signal),
    enabled: Boolean(conversationId),
  });
}

/** What the tags of a target become after a change, single-select groups keeping only the new tag. */
export function applyTagChange(current: Tag[], change: TagChange, catalog: TagCatalog | undefined): Tag[] {
  const removed = new Set(change.remove);
  const added = change.add.map((id) => catalog?.byId.get(id)).filter((tag): tag is TagOption => Boolean(tag));
  const singleGroups = new Set(added.filter((tag) => tag.group.selection === 'single').map((tag) => tag.groupId));
  const kept = current.filter(
    (tag) => !removed.has(tag.id) && !(singleGroups.has(tag.groupId) && !change.add.includes(tag.id)),
  );
  const keptIds = new Set(kept.map((tag) => tag.id));
  return [...kept, ...added.filter((tag) => !keptIds.has(tag.id))];
}

export function useChangeCustomerTags(customerId: string, catalog: TagCatalog | undefined) {
  const client = useQueryClient();
  const key = tagKeys.customer(customerId);
  return useMutation({
    mutationFn: (change: TagChange) => tagsApi.changeCustomerTags(customerId, change),
    onMutate: async (change) => {
      await client.cancelQueries({ queryKey: key });
      const previous = client.getQueryData<Tag[]>(key);
      if (previous) client.setQueryData(key, applyTagChange(previous, change, catalog));
      return { previous };
    },
    onError: (_error, _change, context) => {
      if (context?.previous) client.setQueryData(key, context.previous);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: key });
      void client.invalidateQueries({ queryKey: ['customers'] });
    },
  });
}

export function useChangeConversationTags(conversationId: string, catalog: TagCatalog | undefined) {
  const client = useQueryClient();
  const key = tagKeys.conversation(conversationId);
  return useMutation({
    mutationFn: (change: TagChange) => tagsApi.changeConversationTags(conversationId, change),
    onMutate: async (change) => {
      await client.cancelQueries({ queryKey: key });
      const previous = client.getQueryData<Tag[]>(key);
      if (previous) client.setQueryData(key, applyTagChange(previous, change, catalog));
      return { previous };
    },
    onError: (_error, _change, context) => {
      if (context?.previous) client.setQueryData(key, context.previous);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: key }),
  });
}

function useInvalidateTags() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: tagKeys.all });
}

export function useSaveTagGroup() {
  const invalidate = useInvalidateTags();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: CreateTagGroupBody & UpdateTagGroupBody }) =>
      id ? tagsApi.updateGroup(id, input) : tagsApi.createGroup(input),
    onSuccess: invalidate,
  });
}

export function useMoveTagGroup() {
  const invalidate = useInvalidateTags();
  return useMutation({
    mutationFn: ({ id, position }: { id: string; position: number }) => tagsApi.updateGroup(id, { position }),
    onSettled: invalidate,
  });
}

export function useDeleteTagGroup() {
  const invalidate = useInvalidateTags();
  return useMutation({
    mutationFn: ({ id, force }: { id: string; force: boolean }) => tagsApi.deleteGroup(id, force),
    onSuccess: invalidate,
  });
}

export function useSaveTag() {
  const invalidate = useInvalidateTags();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: CreateTagBody }) => {
      if (!id) return tagsApi.createTag(input);
      const { groupId: _groupId, ...update }: CreateTagBody = input;
      return tagsApi.updateTag(id, update as UpdateTagBody);
    },
    onSuccess: invalidate,
  });
}

export function useMoveTag() {
  const invalidate = useInvalidateTags();
  return useMutation({
    mutationFn: ({ id, position }: { id: string; position: number }) => tagsApi.updateTag(id, { position }),
    onSettled: invalidate,
  });
}

export function useDeleteTag() {
  const invalidate = useInvalidateTags();
  return useMutation({
    mutationFn: ({ id, force }: { id: string; force: boolean }) => tagsApi.deleteTag(id, force),
    onSuccess: invalidate,
  });
}
