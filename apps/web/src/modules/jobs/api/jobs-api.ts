import type { Job } from '@huike/contracts';
import { api } from '../../../api/client.ts';

export const jobsApi = {
  get: (id: string, signal?: AbortSignal) => api.get<Job>(`/api/v1/jobs/${id}`, undefined, signal),
  cancel: (id: string) => api.post<Job>(`/api/v1/jobs/${id}/cancel`, {}),
};

/** Where a job's output file (import report, export) is downloaded from. */
export const fileUrl = (fileId: string): string => `/api/v1/files/${encodeURIComponent(fileId)}`;
