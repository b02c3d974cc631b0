import type { CreateKeywordReplyBody, TestKeywordRepliesBody, UpdateKeywordReplyBody } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { keywordRepliesApi } from '../api/keyword-replies-api.ts';

export const keywordReplyKeys = { all: ['keyword-replies'] as const };

export function useKeywordReplies() {
  return useQuery({ queryKey: keywordReplyKeys.all, queryFn: ({ signal }) => keywordRepliesApi.list(signal) });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: keywordReplyKeys.all });
}

export function useCreateKeywordReply() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: CreateKeywordReplyBody) => keywordRepliesApi.create(input),
    onSuccess: invalidate,
  });
}

export function useUpdateKeywordReply() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateKeywordReplyBody }) => keywordRepliesApi.update(id, input),
    onSuccess: invalidate,
  });
}

export function useDeleteKeywordReply() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => keywordRepliesApi.remove(id), onSuccess: invalidate });
}

export function useReorderKeywordReplies() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) => keywordRepliesApi.reorder(ids),
    onSuccess: (page) => client.setQueryData(keywordReplyKeys.all, page.items),
  });
}

export function useTestKeywordReplies() {
  return useMutation({ mutationFn: (input: TestKeywordRepliesBody) => keywordRepliesApi.test(input) });
}
