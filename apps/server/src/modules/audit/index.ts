export { auditRoutes } from './audit.routes.ts';
export { type AuditRecord, type AuditService, createAuditService } from './audit.service.ts';
export { changedFields, type FieldChange, hasChanges } from './changes.ts';
