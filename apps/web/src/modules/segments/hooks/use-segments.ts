import type { CreateSegmentBody, SegmentFilter, UpdateSegmentBody } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { customFieldsApi, segmentsApi } from '../api/segments-api.ts';

export const segmentKeys = {
  all: ['segments'] as const,
  list: ['segments', 'list'] as const,
  count: (id: string) => ['segments', 'count', id] as const,
  liveCount: (filter: string) => ['segments', 'live-count', filter] as const,
  preview: (filter: string) => ['segments', 'preview', filter] as const,
  customFields: ['segments', 'custom-fields'] as const,
};

export function useSegments() {
  return useQuery({ queryKey: segmentKeys.list, queryFn: ({ signal }) => segmentsApi.list(signal) });
}

/** A saved segment's current count (each row of the list asks for its own, so a slow one does not hold the rest). */
export function useSegmentCount(id: string) {
  return useQuery({
    queryKey: segmentKeys.count(id),
    queryFn: ({ signal }) => segmentsApi.count(id, signal),
    staleTime: 15_000,
  });
}

export function useCustomFieldDefinitions() {
  return useQuery({
    queryKey: segmentKeys.customFields,
    queryFn: ({ signal }) => customFieldsApi.list(signal),
    staleTime: 60_000,
  });
}

/** `value`, settled: it changes only after `ms` without edits (for live counts while typing). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The filter to send, settled `ms` after the last edit, or '' while it is incomplete or invalid. Settled together
 * with its validity: a filter that has just become valid must not go out in its previous, invalid form.
 */
function useSendableFilter(filter: SegmentFilter, isValid: boolean, ms: number): string {
  return useDebounced(isValid ? JSON.stringify(filter) : '', ms);
}

/** The live count of an unsaved filter, asked 400 ms after the last edit; the previous number stays while counting. */
export function useLiveCount(filter: SegmentFilter, isValid: boolean) {
  const key = useSendableFilter(filter, isValid, 400);
  return useQuery({
    queryKey: segmentKeys.liveCount(key),
    queryFn: () => segmentsApi.countFilter(JSON.parse(key) as SegmentFilter),
    enabled: key !== '',
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export function usePreview(filter: SegmentFilter, isValid: boolean, limit = 10) {
  const key = useSendableFilter(filter, isValid, 600);
  return useQuery({
    queryKey: segmentKeys.preview(`${limit}:${key}`),
    queryFn: () => segmentsApi.preview(JSON.parse(key) as SegmentFilter, limit),
    enabled: key !== '',
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export function useCreateSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateSegmentBody) => segmentsApi.create(body),
    onSuccess: () => void client.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}

export function useUpdateSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateSegmentBody }) => segmentsApi.update(id, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => segmentsApi.remove(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}
