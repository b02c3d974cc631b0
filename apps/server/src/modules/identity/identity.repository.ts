import { and, desc, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm';
import { apiTokens, sessions, teamMembers, teams, users, workspaces } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type UserRow = typeof users.$inferSelect;

export const findUserByEmail = async (db: Executor, email: string) =>
  (await db.select().from(users).where(eq(users.email, email)))[0];

export const findUser = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, id)))
  )[0];

/** The member, locked until the transaction ends: concurrent changes to them are recorded one after the other. */
export const lockUser = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, id)))
      .for('update')
  )[0];

export const listUsers = (db: Executor, workspaceId: string) =>
  db.select().from(users).where(eq(users.workspaceId, workspaceId)).orderBy(users.createdAt);

export const insertUser = async (db: Executor, row: typeof users.$inferInsert) =>
  (await db.insert(users).values(row).returning())[0]!;

export const updateUser = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof users.$inferInsert>,
) =>
  (
    await db
      .update(users)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, id)))
      .returning()
  )[0];

export const recordFailedLogin = (db: Executor, id: string, lockAfter: number, lockMinutes: number) =>
  db
    .update(users)
    .set({
      failedLogins: sql`${users.failedLogins} + 1`,
      lockedUntil: sql`case when ${users.failedLogins} + 1 >= ${lockAfter}
        then now() + make_interval(mins => ${lockMinutes}) else ${users.lockedUntil} end`,
    })
    .where(eq(users.id, id));

export const clearFailedLogins = (db: Executor, id: string) =>
  db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, id));

export const findWorkspace = async (db: Executor, id: string) =>
  (await db.select().from(workspaces).where(eq(workspaces.id, id)))[0];

export const teamIdsByUser = async (db: Executor, workspaceId: string, userIds: string[]) => {
  const map = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return map;
  const rows = await db
    .select({ userId: teamMembers.userId, teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(eq(teamMembers.workspaceId, workspaceId), inArray(teamMembers.userId, userIds)));
  for (const row of rows) map.get(row.userId)?.push(row.teamId);
  return map;
};

export async function setUserTeams(db: Executor, workspaceId: string, userId: string, teamIds: string[]) {
  await db.delete(teamMembers).where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.userId, userId)));
  if (teamIds.length > 0) {
    await db.insert(teamMembers).values(teamIds.map((teamId) => ({ workspaceId, teamId, userId })));
  }
}

export const countTeams = async (db: Executor, workspaceId: string, ids: string[]) =>
  ids.length === 0
    ? 0
    : (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(teams)
          .where(and(eq(teams.workspaceId, workspaceId), inArray(teams.id, ids)))
      )[0]!.n;

export const listTeams = (db: Executor, workspaceId: string) =>
  db.select().from(teams).where(eq(teams.workspaceId, workspaceId)).orderBy(teams.name);

export const findTeam = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(teams)
      .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, id)))
  )[0];

export const insertTeam = async (db: Executor, row: typeof teams.$inferInsert) =>
  (await db.insert(teams).values(row).returning())[0]!;

export const membersByTeam = async (db: Executor, workspaceId: string) => {
  const rows = await db.select().from(teamMembers).where(eq(teamMembers.workspaceId, workspaceId));
  const map = new Map<string, string[]>();
  for (const row of rows) map.set(row.teamId, [...(map.get(row.teamId) ?? []), row.userId]);
  return map;
};

export const insertTeamMembers = (db: Executor, workspaceId: string, teamId: string, userIds: string[]) =>
  userIds.length === 0
    ? Promise.resolve()
    : db.insert(teamMembers).values(userIds.map((userId) => ({ workspaceId, teamId, userId })));

/** The team, locked until the transaction ends (a rename, member change or delete of it waits for this one). */
export const lockTeam = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(teams)
      .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, id)))
      .for('update')
  )[0];

export const findTeamByName = async (db: Executor, workspaceId: string, name: string) =>
  (
    await db
      .select()
      .from(teams)
      .where(and(eq(teams.workspaceId, workspaceId), eq(teams.name, name)))
  )[0];

export const renameTeam = (db: Executor, workspaceId: string, id: string, name: string) =>
  db
    .update(teams)
    .set({ name, updatedAt: new Date() })
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, id)));

export const teamMemberIds = async (db: Executor, workspaceId: string, teamId: string) =>
  (
    await db
      .select({ userId: teamMembers.userId })
      .from(teamMembers)
      .where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.teamId, teamId)))
  ).map((row) => row.userId);

export async function setTeamMembers(db: Executor, workspaceId: string, teamId: string, userIds: string[]) {
  await db.delete(teamMembers).where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.teamId, teamId)));
  await insertTeamMembers(db, workspaceId, teamId, userIds);
}

/** Members of the workspace among `ids`, with what the audit log shows of them. */
export const usersByIds = (db: Executor, workspaceId: string, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .select({ id: users.id, name: users.name, email: users.email })
        .from(users)
        .where(and(eq(users.workspaceId, workspaceId), inArray(users.id, ids)));

export type TeamUses = {
  routingRules: { id: string; name: string }[];
  slaPolicies: { id: string; name: string }[];
  automationRules: { id: string; name: string }[];
  templates: { id: string; title: string }[];
};

/**
 * Settings that would silently change behaviour (or lose content) if the team went away: routing rules sending work
 * to it, SLA policies escalating to it, automation rules naming it in a condition or an action, and its team
 * templates (their foreign key would delete them). Read here, in SQL, because those modules depend on identity
 * and not the other way round.
 */
export async function teamUses(db: Executor, workspaceId: string, teamId: string): Promise<TeamUses> {
  // One after another: the queries share the transaction's connection.
  const named = async <T>(query: ReturnType<typeof sql>) => (await db.execute(query)).rows as T[];
  const routingRules = await named<{ id: string; name: string }>(sql`
    select id, name from routing_rules where workspace_id = ${workspaceId} and team_id = ${teamId}
    order by position, id`);
  const slaPolicies = await named<{ id: string; name: string }>(sql`
    select id, name from sla_policies where workspace_id = ${workspaceId} and escalation->>'teamId' = ${teamId}
    order by position, id`);
  // A team appears in a rule as a condition value or an action's teamId: its id anywhere in either is a use.
  const automationRules = await named<{ id: string; name: string }>(sql`
    select id, name from automation_rules
    where workspace_id = ${workspaceId}
      and (strpos(conditions::text, ${teamId}) > 0 or strpos(actions::text, ${teamId}) > 0)
    order by position, id`);
  const templates = await named<{ id: string; title: string }>(sql`
    select id, title from templates where workspace_id = ${workspaceId} and team_id = ${teamId}
    order by title, id`);
  return { routingRules, slaPolicies, automationRules, templates };
}

export const deleteTeam = (db: Executor, workspaceId: string, id: string) =>
  db.delete(teams).where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, id)));

export const insertSession = (db: Executor, row: typeof sessions.$inferInsert) => db.insert(sessions).values(row);

/** A live session with its (enabled) user. */
export const findSessionByTokenHash = async (db: Executor, tokenHash: string) =>
  (
    await db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, sql`now()`), eq(users.disabled, false)))
  )[0];

export const deleteSession = (db: Executor, tokenHash: string) =>
  db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));

/** Signs the user out everywhere; answers the ids of the sessions that ended. */
export const deleteUserSessions = async (db: Executor, userId: string) =>
  (await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id })).map((row) => row.id);

/**
 * Signs the user out everywhere but the session with `keepTokenHash` (the one changing the password); answers the
 * ids of the sessions that ended.
 */
export const deleteOtherSessions = async (db: Executor, userId: string, keepTokenHash: string) =>
  (
    await db
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepTokenHash)))
      .returning({ id: sessions.id })
  ).map((row) => row.id);

/** A new password also lifts a lockout from failed sign-ins: the old password's failures no longer count. */
export const setPasswordHash = (db: Executor, id: string, passwordHash: string) =>
  db
    .update(users)
    .set({ passwordHash, failedLogins: 0, lockedUntil: null, updatedAt: new Date() })
    .where(eq(users.id, id));

export const insertApiToken = (db: Executor, row: typeof apiTokens.$inferInsert) => db.insert(apiTokens).values(row);

export const findUserByApiTokenHash = async (db: Executor, tokenHash: string) =>
  (
    await db
      .select({ user: users, tokenId: apiTokens.id })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(and(eq(apiTokens.tokenHash, tokenHash), eq(users.disabled, false)))
  )[0];

export const touchApiToken = (db: Executor, id: string) =>
  db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, id));

/** The workspace's tokens (only `userId`'s when given), newest first, with who made them; never the hash. */
/** Newest first, `limit` rows before the id `before` (keyset paging); `userId`: one member's only. */
export const listApiTokens = (
  db: Executor,
  workspaceId: string,
  { userId, before, limit }: { userId?: string; before?: string; limit: number },
) =>
  db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.tokenPrefix,
      userId: apiTokens.userId,
      userName: users.name,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.workspaceId, workspaceId),
        userId ? eq(apiTokens.userId, userId) : undefined,
        before ? lt(apiTokens.id, before) : undefined,
      ),
    )
    .orderBy(desc(apiTokens.id))
    .limit(limit);

export const findApiToken = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.id, id)))
  )[0];

export const deleteApiToken = (db: Executor, id: string) => db.delete(apiTokens).where(eq(apiTokens.id, id));

/** Revokes every token of the user; answers the revoked tokens' names (for the audit entry). */
export const deleteUserApiTokens = async (db: Executor, userId: string) =>
  (await db.delete(apiTokens).where(eq(apiTokens.userId, userId)).returning({ name: apiTokens.name })).map(
    (row) => row.name,
  );
