import type {
  BotSettings,
  BotStats,
  CreateKbArticleBody,
  CreateKbCategoryBody,
  InboxBotSettings,
  KbArticle,
  KbArticleListItem,
  KbCategory,
  KbSearchHit,
  UpdateKbArticleBody,
  UpdateKbCategoryBody,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type ArticleFilters = {
  q?: string;
  categoryId?: string;
  status?: 'draft' | 'published';
  locale?: 'zh-CN' | 'en';
  cursor?: string;
};

export const knowledgeApi = {
  articles: (filters: ArticleFilters, signal?: AbortSignal) =>
    api.get<Page<KbArticleListItem>>('/api/v1/knowledge/articles', { ...filters, limit: 30 }, signal),
  article: (id: string, signal?: AbortSignal) =>
    api.get<KbArticle>(`/api/v1/knowledge/articles/${id}`, undefined, signal),
  createArticle: (input: CreateKbArticleBody) => api.post<KbArticle>('/api/v1/knowledge/articles', input),
  updateArticle: (id: string, input: UpdateKbArticleBody) =>
    api.patch<KbArticle>(`/api/v1/knowledge/articles/${id}`, input),
  removeArticle: (id: string) => api.delete<void>(`/api/v1/knowledge/articles/${id}`),
  categories: async (signal?: AbortSignal) =>
    (await api.get<Page<KbCategory>>('/api/v1/knowledge/categories', undefined, signal)).items,
  createCategory: (input: CreateKbCategoryBody) => api.post<KbCategory>('/api/v1/knowledge/categories', input),
  updateCategory: (id: string, input: UpdateKbCategoryBody) =>
    api.patch<KbCategory>(`/api/v1/knowledge/categories/${id}`, input),
  removeCategory: (id: string) => api.delete<void>(`/api/v1/knowledge/categories/${id}`),
  search: async (q: string, signal?: AbortSignal) =>
    (await api.get<{ items: KbSearchHit[] }>('/api/v1/knowledge/search', { q }, signal)).items,
  botSettings: async (signal?: AbortSignal) =>
    (await api.get<Page<InboxBotSettings>>('/api/v1/knowledge/bot/settings', undefined, signal)).items,
  updateBotSettings: (inboxId: string, settings: BotSettings) =>
    api.put<InboxBotSettings>(`/api/v1/knowledge/bot/settings/${inboxId}`, settings),
  botStats: (query: { inboxId?: string; days?: number }, signal?: AbortSignal) =>
    api.get<BotStats>('/api/v1/knowledge/bot/stats', query, signal),
};
