import { describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  pause,
  startConversation,
} from '../../../test/harness.ts';
import type { Actor } from '../../platform/access.ts';
import { compileMatcher, normalizeForMatch } from './keyword-matcher.ts';
import { createKeywordRepliesService } from './keyword-replies.service.ts';

const context = await createTestApp();

const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });

async function setup() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const rule = async (body: Record<string, unknown>) => {
    const response = await workspace.owner.post('/api/v1/keyword-replies', body);
    if (response.statusCode !== 201) throw new Error(response.body);
    return response.json() as { id: string; name: string; priority: number };
  };
  return { ...workspace, workspaceId, rule };
}

/** Public (non-private) messages of a conversation sent by the bot. */
const botReplies = async (conversationId: string) =>
  (
    await context.database.pool.query<{ content: string }>(
      `select content from messages where conversation_id = $1 and sender_kind = 'bot' order by id`,
      [conversationId],
    )
  ).rows.map((row) => row.content);

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await pause(25);
  }
}

/** The conversation's bot replies once there are at least `count` (or whatever is there after 10 s). */
const botRepliesAtLeast = (conversationId: string, count = 1) =>
  eventually(
    () => botReplies(conversationId),
    (list) => list.length >= count,
  );

/** Lets subscribers of already-published events finish, so "nothing happened" is really nothing. */
const settle = () => pause(300);

describe('the keyword matcher', () => {
  it('ignores traditional/simplified, full/half width, case and spaces', () => {
    const matcher = compileMatcher([
      { mode: 'contains', keywords: ['退货', 'iphone'].map(normalizeForMatch) },
      { mode: 'contains', keywords: [normalizeForMatch('快递 到哪了')] },
    ]);
    expect(matcher.match(normalizeForMatch('我想退貨'))).toEqual([0]);
    expect(matcher.match(normalizeForMatch('ＩＰｈｏｎｅ 15'))).toEqual([0]);
    expect(matcher.match(normalizeForMatch('我的快遞到 哪了？'))).toEqual([1]);
    expect(matcher.match(normalizeForMatch('你好'))).toEqual([]);
  });

  it('matches exact, all-of and regex rules, and overlapping keywords', () => {
    const matcher = compileMatcher([
      { mode: 'exact', keywords: ['在吗'] },
      { mode: 'all_of', keywords: ['发票', '开'] },
      { mode: 'regex', keywords: ['1[3-9]\\d{9}'] },
      { mode: 'contains', keywords: ['he', 'she', 'hers'] },
    ]);
    const match = (text: string) => [...matcher.match(normalizeForMatch(text), text)].sort();
    expect(match('在吗')).toEqual([0]);
    expect(match('在吗？人呢')).toEqual([]);
    expect(match('可以开发票吗')).toEqual([1]);
    expect(match('发票')).toEqual([]);
    expect(match('电话 13800138000')).toEqual([2]);
    expect(match('ushers')).toEqual([3]);
  });

  it('runs a backtracking-prone pattern on a long input in linear time (RE2)', () => {
    const matcher = compileMatcher([{ mode: 'regex', keywords: ['(a|a)*b'] }]);
    const text = 'a'.repeat(5000);
    const started = performance.now();
    expect(matcher.match(text, text)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('keyword reply rules', () => {
  it('lets an admin create, read, change, reorder and delete rules, and an analyst read and test them', async () => {
    const { owner, addUser, rule } = await setup();
    const admin = await addUser('admin');
    const created = await admin.post('/api/v1/keyword-replies', {
      name: '发票',
      keywords: ['发票', '  开票 ', '发票'],
      replyText: '可以开具电子发票，请在订单页申请。',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: '发票',
      keywords: ['发票', '开票'],
      matchMode: 'contains',
      templateId: null,
      replyText: '可以开具电子发票，请在订单页申请。',
      hours: 'always',
      frequency: 'every_time',
      enabled: true,
      hitCount: 0,
      broken: null,
      priority: 10,
    });
    const second = await rule({ name: '价格', keywords: ['价格'], replyText: '以页面价格为准' });
    expect(second.priority).toBe(20);

    const id = created.json().id;
    const changed = await admin.patch(`/api/v1/keyword-replies/${id}`, {
      frequency: 'cooldown',
      cooldownMinutes: 30,
      enabled: false,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ frequency: 'cooldown', cooldownMinutes: 30, enabled: false });

    const reordered = await owner.post('/api/v1/keyword-replies/reorder', { ids: [second.id, id] });
    expect(reordered.statusCode).toBe(200);
    expect(reordered.json().items.map((item: { name: string }) => item.name)).toEqual(['价格', '发票']);

    const analyst = await addUser('analyst');
    const listed = await analyst.get('/api/v1/keyword-replies?q=發票');
    expect(listed.json().items.map((item: { id: string }) => item.id)).toEqual([id]);
    expect((await analyst.post('/api/v1/keyword-replies/test', { content: '价格多少' })).statusCode).toBe(200);
    expect(
      (await analyst.post('/api/v1/keyword-replies', { name: 'x', keywords: ['x'], replyText: 'y' })).statusCode,
    ).toBe(403);
    expect((await analyst.patch(`/api/v1/keyword-replies/${id}`, { enabled: true })).statusCode).toBe(403);
    expect((await del(analyst, `/api/v1/keyword-replies/${id}`)).statusCode).toBe(403);

    const agent = await addUser('agent');
    expect((await agent.get('/api/v1/keyword-replies')).statusCode).toBe(403);
    expect((await agent.post('/api/v1/keyword-replies/test', { content: '价格' })).statusCode).toBe(403);

    expect((await del(admin, `/api/v1/keyword-replies/${id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/v1/keyword-replies/${id}`)).statusCode).toBe(404);
  });

  it("answers 404 for another workspace's rules", async () => {
    const mine = await setup();
    const theirs = await setup();
    const rule = await theirs.rule({ name: '价格', keywords: ['价格'], replyText: '以页面为准' });
    expect((await mine.owner.get(`/api/v1/keyword-replies/${rule.id}`)).statusCode).toBe(404);
    expect((await mine.owner.patch(`/api/v1/keyword-replies/${rule.id}`, { enabled: false })).statusCode).toBe(404);
    expect((await del(mine.owner, `/api/v1/keyword-replies/${rule.id}`)).statusCode).toBe(404);
    expect((await mine.owner.post('/api/v1/keyword-replies/reorder', { ids: [rule.id] })).statusCode).toBe(404);
    expect((await mine.owner.get('/api/v1/keyword-replies')).json().items).toEqual([]);
    const tested = await mine.owner.post('/api/v1/keyword-replies/test', { content: '价格', inboxId: theirs.inbox.id });
    expect(tested.statusCode).toBe(404);
    expect((await theirs.owner.get(`/api/v1/keyword-replies/${rule.id}`)).json().enabled).toBe(true);
  });

  it('refuses bad rules with a clear 400 and stores nothing', async () => {
    const { owner, workspaceId } = await setup();
    const attempt = async (body: Record<string, unknown>) => {
      const response = await owner.post('/api/v1/keyword-replies', { name: '规则', keywords: ['价格'], ...body });
      return {
        status: response.statusCode,
        code: response.json().error?.code,
        message: response.json().error?.message,
      };
    };
    expect(await attempt({})).toMatchObject({ status: 400, code: 'keyword_reply.invalid' });
    expect(await attempt({ replyText: 'a', templateId: '0190a4b2-0000-7000-8000-000000000000' })).toMatchObject({
      status: 400,
      message: '回复模板和回复内容只能二选一',
    });
    expect(await attempt({ templateId: '0190a4b2-0000-7000-8000-000000000000' })).toMatchObject({
      status: 400,
      message: '所选的回复模板不存在',
    });
    expect(await attempt({ replyText: 'a', frequency: 'cooldown' })).toMatchObject({ status: 400 });
    expect(await attempt({ replyText: 'a', keywords: ['　 '] })).toMatchObject({ status: 400 });
    expect(await attempt({ replyText: 'a', keywords: [] })).toMatchObject({ status: 400, code: 'request.invalid' });
    expect(await attempt({ replyText: 'a', inboxIds: ['0190a4b2-0000-7000-8000-000000000000'] })).toMatchObject({
      status: 400,
      code: 'keyword_reply.invalid',
    });
    const unsafe = await attempt({ replyText: 'a', matchMode: 'regex', keywords: ['(a+)+$'] });
    expect(unsafe).toMatchObject({ status: 400, code: 'keyword_reply.unsafe_regex' });
    expect(unsafe.message).toContain('灾难性回溯');
    expect(await attempt({ replyText: 'a', matchMode: 'regex', keywords: ['([a-z]*)*x'] })).toMatchObject({
      code: 'keyword_reply.unsafe_regex',
    });
    expect(await attempt({ replyText: 'a', matchMode: 'regex', keywords: ['(\\w)\\1'] })).toMatchObject({
      status: 400,
      code: 'keyword_reply.invalid_regex',
    });
    expect(await attempt({ replyText: 'a', matchMode: 'regex', keywords: ['(?=价格)'] })).toMatchObject({
      code: 'keyword_reply.invalid_regex',
    });
    expect(await countRows(context, 'from keyword_replies where workspace_id = $1', [workspaceId])).toBe(0);

    const good = await attempt({ replyText: 'a', matchMode: 'regex', keywords: ['订单号?\\d{6,}'] });
    expect(good.status).toBe(201);
  });
});

describe('auto-replies', () => {
  it('replies to a matching customer message once, counts the hit, and a replay sends nothing twice', async () => {
    const { owner, inbox, rule } = await setup();
    const created = await rule({
      name: '发票',
      keywords: ['发票'],
      replyText: '可以开具电子发票，请在订单页申请发票。',
    });
    const { visitor, conversationId } = await startConversation(context, inbox.token, '可以開發票嗎');
    const replies = await botRepliesAtLeast(conversationId);
    expect(replies).toEqual(['可以开具电子发票，请在订单页申请发票。']);
    // The reply itself mentions 发票: automation's own messages never trigger rules.
    await settle();
    expect(await botReplies(conversationId)).toHaveLength(1);
    const read = (await owner.get(`/api/v1/keyword-replies/${created.id}`)).json();
    expect(read.hitCount).toBe(1);
    expect(read.lastHitAt).not.toBeNull();

    const replayed = await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    expect(replayed).toBeGreaterThan(0);
    await settle();
    expect(await botReplies(conversationId)).toHaveLength(1);
    expect((await owner.get(`/api/v1/keyword-replies/${created.id}`)).json().hitCount).toBe(1);

    // A widget reply commits without waiting for the WAL flush; if a database crash loses it, the start-up replay
    // writes it again (here the reply is deleted, as the crash would have).
    await context.database.pool.query(`delete from messages where conversation_id = $1 and sender_kind = 'bot'`, [
      conversationId,
    ]);
    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    expect(await botRepliesAtLeast(conversationId)).toEqual(['可以开具电子发票，请在订单页申请发票。']);
    await settle();
    expect(await botReplies(conversationId)).toHaveLength(1);

    // every_time: the next matching message gets its own reply.
    await visitor.send('发票抬头怎么写');
    expect(
      await eventually(
        () => botReplies(conversationId),
        (list) => list.length === 2,
      ),
    ).toHaveLength(2);
    // The visitor reads the reply back.
    const messages = await context.app.inject({
      method: 'GET',
      url: `/public/v1/inboxes/${inbox.token}/conversations/${visitor.sourceId}/messages`,
      headers: { 'x-huike-visitor-token': visitor.visitorToken },
    });
    expect(messages.json().items.some((m: { senderKind: string }) => m.senderKind === 'bot')).toBe(true);
  });

  it('keeps once-per-conversation and cooldown rules quiet after their first reply', async () => {
    const { inbox, rule } = await setup();
    await rule({ name: '退货', keywords: ['退货'], replyText: '退货请看售后说明', frequency: 'once_per_conversation' });
    await rule({
      name: '价格',
      keywords: ['价格'],
      replyText: '以页面价格为准',
      frequency: 'cooldown',
      cooldownMinutes: 30,
    });
    const { visitor, conversationId } = await startConversation(context, inbox.token, '我要退货');
    await eventually(
      () => botReplies(conversationId),
      (list) => list.length === 1,
    );
    await visitor.send('退货地址是哪里');
    await visitor.send('价格多少');
    await eventually(
      () => botReplies(conversationId),
      (list) => list.length === 2,
    );
    await visitor.send('价格能便宜吗');
    await settle();
    expect(await botReplies(conversationId)).toEqual(['退货请看售后说明', '以页面价格为准']);
  });

  it('answers two messages arriving together under a once-per-conversation rule only once', async () => {
    const { inbox, rule } = await setup();
    await rule({ name: '退货', keywords: ['退货'], replyText: '退货请看售后说明', frequency: 'once_per_conversation' });
    const { visitor, conversationId } = await startConversation(context, inbox.token, '你好');
    await Promise.all([visitor.send('我要退货'), visitor.send('退货怎么弄'), visitor.send('退货地址')]);
    await botRepliesAtLeast(conversationId);
    await settle();
    expect(await botReplies(conversationId)).toEqual(['退货请看售后说明']);
  });

  it('sends a reply whose hit was recorded before a crash when the message is replayed, once', async () => {
    const { owner, inbox, workspaceId, rule } = await setup();
    const created = await rule({ name: '发票', keywords: ['发票'], replyText: '可以开发票', enabled: false });
    const { conversationId } = await startConversation(context, inbox.token, '能开发票吗');
    await settle();
    expect(await botReplies(conversationId)).toEqual([]);
    // As if the process stopped between claiming the hit and sending the reply.
    const { rows } = await context.database.pool.query<{ id: string }>(
      `select id from messages where conversation_id = $1 and direction = 'inbound'`,
      [conversationId],
    );
    await context.database.pool.query(
      'insert into keyword_reply_hits (workspace_id, rule_id, conversation_id, message_id) values ($1, $2, $3, $4)',
      [workspaceId, created.id, conversationId, rows[0]!.id],
    );
    await owner.patch(`/api/v1/keyword-replies/${created.id}`, { enabled: true });
    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    expect(await botRepliesAtLeast(conversationId)).toEqual(['可以开发票']);
    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    await settle();
    expect(await botReplies(conversationId)).toEqual(['可以开发票']);
  });

  it('evaluates by priority and lets a rule stop the ones after it', async () => {
    const { owner, inbox, rule } = await setup();
    const first = await rule({
      name: '物流',
      keywords: ['快递到哪了'],
      replyText: '正在为您查询物流',
      stopOtherRules: true,
    });
    await rule({ name: '快递', keywords: ['快递'], replyText: '我们默认发中通快递' });
    await rule({ name: '问候', keywords: ['你好'], replyText: '你好呀', enabled: false });
    const { conversationId } = await startConversation(context, inbox.token, '你好，我的快遞到哪了？');
    await botRepliesAtLeast(conversationId);
    await settle();
    expect(await botReplies(conversationId)).toEqual(['正在为您查询物流']);

    const tested = await owner.post('/api/v1/keyword-replies/test', { content: '你好，我的快遞到哪了？' });
    expect(tested.statusCode).toBe(200);
    expect(tested.json().rules).toEqual([
      expect.objectContaining({
        ruleId: first.id,
        fired: true,
        reason: '命中关键词“快递到哪了”',
        reply: '正在为您查询物流',
      }),
      expect.objectContaining({ name: '快递', matched: true, fired: false, reason: '已被更高优先级规则“物流”终止' }),
      expect.objectContaining({ name: '问候', fired: false, reason: '规则已停用' }),
    ]);
    const withConversation = await owner.post('/api/v1/keyword-replies/test', {
      content: '快递到哪了',
      conversationId,
    });
    expect(withConversation.json().rules[0]).toMatchObject({ fired: true });
  });

  it('replies with a template filled for the conversation, and marks a rule broken when its template is deleted', async () => {
    const { owner, inbox, rule } = await setup();
    const template = (
      await owner.post('/api/v1/templates', {
        scope: 'workspace',
        title: '发货说明',
        content: '您好，{{workspace.name}}现货 48 小时内发货。',
      })
    ).json();
    const created = await rule({ name: '发货', keywords: ['发货'], templateId: template.id });
    expect(created).toMatchObject({ templateId: template.id });
    const { visitor, conversationId } = await startConversation(context, inbox.token, '什么时候发货');
    expect(await botRepliesAtLeast(conversationId)).toEqual(['您好，测试店铺现货 48 小时内发货。']);

    expect((await del(owner, `/api/v1/templates/${template.id}`)).statusCode).toBe(204);
    const read = (await owner.get(`/api/v1/keyword-replies/${created.id}`)).json();
    expect(read).toMatchObject({ broken: '模板已删除', templateTitle: null });
    const tested = (await owner.post('/api/v1/keyword-replies/test', { content: '发货了吗' })).json();
    expect(tested.rules[0]).toMatchObject({ fired: false, matched: true, reason: '模板已删除，规则已跳过' });

    context.services.keywordReplies.invalidate(owner.workspaceId!);
    await visitor.send('发货了吗');
    await settle();
    expect(await botReplies(conversationId)).toHaveLength(1);
    // Still editable: pointing it at a plain reply repairs it.
    const repaired = await owner.patch(`/api/v1/keyword-replies/${created.id}`, { replyText: '今天发出' });
    expect(repaired.json()).toMatchObject({ broken: null, templateId: null, replyText: '今天发出' });
  });

  it('does not send a template about an order to a customer who has none', async () => {
    const { owner, inbox, rule } = await setup();
    const template = (
      await owner.post('/api/v1/templates', {
        scope: 'workspace',
        title: '快递查询',
        content:
          '{{customer.name}}您好，您的订单 {{order.latest.order_no}} 的快递单号是 {{order.latest.tracking_no}}。',
      })
    ).json();
    const created = await rule({ name: '物流', keywords: ['快递'], templateId: template.id });
    const noOrder = await startConversation(context, inbox.token, '我的快递到哪了');
    await settle();
    expect(await botReplies(noOrder.conversationId)).toEqual([]);
    // Nothing went out, so it is no hit.
    expect((await owner.get(`/api/v1/keyword-replies/${created.id}`)).json()).toMatchObject({ hitCount: 0 });

    const withOrder = await startConversation(context, inbox.token, '你好');
    const placed = await owner.post('/api/v1/orders', {
      platform: 'taobao',
      orderNo: 'TB1001',
      status: 'shipped',
      amountFen: 9900,
      placedAt: '2026-11-20T08:00:00Z',
      trackingNo: 'SF123456',
      customer: { customerId: withOrder.customerId },
    });
    expect(placed.statusCode, placed.body).toBeLessThan(300);
    await withOrder.visitor.send('快递到哪了');
    expect(await botRepliesAtLeast(withOrder.conversationId)).toEqual([
      '您好，您的订单 TB1001 的快递单号是 SF123456。',
    ]);
    await settle();
    expect((await owner.get(`/api/v1/keyword-replies/${created.id}`)).json()).toMatchObject({ hitCount: 1 });
  });

  it('honours inbox and business-hours conditions', async () => {
    const { owner, inbox, workspaceId, rule } = await setup();
    const other = (await owner.post('/api/v1/inboxes', { name: 'API', channelType: 'api' })).json();
    await rule({ name: '离线', keywords: ['在吗'], replyText: '客服已下班', hours: 'off_hours' });
    await rule({ name: '在线', keywords: ['在吗'], replyText: '在的', hours: 'business' });
    await rule({ name: '仅API', keywords: ['在吗'], replyText: 'API', inboxIds: [other.id] });
    const nineToSix = (at: Date) => {
      const hour = (at.getUTCHours() + 8) % 24;
      return hour >= 9 && hour < 18;
    };
    const service = createKeywordRepliesService({
      db: context.database.db,
      audit: context.services.audit,
      conversations: context.services.conversations,
      businessHours: async () => ({ isOpen: nineToSix }),
    });
    const actor: Actor = { userId: owner.userId!, workspaceId, role: 'owner', name: '店长' };
    const at = (iso: string) => service.test(actor, { content: '在吗', inboxId: inbox.id, at: iso });
    const night = await at('2026-03-02T14:00:00Z'); // 22:00 in Shanghai
    expect(night.rules.map((r) => [r.name, r.fired, r.reason])).toEqual([
      ['离线', true, '命中关键词“在吗”'],
      ['在线', false, '工作时间规则，当前为非工作时间'],
      ['仅API', false, '规则不适用于此渠道'],
    ]);
    const day = await at('2026-03-02T03:00:00Z'); // 11:00 in Shanghai
    expect(day.rules.map((r) => [r.name, r.fired, r.reason])).toEqual([
      ['离线', false, '非工作时间规则，当前为工作时间'],
      ['在线', true, '命中关键词“在吗”'],
      ['仅API', false, '规则不适用于此渠道'],
    ]);
  });

  it('logs and skips a failing reply without breaking the next message', async () => {
    const { inbox, rule } = await setup();
    await rule({ name: '价格', keywords: ['价格'], replyText: '以页面价格为准' });
    const logged: string[] = [];
    let calls = 0;
    const service = createKeywordRepliesService({
      db: context.database.db,
      audit: context.services.audit,
      conversations: {
        sendAutomatedMessage: async (input) => {
          calls++;
          if (calls === 1) throw new Error('channel down');
          return context.services.conversations.sendAutomatedMessage(input);
        },
      },
      log: (_entry, message) => logged.push(message),
    });
    const unsubscribe = service.subscribe(context.events);
    try {
      const { visitor, conversationId } = await startConversation(context, inbox.token, '你好');
      await visitor.send('价格多少');
      await eventually(
        () => Promise.resolve(logged),
        (list) => list.includes('keyword reply failed'),
      );
      expect(logged).toContain('keyword reply failed');
      await visitor.send('价格还能少吗');
      // Both the app's own subscriber and this one reply; the same idempotency key stores the reply once.
      const replies = await botRepliesAtLeast(conversationId, 2);
      expect(replies.every((content) => content === '以页面价格为准')).toBe(true);
      await settle();
    } finally {
      unsubscribe();
    }
  });
});
