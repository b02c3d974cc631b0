import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type AuditQuery, auditApi } from '../api/audit-api.ts';

export function useAuditLog(query: AuditQuery) {
  return useQuery({
    queryKey: ['audit-log', query],
    queryFn: ({ signal }) => auditApi.list(query, signal),
    placeholderData: keepPreviousData,
  });
}
