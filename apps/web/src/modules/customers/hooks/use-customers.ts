import type { Customer } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';
import { type CustomerListParams, customersApi, type UpdateCustomerInput } from '../api/customers-api.ts';

export function useCustomerList(params: CustomerListParams) {
  return useQuery({
    queryKey: queryKeys.customerList(params),
    queryFn: ({ signal }) => customersApi.list(params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.customer(id ?? ''),
    queryFn: ({ signal }) => customersApi.get(id ?? '', signal),
    enabled: Boolean(id),
  });
}

export function useUpdateCustomer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateCustomerInput }) => customersApi.update(id, input),
    onSuccess: (customer) => {
      client.setQueryData(queryKeys.customer(customer.id), customer);
      client.setQueriesData<Page<Customer>>({ queryKey: ['customers', 'list'] }, (page) =>
        page ? { ...page, items: page.items.map((each) => (each.id === customer.id ? customer : each)) } : page,
      );
      // Conversation rows and the chat header show the customer's name.
      void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
      void client.invalidateQueries({ queryKey: ['conversations', 'detail'] });
    },
  });
}
