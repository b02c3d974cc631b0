import type { AuditEntry } from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type AuditQuery = { action?: string; targetType?: string; limit: number; cursor?: string };

export const auditApi = {
  list: (query: AuditQuery, signal?: AbortSignal) => api.get<Page<AuditEntry>>('/api/v1/audit-log', query, signal),
};
