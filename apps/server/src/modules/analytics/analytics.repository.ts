import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { type Executor, NO_WAL_FLUSH_SQL } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';

/** Histogram resolution: 8 buckets per doubling of seconds, 200 buckets (up to ~1 year). */
export const BUCKETS_PER_DOUBLING = 8;
export const BUCKET_COUNT = 200;
const NIL = '00000000-0000-0000-0000-000000000000';

export type ReportingFact = {
  workspaceId: string;
  occurredAt: Date;
  kind: string;
  factKey: string;
  conversationId?: string | null;
  ticketId?: string | null;
  inboxId?: string | null;
  teamId?: string | null;
  agentId?: string | null;
  customerId?: string | null;
  dim?: string;
  value?: number | null;
  businessValue?: number | null;
  extra?: Record<string, unknown>;
};

const INSERT_FACTS = `
  insert into reporting_events (id, workspace_id, occurred_at, kind, fact_key, conversation_id, ticket_id, inbox_id,
    team_id, agent_id, customer_id, dim, value, business_value, extra)
  select f.* from jsonb_to_recordset($1::jsonb) as f(id uuid, workspace_id uuid,
    occurred_at timestamptz, kind text, fact_key text, conversation_id uuid, ticket_id uuid, inbox_id uuid,
    team_id uuid, agent_id uuid, customer_id uuid, dim text, value double precision,
    business_value double precision, extra jsonb)
  cross join ${NO_WAL_FLUSH_SQL} as durability
  on conflict (workspace_id, kind, fact_key) do nothing
  returning id`;

/**
 * Stores facts in one statement, each once (per workspace, kind and fact key): true for each fact that is new.
 * Of two equal keys in one call only the first is stored. Call it outside a transaction: its commit does not wait
 * for the WAL flush (facts come from durable events replayed at start, where their keys make a second write a
 * no-op), so its flushes do not queue with the customers' own messages. Named: planned once per connection
 * (docs/ARCHITECTURE.md, group commit).
 */
export async function insertFacts(db: Db, facts: ReportingFact[]): Promise<boolean[]> {
  const rows = facts.map((fact) => ({
    id: newId(),
    workspace_id: fact.workspaceId,
    occurred_at: fact.occurredAt.toISOString(),
    kind: fact.kind,
    fact_key: fact.factKey,
    conversation_id: fact.conversationId ?? null,
    ticket_id: fact.ticketId ?? null,
    inbox_id: fact.inboxId ?? null,
    team_id: fact.teamId ?? null,
    agent_id: fact.agentId ?? null,
    customer_id: fact.customerId ?? null,
    dim: fact.dim ?? '',
    value: fact.value ?? null,
    business_value: fact.businessValue ?? null,
    extra: fact.extra ?? {},
  }));
  const result = await db.$client.query<{ id: string }>({
    name: 'insert_reporting_facts',
    text: INSERT_FACTS,
    values: [JSON.stringify(rows)],
  });
  const inserted = new Set(result.rows.map((row) => row.id));
  return rows.map((row) => inserted.has(row.id));
}

export type FactRow = {
  occurred_at: string;
  inbox_id: string | null;
  team_id: string | null;
  agent_id: string | null;
  customer_id: string | null;
  dim: string;
};

export async function findFact(executor: Executor, workspaceId: string, kind: string, factKey: string) {
  const result = await executor.execute<FactRow>(sql`
    select occurred_at, inbox_id, team_id, agent_id, customer_id, dim from reporting_events
    where workspace_id = ${workspaceId} and kind = ${kind} and fact_key = ${factKey}`);
  return result.rows[0] ?? null;
}

export async function countConversationFacts(
  executor: Executor,
  workspaceId: string,
  conversationId: string,
  kind: string,
): Promise<number> {
  const result = await executor.execute<{ n: number }>(sql`
    select count(*)::int as n from reporting_events
    where workspace_id = ${workspaceId} and conversation_id = ${conversationId} and kind = ${kind}`);
  return result.rows[0]?.n ?? 0;
}

/** The customer's first resolutions in the 7 days before `at` (their first contact was not the last one). */
export async function recentFirstResolutions(executor: Executor, workspaceId: string, customerId: string, at: Date) {
  const result = await executor.execute<{ conversation_id: string }>(sql`
    select conversation_id from reporting_events
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and kind = 'conversation_resolved'
      and dim = 'first' and occurred_at >= ${new Date(at.getTime() - 7 * 86_400_000).toISOString()}
      and occurred_at <= ${at.toISOString()}`);
  return result.rows.map((row) => row.conversation_id);
}

export async function hasRecentConversation(
  executor: Executor,
  workspaceId: string,
  customerId: string,
  conversationId: string,
  at: Date,
) {
  const result = await executor.execute(sql`
    select 1 from reporting_events
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and kind = 'conversation_created'
      and conversation_id <> ${conversationId}
      and occurred_at >= ${new Date(at.getTime() - 7 * 86_400_000).toISOString()} and occurred_at < ${at.toISOString()}
    limit 1`);
  return result.rows.length > 0;
}

/** Where a reply stands in its conversation: the first inbound message, the start of the wait it answers, earlier replies. */
export async function replyContext(
  executor: Executor,
  workspaceId: string,
  conversationId: string,
  messageId: string,
  at: Date,
) {
  const t = at.toISOString();
  const result = await executor.execute<{
    first_inbound: string | null;
    wait_start: string | null;
    earlier: number;
  }>(sql`
    select
      (select min(created_at) from messages where workspace_id = ${workspaceId} and conversation_id = ${conversationId}
         and sender_kind = 'customer') as first_inbound,
      (select count(*)::int from messages where workspace_id = ${workspaceId} and conversation_id = ${conversationId}
         and sender_kind = 'agent' and not private and id <> ${messageId} and created_at <= ${t}) as earlier,
      (select min(created_at) from messages where workspace_id = ${workspaceId} and conversation_id = ${conversationId}
         and sender_kind = 'customer' and created_at <= ${t}
         and created_at > coalesce((select max(created_at) from messages where workspace_id = ${workspaceId}
           and conversation_id = ${conversationId} and sender_kind = 'agent' and not private and id <> ${messageId}
           and created_at <= ${t}), '-infinity'::timestamptz)) as wait_start`);
  return result.rows[0]!;
}

export async function findConversationRow(executor: Executor, workspaceId: string, conversationId: string) {
  const result = await executor.execute<{
    inbox_id: string;
    team_id: string | null;
    assignee_id: string | null;
    customer_id: string;
  }>(sql`select inbox_id, team_id, assignee_id, customer_id from conversations
         where workspace_id = ${workspaceId} and id = ${conversationId}`);
  return result.rows[0] ?? null;
}

export async function allWorkspaces(executor: Executor) {
  const result = await executor.execute<{ id: string; timezone: string }>(sql`select id, timezone from workspaces`);
  return result.rows;
}

/**
 * Gives facts without an agent or team the first ones the conversation or ticket got (a set one stays): the days of
 * the facts changed.
 */
export async function attributeFacts(
  executor: Executor,
  workspaceId: string,
  kinds: readonly string[],
  factKey: string,
  agentId: string | null,
  teamId: string | null,
): Promise<Date[]> {
  const result = await executor.execute<{ occurred_at: string }>(sql`
    update reporting_events set agent_id = coalesce(agent_id, ${agentId}::uuid), team_id = coalesce(team_id, ${teamId}::uuid)
    where workspace_id = ${workspaceId} and kind in ${sql`(${sql.join(
      kinds.map((kind) => sql`${kind}`),
      sql`, `,
    )})`} and fact_key = ${factKey}
      and ((agent_id is null and ${agentId}::uuid is not null) or (team_id is null and ${teamId}::uuid is not null))
    returning occurred_at`);
  return result.rows.map((row) => new Date(row.occurred_at));
}

/** A fact landed on a past day after its rollup: the day reads raw events until it is rolled up again. */
/** Deletes a ticket's facts of these kinds dated from `since` on (the time index bounds the scan). */
export async function deleteTicketFacts(
  executor: Executor,
  workspaceId: string,
  ticketId: string,
  since: Date,
  kinds: string[],
): Promise<Date[]> {
  const { rows } = await executor.execute<{ occurred_at: string }>(sql`
    delete from reporting_events
    where workspace_id = ${workspaceId} and occurred_at >= ${since.toISOString()}::timestamptz
      and ticket_id = ${ticketId} and kind in ${kindList(kinds)}
    returning occurred_at`);
  return rows.map((row) => new Date(row.occurred_at));
}

export async function markDayStale(executor: Executor, workspaceId: string, occurredAt: Date) {
  const day = sql`(${occurredAt.toISOString()}::timestamptz at time zone
    (select timezone from workspaces where id = ${workspaceId}))::date`;
  await executor.execute(sql`delete from reporting_rollup_days where workspace_id = ${workspaceId} and day = ${day}`);
  await executor.execute(
    sql`delete from reporting_rollup_months where workspace_id = ${workspaceId} and month = date_trunc('month', ${day})::date`,
  );
}

const bucketOf = (column: SQL) =>
  sql`least(${BUCKET_COUNT - 1}, greatest(0, floor(${BUCKETS_PER_DOUBLING} * ln(${column} + 1) / ln(2))))::smallint`;

/**
 * Raw events of a time window aggregated to rollup rows (the same shape as reporting_daily_rollups): used by the
 * rollup job and by the dashboard for days without rollups (today).
 */
export function rawDailyRows(workspaceId: string, timezone: string, where: SQL): SQL {
  return sql`(
    with ev as (
      select (occurred_at at time zone ${timezone})::date as day, coalesce(inbox_id, ${NIL}::uuid) as inbox_id,
        coalesce(team_id, ${NIL}::uuid) as team_id, coalesce(agent_id, ${NIL}::uuid) as agent_id, kind, dim,
        value, business_value,
        case when value is not null then ${bucketOf(sql`greatest(value, 0)`)} end as b,
        case when business_value is not null then ${bucketOf(sql`greatest(business_value, 0)`)} end as bb
      from reporting_events where workspace_id = ${workspaceId} and ${where}
    ),
    g as (
      select day, inbox_id, team_id, agent_id, kind, dim, count(*)::int as count,
        coalesce(sum(value), 0) as sum, coalesce(sum(business_value), 0) as business_sum
      from ev group by day, inbox_id, team_id, agent_id, kind, dim
    ),
    h as (
      select day, inbox_id, team_id, agent_id, kind, dim, array_agg(b order by b) as hb, array_agg(n order by b) as hn
      from (select day, inbox_id, team_id, agent_id, kind, dim, b, count(*)::int as n from ev where b is not null
            group by day, inbox_id, team_id, agent_id, kind, dim, b) x
      group by day, inbox_id, team_id, agent_id, kind, dim
    ),
    bh as (
      select day, inbox_id, team_id, agent_id, kind, dim, array_agg(bb order by bb) as hb, array_agg(n order by bb) as hn
      from (select day, inbox_id, team_id, agent_id, kind, dim, bb, count(*)::int as n from ev where bb is not null
            group by day, inbox_id, team_id, agent_id, kind, dim, bb) x
      group by day, inbox_id, team_id, agent_id, kind, dim
    )
    select g.day, nullif(g.inbox_id, ${NIL}::uuid) as inbox_id, nullif(g.team_id, ${NIL}::uuid) as team_id,
      nullif(g.agent_id, ${NIL}::uuid) as agent_id, g.kind, g.dim, g.count, g.sum, g.business_sum,
      coalesce(h.hb, '{}') as hist_buckets, coalesce(h.hn, '{}') as hist_counts,
      coalesce(bh.hb, '{}') as business_hist_buckets, coalesce(bh.hn, '{}') as business_hist_counts
    from g
    left join h using (day, inbox_id, team_id, agent_id, kind, dim)
    left join bh using (day, inbox_id, team_id, agent_id, kind, dim)
  )`;
}

export const HOURLY_KINDS = ['conversation_created', 'ticket_created'];

/** The kinds of the agent leaderboard (kept per agent alone too, as `agent:<kind>`). */
export const LEADER_KINDS = ['conversation_resolved', 'csat', 'first_response'];

/** `('a', 'b')` of constant kinds, optionally prefixed (`all:`, `heat:`, …). */
export const kindList = (kinds: string[], prefix = '') =>
  sql.raw(`(${kinds.map((kind) => `'${prefix}${kind}'`).join(', ')})`);

export function rawHourlyRows(workspaceId: string, timezone: string, where: SQL): SQL {
  return sql`(
    select (occurred_at at time zone ${timezone})::date as day,
      extract(hour from occurred_at at time zone ${timezone})::smallint as hour,
      inbox_id, team_id, agent_id, kind, count(*)::int as count
    from reporting_events
    where workspace_id = ${workspaceId} and kind in ('conversation_created', 'ticket_created') and ${where}
    group by 1, 2, inbox_id, team_id, agent_id, kind
  )`;
}

/** The UTC window of local days [from, to] (inclusive) in a timezone. */
export const dayWindow = (timezone: string, from: string, to: string) =>
  sql`occurred_at >= (${from}::date)::timestamp at time zone ${timezone}
      and occurred_at < (${to}::date + 1)::timestamp at time zone ${timezone}`;

/** Rebuilds the rollups of one local day: delete + insert in one transaction, so running it twice changes nothing. */
export async function rebuildDay(executor: Executor, workspaceId: string, timezone: string, day: string) {
  const window = dayWindow(timezone, day, day);
  await executor.execute(sql`select pg_advisory_xact_lock(hashtext(${`rollup:${workspaceId}:${day}`}))`);
  await executor.execute(
    sql`delete from reporting_daily_rollups where workspace_id = ${workspaceId} and day = ${day}::date`,
  );
  await executor.execute(
    sql`delete from reporting_hourly_rollups where workspace_id = ${workspaceId} and day = ${day}::date`,
  );
  await executor.execute(sql`
    insert into reporting_daily_rollups (workspace_id, day, inbox_id, team_id, agent_id, kind, dim, count, sum,
      business_sum, hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
    select ${workspaceId}, r.* from ${rawDailyRows(workspaceId, timezone, window)} r`);
  // The same facts summed over agents and over more (the kind says which), for reports that need no more detail
  // (~10× to ~100× fewer rows to read): `all:<kind>` per inbox and team, `total:<kind>` for the whole workspace, and
  // `agent:<kind>` per agent only, for the leaderboard's kinds. Merged from the day's rows just written.
  for (const [prefix, options, kinds] of [
    ['all:', { agents: false }, sql`true`],
    ['total:', { agents: false, inboxes: false }, sql`true`],
    ['agent:', { inboxes: false }, sql`kind in ${kindList(LEADER_KINDS)} and agent_id is not null`],
  ] as const) {
    const from = sql`reporting_daily_rollups where workspace_id = ${workspaceId} and day = ${day}::date
      and kind not like '%:%' and ${kinds}`;
    await executor.execute(sql`
      insert into reporting_daily_rollups (workspace_id, day, inbox_id, team_id, agent_id, kind, dim, count, sum,
        business_sum, hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
      select ${workspaceId}, ${day}::date, m.inbox_id, m.team_id, m.agent_id, ${prefix} || m.kind, m.dim, m.count, m.sum,
        m.business_sum, m.hist_buckets, m.hist_counts, m.business_hist_buckets, m.business_hist_counts
      from ${mergedRows(from, options)} m`);
  }
  await executor.execute(sql`
    insert into reporting_hourly_rollups (workspace_id, day, hour, inbox_id, team_id, agent_id, kind, count)
    select ${workspaceId}, r.* from ${rawHourlyRows(workspaceId, timezone, window)} r`);
  // Per-day series without the agent dimension (the trend chart over long ranges reads these, ~10× fewer rows).
  await executor.execute(sql`
    insert into reporting_daily_rollups (workspace_id, day, inbox_id, team_id, agent_id, kind, dim, count)
    select workspace_id, day, inbox_id, team_id, null, 'series:' || kind, '', sum(count)::int
    from reporting_daily_rollups
    where workspace_id = ${workspaceId} and day = ${day}::date
      and kind in ('conversation_created', 'conversation_resolved', 'ticket_created')
    group by workspace_id, day, inbox_id, team_id, kind`);
  await executor.execute(sql`
    insert into reporting_rollup_days (workspace_id, day, computed_at) values (${workspaceId}, ${day}::date, now())
    on conflict (workspace_id, day) do update set computed_at = now()`);
  await executor.execute(sql`delete from reporting_rollup_months where workspace_id = ${workspaceId}
    and month = date_trunc('month', ${day}::date)::date`);
}

/**
 * Rollup rows (`from` is a table and its where clause) merged per (inbox, team, agent, kind, dim), or summed over the
 * inbox and team (`inboxes: false`) or the agent (`agents: false`): counts and sums added, histograms added bucket by
 * bucket. Yields the columns of a rollup row from inbox_id on.
 */
function mergedRows(from: SQL, options: { inboxes?: boolean; agents?: boolean } = {}): SQL {
  const keep = (column: string, kept: boolean | undefined) =>
    kept === false ? sql`${NIL}::uuid` : sql`coalesce(${sql.identifier(column)}, ${NIL}::uuid)`;
  const keys = sql`inbox_id, team_id, agent_id, kind, dim`;
  const histogram = (buckets: string, counts: string) => sql`(
    select ${keys}, array_agg(b order by b) as hb, array_agg(n order by b) as hn
    from (select ${keys}, u.b, sum(u.n)::int as n
          from r cross join lateral unnest(${sql.identifier(buckets)}, ${sql.identifier(counts)}) as u(b, n)
          group by ${keys}, u.b) x
    group by ${keys})`;
  return sql`(
    with r as (
      select ${keep('inbox_id', options.inboxes)} as inbox_id, ${keep('team_id', options.inboxes)} as team_id,
        ${keep('agent_id', options.agents)} as agent_id, kind, dim, count, sum, business_sum, hist_buckets,
        hist_counts, business_hist_buckets, business_hist_counts
      from ${from}),
    g as (select ${keys}, sum(count)::int as count, sum(sum) as sum, sum(business_sum) as business_sum
          from r group by ${keys}),
    h as ${histogram('hist_buckets', 'hist_counts')},
    bh as ${histogram('business_hist_buckets', 'business_hist_counts')}
    select nullif(g.inbox_id, ${NIL}::uuid) as inbox_id, nullif(g.team_id, ${NIL}::uuid) as team_id,
      nullif(g.agent_id, ${NIL}::uuid) as agent_id, g.kind, g.dim, g.count, g.sum, g.business_sum,
      coalesce(h.hb, '{}') as hist_buckets, coalesce(h.hn, '{}') as hist_counts,
      coalesce(bh.hb, '{}') as business_hist_buckets, coalesce(bh.hn, '{}') as business_hist_counts
    from g left join h using (${keys}) left join bh using (${keys})
  )`;
}

/** Merges a whole month of daily rollups into monthly rows (delete + insert; the caller checked every day is rolled up). */
export async function rebuildMonth(executor: Executor, workspaceId: string, month: string) {
  await executor.execute(sql`select pg_advisory_xact_lock(hashtext(${`rollup-month:${workspaceId}:${month}`}))`);
  await executor.execute(
    sql`delete from reporting_monthly_rollups where workspace_id = ${workspaceId} and month = ${month}::date`,
  );
  await executor.execute(sql`
    insert into reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count, sum,
      business_sum, hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
    select ${workspaceId}, ${month}::date, m.* from ${mergedRows(
      sql`reporting_daily_rollups where workspace_id = ${workspaceId} and kind not like 'series:%'
        and day >= ${month}::date and day < (${month}::date + interval '1 month')`,
    )} m`);
  // The heatmap of the month: kind `heat:<kind>`, dim `<ISO weekday>:<hour>`.
  await executor.execute(sql`
    insert into reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count)
    select workspace_id, ${month}::date, inbox_id, team_id, agent_id, 'heat:' || kind,
      extract(isodow from day)::int || ':' || hour, sum(count)::int
    from reporting_hourly_rollups
    where workspace_id = ${workspaceId} and day >= ${month}::date and day < (${month}::date + interval '1 month')
    group by workspace_id, inbox_id, team_id, agent_id, kind, extract(isodow from day), hour`);
  // The same summed over agents (`all:heat:<kind>`, per inbox and team) and for the whole workspace (`total:heat:`).
  await executor.execute(sql`
    insert into reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count)
    select workspace_id, ${month}::date, inbox_id, team_id, null::uuid, 'all:heat:' || kind,
      extract(isodow from day)::int || ':' || hour, sum(count)::int
    from reporting_hourly_rollups
    where workspace_id = ${workspaceId} and day >= ${month}::date and day < (${month}::date + interval '1 month')
    group by workspace_id, inbox_id, team_id, kind, extract(isodow from day), hour
    union all
    select workspace_id, ${month}::date, null::uuid, null::uuid, null::uuid, 'total:heat:' || kind,
      extract(isodow from day)::int || ':' || hour, sum(count)::int
    from reporting_hourly_rollups
    where workspace_id = ${workspaceId} and day >= ${month}::date and day < (${month}::date + interval '1 month')
    group by workspace_id, kind, extract(isodow from day), hour`);
  await executor.execute(sql`
    insert into reporting_rollup_months (workspace_id, month, computed_at) values (${workspaceId}, ${month}::date, now())
    on conflict (workspace_id, month) do update set computed_at = now()`);
}

/** Past months (of the last 14) whose every day is rolled up but that have no monthly rollup. */
export async function monthsToRollUp(executor: Executor, workspaceId: string, timezone: string) {
  const result = await executor.execute<{ month: string }>(sql`
    select to_char(m, 'YYYY-MM-DD') as month
    from generate_series(date_trunc('month', (now() at time zone ${timezone})::date) - interval '14 months',
                         date_trunc('month', (now() at time zone ${timezone})::date) - interval '1 month',
                         interval '1 month') m
    where not exists (select 1 from reporting_rollup_months r where r.workspace_id = ${workspaceId} and r.month = m::date)
      and (select count(*) from reporting_rollup_days d where d.workspace_id = ${workspaceId}
             and d.day >= m::date and d.day < m::date + interval '1 month')
          = extract(day from m + interval '1 month' - interval '1 day')
    order by m`);
  return result.rows.map((row) => row.month);
}

export async function rolledUpMonths(executor: Executor, workspaceId: string, from: string, to: string) {
  const result = await executor.execute<{ month: string }>(sql`
    select to_char(month, 'YYYY-MM-DD') as month from reporting_rollup_months
    where workspace_id = ${workspaceId} and month between ${from}::date and ${to}::date`);
  return new Set(result.rows.map((row) => row.month));
}

/** Past days (within `lookbackDays`) that have events but no rollup, oldest first. */
export async function daysToRollUp(executor: Executor, workspaceId: string, timezone: string, lookbackDays: number) {
  const result = await executor.execute<{ day: string }>(sql`
    select to_char(d, 'YYYY-MM-DD') as day
    from generate_series((now() at time zone ${timezone})::date - ${lookbackDays}::int,
                         (now() at time zone ${timezone})::date - 1, interval '1 day') d
    where not exists (select 1 from reporting_rollup_days r where r.workspace_id = ${workspaceId} and r.day = d::date)
    order by d`);
  return result.rows.map((row) => row.day);
}

export async function rolledUpDays(executor: Executor, workspaceId: string, from: string, to: string) {
  const result = await executor.execute<{ day: string }>(sql`
    select to_char(day, 'YYYY-MM-DD') as day from reporting_rollup_days
    where workspace_id = ${workspaceId} and day between ${from}::date and ${to}::date`);
  return new Set(result.rows.map((row) => row.day));
}

export async function agentNames(executor: Executor, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const result = await executor.execute<{ id: string; name: string }>(sql`
    select id, name from users where workspace_id = ${workspaceId} and id = any(${`{${ids.join(',')}}`}::uuid[])`);
  return new Map(result.rows.map((row) => [row.id, row.name]));
}

export async function existsInWorkspace(
  executor: Executor,
  table: 'inboxes' | 'teams' | 'users',
  workspaceId: string,
  id: string,
) {
  const result = await executor.execute(
    sql`select 1 from ${sql.identifier(table)} where workspace_id = ${workspaceId} and id = ${id}`,
  );
  return result.rows.length > 0;
}

/**
 * What the service report needs of the workspace, in one read: its timezone (Asia/Shanghai if it has none, as
 * `workspaceTimezone`) and the date before which the demo seed made up the history (seedDemoReporting), or null.
 */
export async function reportWorkspace(
  executor: Executor,
  workspaceId: string,
): Promise<{ timezone: string; sampleHistoryUntil: string | null }> {
  const result = await executor.execute<{ timezone: string | null; until: string | null }>(
    sql`select timezone, settings->>'sampleHistoryUntil' as until from workspaces where id = ${workspaceId}`,
  );
  const row = result.rows[0];
  return { timezone: row?.timezone ?? 'Asia/Shanghai', sampleHistoryUntil: row?.until ?? null };
}
