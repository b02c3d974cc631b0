import { describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  pause,
  startConversation,
} from '../../../test/harness.ts';

// Findings of exploratory test J (2026-11-25): duplicate tickets, silent loop skips, ticket dry runs, raw enum
// values and unexplained runs.

const context = await createTestApp();
const { pool } = context.database;

type Run = {
  id: string;
  status: string;
  reason: string | null;
  triggerKey: string;
  actionsResult: { type: string; ok: boolean; detail?: string | null; values?: Record<string, string> }[];
  context: Record<string, unknown> & { conditions?: { path: string; field: string; passed: boolean }[] };
};

async function until<T>(probe: () => Promise<T>, holds: (value: T) => boolean, timeoutMs = 15_000) {
  const started = Date.now();
  let value = await probe();
  while (!holds(value)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await pause(25);
    value = await probe();
  }
  return value;
}

const runsOf = async (client: Client, ruleId: string) =>
  ((await client.get(`/api/v1/automation/runs?ruleId=${ruleId}`)).json().items as Run[]).reverse();

/** The rule's runs that acted (not the hourly 「条件未满足」 entry), oldest first, once `count` finished. */
const untilRuns = (client: Client, ruleId: string, count: number) =>
  until(
    async () => (await runsOf(client, ruleId)).filter((run) => !run.triggerKey.startsWith('nomatch:')),
    (runs) => runs.length >= count && runs.every((run) => run.status !== 'running'),
  );

async function createRule(client: Client, body: Record<string, unknown>) {
  const response = await client.post('/api/v1/automation/rules', { enabled: true, ...body });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json() as { id: string };
}

const refundCondition = {
  op: 'and',
  conditions: [{ field: 'message.content', operator: 'contains', value: '退款' }],
};

const refundRule = (client: Client, actions: unknown[] = []) =>
  createRule(client, {
    name: '退款加急',
    trigger: { type: 'message.created', direction: 'inbound' },
    conditions: refundCondition,
    actions: [...actions, { type: 'create_ticket', category: 'return', severity: 'urgent' }],
  });

const ticketsOf = async (conversationId: string) =>
  (
    await pool.query<{ id: string; number: number }>(
      'select id, number from tickets where conversation_id = $1 order by number',
      [conversationId],
    )
  ).rows;

describe('create_ticket (J#2)', () => {
  it('opens one ticket per conversation while it is unfinished, and a new one after it was resolved', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const rule = await refundRule(owner);
    const chat = await startConversation(context, inbox.token, '退款什么时候到账？');
    await untilRuns(owner, rule.id, 1);
    await chat.visitor.send('我的退款申请怎么样了');
    const runs = await untilRuns(owner, rule.id, 2);
    const [first] = await ticketsOf(chat.conversationId);
    expect(await ticketsOf(chat.conversationId)).toHaveLength(1);
    expect(runs[0]!.actionsResult[0]).toMatchObject({ ok: true, detail: `已创建工单 #${first!.number}` });
    expect(runs[1]!.actionsResult[0]).toMatchObject({
      ok: true,
      detail: `会话已有未完成的工单 #${first!.number}，未重复创建`,
      values: { ticketId: first!.id },
    });

    const resolved = await owner.patch(`/api/v1/tickets/${first!.id}`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await chat.visitor.send('退款又出问题了');
    await untilRuns(owner, rule.id, 3);
    expect(await ticketsOf(chat.conversationId)).toHaveLength(2);
  });

  it('notes a repeated request on the reused ticket, masked, at most once per rule in 10 minutes', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const rule = await refundRule(owner);
    const chat = await startConversation(context, inbox.token, '退款什么时候到账？');
    await untilRuns(owner, rule.id, 1);
    const [ticket] = await ticketsOf(chat.conversationId);
    const notes = async () =>
      (
        (await owner.get(`/api/v1/tickets/${ticket!.id}/timeline`)).json().items as {
          kind: string;
          body: string;
          internal: boolean;
          actorId: string | null;
        }[]
      ).filter((entry) => entry.kind === 'comment');
    expect(await notes()).toEqual([]);

    await chat.visitor.send('退款还没到，我电话 13812345678');
    await untilRuns(owner, rule.id, 2);
    const [note] = await notes();
    expect(note).toMatchObject({ internal: true, actorId: null });
    expect(note!.body).toMatch(/^自动化规则「退款加急」再次匹配：退款还没到，我电话 138\*+5678$/);

    await chat.visitor.send('退款到底什么时候到');
    await untilRuns(owner, rule.id, 3);
    expect(await notes()).toHaveLength(1);

    // Ten minutes later the same rule notes again.
    await pool.query(
      `update ticket_events set created_at = created_at - interval '11 minutes' where ticket_id = $1 and kind = 'comment'`,
      [ticket!.id],
    );
    await chat.visitor.send('退款再不到我就投诉了');
    await untilRuns(owner, rule.id, 4);
    const later = await notes();
    expect(later).toHaveLength(2);
    expect(later.map((entry) => entry.body)).toContain('自动化规则「退款加急」再次匹配：退款再不到我就投诉了');
    expect(await ticketsOf(chat.conversationId)).toHaveLength(1);
  });

  it('creates one ticket when two matching messages of a conversation arrive at once', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const rule = await refundRule(owner);
    const chat = await startConversation(context, inbox.token, '你好');
    await Promise.all([chat.visitor.send('退款一'), chat.visitor.send('退款二'), chat.visitor.send('退款三')]);
    await untilRuns(owner, rule.id, 3);
    expect(await ticketsOf(chat.conversationId)).toHaveLength(1);
    expect(
      await countRows(context, `from ticket_events where ticket_id = $1 and kind = 'comment'`, [
        (await ticketsOf(chat.conversationId))[0]!.id,
      ]),
    ).toBe(1);
  });
});

describe('loop policy is explained (J#7)', () => {
  it('logs a skipped run naming the rule whose ticket would have triggered a ticket.created rule', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const cause = await refundRule(owner);
    const follower = await createRule(owner, {
      name: '新工单内部备注',
      trigger: { type: 'ticket.created' },
      actions: [{ type: 'private_note', content: '新工单' }],
    });
    await startConversation(context, inbox.token, '我要退款');
    await untilRuns(owner, cause.id, 1);
    const [skipped] = await untilRuns(owner, follower.id, 1);
    expect(skipped).toMatchObject({ status: 'skipped', actionsResult: [] });
    expect(skipped!.reason).toBe('由自动化规则「退款加急」产生的变化不会触发其他规则（防止规则互相触发、循环执行）');
    expect(skipped!.context.summary).toMatch(/^工单 #\d+$/);
    // Skipped runs are not runs of the rule.
    expect((await owner.get(`/api/v1/automation/rules/${follower.id}`)).json()).toMatchObject({ runCount: 0 });
  });
});

describe('dry run of ticket triggers (J#8)', () => {
  it('replays tickets people created, their changes and breaches, not the tickets automation created', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const chat = await startConversation(context, inbox.token, '物流咨询');
    const made = [];
    for (const subject of ['物流咨询', '发票问题']) {
      const response = await owner.post('/api/v1/tickets', {
        subject,
        category: 'inquiry',
        severity: 'normal',
        customerId: chat.customerId,
      });
      expect(response.statusCode, response.body).toBe(201);
      made.push(response.json() as { id: string; number: number });
    }
    const auto = await refundRule(owner);
    await chat.visitor.send('退款');
    await untilRuns(owner, auto.id, 1);
    expect(await countRows(context, 'from tickets where workspace_id = $1', [owner.workspaceId])).toBe(3);

    const dryRun = async (type: string, conditions?: unknown) => {
      const response = await owner.post('/api/v1/automation/rules/dry-run', {
        rule: {
          name: 'x',
          trigger: { type },
          ...(conditions ? { conditions } : {}),
          actions: [{ type: 'private_note', content: 'x' }],
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const created = await dryRun('ticket.created');
    expect(created).toMatchObject({ wouldFire: 2, examined: 2 });
    expect(created.samples.map((sample: { summary: string }) => sample.summary).sort()).toEqual(
      made.map((ticket) => `工单 #${ticket.number}`).sort(),
    );
    // Conditions read the ticket's customer's conversation, as live.
    const inInbox = { op: 'and', conditions: [{ field: 'conversation.inbox', operator: 'in', value: [inbox.id] }] };
    expect((await dryRun('ticket.created', inInbox)).wouldFire).toBe(2);

    expect((await dryRun('ticket.updated')).wouldFire).toBe(0);
    const patched = await owner.patch(`/api/v1/tickets/${made[0]!.id}`, { severity: 'urgent', category: 'complaint' });
    expect(patched.statusCode, patched.body).toBe(200);
    // One change of two fields is one event.
    expect(await dryRun('ticket.updated')).toMatchObject({ wouldFire: 1, examined: 1 });

    await pool.query(
      `insert into ticket_events (id, workspace_id, ticket_id, kind, data) values (gen_random_uuid(), $1, $2, 'sla_breached', '{"target":"first_response"}')`,
      [owner.workspaceId, made[1]!.id],
    );
    const breached = await dryRun('ticket.sla_breached');
    expect(breached).toMatchObject({ wouldFire: 1 });
    expect(breached.samples[0].triggerKey).toBe(`ticket:${made[1]!.id}:breached:first_response`);
  });
});

describe('run details (J#10, J#11)', () => {
  it('keeps enum values as values, says why a rule ran and masks digits in the excerpt', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const rule = await refundRule(owner, [
      { type: 'set_priority', priority: 'urgent' },
      { type: 'set_lifecycle', stage: 'active' },
    ]);
    await startConversation(context, inbox.token, '退款，电话13812345678');
    const [run] = await untilRuns(owner, rule.id, 1);
    expect(run!.actionsResult[0]).toMatchObject({ ok: true, detail: '已更改优先级', values: { priority: 'urgent' } });
    expect(run!.actionsResult[1]).toMatchObject({
      ok: true,
      detail: '生命周期已设为活跃',
      values: { stage: 'active' },
    });
    const [seen] = await untilRuns(analyst, rule.id, 1);
    expect(seen!.context).toMatchObject({
      summary: '退款，电话138****5678',
      conditions: [{ path: '1', field: 'message.content', operator: 'contains', passed: true }],
    });
    const stored = await pool.query<{ context: unknown }>('select context from automation_runs where rule_id = $1', [
      rule.id,
    ]);
    expect(JSON.stringify(stored.rows)).not.toContain('13812345678');
  });

  it('aggregates events whose conditions failed into one hourly entry naming the failing condition', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const rule = await createRule(owner, {
      name: '退款且紧急',
      trigger: { type: 'message.created', direction: 'inbound' },
      conditions: {
        op: 'and',
        conditions: [
          { field: 'message.content', operator: 'contains', value: '退款' },
          { field: 'message.content', operator: 'contains', value: '马上' },
        ],
      },
      actions: [{ type: 'private_note', content: 'x' }],
    });
    await startConversation(context, inbox.token, '退款进度');
    await startConversation(context, inbox.token, '发货了吗');
    const [entry] = await until(
      () => runsOf(owner, rule.id),
      (runs) => runs.length > 0,
    );
    expect(entry).toMatchObject({ status: 'skipped', reason: '条件未满足：条件 2 不成立' });
    expect(entry!.triggerKey).toMatch(/^nomatch:\d{4}-\d{2}-\d{2}T\d{2}$/);
    expect(entry!.context).toMatchObject({
      notMatched: 1,
      summary: '退款进度',
      conditions: [
        { path: '1', passed: true },
        { path: '2', passed: false },
      ],
    });
    await pause(200);
    // One row, not one per event (the second miss is counted at the next write, at most once a minute).
    expect(await countRows(context, 'from automation_runs where rule_id = $1', [rule.id])).toBe(1);
  });

  it('tells in a dry run which condition each missed event failed', async () => {
    const { owner, inbox } = await createWorkspace(context);
    await startConversation(context, inbox.token, '我要退款');
    await startConversation(context, inbox.token, '发货了吗');
    const response = await owner.post('/api/v1/automation/rules/dry-run', {
      rule: {
        name: 'x',
        trigger: { type: 'message.created', direction: 'inbound' },
        conditions: refundCondition,
        actions: [{ type: 'private_note', content: 'x' }],
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result.samples).toMatchObject([{ summary: '我要退款', conditions: [{ path: '1', passed: true }] }]);
    expect(result.misses).toMatchObject([
      { summary: '发货了吗', conditions: [{ path: '1', field: 'message.content', passed: false }] },
    ]);
  });
});
