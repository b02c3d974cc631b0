export { customerChannelsRoutes } from './customer-channels.routes.ts';
export { type CustomerChannelsService, createCustomerChannelsService } from './customer-channels.service.ts';
