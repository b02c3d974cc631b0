import type { ApiToken, ListApiTokensQuery, Role, Session, Team, UpdateTeamInput, User } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decoyHash, hashPassword, verifyPassword } from '../../platform/auth/passwords.ts';
import { decodeIdCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError, postgresCode } from '../../platform/errors.ts';
import { type Emit, type EventBus, publishingTransaction } from '../../platform/events.ts';
import { newId, randomToken, sha256 } from '../../platform/ids.ts';
import { type AuditService, changedFields, type FieldChange, hasChanges } from '../audit/index.ts';
import * as repo from './identity.repository.ts';

const SESSION_DAYS = 14;
const LOCK_AFTER_FAILURES = 5;
const LOCK_MINUTES = 15;
export const API_TOKEN_PREFIX = 'hk_';
/** Characters after `hk_` kept in the clear so lists can tell tokens apart (of 32+ random ones). */
const TOKEN_PREFIX_SHOWN = 6;

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

/** Names in the order people read them (the audit log shows member lists as names). */
const sortedNames = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b, 'zh-CN'));

/** Whether two id lists hold the same ids, in any order. */
const sameIds = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();

function lockedError(user: repo.UserRow): AppError | undefined {
  if (!user.lockedUntil || user.lockedUntil <= new Date()) return undefined;
  const minutes = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 60_000);
  return new AppError('auth.locked', `登录失败次数过多，请 ${minutes} 分钟后再试`, { retryAfterMinutes: minutes });
}

const teamNameTaken = (name: string) => new AppError('team.name_taken', `已有名为「${name}」的团队`);

/** A team name taken by a concurrent writer surfaces as the unique index's violation. */
async function uniqueTeamName<T>(name: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (name !== undefined && postgresCode(error) === '23505') throw teamNameTaken(name);
    throw error;
  }
}

/** 「路由规则「A」「B」；SLA 策略「C」；2 条团队话术」: what still uses a team, for the refusal's message. */
function describeTeamUses(uses: repo.TeamUses): string {
  const quoted = (names: string[]) => names.map((name) => `「${name}」`).join('');
  const parts = [
    uses.routingRules.length > 0 && `路由规则${quoted(uses.routingRules.map((rule) => rule.name))}`,
    uses.slaPolicies.length > 0 && `SLA 策略${quoted(uses.slaPolicies.map((policy) => policy.name))}`,
    uses.automationRules.length > 0 && `自动化规则${quoted(uses.automationRules.map((rule) => rule.name))}`,
    uses.templates.length > 0 && `${uses.templates.length} 条团队话术`,
  ];
  return parts.filter(Boolean).join('；');
}

/**
 * Takes a team that is being deleted off what another module keeps (its conversations, its tickets), inside the
 * deletion's transaction: that module records what it records for any team change and emits its events, which are
 * published once the deletion committed. Answers how many it changed.
 */
export type ReleaseTeam = (
  tx: Executor,
  emit: Emit,
  input: { workspaceId: string; teamId: string; performedBy: string | null },
) => Promise<number>;

export type IdentityService = ReturnType<typeof createIdentityService>;

export function createIdentityService({
  db,
  events,
  audit,
  releaseTeam,
}: {
  db: Db;
  events: EventBus;
  audit: AuditService;
  /** Passed in by app.ts: the conversations and tickets modules depend on identity, not the other way round. */
  releaseTeam: { conversations: ReleaseTeam; tickets: ReleaseTeam };
}) {
  /** id → name of the workspace's teams, for audit entries. */
  async function teamNames(executor: Executor, workspaceId: string) {
    return new Map((await repo.listTeams(executor, workspaceId)).map((team) => [team.id, team.name]));
  }

  /** Member names for audit entries; an id that is not a member (cannot happen after validation) is left out. */
  async function memberNames(executor: Executor, workspaceId: string, ids: string[]) {
    return sortedNames((await repo.usersByIds(executor, workspaceId, ids)).map((user) => user.name));
  }

  /**
   * One entry per kind of change, so the log can be filtered for them: a role change (granting admin), disabling or
   * enabling, and the rest (name, teams). Each names the member (name and email) and says before → after.
   */
  async function recordMemberChanges(
    tx: Executor,
    actor: Actor,
    before: repo.UserRow,
    after: repo.UserRow,
    teamsBefore: string[],
    teamsAfter: string[] | undefined,
  ) {
    const record = (action: string, details: Record<string, unknown> = {}) =>
      audit.record(tx, {
        workspaceId: actor.workspaceId,
        actorId: actor.userId,
        action,
        targetType: 'user',
        targetId: after.id,
        details: { name: after.name, email: after.email, ...details },
      });
    if (before.role !== after.role) {
      await record('users.role_changed', { changes: { role: { before: before.role, after: after.role } } });
    }
    if (before.disabled !== after.disabled) await record(after.disabled ? 'users.disabled' : 'users.enabled');
    const changes = changedFields({ name: before.name }, { name: after.name });
    if (teamsAfter && !sameIds(teamsBefore, teamsAfter)) {
      const names = await teamNames(tx, actor.workspaceId);
      const named = (ids: string[]) => sortedNames(ids.map((teamId) => names.get(teamId) ?? teamId));
      changes.teams = { before: named(teamsBefore), after: named(teamsAfter) };
    }
    if (hasChanges(changes)) await record('users.updated', { changes });
  }

  /** Refuses ids that are not members of the workspace (another workspace's member reads as unknown). */
  async function assertMembers(executor: Executor, workspaceId: string, ids: string[]) {
    if ((await repo.usersByIds(executor, workspaceId, ids)).length !== ids.length) {
      throw new AppError('user.not_found', '成员不存在');
    }
  }

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

  /** Revokes all of a member's API tokens inside `tx`, with one audit entry naming them (none when they had none). */
  async function revokeUserApiTokens(
    tx: Executor,
    user: repo.UserRow,
    actorId: string | null,
    reason: 'password_changed' | 'password_reset' | 'user_disabled',
  ) {
    const names = await repo.deleteUserApiTokens(tx, user.id);
    if (names.length === 0) return;
    await audit.record(tx, {
      workspaceId: user.workspaceId,
      actorId,
      action: 'api_tokens.revoked',
      targetType: 'user',
      targetId: user.id,
      details: { name: user.name, email: user.email, tokens: names, reason },
    });
  }

  /**
   * Stores a new password, signs the user out of every session but `keepSessionToken`'s and revokes their API tokens
   * (a leaked token must not outlive the remediation), in one transaction with its audit entry (which never holds
   * the password). `actorId` null: done from the command line.
   */
  async function replacePassword(
    user: repo.UserRow,
    newPassword: string,
    entry: {
      actorId: string | null;
      action: 'users.password_changed' | 'users.password_reset';
      keepSessionToken?: string;
    },
  ) {
    const passwordHash = await hashPassword(newPassword);
    const ended = await db.transaction(async (tx) => {
      await repo.setPasswordHash(tx, user.id, passwordHash);
      const sessionIds = entry.keepSessionToken
        ? await repo.deleteOtherSessions(tx, user.id, sha256(entry.keepSessionToken))
        : await repo.deleteUserSessions(tx, user.id);
      await revokeUserApiTokens(
        tx,
        user,
        entry.actorId,
        entry.action === 'users.password_changed' ? 'password_changed' : 'password_reset',
      );
      await audit.record(tx, {
        workspaceId: user.workspaceId,
        actorId: entry.actorId,
        action: entry.action,
        targetType: 'user',
        targetId: user.id,
        details: { name: user.name, email: user.email, ...(entry.actorId ? {} : { via: 'cli' }) },
      });
      return sessionIds;
    });
    // The ended sessions' live sockets close on every process (the kept session's stays open).
    if (ended.length > 0) {
      events.publish({
        type: 'user.signed_out',
        workspaceId: user.workspaceId,
        performedBy: entry.actorId,
        userId: user.id,
        sessionIds: ended,
        reason: 'password_changed',
      });
    }
  }

  return {
    startSession,
    createUserRow,

    /**
     * The signed-in user changes their own password. A wrong current password is refused (400
     * `auth.current_password_invalid`) and counts towards the sign-in lockout, so a borrowed session cannot be used to
     * guess it. Their other sessions end; the one making the change (`sessionToken`, absent for an API token) stays.
     */
    async changeOwnPassword(
      actor: Actor,
      input: { currentPassword: string; newPassword: string },
      sessionToken: string | undefined,
    ): Promise<void> {
      const user = await repo.findUser(db, actor.workspaceId, actor.userId);
      if (!user) throw new AppError('auth.required', '请先登录');
      const locked = lockedError(user);
      if (locked) throw locked;
      if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
        await repo.recordFailedLogin(db, user.id, LOCK_AFTER_FAILURES, LOCK_MINUTES);
        throw new AppError('auth.current_password_invalid', '当前密码不正确');
      }
      await replacePassword(user, input.newPassword, {
        actorId: actor.userId,
        action: 'users.password_changed',
        keepSessionToken: sessionToken,
      });
    },

    /**
     * An owner or admin sets a member's new password and signs them out everywhere. Only the owner resets the
     * owner's; nobody resets their own here (they change it with their current password).
     */
    async resetPassword(actor: Actor, id: string, newPassword: string): Promise<void> {
      assertCan(actor, 'users:manage');
      if (id === actor.userId) {
        throw new AppError('user.reset_own_password', '不能在这里重置自己的密码，请在右上角的个人菜单中修改密码');
      }
      const user = await repo.findUser(db, actor.workspaceId, id);
      if (!user) throw new AppError('user.not_found', '成员不存在');
      assertMayManageRole(actor, user.role);
      await replacePassword(user, newPassword, { actorId: actor.userId, action: 'users.password_reset' });
    },

    /** For an operator at the server (CLI): any user, by email, e.g. an owner who forgot their password. */
    async resetPasswordByEmail(email: string, newPassword: string): Promise<void> {
      const user = await repo.findUserByEmail(db, email.toLowerCase());
      if (!user) throw new AppError('user.not_found', `没有这个成员：${email}`);
      await replacePassword(user, newPassword, { actorId: null, action: 'users.password_reset' });
    },

    /** Checks the password, with lockout after repeated failures. */
    async login(email: string, password: string): Promise<{ token: string; session: Session }> {
      const user = await repo.findUserByEmail(db, email);
      if (!user) {
        await verifyPassword(await decoyHash, password);
        throw new AppError('auth.invalid_credentials', '邮箱或密码不正确');
      }
      const locked = lockedError(user);
      if (locked) throw locked;
      if (!(await verifyPassword(user.passwordHash, password))) {
        await repo.recordFailedLogin(db, user.id, LOCK_AFTER_FAILURES, LOCK_MINUTES);
        throw new AppError('auth.invalid_credentials', '邮箱或密码不正确');
      }
      // Only someone who knows the password learns the account is disabled.
      if (user.disabled) throw new AppError('auth.user_disabled', '你的账号已被管理员停用，请联系管理员');
      await repo.clearFailedLogins(db, user.id);
      const { token, csrfToken } = await startSession(db, user);
      return { token, session: await sessionFor(user, csrfToken) };
    },

    logout: (token: string) => repo.deleteSession(db, sha256(token)),

    async authenticateSession(
      token: string,
    ): Promise<{ actor: Actor; csrfToken: string; sessionId: string } | undefined> {
      const found = await repo.findSessionByTokenHash(db, sha256(token));
      return found && { actor: toActor(found.user), csrfToken: found.session.csrfToken, sessionId: found.session.id };
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
        const teamIds = [...new Set(input.teamIds)];
        await repo.setUserTeams(tx, actor.workspaceId, user.id, teamIds);
        const names = await teamNames(tx, actor.workspaceId);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'users.created',
          targetType: 'user',
          targetId: user.id,
          details: {
            name: user.name,
            email: user.email,
            role: user.role,
            teams: sortedNames(teamIds.map((id) => names.get(id) ?? id)),
          },
        });
        return toUser(user, teamIds);
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
        // Before → after as of this transaction, not the read above (another admin may have saved in between).
        const before = (await repo.lockUser(tx, actor.workspaceId, id)) ?? existing;
        const teamsBefore = (await repo.teamIdsByUser(tx, actor.workspaceId, [id])).get(id) ?? [];
        if (teamIds) {
          if ((await repo.countTeams(tx, actor.workspaceId, teamIds)) !== new Set(teamIds).size) {
            throw new AppError('team.not_found', '所选团队不存在');
          }
          await repo.setUserTeams(tx, actor.workspaceId, id, [...new Set(teamIds)]);
        }
        const row = (await repo.updateUser(tx, actor.workspaceId, id, fields))!;
        if (fields.disabled) {
          await repo.deleteUserSessions(tx, id);
          await revokeUserApiTokens(tx, row, actor.userId, 'user_disabled');
        }
        await recordMemberChanges(tx, actor, before, row, teamsBefore, teamIds && [...new Set(teamIds)]);
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
      if (await repo.findTeamByName(db, actor.workspaceId, input.name)) throw teamNameTaken(input.name);
      return uniqueTeamName(input.name, () =>
        db.transaction(async (tx) => {
          await assertMembers(tx, actor.workspaceId, memberIds);
          const team = await repo.insertTeam(tx, { id: newId(), workspaceId: actor.workspaceId, name: input.name });
          await repo.insertTeamMembers(tx, actor.workspaceId, team.id, memberIds);
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: 'teams.created',
            targetType: 'team',
            targetId: team.id,
            details: { name: team.name, members: await memberNames(tx, actor.workspaceId, memberIds) },
          });
          return { id: team.id, name: team.name, memberIds };
        }),
      );
    },

    /** Renames a team and/or replaces its members; the audit entry keeps the name and members before and after. */
    async updateTeam(actor: Actor, id: string, input: UpdateTeamInput): Promise<Team> {
      assertCan(actor, 'teams:manage');
      return uniqueTeamName(input.name, () =>
        db.transaction(async (tx) => {
          const team = await repo.lockTeam(tx, actor.workspaceId, id);
          if (!team) throw new AppError('team.not_found', '团队不存在');
          const name = input.name ?? team.name;
          if (name !== team.name && (await repo.findTeamByName(tx, actor.workspaceId, name))) throw teamNameTaken(name);
          const membersBefore = await repo.teamMemberIds(tx, actor.workspaceId, id);
          const memberIds = input.memberIds ? [...new Set(input.memberIds)] : membersBefore;
          if (input.memberIds) {
            await assertMembers(tx, actor.workspaceId, memberIds);
            await repo.setTeamMembers(tx, actor.workspaceId, id, memberIds);
          }
          if (name !== team.name) await repo.renameTeam(tx, actor.workspaceId, id, name);
          const changes: Record<string, FieldChange> = changedFields({ name: team.name }, { name });
          if (input.memberIds && !sameIds(membersBefore, memberIds)) {
            const everyone = [...new Set([...membersBefore, ...memberIds])];
            const nameOf = new Map(
              (await repo.usersByIds(tx, actor.workspaceId, everyone)).map((user) => [user.id, user.name]),
            );
            const names = (ids: string[]) => sortedNames(ids.map((userId) => nameOf.get(userId) ?? userId));
            changes.members = { before: names(membersBefore), after: names(memberIds) };
          }
          if (hasChanges(changes)) {
            await audit.record(tx, {
              workspaceId: actor.workspaceId,
              actorId: actor.userId,
              action: 'teams.updated',
              targetType: 'team',
              targetId: id,
              details: { name, changes },
            });
          }
          return { id, name, memberIds };
        }),
      );
    },

    /**
     * Deletes a team. Refused (409 `team.in_use`, naming them) while routing rules, SLA policies or automation rules
     * still point at it or it still has team templates: those would silently change behaviour or lose content.
     * Otherwise, in one transaction: its conversations and tickets lose the team (they keep their assignee; each
     * ticket's timeline says so, and both are pushed to open inboxes after the commit as any team change is), the
     * memberships go, and the audit entry records the name, the members and how many were unassigned.
     */
    async deleteTeam(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'teams:manage');
      await publishingTransaction(db, events, async (tx, emit) => {
        const team = await repo.lockTeam(tx, actor.workspaceId, id);
        if (!team) throw new AppError('team.not_found', '团队不存在');
        const uses = await repo.teamUses(tx, actor.workspaceId, id);
        if (Object.values(uses).some((list) => list.length > 0)) {
          throw new AppError(
            'team.in_use',
            `团队「${team.name}」仍被使用，请先修改或删除后再删除团队：${describeTeamUses(uses)}`,
            // The team's name too, so a client can word the refusal in its own language.
            { teamName: team.name, ...uses },
          );
        }
        const members = await memberNames(tx, actor.workspaceId, await repo.teamMemberIds(tx, actor.workspaceId, id));
        const release = { workspaceId: actor.workspaceId, teamId: id, performedBy: actor.userId };
        const conversations = await releaseTeam.conversations(tx, emit, release);
        const tickets = await releaseTeam.tickets(tx, emit, release);
        await repo.deleteTeam(tx, actor.workspaceId, id);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'teams.deleted',
          targetType: 'team',
          targetId: id,
          details: { name: team.name, members, conversations, tickets },
        });
      });
    },

    /** Team ids that belong to the actor's workspace, for validating assignments elsewhere. */
    async findTeam(workspaceId: string, id: string) {
      return repo.findTeam(db, workspaceId, id);
    },
    async findUser(workspaceId: string, id: string) {
      return repo.findUser(db, workspaceId, id);
    },

    /** A new token of the actor's own, shown once; audited with its name and prefix (`via: 'cli'` from the terminal). */
    async createApiToken(actor: Actor, name: string, via?: 'cli') {
      assertCan(actor, 'tokens:create');
      const token = `${API_TOKEN_PREFIX}${randomToken()}`;
      const id = newId();
      const prefix = token.slice(0, API_TOKEN_PREFIX.length + TOKEN_PREFIX_SHOWN);
      await db.transaction(async (tx) => {
        await repo.insertApiToken(tx, {
          id,
          workspaceId: actor.workspaceId,
          userId: actor.userId,
          name,
          tokenHash: sha256(token),
          tokenPrefix: prefix,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'api_tokens.created',
          targetType: 'api_token',
          targetId: id,
          details: { name, prefix, ...(via ? { via } : {}) },
        });
      });
      return { id, name, token };
    },

    /** The actor's own tokens; with `all`, every member's (needs `users:manage`). Never the secret. */
    async listApiTokens(
      actor: Actor,
      query: ListApiTokensQuery,
    ): Promise<{ items: ApiToken[]; nextCursor: string | null }> {
      if (query.scope === 'all') assertCan(actor, 'users:manage');
      const rows = await repo.listApiTokens(db, actor.workspaceId, {
        userId: query.scope === 'all' ? undefined : actor.userId,
        before: decodeIdCursor(query.cursor),
        limit: query.limit + 1,
      });
      const items = rows.slice(0, query.limit).map((row) => ({
        ...row,
        createdAt: row.createdAt.toISOString(),
        lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      }));
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    /** Revokes one token: one's own, or anyone's in the workspace with `users:manage`. Audited. */
    async revokeApiToken(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const token = await repo.findApiToken(tx, actor.workspaceId, id);
        if (!token) throw new AppError('api_token.not_found', 'API 令牌不存在或已撤销');
        if (token.userId !== actor.userId) assertCan(actor, 'users:manage');
        await repo.deleteApiToken(tx, id);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'api_tokens.revoked',
          targetType: 'api_token',
          targetId: id,
          details: { name: token.name, prefix: token.tokenPrefix, userId: token.userId },
        });
      });
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
