import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { inboxes, keywordReplies, keywordReplyHits, templates } from '../../db/schema.ts';
import { type Executor, noWalFlush } from '../../platform/db-helpers.ts';

/** A rule with its template's title (null when it has none, or when the template is gone: see templateMissing). */
export type KeywordReplyRow = typeof keywordReplies.$inferSelect & {
  templateTitle: string | null;
  templateMissing: boolean;
};

const columns = {
  id: keywordReplies.id,
  workspaceId: keywordReplies.workspaceId,
  name: keywordReplies.name,
  keywords: keywordReplies.keywords,
  normalizedKeywords: keywordReplies.normalizedKeywords,
  matchMode: keywordReplies.matchMode,
  templateId: keywordReplies.templateId,
  replyText: keywordReplies.replyText,
  inboxIds: keywordReplies.inboxIds,
  hours: keywordReplies.hours,
  frequency: keywordReplies.frequency,
  cooldownMinutes: keywordReplies.cooldownMinutes,
  priority: keywordReplies.priority,
  stopOtherRules: keywordReplies.stopOtherRules,
  enabled: keywordReplies.enabled,
  hitCount: keywordReplies.hitCount,
  lastHitAt: keywordReplies.lastHitAt,
  createdBy: keywordReplies.createdBy,
  createdAt: keywordReplies.createdAt,
  updatedAt: keywordReplies.updatedAt,
  templateTitle: templates.title,
  templateMissing: sql<boolean>`(${keywordReplies.templateId} is not null and ${templates.id} is null)`,
};

const withTemplate = (db: Executor) =>
  db
    .select(columns)
    .from(keywordReplies)
    .leftJoin(
      templates,
      and(eq(templates.workspaceId, keywordReplies.workspaceId), eq(templates.id, keywordReplies.templateId)),
    );

/** Every rule of the workspace in evaluation order (priority, then age). */
export const listRules = (db: Executor, workspaceId: string): Promise<KeywordReplyRow[]> =>
  withTemplate(db)
    .where(eq(keywordReplies.workspaceId, workspaceId))
    .orderBy(asc(keywordReplies.priority), asc(keywordReplies.id));

export const findRule = async (db: Executor, workspaceId: string, id: string): Promise<KeywordReplyRow | undefined> =>
  (await withTemplate(db).where(and(eq(keywordReplies.workspaceId, workspaceId), eq(keywordReplies.id, id))))[0];

export const insertRule = async (db: Executor, row: typeof keywordReplies.$inferInsert) =>
  (await db.insert(keywordReplies).values(row).returning({ id: keywordReplies.id }))[0]!;

export const updateRule = async (
  db: Executor,
  workspaceId: string,
  id: string,
  patch: Partial<typeof keywordReplies.$inferInsert>,
) =>
  (
    await db
      .update(keywordReplies)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(keywordReplies.workspaceId, workspaceId), eq(keywordReplies.id, id)))
      .returning({ id: keywordReplies.id })
  )[0];

export const deleteRule = async (db: Executor, workspaceId: string, id: string) =>
  (
    await db
      .delete(keywordReplies)
      .where(and(eq(keywordReplies.workspaceId, workspaceId), eq(keywordReplies.id, id)))
      .returning({ id: keywordReplies.id, name: keywordReplies.name })
  )[0];

export const nextPriority = async (db: Executor, workspaceId: string): Promise<number> => {
  const result = await db.execute<{ next: number }>(
    sql`select coalesce(max(priority), 0) + 10 as next from ${keywordReplies} where workspace_id = ${workspaceId}`,
  );
  return Number(result.rows[0]?.next ?? 10);
};

/** Rule ids of the workspace among `ids`. */
export const existingRuleIds = async (db: Executor, workspaceId: string, ids: string[]) =>
  new Set(
    (
      await db
        .select({ id: keywordReplies.id })
        .from(keywordReplies)
        .where(and(eq(keywordReplies.workspaceId, workspaceId), inArray(keywordReplies.id, ids)))
    ).map((row) => row.id),
  );

/** Priorities 10, 20, … in the order given. */
export async function setPriorities(db: Executor, workspaceId: string, ids: string[]) {
  await db.execute(sql`
    update ${keywordReplies} k set priority = o.position * 10, updated_at = now()
    from unnest(${sql.param(ids)}::uuid[]) with ordinality as o(id, position)
    where k.workspace_id = ${workspaceId} and k.id = o.id`);
}

export const existingInboxIds = async (db: Executor, workspaceId: string, ids: string[]) =>
  ids.length === 0
    ? new Set<string>()
    : new Set(
        (
          await db
            .select({ id: inboxes.id })
            .from(inboxes)
            .where(and(eq(inboxes.workspaceId, workspaceId), inArray(inboxes.id, ids)))
        ).map((row) => row.id),
      );

/** id → name of the workspace's inboxes among `ids` (for the audit log). */
export const inboxNames = async (db: Executor, workspaceId: string, ids: string[]) =>
  new Map(
    ids.length === 0
      ? []
      : (
          await db
            .select({ id: inboxes.id, name: inboxes.name })
            .from(inboxes)
            .where(and(eq(inboxes.workspaceId, workspaceId), inArray(inboxes.id, ids)))
        ).map((row) => [row.id, row.name] as const),
  );

export type RuleHistory = { ruleId: string; lastAt: Date; thisMessage: boolean };

/** Per rule: its latest hit in the conversation, and whether it already fired for this very message. */
export async function ruleHistory(
  db: Executor,
  workspaceId: string,
  conversationId: string,
  ruleIds: string[],
  messageId: string | null,
): Promise<Map<string, RuleHistory>> {
  if (ruleIds.length === 0) return new Map();
  const result = await db.execute<{ rule_id: string; last_at: string; this_message: boolean }>(sql`
    select rule_id, max(created_at) as last_at, coalesce(bool_or(message_id = ${messageId}::uuid), false) as this_message
    from ${keywordReplyHits}
    where workspace_id = ${workspaceId} and conversation_id = ${conversationId}
      and rule_id = any(${sql.param(ruleIds)}::uuid[])
    group by rule_id`);
  return new Map(
    result.rows.map((row) => [
      row.rule_id,
      { ruleId: row.rule_id, lastAt: new Date(row.last_at), thisMessage: row.this_message },
    ]),
  );
}

type Hit = {
  workspaceId: string;
  ruleId: string;
  conversationId: string;
  messageId: string;
  frequency: 'every_time' | 'once_per_conversation' | 'cooldown';
  cooldownMinutes: number | null;
  at: Date;
};

/**
 * The hit of an every-time rule does not wait for its commit to reach disk: the reply it allows carries its own
 * idempotency key, so a hit lost in a crash can never make the reply go twice (it would only be counted again).
 */
const recordHit = async (db: Executor, hit: Hit) =>
  (
    await db.execute(sql`
      insert into ${keywordReplyHits} (workspace_id, rule_id, conversation_id, message_id, created_at)
      select ${hit.workspaceId}, ${hit.ruleId}, ${hit.conversationId}, ${hit.messageId}, ${hit.at.toISOString()}
      ${hit.frequency === 'every_time' ? sql`from ${noWalFlush} as durability` : sql``}
      on conflict do nothing
      returning rule_id`)
  ).rows.length > 0;

/** Takes back a claimed hit whose reply could not be sent, so it neither counts nor holds back a later message. */
export async function releaseHit(db: Executor, hit: Pick<Hit, 'workspaceId' | 'ruleId' | 'messageId'>) {
  await db.execute(sql`
    delete from ${keywordReplyHits}
    where workspace_id = ${hit.workspaceId} and rule_id = ${hit.ruleId} and message_id = ${hit.messageId}`);
}

/**
 * Claims a rule's reply to a message: `claimed` (hit recorded, send the reply and count it), `replayed` (this message
 * already has its hit: send again, idempotently, in case the first send was lost), or `blocked` (the frequency says
 * no). The hit row is unique per rule and message, so a replay counts once. A once-per-conversation or cooldown
 * rule claims under a lock per rule and conversation, so two messages arriving together cannot both pass its check;
 * an every-time rule has nothing to check and claims in one statement.
 */
export async function claimHit(db: Executor, hit: Hit): Promise<'claimed' | 'replayed' | 'blocked'> {
  if (hit.frequency === 'every_time') return (await recordHit(db, hit)) ? 'claimed' : 'replayed';
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`kw:${hit.ruleId}:${hit.conversationId}`}, 0))`,
    );
    const past = await tx.execute<{ this_message: boolean; last_other: string | null }>(sql`
      select coalesce(bool_or(message_id = ${hit.messageId}::uuid), false) as this_message,
             max(created_at) filter (where message_id <> ${hit.messageId}::uuid) as last_other
      from ${keywordReplyHits}
      where workspace_id = ${hit.workspaceId} and conversation_id = ${hit.conversationId} and rule_id = ${hit.ruleId}`);
    const row = past.rows[0];
    if (row?.this_message) return 'replayed';
    const lastOther = row?.last_other ? new Date(row.last_other) : null;
    if (lastOther && hit.frequency === 'once_per_conversation') return 'blocked';
    if (
      lastOther &&
      hit.frequency === 'cooldown' &&
      hit.at.getTime() - lastOther.getTime() < (hit.cooldownMinutes ?? 0) * 60_000
    ) {
      return 'blocked';
    }
    return (await recordHit(tx, hit)) ? 'claimed' : 'replayed';
  });
}

/** Adds claimed hits to their rules' counters: one statement for a batch, however many hits each rule got. */
export async function countHits(db: Executor, hits: { workspaceId: string; ruleId: string }[]) {
  const perRule = new Map<string, { workspaceId: string; ruleId: string; hits: number }>();
  for (const hit of hits) {
    const entry = perRule.get(hit.ruleId) ?? { ...hit, hits: 0 };
    entry.hits += 1;
    perRule.set(hit.ruleId, entry);
  }
  const rows = [...perRule.values()];
  await db.execute(sql`
    update ${keywordReplies} r set hit_count = r.hit_count + c.hits, last_hit_at = now()
    from unnest(${`{${rows.map((row) => row.workspaceId).join(',')}}`}::uuid[],
                ${`{${rows.map((row) => row.ruleId).join(',')}}`}::uuid[],
                ${`{${rows.map((row) => row.hits).join(',')}}`}::int[]) as c(workspace_id, rule_id, hits)
    where r.workspace_id = c.workspace_id and r.id = c.rule_id`);
}

export const findConversationInbox = async (db: Executor, workspaceId: string, conversationId: string) => {
  const result = await db.execute<{ inbox_id: string }>(
    sql`select inbox_id from conversations where workspace_id = ${workspaceId} and id = ${conversationId}`,
  );
  return result.rows[0]?.inbox_id;
};

/** Workspace-wide templates by title (the demo seed points its rules at the demo templates). */
export const workspaceTemplateIdsByTitle = async (db: Executor, workspaceId: string, titles: string[]) =>
  new Map(
    (
      await db
        .select({ id: templates.id, title: templates.title })
        .from(templates)
        .where(
          and(
            eq(templates.workspaceId, workspaceId),
            eq(templates.scope, 'workspace'),
            inArray(templates.title, titles),
          ),
        )
    ).map((row) => [row.title, row.id]),
  );
