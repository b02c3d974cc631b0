import type { Tag, TagGroupWithTags } from '@huike/contracts';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { segmentsApi } from '../api/segments-api.ts';

export type TagOption = Tag & { groupName: string; depth: number };

/** Every tag grouped by its tag group, children under their parent, for pickers and for naming tag ids. */
export function useTagOptions() {
  const query = useQuery({
    queryKey: ['segments', 'tag-groups'],
    queryFn: ({ signal }) => segmentsApi.tagGroups(signal),
    staleTime: 60_000,
  });
  return useMemo(() => {
    const groups: { group: TagGroupWithTags; tags: TagOption[] }[] = [];
    const byId = new Map<string, TagOption>();
    for (const group of query.data ?? []) {
      const ordered: TagOption[] = [];
      const children = new Map<string | null, Tag[]>();
      for (const tag of group.tags) {
        const key = tag.parentId && group.tags.some((other) => other.id === tag.parentId) ? tag.parentId : null;
        children.set(key, [...(children.get(key) ?? []), tag]);
      }
      const walk = (parentId: string | null, depth: number) => {
        for (const tag of children.get(parentId) ?? []) {
          if (byId.has(tag.id)) continue;
          const option = { ...tag, groupName: group.name, depth };
          ordered.push(option);
          byId.set(tag.id, option);
          walk(tag.id, depth + 1);
        }
      };
      walk(null, 0);
      groups.push({ group, tags: ordered });
    }
    return { groups, byId, isLoading: query.isLoading, error: query.error };
  }, [query.data, query.isLoading, query.error]);
}
