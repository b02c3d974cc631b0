import type { Role, Session, Team, User } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decoyHash, hashPassword, verifyPassword } from '../../platform/auth/passwords.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventBus } from '../../platform/events.ts';
import { newId, randomToken, sha256 } from '../../platform/ids.ts';
import * as repo from './identity.repository.ts';

const SESSION_DAYS = 14;
const LOCK_AFTER_FAILURES = 5;
const LOCK_MINUTES = 15;
export const API_TOKEN_PREFIX = 'hk_';

const toUser = (row: repo.UserRow, teamIds: string[]): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled,
  teamIds,
  createdAt: row.createdAt.toISOString(),
});

const toActor = (row: repo.UserRow): Actor => ({
  userId: row.id,
  workspaceId: row.workspaceId,
  role: row.role,
  name: row.name,
});

/** Only the owner may hand out or take away the owner role, or change the owner. */
function assertMayManageRole(actor: Actor, targetRole: Role | undefined): void {
  if (targetRole === 'owner' && actor.role !== 'owner') {
    throw new AppError('user.owner_protected', '只有所有者可以管理所有者账号');
  }
}

export type IdentityService = ReturnType<typeof createIdentityService>;

export function createIdentityService({ db, events }: { db: Db; events: EventBus }) {
  async function sessionFor(user: repo.UserRow, csrfToken: string): Promise<Session> {
    const [workspace, teams] = await Promise.all([
      repo.findWorkspace(db, user.workspaceId),
      repo.teamIdsByUser(db, user.workspaceId, [user.id]),
    ]);
    if (!workspace) throw new AppError('auth.required', '工作区不存在');
    return {
      user: toUser(user, teams.get(user.id) ?? []),
      workspace: { id: workspace.id, name: workspace.name, timezone: workspace.timezone },
      csrfToken,
    };
  }

  /** Opens a session; the returned token goes into the httpOnly cookie and is stored only as a hash. */
  async function startSession(executor: Executor, user: repo.UserRow) {
    const token = randomToken();
    const csrfToken = randomToken(24);
    await repo.insertSession(executor, {
      id: newId(),
      workspaceId: user.workspaceId,
      userId: user.id,
      tokenHash: sha256(token),
      csrfToken,
      expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000),
    });
    return { token, csrfToken };
  }

  async function createUserRow(
    executor: Executor,
    input: { workspaceId: string; email: string; name: string; role: Role; password: string },
  ) {
    if (await repo.findUserByEmail(executor, input.email)) {
      throw new AppError('user.email_taken', '该邮箱已被使用');
    }
    const { password, ...rest } = input;
    return repo.insertUser(executor, { id: newId(), ...rest, passwordHash: await hashPassword(password) });
  }

  return {
    startSession,
    createUserRow,

    /** Checks the password, with lockout after repeated failures. */
    async login(email: string, password: string): Promise<{ token: string; session: Session }> {
      const user = await repo.findUserByEmail(db, email);
      if (!user) {
        await verifyPassword(await decoyHash, password);
        throw new AppError('auth.invalid_credentials', '邮箱或密码不正确');
      }
      if (user.lockedUntil && user.lockedUntil > new Date()) {
        const minutes = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 60_000);
        throw new AppError('auth.locked', `登录失败次数过多，请 ${minutes} 分钟后再试`, { retryAfterMinutes: minutes });
      }
      if (!(await verifyPassword(user.passwordHash, password)) || user.disabled) {
        await repo.recordFailedLogin(db, user.id, LOCK_AFTER_FAILURES, LOCK_MINUTES);
        throw new AppError('auth.invalid_credentials', '邮箱或密码不正确');
      }
      await repo.clearFailedLogins(db, user.id);
      const { token, csrfToken } = await startSession(db, user);
      return { token, session: await sessionFor(user, csrfToken) };
    },

    logout: (token: string) => repo.deleteSession(db, sha256(token)),

    async authenticateSession(token: string): Promise<{ actor: Actor; csrfToken: string } | undefined> {
      const found = await repo.findSessionByTokenHash(db, sha256(token));
      return found && { actor: toActor(found.user), csrfToken: found.session.csrfToken };
    },

    async authenticateApiToken(token: string): Promise<Actor | undefined> {
      if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
      const found = await repo.findUserByApiTokenHash(db, sha256(token));
      if (!found) return undefined;
      await repo.touchApiToken(db, found.tokenId);
      return toActor(found.user);
    },

    async getSession(actor: Actor, csrfToken: string): Promise<Session> {
      const user = await repo.findUser(db, actor.workspaceId, actor.userId);
      if (!user) throw new AppError('auth.required', '请先登录');
      return sessionFor(user, csrfToken);
    },

    async listUsers(actor: Actor): Promise<User[]> {
      assertCan(actor, 'users:read');
      const rows = await repo.listUsers(db, actor.workspaceId);
      const teams = await repo.teamIdsByUser(
        db,
        actor.workspaceId,
        rows.map((row) => row.id),
      );
      return rows.map((row) => toUser(row, teams.get(row.id) ?? []));
    },

    async createUser(
      actor: Actor,
      input: { email: string; name: string; role: Role; password: string; teamIds: string[] },
    ): Promise<User> {
      assertCan(actor, 'users:manage');
      assertMayManageRole(actor, input.role);
      return db.transaction(async (tx) => {
        if ((await repo.countTeams(tx, actor.workspaceId, input.teamIds)) !== new Set(input.teamIds).size) {
          throw new AppError('team.not_found', '所选团队不存在');
        }
        const user = await createUserRow(tx, { ...input, workspaceId: actor.workspaceId });
        await repo.setUserTeams(tx, actor.workspaceId, user.id, [...new Set(input.teamIds)]);
        return toUser(user, [...new Set(input.teamIds)]);
      });
    },

    async updateUser(
      actor: Actor,
      id: string,
      patch: { name?: string; role?: Role; disabled?: boolean; teamIds?: string[] },
    ): Promise<User> {
      assertCan(actor, 'users:manage');
      const existing = await repo.findUser(db, actor.workspaceId, id);
      if (!existing) throw new AppError('user.not_found', '成员不存在');
      assertMayManageRole(actor, existing.role);
      assertMayManageRole(actor, patch.role);
      if (id === actor.userId && (patch.disabled || (patch.role && patch.role !== existing.role))) {
        throw new AppError('user.owner_protected', '不能停用自己或修改自己的角色');
      }
      const { teamIds, ...fields } = patch;
      const updated = await db.transaction(async (tx) => {
        if (teamIds) {
          if ((await repo.countTeams(tx, actor.workspaceId, teamIds)) !== new Set(teamIds).size) {
            throw new AppError('team.not_found', '所选团队不存在');
          }
          await repo.setUserTeams(tx, actor.workspaceId, id, [...new Set(teamIds)]);
        }
        const row = (await repo.updateUser(tx, actor.workspaceId, id, fields))!;
        if (fields.disabled) await repo.deleteUserSessions(tx, id);
        return row;
      });
      if (fields.disabled) {
        events.publish({
          type: 'user.disabled',
          workspaceId: actor.workspaceId,
          performedBy: actor.userId,
          userId: id,
        });
      }
      const teams = await repo.teamIdsByUser(db, actor.workspaceId, [id]);
      return toUser(updated, teams.get(id) ?? []);
    },

    async listTeams(actor: Actor): Promise<Team[]> {
      assertCan(actor, 'users:read');
      const [rows, members] = await Promise.all([
        repo.listTeams(db, actor.workspaceId),
        repo.membersByTeam(db, actor.workspaceId),
      ]);
      return rows.map((row) => ({ id: row.id, name: row.name, memberIds: members.get(row.id) ?? [] }));
    },

    async createTeam(actor: Actor, input: { name: string; memberIds: string[] }): Promise<Team> {
      assertCan(actor, 'teams:manage');
      const memberIds = [...new Set(input.memberIds)];
      if ((await repo.listTeams(db, actor.workspaceId)).some((team) => team.name === input.name)) {
        throw new AppError('team.name_taken', `已有名为「${input.name}」的团队`);
      }
      return db.transaction(async (tx) => {
        for (const userId of memberIds) {
          if (!(await repo.findUser(tx, actor.workspaceId, userId))) throw new AppError('user.not_found', '成员不存在');
        }
        const team = await repo.insertTeam(tx, { id: newId(), workspaceId: actor.workspaceId, name: input.name });
        await repo.insertTeamMembers(tx, actor.workspaceId, team.id, memberIds);
        return { id: team.id, name: team.name, memberIds };
      });
    },

    /** Team ids that belong to the actor's workspace, for validating assignments elsewhere. */
    async findTeam(workspaceId: string, id: string) {
      return repo.findTeam(db, workspaceId, id);
    },
    async findUser(workspaceId: string, id: string) {
      return repo.findUser(db, workspaceId, id);
    },

    async createApiToken(actor: Actor, name: string) {
      assertCan(actor, 'tokens:create');
      const token = `${API_TOKEN_PREFIX}${randomToken()}`;
      const id = newId();
      await repo.insertApiToken(db, {
        id,
        workspaceId: actor.workspaceId,
        userId: actor.userId,
        name,
        tokenHash: sha256(token),
      });
      return { id, name, token };
    },

    /** The workspace owner, acting for terminal commands (CLI). */
    async ownerActor(workspaceId: string): Promise<Actor | undefined> {
      const owner = (await repo.listUsers(db, workspaceId)).find((row) => row.role === 'owner' && !row.disabled);
      return owner && toActor(owner);
    },

    async actorByEmail(email: string): Promise<Actor | undefined> {
      const user = await repo.findUserByEmail(db, email.toLowerCase());
      return user && !user.disabled ? toActor(user) : undefined;
    },
  };
}
