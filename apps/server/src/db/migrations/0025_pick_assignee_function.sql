-- Routing's assignment decision as one function, so a pick is one round trip with cached plans instead of a
-- transaction of three statements planned every time (issue 5: p99 ≤ 5 ms). The scope row lock comes first;
-- each later statement takes a fresh snapshot, so it sees every pick committed before the lock was granted.
create or replace function huike_pick_assignee(
  p_workspace uuid, p_inbox uuid, p_team uuid, p_customer uuid, p_skill text, p_only_user uuid
) returns uuid
language plpgsql
as $$
declare
  v_scope text := case when p_team is null then 'inbox:' || p_inbox else 'team:' || p_team end;
  v_inbox_open boolean;
  v_last_agent uuid;
  v_chosen uuid;
begin
  -- The turn record is routing's own bookkeeping: after a crash, losing the last few turns is harmless, so the
  -- transaction does not wait for its commit to reach disk.
  perform set_config('synchronous_commit', 'off', true);
  insert into routing_scopes (workspace_id, scope, picks) values (p_workspace, v_scope, 1)
  on conflict (workspace_id, scope) do update set picks = routing_scopes.picks + 1;

  -- An inbox with no members is open to every staff member.
  v_inbox_open := not exists (select 1 from inbox_members m where m.workspace_id = p_workspace and m.inbox_id = p_inbox);
  if p_customer is not null then
    select c.assignee_id into v_last_agent from conversations c
    where c.workspace_id = p_workspace and c.customer_id = p_customer and c.assignee_id is not null
    order by c.last_message_at desc limit 1;
  end if;

  -- Candidates: enabled staff, online, below capacity, allowed in the inbox, in the team, with the skill. The
  -- customer's last agent first; then whoever got work in this scope longest ago; ties to the lowest load.
  select p.user_id into v_chosen
  from agent_profiles p
  join users u on u.workspace_id = p.workspace_id and u.id = p.user_id
  left join routing_turns t on t.workspace_id = p_workspace and t.scope = v_scope and t.user_id = p.user_id
  where p.workspace_id = p_workspace and p.presence = 'online' and p.open_load < p.capacity
    and not u.disabled and u.role in ('owner', 'admin', 'supervisor', 'agent')
    and (v_inbox_open or exists (
      select 1 from inbox_members m
      where m.workspace_id = p_workspace and m.inbox_id = p_inbox and m.user_id = p.user_id))
    and (p_team is null or exists (
      select 1 from team_members tm
      where tm.workspace_id = p_workspace and tm.team_id = p_team and tm.user_id = p.user_id))
    and (p_skill is null or case when p_skill = 'senior' then p.level = 'senior' else p_skill = any(p.skills) end)
    and (p_only_user is null or p.user_id = p_only_user)
  order by p.user_id is not distinct from v_last_agent desc, t.last_assigned_at asc nulls first, p.open_load, p.user_id
  limit 1;

  if v_chosen is not null then
    insert into routing_turns (workspace_id, scope, user_id, last_assigned_at)
    values (p_workspace, v_scope, v_chosen, clock_timestamp())
    on conflict (workspace_id, scope, user_id) do update set last_assigned_at = excluded.last_assigned_at;
  end if;
  return v_chosen;
end $$;
--> statement-breakpoint
-- Every assignment and resolution rewrites its agent's profile row (open_load): room in each page keeps those
-- updates in place (HOT), so the table the pick scans stays a few pages however busy the shop is.
alter table agent_profiles set (fillfactor = 50);
