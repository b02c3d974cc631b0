import type { Role } from '@huike/contracts';
import { AppError } from './errors.ts';

/** Who is acting: a signed-in user (session or API token). */
export type Actor = Readonly<{ userId: string; workspaceId: string; role: Role; name: string }>;

const everyone: readonly Role[] = ['owner', 'admin', 'supervisor', 'agent', 'analyst'];
const staff: readonly Role[] = ['owner', 'admin', 'supervisor', 'agent'];
const admins: readonly Role[] = ['owner', 'admin'];

/**
 * The permission table. docs/PERMISSIONS.md is written from it (and a test checks they agree).
 * Analysts read everything and change nothing; agents work conversations and customers;
 * supervisors additionally see and move the team's work; admins configure; the owner owns.
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
  'tokens:create': everyone,
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissions;

export const can = (actor: Actor, permission: Permission): boolean =>
  (permissions[permission] as readonly Role[]).includes(actor.role);

export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new AppError('auth.forbidden', '当前角色没有此操作的权限', { permission });
  }
}
