import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db-helpers.ts';

/** Staff roles: the ones that may work conversations. Analysts never get work. */
const STAFF_ROLES = sql`('owner', 'admin', 'supervisor', 'agent')`;
export const DEFAULT_CAPACITY = 8;

/** Whether `userId` may be in `inboxId` at all: an inbox with no members is open to every staff member. */
const inboxAccess = (workspaceId: string, inboxId: string, userId: ReturnType<typeof sql>) => sql`(
  not exists (select 1 from inbox_members m where m.workspace_id = ${workspaceId} and m.inbox_id = ${inboxId})
  or exists (
    select 1 from inbox_members m
    where m.workspace_id = ${workspaceId} and m.inbox_id = ${inboxId} and m.user_id = ${userId}
  )
)`;

/** The skill a rule asks for: `senior` is the level, anything else a free skill tag. */
const hasSkill = (skill: string) =>
  skill === 'senior' ? sql`coalesce(p.level, 'standard') = 'senior'` : sql`${skill} = any(coalesce(p.skills, '{}'))`;

/**
 * Whether an agent may take work in an inbox: a member of the workspace, enabled, a staff role, and allowed in
 * the inbox (no members listed = open to all staff). Presence and load do not matter here: a lead may hand work
 * to someone who is away.
 */
export async function canAgentTake(
  executor: Executor,
  workspaceId: string,
  userId: string,
  inboxId: string,
): Promise<boolean> {
  const result = await executor.execute<{ ok: boolean }>(sql`
    select exists (
      select 1 from users u
      where u.workspace_id = ${workspaceId} and u.id = ${userId} and not u.disabled and u.role in ${STAFF_ROLES}
        and ${inboxAccess(workspaceId, inboxId, sql`u.id`)}
    ) as ok`);
  return result.rows[0]?.ok === true;
}

export type PickInput = {
  workspaceId: string;
  inboxId: string;
  /** Only members of this team; absent: every staff member with access to the inbox. */
  teamId?: string | null;
  /** Sticky: the customer's last agent gets the conversation when they qualify. */
  customerId?: string | null;
  requireSkill?: string | null;
  /** Only this agent (filling a freed slot): answers them when they qualify, else null. */
  onlyUserId?: string | null;
};

export const routingScope = (input: { inboxId: string; teamId?: string | null }) =>
  input.teamId ? `team:${input.teamId}` : `inbox:${input.inboxId}`;

/** The pick itself as one statement (exported for the benchmark's EXPLAIN). */
export function pickStatement(input: PickInput) {
  const { workspaceId, inboxId } = input;
  const scope = routingScope(input);
  const teamFilter = input.teamId
    ? sql`and exists (
        select 1 from team_members tm
        where tm.workspace_id = ${workspaceId} and tm.team_id = ${input.teamId} and tm.user_id = u.id)`
    : sql``;
  const skillFilter = input.requireSkill ? sql`and ${hasSkill(input.requireSkill)}` : sql``;
  const onlyFilter = input.onlyUserId ? sql`and u.id = ${input.onlyUserId}` : sql``;
  const lastAgent = input.customerId
    ? sql`(
        select c.assignee_id from conversations c
        where c.workspace_id = ${workspaceId} and c.customer_id = ${input.customerId} and c.assignee_id is not null
        order by c.last_message_at desc limit 1)`
    : sql`null::uuid`;
  return sql`
    with eligible as (
      -- open_load is kept by a trigger on conversations (migration 0017), in the same transaction as each change.
      select u.id, p.open_load as load
      from agent_profiles p
      join users u on u.workspace_id = p.workspace_id and u.id = p.user_id
      where p.workspace_id = ${workspaceId} and p.presence = 'online' and p.open_load < p.capacity
        and not u.disabled and u.role in ${STAFF_ROLES}
        and ${inboxAccess(workspaceId, inboxId, sql`u.id`)}
        ${teamFilter} ${skillFilter} ${onlyFilter}
    ), chosen as (
      select e.id, 0 as rank from eligible e where e.id = ${lastAgent}
      union all
      select * from (
        select e.id, 1 as rank from eligible e
        left join routing_turns t on t.workspace_id = ${workspaceId} and t.scope = ${scope} and t.user_id = e.id
        order by t.last_assigned_at asc nulls first, e.load asc, e.id
        limit 1
      ) round_robin
      order by rank limit 1
    ), turn as (
      insert into routing_turns (workspace_id, scope, user_id, last_assigned_at)
      select ${workspaceId}, ${scope}, id, clock_timestamp() from chosen
      on conflict (workspace_id, scope, user_id) do update set last_assigned_at = excluded.last_assigned_at
    )
    select id from chosen`;
}

/**
 * Chooses the agent for a new piece of work and records the turn, so the next pick goes to someone else.
 * Candidates: enabled staff with inbox access (and the team and skill asked for), presence online, open load
 * below capacity. The customer's last agent wins when they qualify; otherwise the candidate who got work in
 * this scope longest ago (round-robin), ties broken by lowest load. Picks in one scope are serialised by a row
 * lock held until the caller's transaction ends, so two processes never hand out the same turn.
 */
export async function pickAssignee(executor: Executor, input: PickInput): Promise<string | null> {
  return executor.transaction(async (tx) => {
    const { workspaceId } = input;
    const scope = routingScope(input);
    // The turn record is routing's own bookkeeping: after a crash, losing the last few turns is harmless, so
    // this transaction does not wait for its commit to reach disk (one fsync less per new conversation).
    await tx.execute(sql`
      insert into routing_scopes (workspace_id, scope, picks)
      select ${workspaceId}, ${scope}, 1 from (select set_config('synchronous_commit', 'off', true)) as async_commit
      on conflict (workspace_id, scope) do update set picks = routing_scopes.picks + 1`);
    const result = await tx.execute<{ id: string }>(pickStatement(input));
    return result.rows[0]?.id ?? null;
  });
}
