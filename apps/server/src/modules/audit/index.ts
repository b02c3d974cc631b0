export { auditRoutes } from './audit.routes.ts';
export { type AuditRecord, type AuditService, createAuditService } from './audit.service.ts';
