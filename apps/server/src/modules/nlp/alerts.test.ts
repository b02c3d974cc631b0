import { describe, expect, it } from 'vitest';
import {
  type Client,
  createTestApp,
  createVisitor,
  createWorkspace,
  listen,
  openSocket,
  pause,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();

type Message = {
  content: string;
  direction: string;
  sentiment: { label: string; score: number } | null;
  urgency: { urgent: boolean; reasons: string[] } | null;
};
type Alert = { id: string; kind: string; details: Record<string, unknown>; acknowledgedBy: string | null };

const messagesOf = async (client: Client, conversationId: string) =>
  (await client.get(`/api/v1/conversations/${conversationId}/messages`)).json().items as Message[];

/** Alerts are stored by a subscriber after the message: wait until `ready` holds (or give up after ~5 s). */
async function alertsOf(client: Client, ready: (items: Alert[]) => boolean = (items) => items.length > 0) {
  let items: Alert[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await client.get('/api/v1/alerts');
    expect(response.statusCode, response.body).toBe(200);
    items = response.json().items;
    if (ready(items)) return items;
    await pause(100);
  }
  return items;
}

/** Moves the start of the customer's wait `minutes` back, as if the first unanswered message were that old. */
const waitedMinutes = (conversationId: string, minutes: number) =>
  context.database.pool.query(
    `update conversations set waiting_since = now() - make_interval(mins => $2) where id = $1`,
    [conversationId, minutes],
  );

describe('sentiment and urgency on inbound messages', () => {
  it('stores the score and the reasons with the message and shows them to agents', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token, '一直不给退款，我要投诉到12315');
    const [message] = await messagesOf(owner, conversationId);
    expect(message!.sentiment).toMatchObject({ label: 'negative' });
    expect(message!.sentiment!.score).toBeGreaterThanOrEqual(0.5);
    expect(message!.urgency!.urgent).toBe(true);
    expect(message!.urgency!.reasons).toEqual(expect.arrayContaining(['complaint_threat', 'refund_dispute']));
    const list = (await owner.get('/api/v1/conversations')).json();
    expect(list.items[0]).toMatchObject({ id: conversationId, lastUrgent: true });

    const reply = await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '马上为您处理' });
    expect(reply.json()).toMatchObject({ sentiment: null, urgency: null });
  });

  it('leaves calm messages not urgent, and clears the conversation marker with the next calm message', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '我要投诉');
    await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '您好' });
    await visitor.send('好的，谢谢，东西很好用');
    const messages = await messagesOf(owner, conversationId);
    const calm = messages.find((message) => message.content === '好的，谢谢，东西很好用')!;
    expect(calm.sentiment).toMatchObject({ label: 'positive' });
    expect(calm.urgency).toEqual({ urgent: false, reasons: [] });
    const list = (await owner.get('/api/v1/conversations')).json();
    expect(list.items[0]).toMatchObject({ id: conversationId, lastUrgent: false });
  });

  it('does not mark three quick lines at the start of a chat as repeated contact', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '转人工');
    await visitor.send('双击发送测试');
    await visitor.send('回车两次测试');
    await visitor.send('还有一个问题');
    const messages = await messagesOf(owner, conversationId);
    expect(messages).toHaveLength(4);
    expect(messages.every((m) => !m.urgency?.reasons.includes('repeated_contact'))).toBe(true);
    const list = (await owner.get('/api/v1/conversations')).json();
    expect(list.items[0]).toMatchObject({ id: conversationId, lastUrgent: false });
  });

  it('marks the third unanswered message as repeated contact once the buyer has waited 5 minutes', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '在吗');
    await visitor.send('请问有人吗');
    // The buyer's first unanswered message was 6 minutes ago.
    await waitedMinutes(conversationId, 6);
    await visitor.send('什么时候发货');
    const messages = await messagesOf(owner, conversationId);
    expect(messages.at(-1)!.urgency).toEqual({ urgent: true, reasons: ['repeated_contact'] });
    expect(messages.slice(0, -1).every((m) => !m.urgency?.reasons.includes('repeated_contact'))).toBe(true);
    const list = (await owner.get('/api/v1/conversations')).json();
    expect(list.items[0]).toMatchObject({ id: conversationId, lastUrgent: true });

    // Two messages after a long wait are not enough either.
    const second = await startConversation(context, inbox.token, '在吗');
    await waitedMinutes(second.conversationId, 30);
    await second.visitor.send('有人吗');
    expect((await messagesOf(owner, second.conversationId)).at(-1)!.urgency!.reasons).not.toContain('repeated_contact');

    // After a reply the count and the wait start again.
    await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '在的，今天发货' });
    await visitor.send('好的');
    expect((await messagesOf(owner, conversationId)).at(-1)!.urgency!.reasons).not.toContain('repeated_contact');
  });
});

describe('spike alerts', () => {
  it('stores one alert when urgent messages spike, for supervisors only, and lets them acknowledge it', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const supervisor = await addUser('supervisor');
    const agent = await addUser('agent');
    for (let i = 0; i < 5; i++) {
      const visitor = await createVisitor(context, inbox.token);
      expect((await visitor.send(`我要去消协投诉你们 ${i}`)).statusCode).toBe(201);
    }
    const alerts = await alertsOf(supervisor);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'urgent_spike', acknowledgedBy: null });
    expect(alerts[0]!.details).toMatchObject({ windowMinutes: 10, urgent: 5, inbound: 5 });

    // More urgent messages within 30 minutes: still one alert of that kind.
    for (let i = 0; i < 3; i++) await (await createVisitor(context, inbox.token)).send('再不处理就找媒体曝光');
    await pause(300);
    expect((await alertsOf(owner)).filter((alert) => alert.kind === 'urgent_spike')).toHaveLength(1);

    // An agent's bell holds only their own notifications: no spike alerts, and none to acknowledge.
    expect((await agent.get('/api/v1/alerts')).json().items).toEqual([]);
    expect((await agent.post(`/api/v1/alerts/${alerts[0]!.id}/acknowledge`)).statusCode).toBe(404);

    const acknowledged = await supervisor.post(`/api/v1/alerts/${alerts[0]!.id}/acknowledge`);
    expect(acknowledged.statusCode).toBe(200);
    expect(acknowledged.json()).toMatchObject({ acknowledgedBy: supervisor.userId, acknowledgedByName: 'supervisor' });
    const again = await owner.post(`/api/v1/alerts/${alerts[0]!.id}/acknowledge`);
    expect(again.json()).toMatchObject({ acknowledgedBy: supervisor.userId });
    expect((await owner.get('/api/v1/alerts?unacknowledged=true')).json().items).toEqual([]);

    const other = await createWorkspace(context, '别的店');
    expect((await other.owner.get('/api/v1/alerts')).json().items).toEqual([]);
    const foreign = await other.owner.post(`/api/v1/alerts/${alerts[0]!.id}/acknowledge`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('alert.not_found');
    expect((await owner.post('/api/v1/alerts/not-an-id/acknowledge')).statusCode).toBe(400);
  });

  it('stores a negative spike when most recent messages are negative', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const complaints = ['质量太差了', '发错货了，很失望', '客服态度太差', '物流太慢了', '用了一天就坏了'];
    for (let i = 0; i < 10; i++) {
      await (await createVisitor(context, inbox.token)).send(complaints[i % complaints.length]!);
    }
    const alerts = await alertsOf(owner, (items) => items.some((alert) => alert.kind === 'negative_spike'));
    const negative = alerts.find((alert) => alert.kind === 'negative_spike');
    expect(negative?.details).toMatchObject({ inbound: 10, baselineNegativeRate: null });
    expect(negative!.details.negative as number).toBeGreaterThanOrEqual(5);
  });

  it('does not alert on ordinary traffic', async () => {
    const { owner, inbox } = await createWorkspace(context);
    for (let i = 0; i < 6; i++) await (await createVisitor(context, inbox.token)).send('请问什么时候发货呀');
    await pause(300);
    expect((await owner.get('/api/v1/alerts')).json().items).toEqual([]);
  });
});

describe('alert pushes', () => {
  it('pushes a new alert to the sockets of supervisors, not of agents', async () => {
    const { ws } = await listen(context);
    const { inbox, addUser } = await createWorkspace(context);
    const supervisor = await addUser('supervisor');
    const agent = await addUser('agent');
    const supervisorSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: supervisor.cookie! });
    const agentSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: agent.cookie! });
    try {
      for (let i = 0; i < 5; i++) await (await createVisitor(context, inbox.token)).send('退款一直不给，我要投诉');
      const frame = await supervisorSocket.next('alert.created');
      expect(frame.alert).toMatchObject({ kind: 'urgent_spike', acknowledgedAt: null });
      await agentSocket.next('message.created');
      await pause(300);
      expect(agentSocket.frames.some((item) => item.type === 'alert.created')).toBe(false);
    } finally {
      supervisorSocket.close();
      agentSocket.close();
    }
  });
});
