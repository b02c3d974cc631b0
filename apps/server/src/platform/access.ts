import { type Permission, type Role, roleCan } from '@huike/contracts';
import { AppError } from './errors.ts';

export { type Permission, permissions } from '@huike/contracts';

/** Who is acting: a signed-in user (session or API token). */
export type Actor = Readonly<{ userId: string; workspaceId: string; role: Role; name: string }>;

export const can = (actor: Actor, permission: Permission): boolean => roleCan(actor.role, permission);

export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new AppError('auth.forbidden', '当前角色没有此操作的权限', { permission });
  }
}
