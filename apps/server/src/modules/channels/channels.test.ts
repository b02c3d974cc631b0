import { describe, expect, it } from 'vitest';
import {
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  customerIdOf,
  hmacHex,
  readBack,
  sendSigned,
  signatureHeader,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();

type Message = { id: string; content: string };

const startVisitor = (inboxToken: string, body: Record<string, unknown> = {}) =>
  context.app.inject({ method: 'POST', url: `/public/v1/inboxes/${inboxToken}/visitors`, payload: body });

const postAsVisitor = (
  inboxToken: string,
  visitor: { sourceId: string; visitorToken: string },
  body: Record<string, unknown>,
) =>
  context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inboxToken}/messages`,
    headers: { 'x-huike-visitor-token': visitor.visitorToken },
    payload: { sourceId: visitor.sourceId, ...body },
  });

const customerRow = async (id: string) =>
  (await context.database.pool.query('select name, phone, email from customers where id = $1', [id])).rows[0];

describe('inboxes', () => {
  it('creates an inbox with a public token and a secret, and lists it', async () => {
    const { owner } = await createWorkspace(context);
    const created = await owner.post('/api/v1/inboxes', {
      name: '天猫旗舰店',
      channelType: 'api',
      settings: { color: '#ff5000', greeting: '亲，欢迎光临' },
    });
    expect(created.statusCode).toBe(201);
    const inbox = created.json();
    expect(inbox).toMatchObject({
      name: '天猫旗舰店',
      channelType: 'api',
      settings: { color: '#ff5000', greeting: '亲，欢迎光临' },
    });
    expect(inbox.token).toMatch(/^[\w-]{16,}$/);
    expect(inbox.secret).toMatch(/^[\w-]{32,}$/);
    expect(inbox.secret).not.toBe(inbox.token);

    const list = (await owner.get('/api/v1/inboxes')).json();
    expect(list.items.map((i: { name: string }) => i.name)).toEqual(['官网', '天猫旗舰店']);
    expect(list.nextCursor).toBeNull();
    const fetched = await owner.get(`/api/v1/inboxes/${inbox.id}`);
    expect(fetched.json()).toEqual(inbox);
  });

  it('fills default settings for a website inbox', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = (await owner.post('/api/v1/inboxes', { name: '官网 2' })).json();
    expect(inbox.channelType).toBe('website');
    expect(inbox.settings).toEqual({ color: '#1677ff', greeting: expect.any(String) });
  });

  it('shows the secret to owners and admins only', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const admin = await addUser('admin');
    const agent = await addUser('agent');
    const analyst = await addUser('analyst');
    expect((await owner.get(`/api/v1/inboxes/${inbox.id}`)).json().secret).toBe(inbox.secret);
    expect((await admin.get(`/api/v1/inboxes/${inbox.id}`)).json().secret).toBe(inbox.secret);
    for (const member of [agent, analyst]) {
      const one = await member.get(`/api/v1/inboxes/${inbox.id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json().secret).toBeNull();
      expect(one.json().token).toBe(inbox.token);
      const list = await member.get('/api/v1/inboxes');
      expect(list.json().items[0].secret).toBeNull();
      expect(list.body).not.toContain(inbox.secret);
    }
  });

  it('renames an inbox and changes one setting, keeping the others', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const patched = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      name: '官网客服',
      settings: { color: '#00aa00' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      name: '官网客服',
      token: inbox.token,
      settings: { color: '#00aa00', greeting: inbox.settings.greeting },
    });
    const { rows } = await context.database.pool.query('select name, settings from inboxes where id = $1', [inbox.id]);
    expect(rows[0]).toEqual({ name: '官网客服', settings: { color: '#00aa00', greeting: inbox.settings.greeting } });
  });

  it('refuses inbox changes by an agent and bad settings', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    expect((await agent.patch(`/api/v1/inboxes/${inbox.id}`, { name: '改名' })).statusCode).toBe(403);
    expect((await agent.post('/api/v1/inboxes', { name: '新渠道' })).statusCode).toBe(403);
    const badColor = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { settings: { color: 'red' } });
    expect(badColor.statusCode).toBe(400);
    expect(badColor.json().error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('color') })]),
    );
    expect((await owner.get(`/api/v1/inboxes/${inbox.id}`)).json().name).toBe('官网');
    expect(await countRows(context, 'from inboxes where name = $1', ['新渠道'])).toBe(0);
  });

  it('answers 404 for an unknown inbox id', async () => {
    const { owner } = await createWorkspace(context);
    const response = await owner.get('/api/v1/inboxes/0190a0a0-0000-7000-8000-000000000000');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('inbox.not_found');
  });
});

describe('widget visitors', () => {
  it('starts a visitor with the inbox look and greeting', async () => {
    const { owner, inbox } = await createWorkspace(context);
    await owner.patch(`/api/v1/inboxes/${inbox.id}`, { settings: { greeting: '您好，小慧为您服务' } });
    const response = await startVisitor(inbox.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      sourceId: expect.stringMatching(/^[\w.:@-]+$/),
      visitorToken: expect.any(String),
      inbox: { name: '官网', color: '#1677ff', greeting: '您好，小慧为您服务' },
    });
    expect(response.body).not.toContain(inbox.secret);
  });

  it('resumes a visitor who comes back with their source id and token', async () => {
    const { inbox } = await createWorkspace(context);
    const first = (await startVisitor(inbox.token)).json();
    await postAsVisitor(inbox.token, first, { content: '我先问一句' });
    const again = (
      await startVisitor(inbox.token, { sourceId: first.sourceId, visitorToken: first.visitorToken })
    ).json();
    expect(again.sourceId).toBe(first.sourceId);
    expect(again.visitorToken).toBe(first.visitorToken);
    const history = (await readBack(context, inbox.token, again)).json();
    expect(history.items.map((m: Message) => m.content)).toEqual(['我先问一句']);
  });

  it('gives someone with a wrong token a new visitor instead of the stored one', async () => {
    const { inbox } = await createWorkspace(context);
    const first = (await startVisitor(inbox.token)).json();
    await postAsVisitor(inbox.token, first, { content: '我的地址是…' });
    const impostor = (await startVisitor(inbox.token, { sourceId: first.sourceId, visitorToken: 'guessed' })).json();
    expect(impostor.sourceId).not.toBe(first.sourceId);
    expect(impostor.visitorToken).not.toBe(first.visitorToken);
    expect((await readBack(context, inbox.token, impostor)).json().items).toEqual([]);
    const stolen = await readBack(context, inbox.token, { sourceId: first.sourceId, visitorToken: 'guessed' });
    expect(stolen.statusCode).toBe(401);
    expect(stolen.body).not.toContain('我的地址');
  });

  it('does not resume a visitor of another inbox', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const other = (await owner.post('/api/v1/inboxes', { name: '活动页' })).json();
    const first = (await startVisitor(inbox.token)).json();
    const elsewhere = (await startVisitor(other.token, first)).json();
    expect(elsewhere.sourceId).not.toBe(first.sourceId);
  });

  it('answers 404 for an unknown inbox token', async () => {
    const response = await startVisitor('no-such-inbox-token');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('inbox.not_found');
  });
});

describe('signed shop users', () => {
  it('links two browsers of one shop user to one customer who sees the whole history', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const identifier = 'shop-user-10086';
    const identifierHash = hmacHex(inbox.secret, identifier);
    const phone = (await startVisitor(inbox.token, { identifier, identifierHash, name: '李雷' })).json();
    const laptop = (await startVisitor(inbox.token, { identifier, identifierHash })).json();
    expect(laptop.sourceId).not.toBe(phone.sourceId);

    expect((await postAsVisitor(inbox.token, phone, { content: '手机上问的：能开发票吗' })).statusCode).toBe(201);
    expect(await customerIdOf(context, laptop.sourceId)).toBe(await customerIdOf(context, phone.sourceId));
    const history = (await readBack(context, inbox.token, laptop)).json();
    expect(history.items.map((m: Message) => m.content)).toEqual(['手机上问的：能开发票吗']);

    await postAsVisitor(inbox.token, laptop, { content: '电脑上补充：抬头是公司' });
    const conversations = (await owner.get('/api/v1/conversations')).json();
    expect(conversations.items).toHaveLength(1);
    expect(conversations.items[0].customerName).toBe('李雷');
    expect((await readBack(context, inbox.token, phone)).json().items.map((m: Message) => m.content)).toEqual([
      '手机上问的：能开发票吗',
      '电脑上补充：抬头是公司',
    ]);
  });

  it('keeps what a visitor wrote before signing in to the shop', async () => {
    const { inbox } = await createWorkspace(context);
    const anonymous = (await startVisitor(inbox.token)).json();
    await postAsVisitor(inbox.token, anonymous, { content: '登录前问的：有货吗' });
    const identifier = 'shop-user-777';
    const signedIn = (
      await startVisitor(inbox.token, {
        sourceId: anonymous.sourceId,
        visitorToken: anonymous.visitorToken,
        identifier,
        identifierHash: hmacHex(inbox.secret, identifier),
      })
    ).json();
    expect(signedIn.sourceId).toBe(anonymous.sourceId);
    const history = (await readBack(context, inbox.token, signedIn)).json();
    expect(history.items.map((m: Message) => m.content)).toEqual(['登录前问的：有货吗']);
  });

  it('keeps what agents recorded on an anonymous visitor when it signs in as a known shop user', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const identifier = 'shop-user-888';
    const identifierHash = hmacHex(inbox.secret, identifier);
    const otherBrowser = (await startVisitor(inbox.token, { identifier, identifierHash, name: '韩梅梅' })).json();
    const shopUserId = await customerIdOf(context, otherBrowser.sourceId);

    const anonymous = (await startVisitor(inbox.token)).json();
    await postAsVisitor(inbox.token, anonymous, { content: '登录前问的：能开发票吗' });
    const visitorId = await customerIdOf(context, anonymous.sourceId);
    const groups = (await owner.get('/api/v1/tag-groups')).json().items as { tags: { id: string; name: string }[] }[];
    const intent = groups.flatMap((group) => group.tags).find((tag) => tag.name === '意向客户')!;
    const tagged = await owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${visitorId}/tags`,
      payload: { add: [intent.id] },
    });
    expect(tagged.statusCode).toBe(200);
    expect(
      (await owner.patch(`/api/v1/customers/${visitorId}`, { phone: '13900139000', notes: '要开公司抬头的发票' }))
        .statusCode,
    ).toBe(200);
    const conversationId = (await owner.get('/api/v1/conversations')).json().items[0].id;
    const ticket = (await owner.post('/api/v1/tickets', { subject: '补开发票', conversationId })).json();
    expect(ticket.customerId).toBe(visitorId);

    const updates: { id: string; customerId: string }[] = [];
    const unsubscribe = context.events.subscribe((event) => {
      if (event.type === 'conversation.updated') updates.push(event.conversation);
    });
    const signedIn = await startVisitor(inbox.token, {
      sourceId: anonymous.sourceId,
      visitorToken: anonymous.visitorToken,
      identifier,
      identifierHash,
    });
    unsubscribe();
    expect(signedIn.statusCode).toBe(200);
    expect(await customerIdOf(context, anonymous.sourceId)).toBe(shopUserId);
    // Open agent tabs learn at once that the conversation now belongs to the shop user's customer.
    expect(updates).toContainEqual(expect.objectContaining({ id: conversationId, customerId: shopUserId }));
    expect(await customerRow(shopUserId)).toMatchObject({ name: '韩梅梅', phone: '13900139000' });
    const profile = (await owner.get(`/api/v1/customers/${shopUserId}`)).json();
    expect(profile.notes).toBe('要开公司抬头的发票');
    const tags = (await owner.get(`/api/v1/customers/${shopUserId}/tags`)).json().items;
    expect(tags.map((tag: { name: string }) => tag.name)).toEqual(['意向客户']);
    expect((await owner.get(`/api/v1/tickets/${ticket.id}`)).json().customerId).toBe(shopUserId);
    const timeline = (await owner.get(`/api/v1/customers/${shopUserId}/timeline`)).json().items;
    expect(timeline.map((entry: { kind: string }) => entry.kind)).toEqual(
      expect.arrayContaining(['merged', 'tags_changed', 'profile_updated', 'conversation_started']),
    );
    // The visitor's record is kept hidden behind a merge an admin can undo, as a manual merge is.
    const merged = await owner.get(`/api/v1/customers/${visitorId}`);
    expect(merged.statusCode).toBe(404);
    expect(merged.json().error.details).toEqual({ mergedInto: shopUserId });
    const mergeId = timeline.find((entry: { kind: string }) => entry.kind === 'merged').details.mergeId;
    expect((await owner.post(`/api/v1/customer-merges/${mergeId}/undo`, {})).statusCode).toBe(200);
    expect((await owner.get(`/api/v1/tickets/${ticket.id}`)).json().customerId).toBe(visitorId);
  });

  it('makes a first-time shop user of the visitor it signed in from, without a second record', async () => {
    const { inbox } = await createWorkspace(context);
    const customersBefore = await countRows(context, 'from customers');
    const mergesBefore = await countRows(context, 'from customer_merges');
    const anonymous = (await startVisitor(inbox.token)).json();
    await postAsVisitor(inbox.token, anonymous, { content: '第一次登录' });
    const visitorId = await customerIdOf(context, anonymous.sourceId);
    const identifier = 'shop-user-new';
    const identifierHash = hmacHex(inbox.secret, identifier);
    const { sourceId, visitorToken } = anonymous;
    const signedIn = await startVisitor(inbox.token, {
      sourceId,
      visitorToken,
      identifier,
      identifierHash,
      name: '新用户',
    });
    expect(signedIn.statusCode).toBe(200);
    expect(await customerIdOf(context, anonymous.sourceId)).toBe(visitorId);
    expect(await customerRow(visitorId)).toMatchObject({ name: '新用户' });
    // A second browser of the same shop user joins that record, again without a throwaway one.
    const laptop = (await startVisitor(inbox.token, { identifier, identifierHash })).json();
    expect(await customerIdOf(context, laptop.sourceId)).toBe(visitorId);
    expect(await countRows(context, 'from customers')).toBe(customersBefore + 1);
    expect(await countRows(context, 'from customer_merges')).toBe(mergesBefore);
  });

  it('refuses a wrong identifier hash and links nothing', async () => {
    const { inbox } = await createWorkspace(context);
    const identifier = 'shop-user-victim';
    const victim = (
      await startVisitor(inbox.token, { identifier, identifierHash: hmacHex(inbox.secret, identifier) })
    ).json();
    await postAsVisitor(inbox.token, victim, { content: '我的收货地址是北京市…' });
    const customersBefore = await countRows(context, 'from customers');
    const identitiesBefore = await countRows(context, 'from customer_identities');

    for (const identifierHash of [
      hmacHex('not-the-secret', identifier),
      hmacHex(inbox.secret, 'someone-else'),
      undefined,
    ]) {
      const response = await startVisitor(inbox.token, { identifier, identifierHash });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('auth.signature_invalid');
      expect(response.body).not.toContain('北京市');
    }
    expect(await countRows(context, 'from customers')).toBe(customersBefore);
    expect(await countRows(context, 'from customer_identities')).toBe(identitiesBefore);
  });
});

describe('public messages', () => {
  it('accepts a message signed with the inbox secret and stores it for that source', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const response = await sendSigned(context, inbox, {
      sourceId: 'crm-42',
      content: '来自小程序的消息',
      clientMsgId: 'm-1',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ direction: 'inbound', content: '来自小程序的消息', clientMsgId: 'm-1' });
    const list = (await owner.get('/api/v1/conversations')).json();
    expect(list.items[0].lastMessagePreview).toBe('来自小程序的消息');
    expect(await countRows(context, `from customer_identities where external_id = 'crm-42'`)).toBe(1);

    const again = await sendSigned(context, inbox, { sourceId: 'crm-42', content: '第二条' });
    expect(again.statusCode).toBe(201);
    expect(await countRows(context, 'from conversations where inbox_id = $1', [inbox.id])).toBe(1);
  });

  it('stores the first messages of a new signed source, sent at once, on one customer and one conversation', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const sent = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        sendSigned(context, inbox, { sourceId: 'crm-burst', content: `第 ${i + 1} 条`, clientMsgId: `burst-${i}` }),
      ),
    );
    expect(sent.map((response) => response.statusCode)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(await countRows(context, `from customer_identities where external_id = 'crm-burst'`)).toBe(1);
    expect(await countRows(context, 'from conversations where inbox_id = $1', [inbox.id])).toBe(1);
    const [conversation] = (await owner.get('/api/v1/conversations')).json().items;
    const { rows } = await context.database.pool.query(
      `select customer_id from customer_identities where external_id = 'crm-burst'`,
    );
    expect(conversation.customerId).toBe(rows[0].customer_id);
    const messages = (await owner.get(`/api/v1/conversations/${conversation.id}/messages`)).json().items;
    expect(messages).toHaveLength(6);

    // A known source's resend is found by its clientMsgId: the stored message, once.
    const resent = await sendSigned(context, inbox, {
      sourceId: 'crm-burst',
      content: '第 3 条',
      clientMsgId: 'burst-2',
    });
    expect(resent.statusCode).toBe(200);
    expect(resent.json().id).toBe(sent[2]!.json().id);
    expect(await countRows(context, 'from messages where conversation_id = $1', [conversation.id])).toBe(6);
  });

  it('answers with the inbox as saved at once after a change, though public requests keep it for a moment', async () => {
    const { owner, inbox } = await createWorkspace(context);
    expect((await startVisitor(inbox.token)).json().inbox.name).toBe(inbox.name);
    await Promise.all([startVisitor(inbox.token), startVisitor(inbox.token)]);
    expect((await owner.patch(`/api/v1/inboxes/${inbox.id}`, { name: '新名字客服' })).statusCode).toBe(200);
    const visitors = await Promise.all([startVisitor(inbox.token), startVisitor(inbox.token)]);
    expect(visitors.map((visitor) => visitor.json().inbox.name)).toEqual(['新名字客服', '新名字客服']);
  });

  it('refuses a stale, future, wrong or tampered signature and stores nothing', async () => {
    const { inbox } = await createWorkspace(context);
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ sourceId: 'crm-replay', content: '被重放的消息' });
    const attempts = [
      // Well outside the window: a second or two of a slow test run must not carry them back inside it.
      signatureHeader(inbox.secret, body, now - 330),
      signatureHeader(inbox.secret, body, now + 330),
      signatureHeader('wrong-secret', body, now),
      signatureHeader(inbox.secret, JSON.stringify({ sourceId: 'crm-replay', content: '原来的消息' }), now),
      `t=${now}`,
      `v1=${hmacHex(inbox.secret, body)}`,
      'garbage',
    ];
    for (const signature of attempts) {
      const response = await context.app.inject({
        method: 'POST',
        url: `/public/v1/inboxes/${inbox.token}/messages`,
        headers: { 'content-type': 'application/json', 'x-huike-signature': signature },
        payload: body,
      });
      expect(response.statusCode, signature).toBe(401);
      expect(response.json().error.code).toBe('auth.signature_invalid');
    }
    expect(await countRows(context, `from messages where content = '被重放的消息'`)).toBe(0);
    expect(await countRows(context, `from customer_identities where external_id = 'crm-replay'`)).toBe(0);
  });

  it('accepts a signature made just inside the five-minute window', async () => {
    const { inbox } = await createWorkspace(context);
    const response = await sendSigned(
      context,
      inbox,
      { sourceId: 'crm-slow-clock', content: '时钟慢了四分钟' },
      Math.floor(Date.now() / 1000) - 240,
    );
    expect(response.statusCode).toBe(201);
  });

  it('refuses a message with neither a visitor token nor a signature', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const response = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/messages`,
      payload: { sourceId: visitor.sourceId, content: '匿名的' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('auth.signature_invalid');
    expect(await countRows(context, `from messages where content = '匿名的'`)).toBe(0);
  });

  it("refuses a visitor token used for another visitor's source id", async () => {
    const { inbox } = await createWorkspace(context);
    const alice = await createVisitor(context, inbox.token);
    const bob = await createVisitor(context, inbox.token);
    const response = await postAsVisitor(
      inbox.token,
      { sourceId: alice.sourceId, visitorToken: bob.visitorToken },
      { content: '冒充别人' },
    );
    expect(response.statusCode).toBe(401);
    const unknownSource = await postAsVisitor(
      inbox.token,
      { sourceId: 'v_made_up', visitorToken: bob.visitorToken },
      { content: '冒充别人' },
    );
    expect(unknownSource.statusCode).toBe(401);
    expect(await countRows(context, `from messages where content = '冒充别人'`)).toBe(0);
  });

  it('answers 404 for an unknown inbox token', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const response = await postAsVisitor('no-such-inbox', visitor, { content: '你好' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('inbox.not_found');
    const read = await readBack(context, 'no-such-inbox', visitor);
    expect(read.statusCode).toBe(404);
  });

  it('reads back an integrator contact with a signature over the source id', async () => {
    const { inbox } = await createWorkspace(context);
    await sendSigned(context, inbox, { sourceId: 'crm-7', content: '订单什么时候到' });
    const signed = await context.app.inject({
      method: 'GET',
      url: `/public/v1/inboxes/${inbox.token}/conversations/crm-7/messages`,
      headers: { 'x-huike-signature': signatureHeader(inbox.secret, 'crm-7') },
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.json().items.map((m: Message) => m.content)).toEqual(['订单什么时候到']);
    const forged = await context.app.inject({
      method: 'GET',
      url: `/public/v1/inboxes/${inbox.token}/conversations/crm-7/messages`,
      headers: { 'x-huike-signature': signatureHeader('wrong', 'crm-7') },
    });
    expect(forged.statusCode).toBe(401);
    const anonymous = await context.app.inject({
      method: 'GET',
      url: `/public/v1/inboxes/${inbox.token}/conversations/crm-7/messages`,
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('stores markup verbatim and answers it as JSON, never rendered', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const markup = '<img src=x onerror=alert(1)>';
    const { visitor, conversationId } = await startConversation(context, inbox.token, markup);
    const { rows } = await context.database.pool.query('select content from messages where conversation_id = $1', [
      conversationId,
    ]);
    expect(rows[0].content).toBe(markup);
    const agentView = await owner.get(`/api/v1/conversations/${conversationId}/messages`);
    expect(agentView.headers['content-type']).toMatch(/^application\/json/);
    expect(agentView.json().items[0].content).toBe(markup);
    expect((await owner.get(`/api/v1/conversations/${conversationId}`)).json().lastMessagePreview).toBe(markup);
    const visitorView = await readBack(context, inbox.token, visitor);
    expect(visitorView.headers['content-type']).toMatch(/^application\/json/);
    expect(visitorView.json().items[0].content).toBe(markup);
  });
});

describe('contact details in public messages', () => {
  it('fills the empty fields of a signed contact and never overwrites what an agent entered', async () => {
    const { owner, inbox } = await createWorkspace(context);
    await sendSigned(context, inbox, { sourceId: 'crm-details', content: '你好', name: 'Wang' });
    const { rows } = await context.database.pool.query(
      `select customer_id from customer_identities where external_id = 'crm-details'`,
    );
    const customerId = rows[0].customer_id;
    expect(await customerRow(customerId)).toEqual({ name: 'Wang', phone: null, email: null });

    await owner.patch(`/api/v1/customers/${customerId}`, { name: '王女士', phone: '13800138000' });
    await sendSigned(context, inbox, {
      sourceId: 'crm-details',
      content: '补充信息',
      name: 'Someone Else',
      phone: '13900000000',
      email: 'wang@example.com',
    });
    expect(await customerRow(customerId)).toEqual({
      name: '王女士',
      phone: '13800138000',
      email: 'wang@example.com',
    });
  });

  it("fills a widget visitor's empty name, phone and email from their message", async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const sent = await postAsVisitor(inbox.token, visitor, {
      content: '请联系我',
      name: '张三',
      phone: '13800138000',
      email: 'zhang@example.com',
    });
    expect(sent.statusCode).toBe(201);
    const customerId = await customerIdOf(context, visitor.sourceId);
    expect(await customerRow(customerId)).toEqual({ name: '张三', phone: '13800138000', email: 'zhang@example.com' });
  });

  it("never overwrites a widget visitor's details that an agent entered", async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, customerId } = await startConversation(context, inbox.token);
    await owner.patch(`/api/v1/customers/${customerId}`, { name: '老客户王姐', email: 'vip@example.com' });
    await postAsVisitor(inbox.token, visitor, {
      content: '换个名字',
      name: '路人甲',
      phone: '13700000000',
      email: 'other@example.com',
    });
    const row = await customerRow(customerId);
    expect(row.name).toBe('老客户王姐');
    expect(row.email).toBe('vip@example.com');
  });
});
