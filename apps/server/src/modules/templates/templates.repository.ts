import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { files, segments, teamMembers, teams, templates, templateUsages } from '../../db/schema.ts';
import { containsPattern, type Executor } from '../../platform/db-helpers.ts';

export type TemplateRow = typeof templates.$inferSelect & { teamName: string | null; usageCount: number };

/** Who is looking: personal templates are their own, team ones of their teams (all teams for leads). */
export type Viewer = { workspaceId: string; userId: string; seesAllTeams: boolean };

const visibleTo = (viewer: Viewer): SQL => sql`(
  ${templates.scope} = 'workspace'
  or (${templates.scope} = 'personal' and ${templates.ownerUserId} = ${viewer.userId})
  or (${templates.scope} = 'team' and ${
    viewer.seesAllTeams
      ? sql`true`
      : sql`exists (select 1 from ${teamMembers} tm where tm.workspace_id = ${viewer.workspaceId}
          and tm.team_id = ${templates.teamId} and tm.user_id = ${viewer.userId})`
  }))`;

const usageCount = sql<number>`coalesce((select sum(u.count)::int from ${templateUsages} u
  where u.workspace_id = ${templates.workspaceId} and u.template_id = ${templates.id}), 0)`;

const columns = {
  id: templates.id,
  workspaceId: templates.workspaceId,
  scope: templates.scope,
  ownerUserId: templates.ownerUserId,
  teamId: templates.teamId,
  category: templates.category,
  title: templates.title,
  content: templates.content,
  segmentIds: templates.segmentIds,
  attachments: templates.attachments,
  searchText: templates.searchText,
  searchKeys: templates.searchKeys,
  createdBy: templates.createdBy,
  createdAt: templates.createdAt,
  updatedAt: templates.updatedAt,
  teamName: teams.name,
  usageCount: usageCount.mapWith(Number),
};

export type ListFilter = {
  q?: string;
  category?: string;
  scope?: 'personal' | 'team' | 'workspace';
  /** Segments the conversation's customer is in: templates of these come first. */
  preferredSegmentIds?: string[];
};

export function listTemplates(db: Executor, viewer: Viewer, filter: ListFilter, offset: number, limit: number) {
  const conditions: SQL[] = [eq(templates.workspaceId, viewer.workspaceId), visibleTo(viewer)];
  if (filter.q) conditions.push(sql`${templates.searchText} like ${containsPattern(filter.q)}`);
  if (filter.category) conditions.push(eq(templates.category, filter.category));
  if (filter.scope) conditions.push(eq(templates.scope, filter.scope));
  const preferred = filter.preferredSegmentIds ?? [];
  const first = preferred.length > 0 ? sql`(${templates.segmentIds} && ${sql.param(preferred)}::uuid[]) desc,` : sql``;
  return db
    .select(columns)
    .from(templates)
    .leftJoin(teams, eq(teams.id, templates.teamId))
    .where(and(...conditions))
    .orderBy(sql`${first} ${templates.category}, ${templates.title}, ${templates.id}`)
    .offset(offset)
    .limit(limit);
}

export async function findTemplate(db: Executor, workspaceId: string, id: string): Promise<TemplateRow | undefined> {
  return (
    await db
      .select(columns)
      .from(templates)
      .leftJoin(teams, eq(teams.id, templates.teamId))
      .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)))
  )[0];
}

/** The template if the viewer may see it. */
export async function findVisibleTemplate(db: Executor, viewer: Viewer, id: string) {
  return (
    await db
      .select(columns)
      .from(templates)
      .leftJoin(teams, eq(teams.id, templates.teamId))
      .where(and(eq(templates.workspaceId, viewer.workspaceId), eq(templates.id, id), visibleTo(viewer)))
  )[0];
}

export async function listCategories(db: Executor, viewer: Viewer) {
  return db
    .select({ name: templates.category, count: sql<number>`count(*)::int` })
    .from(templates)
    .where(and(eq(templates.workspaceId, viewer.workspaceId), visibleTo(viewer)))
    .groupBy(templates.category)
    .orderBy(templates.category);
}

export const insertTemplate = async (db: Executor, row: typeof templates.$inferInsert) =>
  (await db.insert(templates).values(row).returning({ id: templates.id }))[0]!;

export const updateTemplate = (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof templates.$inferInsert>,
) =>
  db
    .update(templates)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)));

export const deleteTemplate = (db: Executor, workspaceId: string, id: string) =>
  db.delete(templates).where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)));

export async function existingSegmentIds(db: Executor, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .select({ id: segments.id })
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), inArray(segments.id, ids)));
  return new Set(rows.map((row) => row.id));
}

export async function existingFileIds(db: Executor, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .select({ id: files.id })
    .from(files)
    // Only kept files (uploaded through POST /api/v1/attachments): working files are pruned after 7 days.
    .where(and(eq(files.workspaceId, workspaceId), inArray(files.id, ids), eq(files.purpose, 'attachment')));
  return new Set(rows.map((row) => row.id));
}

export async function teamExists(db: Executor, workspaceId: string, teamId: string) {
  const rows = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, teamId)));
  return rows.length > 0;
}

/** All segment ids referenced by the viewer's visible templates (to test the customer's membership once). */
export async function referencedSegmentIds(db: Executor, viewer: Viewer): Promise<string[]> {
  const result = await db.execute<{ id: string }>(sql`
    select distinct unnest(${templates.segmentIds}) as id from ${templates}
    where ${templates.workspaceId} = ${viewer.workspaceId} and ${visibleTo(viewer)}`);
  return result.rows.map((row) => row.id);
}

/** Counts one use of a template by a user today (in the workspace's time zone). */
export async function countUsage(db: Executor, workspaceId: string, templateId: string, userId: string) {
  await db.execute(sql`
    insert into template_usages (workspace_id, template_id, user_id, day, count)
    select ${workspaceId}, ${templateId}, ${userId}, (now() at time zone w.timezone)::date, 1
    from workspaces w where w.id = ${workspaceId}
    on conflict (workspace_id, template_id, user_id, day) do update set count = template_usages.count + 1`);
}

export async function usageRows(db: Executor, workspaceId: string, from: string, to: string) {
  const result = await db.execute<{
    template_id: string;
    user_id: string;
    count: number;
    title: string;
    category: string;
    user_name: string;
  }>(sql`
    select u.template_id, u.user_id, sum(u.count)::int as count, t.title, t.category, us.name as user_name
    from template_usages u
    join templates t on t.id = u.template_id and t.workspace_id = u.workspace_id
    join users us on us.id = u.user_id and us.workspace_id = u.workspace_id
    where u.workspace_id = ${workspaceId} and u.day between ${from}::date and ${to}::date
    group by u.template_id, u.user_id, t.title, t.category, us.name
    order by count desc`);
  return result.rows;
}

export async function workspaceToday(db: Executor, workspaceId: string): Promise<string> {
  const result = await db.execute<{ day: string }>(
    sql`select to_char((now() at time zone timezone)::date, 'YYYY-MM-DD') as day from workspaces where id = ${workspaceId}`,
  );
  return result.rows[0]!.day;
}

/** Everything a template's variables may need, for one conversation. */
export async function renderContext(db: Executor, workspaceId: string, conversationId: string) {
  const result = await db.execute<{
    customer_id: string;
    customer_name: string | null;
    customer_nickname: string | null;
    customer_phone: string | null;
    rfm_tier: string | null;
    inbox_name: string;
    workspace_name: string;
    order_no: string | null;
    order_status: string | null;
    tracking_company: string | null;
    tracking_no: string | null;
    amount_fen: string | number | null;
  }>(sql`
    select c.customer_id, cu.name as customer_name, cu.nickname as customer_nickname, cu.phone as customer_phone,
      cu.rfm_tier, i.name as inbox_name, w.name as workspace_name,
      o.order_no, o.status as order_status, o.tracking_company, o.tracking_no, o.amount_fen
    from conversations c
    join customers cu on cu.id = c.customer_id and cu.workspace_id = c.workspace_id
    join inboxes i on i.id = c.inbox_id and i.workspace_id = c.workspace_id
    join workspaces w on w.id = c.workspace_id
    left join lateral (
      select order_no, status, tracking_company, tracking_no, amount_fen from orders
      where orders.workspace_id = c.workspace_id and orders.customer_id = c.customer_id
      order by placed_at desc, id desc limit 1
    ) o on true
    where c.workspace_id = ${workspaceId} and c.id = ${conversationId}`);
  return result.rows[0];
}

export async function userName(db: Executor, workspaceId: string, userId: string) {
  const result = await db.execute<{ name: string }>(
    sql`select name from users where workspace_id = ${workspaceId} and id = ${userId}`,
  );
  return result.rows[0]?.name ?? null;
}
