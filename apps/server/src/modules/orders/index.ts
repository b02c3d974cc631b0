export {
  getCustomerValueSettings,
  recomputeWorkspaceValue,
  refreshCustomerValue,
  toCustomerValue,
} from './customer-value.ts';
export { seedDemoOrders } from './demo-orders.ts';
export { defineOrdersJobs, enqueueNightlyRecomputes, RECOMPUTE_VALUE_JOB } from './orders.jobs.ts';
export { ordersRoutes } from './orders.routes.ts';
export { createOrdersService, type OrdersService, toOrder, upsertOrder } from './orders.service.ts';
