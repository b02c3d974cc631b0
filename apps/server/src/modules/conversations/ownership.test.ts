import { readdirSync, readFileSync } from 'node:fs';
import { HANDOFF_MESSAGE } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import {
  type Client,
  createTestApp,
  createWorkspace,
  listen,
  openSocket,
  pause,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();
const { pool } = context.database;

type Conversation = {
  id: string;
  status: string;
  assigneeId: string | null;
  waitingSince: string | null;
  unreadCount: number;
  lastMessagePreview: string | null;
};

const conversationOf = async (client: Client, id: string): Promise<Conversation> =>
  (await client.get(`/api/v1/conversations/${id}`)).json();
const countsOf = async (client: Client) => (await client.get('/api/v1/conversations/counts?status=open')).json();

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await pause(25);
  }
}

describe("an agent's reply claims an unassigned conversation", () => {
  it('assigns it to the agent with the reply, moves it from 待分配 to 我的 and pushes the assignment', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '张客服');
    const colleague = await addUser('agent', '李客服');
    const { visitor, conversationId } = await startConversation(context, inbox.token, '两个客服同时看');
    await visitor.send('有人吗');
    expect(await countsOf(agent)).toMatchObject({ mine: 0, unassigned: 1 });

    const { ws } = await listen(context);
    const socket = await openSocket(`${ws}/api/v1/realtime`, { cookie: colleague.cookie! });
    try {
      await pause(100);
      const reply = await agent.post(`/api/v1/conversations/${conversationId}/messages`, { content: '客服甲的回复' });
      expect(reply.statusCode).toBe(201);
      const pushed = await socket.next(
        'conversation.updated',
        (frame) => frame.conversation.id === conversationId && frame.conversation.assigneeId === agent.userId,
        5000,
      );
      expect(pushed.conversation.unreadCount).toBe(0);
    } finally {
      socket.close();
    }
    expect(await conversationOf(agent, conversationId)).toMatchObject({
      assigneeId: agent.userId,
      status: 'open',
      waitingSince: null,
      unreadCount: 0,
    });
    expect(await countsOf(agent)).toMatchObject({ mine: 1, unassigned: 0 });
    expect(await countsOf(colleague)).toMatchObject({ mine: 0, unassigned: 0 });

    // Not stolen: the colleague's reply leaves it with the first agent.
    const second = await colleague.post(`/api/v1/conversations/${conversationId}/messages`, { content: '我也来' });
    expect(second.statusCode).toBe(201);
    expect((await conversationOf(agent, conversationId)).assigneeId).toBe(agent.userId);
  });

  it('does not claim on a private note, nor take a conversation assigned to someone else', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const owning = await addUser('agent', '小周');
    const noted = await startConversation(context, inbox.token, '在吗');
    const note = await agent.post(`/api/v1/conversations/${noted.conversationId}/messages`, {
      content: '先看看订单',
      private: true,
    });
    expect(note.statusCode).toBe(201);
    expect(await conversationOf(agent, noted.conversationId)).toMatchObject({ assigneeId: null, unreadCount: 1 });

    const assigned = await startConversation(context, inbox.token, '我的快递呢');
    await owner.post(`/api/v1/conversations/${assigned.conversationId}/assign`, { assigneeId: owning.userId });
    await agent.post(`/api/v1/conversations/${assigned.conversationId}/messages`, { content: '我帮同事回一句' });
    const after = await conversationOf(agent, assigned.conversationId);
    expect(after.assigneeId).toBe(owning.userId);
    // The customer's messages are still unread for the one who owns the conversation.
    expect(after.unreadCount).toBe(1);
  });
});

describe('unread messages belong to the assignee', () => {
  it('keeps the count when a colleague or supervisor opens it, and clears it when the assignee does', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const assignee = await addUser('agent', '小周');
    const colleague = await addUser('agent', '张客服');
    const supervisor = await addUser('supervisor');
    const { visitor, conversationId } = await startConversation(context, inbox.token, '黄武先的问题');
    await visitor.send('第二条');

    // Unassigned: nobody's opening reads it.
    expect((await colleague.post(`/api/v1/conversations/${conversationId}/read`)).json().unreadCount).toBe(2);
    await owner.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: assignee.userId });
    for (const browser of [colleague, supervisor, owner]) {
      const read = await browser.post(`/api/v1/conversations/${conversationId}/read`);
      expect(read.statusCode).toBe(200);
      expect(read.json().unreadCount).toBe(2);
    }
    expect((await conversationOf(assignee, conversationId)).unreadCount).toBe(2);

    const read = await assignee.post(`/api/v1/conversations/${conversationId}/read`);
    expect(read.json().unreadCount).toBe(0);
    await visitor.send('第三条');
    expect((await conversationOf(assignee, conversationId)).unreadCount).toBe(1);
  });
});

describe('list previews', () => {
  it("keep the customer's words after the bot's hand-off notice", async () => {
    const { owner, inbox } = await createWorkspace(context);
    const article = await owner.post('/api/v1/knowledge/articles', {
      status: 'published',
      title: '发货时间',
      body: '<p>付款后 48 小时内发货。</p>',
      questions: ['什么时候发货'],
    });
    expect(article.statusCode).toBe(201);
    const on = await owner.request({
      method: 'PUT',
      url: `/api/v1/knowledge/bot/settings/${inbox.id}`,
      payload: { enabled: true, threshold: 0.6, greeting: '您好', quickQuestions: [] },
    });
    expect(on.statusCode).toBe(200);
    await owner.post('/api/v1/routing/me/presence', { presence: 'online' });
    const { conversationId } = await startConversation(context, inbox.token, '转人工');
    const handedOff = await eventually(
      async () =>
        (
          await pool.query('select 1 from messages where conversation_id = $1 and content = $2', [
            conversationId,
            HANDOFF_MESSAGE,
          ])
        ).rowCount,
      (count) => count === 1,
    );
    expect(handedOff).toBe(1);
    expect((await conversationOf(owner, conversationId)).lastMessagePreview).toBe('转人工');
    const list = (await owner.get('/api/v1/conversations?assignee=all')).json();
    expect(list.items.find((item: Conversation) => item.id === conversationId).lastMessagePreview).toBe('转人工');
  });

  it("keep the agent's last line after the satisfaction survey invitation", async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const { conversationId } = await startConversation(context, inbox.token, '我的快递三天没动了');
    await agent.post(`/api/v1/conversations/${conversationId}/messages`, { content: '已经帮您催了，明天到' });
    expect(
      (await agent.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' })).statusCode,
    ).toBe(200);
    const invited = await eventually(
      async () =>
        (
          await pool.query(
            `select 1 from messages where conversation_id = $1 and sender_kind = 'system' and content like '%/s/%'`,
            [conversationId],
          )
        ).rowCount,
      (count) => count === 1,
    );
    expect(invited).toBe(1);
    expect((await conversationOf(agent, conversationId)).lastMessagePreview).toBe('已经帮您催了，明天到');
  });

  it('are repaired where a system line had replaced them (migration 0038)', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token, '转人工');
    await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '您好，\n请问  有什么可以帮您' });
    const untouched = await startConversation(context, inbox.token, '只有客户的话');
    // As before the fix: a system line written last took the preview.
    await context.services.conversations.sendAutomatedMessage({
      workspaceId: owner.workspaceId!,
      conversationId,
      content: '感谢您的咨询！您对本次服务满意吗？',
      senderKind: 'system',
      idempotencyKey: `test-survey:${conversationId}`,
      source: { kind: 'survey', id: conversationId },
    });
    await pool.query(
      `update conversations set last_message_preview = '感谢您的咨询！您对本次服务满意吗？' where id = $1`,
      [conversationId],
    );
    const folder = new URL('../../db/migrations/', import.meta.url);
    const file = readdirSync(folder).find((name) => name.startsWith('0038_'))!;
    const repair = readFileSync(new URL(file, folder), 'utf8').split('--> statement-breakpoint').at(-1)!;
    await pool.query(repair);
    expect((await conversationOf(owner, conversationId)).lastMessagePreview).toBe('您好， 请问 有什么可以帮您');
    expect((await conversationOf(owner, untouched.conversationId)).lastMessagePreview).toBe('只有客户的话');
  });
});

describe('a snooze that ends', () => {
  const snoozeEnded = async (conversationId: string) => {
    // The snooze ends now (the sweep runs a moment later).
    await pool.query('update conversations set snoozed_until = now() where id = $1', [conversationId]);
    const { rows } = await pool.query<{ snoozed_until: Date }>(
      'select snoozed_until from conversations where id = $1',
      [conversationId],
    );
    return rows[0]!.snoozed_until.toISOString();
  };

  it('brings it back open to its assignee, waiting from the snooze end, with a notification in their bell', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '张客服');
    const colleague = await addUser('agent');
    const { conversationId } = await startConversation(context, inbox.token, '帮我查下库存');
    await agent.post(`/api/v1/conversations/${conversationId}/messages`, {
      content: '好的，我去仓库问一下，稍后回复您',
    });
    const snoozed = await agent.post(`/api/v1/conversations/${conversationId}/status`, {
      status: 'snoozed',
      snoozedUntil: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(snoozed.statusCode).toBe(200);
    const endedAt = await snoozeEnded(conversationId);
    const other = await startConversation(context, inbox.token, '另一个客户');

    const { ws } = await listen(context);
    const socket = await openSocket(`${ws}/api/v1/realtime`, { cookie: agent.cookie! });
    try {
      await pause(100);
      await context.services.conversations.wakeSnoozed();
      const pushed = await socket.next('alert.created');
      expect(pushed.alert).toMatchObject({ kind: 'snooze_ended', details: { conversationId } });
    } finally {
      socket.close();
    }

    const woken = await conversationOf(agent, conversationId);
    expect(woken).toMatchObject({ status: 'open', assigneeId: agent.userId, snoozedUntil: null });
    expect(woken.waitingSince).toBe(endedAt);
    // It ranks above a customer who started waiting after the snooze ended.
    const list = (await agent.get('/api/v1/conversations?status=open')).json();
    expect(list.items.map((item: Conversation) => item.id)).toEqual([conversationId, other.conversationId]);

    const bell = (await agent.get('/api/v1/alerts')).json().items;
    expect(bell).toHaveLength(1);
    expect(bell[0]).toMatchObject({
      kind: 'snooze_ended',
      acknowledgedAt: null,
      details: { conversationId, customerName: null, snoozedUntil: endedAt },
    });
    expect((await colleague.get('/api/v1/alerts')).json().items).toEqual([]);
    expect((await colleague.post(`/api/v1/alerts/${bell[0].id}/acknowledge`)).statusCode).toBe(404);
    const acknowledged = await agent.post(`/api/v1/alerts/${bell[0].id}/acknowledge`);
    expect(acknowledged.json()).toMatchObject({ acknowledgedBy: agent.userId });

    // Run again: nothing more wakes, no second notification.
    await context.services.conversations.wakeSnoozed();
    expect((await agent.get('/api/v1/alerts')).json().items).toHaveLength(1);
  });

  it('tells the one who snoozed it when nobody is assigned', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const supervisor = await addUser('supervisor', '王主管');
    const { conversationId } = await startConversation(context, inbox.token, '稍后联系我');
    await pause(20);
    await supervisor.post(`/api/v1/conversations/${conversationId}/status`, {
      status: 'snoozed',
      snoozedUntil: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const endedAt = await snoozeEnded(conversationId);
    await context.services.conversations.wakeSnoozed();
    const woken = await conversationOf(owner, conversationId);
    expect(woken).toMatchObject({ status: 'open', assigneeId: null });
    // The customer was already waiting before the snooze: the earlier time stands.
    expect(Date.parse(woken.waitingSince!)).toBeLessThan(Date.parse(endedAt));
    const bell = (await supervisor.get('/api/v1/alerts')).json().items;
    expect(bell.filter((alert: { kind: string }) => alert.kind === 'snooze_ended')).toHaveLength(1);
    expect((await owner.get('/api/v1/alerts')).json().items).toEqual([]);
  });
});
