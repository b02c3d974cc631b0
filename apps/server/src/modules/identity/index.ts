export { identityRoutes } from './identity.routes.ts';
export { API_TOKEN_PREFIX, createIdentityService, type IdentityService } from './identity.service.ts';
