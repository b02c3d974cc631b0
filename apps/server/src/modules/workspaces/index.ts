export { workspacesRoutes } from './workspaces.routes.ts';
export { createWorkspacesService, type WorkspacesService } from './workspaces.service.ts';
