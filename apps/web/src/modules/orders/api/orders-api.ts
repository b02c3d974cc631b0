import type { CustomerValueSettings, Job, Order } from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export const ordersApi = {
  forCustomer: (customerId: string, cursor: string | undefined, signal?: AbortSignal) =>
    api.get<Page<Order>>(`/api/v1/customers/${customerId}/orders`, { limit: 20, cursor }, signal),
  valueSettings: (signal?: AbortSignal) =>
    api.get<CustomerValueSettings>('/api/v1/settings/customer-value', undefined, signal),
  saveValueSettings: (settings: CustomerValueSettings) =>
    api.put<CustomerValueSettings>('/api/v1/settings/customer-value', settings),
  recompute: () => api.post<Job>('/api/v1/settings/customer-value/recompute'),
};
