import type { SurveyKind, SurveyStatus } from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db-helpers.ts';

export type SurveyRow = {
  id: string;
  workspace_id: string;
  kind: SurveyKind;
  customer_id: string;
  conversation_id: string | null;
  agent_id: string | null;
  segment_id: string | null;
  send_id: string | null;
  question: string;
  token: string;
  status: SurveyStatus;
  sent_at: Date;
  expires_at: Date;
};

// Raw queries answer timestamps as strings (drizzle's node-postgres type parsers): turn them into dates here.
const withDates = <T extends { sent_at: unknown; expires_at: unknown }>(row: T | undefined) =>
  row && { ...row, sent_at: new Date(row.sent_at as string), expires_at: new Date(row.expires_at as string) };

export type NewSurvey = {
  id: string;
  workspaceId: string;
  kind: SurveyKind;
  customerId: string;
  conversationId: string | null;
  agentId: string | null;
  segmentId: string | null;
  sendId: string | null;
  question: string;
  token: string;
  expiresAt: Date;
};

export async function workspaceSettings(executor: Executor, workspaceId: string) {
  const rows = await executor.execute<{ surveys: unknown; name: string }>(
    sql`select settings -> 'surveys' as surveys, name from workspaces where id = ${workspaceId}`,
  );
  return rows.rows[0];
}

export async function saveSettings(executor: Executor, workspaceId: string, value: unknown) {
  await executor.execute(
    sql`update workspaces set settings = jsonb_set(settings, '{surveys}', ${JSON.stringify(value)}::jsonb),
          updated_at = now()
        where id = ${workspaceId}`,
  );
}

/** Inserts a survey unless its conversation (CSAT) or send + customer (NPS) already has one; answers the stored row. */
export async function insertSurvey(executor: Executor, input: NewSurvey): Promise<{ row: SurveyRow; isNew: boolean }> {
  const inserted = await executor.execute<SurveyRow>(sql`
    insert into surveys (id, workspace_id, kind, customer_id, conversation_id, agent_id, segment_id, send_id,
      question, token, expires_at)
    values (${input.id}, ${input.workspaceId}, ${input.kind}, ${input.customerId}, ${input.conversationId},
      ${input.agentId}, ${input.segmentId}, ${input.sendId}, ${input.question}, ${input.token}, ${input.expiresAt})
    on conflict do nothing
    returning *`);
  if (inserted.rows[0]) return { row: withDates(inserted.rows[0])!, isNew: true };
  const existing =
    input.kind === 'csat'
      ? await executor.execute<SurveyRow>(
          sql`select * from surveys where workspace_id = ${input.workspaceId} and kind = 'csat'
                and conversation_id = ${input.conversationId}`,
        )
      : await executor.execute<SurveyRow>(
          sql`select * from surveys where workspace_id = ${input.workspaceId} and send_id = ${input.sendId}
                and customer_id = ${input.customerId}`,
        );
  return { row: withDates(existing.rows[0])!, isNew: false };
}

/** The survey behind a public token, locked for answering when `forUpdate`. Tokens are unique across workspaces. */
export type PublicSurveyRow = SurveyRow & { workspace_name: string; response_score: number | null };

export async function findByToken(executor: Executor, token: string, forUpdate = false) {
  const rows = await executor.execute<PublicSurveyRow>(sql`
    select s.*, w.name as workspace_name, r.score as response_score
    from surveys s join workspaces w on w.id = s.workspace_id
    left join survey_responses r on r.survey_id = s.id
    where s.token = ${token}
    ${forUpdate ? sql`for update of s` : sql``}`);
  return withDates(rows.rows[0]);
}

export async function markStatus(executor: Executor, workspaceId: string, id: string, status: SurveyStatus) {
  await executor.execute(
    sql`update surveys set status = ${status}, updated_at = now() where workspace_id = ${workspaceId} and id = ${id}`,
  );
}

export async function insertResponse(
  executor: Executor,
  input: {
    id: string;
    survey: SurveyRow;
    score: number;
    comment: string | null;
  },
) {
  const { survey } = input;
  await executor.execute(sql`
    insert into survey_responses (id, workspace_id, survey_id, kind, score, comment, customer_id, conversation_id, agent_id)
    values (${input.id}, ${survey.workspace_id}, ${survey.id}, ${survey.kind}, ${input.score}, ${input.comment},
      ${survey.customer_id}, ${survey.conversation_id}, ${survey.agent_id})`);
}

export async function setFollowUpTicket(executor: Executor, workspaceId: string, responseId: string, ticketId: string) {
  await executor.execute(
    sql`update survey_responses set follow_up_ticket_id = ${ticketId}
        where workspace_id = ${workspaceId} and id = ${responseId}`,
  );
}

/** A supervisor of one of the agent's teams, else any enabled supervisor, else an admin/owner; null if none. */
export async function followUpAssignee(executor: Executor, workspaceId: string, agentId: string | null) {
  const rows = await executor.execute<{ id: string; team_id: string | null }>(sql`
    select u.id,
      (select tm2.team_id from team_members tm1 join team_members tm2 on tm2.team_id = tm1.team_id
        where tm1.user_id = ${agentId} and tm2.user_id = u.id limit 1) as team_id
    from users u
    where u.workspace_id = ${workspaceId} and u.disabled = false and u.role in ('supervisor', 'admin', 'owner')
    order by
      (exists (select 1 from team_members tm1 join team_members tm2 on tm2.team_id = tm1.team_id
        where tm1.user_id = ${agentId} and tm2.user_id = u.id)) desc,
      (u.role = 'supervisor') desc, u.id
    limit 1`);
  return rows.rows[0];
}

export type ConversationForSurvey = {
  id: string;
  customer_id: string;
  assignee_id: string | null;
  status: string;
};

export async function findConversation(executor: Executor, workspaceId: string, id: string) {
  const rows = await executor.execute<ConversationForSurvey>(
    sql`select id, customer_id, assignee_id, status from conversations where workspace_id = ${workspaceId} and id = ${id}`,
  );
  return rows.rows[0];
}

/** Customers of a segment (its WHERE fragment over `customers`) that have a conversation a survey can be posted to. */
const reachable = (where: SQL) => sql`
  select customers.id as customer_id,
    (select c.id from conversations c join inboxes i on i.id = c.inbox_id
      where c.workspace_id = customers.workspace_id and c.customer_id = customers.id
        and i.channel_type in ('website', 'api')
      order by c.last_message_at desc, c.id desc limit 1) as conversation_id
  from customers where ${where}`;

export async function countReachable(executor: Executor, where: SQL) {
  const rows = await executor.execute<{ n: number }>(
    sql`select count(*)::int as n from (${reachable(where)}) t where conversation_id is not null`,
  );
  return rows.rows[0]!.n;
}

export async function nextReachable(executor: Executor, where: SQL, after: string | null, limit: number) {
  const rows = await executor.execute<{ customer_id: string; conversation_id: string }>(sql`
    select * from (${reachable(sql`${where} ${after ? sql`and customers.id > ${after}` : sql``}`)}) t
    where conversation_id is not null order by customer_id limit ${limit}`);
  return rows.rows;
}

/** Who served the conversation: its assignee, else the agent who sent its latest public reply (rated for it). */
export async function servingAgentOf(executor: Executor, workspaceId: string, conversationId: string) {
  const rows = await executor.execute<{ agent_id: string | null }>(sql`
    select coalesce(c.assignee_id, (
      select m.sender_id from messages m
      where m.workspace_id = c.workspace_id and m.conversation_id = c.id
        and m.sender_kind = 'agent' and not m.private and m.sender_id is not null
      order by m.id desc limit 1)) as agent_id
    from conversations c where c.workspace_id = ${workspaceId} and c.id = ${conversationId}`);
  return rows.rows[0]?.agent_id ?? null;
}

export type ResponseFilters = {
  kind?: SurveyKind;
  agentId?: string;
  from?: string;
  to?: string;
  minScore?: number;
  maxScore?: number;
};

export type ResponseRow = {
  id: string;
  survey_id: string;
  kind: SurveyKind;
  score: number;
  comment: string | null;
  customer_id: string;
  customer_name: string | null;
  conversation_id: string | null;
  agent_id: string | null;
  agent_name: string | null;
  follow_up_ticket_id: string | null;
  answered_at: Date;
};

const responseWhere = (workspaceId: string, f: ResponseFilters) => sql`r.workspace_id = ${workspaceId}
  ${f.kind ? sql`and r.kind = ${f.kind}` : sql``}
  ${f.agentId ? sql`and r.agent_id = ${f.agentId}` : sql``}
  ${f.from ? sql`and r.answered_at >= ${f.from}::timestamptz` : sql``}
  ${f.to ? sql`and r.answered_at < ${f.to}::timestamptz` : sql``}
  ${f.minScore !== undefined ? sql`and r.score >= ${f.minScore}` : sql``}
  ${f.maxScore !== undefined ? sql`and r.score <= ${f.maxScore}` : sql``}`;

/** Newest first, keyset on (answered_at, id). */
export async function listResponses(
  executor: Executor,
  workspaceId: string,
  filters: ResponseFilters,
  before: { at: string; id: string } | null,
  limit: number,
) {
  const rows = await executor.execute<ResponseRow>(sql`
    select r.id, r.survey_id, r.kind, r.score, r.comment, r.customer_id, c.name as customer_name,
      r.conversation_id, r.agent_id, u.name as agent_name, r.follow_up_ticket_id, r.answered_at
    from survey_responses r
    join customers c on c.id = r.customer_id
    left join users u on u.id = r.agent_id
    where ${responseWhere(workspaceId, filters)}
      ${before ? sql`and (r.answered_at, r.id) < (${before.at}::timestamptz, ${before.id}::uuid)` : sql``}
    order by r.answered_at desc, r.id desc
    limit ${limit}`);
  return rows.rows.map((row) => ({ ...row, answered_at: new Date(row.answered_at) }));
}

export async function summarise(executor: Executor, workspaceId: string, f: Omit<ResponseFilters, 'kind'>) {
  const sentWhere = sql`s.workspace_id = ${workspaceId}
    ${f.agentId ? sql`and s.agent_id = ${f.agentId}` : sql``}
    ${f.from ? sql`and s.sent_at >= ${f.from}::timestamptz` : sql``}
    ${f.to ? sql`and s.sent_at < ${f.to}::timestamptz` : sql``}`;
  const sent = await executor.execute<{ kind: SurveyKind; sent: number; answered: number }>(sql`
    select s.kind, count(*)::int as sent, count(*) filter (where s.status = 'answered')::int as answered
    from surveys s where ${sentWhere} group by s.kind`);
  const scores = await executor.execute<{ kind: SurveyKind; score: number; n: number }>(sql`
    select r.kind, r.score, count(*)::int as n from survey_responses r
    where ${responseWhere(workspaceId, f)} group by r.kind, r.score`);
  return { sent: sent.rows, scores: scores.rows };
}
