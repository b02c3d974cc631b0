import {
  type CreateSegmentBody,
  SEGMENT_COUNT_FRESH_MS,
  type Segment,
  type SegmentFilter,
  type UpdateSegmentBody,
} from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { customFieldsApi, segmentsApi } from '../api/segments-api.ts';

export const segmentKeys = {
  all: ['segments'] as const,
  list: ['segments', 'list'] as const,
  /** Outside `all`: saving a segment must not restart other rows' counts (each takes seconds on a big shop). */
  count: (id: string, updatedAt: string) => ['segment-counts', id, updatedAt] as const,
  liveCount: (filter: string) => ['segments', 'live-count', filter] as const,
  preview: (filter: string) => ['segments', 'preview', filter] as const,
  customFields: ['segments', 'custom-fields'] as const,
};

export function useSegments() {
  return useQuery({ queryKey: segmentKeys.list, queryFn: ({ signal }) => segmentsApi.list(signal) });
}

/** At most this many segments are counted at once by one page (each is a full count: seconds on a big shop). */
const PARALLEL_COUNTS = 2;
let countsRunning = 0;
const countsWaiting: (() => void)[] = [];

async function inCountQueue<T>(task: () => Promise<T>): Promise<T> {
  if (countsRunning >= PARALLEL_COUNTS) await new Promise<void>((resolve) => countsWaiting.push(resolve));
  countsRunning++;
  try {
    return await task();
  } finally {
    countsRunning--;
    countsWaiting.shift()?.();
  }
}

/**
 * A saved segment's count as the list shows it: the stored count at once (`customerCount`, `countedAt`), counted
 * again in the background when it is older than SEGMENT_COUNT_FRESH_MS when the row appears (or never counted),
 * and on `refresh`. Each row counts on its own, so a slow one holds nobody; the new count is written into the list.
 */
export function useSegmentCount(segment: Segment) {
  const client = useQueryClient();
  const [shownAt] = useState(() => Date.now());
  const isStale = !segment.countedAt || shownAt - Date.parse(segment.countedAt) > SEGMENT_COUNT_FRESH_MS;
  const query = useQuery({
    queryKey: segmentKeys.count(segment.id, segment.updatedAt),
    queryFn: async ({ signal }) => {
      const counted = await inCountQueue(() => segmentsApi.count(segment.id, signal));
      client.setQueryData<Segment[]>(segmentKeys.list, (list) =>
        list?.map((item) =>
          item.id === segment.id ? { ...item, customerCount: counted.count, countedAt: counted.countedAt } : item,
        ),
      );
      return counted;
    },
    enabled: isStale,
    staleTime: SEGMENT_COUNT_FRESH_MS,
    retry: false,
    refetchOnWindowFocus: false,
  });
  return {
    count: segment.customerCount,
    countedAt: segment.countedAt,
    isCounting: query.isFetching,
    isError: query.isError && !query.isFetching,
    refresh: () => void query.refetch(),
  };
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
