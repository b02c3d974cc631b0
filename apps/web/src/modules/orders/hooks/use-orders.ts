import type { CustomerValueSettings } from '@huike/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ordersApi } from '../api/orders-api.ts';

export const orderKeys = {
  customer: (id: string) => ['orders', 'customer', id] as const,
  valueSettings: ['settings', 'customer-value'] as const,
};

/** A customer's orders, newest first, a page at a time; nothing is requested until there is a customer. */
export function useCustomerOrders(customerId: string | undefined) {
  return useInfiniteQuery({
    queryKey: orderKeys.customer(customerId ?? ''),
    queryFn: ({ pageParam, signal }) => ordersApi.forCustomer(customerId ?? '', pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: Boolean(customerId),
  });
}

export function useValueSettings() {
  return useQuery({ queryKey: orderKeys.valueSettings, queryFn: ({ signal }) => ordersApi.valueSettings(signal) });
}

export function useSaveValueSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (settings: CustomerValueSettings) => ordersApi.saveValueSettings(settings),
    onSuccess: (settings) => {
      client.setQueryData(orderKeys.valueSettings, settings);
      void client.invalidateQueries({ queryKey: ['customers', 'stale'] });
    },
  });
}

export function useRecomputeValue() {
  return useMutation({ mutationFn: () => ordersApi.recompute() });
}
