import { localDate } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { reportingEvents } from '../../db/schema.ts';
import { workspaceTimezone } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';

type Row = typeof reportingEvents.$inferInsert;

const COMPLAINT_WORDS = ['物流', '快递', '退款', '质量', '破损', '发货', '客服态度', '少件', '色差', '尺码'];
const CATEGORIES = ['inquiry', 'inquiry', 'logistics', 'logistics', 'return', 'complaint', 'other'];
/** Share of a day's conversations per local hour: quiet nights, busy late mornings, afternoons and evenings. */
const HOUR_WEIGHTS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 3, 5, 7, 7.5, 5, 5.5, 6.5, 6.5, 6, 5, 4, 4.5, 6, 6.5, 5, 2.5,
];

function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Reporting facts for the demo: the seeded conversations as they happened today, and 30 days of history
 * before them (believable volumes, response times and ratings), so the dashboard has a month to show. The worker's
 * rollup sweep rolls the past days up when it starts; until then the report reads the same figures from the facts.
 */
export async function seedDemoReporting(db: Db, workspaceId: string, now = new Date()) {
  const rand = random(20_250_101);
  const tz = await workspaceTimezone(db, workspaceId);
  const inboxes = (await db.execute<{ id: string }>(sql`select id from inboxes where workspace_id = ${workspaceId}`))
    .rows;
  const agents = (
    await db.execute<{ id: string; team_id: string | null }>(sql`
      select u.id, (select tm.team_id from team_members tm where tm.user_id = u.id limit 1) as team_id
      from users u where u.workspace_id = ${workspaceId} and u.role in ('supervisor', 'agent')`)
  ).rows;
  const customers = (
    await db.execute<{ id: string }>(sql`select id from customers where workspace_id = ${workspaceId} limit 500`)
  ).rows;
  if (inboxes.length === 0 || agents.length === 0 || customers.length === 0) return 0;
  const rows: Row[] = [];
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)]!;
  const logNormal = (median: number, spread: number) =>
    Math.round(median * Math.exp((rand() + rand() + rand() - 1.5) * spread));
  const fact = (row: Omit<Row, 'id' | 'workspaceId'>) => rows.push({ id: newId(), workspaceId, ...row });

  // The seeded conversations of today, from their messages.
  const seeded = (
    await db.execute<{
      id: string;
      inbox_id: string;
      team_id: string | null;
      assignee_id: string | null;
      customer_id: string;
      status: string;
      created_at: string;
      first_agent_at: string | null;
      first_agent_id: string | null;
      last_at: string;
    }>(sql`
      select c.id, c.inbox_id, c.team_id, c.assignee_id, c.customer_id, c.status, c.created_at, c.last_message_at as last_at,
        (select min(m.created_at) from messages m where m.workspace_id = c.workspace_id and m.conversation_id = c.id
           and m.sender_kind = 'agent') as first_agent_at,
        (select m.sender_id from messages m where m.workspace_id = c.workspace_id and m.conversation_id = c.id
           and m.sender_kind = 'agent' order by m.created_at limit 1) as first_agent_id
      from conversations c where c.workspace_id = ${workspaceId}`)
  ).rows;
  for (const c of seeded) {
    const base = { conversationId: c.id, inboxId: c.inbox_id, teamId: c.team_id, customerId: c.customer_id };
    const created = new Date(c.created_at);
    fact({ ...base, occurredAt: created, kind: 'conversation_created', factKey: c.id, agentId: c.assignee_id });
    if (c.first_agent_at) {
      const at = new Date(c.first_agent_at);
      const seconds = Math.round((at.getTime() - created.getTime()) / 1000);
      for (const kind of ['first_response', 'reply_time']) {
        fact({
          ...base,
          occurredAt: at,
          kind,
          factKey: kind === 'reply_time' ? `demo:${c.id}` : c.id,
          agentId: c.first_agent_id,
          value: seconds,
          businessValue: seconds,
        });
      }
    }
    if (c.status === 'resolved') {
      const at = new Date(c.last_at);
      const seconds = Math.round((at.getTime() - created.getTime()) / 1000);
      fact({
        ...base,
        occurredAt: at,
        kind: 'conversation_resolved',
        factKey: `${c.id}:0`,
        dim: 'first',
        agentId: c.assignee_id,
        value: seconds,
        businessValue: seconds,
      });
    }
  }

  // 30 days of history before today.
  const today = localDate(now, tz);
  const weightSum = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
  for (let daysAgo = 30; daysAgo >= 1; daysAgo--) {
    const dayStart = new Date(`${today}T00:00:00+08:00`).getTime() - daysAgo * 86_400_000;
    const weekday = new Date(dayStart + 8 * 3_600_000).getUTCDay();
    const volume = Math.round((weekday === 0 || weekday === 6 ? 38 : 55) * (0.8 + rand() * 0.4));
    for (let n = 0; n < volume; n++) {
      let r = rand() * weightSum;
      let hour = 0;
      while (r > HOUR_WEIGHTS[hour]! && hour < 23) r -= HOUR_WEIGHTS[hour++]!;
      const created = new Date(dayStart + hour * 3_600_000 + Math.floor(rand() * 3_600_000));
      const conversationId = newId();
      const agent = pick(agents);
      const base = { conversationId, inboxId: pick(inboxes).id, teamId: agent.team_id, customerId: pick(customers).id };
      fact({ ...base, occurredAt: created, kind: 'conversation_created', factKey: conversationId, agentId: agent.id });
      if (rand() < 0.1)
        fact({ ...base, occurredAt: created, kind: 'conversation_repeat', factKey: conversationId, agentId: agent.id });
      const isBot = rand() < 0.3;
      if (isBot) {
        fact({
          ...base,
          occurredAt: new Date(created.getTime() + 5_000),
          kind: 'bot_engaged',
          factKey: conversationId,
        });
        fact({
          ...base,
          occurredAt: new Date(created.getTime() + 5_000),
          kind: 'bot_answered',
          factKey: conversationId,
        });
        if (rand() < 0.45) {
          const at = new Date(created.getTime() + 120_000);
          fact({ ...base, occurredAt: at, kind: 'bot_resolved', factKey: conversationId });
          fact({
            ...base,
            occurredAt: at,
            kind: 'conversation_resolved',
            factKey: `${conversationId}:0`,
            dim: 'first',
            value: 120,
            businessValue: 120,
          });
          continue;
        }
        fact({
          ...base,
          occurredAt: new Date(created.getTime() + 60_000),
          kind: 'bot_handed_off',
          factKey: conversationId,
          dim: pick(['requested', 'requested', 'low_confidence', 'negative']),
        });
      }
      const firstResponse = Math.max(5, logNormal(hour >= 9 && hour < 22 ? 45 : 600, 1.2));
      const replied = new Date(created.getTime() + firstResponse * 1000);
      const business = hour >= 9 && hour < 22 ? firstResponse : Math.max(5, logNormal(40, 0.8));
      fact({
        ...base,
        occurredAt: replied,
        kind: 'first_response',
        factKey: conversationId,
        agentId: agent.id,
        value: firstResponse,
        businessValue: business,
      });
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
        const reply = k === 0 ? firstResponse : Math.max(5, logNormal(60, 1));
        fact({
          ...base,
          occurredAt: new Date(replied.getTime() + k * 300_000),
          kind: 'reply_time',
          factKey: `${conversationId}:${k}`,
          agentId: agent.id,
          value: reply,
          businessValue: k === 0 ? business : reply,
        });
      }
      if (rand() < 0.12) {
        fact({
          ...base,
          occurredAt: created,
          kind: 'urgent_message',
          factKey: conversationId,
          extra: { reasons: ['complaint_threat'] },
        });
        for (const word of new Set([pick(COMPLAINT_WORDS), pick(COMPLAINT_WORDS)])) {
          fact({
            ...base,
            occurredAt: created,
            kind: 'complaint_keyword',
            factKey: `${conversationId}:${word}`,
            dim: word,
            agentId: agent.id,
          });
        }
      }
      if (rand() < 0.88) {
        const resolution = Math.max(firstResponse + 60, logNormal(1500, 1.3));
        const resolved = new Date(created.getTime() + resolution * 1000);
        fact({
          ...base,
          occurredAt: resolved,
          kind: 'conversation_resolved',
          factKey: `${conversationId}:0`,
          dim: 'first',
          agentId: agent.id,
          value: resolution,
          businessValue: Math.round(resolution * 0.85),
        });
        if (rand() < 0.14)
          fact({
            ...base,
            occurredAt: resolved,
            kind: 'fcr_broken',
            factKey: conversationId,
            agentId: agent.id,
            extra: { reason: 'returned' },
          });
        if (rand() < 0.35) {
          const score = pick([5, 5, 5, 5, 4, 4, 4, 3, 2, 1]);
          fact({
            ...base,
            occurredAt: new Date(resolved.getTime() + 300_000),
            kind: 'csat',
            factKey: newId(),
            dim: String(score),
            agentId: agent.id,
            value: score,
          });
        }
      }
    }
    for (let t = 0; t < 4 + Math.floor(rand() * 5); t++) {
      const ticketId = newId();
      const agent = pick(agents);
      const created = new Date(dayStart + (9 + Math.floor(rand() * 12)) * 3_600_000 + Math.floor(rand() * 3_600_000));
      const category = pick(CATEGORIES);
      const base = {
        ticketId,
        inboxId: pick(inboxes).id,
        teamId: agent.team_id,
        agentId: agent.id,
        customerId: pick(customers).id,
        dim: category,
      };
      fact({
        ...base,
        occurredAt: created,
        kind: 'ticket_created',
        factKey: ticketId,
        extra: { severity: rand() < 0.1 ? 'urgent' : 'normal' },
      });
      const resolution = logNormal(8 * 3600, 1);
      const resolved = new Date(created.getTime() + resolution * 1000);
      if (resolved.getTime() < now.getTime()) {
        fact({ ...base, occurredAt: resolved, kind: 'ticket_resolved', factKey: ticketId, value: resolution });
        const isMet = rand() < 0.86;
        fact({
          ...base,
          occurredAt: resolved,
          kind: isMet ? 'ticket_sla_met' : 'ticket_sla_missed',
          factKey: ticketId,
        });
        if (!isMet)
          fact({
            ...base,
            occurredAt: resolved,
            kind: 'ticket_sla_breached',
            factKey: `${ticketId}:resolution`,
            dim: 'resolution',
          });
      }
    }
    if (daysAgo % 7 === 0) {
      for (let k = 0; k < 12; k++) {
        const score = pick([10, 10, 9, 9, 9, 8, 8, 7, 6, 4]);
        fact({
          occurredAt: new Date(dayStart + 15 * 3_600_000 + k * 60_000),
          kind: 'nps',
          factKey: newId(),
          customerId: pick(customers).id,
          dim: String(score),
          value: score,
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insert(reportingEvents)
      .values(rows.slice(i, i + 1000))
      .onConflictDoNothing();
  }
  // The dashboard says which days are made up: their conversations are not in the inbox.
  await db.execute(sql`update workspaces set settings = settings || ${JSON.stringify({ sampleHistoryUntil: today })}::jsonb
    where id = ${workspaceId}`);
  return rows.length;
}
