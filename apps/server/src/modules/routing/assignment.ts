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

/**
 * Chooses the agent for a new piece of work and records the turn, so the next pick goes to someone else
 * (`huike_pick_assignee`, migration 0025). Candidates: enabled staff with inbox access (and the team and skill
 * asked for), presence online, open load below capacity. The customer's last agent wins when they qualify;
 * otherwise the candidate who got work in this scope longest ago (round-robin), ties broken by lowest load.
 * Picks in one scope are serialised by a row lock held until the caller's transaction ends, so two processes
 * never hand out the same turn.
 */
export async function pickAssignee(executor: Executor, input: PickInput): Promise<string | null> {
  const result = await executor.execute<{ id: string | null }>(sql`
    select huike_pick_assignee(${input.workspaceId}::uuid, ${input.inboxId}::uuid, ${input.teamId ?? null}::uuid,
      ${input.customerId ?? null}::uuid, ${input.requireSkill ?? null}::text, ${input.onlyUserId ?? null}::uuid) as id`);
  return result.rows[0]?.id ?? null;
}
