import { HANDOFF_MESSAGE, localDate, NOBODY_ONLINE_HANDOFF_MESSAGE, OFF_HOURS_HANDOFF_MESSAGE } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, pause, startConversation } from '../../../test/harness.ts';
import type { DomainEvent } from '../../platform/events.ts';
import { forgetBotSettings, isBotHandling } from './bot.service.ts';
import { DEMO_KNOWLEDGE, seedDemoKnowledge } from './demo-knowledge.ts';

const context = await createTestApp();

const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as Record<string, unknown> });

const seen: DomainEvent[] = [];
context.events.subscribe((event) => {
  if (event.type === 'bot.answered' || event.type === 'bot.handed_off') seen.push(event);
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await pause(25);
  }
}

/** Messages of a conversation as [senderKind, content], oldest first. */
const transcript = async (conversationId: string) =>
  (
    await context.database.pool.query<{ sender_kind: string; content: string }>(
      'select sender_kind, content from messages where conversation_id = $1 order by id',
      [conversationId],
    )
  ).rows.map((row) => [row.sender_kind, row.content] as const);

const session = async (conversationId: string) =>
  (
    await context.database.pool.query<{ state: string; reason: string | null; answers_count: number }>(
      'select state, reason, answers_count from bot_sessions where conversation_id = $1',
      [conversationId],
    )
  ).rows[0];

const RETURNS = '<p>签收后 7 天内可在订单页申请退货。</p>';

async function setup(threshold = 0.6) {
  const workspace = await createWorkspace(context);
  const { owner, inbox } = workspace;
  for (const article of [
    { title: '退换货政策', body: RETURNS, questions: ['怎么退货', '可以换货吗'] },
    { title: '发货时间', body: '<p>付款后 48 小时内发货。</p>', questions: ['什么时候发货', '多久发货'] },
    { title: '草稿', body: '<p>不该回答</p>', questions: ['草稿问题'], status: 'draft' },
  ]) {
    const response = await owner.post('/api/v1/knowledge/articles', { status: 'published', ...article });
    if (response.statusCode !== 201) throw new Error(response.body);
  }
  const on = await put(owner, `/api/v1/knowledge/bot/settings/${inbox.id}`, {
    enabled: true,
    threshold,
    greeting: '您好',
    quickQuestions: [],
  });
  if (on.statusCode !== 200) throw new Error(on.body);
  // A shop at work: someone is 在线 to take what the bot hands off.
  const online = await owner.post('/api/v1/routing/me/presence', { presence: 'online' });
  if (online.statusCode !== 200) throw new Error(online.body);
  return workspace;
}

/** Waits until the conversation has `count` messages. */
const untilMessages = (conversationId: string, count: number) =>
  eventually(
    () => transcript(conversationId),
    (lines) => lines.length >= count,
  );

describe('the FAQ bot', () => {
  it('answers a question above the threshold with the article, as the bot', async () => {
    const { owner, inbox } = await setup();
    const chat = await startConversation(context, inbox.token, '请问怎么退貨？');
    expect(await untilMessages(chat.conversationId, 2)).toEqual([
      ['customer', '请问怎么退貨？'],
      ['bot', '签收后 7 天内可在订单页申请退货。'],
    ]);
    expect(await session(chat.conversationId)).toMatchObject({ state: 'active', answers_count: 1 });
    expect(await isBotHandling(context.database.db, owner.workspaceId!, chat.conversationId)).toBe(true);
    const answered = seen.find(
      (event) => event.type === 'bot.answered' && event.conversationId === chat.conversationId,
    ) as Extract<DomainEvent, { type: 'bot.answered' }>;
    expect(answered.confidence).toBeGreaterThanOrEqual(0.6);

    // A second question in the same conversation is answered too.
    await chat.visitor.send('多久发货');
    expect((await untilMessages(chat.conversationId, 4)).at(-1)).toEqual(['bot', '付款后 48 小时内发货。']);
    expect(await session(chat.conversationId)).toMatchObject({ state: 'active', answers_count: 2 });
  });

  it('hands off when the customer asks for a person', async () => {
    const { owner, inbox } = await setup();
    const chat = await startConversation(context, inbox.token, '转人工');
    expect(await untilMessages(chat.conversationId, 2)).toEqual([
      ['customer', '转人工'],
      ['system', HANDOFF_MESSAGE],
    ]);
    expect(await session(chat.conversationId)).toMatchObject({ state: 'handed_off', reason: 'requested' });
    expect(await isBotHandling(context.database.db, owner.workspaceId!, chat.conversationId)).toBe(false);
    expect(
      seen.some(
        (event) =>
          event.type === 'bot.handed_off' &&
          event.conversation.id === chat.conversationId &&
          event.reason === 'requested',
      ),
    ).toBe(true);

    // Handed off: the bot stays quiet afterwards, even for a question it knows.
    await chat.visitor.send('怎么退货');
    await pause(400);
    expect(await transcript(chat.conversationId)).toHaveLength(3);

    // Handed off without answering, it still engaged the conversation: the hand-off rate is 1 of 1, not 1 of 0.
    await context.services.reportingWriter.idle();
    const today = localDate(new Date(), 'Asia/Shanghai');
    const report = await owner.get(`/api/v1/reports/service?from=${today}&to=${today}`);
    expect(report.json().kpis.bot).toMatchObject({ engaged: 1, handedOff: 1, handOffRate: 1 });
  });

  it('hands off outside business hours without promising a person soon', async () => {
    const { owner, inbox } = await setup();
    // Open one hour a day, twelve hours from now.
    const hour = (new Date().getUTCHours() + 12) % 24;
    const open = { start: `${String(hour).padStart(2, '0')}:00`, end: `${String(hour + 1).padStart(2, '0')}:00` };
    const weekly = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [open]]));
    const hours = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      settings: { businessHours: { enabled: true, timezone: 'UTC', weekly } },
    });
    expect(hours.statusCode, hours.body).toBe(200);
    const chat = await startConversation(context, inbox.token, '转人工');
    expect((await untilMessages(chat.conversationId, 2))[1]).toEqual(['system', OFF_HOURS_HANDOFF_MESSAGE]);
  });

  it('hands off without promising a person soon when no agent is online', async () => {
    const { owner, inbox } = await setup();
    expect((await owner.post('/api/v1/routing/me/presence', { presence: 'away' })).statusCode).toBe(200);
    const chat = await startConversation(context, inbox.token, '转人工');
    expect((await untilMessages(chat.conversationId, 2))[1]).toEqual(['system', NOBODY_ONLINE_HANDOFF_MESSAGE]);
    expect(await session(chat.conversationId)).toMatchObject({ state: 'handed_off', reason: 'requested' });
  });

  it('hands off with low_confidence when no article is close enough', async () => {
    const { inbox } = await setup();
    const chat = await startConversation(context, inbox.token, '你们的店铺在哪个城市，有线下门店吗');
    expect((await untilMessages(chat.conversationId, 2))[1]).toEqual(['system', HANDOFF_MESSAGE]);
    expect(await session(chat.conversationId)).toMatchObject({ state: 'handed_off', reason: 'low_confidence' });
    const draft = await startConversation(context, inbox.token, '草稿问题');
    await untilMessages(draft.conversationId, 2);
    expect(await session(draft.conversationId)).toMatchObject({ reason: 'low_confidence' });
  });

  it("answers the demo shop's buyers in their own word order and hands off what no article covers", async () => {
    const workspace = await createWorkspace(context);
    const { owner, inbox } = workspace;
    await seedDemoKnowledge(context.database.db, owner.workspaceId!, owner.userId!);
    forgetBotSettings(owner.workspaceId!, inbox.id);
    const online = await owner.post('/api/v1/routing/me/presence', { presence: 'online' });
    if (online.statusCode !== 200) throw new Error(online.body);
    const invoice = DEMO_KNOWLEDGE.flatMap((group) => group.articles).find((article) => article.title === '开具发票')!;
    // The article lists 「怎么开发票」; jieba cuts 「发票怎么开」 otherwise, which used to be handed off.
    for (const question of ['发票怎么开', '發票怎麼開？']) {
      const chat = await startConversation(context, inbox.token, question);
      const [, answer] = await untilMessages(chat.conversationId, 2);
      expect(answer![0]).toBe('bot');
      expect(answer![1]).toContain('电子普通发票');
      expect(invoice.body).toContain('电子普通发票');
    }
    for (const question of ['你们的茶叶可以寄到火星吗', '我要投诉']) {
      const chat = await startConversation(context, inbox.token, question);
      expect((await untilMessages(chat.conversationId, 2))[1]).toEqual(['system', HANDOFF_MESSAGE]);
      expect(await session(chat.conversationId)).toMatchObject({ state: 'handed_off' });
    }
  });

  it('hands off urgent and clearly negative messages', async () => {
    const { inbox } = await setup();
    const urgent = await startConversation(context, inbox.token, '怎么退货？再不处理我就去12315投诉你们！');
    await untilMessages(urgent.conversationId, 2);
    expect(await session(urgent.conversationId)).toMatchObject({ state: 'handed_off', reason: 'urgent' });

    const negative = await startConversation(context, inbox.token, '太失望了，质量很差，垃圾');
    await untilMessages(negative.conversationId, 2);
    expect(await session(negative.conversationId)).toMatchObject({ state: 'handed_off', reason: 'negative' });
  });

  it('stops once an agent replies, and counts resolutions and hand-offs', async () => {
    const { owner, inbox } = await setup();
    const agentChat = await startConversation(context, inbox.token, '怎么退货');
    await untilMessages(agentChat.conversationId, 2);
    const reply = await owner.post(`/api/v1/conversations/${agentChat.conversationId}/messages`, {
      content: '您好，我来帮您处理',
    });
    expect(reply.statusCode).toBe(201);
    await eventually(
      () => session(agentChat.conversationId),
      (row) => row?.state === 'handed_off',
    );
    expect(await session(agentChat.conversationId)).toMatchObject({ state: 'handed_off', reason: 'agent' });
    await agentChat.visitor.send('什么时候发货');
    await pause(400);
    expect((await transcript(agentChat.conversationId)).filter(([kind]) => kind === 'bot')).toHaveLength(1);

    // Resolved while the bot is still in charge: resolved by the bot.
    const botChat = await startConversation(context, inbox.token, '什么时候发货');
    await untilMessages(botChat.conversationId, 2);
    const resolved = await owner.request({
      method: 'POST',
      url: `/api/v1/conversations/${botChat.conversationId}/status`,
      payload: { status: 'resolved' },
    });
    expect(resolved.statusCode).toBe(200);
    await eventually(
      () => session(botChat.conversationId),
      (row) => row?.state === 'resolved_by_bot',
    );

    const handoff = await startConversation(context, inbox.token, '人工客服');
    await untilMessages(handoff.conversationId, 2);

    const stats = (await owner.get(`/api/v1/knowledge/bot/stats?inboxId=${inbox.id}`)).json();
    expect(stats).toMatchObject({
      sessions: 3,
      answered: 2,
      resolvedByBot: 1,
      handedOff: 2,
      resolutionRate: 0.333,
      handoffRate: 0.667,
      handoffReasons: { requested: 1, agent: 1 },
    });
  });

  it('steps back when the conversation is assigned by hand', async () => {
    const { owner, inbox } = await setup();
    const chat = await startConversation(context, inbox.token, '什么时候发货');
    await untilMessages(chat.conversationId, 2);
    const assigned = await owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, {
      assigneeId: owner.userId,
    });
    expect(assigned.statusCode).toBe(200);
    await eventually(
      () => session(chat.conversationId),
      (row) => row?.state === 'handed_off',
    );
    expect(await isBotHandling(context.database.db, owner.workspaceId!, chat.conversationId)).toBe(false);
  });

  it('handles a replayed message once', async () => {
    const { inbox } = await setup();
    const chat = await startConversation(context, inbox.token, '怎么退货');
    await untilMessages(chat.conversationId, 2);
    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    await pause(500);
    expect(await transcript(chat.conversationId)).toHaveLength(2);
    expect(await session(chat.conversationId)).toMatchObject({ answers_count: 1 });
  });

  it('leaves a question to the keyword reply that answers it, and answers the rest', async () => {
    const { owner, inbox } = await setup();
    const rule = await owner.post('/api/v1/keyword-replies', {
      name: '发货',
      keywords: ['发货'],
      replyText: '亲，现货 48 小时内发出~',
    });
    expect(rule.statusCode).toBe(201);
    const chat = await startConversation(context, inbox.token, '什么时候发货');
    await untilMessages(chat.conversationId, 2);
    await pause(400);
    expect(await transcript(chat.conversationId)).toEqual([
      ['customer', '什么时候发货'],
      ['bot', '亲，现货 48 小时内发出~'],
    ]);
    // The bot stays on for what no rule covers.
    await chat.visitor.send('怎么退货');
    expect((await untilMessages(chat.conversationId, 4)).at(-1)).toEqual(['bot', '签收后 7 天内可在订单页申请退货。']);
    expect(await session(chat.conversationId)).toMatchObject({ state: 'active', answers_count: 1 });
    // A request for a person is still handed off, whatever a rule answers.
    await chat.visitor.send('发货太慢了，转人工');
    const lines = await untilMessages(chat.conversationId, 7);
    expect(lines.slice(5)).toEqual(
      expect.arrayContaining([
        ['bot', '亲，现货 48 小时内发出~'],
        ['system', HANDOFF_MESSAGE],
      ]),
    );
  });

  it('answers when the matching keyword rule cannot (its template needs an order the customer lacks)', async () => {
    const { owner, inbox } = await setup();
    const template = await owner.post('/api/v1/templates', {
      scope: 'workspace',
      title: '发货进度',
      content: '您的订单 {{order.latest.order_no}} 已发出',
    });
    expect(template.statusCode, template.body).toBe(201);
    const rule = await owner.post('/api/v1/keyword-replies', {
      name: '发货',
      keywords: ['发货'],
      templateId: template.json().id,
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const chat = await startConversation(context, inbox.token, '什么时候发货');
    expect(await untilMessages(chat.conversationId, 2)).toEqual([
      ['customer', '什么时候发货'],
      ['bot', '付款后 48 小时内发货。'],
    ]);
  });

  it('stays silent when the inbox bot is off', async () => {
    const { owner, inbox } = await setup();
    await put(owner, `/api/v1/knowledge/bot/settings/${inbox.id}`, {
      enabled: false,
      threshold: 0.6,
      greeting: '',
      quickQuestions: [],
    });
    const chat = await startConversation(context, inbox.token, '怎么退货');
    await pause(400);
    expect(await transcript(chat.conversationId)).toHaveLength(1);
    expect(await session(chat.conversationId)).toBeUndefined();
    expect(await isBotHandling(context.database.db, owner.workspaceId!, chat.conversationId)).toBe(false);
  });
});
