import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  insertCustomer,
  startConversation,
  type TestContext,
} from '../../../test/harness.ts';
import { TINY_PNG, uploadAttachment } from '../../../test/multipart.ts';
import type { DomainEvent } from '../../platform/events.ts';

let context: TestContext;
let owner: Client;
let agent: Client;
let agent2: Client;
let supervisor: Client;
let analyst: Client;
let inbox: { id: string; token: string };
let other: Client;
const published: DomainEvent[] = [];

beforeAll(async () => {
  context = await createTestApp();
  const ws = await createWorkspace(context);
  owner = ws.owner;
  inbox = ws.inbox;
  agent = await ws.addUser('agent', '小王');
  agent2 = await ws.addUser('agent', '小李');
  supervisor = await ws.addUser('supervisor', '主管');
  analyst = await ws.addUser('analyst');
  other = (await createWorkspace(context, '别的店')).owner;
  context.events.subscribe((event) => {
    if (event.type.startsWith('ticket.')) published.push(event);
  });
});

const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });

async function order(customerId: string, orderNo: string, placedAt: string) {
  const response = await owner.post('/api/v1/orders', {
    platform: 'taobao',
    orderNo,
    status: 'paid',
    amountFen: 10_000,
    placedAt,
    customer: { customerId },
  });
  expect(response.statusCode).toBeLessThan(300);
  return response.json().order.id as string;
}

async function create(client: Client, body: Record<string, unknown>) {
  const response = await client.post('/api/v1/tickets', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('tickets', () => {
  it('creates a ticket from a conversation with the customer and latest order prefilled', async () => {
    const { customerId, conversationId } = await startConversation(context, inbox.token, '快递三天没动了');
    await order(customerId, 'A-1', '2026-01-01T00:00:00Z');
    const latest = await order(customerId, 'A-2', '2026-02-01T00:00:00Z');
    const ticket = await create(agent, { subject: '物流停滞', category: 'logistics', conversationId });
    expect(ticket).toMatchObject({
      customerId,
      conversationId,
      orderIds: [latest],
      status: 'new',
      category: 'logistics',
      severity: 'normal',
      createdBy: agent.userId,
    });
    expect(ticket.number).toBeGreaterThan(0);
    const second = await create(agent, { subject: '电话咨询' });
    expect(second.number).toBe(ticket.number + 1);
    expect(second.customerId).toBeNull();

    const timeline = (await agent.get(`/api/v1/tickets/${ticket.id}/timeline`)).json().items;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['created', 'message']));
    expect(timeline.find((e: { kind: string }) => e.kind === 'message').body).toBe('快递三天没动了');
    expect(published.some((e) => e.type === 'ticket.created' && e.ticket.id === ticket.id)).toBe(true);
  });

  it('refuses bad input with 400, lower roles with 403 and other workspaces with 404', async () => {
    const empty = await agent.post('/api/v1/tickets', { subject: '  ' });
    expect(empty.statusCode).toBe(400);
    const unknown = await agent.post('/api/v1/tickets', { subject: 'x', category: 'nope' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('ticket.unknown_category');
    expect((await agent.post('/api/v1/tickets', { subject: 'x', extra: 1 })).statusCode).toBe(400);
    expect((await agent.get('/api/v1/tickets?status=bogus')).statusCode).toBe(400);
    expect((await analyst.post('/api/v1/tickets', { subject: '分析师' })).statusCode).toBe(403);
    expect((await analyst.get('/api/v1/tickets')).statusCode).toBe(200);

    const ticket = await create(agent, { subject: '本店工单' });
    expect((await other.get(`/api/v1/tickets/${ticket.id}`)).statusCode).toBe(404);
    expect((await other.patch(`/api/v1/tickets/${ticket.id}`, { subject: '改' })).statusCode).toBe(404);
    expect((await other.post(`/api/v1/tickets/${ticket.id}/comments`, { body: 'hi' })).statusCode).toBe(404);
    const theirs = await create(other, { subject: '别人的' });
    expect((await owner.post(`/api/v1/tickets/${ticket.id}/merge`, { targetId: theirs.id })).statusCode).toBe(404);
    const foreignCustomer = await insertCustomer(context, other.workspaceId!, { name: '外人' });
    expect((await agent.post('/api/v1/tickets', { subject: 'x', customerId: foreignCustomer })).statusCode).toBe(404);
    const before = await countRows(context, 'from tickets where subject = $1', ['x']);
    expect(before).toBe(0);
  });

  it('follows the status machine and pauses the resolution clock while waiting on the customer', async () => {
    const policy = await owner.post('/api/v1/sla-policies', {
      name: '退换货24小时解决',
      categories: ['return'],
      hours: 'calendar',
      targets: { first_response: 60, resolution: 24 * 60 },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const ticket = await create(agent, { subject: '要退货', category: 'return' });
    expect(ticket.slaPolicyId).toBe(policy.json().id);
    const resolution = ticket.clocks.find((c: { target: string }) => c.target === 'resolution');
    expect(resolution).toMatchObject({ targetSeconds: 86_400, state: 'green', metAt: null });

    const waiting = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'waiting_customer' })).json();
    const paused = waiting.clocks.find((c: { target: string }) => c.target === 'resolution');
    expect(paused.dueAt).toBeNull();
    expect(paused.pausedRemainingSeconds).toBeGreaterThan(86_000);
    expect(paused.state).toBe('paused');
    // First response keeps running while waiting.
    expect(waiting.clocks.find((c: { target: string }) => c.target === 'first_response').dueAt).not.toBeNull();

    const resumed = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'open' })).json();
    const running = resumed.clocks.find((c: { target: string }) => c.target === 'resolution');
    expect(running.pausedRemainingSeconds).toBeNull();
    expect(new Date(running.dueAt).getTime()).toBeGreaterThanOrEqual(new Date(resolution.dueAt).getTime() - 2000);

    const resolved = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'resolved' })).json();
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.clocks.every((c: { state: string }) => c.state === 'met')).toBe(true);
    const bad = await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'waiting_customer' });
    expect(bad.statusCode).toBe(409);
    expect(bad.json().error.code).toBe('ticket.invalid_transition');
    const reopened = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'open' })).json();
    expect(reopened.resolvedAt).toBeNull();
    expect(published.some((e) => e.type === 'ticket.resolved' && e.ticket.id === ticket.id)).toBe(true);
    expect(published.some((e) => e.type === 'ticket.reopened' && e.ticket.id === ticket.id)).toBe(true);
    const kinds = (await agent.get(`/api/v1/tickets/${ticket.id}/timeline`))
      .json()
      .items.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'status_changed')).toHaveLength(4);
  });

  it('records hand-overs and refuses a disabled agent', async () => {
    const ticket = await create(agent, { subject: '转交测试', assigneeId: agent.userId });
    expect(ticket.status).toBe('open');
    const handed = await agent.patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: agent2.userId });
    expect(handed.statusCode).toBe(200);
    expect(handed.json().assigneeName).toBe('小李');
    const timeline = (await agent.get(`/api/v1/tickets/${ticket.id}/timeline`)).json().items;
    expect(timeline.find((e: { kind: string }) => e.kind === 'assigned')).toMatchObject({
      actorId: agent.userId,
      data: { fromId: agent.userId, toId: agent2.userId, fromName: '小王', toName: '小李' },
    });

    const disabled = await (async () => {
      const ws = owner;
      const created = await ws.post('/api/v1/users', {
        email: `gone-${Date.now()}@test.huike`,
        name: '离职',
        role: 'agent',
        password: 'correct-horse-1',
      });
      const id = created.json().id as string;
      await ws.patch(`/api/v1/users/${id}`, { disabled: true });
      return id;
    })();
    const refused = await agent.patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: disabled });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('ticket.assignee_unavailable');
    expect((await agent.get(`/api/v1/tickets/${ticket.id}`)).json().assigneeId).toBe(agent2.userId);
  });

  it('gives an unassigned ticket to its first responder (public reply or agent reply in the conversation)', async () => {
    const ticket = await create(supervisor, { subject: '首问负责' });
    const note = await agent.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '内部备注' });
    expect(note.statusCode).toBe(201);
    expect((await agent.get(`/api/v1/tickets/${ticket.id}`)).json().assigneeId).toBeNull();
    const reply = await agent2.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '您好，已处理', internal: false });
    expect(reply.statusCode).toBe(201);
    const after = (await agent.get(`/api/v1/tickets/${ticket.id}`)).json();
    expect(after.assigneeId).toBe(agent2.userId);
    expect(after.firstRespondedAt).not.toBeNull();
    expect(after.status).toBe('open');

    const { conversationId } = await startConversation(context, inbox.token, '在吗');
    const linked = await create(supervisor, { subject: '会话工单', conversationId });
    const sent = await agent.post(`/api/v1/conversations/${conversationId}/messages`, { content: '在的，请讲' });
    expect(sent.statusCode).toBe(201);
    await expect
      .poll(async () => (await agent.get(`/api/v1/tickets/${linked.id}`)).json().assigneeId)
      .toBe(agent.userId);
    expect((await agent.get(`/api/v1/tickets/${linked.id}`)).json().firstRespondedAt).not.toBeNull();
  });

  it('merges duplicates in one transaction, leads only', async () => {
    const customerId = await insertCustomer(context, owner.workspaceId!, { name: '合并客户' });
    const o1 = await order(customerId, 'M-1', '2026-03-01T00:00:00Z');
    const source = await create(agent, { subject: '重复一', customerId, orderIds: [o1], watcherIds: [agent2.userId] });
    const target = await create(agent, { subject: '重复二', customerId });
    await agent.post(`/api/v1/tickets/${source.id}/comments`, { body: '源工单的备注' });

    expect((await agent.post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id })).statusCode).toBe(403);
    expect((await supervisor.post(`/api/v1/tickets/${source.id}/merge`, { targetId: source.id })).statusCode).toBe(409);

    const merged = await supervisor.post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json()).toMatchObject({ id: target.id, orderIds: [o1], watcherIds: [agent2.userId] });
    const closed = (await agent.get(`/api/v1/tickets/${source.id}`)).json();
    expect(closed).toMatchObject({ status: 'closed', mergedIntoId: target.id, orderIds: [], watcherIds: [] });
    const targetTimeline = (await agent.get(`/api/v1/tickets/${target.id}/timeline`)).json().items;
    expect(targetTimeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['comment', 'merged_from']),
    );
    const sourceTimeline = (await agent.get(`/api/v1/tickets/${source.id}/timeline`)).json().items;
    expect(sourceTimeline.some((e: { kind: string }) => e.kind === 'merged')).toBe(true);

    // Merging again fails as a whole: nothing changes.
    const third = await create(agent, { subject: '第三个' });
    const again = await supervisor.post(`/api/v1/tickets/${source.id}/merge`, { targetId: third.id });
    expect(again.statusCode).toBe(409);
    expect((await agent.get(`/api/v1/tickets/${third.id}/timeline`)).json().items).toHaveLength(1);
    expect(await countRows(context, `from audit_log where action = 'ticket.merged'`)).toBe(1);
  });

  it('lists with filters, sort and cursor pagination', async () => {
    const a = await create(agent, { subject: '投诉：客服态度', category: 'complaint', severity: 'urgent' });
    await create(agent, { subject: '普通咨询 xyz', category: 'inquiry' });
    const complaints = (await agent.get('/api/v1/tickets?category=complaint&created=today')).json();
    expect(complaints.items.map((t: { id: string }) => t.id)).toContain(a.id);
    expect(complaints.items.every((t: { category: string }) => t.category === 'complaint')).toBe(true);
    const byNumber = (await agent.get(`/api/v1/tickets?q=%23${a.number}`)).json().items;
    expect(byNumber[0].id).toBe(a.id);
    const bySubject = (await agent.get(`/api/v1/tickets?q=${encodeURIComponent('xyz')}`)).json().items;
    expect(bySubject).toHaveLength(1);
    const unassigned = (await agent.get('/api/v1/tickets?assignee=unassigned')).json().items;
    expect(unassigned.every((t: { assigneeId: string | null }) => t.assigneeId === null)).toBe(true);

    for (const sort of ['createdAt', 'updatedAt', 'number', 'severity', 'dueAt']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url = `/api/v1/tickets?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await agent.get(url);
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json();
        seen.push(...body.items.map((t: { id: string }) => t.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe((await agent.get('/api/v1/tickets?limit=100')).json().items.length);
    }
    const severity = (await agent.get('/api/v1/tickets?sort=severity&limit=1')).json().items[0];
    expect(severity.severity).toBe('urgent');
    expect((await agent.get('/api/v1/tickets?cursor=zzz')).statusCode).toBe(400);
  });

  it('bulk updates by ids or filter with a count check, in a transaction, audited', async () => {
    const one = await create(agent, { subject: '批量一', category: 'other' });
    const two = await create(agent, { subject: '批量二', category: 'other' });
    expect(
      (await agent.post('/api/v1/tickets/bulk', { ids: [one.id], changes: { severity: 'serious' } })).statusCode,
    ).toBe(403);
    const byIds = await supervisor.post('/api/v1/tickets/bulk', {
      ids: [one.id, two.id],
      changes: { severity: 'serious', assigneeId: agent.userId },
    });
    expect(byIds.json()).toEqual({ matched: 2, updated: 2 });
    expect((await agent.get(`/api/v1/tickets/${two.id}`)).json()).toMatchObject({
      severity: 'serious',
      assigneeId: agent.userId,
    });

    const filter = { category: 'other', status: 'active' };
    const dry = (
      await supervisor.post('/api/v1/tickets/bulk', { filter, changes: { status: 'resolved' }, dryRun: true })
    ).json();
    expect(dry.matched).toBeGreaterThanOrEqual(2);
    const stale = await supervisor.post('/api/v1/tickets/bulk', {
      filter,
      changes: { status: 'resolved' },
      expectedCount: dry.matched + 1,
    });
    expect(stale.statusCode).toBe(409);
    expect((await agent.get(`/api/v1/tickets/${one.id}`)).json().status).toBe('open');
    const done = (
      await supervisor.post('/api/v1/tickets/bulk', {
        filter,
        changes: { status: 'resolved' },
        expectedCount: dry.matched,
      })
    ).json();
    expect(done.updated).toBe(dry.matched);
    expect((await agent.get(`/api/v1/tickets/${one.id}`)).json().status).toBe('resolved');

    const foreign = await create(other, { subject: '外店' });
    const mixed = await supervisor.post('/api/v1/tickets/bulk', {
      ids: [one.id, foreign.id],
      changes: { severity: 'urgent' },
    });
    expect(mixed.statusCode).toBe(404);
    expect((await agent.get(`/api/v1/tickets/${one.id}`)).json().severity).toBe('serious');
    expect((await supervisor.post('/api/v1/tickets/bulk', { changes: { severity: 'urgent' } })).statusCode).toBe(400);
    expect(await countRows(context, `from audit_log where action = 'ticket.bulk_updated'`)).toBe(2);
  });

  it('manages categories (built-ins renamable, not deletable) and saved views', async () => {
    const list = (await agent.get('/api/v1/ticket-categories')).json().items;
    expect(list.map((c: { key: string }) => c.key)).toEqual(['inquiry', 'logistics', 'return', 'complaint', 'other']);
    const builtIn = list[0];
    expect((await agent.patch(`/api/v1/ticket-categories/${builtIn.id}`, { name: '售前咨询' })).statusCode).toBe(403);
    expect((await supervisor.patch(`/api/v1/ticket-categories/${builtIn.id}`, { name: '售前咨询' })).json().name).toBe(
      '售前咨询',
    );
    expect((await del(supervisor, `/api/v1/ticket-categories/${builtIn.id}`)).statusCode).toBe(409);
    const custom = await supervisor.post('/api/v1/ticket-categories', { name: '发票', key: 'invoice' });
    expect(custom.statusCode).toBe(201);
    expect((await supervisor.post('/api/v1/ticket-categories', { name: '发票2', key: 'invoice' })).statusCode).toBe(
      409,
    );
    // One name, one category: a duplicate could not be told apart in any list.
    const twin = await supervisor.post('/api/v1/ticket-categories', { name: ' 发票 ' });
    expect(twin.statusCode).toBe(409);
    expect(twin.json().error).toMatchObject({
      code: 'ticket_category.name_taken',
      message: '已有名为「发票」的工单分类',
    });
    expect((await supervisor.patch(`/api/v1/ticket-categories/${builtIn.id}`, { name: '发票' })).statusCode).toBe(409);
    expect((await supervisor.patch(`/api/v1/ticket-categories/${builtIn.id}`, { name: '售前咨询' })).statusCode).toBe(
      200,
    );
    await create(agent, { subject: '开发票', category: 'invoice' });
    expect((await del(supervisor, `/api/v1/ticket-categories/${custom.json().id}`)).statusCode).toBe(409);
    expect((await other.patch(`/api/v1/ticket-categories/${custom.json().id}`, { name: 'x' })).statusCode).toBe(404);

    const views = (await agent.get('/api/v1/ticket-views')).json().items;
    expect(views.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(['我的逾期', '今日投诉']));
    expect((await del(supervisor, `/api/v1/ticket-views/${views[0].id}`)).statusCode).toBe(409);
    expect((await agent.post('/api/v1/ticket-views', { name: '共享', filters: {}, isShared: true })).statusCode).toBe(
      403,
    );
    const mine = await agent.post('/api/v1/ticket-views', {
      name: '我的紧急',
      filters: { severity: 'urgent', assignee: 'mine' },
    });
    expect(mine.statusCode).toBe(201);
    expect(
      (await agent2.get('/api/v1/ticket-views')).json().items.some((v: { id: string }) => v.id === mine.json().id),
    ).toBe(false);
    expect((await agent2.patch(`/api/v1/ticket-views/${mine.json().id}`, { name: '偷改' })).statusCode).toBe(404);
    expect((await agent.post('/api/v1/ticket-views', { name: '坏', filters: { sla: 'never' } })).statusCode).toBe(400);
    expect((await del(agent, `/api/v1/ticket-views/${mine.json().id}`)).statusCode).toBe(204);
  });

  it('manages SLA policies (admins only, validated)', async () => {
    expect(
      (await supervisor.post('/api/v1/sla-policies', { name: 'x', targets: { first_response: 10 } })).statusCode,
    ).toBe(403);
    const none = await owner.post('/api/v1/sla-policies', { name: '空', targets: {} });
    expect(none.statusCode).toBe(400);
    const badCategory = await owner.post('/api/v1/sla-policies', {
      name: '坏',
      categories: ['nope'],
      targets: { resolution: 60 },
    });
    expect(badCategory.statusCode).toBe(400);
    const backwards = await owner.post('/api/v1/sla-policies', {
      name: '反常',
      targets: { first_response: 2880, resolution: 60 },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.message).toContain('首次响应时效不能大于解决时效');
    const nobody = await owner.post('/api/v1/sla-policies', {
      name: '升级给谁',
      targets: { escalation: 10 },
      escalation: { assigneeId: '01930000-0000-7000-8000-000000000000', teamId: null },
    });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.json().error).toMatchObject({
      message: '升级接手人不存在或已停用',
      details: [{ path: '/escalation/assigneeId', message: '请选择一位在职成员' }],
    });
    const created = await owner.post('/api/v1/sla-policies', {
      name: '咨询首响1小时',
      categories: ['inquiry'],
      targets: { first_response: 60 },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await owner.patch(`/api/v1/sla-policies/${id}`, { enabled: false })).json().enabled).toBe(false);
    expect((await other.patch(`/api/v1/sla-policies/${id}`, { enabled: true })).statusCode).toBe(404);
    expect((await del(other, `/api/v1/sla-policies/${id}`)).statusCode).toBe(404);
    expect((await agent.get('/api/v1/sla-policies')).json().items.some((p: { id: string }) => p.id === id)).toBe(true);
    expect((await del(owner, `/api/v1/sla-policies/${id}`)).statusCode).toBe(204);
  });

  it('sweeps breached clocks once: marks, records, notifies and escalates', async () => {
    const policy = await owner.post('/api/v1/sla-policies', {
      name: '投诉4小时升级主管',
      position: 0,
      categories: ['complaint'],
      hours: 'calendar',
      targets: { resolution: 24 * 60, escalation: 240 },
      escalation: { notifySupervisors: true, assigneeId: supervisor.userId, raiseSeverity: true },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const ticket = await create(agent, { subject: '严重投诉', category: 'complaint', assigneeId: agent.userId });
    expect(ticket.slaPolicyId).toBe(policy.json().id);
    await context.database.pool.query(`update tickets set esc_due_at = now() - interval '1 minute' where id = $1`, [
      ticket.id,
    ]);
    const before = published.length;
    const [first, second] = await Promise.all([
      context.services.tickets.sweepSla(),
      context.services.tickets.sweepSla(),
    ]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    expect(await context.services.tickets.sweepSla()).toBe(0);

    const after = (await agent.get(`/api/v1/tickets/${ticket.id}`)).json();
    expect(after.severity).toBe('serious');
    expect(after.assigneeId).toBe(supervisor.userId);
    const escalation = after.clocks.find((c: { target: string }) => c.target === 'escalation');
    expect(escalation.breachedAt).not.toBeNull();
    expect(escalation.state).toBe('red');
    const kinds = (await agent.get(`/api/v1/tickets/${ticket.id}/timeline`))
      .json()
      .items.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'sla_breached')).toHaveLength(1);
    expect(kinds.filter((k: string) => k === 'escalated')).toHaveLength(1);
    const breaches = published
      .slice(before)
      .filter((e) => e.type === 'ticket.sla_breached' && e.ticket.id === ticket.id);
    expect(breaches).toHaveLength(1);
    const overdue = (await agent.get('/api/v1/tickets?sla=breached')).json().items.map((t: { id: string }) => t.id);
    expect(overdue).toContain(ticket.id);
  });
  it('lets automation create tickets and react to ticket triggers', async () => {
    const rule = await owner.post('/api/v1/automation/rules', {
      name: '新会话建工单',
      enabled: true,
      trigger: { type: 'conversation.created' },
      actions: [{ type: 'create_ticket', subject: '自动工单', category: 'inquiry', severity: 'serious' }],
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const onTicket = await owner.post('/api/v1/automation/rules', {
      name: '工单提醒',
      enabled: true,
      trigger: { type: 'ticket.created' },
      actions: [{ type: 'private_note', content: '已建工单' }],
    });
    expect(onTicket.statusCode, onTicket.body).toBe(201);
    const { conversationId, customerId } = await startConversation(context, inbox.token, '自动化来一单');
    await expect
      .poll(async () => (await agent.get(`/api/v1/tickets?conversationId=${conversationId}`)).json().items.length)
      .toBe(1);
    const [ticket] = (await agent.get(`/api/v1/tickets?conversationId=${conversationId}`)).json().items;
    expect(ticket).toMatchObject({ subject: '自动工单', category: 'inquiry', severity: 'serious', customerId });
    // A ticket made by automation does not trigger automation again (loop policy).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const notes = await countRows(context, 'from messages where conversation_id = $1 and private', [conversationId]);
    expect(notes).toBe(0);
    await owner.request({ method: 'DELETE', url: `/api/v1/automation/rules/${rule.json().id}` });
    const manual = await create(agent, { subject: '人工建的', conversationId });
    expect(manual.conversationId).toBe(conversationId);
    await expect
      .poll(async () => countRows(context, 'from messages where conversation_id = $1 and private', [conversationId]))
      .toBe(1);
  });
  it('keeps internal comments with attachments on the timeline', async () => {
    const ticket = await create(agent, { subject: '附件备注' });
    const uploaded = await uploadAttachment(agent, '破损照片.png', TINY_PNG, 'image/png');
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const fileId = uploaded.json().fileId ?? uploaded.json().id;
    const comment = await agent.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '', attachmentIds: [fileId] });
    expect(comment.statusCode, comment.body).toBe(201);
    expect(comment.json()).toMatchObject({
      kind: 'comment',
      internal: true,
      attachments: [{ fileId, name: '破损照片.png' }],
    });
    expect((await agent.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '' })).statusCode).toBe(400);
    const missing = await agent.post(`/api/v1/tickets/${ticket.id}/comments`, {
      body: 'x',
      attachmentIds: ['01a208bb-0000-7000-8000-000000000000'],
    });
    expect(missing.statusCode).toBe(404);
    const timeline = (await agent.get(`/api/v1/tickets/${ticket.id}/timeline`)).json().items;
    expect(timeline.filter((e: { kind: string }) => e.kind === 'comment')).toHaveLength(1);
    // The other workspace cannot attach this workspace's file.
    const theirs = await create(other, { subject: '外店附件' });
    expect(
      (await other.post(`/api/v1/tickets/${theirs.id}/comments`, { body: 'x', attachmentIds: [fileId] })).statusCode,
    ).toBe(404);
  });
});
