export { isAnyAgentOnline } from './agents-online.ts';
export { canAgentTake, DEFAULT_CAPACITY, type PickInput, pickAssignee } from './assignment.ts';
export { seedDemoRouting } from './demo-seed.ts';
export { routingRoutes } from './routing.routes.ts';
export { createRoutingService, type RoutingService } from './routing.service.ts';
