import type { Job } from '@huike/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { jobsApi } from '../api/jobs-api.ts';

export const jobKey = (id: string) => ['jobs', id] as const;

export const isJobFinished = (job: Job | undefined): boolean =>
  job?.status === 'succeeded' || job?.status === 'failed' || job?.status === 'cancelled';

/** A background job, polled every second while it is queued or running; polling stops when it finishes. */
export function useJob(id: string | null | undefined, initial?: Job) {
  return useQuery({
    queryKey: jobKey(id ?? ''),
    queryFn: ({ signal }) => jobsApi.get(id ?? '', signal),
    enabled: Boolean(id),
    initialData: initial && initial.id === id ? initial : undefined,
    staleTime: 0,
    refetchOnWindowFocus: false,
    refetchInterval: (query) => (isJobFinished(query.state.data) ? false : 1000),
  });
}

/** Cancels a job: a queued one ends at once, a running one at its next checkpoint (polling shows when). */
export function useCancelJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: jobsApi.cancel,
    onSuccess: (job) => client.setQueryData(jobKey(job.id), job),
  });
}
