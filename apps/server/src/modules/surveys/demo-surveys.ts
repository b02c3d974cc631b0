import { DEFAULT_CSAT_QUESTION, DEFAULT_NPS_QUESTION } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import { surveyResponses, surveys } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId, randomToken } from '../../platform/ids.ts';

const DAY_MS = 86_400_000;

const CSAT_COMMENTS: Record<number, string[]> = {
  5: ['客服小姐姐很耐心，问题很快解决了', '回复超快，点赞！', '物流问题帮我跟进到底，非常感谢', ''],
  4: ['整体不错，就是排队等了一会儿', '解答清楚，谢谢', ''],
  3: ['还行吧，退款有点慢', ''],
  2: ['等了好久才有人回复', '问题没有完全解决'],
  1: ['态度敷衍，很失望'],
};
const CSAT_SCORES = [5, 5, 4, 5, 3, 4, 5, 2, 5, 4, 4, 5, 1, 5, 4, 3, 5, 5, 4, 5, 2, 4, 5, 5, 4, 5, 3, 5, 4, 5, 5, 4];
const NPS_SCORES = [10, 9, 8, 10, 6, 9, 7, 10, 3, 9, 8, 10, 9, 5];
const NPS_COMMENTS = ['价格实惠，售后靠谱', '会推荐给朋友', '', '物流太慢了', '', '东西不错'];

/**
 * Demo satisfaction data: a few dozen answered CSAT surveys over the last month (the resolved demo conversations
 * first) and one NPS send to the customers, most of it answered. Written directly, without messages or tickets.
 */
export async function seedDemoSurveys(executor: Executor, workspaceId: string) {
  const agents = (
    await executor.execute<{ id: string }>(
      sql`select id from users where workspace_id = ${workspaceId} and role in ('agent', 'supervisor') order by id`,
    )
  ).rows.map((row) => row.id);
  const resolved = (
    await executor.execute<{ id: string; customer_id: string; assignee_id: string | null }>(
      sql`select id, customer_id, assignee_id from conversations where workspace_id = ${workspaceId}
          and status = 'resolved' order by id`,
    )
  ).rows;
  const customerIds = (
    await executor.execute<{ id: string }>(
      sql`select id from customers where workspace_id = ${workspaceId} and merged_into_id is null order by id limit 60`,
    )
  ).rows.map((row) => row.id);
  if (customerIds.length === 0) return;
  const now = Date.now();
  const surveyRows: (typeof surveys.$inferInsert)[] = [];
  const responseRows: (typeof surveyResponses.$inferInsert)[] = [];

  for (const [i, score] of CSAT_SCORES.entries()) {
    const conversation = resolved[i];
    const sentAt = new Date(now - ((i * 23) % 29) * DAY_MS - (i % 9) * 3_600_000 - DAY_MS / 4);
    const agentId = conversation?.assignee_id ?? agents[i % Math.max(agents.length, 1)] ?? null;
    const id = newId();
    const customerId = conversation?.customer_id ?? customerIds[(i * 7) % customerIds.length]!;
    surveyRows.push({
      id,
      workspaceId,
      kind: 'csat',
      customerId,
      conversationId: conversation?.id ?? null,
      agentId,
      question: DEFAULT_CSAT_QUESTION,
      token: randomToken(16),
      status: 'answered',
      sentAt,
      expiresAt: new Date(sentAt.getTime() + 7 * DAY_MS),
    });
    const comments = CSAT_COMMENTS[score]!;
    responseRows.push({
      id: newId(),
      workspaceId,
      surveyId: id,
      kind: 'csat',
      score,
      comment: comments[i % comments.length] || null,
      customerId,
      conversationId: conversation?.id ?? null,
      agentId,
      answeredAt: new Date(sentAt.getTime() + ((i % 5) + 1) * 240_000),
    });
  }
  // A few CSAT invitations nobody answered, so the response rate is believable.
  for (let i = 0; i < 6; i++) {
    const sentAt = new Date(now - (i + 1) * 2 * DAY_MS);
    surveyRows.push({
      id: newId(),
      workspaceId,
      kind: 'csat',
      customerId: customerIds[(i * 11 + 3) % customerIds.length]!,
      agentId: agents[i % Math.max(agents.length, 1)] ?? null,
      question: DEFAULT_CSAT_QUESTION,
      token: randomToken(16),
      status: i < 3 ? 'expired' : 'sent',
      sentAt,
      expiresAt: new Date(sentAt.getTime() + 7 * DAY_MS),
    });
  }

  const sendId = newId();
  const npsSentAt = new Date(now - 10 * DAY_MS);
  for (let i = 0; i < 20; i++) {
    const id = newId();
    const customerId = customerIds[(i * 3) % customerIds.length]!;
    const score = NPS_SCORES[i];
    surveyRows.push({
      id,
      workspaceId,
      kind: 'nps',
      customerId,
      sendId,
      question: DEFAULT_NPS_QUESTION,
      token: randomToken(16),
      status: score === undefined ? 'sent' : 'answered',
      sentAt: npsSentAt,
      expiresAt: new Date(npsSentAt.getTime() + 14 * DAY_MS),
    });
    if (score === undefined) continue;
    responseRows.push({
      id: newId(),
      workspaceId,
      surveyId: id,
      kind: 'nps',
      score,
      comment: NPS_COMMENTS[i % NPS_COMMENTS.length] || null,
      customerId,
      answeredAt: new Date(npsSentAt.getTime() + (i + 1) * 3_600_000),
    });
  }
  await executor.insert(surveys).values(surveyRows).onConflictDoNothing();
  await executor.insert(surveyResponses).values(responseRows).onConflictDoNothing();
}
