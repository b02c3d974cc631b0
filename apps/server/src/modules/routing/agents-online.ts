import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db-helpers.ts';

/**
 * Whether anyone could answer a visitor of this inbox now: an enabled staff member whose presence is 在线 and who
 * may work the inbox (an inbox with no members is open to all staff). Read-only; for the website widget's header.
 */
export async function isAnyAgentOnline(executor: Executor, workspaceId: string, inboxId: string): Promise<boolean> {
  const result = await executor.execute<{ ok: boolean }>(sql`
    select exists (
      select 1 from users u
      join agent_profiles p on p.workspace_id = u.workspace_id and p.user_id = u.id
      where u.workspace_id = ${workspaceId} and not u.disabled and u.role in ('owner', 'admin', 'supervisor', 'agent')
        and p.presence = 'online'
        and (
          not exists (select 1 from inbox_members m where m.workspace_id = ${workspaceId} and m.inbox_id = ${inboxId})
          or exists (
            select 1 from inbox_members m
            where m.workspace_id = ${workspaceId} and m.inbox_id = ${inboxId} and m.user_id = u.id
          )
        )
    ) as ok`);
  return result.rows[0]?.ok === true;
}
