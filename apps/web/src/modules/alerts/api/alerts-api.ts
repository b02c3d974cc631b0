import type { Alert } from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type { Alert };

export const alertsApi = {
  /** The newest alerts (one page is enough for the bell). */
  recent: (signal?: AbortSignal) => api.get<Page<Alert>>('/api/v1/alerts', { limit: 20 }, signal),
  acknowledge: (id: string) => api.post<Alert>(`/api/v1/alerts/${id}/acknowledge`),
};
