import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type AuditQuery, auditApi } from '../api/audit-api.ts';

/** `enabled`: false for roles without audit:read, whose page shows 无权限 instead of asking. */
export function useAuditLog(query: AuditQuery, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['audit-log', query],
    queryFn: ({ signal }) => auditApi.list(query, signal),
    placeholderData: keepPreviousData,
  });
}
