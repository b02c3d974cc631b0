import type { BotSettings, CreateKbArticleBody, CreateKbCategoryBody, UpdateKbArticleBody } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ArticleFilters, knowledgeApi } from '../api/knowledge-api.ts';

export const knowledgeKeys = {
  all: ['knowledge'] as const,
  articles: (filters: ArticleFilters) => ['knowledge', 'articles', filters] as const,
  article: (id: string) => ['knowledge', 'article', id] as const,
  categories: ['knowledge', 'categories'] as const,
  search: (q: string) => ['knowledge', 'search', q] as const,
  bot: ['knowledge', 'bot'] as const,
  stats: (inboxId?: string) => ['knowledge', 'bot-stats', inboxId ?? 'all'] as const,
};

export const useArticles = (filters: ArticleFilters) =>
  useQuery({
    queryKey: knowledgeKeys.articles(filters),
    queryFn: ({ signal }) => knowledgeApi.articles(filters, signal),
    placeholderData: keepPreviousData,
  });

export const useArticle = (id: string | null) =>
  useQuery({
    queryKey: knowledgeKeys.article(id ?? ''),
    queryFn: ({ signal }) => knowledgeApi.article(id!, signal),
    enabled: !!id,
  });

export const useKbCategories = () =>
  useQuery({ queryKey: knowledgeKeys.categories, queryFn: ({ signal }) => knowledgeApi.categories(signal) });

export const useKnowledgeSearch = (q: string) =>
  useQuery({
    queryKey: knowledgeKeys.search(q),
    queryFn: ({ signal }) => knowledgeApi.search(q, signal),
    enabled: q.trim().length > 0,
    placeholderData: keepPreviousData,
  });

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: knowledgeKeys.all });
}

export function useSaveArticle() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: CreateKbArticleBody & UpdateKbArticleBody }) =>
      id ? knowledgeApi.updateArticle(id, input) : knowledgeApi.createArticle(input),
    onSuccess: invalidate,
  });
}

export function useRemoveArticle() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: knowledgeApi.removeArticle, onSuccess: invalidate });
}

export function useSaveCategory() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: CreateKbCategoryBody }) =>
      id ? knowledgeApi.updateCategory(id, input) : knowledgeApi.createCategory(input),
    onSuccess: invalidate,
  });
}

export function useRemoveCategory() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: knowledgeApi.removeCategory, onSuccess: invalidate });
}

export const useBotSettings = () =>
  useQuery({ queryKey: knowledgeKeys.bot, queryFn: ({ signal }) => knowledgeApi.botSettings(signal) });

export const useBotStats = (inboxId?: string) =>
  useQuery({
    queryKey: knowledgeKeys.stats(inboxId),
    queryFn: ({ signal }) => knowledgeApi.botStats({ inboxId, days: 30 }, signal),
  });

export function useUpdateBotSettings() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ inboxId, settings }: { inboxId: string; settings: BotSettings }) =>
      knowledgeApi.updateBotSettings(inboxId, settings),
    onSuccess: invalidate,
  });
}
