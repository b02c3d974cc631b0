import { afterAll, describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  insertCustomer,
  startConversation,
} from '../../../test/harness.ts';
import { rawEmail, startSmtpReceiver } from '../../../test/mail-servers.ts';
import { storeRawMail } from '../channels/adapters/email/index.ts';
import { createSmsInbox, sendReply, startProvider } from '../channels/adapters/sms/sms-test-support.ts';

const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const provider = await startProvider();
const smtp = await startSmtpReceiver();
afterAll(() => smtp.stop());

/** An email inbox that sends through the local SMTP receiver, or (without `smtp`) one that only receives. */
async function createEmailInbox(owner: Client, name: string, options: { canSend: boolean }) {
  const response = await owner.post('/api/v1/inboxes', {
    name,
    channelType: 'email',
    channelConfig: {
      address: 'service@shop.test',
      ...(options.canSend
        ? { smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password } }
        : {}),
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; token: string };
}

/** A buyer's mail arriving in an email inbox (as IMAP or forwarding would store it). */
async function receiveMail(inboxId: string, from: string, subject: string) {
  const inbox = (await context.channelRuntime.inboxesOfType('email')).find((item) => item.id === inboxId)!;
  const raw = rawEmail({ from, to: 'service@shop.test', subject, body: subject, messageId: `<${subject}@buyer.test>` });
  await storeRawMail(Buffer.from(raw), inbox, context.channelRuntime);
}

/** A buyer who chatted on the website, gave their phone, then replied by SMS; plus an API inbox they never used. */
async function omnichannelShop() {
  const shop = await createWorkspace(context, '全渠道店');
  const smsInbox = await createSmsInbox(shop.owner, provider.url);
  const apiInbox = (await shop.owner.post('/api/v1/inboxes', { name: '抖音小店', channelType: 'api' })).json();
  const chat = await startConversation(context, shop.inbox.token, '网站上问：有优惠吗？');
  const patched = await shop.owner.patch(`/api/v1/customers/${chat.customerId}`, {
    name: '赵敏',
    phone: '13812345678',
    email: 'zhaomin@example.com',
  });
  expect(patched.statusCode, patched.body).toBe(200);
  await shop.owner.post(`/api/v1/conversations/${chat.conversationId}/messages`, { content: '网站回复：有的' });
  await shop.owner.post(`/api/v1/conversations/${chat.conversationId}/messages`, {
    content: '内部备注：老客户',
    private: true,
  });
  const replied = await sendReply(context, smsInbox.token, '+8613812345678', '短信问：什么时候发货？');
  expect(replied.statusCode, replied.body).toBe(200);
  return { ...shop, smsInbox, apiInbox, chat, customerId: chat.customerId };
}

describe('one customer, every channel', () => {
  it('lists where the customer can be reached, the last used first, phones masked for agents', async () => {
    const { owner, addUser, customerId, smsInbox, inbox, apiInbox } = await omnichannelShop();
    const agent = await addUser('agent');
    const listed = await agent.get(`/api/v1/customers/${customerId}/channels`);
    expect(listed.statusCode, listed.body).toBe(200);
    const { items, lastUsedInboxId } = listed.json();
    expect(lastUsedInboxId).toBe(smsInbox.id);
    expect(items.map((item: { inboxId: string }) => item.inboxId)).toEqual([smsInbox.id, inbox.id]);
    expect(items[0]).toMatchObject({
      inboxName: '短信通知',
      channelType: 'sms',
      address: '138****5678',
      conversationId: expect.any(String),
      lastMessageAt: expect.any(String),
    });
    expect(items[1]).toMatchObject({ channelType: 'website', conversationId: expect.any(String) });
    expect(items.some((item: { inboxId: string }) => item.inboxId === apiInbox.id)).toBe(false);

    const asOwner = (await owner.get(`/api/v1/customers/${customerId}/channels`)).json();
    expect(asOwner.items[0].address).toBe('13812345678');
  });

  it('offers an SMS inbox the customer never used when the profile has a mobile', async () => {
    const shop = await createWorkspace(context);
    const smsInbox = await createSmsInbox(shop.owner, provider.url);
    const chat = await startConversation(context, shop.inbox.token);
    await shop.owner.patch(`/api/v1/customers/${chat.customerId}`, { phone: '13987654321' });
    const { items, lastUsedInboxId } = (await shop.owner.get(`/api/v1/customers/${chat.customerId}/channels`)).json();
    expect(lastUsedInboxId).toBe(shop.inbox.id);
    expect(items[1]).toEqual({
      inboxId: smsInbox.id,
      inboxName: '短信通知',
      channelType: 'sms',
      address: '13987654321',
      lastMessageAt: null,
      conversationId: null,
      cannotContact: null,
      addressOwner: null,
    });
  });

  it('offers only what can deliver: says why an inbox cannot reach the customer, leaves out unused receive-only ones', async () => {
    const shop = await createWorkspace(context);
    const workspaceId = shop.owner.workspaceId!;
    const shopMail = await createEmailInbox(shop.owner, '店铺邮箱', { canSend: true });
    const afterSales = await createEmailInbox(shop.owner, '售后邮箱', { canSend: false });
    const smsInbox = await createSmsInbox(shop.owner, provider.url);
    const agent = await shop.addUser('agent');

    // Another 张伟 already owns the address in 店铺邮箱 (an agent wrote to him there).
    const twin = await insertCustomer(context, workspaceId, { name: '张伟（邮箱）', email: 'zhangwei@buyer.test' });
    const first = await shop.owner.post(`/api/v1/customers/${twin}/messages`, {
      inboxId: shopMail.id,
      content: '您好',
    });
    expect(first.statusCode, first.body).toBe(201);
    // 张伟 came in on the website and has the same address on his profile, and no phone.
    const chat = await startConversation(context, shop.inbox.token);
    await shop.owner.patch(`/api/v1/customers/${chat.customerId}`, { name: '张伟', email: 'ZhangWei@Buyer.test' });

    const listed = await agent.get(`/api/v1/customers/${chat.customerId}/channels`);
    expect(listed.statusCode, listed.body).toBe(200);
    const items = listed.json().items as { inboxId: string }[];
    const byInbox = (id: string) => items.find((item) => item.inboxId === id);
    expect(byInbox(shop.inbox.id)).toMatchObject({ cannotContact: null, addressOwner: null });
    expect(byInbox(shopMail.id)).toEqual({
      inboxId: shopMail.id,
      inboxName: '店铺邮箱',
      channelType: 'email',
      address: 'zhangwei@buyer.test',
      lastMessageAt: null,
      conversationId: null,
      cannotContact: 'address_taken',
      addressOwner: { customerId: twin, customerName: '张伟（邮箱）' },
    });
    expect(byInbox(smsInbox.id)).toMatchObject({ address: null, cannotContact: 'no_address', addressOwner: null });
    expect(byInbox(afterSales.id)).toBeUndefined();
    expect(items).toHaveLength(3);

    // The receive-only inbox is refused before anything is written.
    const refused = await agent.post(`/api/v1/customers/${chat.customerId}/messages`, {
      inboxId: afterSales.id,
      content: '您好',
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.message).toContain('只能接收');
    expect(await countRows(context, 'from conversations where inbox_id = $1', [afterSales.id])).toBe(0);
    expect(await countRows(context, 'from customer_identities where inbox_id = $1', [afterSales.id])).toBe(0);

    // A buyer who mailed the receive-only inbox sees it listed (their conversation is there), marked as such.
    await receiveMail(afterSales.id, 'lisi@buyer.test', '退货地址是哪里');
    const lisi = (await shop.owner.get(`/api/v1/conversations?inboxId=${afterSales.id}`)).json().items[0];
    const hers = (await agent.get(`/api/v1/customers/${lisi.customerId}/channels`)).json().items;
    expect(hers.find((item: { inboxId: string }) => item.inboxId === afterSales.id)).toMatchObject({
      address: 'lisi@buyer.test',
      conversationId: lisi.id,
      cannotContact: 'receive_only',
    });
    // …and her address is free in 店铺邮箱, where she can be reached.
    expect(hers.find((item: { inboxId: string }) => item.inboxId === shopMail.id)).toMatchObject({
      address: 'lisi@buyer.test',
      cannotContact: null,
    });
  });

  it('reads one history across every inbox, public messages only, newest page first', async () => {
    const { owner, customerId, smsInbox, inbox } = await omnichannelShop();
    const first = await owner.get(`/api/v1/customers/${customerId}/messages?limit=2`);
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((m: { content: string }) => m.content)).toEqual([
      '网站回复：有的',
      '短信问：什么时候发货？',
    ]);
    expect(page1.items[1]).toMatchObject({ inboxId: smsInbox.id, inboxName: '短信通知', channelType: 'sms' });
    expect(page1.items[0]).toMatchObject({ inboxId: inbox.id, channelType: 'website', senderName: '店长' });
    const page2 = (
      await owner.get(`/api/v1/customers/${customerId}/messages?limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect(page2.items.map((m: { content: string }) => m.content)).toEqual(['网站上问：有优惠吗？']);
    expect(page2.nextCursor).toBeNull();
    const bad = await owner.get(`/api/v1/customers/${customerId}/messages?cursor=not-a-cursor`);
    expect(bad.statusCode).toBe(400);
  });

  it('answers on SMS a customer who only chatted on the website, and continues that conversation', async () => {
    provider.reset();
    const shop = await createWorkspace(context);
    const smsInbox = await createSmsInbox(shop.owner, provider.url);
    const agent = await shop.addUser('agent', '小美');
    const chat = await startConversation(context, shop.inbox.token);
    await shop.owner.patch(`/api/v1/customers/${chat.customerId}`, { phone: '+86 139 1111 2222' });

    const answered = await agent.post(`/api/v1/customers/${chat.customerId}/messages`, {
      inboxId: smsInbox.id,
      content: '您的订单已发货',
    });
    expect(answered.statusCode, answered.body).toBe(201);
    const { message, conversation } = answered.json();
    expect(conversation).toMatchObject({
      inboxId: smsInbox.id,
      customerId: chat.customerId,
      status: 'open',
      assigneeId: agent.userId,
    });
    expect(message).toMatchObject({
      conversationId: conversation.id,
      content: '您的订单已发货',
      senderName: '小美',
      delivery: { status: 'pending', error: null },
    });
    await context.outbox.drain();
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]!.body).toMatchObject({
      phoneNumbers: ['13911112222'],
      templateParam: { content: '您的订单已发货' },
      outId: message.id,
    });

    const again = (
      await agent.post(`/api/v1/customers/${chat.customerId}/messages`, { inboxId: smsInbox.id, content: '请查收' })
    ).json();
    expect(again.conversation.id).toBe(conversation.id);
    expect(await countRows(context, 'from conversations where inbox_id = $1', [smsInbox.id])).toBe(1);

    // The buyer's SMS reply lands in the same conversation, as the same customer.
    await sendReply(context, smsInbox.token, '13911112222', '收到，谢谢');
    const stored = await context.database.pool.query(
      `select c.id, c.customer_id from messages m join conversations c on c.id = m.conversation_id
        where m.content = '收到，谢谢' and c.inbox_id = $1`,
      [smsInbox.id],
    );
    expect(stored.rows).toEqual([{ id: conversation.id, customer_id: chat.customerId }]);

    // And an answer on the website inbox continues the visitor's open conversation.
    const web = (
      await agent.post(`/api/v1/customers/${chat.customerId}/messages`, { inboxId: shop.inbox.id, content: '在的' })
    ).json();
    expect(web.conversation.id).toBe(chat.conversationId);
    expect(web.message.delivery).toBeNull();
  });

  it('refuses what cannot be delivered, lower roles and bad input, writing nothing', async () => {
    const shop = await createWorkspace(context);
    const smsInbox = await createSmsInbox(shop.owner, provider.url);
    const apiInbox = (await shop.owner.post('/api/v1/inboxes', { name: 'API', channelType: 'api' })).json();
    const analyst = await shop.addUser('analyst');
    const noPhone = await insertCustomer(context, shop.owner.workspaceId!, { name: '没有手机' });
    const attempts = [
      [shop.owner.post(`/api/v1/customers/${noPhone}/messages`, { inboxId: smsInbox.id, content: '你好' }), 400],
      [shop.owner.post(`/api/v1/customers/${noPhone}/messages`, { inboxId: apiInbox.id, content: '你好' }), 400],
      [shop.owner.post(`/api/v1/customers/${noPhone}/messages`, { inboxId: smsInbox.id, content: '  ' }), 400],
      [shop.owner.post(`/api/v1/customers/${noPhone}/messages`, { content: '你好' }), 400],
      [
        shop.owner.post(`/api/v1/customers/${noPhone}/messages`, { inboxId: smsInbox.id, content: 'x', private: 1 }),
        400,
      ],
      [analyst.post(`/api/v1/customers/${noPhone}/messages`, { inboxId: smsInbox.id, content: '你好' }), 403],
    ] as const;
    for (const [attempt, status] of attempts) {
      const answer = await attempt;
      expect(answer.statusCode, answer.body).toBe(status);
    }
    const refused = await shop.owner.post(`/api/v1/customers/${noPhone}/messages`, {
      inboxId: smsInbox.id,
      content: '你好',
    });
    expect(refused.json().error.message).toBe('这位客户没有手机号，不能发短信');
    expect(await countRows(context, 'from conversations where customer_id = $1', [noPhone])).toBe(0);
    expect(await countRows(context, 'from customer_identities where customer_id = $1', [noPhone])).toBe(0);
  });

  it('refuses an SMS number that belongs to another customer in that inbox', async () => {
    const shop = await createWorkspace(context);
    const smsInbox = await createSmsInbox(shop.owner, provider.url);
    await sendReply(context, smsInbox.token, '13700007777', '我是第一位');
    const twin = await insertCustomer(context, shop.owner.workspaceId!, { name: '同号客户', phone: '13700007777' });
    const answer = await shop.owner.post(`/api/v1/customers/${twin}/messages`, {
      inboxId: smsInbox.id,
      content: '你好',
    });
    expect(answer.statusCode, answer.body).toBe(409);
    expect(answer.json().error.code).toBe('customer_channel.address_taken');
    expect(await countRows(context, 'from conversations where customer_id = $1', [twin])).toBe(0);
  });

  it('suggests other customers sharing a phone or email, never merging them', async () => {
    const shop = await createWorkspace(context);
    const workspaceId = shop.owner.workspaceId!;
    const me = await insertCustomer(context, workspaceId, {
      name: '周杰',
      phone: '13600001111',
      email: 'Zhou@Example.com',
    });
    const samePhone = await insertCustomer(context, workspaceId, { name: '周杰（手机）', phone: '13600001111' });
    const sameEmail = await insertCustomer(context, workspaceId, { name: '周杰（邮箱）', email: 'zhou@example.com' });
    const both = await insertCustomer(context, workspaceId, {
      name: '周杰（都有）',
      phone: '13600001111',
      email: 'zhou@example.com',
    });
    await insertCustomer(context, workspaceId, { name: '无关', phone: '13600009999' });
    const merged = await insertCustomer(context, workspaceId, { name: '已合并', phone: '13600001111' });
    await context.database.pool.query('update customers set merged_into_id = $1 where id = $2', [me, merged]);
    const other = await createWorkspace(context);
    await insertCustomer(context, other.owner.workspaceId!, { name: '别家', phone: '13600001111' });

    const answer = await shop.owner.get(`/api/v1/customers/${me}/identity-suggestions`);
    expect(answer.statusCode, answer.body).toBe(200);
    const items = answer.json().items as { customerId: string; reason: string }[];
    const pairs = items.map((item) => `${item.customerId}:${item.reason}`).sort();
    expect(pairs).toEqual(
      [`${samePhone}:same_phone`, `${sameEmail}:same_email`, `${both}:same_phone`, `${both}:same_email`].sort(),
    );
    expect(
      await countRows(context, 'from customers where workspace_id = $1 and merged_into_id is not null', [workspaceId]),
    ).toBe(1);
  });

  it('suggests by every contact, main or other: phones, emails in any case; never merged-away or other shops', async () => {
    const shop = await createWorkspace(context);
    /** A customer with other phones and emails, set through the API (which also fills the search columns). */
    const customer = async (
      name: string,
      contacts: { phone?: string; phones?: string[]; email?: string; emails?: string[] },
      owner = shop.owner,
    ) => {
      const id = await insertCustomer(context, owner.workspaceId!, { name });
      const patched = await owner.patch(`/api/v1/customers/${id}`, contacts);
      expect(patched.statusCode, patched.body).toBe(200);
      return id;
    };
    const me = await customer('钱多多', {
      phone: '13700001111',
      phones: ['13700002222'],
      email: 'Qian@Shop.test',
      emails: ['Duo@Shop.test'],
    });
    const expected = [
      [await customer('主号是我的副号', { phone: '13700002222' }), 'same_phone'],
      [await customer('副号是我的主号', { phone: '13900000000', phones: ['13700001111'] }), 'same_phone'],
      [await customer('副号相同', { phones: ['13600000000', '13700002222'] }), 'same_phone'],
      [await customer('邮箱大小写不同', { email: 'QIAN@shop.TEST' }), 'same_email'],
      [await customer('其他邮箱是我的邮箱', { emails: ['qian@SHOP.test'] }), 'same_email'],
      [await customer('其他邮箱相同', { email: 'x@shop.test', emails: ['duo@shop.test'] }), 'same_email'],
      [await customer('主邮箱是我的其他邮箱', { email: 'DUO@shop.test' }), 'same_email'],
    ];
    // Near misses: an address containing mine, a phone one digit off.
    await customer('相似邮箱', { email: 'a@b.test', emails: ['xqian@shop.test.cn'] });
    await customer('相似手机', { phone: '13700001112', phones: ['13700002223'] });
    const merged = await customer('已合并', { phones: ['13700001111'], emails: ['qian@shop.test'] });
    await context.database.pool.query('update customers set merged_into_id = $1 where id = $2', [me, merged]);
    const other = await createWorkspace(context);
    await customer('别家', { phone: '13700001111', email: 'qian@shop.test', emails: ['duo@shop.test'] }, other.owner);

    const answer = await shop.owner.get(`/api/v1/customers/${me}/identity-suggestions`);
    expect(answer.statusCode, answer.body).toBe(200);
    const items = answer.json().items as { customerId: string; reason: string }[];
    expect(items.map((item) => `${item.customerId}:${item.reason}`).sort()).toEqual(
      expected.map(([id, reason]) => `${id}:${reason}`).sort(),
    );
  });

  it('suggests the newest 50 customers sharing a contact, every reason of each', async () => {
    const shop = await createWorkspace(context);
    const workspaceId = shop.owner.workspaceId!;
    const me = await insertCustomer(context, workspaceId, {
      name: '孙悦',
      phone: '13500001111',
      email: 'sun@shop.test',
    });
    const sharing: string[] = [];
    for (let index = 0; index < 55; index++) {
      sharing.push(
        await insertCustomer(context, workspaceId, {
          name: `孙悦${index}`,
          phone: index % 2 === 0 ? '13500001111' : null,
          email: index % 3 === 0 ? 'SUN@shop.test' : `sun${index}@shop.test`,
        }),
      );
    }
    const answer = await shop.owner.get(`/api/v1/customers/${me}/identity-suggestions`);
    expect(answer.statusCode, answer.body).toBe(200);
    const items = answer.json().items as { customerId: string; reason: string }[];
    const newest = sharing
      .map((id, index) => ({ id, index }))
      .filter(({ index }) => index % 2 === 0 || index % 3 === 0)
      .slice(-50);
    expect(items.map((item) => `${item.customerId}:${item.reason}`).sort()).toEqual(
      newest
        .flatMap(({ id, index }) => [
          ...(index % 2 === 0 ? [`${id}:same_phone`] : []),
          ...(index % 3 === 0 ? [`${id}:same_email`] : []),
        ])
        .sort(),
    );
  });

  it("answers 404 for another workspace's customer or inbox", async () => {
    const a = await omnichannelShop();
    const b = await createWorkspace(context);
    for (const url of [
      `/api/v1/customers/${a.customerId}/channels`,
      `/api/v1/customers/${a.customerId}/messages`,
      `/api/v1/customers/${a.customerId}/identity-suggestions`,
    ]) {
      const answer = await b.owner.get(url);
      expect(answer.statusCode, url).toBe(404);
      expect(answer.json().error.code).toBe('customer.not_found');
    }
    const post = await b.owner.post(`/api/v1/customers/${a.customerId}/messages`, {
      inboxId: b.inbox.id,
      content: '乙店发的',
    });
    expect(post.statusCode).toBe(404);
    const bChat = await startConversation(context, b.inbox.token);
    const foreignInbox = await b.owner.post(`/api/v1/customers/${bChat.customerId}/messages`, {
      inboxId: a.smsInbox.id,
      content: '乙店发的',
    });
    expect(foreignInbox.statusCode).toBe(404);
    expect(foreignInbox.json().error.code).toBe('inbox.not_found');
    expect(await countRows(context, 'from conversations where inbox_id = $1', [a.smsInbox.id])).toBe(1);
  });
});
