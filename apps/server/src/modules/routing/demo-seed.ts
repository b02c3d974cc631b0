import { sql } from 'drizzle-orm';
import { v7 } from 'uuid';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';

/**
 * Demo routing: 物流组 and 投诉处理组 teams, the supervisor as the senior agent for VIP work, presence and
 * capacity for every agent, the three house rules, and a routing log for the open conversations. Nobody is
 * signed in yet, so every seeded agent starts offline; their status (在线 / 忙碌 / 离开) is what they come back
 * to when they first connect — no conversation is handed to an agent nobody is playing.
 */
export async function seedDemoRouting(executor: Executor, workspaceId: string) {
  const staff = (
    await executor.execute<{ id: string; role: string }>(sql`
      select id, role from users
      where workspace_id = ${workspaceId} and role in ('supervisor', 'agent') order by created_at, id`)
  ).rows;
  const [supervisor, ...agents] = staff;
  if (!supervisor) return;
  const logisticsTeam = newId();
  const complaintsTeam = newId();
  await executor.execute(sql`
    insert into teams (id, workspace_id, name) values
      (${logisticsTeam}, ${workspaceId}, '物流组'), (${complaintsTeam}, ${workspaceId}, '投诉处理组')`);
  const logisticsAgent = agents.at(-1) ?? supervisor;
  await executor.execute(sql`
    insert into team_members (workspace_id, team_id, user_id) values
      (${workspaceId}, ${logisticsTeam}, ${logisticsAgent.id}),
      (${workspaceId}, ${complaintsTeam}, ${supervisor.id})`);
  const presences = ['online', 'online', 'busy', 'away'] as const;
  for (const [i, user] of staff.entries()) {
    const resume = presences[i % presences.length]!;
    await executor.execute(sql`
      insert into agent_profiles (workspace_id, user_id, presence, resume_presence, capacity, level, skills)
      values (${workspaceId}, ${user.id}, 'offline', ${resume}, ${i === 0 ? 10 : 8},
        ${i === 0 ? 'senior' : 'standard'}, ${user.id === logisticsAgent.id ? sql`'{物流,退换货}'::text[]` : sql`'{}'::text[]`})
      on conflict (workspace_id, user_id) do nothing`);
  }
  const rules = [
    { name: 'VIP / 高价值客户 → 高级客服', conditions: { tiers: ['loyal'] }, teamId: null, skill: 'senior' },
    {
      name: '物流咨询 → 物流组',
      conditions: { keywords: ['物流', '快递', '发货'] },
      teamId: logisticsTeam,
      skill: null,
    },
    { name: '投诉 → 投诉处理组', conditions: { keywords: ['投诉', '12315'] }, teamId: complaintsTeam, skill: null },
  ];
  for (const [i, rule] of rules.entries()) {
    await executor.execute(sql`
      insert into routing_rules (id, workspace_id, name, position, conditions, team_id, required_skill)
      values (${newId()}, ${workspaceId}, ${rule.name}, ${i + 1}, ${JSON.stringify(rule.conditions)}::jsonb,
        ${rule.teamId}, ${rule.skill})`);
  }
  // What routing "decided" for the demo's open conversations, so the log on the settings page is not empty. The log
  // reads newest first by id, so each id carries its decision's time.
  const decided = await executor.execute<{ id: string; assignee_id: string | null; created_at: string }>(sql`
    select id, assignee_id, created_at from conversations
    where workspace_id = ${workspaceId} and status in ('open', 'pending')`);
  for (const conversation of decided.rows) {
    const at = new Date(conversation.created_at);
    const isAssigned = conversation.assignee_id !== null;
    await executor.execute(sql`
      insert into routing_log (id, workspace_id, conversation_id, outcome, assignee_id, reason, created_at)
      values (${v7({ msecs: at.getTime() })}, ${workspaceId}, ${conversation.id}, ${isAssigned ? 'assigned' : 'queued'},
        ${conversation.assignee_id}, ${isAssigned ? 'no_rule' : 'no_agent_available'}, ${at})`);
  }
  await executor.execute(sql`
    insert into routing_queue (workspace_id, conversation_id, queued_at)
    select c.workspace_id, c.id, c.created_at from conversations c
    where c.workspace_id = ${workspaceId} and c.status in ('open', 'pending') and c.assignee_id is null
    on conflict do nothing`);
}
