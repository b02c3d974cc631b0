import type { Role } from './identity.ts';

const everyone: readonly Role[] = ['owner', 'admin', 'supervisor', 'agent', 'analyst'];
const staff: readonly Role[] = ['owner', 'admin', 'supervisor', 'agent'];
const admins: readonly Role[] = ['owner', 'admin'];
const leads: readonly Role[] = ['owner', 'admin', 'supervisor'];

/**
 * The permission table: the server enforces it, the web app uses it to offer only what would be allowed,
 * and docs/PERMISSIONS.md is checked against it. Analysts read everything and change nothing; agents work
 * conversations and customers; supervisors additionally see and move the team's work; admins configure.
 */
export const permissions = {
  'workspace:read': everyone,
  'workspace:manage': admins,
  'users:read': everyone,
  'users:manage': admins,
  'teams:manage': admins,
  'inboxes:read': everyone,
  'inboxes:manage': admins,
  'inboxes:read_secret': admins,
  'conversations:read': everyone,
  'conversations:reply': staff,
  'conversations:assign': staff,
  'conversations:change_status': staff,
  'customers:read': everyone,
  'customers:update': staff,
  'customers:reveal_pii': leads,
  'customers:merge': leads,
  'customers:bulk_update': leads,
  'customers:import': leads,
  'customers:export': ['owner', 'admin', 'supervisor', 'analyst'],
  'customers:erase': admins,
  'custom_fields:manage': admins,
  'tags:manage': leads,
  'tags:apply': staff,
  'segments:manage': leads,
  'orders:read': everyone,
  'orders:write': leads,
  'audit:read': admins,
  'templates:use': staff,
  'templates:manage': leads,
  'automation:read': ['owner', 'admin', 'supervisor', 'analyst'],
  'automation:manage': admins,
  'alerts:read': leads,
  'tickets:read': everyone,
  'tickets:write': staff,
  'tickets:manage': leads,
  'sla:manage': admins,
  'routing:manage': admins,
  'webhooks:manage': admins,
  'queue:monitor': leads,
  'knowledge:read': everyone,
  'knowledge:manage': leads,
  'surveys:manage': leads,
  'campaigns:send': leads,
  'reports:read': ['owner', 'admin', 'supervisor', 'analyst'],
  'tokens:create': everyone,
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissions;

export const roleCan = (role: Role, permission: Permission): boolean =>
  (permissions[permission] as readonly Role[]).includes(role);

/** Roles that take conversations (offered as assignees). */
export const assignableRoles: readonly Role[] = staff;
