import type { ServiceReport, ServiceReportQuery } from '@huike/contracts';
import { api } from '../../../api/client.ts';

const toQuery = (query: ServiceReportQuery) =>
  Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined && value !== '')) as Record<
    string,
    string
  >;

export const reportsApi = {
  service: (query: ServiceReportQuery, signal?: AbortSignal) =>
    api.get<ServiceReport>('/api/v1/reports/service', toQuery(query), signal),
  /** A plain link: the session cookie authorises the GET, and the browser downloads the file. */
  exportUrl: (query: ServiceReportQuery, format: 'xlsx' | 'pdf') =>
    `/api/v1/reports/service/export?${new URLSearchParams({ ...toQuery(query), format }).toString()}`,
};
