import type { CreateTemplateBody, UpdateTemplateBody } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCan } from '../../identity/hooks/use-session.ts';
import { type TemplateFilters, templatesApi } from '../api/templates-api.ts';

export const templateKeys = {
  all: ['templates'] as const,
  list: (filters: TemplateFilters) => ['templates', 'list', filters] as const,
  categories: ['templates', 'categories'] as const,
  usage: (range: { from?: string; to?: string }) => ['templates', 'usage', range] as const,
};

export function useTemplates(filters: TemplateFilters, options: { enabled?: boolean } = {}) {
  const can = useCan();
  return useQuery({
    queryKey: templateKeys.list(filters),
    queryFn: ({ signal }) => templatesApi.list(filters, signal),
    enabled: can('templates:use') && (options.enabled ?? true),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useTemplateCategories() {
  const can = useCan();
  return useQuery({
    queryKey: templateKeys.categories,
    queryFn: ({ signal }) => templatesApi.categories(signal),
    enabled: can('templates:use'),
    staleTime: 30_000,
  });
}

export function useTemplateUsage(range: { from?: string; to?: string }, enabled: boolean) {
  return useQuery({
    queryKey: templateKeys.usage(range),
    queryFn: ({ signal }) => templatesApi.usage(range, signal),
    enabled,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: templateKeys.all });
}

export function useCreateTemplate() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (input: CreateTemplateBody) => templatesApi.create(input), onSuccess: invalidate });
}

export function useUpdateTemplate() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateTemplateBody }) => templatesApi.update(id, input),
    onSuccess: invalidate,
  });
}

export function useDeleteTemplate() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => templatesApi.remove(id), onSuccess: invalidate });
}

/** Fills a template for the conversation (and counts one use); usage counts in lists change with it. */
export function useRenderTemplate() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, conversationId }: { id: string; conversationId: string }) =>
      templatesApi.render(id, conversationId),
    onSuccess: () => void invalidate(),
  });
}
