import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  createTestApp,
  createWorkspace,
  insertCustomer,
  startConversation,
  type TestContext,
} from '../../../test/harness.ts';

let context: TestContext;
let owner: Client;
let agent: Client;
let inbox: { id: string; token: string };

beforeAll(async () => {
  context = await createTestApp();
  const ws = await createWorkspace(context);
  owner = ws.owner;
  inbox = ws.inbox;
  agent = await ws.addUser('agent', '小王');
});

type Clock = {
  target: string;
  targetSeconds: number;
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
};
const clock = (ticket: { clocks: Clock[] }, target: string) => ticket.clocks.find((c) => c.target === target)!;

async function create(client: Client, body: Record<string, unknown>) {
  const response = await client.post('/api/v1/tickets', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function patch(id: string, body: Record<string, unknown>) {
  const response = await owner.patch(`/api/v1/tickets/${id}`, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function policy(body: Record<string, unknown>) {
  const response = await owner.post('/api/v1/sla-policies', { hours: 'calendar', ...body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** Today in the workspace's timezone (Asia/Shanghai). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

async function todayReport(query = '') {
  await context.services.reportingWriter.idle();
  const response = await owner.get(`/api/v1/reports/service?from=${today()}&to=${today()}${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().kpis;
}

async function breach(id: string, column: 'fr' | 'res' | 'esc', ago = '1 minute') {
  await context.database.pool.query(`update tickets set ${column}_due_at = now() - $2::interval where id = $1`, [
    id,
    ago,
  ]);
  await context.services.tickets.sweepSla();
}

/** A day before today in the workspace's timezone. */
const yesterday = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 86_400_000));

async function dayReport(day: string) {
  await context.services.reportingWriter.idle();
  const response = await owner.get(`/api/v1/reports/service?from=${day}&to=${day}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().kpis;
}

const timelineOf = async (id: string) =>
  (await owner.get(`/api/v1/tickets/${id}/timeline`)).json().items as { kind: string; data: unknown }[];

describe('ticket lifecycle, SLA and reports', () => {
  it('counts a ticket closed without being resolved as resolved, with its SLA outcome, once', async () => {
    await policy({ name: '其他2小时', categories: ['other'], targets: { first_response: 60, resolution: 120 } });
    const before = await todayReport();
    const onTime = await create(owner, { subject: '直接关闭', category: 'other' });
    const late = await create(owner, { subject: '超时后直接关闭', category: 'other' });
    await breach(late.id, 'fr');
    const resolvedThenClosed = await create(owner, { subject: '先解决再关闭', category: 'other' });

    expect((await patch(onTime.id, { status: 'closed' })).resolvedAt).not.toBeNull();
    await patch(late.id, { status: 'closed' });
    await patch(resolvedThenClosed.id, { status: 'resolved' });
    await patch(resolvedThenClosed.id, { status: 'closed' });

    const after = await todayReport();
    expect(after.ticketsResolved - before.ticketsResolved).toBe(3);
    expect(after.sla.met - before.sla.met).toBe(2);
    expect(after.sla.missed - before.sla.missed).toBe(1);
  });

  it('re-matches the SLA policy when severity or category changes, keeping the start and finished clocks', async () => {
    await policy({ name: '咨询', categories: ['inquiry'], targets: { first_response: 60, resolution: 48 * 60 } });
    const urgent = await policy({
      name: '紧急',
      position: 0,
      severities: ['urgent'],
      targets: { first_response: 30, resolution: 240 },
    });
    const ticket = await create(owner, { subject: '物流咨询', category: 'inquiry', severity: 'normal' });
    expect(clock(ticket, 'resolution').targetSeconds).toBe(48 * 3600);
    await breach(ticket.id, 'fr');
    const breachedAt = clock((await owner.get(`/api/v1/tickets/${ticket.id}`)).json(), 'first_response').breachedAt;
    expect(breachedAt).not.toBeNull();

    const escalated = await patch(ticket.id, { severity: 'urgent' });
    expect(escalated.slaPolicyId).toBe(urgent.id);
    const resolution = clock(escalated, 'resolution');
    expect(resolution.targetSeconds).toBe(240 * 60);
    expect(new Date(resolution.dueAt!).getTime()).toBe(new Date(ticket.createdAt).getTime() + 240 * 60_000);
    // The breached first-response clock stays as it was.
    expect(clock(escalated, 'first_response')).toMatchObject({ targetSeconds: 3600, breachedAt });

    const timeline = (await owner.get(`/api/v1/tickets/${ticket.id}/timeline`)).json().items;
    expect(timeline.find((e: { kind: string }) => e.kind === 'sla_changed')?.data).toMatchObject({
      fromPolicy: '咨询',
      toPolicy: '紧急',
    });
  });

  it("re-matches the SLA policy when the sweep's escalation raises the severity, as a person's change does", async () => {
    await policy({
      name: '投诉升级',
      categories: ['complaint'],
      severities: ['normal'],
      targets: { first_response: 30, resolution: 24 * 60, escalation: 60 },
      escalation: { notifySupervisors: false, assigneeId: null, teamId: null, raiseSeverity: true },
    });
    const serious = await policy({
      name: '严重投诉',
      categories: ['complaint'],
      severities: ['serious'],
      targets: { first_response: 15, resolution: 240 },
    });
    const ticket = await create(owner, { subject: '投诉发错货', category: 'complaint', severity: 'normal' });
    await breach(ticket.id, 'esc');

    const escalated = (await owner.get(`/api/v1/tickets/${ticket.id}`)).json();
    expect(escalated).toMatchObject({ severity: 'serious', slaPolicyId: serious.id });
    const resolution = clock(escalated, 'resolution');
    expect(resolution.targetSeconds).toBe(240 * 60);
    expect(new Date(resolution.dueAt!).getTime()).toBe(new Date(ticket.createdAt).getTime() + 240 * 60_000);
    expect(clock(escalated, 'escalation').breachedAt).not.toBeNull();
    const timeline = await timelineOf(ticket.id);
    expect(timeline.find((e) => e.kind === 'escalated')?.data).toMatchObject({ toSeverity: 'serious' });
    expect(timeline.find((e) => e.kind === 'sla_changed')?.data).toMatchObject({
      fromPolicy: '投诉升级',
      toPolicy: '严重投诉',
    });
  });

  it('counts an open ticket as missed from its due time, on the due day, and not again when it ends', async () => {
    await policy({ name: '物流1小时', categories: ['logistics'], targets: { first_response: 60, resolution: 120 } });
    const before = await todayReport();
    const beforeYesterday = await dayReport(yesterday());
    const late = await create(owner, { subject: '催发货', category: 'logistics' });
    await breach(late.id, 'fr');
    const lateYesterday = await create(owner, { subject: '昨天就该回复', category: 'logistics' });
    await breach(lateYesterday.id, 'fr', '1 day');

    const open = await todayReport();
    expect(open.sla.missed - before.sla.missed).toBe(1);
    expect(open.sla.breaches - before.sla.breaches).toBe(1);
    expect(open.sla.met).toBe(before.sla.met);
    const dayBefore = await dayReport(yesterday());
    expect(dayBefore.sla.missed - beforeYesterday.sla.missed).toBe(1);

    await patch(late.id, { status: 'resolved' });
    const ended = await todayReport();
    expect(ended.ticketsResolved - before.ticketsResolved).toBe(1);
    expect(ended.sla.missed - before.sla.missed).toBe(1);
    expect(ended.sla.met).toBe(before.sla.met);
  });

  it('counts a merged duplicate as neither resolved, nor open, nor an SLA miss, and keeps it closed', async () => {
    await policy({ name: '其他1小时', categories: ['other'], targets: { first_response: 60, resolution: 120 } });
    const before = await todayReport();
    const duplicate = await create(owner, { subject: '重复反馈：积分没到账', category: 'other' });
    const kept = await create(owner, { subject: '积分没到账', category: 'other' });
    await breach(duplicate.id, 'fr');
    const breached = await todayReport();
    expect(breached.sla.missed - before.sla.missed).toBe(1);

    const merged = await owner.post(`/api/v1/tickets/${duplicate.id}/merge`, { targetId: kept.id });
    expect(merged.statusCode, merged.body).toBe(200);
    const after = await todayReport();
    expect(after.ticketsCreated - before.ticketsCreated).toBe(2);
    expect(after.ticketsResolved).toBe(before.ticketsResolved);
    expect(after.sla).toMatchObject({ met: before.sla.met, missed: before.sla.missed, breaches: before.sla.breaches });

    const active = (await owner.get('/api/v1/tickets?status=active&limit=100'))
      .json()
      .items.map((t: { id: string }) => t.id);
    expect(active).toContain(kept.id);
    expect(active).not.toContain(duplicate.id);
    const reopen = await owner.patch(`/api/v1/tickets/${duplicate.id}`, { status: 'open' });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().error.message).toBe('已合并的工单不能再改状态，请在合并后的工单上继续处理');
    const bulk = await owner.post('/api/v1/tickets/bulk', { ids: [duplicate.id], changes: { status: 'open' } });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toMatchObject({ matched: 1, updated: 0 });
    expect((await owner.get(`/api/v1/tickets/${duplicate.id}`)).json()).toMatchObject({ status: 'closed' });
  });

  it('starts a new resolution clock from the reopen time', async () => {
    await policy({ name: '退换货', categories: ['return'], targets: { first_response: 60, resolution: 24 * 60 } });
    const ticket = await create(owner, { subject: '要退货', category: 'return' });
    await patch(ticket.id, { status: 'resolved' });
    const startedReopen = Date.now();
    const reopened = await patch(ticket.id, { status: 'open' });
    const resolution = clock(reopened, 'resolution');
    expect(resolution.metAt).toBeNull();
    expect(resolution.breachedAt).toBeNull();
    expect(new Date(resolution.dueAt!).getTime()).toBeGreaterThanOrEqual(startedReopen + 24 * 3600_000 - 1000);
    // The first response happened before: it stays met.
    expect(clock(reopened, 'first_response').metAt).not.toBeNull();
    await breach(ticket.id, 'res');
    expect(clock((await owner.get(`/api/v1/tickets/${ticket.id}`)).json(), 'resolution').breachedAt).not.toBeNull();
  });

  it('attributes conversations and tickets to the agent they were first assigned to', async () => {
    const { conversationId } = await startConversation(context, inbox.token, '快递到哪了');
    await context.services.reportingWriter.idle();
    const assigned = await owner.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: agent.userId });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const ticket = await create(owner, { subject: '查快递', category: 'logistics' });
    await context.services.reportingWriter.idle();
    await patch(ticket.id, { assigneeId: agent.userId });
    const kpis = await todayReport(`&agentId=${agent.userId}`);
    expect(kpis.conversations).toBe(1);
    expect(kpis.ticketsCreated).toBe(1);
  });

  it('refuses a transition in words, not raw status values', async () => {
    const ticket = await create(owner, { subject: '关单', category: 'other' });
    await patch(ticket.id, { status: 'closed' });
    const bad = await owner.patch(`/api/v1/tickets/${ticket.id}`, { status: 'waiting_customer' });
    expect(bad.statusCode).toBe(409);
    expect(bad.json().error).toMatchObject({
      message: '工单状态不能从「已关闭」改为「等待客户」',
      details: { from: 'closed', to: 'waiting_customer' },
    });
  });

  it('takes the customer from the orders, and refuses orders of different customers', async () => {
    const buyer = await insertCustomer(context, owner.workspaceId!, { name: '张三' });
    const other = await insertCustomer(context, owner.workspaceId!, { name: '李四' });
    const orderOf = async (customerId: string, orderNo: string) => {
      const response = await owner.post('/api/v1/orders', {
        platform: 'taobao',
        orderNo,
        status: 'paid',
        amountFen: 10_000,
        placedAt: '2026-01-01T00:00:00Z',
        customer: { customerId },
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json().order.id as string;
    };
    const first = await orderOf(buyer, 'L-1');
    const second = await orderOf(buyer, 'L-2');
    const foreign = await orderOf(other, 'L-3');
    const ticket = await create(owner, { subject: '售后', category: 'return', orderIds: [first, second] });
    expect(ticket.customerId).toBe(buyer);
    const mixed = await owner.post('/api/v1/tickets', { subject: '混合', orderIds: [first, foreign] });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error.message).toBe('所选订单属于不同客户，请分开建工单');
  });
});
