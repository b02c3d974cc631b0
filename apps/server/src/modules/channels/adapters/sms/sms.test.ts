import { beforeAll, describe, expect, it } from 'vitest';
import { countRows, createTestApp, createWorkspace } from '../../../../../test/harness.ts';
import { isOptOutReply, normalizeMobile } from './phone.ts';
import { checkProviderUrl } from './provider.ts';
import {
  createSmsInbox,
  now,
  postCallback,
  SECRET,
  sendReply,
  sign,
  smsConfig,
  startProvider,
} from './sms-test-support.ts';

const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const provider = await startProvider();

const messageRow = async (id: string) =>
  (
    await context.database.pool.query(
      'select delivery_status, delivery_error, delivery_reason, external_id, channel_meta from messages where id = $1',
      [id],
    )
  ).rows[0];

/** A workspace with an SMS inbox and a buyer who texted it (their conversation and customer). */
async function smsShop(phone = '+86 138 0013 8000') {
  const shop = await createWorkspace(context, '短信店');
  const inbox = await createSmsInbox(shop.owner, provider.url);
  const replied = await sendReply(context, inbox.token, phone, '我的快递到哪了？');
  expect(replied.statusCode, replied.body).toBe(200);
  const messageId = replied.json().messageId as string;
  const { rows } = await context.database.pool.query<{ conversation_id: string; customer_id: string }>(
    `select m.conversation_id, c.customer_id from messages m join conversations c on c.id = m.conversation_id
      where m.id = $1`,
    [messageId],
  );
  return { ...shop, smsInbox: inbox, conversationId: rows[0]!.conversation_id, customerId: rows[0]!.customer_id };
}

describe('mobile numbers and unsubscribe words', () => {
  it('normalises mainland mobiles and refuses anything else', () => {
    expect(normalizeMobile('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizeMobile('0086 13800138000')).toBe('13800138000');
    expect(normalizeMobile('８６１３８００１３８０００')).toBe('13800138000');
    expect(normalizeMobile('(138) 0013 8000')).toBe('13800138000');
    expect(normalizeMobile('12800138000')).toBeNull();
    expect(normalizeMobile('0571-88888888')).toBeNull();
    expect(normalizeMobile('+1 415 555 0100')).toBeNull();
    expect(normalizeMobile('1380013800a')).toBeNull();
  });

  it('knows 退订, TD, T, 取消 and N in any width and case', () => {
    for (const text of ['退订', ' TD ', 'td', 'ＴＤ', 't', '取消', 'n', '退订。', 'TD!']) {
      expect(isOptOutReply(text), text).toBe(true);
    }
    for (const text of ['退订了吗', 'TDD', '不要取消订单', '你好', '']) {
      expect(isOptOutReply(text), text).toBe(false);
    }
  });
});

describe('SMS inbox settings', () => {
  it('refuses provider URLs on private, loopback and link-local addresses unless private ones are allowed', async () => {
    for (const url of ['http://127.0.0.1:9000/send', 'http://10.0.0.8/send', 'http://169.254.169.254/latest']) {
      await expect(checkProviderUrl(url, {}), url).rejects.toThrow('内网');
    }
    await expect(checkProviderUrl('ftp://sms.example.com/send', {})).rejects.toThrow('http');
    await expect(checkProviderUrl('https://93.184.216.34/send', {})).resolves.toBeUndefined();
    await expect(
      checkProviderUrl('http://127.0.0.1:9000/send', { allowPrivateAddresses: true }),
    ).resolves.toBeUndefined();
    await expect(checkProviderUrl('http://169.254.169.254/latest', { allowPrivateAddresses: true })).rejects.toThrow();
  });

  it('keeps the AccessKey secret write-only and checks the config', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = await createSmsInbox(owner, provider.url);
    expect(inbox.channelConfig).toEqual({
      providerUrl: provider.url,
      accessKeyId: 'LTAI-test-key',
      signName: '甲店旗舰店',
      templates: { notification: 'SMS_NOTICE_001', marketing: 'SMS_MKT_001' },
    });
    const stored = await context.database.pool.query('select channel_config from inboxes where id = $1', [inbox.id]);
    expect(JSON.stringify(stored.rows[0].channel_config)).not.toContain(SECRET);

    // An update without the secret keeps it: replies still go out signed with it.
    const renamed = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { signName: '乙店' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const row = await context.database.pool.query('select channel_config from inboxes where id = $1', [inbox.id]);
    expect(row.rows[0].channel_config.accessKeySecret).toMatch(/^v1:/);

    for (const channelConfig of [
      { ...smsConfig(provider.url), templates: {} },
      { ...smsConfig(provider.url), accessKeySecret: undefined },
      { ...smsConfig('ftp://sms.example.com/send') },
      { ...smsConfig(provider.url), signName: '【甲店】' },
      { ...smsConfig(provider.url), extra: 1 },
    ]) {
      const refused = await owner.post('/api/v1/inboxes', { name: '短信', channelType: 'sms', channelConfig });
      expect(refused.statusCode, JSON.stringify(channelConfig)).toBe(400);
      expect(refused.json().error.code).toBe('request.invalid');
    }
  });
});

describe('sending', () => {
  beforeAll(() => provider.reset());

  it("sends an agent's reply as the notification template, signed, to the buyer's mobile", async () => {
    provider.reset();
    const { owner, conversationId } = await smsShop();
    const reply = await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '亲，已发货' });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().delivery).toEqual({ status: 'pending', error: null, reason: null });
    await context.outbox.drain();

    expect(provider.requests).toHaveLength(1);
    const [request] = provider.requests;
    expect(request!.headers['x-huike-sms-signature']).toBe(sign(request!.raw));
    expect(request!.body).toMatchObject({
      accessKeyId: 'LTAI-test-key',
      signName: '甲店旗舰店',
      templateCode: 'SMS_NOTICE_001',
      phoneNumbers: ['13800138000'],
      templateParam: { content: '亲，已发货' },
      outId: reply.json().id,
    });
    expect(Math.abs((request!.body.timestamp as number) - now())).toBeLessThan(10);
    expect(request!.body.nonce).toEqual(expect.any(String));
    expect(request!.raw).not.toContain(SECRET);

    const row = await messageRow(reply.json().id);
    expect(row).toMatchObject({ delivery_status: 'sent', delivery_error: null, external_id: reply.json().id });
    expect(row.channel_meta).toMatchObject({ templateCode: 'SMS_NOTICE_001', providerMessageId: 'p-1' });
  });

  it('retries after a provider error and sends once it recovers', async () => {
    const { owner, conversationId } = await smsShop('13900001111');
    provider.reset();
    provider.answerNext({ status: 500, body: { code: 'InternalError' } }, { status: 200, body: { code: 'THROTTLED' } });
    const reply = (await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '稍等' })).json();
    await context.outbox.drain();
    expect(provider.requests.map((request) => request.body.outId)).toEqual([reply.id, reply.id, reply.id]);
    expect(await messageRow(reply.id)).toMatchObject({ delivery_status: 'sent', delivery_error: null });
  });

  it('fails an invalid number at once, with the reason on the message', async () => {
    const { owner, conversationId } = await smsShop('13900002222');
    provider.reset();
    provider.answerNext({ status: 200, body: { code: 'isv.MOBILE_NUMBER_ILLEGAL', message: 'invalid' } });
    const reply = (await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '您好' })).json();
    await context.outbox.drain();
    expect(provider.requests).toHaveLength(1);
    const row = await messageRow(reply.id);
    expect(row.delivery_status).toBe('failed');
    expect(row.delivery_error).toContain('手机号无效');
    const listed = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json().items;
    // The reason as a code and its values, with the provider's own code and words, for the agent's language.
    expect(listed.at(-1).delivery).toEqual({
      status: 'failed',
      error: row.delivery_error,
      reason: { code: 'sms.invalid_number', params: { providerCode: 'isv.MOBILE_NUMBER_ILLEGAL', reply: 'invalid' } },
    });
  });

  it('marks a message delivered or failed from the provider report', async () => {
    provider.reset();
    const { owner, conversationId, smsInbox } = await smsShop('13900003333');
    const first = (await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '一' })).json();
    const second = (await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '二' })).json();
    await context.outbox.drain();
    const reported = await postCallback(context, `/public/v1/channels/sms/${smsInbox.token}/reports`, {
      timestamp: now(),
      reports: [
        { outId: first.id, status: 'delivered' },
        { outId: second.id, status: 'failed', errorCode: 'MK:0001', errorMessage: '用户关机' },
        { outId: 'unknown-out-id', status: 'delivered' },
      ],
    });
    expect(reported.statusCode, reported.body).toBe(200);
    expect(reported.json()).toEqual({ ok: true, matched: 2 });
    expect(await messageRow(first.id)).toMatchObject({ delivery_status: 'delivered' });
    expect(await messageRow(second.id)).toMatchObject({
      delivery_status: 'failed',
      delivery_error: '号码为空号、停机或关机（MK:0001：用户关机）',
      delivery_reason: { code: 'sms.phone_unreachable', params: { providerCode: 'MK:0001', reply: '用户关机' } },
    });
  });
});

describe('replies from buyers', () => {
  it("stores a reply once, as the phone's customer, and links a known customer's phone", async () => {
    const shop = await createWorkspace(context);
    const inbox = await createSmsInbox(shop.owner, provider.url);
    const { rows } = await context.database.pool.query<{ id: string }>(
      `insert into customers (id, workspace_id, name, phone) values (gen_random_uuid(), $1, '王芳', '13700001234')
       returning id`,
      [shop.owner.workspaceId],
    );
    const customerId = rows[0]!.id;
    for (let i = 0; i < 3; i++) {
      const sent = await sendReply(context, inbox.token, '+86 137 0000 1234', '还有货吗', 'mo-same-id');
      expect(sent.statusCode, sent.body).toBe(200);
      expect(sent.json().duplicate).toBe(i > 0);
    }
    const stored = await context.database.pool.query(
      `select m.content, m.external_id, c.customer_id from messages m join conversations c on c.id = m.conversation_id
        where c.inbox_id = $1`,
      [inbox.id],
    );
    expect(stored.rows).toEqual([{ content: '还有货吗', external_id: 'sms:mo-same-id', customer_id: customerId }]);
  });

  it("masks the buyer's number in their identities for roles that may not reveal phones", async () => {
    const { owner, addUser, customerId } = await smsShop('13600005555');
    const agent = await addUser('agent');
    const numberFor = async (client: typeof owner) =>
      (await client.get(`/api/v1/customers/${customerId}/identities`))
        .json()
        .items.find((identity: { channel: string }) => identity.channel === 'sms').externalId;
    expect(await numberFor(agent)).toBe('136****5555');
    expect(await numberFor(owner)).toContain('13600005555');
  });

  it('unsubscribes a buyer who replies TD, on the timeline and in the audit log, and keeps the message', async () => {
    const { owner, smsInbox, customerId } = await smsShop('13600006666');
    const replied = await sendReply(context, smsInbox.token, '13600006666', ' ＴＤ ');
    expect(replied.statusCode, replied.body).toBe(200);
    const customer = await context.database.pool.query('select marketing_opt_out_at from customers where id = $1', [
      customerId,
    ]);
    expect(customer.rows[0].marketing_opt_out_at).toBeInstanceOf(Date);
    const message = await messageRow(replied.json().messageId);
    expect(message.channel_meta).toEqual({ msgType: 'sms', optOut: true });
    const timeline = (await owner.get(`/api/v1/customers/${customerId}/timeline`)).json().items;
    expect(timeline.map((entry: { kind: string }) => entry.kind)).toContain('marketing_opted_out');
    expect(
      await countRows(context, `from audit_log where action = 'customers.marketing_opted_out' and target_id = $1`, [
        customerId,
      ]),
    ).toBe(1);
    // A second 退订 changes nothing more.
    await sendReply(context, smsInbox.token, '13600006666', '退订');
    expect(
      await countRows(context, `from customer_events where kind = 'marketing_opted_out' and customer_id = $1`, [
        customerId,
      ]),
    ).toBe(1);
  });

  it('announces an unsubscribe to webhooks as customer.updated with marketingOptOutAt', async () => {
    const { owner, smsInbox, customerId } = await smsShop('13600007777');
    const receiver = await startProvider();
    const endpoint = await owner.post('/api/v1/webhooks', { url: receiver.url, events: ['customer.updated'] });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    expect((await sendReply(context, smsInbox.token, '13600007777', '退订')).statusCode).toBe(200);
    // The event is published after the commit and fanned out asynchronously.
    for (let i = 0; i < 100; i++) {
      if (
        (await countRows(context, "from deliveries where kind = 'webhook' and subject_id = $1", [endpoint.json().id])) >
        0
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await context.outbox.drain();
    expect(receiver.requests).toHaveLength(1);
    const delivered = receiver.requests[0]!;
    expect(delivered.headers['x-huike-event']).toBe('customer.updated');
    expect(delivered.body).toMatchObject({
      event: 'customer.updated',
      data: { customer: { id: customerId, marketingOptOutAt: expect.any(String) }, fields: ['marketingOptOutAt'] },
    });
    const customer = (await owner.get(`/api/v1/customers/${customerId}`)).json();
    expect(customer.marketingOptOutAt).toEqual(expect.any(String));
  });

  it('refuses bad signatures, stale timestamps, malformed bodies and unknown inboxes alike, storing nothing', async () => {
    const { smsInbox } = await createWorkspace(context).then(async (shop) => ({
      smsInbox: await createSmsInbox(shop.owner, provider.url),
    }));
    const inbound = `/public/v1/channels/sms/${smsInbox.token}/inbound`;
    const body = { messageId: 'mo-x', phoneNumber: '13800001111', content: '你好', timestamp: now() };
    const raw = JSON.stringify(body);
    const attempts = [
      postCallback(context, inbound, body, { headers: {} }),
      postCallback(context, inbound, body, { secret: 'wrong-secret' }),
      postCallback(context, inbound, body, { headers: { 'x-huike-sms-signature': sign(`${raw} `) }, raw }),
      postCallback(context, inbound, { ...body, timestamp: now() - 600 }),
      postCallback(context, inbound, { ...body, phoneNumber: '12345' }),
      postCallback(context, inbound, { ...body, content: undefined }),
      postCallback(context, inbound, {}, { raw: '{"messageId":' }),
      postCallback(context, inbound, { ...body, content: 'x'.repeat(40_000) }),
      postCallback(context, '/public/v1/channels/sms/no-such-inbox/inbound', body),
      postCallback(context, `/public/v1/channels/sms/${smsInbox.token}/reports`, {
        timestamp: now() - 600,
        reports: [{ outId: 'x', status: 'delivered' }],
      }),
    ];
    const answers = await Promise.all(attempts);
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toEqual(answers[0]!.json());
    }
    expect(answers[0]!.json().error.code).toBe('channel.request_invalid');
    expect(await countRows(context, 'from conversations where inbox_id = $1', [smsInbox.id])).toBe(0);
  });

  it("does not take another workspace's SMS inbox with its own secret", async () => {
    const a = await createWorkspace(context);
    const b = await createWorkspace(context);
    const aInbox = await createSmsInbox(a.owner, provider.url);
    await b.owner.post('/api/v1/inboxes', {
      name: '乙店短信',
      channelType: 'sms',
      channelConfig: { ...smsConfig(provider.url), accessKeySecret: 'b-secret' },
    });
    const refused = await postCallback(
      context,
      `/public/v1/channels/sms/${aInbox.token}/inbound`,
      { messageId: 'mo-b', phoneNumber: '13800001111', content: '你好', timestamp: now() },
      { secret: 'b-secret' },
    );
    expect(refused.statusCode).toBe(400);
    expect(await countRows(context, 'from conversations where inbox_id = $1', [aInbox.id])).toBe(0);
  });
});
