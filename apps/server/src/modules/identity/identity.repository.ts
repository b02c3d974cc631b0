import { and, eq, gt, inArray, sql } from 'drizzle-orm';
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

export const deleteUserSessions = (db: Executor, userId: string) =>
  db.delete(sessions).where(eq(sessions.userId, userId));

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
