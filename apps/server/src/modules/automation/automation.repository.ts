import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { automationRules, automationRuns } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';

export type RuleRow = typeof automationRules.$inferSelect;
export type RunRow = typeof automationRuns.$inferSelect;

export const listRules = (db: Executor, workspaceId: string) =>
  db
    .select()
    .from(automationRules)
    .where(eq(automationRules.workspaceId, workspaceId))
    .orderBy(asc(automationRules.position), asc(automationRules.id));

export const findRule = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .select()
      .from(automationRules)
      .where(and(eq(automationRules.workspaceId, workspaceId), eq(automationRules.id, id)))
  )[0];

/** The workspace's enabled rules of one trigger type, in order (index automation_rules_trigger_idx). */
export const enabledRules = (db: Executor, workspaceId: string) =>
  db
    .select()
    .from(automationRules)
    .where(and(eq(automationRules.workspaceId, workspaceId), eq(automationRules.enabled, true)))
    .orderBy(asc(automationRules.position), asc(automationRules.id));

/** Enabled rules of a trigger type in every workspace (timer sweeps). */
export const enabledRulesOfType = (db: Executor, triggerType: string) =>
  db
    .select()
    .from(automationRules)
    .where(and(eq(automationRules.triggerType, triggerType), eq(automationRules.enabled, true)))
    .orderBy(asc(automationRules.workspaceId), asc(automationRules.position));

export const insertRule = async (db: Executor, row: typeof automationRules.$inferInsert) =>
  (await db.insert(automationRules).values(row).returning())[0]!;

export const updateRule = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof automationRules.$inferInsert>,
) =>
  (
    await db
      .update(automationRules)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(automationRules.workspaceId, workspaceId), eq(automationRules.id, id)))
      .returning()
  )[0];

export const deleteRule = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .delete(automationRules)
      .where(and(eq(automationRules.workspaceId, workspaceId), eq(automationRules.id, id)))
      .returning({ id: automationRules.id })
  ).length > 0;

export const nextPosition = async (db: Executor, workspaceId: string) =>
  (
    await db.execute<{ next: number }>(
      sql`select coalesce(max(position) + 1, 0)::int as next from automation_rules where workspace_id = ${workspaceId}`,
    )
  ).rows[0]!.next;

/** Claims a trigger for a rule: answers the new run's id, or undefined when this trigger already ran. */
export const claimRun = async (db: Executor, row: typeof automationRuns.$inferInsert) =>
  (
    await db
      .insert(automationRuns)
      .values(row)
      .onConflictDoNothing({ target: [automationRuns.ruleId, automationRuns.triggerKey] })
      .returning({ id: automationRuns.id })
  )[0]?.id;

export const finishRun = (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: { status: RunRow['status']; reason: string | null; actionsResult: Record<string, unknown>[] },
) =>
  db
    .update(automationRuns)
    .set(patch)
    .where(and(eq(automationRuns.workspaceId, workspaceId), eq(automationRuns.id, id)));

/**
 * The hourly 「条件未满足」 entry of a rule (status skipped, trigger key `nomatch:<hour>`): created, or its count
 * increased and its example replaced by the latest event.
 */
export const recordNotMatched = (
  db: Executor,
  row: {
    id: string;
    workspaceId: string;
    ruleId: string;
    hourKey: string;
    count: number;
    reason: string;
    context: Record<string, unknown>;
  },
) =>
  db.execute(
    sql`insert into automation_runs (id, workspace_id, rule_id, trigger_key, status, reason, context)
        values (${row.id}, ${row.workspaceId}, ${row.ruleId}, ${row.hourKey}, 'skipped', ${row.reason},
          ${JSON.stringify({ ...row.context, notMatched: row.count })}::jsonb)
        on conflict (rule_id, trigger_key) do update set reason = excluded.reason,
          context = excluded.context || jsonb_build_object('notMatched',
            coalesce((automation_runs.context ->> 'notMatched')::int, 0) + ${row.count})`,
  );

/** Counts a finished run on its rule (failures separately). */
export const countRun = (db: Executor, workspaceId: string, ruleId: string, failed: boolean) =>
  db
    .update(automationRules)
    .set({
      lastRunAt: new Date(),
      runCount: sql`${automationRules.runCount} + 1`,
      failureCount: failed ? sql`${automationRules.failureCount} + 1` : automationRules.failureCount,
    })
    .where(and(eq(automationRules.workspaceId, workspaceId), eq(automationRules.id, ruleId)));

/** Runs (not skipped) on one conversation since a moment: the per-conversation rate cap. */
export const recentRunsOnConversation = async (
  db: Executor,
  workspaceId: string,
  conversationId: string,
  since: Date,
) =>
  (
    await db.execute<{ count: number }>(
      sql`select count(*)::int as count from automation_runs
          where workspace_id = ${workspaceId} and conversation_id = ${conversationId}
            and created_at >= ${since.toISOString()} and status <> 'skipped'`,
    )
  ).rows[0]!.count;

export const listRuns = (
  db: Executor,
  workspaceId: string,
  filter: { ruleId?: string; status?: RunRow['status']; before?: string },
  limit: number,
) =>
  db
    .select({ run: automationRuns, ruleName: automationRules.name })
    .from(automationRuns)
    .leftJoin(automationRules, eq(automationRules.id, automationRuns.ruleId))
    .where(
      and(
        eq(automationRuns.workspaceId, workspaceId),
        filter.ruleId ? eq(automationRuns.ruleId, filter.ruleId) : undefined,
        filter.status ? eq(automationRuns.status, filter.status) : undefined,
        filter.before ? lt(automationRuns.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(automationRuns.id))
    .limit(limit);

// References (broken-rule detection) -----------------------------------------------------------------------

/** Which of these ids exist in the workspace, per kind of reference. */
export async function existingReferences(
  db: Executor,
  workspaceId: string,
  refs: {
    tags: string[];
    templates: string[];
    users: string[];
    teams: string[];
    segments: string[];
    inboxes: string[];
  },
) {
  const probe = async (table: string, ids: string[], extra = '') => {
    if (ids.length === 0) return new Set<string>();
    const result = await db.execute<{ id: string }>(
      sql`select id from ${sql.identifier(table)} where workspace_id = ${workspaceId} and id = any(${`{${ids.join(',')}}`}::uuid[]) ${sql.raw(extra)}`,
    );
    return new Set(result.rows.map((row) => row.id));
  };
  const [tags, templates, users, teams, segments, inboxes] = await Promise.all([
    probe('tags', refs.tags),
    probe('templates', refs.templates),
    probe('users', refs.users, 'and not disabled'),
    probe('teams', refs.teams),
    probe('segments', refs.segments),
    probe('inboxes', refs.inboxes),
  ]);
  return { tags, templates, users, teams, segments, inboxes };
}

export const findSegment = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db.execute<{ id: string; name: string; filter: unknown }>(
      sql`select id, name, filter from segments where workspace_id = ${workspaceId} and id = ${id}`,
    )
  ).rows[0];
