import type { Customer } from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type CustomerListParams = { q?: string; limit: number; cursor?: string };
export type UpdateCustomerInput = {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  notes?: string;
};

export const customersApi = {
  list: (params: CustomerListParams, signal?: AbortSignal) =>
    api.get<Page<Customer>>('/api/v1/customers', params, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Customer>(`/api/v1/customers/${id}`, undefined, signal),
  update: (id: string, input: UpdateCustomerInput) => api.patch<Customer>(`/api/v1/customers/${id}`, input),
};
