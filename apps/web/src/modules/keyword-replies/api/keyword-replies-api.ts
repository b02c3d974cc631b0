import type {
  CreateKeywordReplyBody,
  KeywordReply,
  KeywordReplyTestResult,
  TestKeywordRepliesBody,
  UpdateKeywordReplyBody,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type { KeywordReply, KeywordReplyTestResult };

export const keywordRepliesApi = {
  /** Every rule in evaluation order (a workspace has tens, rarely hundreds). */
  list: async (signal?: AbortSignal) => {
    const items: KeywordReply[] = [];
    let cursor: string | null | undefined;
    for (let guard = 0; guard < 50; guard += 1) {
      const page = await api.get<Page<KeywordReply>>(
        '/api/v1/keyword-replies',
        { limit: 500, cursor: cursor ?? undefined },
        signal,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return items;
  },
  create: (input: CreateKeywordReplyBody) => api.post<KeywordReply>('/api/v1/keyword-replies', input),
  update: (id: string, input: UpdateKeywordReplyBody) =>
    api.patch<KeywordReply>(`/api/v1/keyword-replies/${id}`, input),
  remove: (id: string) => api.delete<void>(`/api/v1/keyword-replies/${id}`),
  reorder: (ids: string[]) => api.post<Page<KeywordReply>>('/api/v1/keyword-replies/reorder', { ids }),
  test: (input: TestKeywordRepliesBody) => api.post<KeywordReplyTestResult>('/api/v1/keyword-replies/test', input),
};
