import type { ChannelType } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db-helpers.ts';
import { DEFAULT_CAPACITY } from './assignment.ts';

export type AgentRow = {
  user_id: string;
  name: string;
  role: string;
  disabled: boolean;
  presence: 'online' | 'busy' | 'away' | 'offline';
  capacity: number;
  level: 'standard' | 'senior';
  skills: string[];
  languages: string[];
  load: number;
  team_ids: string[];
};

/** Staff and analysts of the workspace with their routing profile (defaults when they have none) and open load. */
export async function listAgents(executor: Executor, workspaceId: string, userId?: string): Promise<AgentRow[]> {
  const only = userId ? sql`and u.id = ${userId}` : sql``;
  const result = await executor.execute<AgentRow>(sql`
    select u.id as user_id, u.name, u.role, u.disabled,
      coalesce(p.presence, 'offline') as presence,
      coalesce(p.capacity, ${DEFAULT_CAPACITY})::int as capacity,
      coalesce(p.level, 'standard') as level,
      coalesce(p.skills, '{}') as skills,
      coalesce(p.languages, '{zh-CN}') as languages,
      (select count(*) from conversations c
        where c.workspace_id = ${workspaceId} and c.assignee_id = u.id and c.status in ('open', 'pending'))::int as load,
      coalesce((select array_agg(tm.team_id) from team_members tm
        where tm.workspace_id = ${workspaceId} and tm.user_id = u.id), '{}') as team_ids
    from users u
    left join agent_profiles p on p.workspace_id = u.workspace_id and p.user_id = u.id
    where u.workspace_id = ${workspaceId} and u.role in ('owner', 'admin', 'supervisor', 'agent') ${only}
    order by u.disabled, u.name, u.id`);
  return result.rows;
}

/** Sets the agent's chosen presence; answers the previous one (offline when they had no profile). */
export async function setPresence(
  executor: Executor,
  workspaceId: string,
  userId: string,
  presence: 'online' | 'busy' | 'away',
): Promise<string> {
  const result = await executor.execute<{ previous: string | null }>(sql`
    with previous as (
      select presence from agent_profiles where workspace_id = ${workspaceId} and user_id = ${userId}
    ), saved as (
      insert into agent_profiles (workspace_id, user_id, presence, resume_presence)
      values (${workspaceId}, ${userId}, ${presence}, ${presence})
      on conflict (workspace_id, user_id) do update
        set presence = excluded.presence, resume_presence = excluded.resume_presence, updated_at = now()
    )
    select (select presence from previous) as previous`);
  return result.rows[0]?.previous ?? 'offline';
}

/**
 * A socket came back: an agent shown offline returns to what they had chosen. Agents who never chose stay as
 * they are (offline): nobody is handed work just for opening the app. Either way the row is marked as seen now.
 */
export async function markConnected(executor: Executor, workspaceId: string, userId: string): Promise<string | null> {
  const result = await executor.execute<{ presence: string; was: string }>(sql`
    update agent_profiles p
    set presence = case when p.presence = 'offline' and p.resume_presence is not null then p.resume_presence
                        else p.presence end,
        updated_at = now()
    from (select presence as was from agent_profiles
          where workspace_id = ${workspaceId} and user_id = ${userId} for update) before
    where p.workspace_id = ${workspaceId} and p.user_id = ${userId}
    returning p.presence, before.was`);
  const row = result.rows[0];
  return row && row.was === 'offline' && row.presence !== 'offline' ? row.presence : null;
}

/**
 * The liveness heartbeat: every process touches, every few seconds, the profiles of the agents it holds a socket
 * for. `updated_at` is then "last seen with a socket (or last changed)" on whichever process the socket lives.
 */
export async function touchConnected(executor: Executor, users: readonly { workspaceId: string; userId: string }[]) {
  if (users.length === 0) return;
  await executor.execute(sql`
    update agent_profiles p set updated_at = now()
    from unnest(${toUuidArray(users.map((user) => user.workspaceId))}, ${toUuidArray(users.map((user) => user.userId))})
      as seen(workspace_id, user_id)
    where p.workspace_id = seen.workspace_id and p.user_id = seen.user_id and p.presence <> 'offline'`);
}

/**
 * Agents not seen for `graceMs` (no process touched them: every socket closed, or their process died) go
 * offline, remembering what to come back to. Answers who changed. `only` limits it to one agent.
 */
export async function markDisconnected(
  executor: Executor,
  graceMs: number,
  only?: { workspaceId: string; userId: string },
): Promise<{ workspace_id: string; user_id: string }[]> {
  const one = only ? sql`and workspace_id = ${only.workspaceId} and user_id = ${only.userId}` : sql``;
  const result = await executor.execute<{ workspace_id: string; user_id: string }>(sql`
    update agent_profiles
    set resume_presence = presence, presence = 'offline', updated_at = now()
    where presence <> 'offline' and updated_at < now() - make_interval(secs => ${graceMs / 1000}) ${one}
    returning workspace_id, user_id`);
  return result.rows;
}

export async function updateProfile(
  executor: Executor,
  workspaceId: string,
  userId: string,
  patch: { capacity?: number; level?: string; skills?: string[]; languages?: string[] },
) {
  await executor.execute(sql`
    insert into agent_profiles (workspace_id, user_id) values (${workspaceId}, ${userId})
    on conflict (workspace_id, user_id) do nothing`);
  const sets = [
    patch.capacity !== undefined ? sql`capacity = ${patch.capacity}` : null,
    patch.level !== undefined ? sql`level = ${patch.level}` : null,
    patch.skills !== undefined ? sql`skills = ${toTextArray(patch.skills)}` : null,
    patch.languages !== undefined ? sql`languages = ${toTextArray(patch.languages)}` : null,
    sql`updated_at = now()`,
  ].filter((part) => part !== null);
  await executor.execute(sql`
    update agent_profiles set ${sql.join(sets, sql`, `)}
    where workspace_id = ${workspaceId} and user_id = ${userId}`);
}

export const toTextArray = (values: readonly string[]) =>
  sql`${`{${values.map((value) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`}::text[]`;
export const toUuidArray = (values: readonly string[]) => sql`${`{${values.join(',')}}`}::uuid[]`;

export type RuleRow = {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: Record<string, string[]>;
  team_id: string | null;
  team_name: string | null;
  required_skill: string | null;
  created_at: string;
};

export async function listRules(executor: Executor, workspaceId: string, id?: string): Promise<RuleRow[]> {
  const only = id ? sql`and r.id = ${id}` : sql``;
  const result = await executor.execute<RuleRow>(sql`
    select r.id, r.name, r.position, r.enabled, r.conditions, r.team_id, t.name as team_name, r.required_skill,
      r.created_at
    from routing_rules r
    left join teams t on t.workspace_id = r.workspace_id and t.id = r.team_id
    where r.workspace_id = ${workspaceId} ${only}
    order by r.position, r.id`);
  return result.rows;
}

export async function insertRule(
  executor: Executor,
  row: {
    id: string;
    workspaceId: string;
    name: string;
    enabled: boolean;
    conditions: Record<string, string[]>;
    teamId: string | null;
    requiredSkill: string | null;
  },
) {
  await executor.execute(sql`
    insert into routing_rules (id, workspace_id, name, position, enabled, conditions, team_id, required_skill)
    values (${row.id}, ${row.workspaceId}, ${row.name},
      (select coalesce(max(position), 0) + 1 from routing_rules where workspace_id = ${row.workspaceId}),
      ${row.enabled}, ${JSON.stringify(row.conditions)}::jsonb, ${row.teamId}, ${row.requiredSkill})`);
}

export async function updateRule(
  executor: Executor,
  workspaceId: string,
  id: string,
  patch: {
    name?: string;
    enabled?: boolean;
    conditions?: Record<string, string[]>;
    teamId?: string | null;
    requiredSkill?: string | null;
  },
) {
  const sets = [
    patch.name !== undefined ? sql`name = ${patch.name}` : null,
    patch.enabled !== undefined ? sql`enabled = ${patch.enabled}` : null,
    patch.conditions !== undefined ? sql`conditions = ${JSON.stringify(patch.conditions)}::jsonb` : null,
    patch.teamId !== undefined ? sql`team_id = ${patch.teamId}` : null,
    patch.requiredSkill !== undefined ? sql`required_skill = ${patch.requiredSkill}` : null,
    sql`updated_at = now()`,
  ].filter((part) => part !== null);
  await executor.execute(sql`
    update routing_rules set ${sql.join(sets, sql`, `)} where workspace_id = ${workspaceId} and id = ${id}`);
}

export async function deleteRule(executor: Executor, workspaceId: string, id: string) {
  await executor.execute(sql`delete from routing_rules where workspace_id = ${workspaceId} and id = ${id}`);
}

export async function setRuleOrder(executor: Executor, workspaceId: string, ids: readonly string[]) {
  await executor.execute(sql`
    update routing_rules r set position = o.position, updated_at = now()
    from unnest(${toUuidArray(ids)}) with ordinality as o(id, position)
    where r.workspace_id = ${workspaceId} and r.id = o.id`);
}

/** Ids among `ids` that exist in the workspace's `table`. */
export async function existingIds(
  executor: Executor,
  workspaceId: string,
  table: 'teams' | 'tags' | 'inboxes' | 'users',
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const staffOnly = table === 'users' ? sql`and role in ('owner', 'admin', 'supervisor', 'agent')` : sql``;
  const result = await executor.execute<{ id: string }>(sql`
    select id from ${sql.identifier(table)}
    where workspace_id = ${workspaceId} and id = any(${toUuidArray(ids)}) ${staffOnly}`);
  return new Set(result.rows.map((row) => row.id));
}

export async function listInboxMembers(executor: Executor, workspaceId: string, inboxId: string): Promise<string[]> {
  const result = await executor.execute<{ user_id: string }>(sql`
    select user_id from inbox_members where workspace_id = ${workspaceId} and inbox_id = ${inboxId} order by user_id`);
  return result.rows.map((row) => row.user_id);
}

export async function replaceInboxMembers(
  executor: Executor,
  workspaceId: string,
  inboxId: string,
  userIds: readonly string[],
) {
  await executor.execute(sql`delete from inbox_members where workspace_id = ${workspaceId} and inbox_id = ${inboxId}`);
  if (userIds.length === 0) return;
  await executor.execute(sql`
    insert into inbox_members (workspace_id, inbox_id, user_id)
    select ${workspaceId}, ${inboxId}, u from unnest(${toUuidArray(userIds)}) as u
    on conflict do nothing`);
}

/** What routing rules look at for one conversation. */
export type RoutingFacts = {
  id: string;
  inbox_id: string;
  customer_id: string;
  assignee_id: string | null;
  team_id: string | null;
  status: string;
  channel_type: string;
  rfm_tier: string | null;
  tag_ids: string[];
  first_message: string | null;
};

export async function findRoutingFacts(
  executor: Executor,
  workspaceId: string,
  conversationId: string,
): Promise<RoutingFacts | undefined> {
  const result = await executor.execute<RoutingFacts>(sql`
    select c.id, c.inbox_id, c.customer_id, c.assignee_id, c.team_id, c.status, i.channel_type,
      cu.rfm_tier, cu.tag_ids,
      (select m.content from messages m
        where m.workspace_id = ${workspaceId} and m.conversation_id = c.id and m.direction = 'inbound'
        order by m.id limit 1) as first_message
    from conversations c
    join inboxes i on i.workspace_id = c.workspace_id and i.id = c.inbox_id
    join customers cu on cu.workspace_id = c.workspace_id and cu.id = c.customer_id
    where c.workspace_id = ${workspaceId} and c.id = ${conversationId}`);
  return result.rows[0];
}

export async function teamExists(executor: Executor, workspaceId: string, teamId: string): Promise<boolean> {
  return (await existingIds(executor, workspaceId, 'teams', [teamId])).has(teamId);
}

export async function hasLogEntry(executor: Executor, workspaceId: string, conversationId: string) {
  const result = await executor.execute<{ found: boolean }>(sql`
    select exists (
      select 1 from routing_log where workspace_id = ${workspaceId} and conversation_id = ${conversationId}
    ) as found`);
  return result.rows[0]?.found === true;
}

export async function insertLog(
  executor: Executor,
  row: {
    id: string;
    workspaceId: string;
    conversationId: string;
    ruleId: string | null;
    outcome: 'assigned' | 'queued' | 'picked_up';
    assigneeId: string | null;
    teamId: string | null;
    reason: string;
  },
) {
  await executor.execute(sql`
    insert into routing_log (id, workspace_id, conversation_id, rule_id, outcome, assignee_id, team_id, reason)
    values (${row.id}, ${row.workspaceId}, ${row.conversationId}, ${row.ruleId}, ${row.outcome}, ${row.assigneeId},
      ${row.teamId}, ${row.reason})`);
}

export type LogRow = {
  id: string;
  conversation_id: string;
  customer_id: string;
  customer_name: string | null;
  channel_type: ChannelType;
  rule_id: string | null;
  rule_name: string | null;
  outcome: 'assigned' | 'queued' | 'picked_up';
  assignee_id: string | null;
  assignee_name: string | null;
  team_id: string | null;
  team_name: string | null;
  reason: string;
  created_at: string;
};

export async function listLog(executor: Executor, workspaceId: string, limit: number): Promise<LogRow[]> {
  const result = await executor.execute<LogRow>(sql`
    select l.id, l.conversation_id, c.customer_id, coalesce(cu.name, cu.nickname) as customer_name,
      i.channel_type, l.rule_id, r.name as rule_name, l.outcome, l.assignee_id, u.name as assignee_name, l.team_id, t.name as team_name, l.reason, l.created_at
    from routing_log l
    join conversations c on c.workspace_id = l.workspace_id and c.id = l.conversation_id
    join customers cu on cu.workspace_id = c.workspace_id and cu.id = c.customer_id
    join inboxes i on i.workspace_id = c.workspace_id and i.id = c.inbox_id
    left join routing_rules r on r.workspace_id = l.workspace_id and r.id = l.rule_id
    left join users u on u.workspace_id = l.workspace_id and u.id = l.assignee_id
    left join teams t on t.workspace_id = l.workspace_id and t.id = l.team_id
    where l.workspace_id = ${workspaceId}
    order by l.id desc
    limit ${limit}`);
  return result.rows;
}

export async function enqueue(
  executor: Executor,
  row: { workspaceId: string; conversationId: string; teamId: string | null; requiredSkill: string | null },
) {
  await executor.execute(sql`
    insert into routing_queue (workspace_id, conversation_id, team_id, required_skill)
    values (${row.workspaceId}, ${row.conversationId}, ${row.teamId}, ${row.requiredSkill})
    on conflict (workspace_id, conversation_id) do update
      set team_id = excluded.team_id, required_skill = excluded.required_skill`);
}

export async function dequeue(executor: Executor, workspaceId: string, conversationId: string) {
  await executor.execute(sql`
    delete from routing_queue where workspace_id = ${workspaceId} and conversation_id = ${conversationId}`);
}

export type QueuedRow = {
  conversation_id: string;
  inbox_id: string;
  team_id: string | null;
  required_skill: string | null;
};

/**
 * The longest-waiting queued conversation `userId` qualifies for (team, skill, inbox access), locked so two
 * processes filling slots never take the same one. Entries whose conversation was assigned or closed meanwhile
 * are skipped (and cleaned up by the caller's event handlers). `locked`: `skip` passes over entries another
 * fill holds; `wait` waits for them (that fill may give its entry back).
 */
export async function claimQueued(
  executor: Executor,
  workspaceId: string,
  userId: string,
  locked: 'skip' | 'wait',
): Promise<QueuedRow | undefined> {
  const result = await executor.execute<QueuedRow>(sql`
    select q.conversation_id, c.inbox_id, q.team_id, q.required_skill
    from routing_queue q
    join conversations c on c.workspace_id = q.workspace_id and c.id = q.conversation_id
    left join agent_profiles p on p.workspace_id = q.workspace_id and p.user_id = ${userId}
    where q.workspace_id = ${workspaceId} and c.assignee_id is null and c.status in ('open', 'pending')
      and (
        q.team_id is null
        or exists (select 1 from team_members tm
          where tm.workspace_id = q.workspace_id and tm.team_id = q.team_id and tm.user_id = ${userId})
        or not exists (select 1 from teams t where t.workspace_id = q.workspace_id and t.id = q.team_id)
      )
      and (
        q.required_skill is null
        or (q.required_skill = 'senior' and coalesce(p.level, 'standard') = 'senior')
        or q.required_skill = any(coalesce(p.skills, '{}'))
      )
      and (
        not exists (select 1 from inbox_members m where m.workspace_id = q.workspace_id and m.inbox_id = c.inbox_id)
        or exists (select 1 from inbox_members m
          where m.workspace_id = q.workspace_id and m.inbox_id = c.inbox_id and m.user_id = ${userId})
      )
    order by q.queued_at, q.conversation_id
    limit 1
    for update of q ${locked === 'skip' ? sql`skip locked` : sql``}`);
  return result.rows[0];
}

export type WaitingRow = {
  conversation_id: string;
  customer_id: string;
  customer_name: string | null;
  inbox_id: string;
  inbox_name: string;
  channel_type: ChannelType;
  team_id: string | null;
  team_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  waiting_since: string;
  wait_seconds: number;
  last_message_preview: string | null;
};

const WAITING = sql`c.status in ('open', 'pending') and (c.assignee_id is null or c.waiting_since is not null)`;

/** Customers waiting: unassigned conversations, and assigned ones whose customer awaits a reply; longest first. */
export async function listWaiting(executor: Executor, workspaceId: string, limit: number): Promise<WaitingRow[]> {
  const result = await executor.execute<WaitingRow>(sql`
    select c.id as conversation_id, c.customer_id, coalesce(cu.name, cu.nickname) as customer_name, c.inbox_id,
      i.name as inbox_name, i.channel_type, c.team_id, t.name as team_name, c.assignee_id, u.name as assignee_name,
      coalesce(c.waiting_since, c.created_at) as waiting_since,
      greatest(0, extract(epoch from now() - coalesce(c.waiting_since, c.created_at)))::int as wait_seconds,
      c.last_message_preview
    from conversations c
    join inboxes i on i.workspace_id = c.workspace_id and i.id = c.inbox_id
    join customers cu on cu.workspace_id = c.workspace_id and cu.id = c.customer_id
    left join teams t on t.workspace_id = c.workspace_id and t.id = c.team_id
    left join users u on u.workspace_id = c.workspace_id and u.id = c.assignee_id
    where c.workspace_id = ${workspaceId} and ${WAITING}
    order by coalesce(c.waiting_since, c.created_at), c.id
    limit ${limit}`);
  return result.rows;
}

export type GroupRow = { id: string | null; name: string | null; waiting: number; longest_wait_seconds: number };

/** Unassigned work per team (null: no team) and per inbox. */
export async function queueTotals(executor: Executor, workspaceId: string) {
  const stats = sql`count(c.id)::int as waiting,
    coalesce(max(greatest(0, extract(epoch from now() - coalesce(c.waiting_since, c.created_at)))), 0)::int
      as longest_wait_seconds`;
  const unassigned = sql`c.workspace_id = ${workspaceId} and c.status in ('open', 'pending') and c.assignee_id is null`;
  const teams = await executor.execute<GroupRow>(sql`
    select t.id, t.name, ${stats}
    from teams t left join conversations c on c.team_id = t.id and ${unassigned}
    where t.workspace_id = ${workspaceId}
    group by t.id, t.name
    union all
    select null, null, ${stats} from conversations c where ${unassigned} and c.team_id is null
    order by 2 nulls first`);
  const inboxes = await executor.execute<GroupRow>(sql`
    select i.id, i.name, ${stats}
    from inboxes i left join conversations c on c.inbox_id = i.id and ${unassigned}
    where i.workspace_id = ${workspaceId}
    group by i.id, i.name
    order by i.name`);
  return { teams: teams.rows, inboxes: inboxes.rows };
}

/** Users who watch the live queue (queue:monitor roles), for presence pushes. */
export async function listMonitorIds(executor: Executor, workspaceId: string): Promise<string[]> {
  const result = await executor.execute<{ id: string }>(sql`
    select id from users
    where workspace_id = ${workspaceId} and not disabled and role in ('owner', 'admin', 'supervisor')`);
  return result.rows.map((row) => row.id);
}
