import type { Conversation } from '@huike/contracts';
import { describe, expect, it, vi } from 'vitest';
import { type Client, createTestApp, createWorkspace, pause, startConversation } from '../../../test/harness.ts';
import { newId } from '../../platform/ids.ts';
import { seedDemoReporting } from './demo-reporting.ts';
import { computeServiceReport } from './service-report.ts';

const context = await createTestApp();
const { reportingWriter, analytics } = context.services;

type Fact = {
  at: string;
  kind: string;
  key?: string;
  value?: number;
  business?: number;
  dim?: string;
  inboxId?: string | null;
  agentId?: string | null;
  customerId?: string | null;
};

async function insertFacts(workspaceId: string, facts: Fact[]) {
  for (const fact of facts) {
    await context.database.pool.query(
      `insert into reporting_events (id, workspace_id, occurred_at, kind, fact_key, inbox_id, agent_id, customer_id, dim,
         value, business_value) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        newId(),
        workspaceId,
        fact.at,
        fact.kind,
        fact.key ?? newId(),
        fact.inboxId ?? null,
        fact.agentId ?? null,
        fact.customerId ?? null,
        fact.dim ?? '',
        fact.value ?? null,
        fact.business ?? null,
      ],
    );
  }
}

async function factCounts(workspaceId: string) {
  const { rows } = await context.database.pool.query<{ kind: string; n: number }>(
    'select kind, count(*)::int as n from reporting_events where workspace_id = $1 group by kind',
    [workspaceId],
  );
  return Object.fromEntries(rows.map((row) => [row.kind, row.n]));
}

const report = async (client: Client, query: string) => {
  const response = await client.get(`/api/v1/reports/service?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

/** Within the histogram's resolution (8 buckets per doubling: ±4.5 %). */
const near = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected) / expected).toBeLessThan(0.05);
};

describe('reporting events', () => {
  it('writes one event per fact from a real conversation, and a replay after a restart writes nothing twice', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token, '我的快递三天了还没到，再不退款我就投诉');
    await reportingWriter.idle();
    const reply = await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '马上为您查询' });
    expect(reply.statusCode).toBe(201);
    await reportingWriter.idle();
    const resolved = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await reportingWriter.idle();

    const before = await factCounts(owner.workspaceId!);
    expect(before).toMatchObject({
      conversation_created: 1,
      first_response: 1,
      reply_time: 1,
      conversation_resolved: 1,
      urgent_message: 1,
    });
    expect(before.complaint_keyword).toBeGreaterThan(0);

    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json() as Conversation;
    await reportingWriter.handle({
      type: 'conversation.created',
      workspaceId: owner.workspaceId!,
      performedBy: null,
      replayed: true,
      conversation,
    });
    await reportingWriter.idle();
    expect(await factCounts(owner.workspaceId!)).toEqual(before);

    const today = (await report(owner, 'from=2020-01-01&to=2020-01-01')).range.timezone;
    expect(today).toBe('Asia/Shanghai');
  });

  it('breaks first-contact resolution when the customer comes back within 7 days or the conversation reopens', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const workspaceId = owner.workspaceId!;
    const customerId = newId();
    const conversation = (id: string): Conversation => ({
      id,
      inboxId: inbox.id,
      inboxName: '官网',
      customerId,
      customerName: null,
      status: 'resolved',
      assigneeId: owner.userId!,
      teamId: null,
      snoozedUntil: null,
      waitingSince: null,
      lastMessageAt: new Date().toISOString(),
      lastMessagePreview: null,
      subject: null,
      unreadCount: 0,
      createdAt: new Date().toISOString(),
    });
    const event = { workspaceId, performedBy: owner.userId! };
    const first = conversation(newId());
    await reportingWriter.handle({ ...event, type: 'conversation.created', conversation: first });
    await reportingWriter.handle({ ...event, type: 'conversation.resolved', conversation: first });
    await pause(5);
    const second = conversation(newId());
    await reportingWriter.handle({ ...event, type: 'conversation.created', conversation: second });
    await reportingWriter.handle({ ...event, type: 'conversation.resolved', conversation: second });
    await reportingWriter.handle({ ...event, type: 'conversation.reopened', conversation: second });
    await reportingWriter.handle({ ...event, type: 'conversation.reopened', conversation: second }); // duplicate
    await reportingWriter.handle({ ...event, type: 'conversation.resolved', conversation: second });
    expect(await factCounts(workspaceId)).toMatchObject({
      conversation_created: 2,
      conversation_repeat: 1,
      conversation_resolved: 3,
      conversation_reopened: 1,
      fcr_broken: 2,
    });
    await pause(5);
    await reportingWriter.handle({ ...event, type: 'conversation.created', conversation: conversation(newId()) });
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const figures = (await report(owner, `from=${today}&to=${today}`)).kpis;
    expect(figures.fcr).toEqual({ resolved: 2, firstContact: 0, rate: 0 });
    expect(figures.repeatInquiry).toMatchObject({ conversations: 3, repeats: 2 });
  });
});

describe('the service report', () => {
  async function knownWorkspace() {
    const ws = await createWorkspace(context);
    const workspaceId = ws.owner.workspaceId!;
    const agent = ws.owner.userId!;
    const day = '2026-03-02T02:00:00Z'; // 10:00 in Shanghai
    await insertFacts(workspaceId, [
      ...[60, 120, 300, 600, 1200].map((value) => ({
        at: day,
        kind: 'first_response',
        value,
        business: value / 2,
        agentId: agent,
        inboxId: ws.inbox.id,
      })),
      ...[1, 2, 3, 4, 5].map(() => ({ at: day, kind: 'conversation_created', inboxId: ws.inbox.id })),
      ...[3600, 7200].map((value) => ({
        at: day,
        kind: 'conversation_resolved',
        dim: 'first',
        value,
        business: value,
        agentId: agent,
        inboxId: ws.inbox.id,
      })),
      { at: day, kind: 'conversation_resolved', dim: 'first', value: 1800, business: 1800 },
      { at: day, kind: 'conversation_resolved', dim: 'first', value: 900, business: 900 },
      { at: day, kind: 'fcr_broken' },
      { at: day, kind: 'ticket_created', dim: 'logistics' },
      { at: day, kind: 'ticket_created', dim: 'logistics' },
      { at: day, kind: 'ticket_created', dim: 'complaint' },
      ...['ticket_sla_met', 'ticket_sla_met', 'ticket_sla_met', 'ticket_sla_missed'].map((kind) => ({ at: day, kind })),
      ...[5, 4, 2].map((score) => ({ at: day, kind: 'csat', dim: String(score), value: score, agentId: agent })),
      ...[10, 9, 7, 3].map((score) => ({ at: day, kind: 'nps', dim: String(score), value: score })),
      // The bot engaged four conversations: answered two (resolving one), handed one off after answering and two
      // without answering.
      ...['bot_engaged', 'bot_engaged', 'bot_engaged', 'bot_engaged'].map((kind) => ({ at: day, kind })),
      { at: day, kind: 'bot_answered' },
      { at: day, kind: 'bot_answered' },
      { at: day, kind: 'bot_resolved' },
      { at: day, kind: 'bot_handed_off', dim: 'requested' },
      { at: day, kind: 'bot_handed_off', dim: 'low_confidence' },
      { at: day, kind: 'bot_handed_off', dim: 'low_confidence' },
      { at: day, kind: 'complaint_keyword', dim: '快递' },
      { at: day, kind: 'complaint_keyword', dim: '快递' },
      { at: day, kind: 'complaint_keyword', dim: '退款' },
    ]);
    return { ...ws, workspaceId, agent };
  }

  it('computes medians, p90s, FCR, SLA attainment, bot rates, CSAT and NPS from the events', async () => {
    const { owner, agent } = await knownWorkspace();
    const { kpis, leaderboard, topCategories, topKeywords, heatmap } = await report(
      owner,
      'from=2026-03-01&to=2026-03-07',
    );
    expect(kpis.firstResponse.count).toBe(5);
    near(kpis.firstResponse.median, 300);
    near(kpis.firstResponse.p90, 1200);
    near(kpis.firstResponse.businessMedian, 150);
    near(kpis.firstResponse.businessP90, 600);
    near(kpis.resolution.median, 1800);
    expect(kpis.fcr).toEqual({ resolved: 4, firstContact: 3, rate: 0.75 });
    expect(kpis.sla).toMatchObject({ met: 3, missed: 1, rate: 0.75 });
    expect(kpis.bot).toMatchObject({ engaged: 4, resolved: 1, handedOff: 3, resolutionRate: 0.25, handOffRate: 0.75 });
    expect(kpis.csat.responses).toBe(3);
    expect(kpis.csat.average).toBeCloseTo(3.67, 2);
    expect(kpis.csat.satisfiedRate).toBeCloseTo(2 / 3);
    expect(kpis.nps).toEqual({ responses: 4, promoters: 2, passives: 1, detractors: 1, score: 25 });
    expect(topCategories).toEqual([
      { category: 'logistics', count: 2 },
      { category: 'complaint', count: 1 },
    ]);
    expect(topKeywords[0]).toEqual({ keyword: '快递', count: 2 });
    expect(leaderboard[0]).toMatchObject({ agentId: agent, resolved: 2, csatResponses: 3 });
    // 2026-03-02 is a Monday; 02:00 UTC is 10:00 in Shanghai.
    expect(heatmap).toEqual([{ weekday: 1, hour: 10, conversations: 5, tickets: 3 }]);
  });

  it('reads the same figures from rollups as from raw events, and rebuilding a day twice changes nothing', async () => {
    const { owner, workspaceId } = await knownWorkspace();
    const query = { from: '2026-03-01', to: '2026-03-07' };
    const raw = await computeServiceReport(context.database.db, workspaceId, query, { rawOnly: true });
    for (const day of ['2026-03-01', '2026-03-02', '2026-03-02', '2026-03-03'])
      await analytics.rollUpDay(workspaceId, day);
    const { rows } = await context.database.pool.query(
      'select count(*)::int as n from reporting_daily_rollups where workspace_id = $1',
      [workspaceId],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await report(owner, 'from=2026-03-01&to=2026-03-07')).toEqual(raw);
    // The rollup is what is read: a fact slipped in behind its back shows only after the day is rebuilt.
    await insertFacts(workspaceId, [{ at: '2026-03-02T03:00:00Z', kind: 'conversation_created' }]);
    expect((await report(owner, 'from=2026-03-02&to=2026-03-02')).kpis.conversations).toBe(5);
    await analytics.rollUpDay(workspaceId, '2026-03-02');
    expect((await report(owner, 'from=2026-03-02&to=2026-03-02')).kpis.conversations).toBe(6);

    // A whole month read from its monthly rollup equals the raw computation too.
    const month = { from: '2026-03-01', to: '2026-03-31' };
    const rawMonth = await computeServiceReport(context.database.db, workspaceId, month, { rawOnly: true });
    for (let d = 1; d <= 31; d++) await analytics.rollUpDay(workspaceId, `2026-03-${String(d).padStart(2, '0')}`);
    await analytics.rollUpMonth(workspaceId, '2026-03-01');
    const { rows: monthly } = await context.database.pool.query(
      'select count(*)::int as n from reporting_monthly_rollups where workspace_id = $1',
      [workspaceId],
    );
    expect(monthly[0].n).toBeGreaterThan(0);
    expect(await report(owner, 'from=2026-03-01&to=2026-03-31')).toEqual(rawMonth);
    expect(rawMonth.kpis.conversations).toBe(6);
  });

  it('reads the least detailed rollups the filters allow (workspace, inbox, agent): all equal the raw figures', async () => {
    const { owner, addUser, workspaceId, inbox } = await createWorkspace(context).then((ws) => ({
      ...ws,
      workspaceId: ws.owner.workspaceId!,
    }));
    const second = (await owner.post('/api/v1/inboxes', { name: '微信', channelType: 'website' })).json();
    const agents = [owner.userId!, (await addUser('agent')).userId!];
    // Facts over March (read from its monthly rollup) and the first days of April (daily rollups), over two inboxes
    // and two agents, with histograms that only merge right when the agents' buckets are added up.
    const facts: Fact[] = [];
    for (let i = 0; i < 120; i++) {
      const at =
        i < 90
          ? `2026-03-${String(1 + (i % 31)).padStart(2, '0')}T0${i % 10}:30:00Z`
          : `2026-04-0${1 + (i % 4)}T05:00:00Z`;
      const inboxId = i % 3 === 0 ? second.id : inbox.id;
      const agentId = agents[i % 2]!;
      facts.push(
        { at, kind: 'conversation_created', inboxId },
        { at, kind: 'first_response', value: 10 + i * 37, business: 5 + i * 11, inboxId, agentId },
        {
          at,
          kind: 'conversation_resolved',
          dim: i % 4 ? 'first' : '',
          value: 600 + i * 97,
          business: 300 + i * 13,
          inboxId,
          agentId,
        },
        { at, kind: 'csat', dim: String(1 + (i % 5)), value: 1 + (i % 5), inboxId, agentId },
        { at, kind: 'ticket_created', dim: i % 2 ? 'logistics' : 'return', inboxId, agentId },
      );
    }
    await insertFacts(workspaceId, facts);
    const queries = [
      { from: '2026-03-01', to: '2026-04-05' },
      { from: '2026-03-01', to: '2026-04-05', inboxId: second.id },
      { from: '2026-03-01', to: '2026-04-05', agentId: agents[1] },
      { from: '2026-03-10', to: '2026-04-03' },
      { from: '2026-01-01', to: '2026-04-05' },
      { from: '2026-01-01', to: '2026-04-05', inboxId: inbox.id },
    ];
    const raw = [];
    for (const query of queries)
      raw.push(await computeServiceReport(context.database.db, workspaceId, query, { rawOnly: true }));
    for (let d = 1; d <= 31; d++) await analytics.rollUpDay(workspaceId, `2026-03-${String(d).padStart(2, '0')}`);
    await analytics.rollUpMonth(workspaceId, '2026-03-01');
    for (let d = 1; d <= 4; d++) await analytics.rollUpDay(workspaceId, `2026-04-0${d}`);
    const { rows } = await context.database.pool.query(
      `select (select count(*)::int from reporting_daily_rollups where workspace_id = $1 and kind = 'all:first_response'
                 and agent_id is null) as daily,
              (select count(*)::int from reporting_monthly_rollups where workspace_id = $1
                 and kind in ('all:first_response', 'total:first_response', 'total:heat:ticket_created')
                 and agent_id is null) as monthly,
              (select count(*)::int from reporting_monthly_rollups where workspace_id = $1
                 and kind = 'agent:first_response' and inbox_id is null) as leaders`,
      [workspaceId],
    );
    expect(rows[0].daily).toBeGreaterThan(0);
    expect(rows[0].monthly).toBeGreaterThan(0);
    expect(rows[0].leaders).toBe(2);
    for (const [i, query] of queries.entries()) {
      const params = new URLSearchParams(query as unknown as Record<string, string>).toString();
      expect(await report(owner, params)).toEqual(raw[i]);
    }
    expect(raw[0]!.kpis.conversations).toBe(120);
    expect(raw[0]!.leaderboard.map((row) => row.resolved)).toEqual([60, 60]);
    expect(raw[0]!.heatmap.reduce((n, cell) => n + cell.tickets, 0)).toBe(120);
  });

  it('counts days in the workspace timezone: Shanghai midnight is 16:00 UTC', async () => {
    const { owner } = await createWorkspace(context);
    await insertFacts(owner.workspaceId!, [
      { at: '2026-05-01T15:59:59Z', kind: 'conversation_created' },
      { at: '2026-05-01T16:00:00Z', kind: 'conversation_created' },
      { at: '2026-05-01T16:00:01Z', kind: 'conversation_created' },
    ]);
    expect((await report(owner, 'from=2026-05-01&to=2026-05-01')).kpis.conversations).toBe(1);
    const second = await report(owner, 'from=2026-05-02&to=2026-05-02');
    expect(second.kpis.conversations).toBe(2);
    expect(second.heatmap).toEqual([{ weekday: 6, hour: 0, conversations: 2, tickets: 0 }]);
    const both = await report(owner, 'from=2026-05-01&to=2026-05-02');
    expect(both.daily.map((d: { conversations: number }) => d.conversations)).toEqual([1, 2]);
  });

  it("marks the demo's made-up history, and only for ranges that reach into it", async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    await addUser('agent');
    await startConversation(context, inbox.token, '在吗');
    const now = new Date('2026-06-10T04:00:00Z');
    expect(await seedDemoReporting(context.database.db, owner.workspaceId!, now)).toBeGreaterThan(100);

    const month = await report(owner, 'from=2026-05-20&to=2026-06-10');
    expect(month.sampleHistoryUntil).toBe('2026-06-10');
    expect(month.kpis.conversations).toBeGreaterThan(100);
    expect((await report(owner, 'from=2026-06-10&to=2026-06-10')).sampleHistoryUntil).toBeNull();
    const { owner: real } = await createWorkspace(context);
    expect((await report(real, 'from=2026-05-20&to=2026-06-10')).sampleHistoryUntil).toBeNull();
  });

  it("reads the workspace's timezone and demo-history date in one query, and days follow that timezone", async () => {
    const { owner } = await createWorkspace(context);
    const workspaceId = owner.workspaceId!;
    await context.database.pool.query(
      `update workspaces set timezone = 'America/New_York',
         settings = settings || '{"sampleHistoryUntil": "2026-05-25"}'::jsonb where id = $1`,
      [workspaceId],
    );
    // New York midnight in May (EDT) is 04:00 UTC.
    await insertFacts(workspaceId, [
      { at: '2026-05-02T03:59:59Z', kind: 'conversation_created' },
      { at: '2026-05-02T04:00:00Z', kind: 'conversation_created' },
      { at: '2026-05-02T05:00:00Z', kind: 'conversation_created' },
    ]);
    const queries = vi.spyOn(context.database.pool, 'query');
    try {
      const may2 = await report(owner, 'from=2026-05-02&to=2026-05-02');
      expect(may2.range).toEqual({ from: '2026-05-02', to: '2026-05-02', timezone: 'America/New_York' });
      expect(may2.kpis.conversations).toBe(2);
      expect(may2.sampleHistoryUntil).toBe('2026-05-25');
      const workspaceReads = queries.mock.calls.filter(([query, values]) => {
        // Drizzle passes `{ text, … }` and the parameters apart; other callers may put them in `values`.
        const text = typeof query === 'string' ? query : (query as { text: string }).text;
        const params: unknown = values ?? (query as { values?: unknown }).values;
        return /\bfrom\s+"?workspaces"?\s/i.test(text) && Array.isArray(params) && params.includes(workspaceId);
      });
      expect(workspaceReads).toHaveLength(1);
    } finally {
      queries.mockRestore();
    }
    // After the made-up history: not marked.
    expect((await report(owner, 'from=2026-05-25&to=2026-05-25')).sampleHistoryUntil).toBeNull();
  });

  it('filters by inbox and agent', async () => {
    const { owner, inbox, agent } = await knownWorkspace();
    const other = (await owner.post('/api/v1/inboxes', { name: '官网二', channelType: 'website' })).json();
    expect((await report(owner, `from=2026-03-02&to=2026-03-02&inboxId=${inbox.id}`)).kpis.conversations).toBe(5);
    expect((await report(owner, `from=2026-03-02&to=2026-03-02&inboxId=${other.id}`)).kpis.conversations).toBe(0);
    const byAgent = await report(owner, `from=2026-03-02&to=2026-03-02&agentId=${agent}`);
    expect(byAgent.kpis.conversationsResolved).toBe(2);
    expect(byAgent.kpis.csat.responses).toBe(3);
  });

  it('exports the figures as XLSX and PDF', async () => {
    const { owner } = await knownWorkspace();
    const xlsx = await owner.get('/api/v1/reports/service/export?format=xlsx&from=2026-03-01&to=2026-03-07');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('核心指标')!.getRow(2).getCell(1).value).toBe('对话量');
    expect(workbook.getWorksheet('工单分类')!.getRow(2).values).toEqual([undefined, '物流', '2']);
    const pdf = await owner.get('/api/v1/reports/service/export?format=pdf&from=2026-03-01&to=2026-03-07');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses agents, answers analysts, hides other workspaces and rejects bad ranges', async () => {
    const { owner, addUser } = await knownWorkspace();
    const agent = await addUser('agent');
    expect((await agent.get('/api/v1/reports/service?from=2026-03-01&to=2026-03-07')).statusCode).toBe(403);
    expect(
      (await agent.get('/api/v1/reports/service/export?format=pdf&from=2026-03-01&to=2026-03-07')).statusCode,
    ).toBe(403);
    const analyst = await addUser('analyst');
    expect((await report(analyst, 'from=2026-03-01&to=2026-03-07')).kpis.conversations).toBe(5);

    const stranger = await createWorkspace(context);
    for (const [param, code] of [
      ['inboxId', 'inbox.not_found'],
      ['agentId', 'user.not_found'],
    ] as const) {
      const id = param === 'inboxId' ? stranger.inbox.id : stranger.owner.userId;
      const response = await owner.get(`/api/v1/reports/service?from=2026-03-01&to=2026-03-07&${param}=${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe(code);
    }
    const teamId = newId();
    expect((await owner.get(`/api/v1/reports/service?from=2026-03-01&to=2026-03-07&teamId=${teamId}`)).statusCode).toBe(
      404,
    );
    const reversed = await owner.get('/api/v1/reports/service?from=2026-03-07&to=2026-03-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.message).toBe('开始日期不能晚于结束日期');
    expect((await owner.get('/api/v1/reports/service?from=2026-3-1&to=2026-03-07')).statusCode).toBe(400);
    expect((await owner.get('/api/v1/reports/service?from=2024-01-01&to=2026-03-07')).statusCode).toBe(400);
    for (const url of [
      '/api/v1/reports/service?from=2026-02-30&to=2026-03-01',
      '/api/v1/reports/service?from=2026-02-28&to=2026-02-29',
      '/api/v1/reports/service/export?format=xlsx&from=2026-02-30&to=2026-03-01',
    ]) {
      const missing = await owner.get(url);
      expect(missing.statusCode, url).toBe(400);
      expect(missing.json().error.message).toContain('日期不存在');
    }
    expect(
      (await owner.get('/api/v1/reports/service/export?format=doc&from=2026-03-01&to=2026-03-07')).statusCode,
    ).toBe(400);
  });
});
