import type { BulkAction, CustomerCount, CustomerTarget, ExportTarget, Job } from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type { BulkAction };

export type BulkBody = {
  target: CustomerTarget;
  action: BulkAction;
  tagIds?: string[];
  ownerId?: string | null;
  expectedCount: number;
};

/** Bulk targets have no "everyone"; an empty filter group matches every customer. */
export const toCustomerTarget = (target: ExportTarget): CustomerTarget =>
  'all' in target ? { filter: { op: 'and', conditions: [] } } : (target as CustomerTarget);

export const bulkApi = {
  count: (target: ExportTarget) =>
    api.post<CustomerCount>('/api/v1/customers/bulk/count', { target: toCustomerTarget(target) }),
  run: (body: BulkBody) => api.post<Job>('/api/v1/customers/bulk', body),
};
