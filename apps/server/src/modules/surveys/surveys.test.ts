import { describe, expect, it } from 'vitest';
import {
  clientFor,
  countRows,
  createTestApp,
  createWorkspace,
  DEMO_SEED_TIMEOUT_MS,
  pause,
  readBack,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();
const { pool } = context.database;
const visitorClient = clientFor(context);

async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await probe();
    if (value) return value;
    await pause(30);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function surveyOf(conversationId: string) {
  const { rows } = await pool.query<{ id: string; token: string; status: string; agent_id: string | null }>(
    `select id, token, status, agent_id from surveys where conversation_id = $1 and kind = 'csat'`,
    [conversationId],
  );
  return rows[0];
}

/** A workspace with an agent who resolves a visitor's conversation; answers the CSAT survey that follows. */
async function resolvedConversation(shop?: Awaited<ReturnType<typeof createWorkspace>>) {
  const workspace = shop ?? (await createWorkspace(context));
  const agent = await workspace.addUser('agent', '小美');
  const chat = await startConversation(context, workspace.inbox.token, '我的快递三天没动了');
  await workspace.owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, { assigneeId: agent.userId });
  const resolved = await agent.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
  expect(resolved.statusCode).toBe(200);
  const survey = await until(() => surveyOf(chat.conversationId), 'the CSAT survey');
  await until(
    async () =>
      (await countRows(context, `from messages where conversation_id = $1 and content like '%/s/%'`, [
        chat.conversationId,
      ])) > 0,
    'the survey message',
  );
  return { shop: workspace, agent, chat, survey };
}

const answer = (token: string, body: unknown) =>
  visitorClient.post(`/public/v1/surveys/${token}/responses`, body as Record<string, unknown>);

describe('CSAT after resolution', () => {
  it('sends one CSAT survey into the conversation when an agent resolves it, not again on a replay', async () => {
    const { chat, survey, agent } = await resolvedConversation();
    expect(survey.status).toBe('sent');
    expect(survey.agent_id).toBe(agent.userId);
    expect(survey.token).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Replayed after a restart and resolved again after a reopen: still one survey, one invitation.
    const { rows } = await pool.query('select * from conversations where id = $1', [chat.conversationId]);
    context.events.publish({
      type: 'conversation.resolved',
      workspaceId: rows[0].workspace_id,
      performedBy: agent.userId!,
      replayed: true,
      conversation: { id: chat.conversationId } as never,
    });
    await agent.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'open' });
    await agent.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    await pause(300);
    expect(await countRows(context, 'from surveys where conversation_id = $1', [chat.conversationId])).toBe(1);
    expect(
      await countRows(context, `from messages where conversation_id = $1 and content like '%/s/%'`, [
        chat.conversationId,
      ]),
    ).toBe(1);
  });

  it('rates the agent who answered an unassigned conversation', async () => {
    const shop = await createWorkspace(context);
    const agent = await shop.addUser('agent', '小丽');
    const chat = await startConversation(context, shop.inbox.token, '在吗');
    expect(
      (await agent.post(`/api/v1/conversations/${chat.conversationId}/messages`, { content: '在的' })).statusCode,
    ).toBe(201);
    await shop.owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, { assigneeId: null });
    expect((await shop.owner.get(`/api/v1/conversations/${chat.conversationId}`)).json().assigneeId).toBeNull();
    expect(
      (await agent.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' })).statusCode,
    ).toBe(200);
    const survey = await until(() => surveyOf(chat.conversationId), 'the CSAT survey');
    expect(survey.agent_id).toBe(agent.userId);
  });

  it('shows the invitation to the visitor with the link, as a system message', async () => {
    const { shop, chat, survey } = await resolvedConversation();
    const history = await readBack(context, shop.inbox.token, chat.visitor);
    const invitation = history
      .json()
      .items.find((message: { content: string }) => message.content.includes(`/s/${survey.token}`));
    expect(invitation).toMatchObject({ senderKind: 'system', direction: 'outbound' });
    expect(invitation.content).toContain('您对本次服务满意吗？');
  });

  it('sends nothing when auto-send is off, and the agent can still invite from the composer', async () => {
    const shop = await createWorkspace(context);
    const settings = (await shop.owner.get('/api/v1/surveys/settings')).json();
    const saved = await shop.owner.request({
      method: 'PUT',
      url: '/api/v1/surveys/settings',
      payload: { ...settings, csatAutoSend: false },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().csatAutoSend).toBe(false);
    const agent = await shop.addUser('agent');
    const chat = await startConversation(context, shop.inbox.token);
    await agent.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    await pause(300);
    expect(await surveyOf(chat.conversationId)).toBeUndefined();

    const invited = await agent.post('/api/v1/surveys/csat', { conversationId: chat.conversationId });
    expect(invited.statusCode).toBe(201);
    expect(invited.json()).toMatchObject({ kind: 'csat', status: 'sent', conversationId: chat.conversationId });
    expect(invited.json().link).toMatch(/^\/s\//);
    // Asking again posts the same link again, never a second survey.
    expect((await agent.post('/api/v1/surveys/csat', { conversationId: chat.conversationId })).json().link).toBe(
      invited.json().link,
    );
    expect(await countRows(context, 'from surveys where conversation_id = $1', [chat.conversationId])).toBe(1);
  });

  it('refuses the composer invitation when CSAT is switched off, and settings to agents', async () => {
    const shop = await createWorkspace(context);
    const agent = await shop.addUser('agent');
    const settings = (await shop.owner.get('/api/v1/surveys/settings')).json();
    expect(
      (await agent.request({ method: 'PUT', url: '/api/v1/surveys/settings', payload: settings })).statusCode,
    ).toBe(403);
    const bad = await shop.owner.request({
      method: 'PUT',
      url: '/api/v1/surveys/settings',
      payload: { ...settings, csatLowThreshold: 9 },
    });
    expect(bad.statusCode).toBe(400);
    await shop.owner.request({
      method: 'PUT',
      url: '/api/v1/surveys/settings',
      payload: { ...settings, csatEnabled: false },
    });
    const chat = await startConversation(context, shop.inbox.token);
    const refused = await agent.post('/api/v1/surveys/csat', { conversationId: chat.conversationId });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('survey.disabled');
  });
});

describe('answering a survey', () => {
  it('stores the answer once, refuses a second, and shows the rating to the agents', async () => {
    const { chat, survey } = await resolvedConversation();
    const shown = await visitorClient.get(`/public/v1/surveys/${survey.token}`);
    expect(shown.json()).toMatchObject({ kind: 'csat', state: 'open', min: 1, max: 5, score: null });

    const answered = await answer(survey.token, { score: 4, comment: '回复很快，谢谢' });
    expect(answered.statusCode).toBe(201);
    const { rows } = await pool.query('select score, comment, agent_id from survey_responses where survey_id = $1', [
      survey.id,
    ]);
    expect(rows).toEqual([{ score: 4, comment: '回复很快，谢谢', agent_id: survey.agent_id }]);
    expect((await visitorClient.get(`/public/v1/surveys/${survey.token}`)).json()).toMatchObject({
      state: 'answered',
      score: 4,
    });

    const again = await answer(survey.token, { score: 1 });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('survey.already_answered');
    expect(await countRows(context, 'from survey_responses where survey_id = $1', [survey.id])).toBe(1);

    const line = await until(
      async () =>
        (
          await pool.query<{ content: string; private: boolean }>(
            `select content, private from messages where conversation_id = $1 and content like '客户评价%'`,
            [chat.conversationId],
          )
        ).rows[0],
      'the rating line',
    );
    expect(line).toEqual({ content: '客户评价：★★★★☆ 回复很快，谢谢', private: true });
  });

  it('refuses scores outside the scale with 400 and stores nothing', async () => {
    const { survey } = await resolvedConversation();
    for (const body of [{ score: 6 }, { score: 0 }, { score: 3.5 }, { score: '5' }, {}, { score: 5, extra: 1 }]) {
      const response = await answer(survey.token, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.message).toBeTruthy();
    }
    expect((await answer(survey.token, { score: 6 })).json().error.message).toBe('评分须在 1 到 5 之间');
    expect(await countRows(context, 'from survey_responses where survey_id = $1', [survey.id])).toBe(0);
    expect((await answer(survey.token, { score: 5, comment: 'x'.repeat(1001) })).statusCode).toBe(400);
  });

  it('refuses an expired link with 410 and an unknown one with 404', async () => {
    const { survey } = await resolvedConversation();
    await pool.query(`update surveys set expires_at = now() - interval '1 minute' where id = $1`, [survey.id]);
    expect((await visitorClient.get(`/public/v1/surveys/${survey.token}`)).json().state).toBe('expired');
    const late = await answer(survey.token, { score: 5 });
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('survey.expired');
    expect((await pool.query('select status from surveys where id = $1', [survey.id])).rows[0].status).toBe('expired');
    expect(await countRows(context, 'from survey_responses where survey_id = $1', [survey.id])).toBe(0);
    const unknown = await answer('A'.repeat(22), { score: 5 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('survey.not_found');
  });

  it("opens one 差评回访 ticket for a low score, for a supervisor of the agent's team", async () => {
    const shop = await createWorkspace(context);
    const otherSupervisor = await shop.addUser('supervisor', '别组主管');
    const teamSupervisor = await shop.addUser('supervisor', '组长');
    const made = await resolvedConversation(shop);
    await shop.owner.post('/api/v1/teams', {
      name: '售后组',
      memberIds: [made.agent.userId, teamSupervisor.userId],
    });
    expect(otherSupervisor.userId).toBeDefined();
    expect((await answer(made.survey.token, { score: 2, comment: '等了很久' })).statusCode).toBe(201);
    const { rows } = await pool.query(
      'select subject, category, assignee_id, customer_id, conversation_id from tickets where workspace_id = $1',
      [shop.owner.workspaceId],
    );
    expect(rows).toEqual([
      {
        subject: '差评回访：满意度 2 分',
        category: 'complaint',
        assignee_id: teamSupervisor.userId,
        customer_id: made.chat.customerId,
        conversation_id: made.chat.conversationId,
      },
    ]);
    const response = (await shop.owner.get('/api/v1/surveys/responses')).json().items[0];
    expect(response.followUpTicketId).toBeTruthy();
    // A refused second answer opens nothing more; a good score opens nothing.
    await answer(made.survey.token, { score: 1 });
    const happy = await resolvedConversation(shop);
    await answer(happy.survey.token, { score: 3 });
    expect(await countRows(context, 'from tickets where workspace_id = $1', [shop.owner.workspaceId])).toBe(1);
  });

  it('answers 429 when one link is hammered', async () => {
    const { survey } = await resolvedConversation();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await visitorClient.get(`/public/v1/surveys/${survey.token}`)).statusCode);
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('publishes survey.responded for analytics', async () => {
    const { survey, chat, agent } = await resolvedConversation();
    const seen: unknown[] = [];
    const stop = context.events.subscribe((event) => {
      if (event.type === 'survey.responded') seen.push(event);
    });
    await answer(survey.token, { score: 5 });
    await until(async () => seen.length > 0, 'the event');
    stop();
    expect(seen[0]).toMatchObject({
      kind: 'csat',
      surveyId: survey.id,
      score: 5,
      comment: null,
      customerId: chat.customerId,
      conversationId: chat.conversationId,
      agentId: agent.userId,
    });
  });

  it('serves a link page that works without the widget, with everything escaped', async () => {
    const shop = await createWorkspace(context, '<script>alert(1)</script>小店');
    const { survey } = await resolvedConversation(shop);
    const page = await visitorClient.get(`/s/${survey.token}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'nonce-");
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;小店');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('您对本次服务满意吗？');
    const missing = await visitorClient.get('/s/not-a-real-token-at-all');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('评价链接无效');
    expect((await visitorClient.get('/s/%3Cimg%20src%3Dx%3E')).body).not.toContain('<img');
  });
});

describe('NPS to a segment', () => {
  it('counts, then creates one survey per reachable customer, idempotently, and delivers the link', async () => {
    const shop = await createWorkspace(context);
    const chats = [
      await startConversation(context, shop.inbox.token, '一'),
      await startConversation(context, shop.inbox.token, '二'),
      await startConversation(context, shop.inbox.token, '三'),
    ];
    const segment = (
      await shop.owner.post('/api/v1/segments', { name: '全部客户', filter: { op: 'and', conditions: [] } })
    ).json();
    const supervisor = await shop.addUser('supervisor');
    const agent = await shop.addUser('agent');
    expect((await agent.post('/api/v1/surveys/nps/count', { segmentId: segment.id })).statusCode).toBe(403);
    const count = await supervisor.post('/api/v1/surveys/nps/count', { segmentId: segment.id });
    expect(count.json()).toEqual({ count: 3 });

    const stale = await supervisor.post('/api/v1/surveys/nps', { segmentId: segment.id, expectedCount: 2 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('bulk.count_changed');

    const sent = await supervisor.post('/api/v1/surveys/nps', {
      segmentId: segment.id,
      expectedCount: 3,
      question: '您愿意把我们推荐给朋友吗？',
    });
    expect(sent.statusCode).toBe(202);
    await context.jobs.drain();
    expect((await supervisor.get(`/api/v1/jobs/${sent.json().job.id}`)).json()).toMatchObject({
      status: 'succeeded',
      progress: { done: 3, total: 3 },
    });
    const sendId = sent.json().sendId;
    expect(await countRows(context, 'from surveys where send_id = $1', [sendId])).toBe(3);

    // The job run again (a retry after a crash) creates and posts nothing twice.
    await pool.query(`update jobs set status = 'queued', checkpoint = null where id = $1`, [sent.json().job.id]);
    await context.jobs.drain();
    expect(await countRows(context, 'from surveys where send_id = $1', [sendId])).toBe(3);
    for (const chat of chats) {
      expect(
        await countRows(context, `from messages where conversation_id = $1 and content like '%/s/%'`, [
          chat.conversationId,
        ]),
      ).toBe(1);
    }

    const { rows } = await pool.query<{ token: string }>('select token from surveys where send_id = $1 limit 1', [
      sendId,
    ]);
    const token = rows[0]!.token;
    expect((await visitorClient.get(`/public/v1/surveys/${token}`)).json()).toMatchObject({
      kind: 'nps',
      min: 0,
      max: 10,
      question: '您愿意把我们推荐给朋友吗？',
    });
    expect((await answer(token, { score: 11 })).statusCode).toBe(400);
    expect((await answer(token, { score: 0 })).statusCode).toBe(201);
  });
});

describe('responses and summary for leads', () => {
  it('lists responses with filters and cursor pages, and sums up CSAT and NPS', async () => {
    const shop = await createWorkspace(context);
    const scores = [5, 4, 4, 2, 1];
    const surveys = [];
    for (const score of scores) {
      const made = await resolvedConversation(shop);
      surveys.push(made);
      expect((await answer(made.survey.token, { score })).statusCode).toBe(201);
    }
    await resolvedConversation(shop); // sent, never answered
    const analyst = await shop.addUser('analyst');
    const agent = await shop.addUser('agent');
    expect((await agent.get('/api/v1/surveys/responses')).statusCode).toBe(403);

    const summary = (await analyst.get('/api/v1/surveys/summary')).json();
    expect(summary.csat).toMatchObject({
      sent: 6,
      responses: 5,
      average: 3.2,
      satisfiedRate: 60,
      responseRate: 83.3,
      distribution: [1, 1, 0, 2, 1],
    });
    expect(summary.nps).toMatchObject({ sent: 0, responses: 0, score: null });

    const low = (await analyst.get('/api/v1/surveys/responses?maxScore=2')).json();
    expect(low.items.map((item: { score: number }) => item.score).sort()).toEqual([1, 2]);

    const first = (await analyst.get('/api/v1/surveys/responses?limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await analyst.get(`/api/v1/surveys/responses?limit=2&cursor=${first.nextCursor}`)).json();
    const third = (await analyst.get(`/api/v1/surveys/responses?limit=2&cursor=${second.nextCursor}`)).json();
    expect([...first.items, ...second.items, ...third.items].map((item: { id: string }) => item.id)).toHaveLength(5);
    expect(third.nextCursor).toBeNull();

    const byAgent = (await analyst.get(`/api/v1/surveys/responses?agentId=${surveys[0]!.agent.userId}`)).json();
    expect(byAgent.items).toHaveLength(1);
    expect(byAgent.items[0]).toMatchObject({ score: 5, agentName: '小美' });
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await analyst.get(`/api/v1/surveys/responses?from=${encodeURIComponent(future)}`)).json().items).toEqual(
      [],
    );
    expect((await analyst.get('/api/v1/surveys/responses?cursor=bogus')).statusCode).toBe(400);
    expect((await analyst.get('/api/v1/surveys/responses?kind=stars')).statusCode).toBe(400);
  });
});

describe('isolation', () => {
  it("answers 404 for another workspace's conversation and segment", async () => {
    const a = await createWorkspace(context, '甲店');
    const b = await createWorkspace(context, '乙店');
    const chat = await startConversation(context, a.inbox.token);
    const segment = (
      await a.owner.post('/api/v1/segments', { name: '甲店分组', filter: { op: 'and', conditions: [] } })
    ).json();
    expect((await b.owner.post('/api/v1/surveys/csat', { conversationId: chat.conversationId })).statusCode).toBe(404);
    expect((await b.owner.post('/api/v1/surveys/nps/count', { segmentId: segment.id })).statusCode).toBe(404);
    expect((await b.owner.post('/api/v1/surveys/nps', { segmentId: segment.id, expectedCount: 1 })).statusCode).toBe(
      404,
    );
    await a.owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    const survey = await until(() => surveyOf(chat.conversationId), 'the survey');
    await answer(survey.token, { score: 5 });
    expect((await b.owner.get('/api/v1/surveys/responses')).json().items).toEqual([]);
    expect((await b.owner.get('/api/v1/surveys/summary')).json().csat.responses).toBe(0);
  });
});

describe('demo data', () => {
  it(
    'seeds a few dozen answered CSAT surveys and an NPS send',
    async () => {
      const { seedDemoWorkspace } = await import('../../db/demo-seed.ts');
      const { login } = await import('../../../test/harness.ts');
      const { email, password } = await seedDemoWorkspace(context, context.database);
      const owner = await login(context, email, password);
      const summary = (await owner.get('/api/v1/surveys/summary')).json();
      expect(summary.csat.responses).toBeGreaterThanOrEqual(30);
      expect(summary.csat.average).toBeGreaterThan(3.5);
      expect(summary.nps.responses).toBeGreaterThan(10);
      expect(summary.nps.score).not.toBeNull();
      const page = (await owner.get('/api/v1/surveys/responses?kind=csat&limit=5')).json();
      expect(page.items).toHaveLength(5);
      expect(page.items[0].customerName).toBeTruthy();
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});
