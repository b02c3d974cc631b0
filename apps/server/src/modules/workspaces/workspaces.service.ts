import type { Role, UpdateWorkspaceInput, Workspace } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type AuditService, changedFields, hasChanges } from '../audit/index.ts';
import { seedHolidays } from '../business-hours/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { seedDefaultTags } from '../tags/index.ts';
import * as repo from './workspaces.repository.ts';

const toWorkspace = (row: { id: string; name: string; timezone: string }): Workspace => ({
  id: row.id,
  name: row.name,
  timezone: row.timezone,
});

type OwnerInput = { workspaceName: string; timezone: string; name: string; email: string; password: string };

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;

export function createWorkspacesService({
  db,
  identity,
  audit,
}: {
  db: Db;
  identity: IdentityService;
  audit: AuditService;
}) {
  async function createWorkspaceWithUser(input: OwnerInput & { role?: Role }, requireEmpty: boolean) {
    return db.transaction(async (tx) => {
      await repo.lockSetup(tx);
      if (requireEmpty && (await repo.countWorkspaces(tx)) > 0) {
        throw new AppError('setup.already_done', '工作区已经创建，请直接登录');
      }
      const workspace = await repo.insertWorkspace(tx, {
        id: newId(),
        name: input.workspaceName,
        timezone: input.timezone,
      });
      await seedDefaultTags(tx, workspace.id);
      await seedHolidays(tx, workspace.id, new Date(), input.timezone);
      const user = await identity.createUserRow(tx, {
        workspaceId: workspace.id,
        email: input.email,
        name: input.name,
        role: input.role ?? 'owner',
        password: input.password,
      });
      const { token } = await identity.startSession(tx, user);
      return { workspace, user, token };
    });
  }

  return {
    needsSetup: async () => (await repo.countWorkspaces(db)) === 0,

    /** First-run setup from the browser: only while no workspace exists. */
    async setup(input: OwnerInput) {
      if (!isValidTimezone(input.timezone)) throw new AppError('request.invalid', `未知的时区：${input.timezone}`);
      return createWorkspaceWithUser(input, true);
    },

    /** Creates a workspace and its owner (CLI and demo seed). */
    createWorkspaceWithOwner: (input: OwnerInput) => createWorkspaceWithUser(input, false),

    firstWorkspace: () => repo.firstWorkspace(db),

    async getWorkspace(actor: Actor): Promise<Workspace> {
      assertCan(actor, 'workspace:read');
      const row = await repo.findWorkspace(db, actor.workspaceId);
      if (!row) throw new AppError('auth.required', '工作区不存在');
      return toWorkspace(row);
    },

    /**
     * Renames the workspace and/or changes its time zone (owners and admins). Times shown, business hours and daily
     * reports follow the new zone from now on; the audit entry keeps before → after.
     */
    async updateWorkspace(actor: Actor, input: UpdateWorkspaceInput): Promise<Workspace> {
      assertCan(actor, 'workspace:manage');
      return db.transaction(async (tx) => {
        const before = await repo.lockWorkspace(tx, actor.workspaceId);
        if (!before) throw new AppError('auth.required', '工作区不存在');
        const after = await repo.updateWorkspace(tx, actor.workspaceId, input);
        const changes = changedFields(
          { name: before.name, timezone: before.timezone },
          { name: after.name, timezone: after.timezone },
        );
        if (hasChanges(changes)) {
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: 'workspace.updated',
            targetType: 'workspace',
            targetId: actor.workspaceId,
            details: { name: after.name, changes },
          });
        }
        return toWorkspace(after);
      });
    },
  };
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
