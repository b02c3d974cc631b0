import { describe, expect, it } from 'vitest';
import {
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  insertCustomer,
  readBack,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();

type Conversation = { id: string; status: string; waitingSince: string | null; [key: string]: unknown };
type Message = { id: string; content: string; [key: string]: unknown };

const inFuture = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe('a visitor writing in', () => {
  it('opens a waiting, unread conversation with the message as its preview', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const before = Date.now();
    const sent = await visitor.send('你好，我的快递三天没动了');
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({
      direction: 'inbound',
      senderKind: 'customer',
      content: '你好，我的快递三天没动了',
    });

    const list = (await owner.get('/api/v1/conversations')).json();
    expect(list.items).toHaveLength(1);
    const conversation = list.items[0];
    expect(conversation).toMatchObject({
      inboxId: inbox.id,
      status: 'open',
      unreadCount: 1,
      assigneeId: null,
      lastMessagePreview: '你好，我的快递三天没动了',
    });
    expect(new Date(conversation.waitingSince).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const messages = (await owner.get(`/api/v1/conversations/${conversation.id}/messages`)).json();
    expect(messages.items.map((m: Message) => m.content)).toEqual(['你好，我的快递三天没动了']);
  });

  it('keeps one conversation and the first waiting time while the visitor keeps writing', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '在吗');
    const first = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    await visitor.send('我想退货');
    await visitor.send('订单号 2024123456');
    const after = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(after.waitingSince).toBe(first.waitingSince);
    expect(after.unreadCount).toBe(3);
    expect(after.lastMessagePreview).toBe('订单号 2024123456');
    expect(
      await countRows(context, 'from conversations where id = $1 or inbox_id = $2', [conversationId, inbox.id]),
    ).toBe(1);
  });

  it('collapses whitespace and cuts long messages in the preview, but stores the whole message', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const long = `第一行\n\n第二行   ${'很长'.repeat(200)}`;
    const { conversationId } = await startConversation(context, inbox.token, long);
    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(conversation.lastMessagePreview.startsWith('第一行 第二行 很长')).toBe(true);
    expect(conversation.lastMessagePreview.length).toBeLessThanOrEqual(120);
    const { rows } = await context.database.pool.query('select content from messages where conversation_id = $1', [
      conversationId,
    ]);
    expect(rows[0].content).toBe(long);
  });

  it('opens exactly one conversation when a new visitor sends several messages at once', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const answers = await Promise.all(['一', '二', '三', '四', '五'].map((content) => visitor.send(content)));
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(await countRows(context, 'from conversations where inbox_id = $1', [inbox.id])).toBe(1);
    expect(
      await countRows(
        context,
        'from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1',
        [inbox.id],
      ),
    ).toBe(5);
  });
});

describe('messages arriving together', () => {
  it('stores a burst from many customers in batches: each message once, in order, duplicates answered', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const customerIds = await Promise.all([1, 2, 3, 4].map(() => insertCustomer(context, owner.workspaceId!)));
    const receive = (customerId: string, content: string, clientMsgId: string) =>
      context.services.conversations.receiveInbound({
        workspaceId: owner.workspaceId!,
        inboxId: inbox.id,
        customerId,
        content,
        clientMsgId,
      });
    const burst = customerIds.flatMap((customerId, c) =>
      [0, 1, 2, 3, 4].map((k) => receive(customerId, `客户${c}-第${k}条`, `c${c}-${k}`)),
    );
    const repeated = receive(customerIds[0]!, '客户0-第0条', 'c0-0');
    const results = await Promise.all([...burst, repeated]);

    expect(results.filter((result) => result.isDuplicate)).toHaveLength(1);
    expect(results.at(-1)!.message.id).toBe(results[0]!.message.id);
    for (const [c, customerId] of customerIds.entries()) {
      const { rows } = await context.database.pool.query<{ content: string }>(
        `select m.content from messages m join conversations c on c.id = m.conversation_id
          where c.customer_id = $1 order by m.id`,
        [customerId],
      );
      expect(rows.map((row) => row.content)).toEqual([0, 1, 2, 3, 4].map((k) => `客户${c}-第${k}条`));
      expect(await countRows(context, 'from conversations where customer_id = $1', [customerId])).toBe(1);
    }
  });

  it('refuses only the message that cannot be stored when it arrives with others', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const customerId = await insertCustomer(context, owner.workspaceId!);
    const otherId = await insertCustomer(context, owner.workspaceId!);
    const receive = (id: string, content: string) =>
      context.services.conversations.receiveInbound({
        workspaceId: owner.workspaceId!,
        inboxId: inbox.id,
        customerId: id,
        content,
      });
    const outcomes = await Promise.allSettled([
      receive(customerId, '先到的一条'),
      receive(customerId, '好的消息'),
      receive(otherId, '坏的\u0000消息'),
      receive(otherId, '另一条好的'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const { rows } = await context.database.pool.query<{ content: string }>(
      `select m.content from messages m join conversations c on c.id = m.conversation_id
        where c.inbox_id = $1 order by m.id`,
      [inbox.id],
    );
    expect(rows.map((row) => row.content)).toEqual(['先到的一条', '好的消息', '另一条好的']);
  });
});

describe('the conversation an inbound message joins', () => {
  it("joins the thread it answers (even resolved) over the open one, and ignores another customer's thread", async () => {
    const { owner, inbox } = await createWorkspace(context);
    const customerId = await insertCustomer(context, owner.workspaceId!);
    const otherId = await insertCustomer(context, owner.workspaceId!);
    const receive = (id: string, content: string, threadId?: string) =>
      context.services.conversations.receiveInbound({
        workspaceId: owner.workspaceId!,
        inboxId: inbox.id,
        customerId: id,
        content,
        threadId,
      });
    const thread = (await receive(customerId, '第一封邮件')).conversation.id;
    await owner.post(`/api/v1/conversations/${thread}/status`, { status: 'resolved' });
    const open = (await receive(customerId, '另一件事')).conversation.id;
    const othersThread = (await receive(otherId, '别人的邮件')).conversation.id;
    expect(open).not.toBe(thread);

    const answer = await receive(customerId, '回复第一封', thread);
    expect(answer.conversation).toMatchObject({ id: thread, status: 'open' });
    expect((await receive(customerId, '没有引用')).conversation.id).toBe(open);
    expect((await receive(customerId, '引用了别人的', othersThread)).conversation.id).toBe(open);
    expect(await countRows(context, 'from messages where conversation_id = $1', [othersThread])).toBe(1);
  });
});

describe('replying', () => {
  it('stores an agent reply as outbound and stops the waiting clock', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent', '小美');
    const { visitor, conversationId } = await startConversation(context, inbox.token);
    const reply = await agent.post(`/api/v1/conversations/${conversationId}/messages`, { content: '您好，我来帮您查' });
    expect(reply.statusCode).toBe(201);
    expect(reply.json()).toMatchObject({
      conversationId,
      direction: 'outbound',
      senderKind: 'agent',
      senderId: agent.userId,
      senderName: '小美',
      private: false,
    });
    const { rows } = await context.database.pool.query(
      'select direction, sender_kind, sender_id, private from messages where id = $1',
      [reply.json().id],
    );
    expect(rows[0]).toEqual({ direction: 'outbound', sender_kind: 'agent', sender_id: agent.userId, private: false });

    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(conversation.waitingSince).toBeNull();
    expect(conversation.unreadCount).toBe(0);
    expect(conversation.lastMessagePreview).toBe('您好，我来帮您查');
    const history = (await readBack(context, inbox.token, visitor)).json();
    expect(history.items.map((m: Message) => m.content)).toEqual(['你好，在吗？', '您好，我来帮您查']);
  });

  it('starts the waiting clock again when the visitor answers the reply', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token);
    await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '请问订单号？' });
    const beforeAnswer = Date.now();
    await visitor.send('2024123456');
    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(conversation.waitingSince).not.toBeNull();
    expect(new Date(conversation.waitingSince).getTime()).toBeGreaterThanOrEqual(beforeAnswer - 1000);
  });

  it('keeps a private note from the visitor and leaves the customer waiting', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '还没发货吗');
    const waiting = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    const note = await owner.post(`/api/v1/conversations/${conversationId}/messages`, {
      content: '内部：这个客户上次投诉过，注意语气',
      private: true,
    });
    expect(note.statusCode).toBe(201);
    expect(note.json().private).toBe(true);

    const after = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(after.waitingSince).toBe(waiting.waitingSince);
    expect(after.lastMessagePreview).toBe('还没发货吗');
    const agentView = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json();
    expect(agentView.items.map((m: Message) => m.content)).toContain('内部：这个客户上次投诉过，注意语气');
    const history = await readBack(context, inbox.token, visitor);
    expect(history.statusCode).toBe(200);
    expect(history.body).not.toContain('内部');
    expect(history.json().items.map((m: Message) => m.content)).toEqual(['还没发货吗']);
  });

  it('stores an agent reply once when the same clientMsgId is sent twice', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const body = { content: '马上为您处理', clientMsgId: 'agent-retry-1' };
    const first = await owner.post(`/api/v1/conversations/${conversationId}/messages`, body);
    const second = await owner.post(`/api/v1/conversations/${conversationId}/messages`, body);
    expect(second.json().id).toBe(first.json().id);
    expect(
      await countRows(context, 'from messages where conversation_id = $1 and client_msg_id = $2', [
        conversationId,
        'agent-retry-1',
      ]),
    ).toBe(1);
  });

  it('stores an agent reply once when the same clientMsgId races in concurrently', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const body = { content: '并发重试', clientMsgId: 'agent-race-1' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => owner.post(`/api/v1/conversations/${conversationId}/messages`, body)),
    );
    expect(answers.every((answer) => answer.statusCode < 300)).toBe(true);
    expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(1);
    expect(
      await countRows(context, 'from messages where conversation_id = $1 and client_msg_id = $2', [
        conversationId,
        'agent-race-1',
      ]),
    ).toBe(1);
  });

  it('stores a visitor message once when the same clientMsgId is posted twice, answering 201 then 200', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const first = await visitor.send('重复发送的消息', 'visitor-retry-1');
    const second = await visitor.send('重复发送的消息', 'visitor-retry-1');
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    expect(await countRows(context, 'from messages where client_msg_id = $1', ['visitor-retry-1'])).toBe(1);
    const conversation = (
      await context.database.pool.query('select unread_count from conversations where inbox_id = $1', [inbox.id])
    ).rows[0];
    expect(conversation.unread_count).toBe(1);
  });

  it('stores a visitor message once when the same clientMsgId races in concurrently', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const answers = await Promise.all(Array.from({ length: 6 }, () => visitor.send('网络抖动重试', 'visitor-race-1')));
    expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(5);
    expect(await countRows(context, 'from messages where client_msg_id = $1', ['visitor-race-1'])).toBe(1);
  });

  it('refuses a reply from an analyst and stores nothing', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const { conversationId } = await startConversation(context, inbox.token);
    const response = await analyst.post(`/api/v1/conversations/${conversationId}/messages`, { content: '我只是看看' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.forbidden');
    expect(await countRows(context, 'from messages where conversation_id = $1', [conversationId])).toBe(1);
  });

  it('answers 404 for a conversation that does not exist', async () => {
    const { owner } = await createWorkspace(context);
    const response = await owner.post('/api/v1/conversations/0190a0a0-0000-7000-8000-000000000000/messages', {
      content: '你好',
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('conversation.not_found');
  });
});

describe('messages sent by automation', () => {
  const automated = (workspaceId: string, conversationId: string, key: string) =>
    context.services.conversations.sendAutomatedMessage({
      workspaceId,
      conversationId,
      content: '亲，一般 48 小时内发货',
      senderKind: 'bot',
      idempotencyKey: key,
      source: { kind: 'keyword_reply', id: 'rule-1' },
    });

  it('stores a bot reply once per idempotency key, shows it to the visitor and keeps the customer waiting', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '什么时候发货');
    const waiting = (await owner.get(`/api/v1/conversations/${conversationId}`)).json().waitingSince;
    const seen: unknown[] = [];
    const unsubscribe = context.events.subscribe((event) => {
      if (event.type === 'message.created') seen.push(event.automation);
    });
    const first = await automated(owner.workspaceId!, conversationId, 'kw:rule-1:m-1');
    const again = await automated(owner.workspaceId!, conversationId, 'kw:rule-1:m-1');
    unsubscribe();

    expect(first.isNew).toBe(true);
    expect(again).toMatchObject({ isNew: false, message: { id: first.message.id } });
    expect(first.message).toMatchObject({ direction: 'outbound', senderKind: 'bot', senderId: null });
    expect(seen).toEqual([{ kind: 'keyword_reply', id: 'rule-1' }]);
    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(conversation.waitingSince).toBe(waiting);
    expect(conversation.lastMessagePreview).toBe('亲，一般 48 小时内发货');
    const history = (await readBack(context, inbox.token, visitor)).json();
    expect(history.items.map((m: Message) => m.content)).toEqual(['什么时候发货', '亲，一般 48 小时内发货']);
    expect(JSON.stringify(history)).not.toContain('rule-1');
  });

  it('publishes recent inbound messages again after a restart, marked as replayed', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token, '我要退货');
    // History written with its own (earlier) times, as the demo data is: received long ago, nothing to replay.
    const history = await startConversation(context, inbox.token, '上个月的问题');
    await context.database.pool.query(
      `update messages set created_at = now() - interval '2 hours' where conversation_id = $1`,
      [history.conversationId],
    );
    const replayed: { content: string; replayed?: true }[] = [];
    const unsubscribe = context.events.subscribe((event) => {
      if (event.type === 'message.created' && event.workspaceId === owner.workspaceId) {
        replayed.push({ content: event.message.content, replayed: event.replayed });
      }
    });
    await context.services.conversations.replayRecentInbound(new Date(Date.now() - 60_000));
    await new Promise((resolve) => setTimeout(resolve, 10));
    unsubscribe();
    expect(replayed).toEqual([{ content: '我要退货', replayed: true }]);
    expect(await countRows(context, 'from messages where conversation_id = $1', [conversationId])).toBe(1);
  });
});

describe('the conversation list', () => {
  it('filters by mine, unassigned and all, and counts each', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const a = await startConversation(context, inbox.token, '一');
    const b = await startConversation(context, inbox.token, '二');
    const c = await startConversation(context, inbox.token, '三');
    await owner.post(`/api/v1/conversations/${a.conversationId}/assign`, { assigneeId: agent.userId });
    await owner.post(`/api/v1/conversations/${b.conversationId}/assign`, { assigneeId: owner.userId });

    const mine = (await agent.get('/api/v1/conversations?assignee=mine')).json();
    const unassigned = (await agent.get('/api/v1/conversations?assignee=unassigned')).json();
    const all = (await agent.get('/api/v1/conversations?assignee=all')).json();
    expect(ids(mine.items)).toEqual([a.conversationId]);
    expect(ids(unassigned.items)).toEqual([c.conversationId]);
    expect(ids(all.items).sort()).toEqual([a.conversationId, b.conversationId, c.conversationId].sort());
    expect((await agent.get('/api/v1/conversations/counts')).json()).toEqual({ mine: 1, unassigned: 1, all: 3 });
    expect((await owner.get('/api/v1/conversations/counts')).json()).toEqual({ mine: 1, unassigned: 1, all: 3 });
  });

  it('filters and counts by status', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const a = await startConversation(context, inbox.token, '一');
    const b = await startConversation(context, inbox.token, '二');
    await owner.post(`/api/v1/conversations/${b.conversationId}/status`, { status: 'resolved' });
    const open = (await owner.get('/api/v1/conversations?status=open')).json();
    const resolved = (await owner.get('/api/v1/conversations?status=resolved')).json();
    expect(ids(open.items)).toEqual([a.conversationId]);
    expect(ids(resolved.items)).toEqual([b.conversationId]);
    expect((await owner.get('/api/v1/conversations/counts?status=open')).json()).toEqual({
      mine: 0,
      unassigned: 1,
      all: 1,
    });
    expect((await owner.get('/api/v1/conversations/counts')).json().all).toBe(2);
  });

  it('filters by inbox and by customer', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const other = (await owner.post('/api/v1/inboxes', { name: '小程序', channelType: 'api' })).json();
    const a = await startConversation(context, inbox.token, '官网来的');
    const b = await startConversation(context, other.token, '小程序来的');
    expect(ids((await owner.get(`/api/v1/conversations?inboxId=${other.id}`)).json().items)).toEqual([
      b.conversationId,
    ]);
    expect(ids((await owner.get(`/api/v1/conversations?inboxId=${inbox.id}`)).json().items)).toEqual([
      a.conversationId,
    ]);
    expect(ids((await owner.get(`/api/v1/conversations?customerId=${a.customerId}`)).json().items)).toEqual([
      a.conversationId,
    ]);
  });

  it('searches by customer name and by any message of the conversation, case-insensitively', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const a = await startConversation(context, inbox.token, '我要开发票');
    const b = await startConversation(context, inbox.token, 'Where is my PARCEL?');
    const c = await startConversation(context, inbox.token, '随便问问');
    await owner.patch(`/api/v1/customers/${c.customerId}`, { name: '王小丫' });
    const search = async (q: string) =>
      ids((await owner.get(`/api/v1/conversations?q=${encodeURIComponent(q)}`)).json().items);
    expect(await search('发票')).toEqual([a.conversationId]);
    expect(await search('parcel')).toEqual([b.conversationId]);
    expect(await search('小丫')).toEqual([c.conversationId]);
    expect(await search('没有这个词')).toEqual([]);
    expect(await search('%')).toEqual([]);

    // Earlier messages count too, not only the one the list previews; another workspace's never do.
    await owner.post(`/api/v1/conversations/${a.conversationId}/messages`, { content: '好的，请提供抬头和税号' });
    expect(await search('开发票')).toEqual([a.conversationId]);
    const elsewhere = await createWorkspace(context);
    await startConversation(context, elsewhere.inbox.token, '我也要开发票');
    expect(await search('开发票')).toEqual([a.conversationId]);
  });

  it('puts the customer waiting longest first, then the latest activity', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const answered = await startConversation(context, inbox.token, '已经回复过的');
    const recent = await startConversation(context, inbox.token, '刚来的');
    const longest = await startConversation(context, inbox.token, '等了很久的');
    const answeredEarlier = await startConversation(context, inbox.token, '更早回复过的');
    await owner.post(`/api/v1/conversations/${answeredEarlier.conversationId}/messages`, { content: '好的' });
    await owner.post(`/api/v1/conversations/${answered.conversationId}/messages`, { content: '好的' });
    await context.database.pool.query(
      `update conversations set waiting_since = now() - interval '30 minutes' where id = $1`,
      [longest.conversationId],
    );
    await context.database.pool.query(
      `update conversations set waiting_since = now() - interval '2 minutes' where id = $1`,
      [recent.conversationId],
    );
    // Both answered conversations have no one waiting; the one answered earlier has the older activity.
    await context.database.pool.query(
      `update conversations set last_message_at = now() - interval '10 minutes' where id = $1`,
      [answeredEarlier.conversationId],
    );
    const list = (await owner.get('/api/v1/conversations')).json();
    expect(ids(list.items)).toEqual([
      longest.conversationId,
      recent.conversationId,
      answered.conversationId,
      answeredEarlier.conversationId,
    ]);
  });

  it('pages through every conversation exactly once', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const created: string[] = [];
    for (let i = 0; i < 7; i++)
      created.push((await startConversation(context, inbox.token, `第${i}位`)).conversationId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (await owner.get(`/api/v1/conversations?limit=3${query}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it('answers an empty last page with no cursor', async () => {
    const { owner, inbox } = await createWorkspace(context);
    await startConversation(context, inbox.token);
    await startConversation(context, inbox.token);
    const page = (await owner.get('/api/v1/conversations?limit=2')).json();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });
});

describe('the message history', () => {
  it('pages from newest to older, each page oldest→newest, with every message exactly once', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '消息 0');
    for (let i = 1; i < 35; i++) await visitor.send(`消息 ${i}`);

    const first = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json();
    expect(first.items).toHaveLength(30);
    expect(first.items[0].content).toBe('消息 5');
    expect(first.items.at(-1).content).toBe('消息 34');
    expect(first.nextCursor).toEqual(expect.any(String));

    const older = (
      await owner.get(`/api/v1/conversations/${conversationId}/messages?cursor=${encodeURIComponent(first.nextCursor)}`)
    ).json();
    expect(older.items.map((m: Message) => m.content)).toEqual(['消息 0', '消息 1', '消息 2', '消息 3', '消息 4']);
    expect(older.nextCursor).toBeNull();

    const all = [...older.items, ...first.items].map((m: Message) => m.content);
    expect(all).toEqual(Array.from({ length: 35 }, (_, i) => `消息 ${i}`));
  });

  it('pages the visitor read-back the same way', async () => {
    const { inbox } = await createWorkspace(context);
    const { visitor } = await startConversation(context, inbox.token, '消息 0');
    for (let i = 1; i < 12; i++) await visitor.send(`消息 ${i}`);
    const first = (await readBack(context, inbox.token, visitor, '?limit=5')).json();
    expect(first.items.map((m: Message) => m.content)).toEqual(['消息 7', '消息 8', '消息 9', '消息 10', '消息 11']);
    const second = (
      await readBack(context, inbox.token, visitor, `?limit=5&cursor=${encodeURIComponent(first.nextCursor)}`)
    ).json();
    expect(second.items.map((m: Message) => m.content)).toEqual(['消息 2', '消息 3', '消息 4', '消息 5', '消息 6']);
    const third = (
      await readBack(context, inbox.token, visitor, `?limit=5&cursor=${encodeURIComponent(second.nextCursor)}`)
    ).json();
    expect(third.items.map((m: Message) => m.content)).toEqual(['消息 0', '消息 1']);
    expect(third.nextCursor).toBeNull();
  });
});

describe('assigning', () => {
  it('assigns a conversation to an agent and to a team, and unassigns it', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const team = (await owner.post('/api/v1/teams', { name: '售后组', memberIds: [agent.userId] })).json();
    const { conversationId } = await startConversation(context, inbox.token);

    const assigned = await owner.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: agent.userId,
      teamId: team.id,
    });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toMatchObject({ assigneeId: agent.userId, teamId: team.id });
    const { rows } = await context.database.pool.query('select assignee_id, team_id from conversations where id = $1', [
      conversationId,
    ]);
    expect(rows[0]).toEqual({ assignee_id: agent.userId, team_id: team.id });

    const teamOnly = await owner.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: null });
    expect(teamOnly.json()).toMatchObject({ assigneeId: null, teamId: team.id });
  });

  it('lets an agent take a conversation for themselves', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const { conversationId } = await startConversation(context, inbox.token);
    const taken = await agent.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: agent.userId });
    expect(taken.json().assigneeId).toBe(agent.userId);
    expect((await agent.get('/api/v1/conversations/counts')).json().mine).toBe(1);
  });

  it('refuses to assign to a member of another workspace', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const elsewhere = await createWorkspace(context, '别的店');
    const { conversationId } = await startConversation(context, inbox.token);
    const response = await owner.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: elsewhere.owner.userId,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('user.not_found');
    const { rows } = await context.database.pool.query('select assignee_id from conversations where id = $1', [
      conversationId,
    ]);
    expect(rows[0].assignee_id).toBeNull();
  });

  it('refuses to assign to a team of another workspace', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const elsewhere = await createWorkspace(context, '别的店');
    const foreignTeam = (await elsewhere.owner.post('/api/v1/teams', { name: '别人的组' })).json();
    const { conversationId } = await startConversation(context, inbox.token);
    const response = await owner.post(`/api/v1/conversations/${conversationId}/assign`, { teamId: foreignTeam.id });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('team.not_found');
  });

  it('refuses to assign to a disabled member', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    await owner.patch(`/api/v1/users/${agent.userId}`, { disabled: true });
    const { conversationId } = await startConversation(context, inbox.token);
    const response = await owner.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: agent.userId });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('user.not_found');
  });

  it('refuses assignment to an analyst', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const { conversationId } = await startConversation(context, inbox.token);
    const response = await analyst.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: analyst.userId,
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('status changes', () => {
  const statusOf = async (id: string) =>
    (await context.database.pool.query('select status, snoozed_until from conversations where id = $1', [id])).rows[0];

  it('moves an open conversation to pending and back to open', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const pending = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'pending' });
    expect(pending.json().status).toBe('pending');
    const open = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'open' });
    expect(open.json().status).toBe('open');
  });

  it('snoozes only until a future time', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const url = `/api/v1/conversations/${conversationId}/status`;

    const withoutTime = await owner.post(url, { status: 'snoozed' });
    expect(withoutTime.statusCode).toBe(400);
    expect(withoutTime.json().error.code).toBe('request.invalid');
    const inThePast = await owner.post(url, { status: 'snoozed', snoozedUntil: inFuture(-5) });
    expect(inThePast.statusCode).toBe(400);
    const notATime = await owner.post(url, { status: 'snoozed', snoozedUntil: '明天早上' });
    expect(notATime.statusCode).toBe(400);
    expect((await statusOf(conversationId)).status).toBe('open');

    const until = inFuture(60);
    const snoozed = await owner.post(url, { status: 'snoozed', snoozedUntil: until });
    expect(snoozed.statusCode).toBe(200);
    expect(snoozed.json()).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    expect((await statusOf(conversationId)).snoozed_until.toISOString()).toBe(until);
  });

  it('refuses to snooze a resolved conversation', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    const response = await owner.post(`/api/v1/conversations/${conversationId}/status`, {
      status: 'snoozed',
      snoozedUntil: inFuture(60),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('conversation.invalid_transition');
    expect((await statusOf(conversationId)).status).toBe('resolved');
  });

  it('resolves a conversation, stops its waiting clock, and reopens it', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const resolved = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    expect(resolved.json()).toMatchObject({ status: 'resolved', waitingSince: null });
    const reopened = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'open' });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json().status).toBe('open');
    expect((await statusOf(conversationId)).status).toBe('open');
  });

  it('opens a new conversation when the visitor writes after the last one was resolved', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId, customerId } = await startConversation(context, inbox.token, '第一次咨询');
    await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    await visitor.send('又有新问题了');

    const list = (await owner.get(`/api/v1/conversations?customerId=${customerId}`)).json();
    expect(list.items).toHaveLength(2);
    const fresh = list.items.find((c: Conversation) => c.id !== conversationId);
    expect(fresh).toMatchObject({ status: 'open', unreadCount: 1, lastMessagePreview: '又有新问题了' });
    expect((await statusOf(conversationId)).status).toBe('resolved');
    const freshMessages = (await owner.get(`/api/v1/conversations/${fresh.id}/messages`)).json();
    expect(freshMessages.items.map((m: Message) => m.content)).toEqual(['又有新问题了']);
    // The visitor still sees the whole history with this shop (with the satisfaction survey sent on resolving).
    const history = (await readBack(context, inbox.token, visitor)).json();
    const customerLines = history.items.filter((m: Message) => m.senderKind !== 'system');
    expect(customerLines.map((m: Message) => m.content)).toEqual(['第一次咨询', '又有新问题了']);
  });

  it('reopens a snoozed conversation when the visitor writes', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token);
    await owner.post(`/api/v1/conversations/${conversationId}/status`, {
      status: 'snoozed',
      snoozedUntil: inFuture(60),
    });
    await visitor.send('还在吗？');
    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(conversation).toMatchObject({ status: 'open', snoozedUntil: null });
    expect(await countRows(context, 'from conversations where inbox_id = $1', [inbox.id])).toBe(1);
  });

  it('wakes snoozed conversations whose time has come, and only those', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const due = await startConversation(context, inbox.token);
    const later = await startConversation(context, inbox.token);
    for (const { conversationId } of [due, later]) {
      await owner.post(`/api/v1/conversations/${conversationId}/status`, {
        status: 'snoozed',
        snoozedUntil: inFuture(60),
      });
    }
    await context.database.pool.query(
      `update conversations set snoozed_until = now() - interval '1 minute' where id = $1`,
      [due.conversationId],
    );
    await context.services.conversations.wakeSnoozed();
    expect(await statusOf(due.conversationId)).toEqual({ status: 'open', snoozed_until: null });
    expect((await statusOf(later.conversationId)).status).toBe('snoozed');
    // Safe to run again.
    await context.services.conversations.wakeSnoozed();
    expect((await statusOf(due.conversationId)).status).toBe('open');
  });

  it('refuses a status change by an analyst', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const { conversationId } = await startConversation(context, inbox.token);
    const response = await analyst.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    expect(response.statusCode).toBe(403);
    expect((await statusOf(conversationId)).status).toBe('open');
  });
});

describe('reading', () => {
  it('marks a conversation read by its assignee', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const { visitor, conversationId } = await startConversation(context, inbox.token);
    await visitor.send('第二条');
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).json().unreadCount).toBe(2);
    // Someone else looking (here an analyst) reads nothing for the customer.
    expect((await analyst.post(`/api/v1/conversations/${conversationId}/read`)).json().unreadCount).toBe(2);
    await owner.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: owner.userId });
    const read = await owner.post(`/api/v1/conversations/${conversationId}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json().unreadCount).toBe(0);
    const { rows } = await context.database.pool.query('select unread_count from conversations where id = $1', [
      conversationId,
    ]);
    expect(rows[0].unread_count).toBe(0);
    await visitor.send('第三条');
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).json().unreadCount).toBe(1);
  });
});
