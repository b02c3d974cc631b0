export { type CustomFieldsService, createCustomFieldsService, validateCustomFields } from './custom-fields.service.ts';
export { backfillSearchColumns, listCustomerIds, nameContains, searchColumns } from './customer-search.ts';
export { contactMatchArms } from './customers.repository.ts';
export { customersRoutes } from './customers.routes.ts';
export {
  type AuditRecorder,
  type CustomerEvent,
  type CustomersService,
  createCustomersService,
  customerCreated,
  recordCustomerEvent,
  recordCustomerEvents,
  resolveCustomerByContact,
  searchCustomerIds,
  searchCustomerMatches,
} from './customers.service.ts';
