import { afterAll, describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace } from '../../../../../test/harness.ts';
import { TINY_PNG, uploadAttachment } from '../../../../../test/multipart.ts';
import {
  pushXml,
  signedPush,
  startWechatStandIn,
  textPush,
  verificationQuery,
  type WechatAccount,
} from '../../../../../test/wechat-stand-in.ts';
import { aesKeyOf, decryptMessage, encryptMessage, wechatSignature } from './crypto.ts';
import { parseWechatXml } from './xml.ts';

// The stand-in for WeChat's API listens on 127.0.0.1, which outbound calls may only reach when allowed.
const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const APP_ID = 'wx5823bf96d3bd56c7';
const APP_SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const standIn = await startWechatStandIn({ appId: APP_ID, appSecret: APP_SECRET });
afterAll(() => standIn.close());

type Inbox = { id: string; token: string; channelConfig: Record<string, unknown> };

let accountSequence = 0;

async function wechatInbox(owner: Client, mode: 'plain' | 'safe') {
  accountSequence += 1;
  const account: WechatAccount = {
    appId: APP_ID,
    token: `huikeToken${accountSequence}`,
    encodingAesKey: AES_KEY,
    mode,
  };
  const response = await owner.post('/api/v1/inboxes', {
    name: mode === 'safe' ? '公众号（安全模式）' : '公众号',
    channelType: 'wechat',
    settings: { color: '#07c160', greeting: '感谢关注小店，有问题直接留言哦' },
    channelConfig: {
      appId: APP_ID,
      appSecret: APP_SECRET,
      token: account.token,
      encodingAesKey: AES_KEY,
      mode,
      apiBaseUrl: standIn.url,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { inbox: response.json() as Inbox, account };
}

const callbackUrl = (inbox: { token: string }, query: string) => `/public/v1/channels/wechat/${inbox.token}?${query}`;

function push(inbox: Inbox, account: WechatAccount, xml: string, options: { timestamp?: number } = {}) {
  const { query, body } = signedPush(account, xml, options);
  return context.app.inject({
    method: 'POST',
    url: callbackUrl(inbox, query),
    headers: { 'content-type': 'text/xml' },
    payload: body,
  });
}

const messagesOf = async (inboxId: string) =>
  (
    await context.database.pool.query<{
      id: string;
      content: string;
      external_id: string;
      conversation_id: string;
      channel_meta: Record<string, unknown>;
    }>(
      `select m.id, m.content, m.external_id, m.conversation_id, m.channel_meta from messages m
       join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'
       order by m.created_at`,
      [inboxId],
    )
  ).rows;

const openidOf = () => `oWx_${Math.random().toString(36).slice(2, 12)}`;
let msgIdSequence = 6054768590064713728n;
const nextMsgId = () => {
  msgIdSequence += 1n;
  return String(msgIdSequence);
};

const uniformError = { error: { code: 'channel.request_invalid', message: '微信回调请求无效' } };

describe('connecting a WeChat Official Account', () => {
  it('checks appId and appSecret against WeChat and never answers the secrets', async () => {
    const { owner } = await createWorkspace(context);
    const fetchesBefore = standIn.tokenFetches.length;
    const { inbox } = await wechatInbox(owner, 'safe');
    expect(standIn.tokenFetches.length).toBe(fetchesBefore + 1);
    expect(inbox.channelConfig).toEqual({
      appId: APP_ID,
      token: expect.any(String),
      mode: 'safe',
      apiBaseUrl: standIn.url,
    });
    const stored = await context.database.pool.query<{ channel_config: Record<string, string> }>(
      'select channel_config from inboxes where id = $1',
      [inbox.id],
    );
    expect(stored.rows[0]!.channel_config.appSecret).toMatch(/^v1:/);
    expect(JSON.stringify(stored.rows[0]!.channel_config)).not.toContain(APP_SECRET);

    const wrongSecret = await owner.post('/api/v1/inboxes', {
      name: '错的公众号',
      channelType: 'wechat',
      channelConfig: { appId: APP_ID, appSecret: 'wrong', token: 'abc123', mode: 'plain', apiBaseUrl: standIn.url },
    });
    expect(wrongSecret.statusCode).toBe(400);
    expect(wrongSecret.json().error.code).toBe('channel.connection_failed');
    expect(wrongSecret.json().error.message).toContain('AppSecret 无效');
    expect(await countRows(context, `from inboxes where name = '错的公众号'`)).toBe(0);
  });

  it('refuses safe mode without an EncodingAESKey, and a malformed one', async () => {
    const { owner } = await createWorkspace(context);
    const base = { appId: APP_ID, appSecret: APP_SECRET, token: 'abc123', apiBaseUrl: standIn.url };
    const missing = await owner.post('/api/v1/inboxes', {
      name: '公众号',
      channelType: 'wechat',
      channelConfig: { ...base, mode: 'safe' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toContainEqual({
      path: '/channelConfig/encodingAesKey',
      message: '安全模式需要填写 EncodingAESKey',
    });
    const malformed = await owner.post('/api/v1/inboxes', {
      name: '公众号',
      channelType: 'wechat',
      channelConfig: { ...base, mode: 'safe', encodingAesKey: 'too-short' },
    });
    expect(malformed.statusCode).toBe(400);
  });

  it('shows the callback token to owners and admins only: with it, anyone could sign callbacks as WeChat', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'plain');
    expect((await owner.get(`/api/v1/inboxes/${inbox.id}`)).json().channelConfig.token).toBe(account.token);
    expect((await (await addUser('admin')).get(`/api/v1/inboxes/${inbox.id}`)).json().channelConfig.token).toBe(
      account.token,
    );
    for (const member of [await addUser('agent'), await addUser('analyst'), await addUser('supervisor')]) {
      const list = await member.get('/api/v1/inboxes');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(account.token);
      expect((await member.get(`/api/v1/inboxes/${inbox.id}`)).json().channelConfig).not.toHaveProperty('token');
    }
  });

  it('keeps the stored secrets when an update leaves them out', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'safe');
    const updated = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { mode: 'plain' } });
    expect(updated.statusCode, updated.body).toBe(200);
    const back = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { mode: 'safe' } });
    expect(back.statusCode, back.body).toBe(200);
    const response = await push(inbox, account, textPush(openidOf(), '还能收到吗', nextMsgId()));
    expect(response.statusCode).toBe(200);
  });

  it('refuses agents and supervisors who try to connect an account', async () => {
    const { owner, addUser } = await createWorkspace(context);
    for (const member of [await addUser('agent'), await addUser('supervisor')]) {
      const response = await member.post('/api/v1/inboxes', {
        name: '公众号',
        channelType: 'wechat',
        channelConfig: {
          appId: APP_ID,
          appSecret: APP_SECRET,
          token: 'abc123',
          mode: 'plain',
          apiBaseUrl: standIn.url,
        },
      });
      expect(response.statusCode).toBe(403);
    }
    expect((await owner.get('/api/v1/inboxes')).json().items).toHaveLength(1);
  });
});

describe('the server configuration URL check', () => {
  it('echoes echostr when the signature is right', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'safe');
    const response = await context.app.inject({
      url: callbackUrl(inbox, verificationQuery(account, '1616140317555161061')),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('1616140317555161061');
  });

  it('decrypts an encrypted echostr signed with msg_signature', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'safe');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const echostr = encryptMessage(aesKeyOf(AES_KEY), APP_ID, '5927415116582047712');
    const msgSignature = wechatSignature(account.token, timestamp, '123456', echostr);
    const query = `msg_signature=${msgSignature}&timestamp=${timestamp}&nonce=123456&echostr=${encodeURIComponent(echostr)}`;
    const response = await context.app.inject({ url: callbackUrl(inbox, query) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('5927415116582047712');
  });

  it('refuses a wrong signature or a stale timestamp with the uniform error', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'plain');
    const forged = await context.app.inject({
      url: callbackUrl(inbox, verificationQuery({ ...account, token: 'someoneElse' }, '123456')),
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toEqual(uniformError);
    const stale = await context.app.inject({
      url: callbackUrl(inbox, verificationQuery(account, '123456', Math.floor(Date.now() / 1000) - 600)),
    });
    expect(stale.statusCode).toBe(400);
    expect(stale.json()).toEqual(uniformError);
  });

  it('answers an unknown token or an inbox of another channel like a bad signature, storing nothing', async () => {
    const { inbox: website } = await createWorkspace(context);
    const { owner } = await createWorkspace(context);
    const { account } = await wechatInbox(owner, 'plain');
    const messagesBefore = await countRows(context, 'from messages');
    const openid = openidOf();
    for (const token of ['NOSUCHTOKEN', website.token]) {
      // Signed with a real account's token: only the inbox token is wrong.
      const check = await context.app.inject({
        url: `/public/v1/channels/wechat/${token}?${verificationQuery(account, '123456')}`,
      });
      expect(check.statusCode).toBe(400);
      expect(check.json()).toEqual(uniformError);
      const push = await context.app.inject({
        method: 'POST',
        url: `/public/v1/channels/wechat/${token}?signature=x&timestamp=1&nonce=1`,
        headers: { 'content-type': 'text/xml' },
        payload: textPush(openid, '你好', nextMsgId()),
      });
      expect(push.statusCode).toBe(400);
      expect(push.json()).toEqual(uniformError);
    }
    expect(await countRows(context, 'from messages')).toBe(messagesBefore);
  });
});

describe('messages from followers', () => {
  it('stores a plain-mode text once when WeChat delivers the same MsgId three times', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'plain');
    const openid = openidOf();
    const msgId = nextMsgId();
    const xml = textPush(openid, '请问今天能发货吗？', msgId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await push(inbox, account, xml);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('success');
      expect(response.headers['server-timing']).toMatch(/^app;dur=[\d.]+$/);
    }
    const stored = await messagesOf(inbox.id);
    expect(stored).toEqual([
      expect.objectContaining({ content: '请问今天能发货吗？', external_id: msgId, channel_meta: expect.any(Object) }),
    ]);
    expect(stored[0]!.channel_meta).toMatchObject({ msgType: 'text', msgId });
    const identity = await context.database.pool.query(
      `select kind, external_id from customer_identities where inbox_id = $1`,
      [inbox.id],
    );
    expect(identity.rows).toEqual([{ kind: 'source', external_id: openid }]);
  });

  it('decrypts and stores safe-mode messages, once per MsgId, in one conversation per follower', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'safe');
    const openid = openidOf();
    const first = nextMsgId();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await push(inbox, account, textPush(openid, '加密模式下的第一条', first))).body).toBe('success');
    }
    expect((await push(inbox, account, textPush(openid, '第二条', nextMsgId()))).body).toBe('success');
    const stored = await messagesOf(inbox.id);
    expect(stored.map((message) => message.content)).toEqual(['加密模式下的第一条', '第二条']);
    expect(new Set(stored.map((message) => message.conversation_id)).size).toBe(1);
    const list = (await owner.get(`/api/v1/conversations?assignee=all&inboxId=${inbox.id}`)).json();
    expect(list.items).toHaveLength(1);
  });

  it('welcomes a new follower with an encrypted passive reply and records the subscribe once', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'safe');
    const openid = openidOf();
    const createTime = Math.floor(Date.now() / 1000);
    const xml = pushXml({
      ToUserName: 'gh_huike_test',
      FromUserName: openid,
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'subscribe',
    });
    const response = await push(inbox, account, xml);
    expect(response.statusCode).toBe(200);
    const envelope = parseWechatXml(response.body);
    expect(envelope.MsgSignature).toBe(
      wechatSignature(account.token, envelope.TimeStamp!, envelope.Nonce!, envelope.Encrypt!),
    );
    const reply = parseWechatXml(decryptMessage(aesKeyOf(AES_KEY), APP_ID, envelope.Encrypt!));
    expect(reply).toMatchObject({
      ToUserName: openid,
      FromUserName: 'gh_huike_test',
      MsgType: 'text',
      Content: '感谢关注小店，有问题直接留言哦',
    });
    // WeChat retrying the same event: acknowledged, not stored twice, no second welcome.
    expect((await push(inbox, account, xml)).body).toBe('success');
    expect((await messagesOf(inbox.id)).map((message) => message.content)).toEqual(['[关注公众号]']);
  });

  it('turns voice, image, menu clicks and unsubscribes into readable messages, and only acknowledges the rest', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'plain');
    const openid = openidOf();
    const now = Math.floor(Date.now() / 1000);
    const base = { ToUserName: 'gh_huike_test', FromUserName: openid };
    const pushes = [
      pushXml({
        ...base,
        CreateTime: now,
        MsgType: 'voice',
        MediaId: 'media-voice-1',
        Format: 'amr',
        Recognition: '我的快递到哪了',
        MsgId: nextMsgId(),
      }),
      pushXml({
        ...base,
        CreateTime: now,
        MsgType: 'voice',
        MediaId: 'media-voice-2',
        Format: 'amr',
        MsgId: nextMsgId(),
      }),
      pushXml({
        ...base,
        CreateTime: now,
        MsgType: 'image',
        PicUrl: 'https://mmbiz.qpic.cn/x.jpg',
        MediaId: 'media-image-1',
        MsgId: nextMsgId(),
      }),
      pushXml({ ...base, CreateTime: now, MsgType: 'event', Event: 'CLICK', EventKey: 'ORDER_QUERY' }),
      pushXml({ ...base, CreateTime: now, MsgType: 'event', Event: 'VIEW', EventKey: 'https://shop.example.com' }),
      pushXml({ ...base, CreateTime: now + 1, MsgType: 'event', Event: 'unsubscribe' }),
    ];
    for (const xml of pushes) expect((await push(inbox, account, xml)).body).toBe('success');
    const stored = await messagesOf(inbox.id);
    expect(stored.map((message) => message.content)).toEqual([
      '我的快递到哪了',
      '[语音]',
      '[图片]',
      '[菜单] ORDER_QUERY',
      '[取消关注]',
    ]);
    expect(stored[0]!.channel_meta).toMatchObject({
      msgType: 'voice',
      mediaId: 'media-voice-1',
      recognition: '我的快递到哪了',
    });
    expect(stored[2]!.channel_meta).toMatchObject({ picUrl: 'https://mmbiz.qpic.cn/x.jpg', mediaId: 'media-image-1' });
    expect(stored[3]!.external_id).toBe(`event:${openid}:${now}:CLICK`);
  });
});

describe('scoring what followers write', () => {
  it('scores texts and recognised voice, never the stand-ins for media and events, even as a third unanswered message', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(owner, 'plain');
    const openid = openidOf();
    const now = Math.floor(Date.now() / 1000);
    const base = { ToUserName: 'gh_huike_test', FromUserName: openid };
    const pushes = [
      textPush(openid, '你好，在吗？', nextMsgId()),
      textPush(openid, '我的订单什么时候发货', nextMsgId()),
      pushXml({
        ...base,
        CreateTime: now,
        MsgType: 'image',
        PicUrl: 'https://mmbiz.qpic.cn/y.jpg',
        MsgId: nextMsgId(),
      }),
      pushXml({
        ...base,
        CreateTime: now,
        MsgType: 'voice',
        MediaId: 'media-voice-9',
        Format: 'amr',
        MsgId: nextMsgId(),
      }),
      pushXml({ ...base, CreateTime: now, MsgType: 'event', Event: 'CLICK', EventKey: 'ORDER_QUERY' }),
      pushXml({
        ...base,
        CreateTime: now + 1,
        MsgType: 'voice',
        MediaId: 'media-voice-10',
        Format: 'amr',
        Recognition: '怎么还没人回复',
        MsgId: nextMsgId(),
      }),
    ];
    for (const xml of pushes.slice(0, -1)) expect((await push(inbox, account, xml)).statusCode).toBe(200);
    // Repeated contact needs a wait of 5 minutes or more (nlp's REPEATED_CONTACT_MIN_WAIT_MS): the buyer has waited.
    await context.database.pool.query(
      `update conversations set waiting_since = now() - interval '6 minutes' where inbox_id = $1`,
      [inbox.id],
    );
    expect((await push(inbox, account, pushes.at(-1)!)).statusCode).toBe(200);
    const stored = (
      await context.database.pool.query<{
        content: string;
        sentiment_label: string | null;
        urgency_reasons: string[] | null;
        last_urgent: boolean;
      }>(
        `select m.content, m.sentiment_label, m.urgency_reasons, c.last_urgent from messages m
           join conversations c on c.id = m.conversation_id
          where c.inbox_id = $1 and m.direction = 'inbound' order by m.created_at`,
        [inbox.id],
      )
    ).rows;
    expect(stored.map((row) => row.content)).toEqual([
      '你好，在吗？',
      '我的订单什么时候发货',
      '[图片]',
      '[语音]',
      '[菜单] ORDER_QUERY',
      '怎么还没人回复',
    ]);
    const [first, second, image, voice, click, recognised] = stored;
    for (const words of [first, second, recognised]) expect(words!.sentiment_label).not.toBeNull();
    expect(first!.urgency_reasons).toEqual([]);
    // The third and later unanswered messages are repeated contact, but a stand-in carries no urgency of its own.
    for (const standIn of [image, voice, click]) {
      expect(standIn).toMatchObject({ sentiment_label: null, urgency_reasons: null });
    }
    expect(recognised!.urgency_reasons).toContain('repeated_contact');
    // The conversation still reads as urgent: every unanswered message counts towards it.
    expect(recognised!.last_urgent).toBe(true);
  });
});

describe('requests that are not from WeChat', () => {
  it('refuses XXE, malformed XML, bad signatures, stale timestamps, oversized bodies and foreign ciphertext alike, storing nothing', async () => {
    const { owner } = await createWorkspace(context);
    const { inbox: plainInbox, account: plainAccount } = await wechatInbox(owner, 'plain');
    const { inbox: safeInbox, account: safeAccount } = await wechatInbox(owner, 'safe');
    const openid = openidOf();
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      `<xml><ToUserName>gh</ToUserName><FromUserName>${openid}</FromUserName><CreateTime>1</CreateTime>` +
      '<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>';
    const huge = textPush(openid, '大'.repeat(30_000), nextMsgId());
    const attempts = [
      () => push(plainInbox, plainAccount, xxe),
      () => push(safeInbox, safeAccount, xxe),
      () => push(plainInbox, plainAccount, '<xml><FromUserName>未闭合</xml>'),
      () => push(plainInbox, plainAccount, '<xml><Content>没有发送者</Content></xml>'),
      () => push(plainInbox, { ...plainAccount, token: 'forgedToken' }, textPush(openid, '伪造签名', nextMsgId())),
      () => push(safeInbox, { ...safeAccount, token: 'forgedToken' }, textPush(openid, '伪造签名', nextMsgId())),
      () =>
        push(safeInbox, { ...safeAccount, appId: 'wx0000000000000000' }, textPush(openid, '别的公众号', nextMsgId())),
      () =>
        push(
          safeInbox,
          { ...safeAccount, encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
          textPush(openid, '别的密钥', nextMsgId()),
        ),
      () =>
        push(plainInbox, plainAccount, textPush(openid, '过期的消息', nextMsgId()), {
          timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
        }),
      () => push(safeInbox, safeAccount, textPush(openid, '过期的消息', nextMsgId()), { timestamp: 1409659813 }),
      () => push(plainInbox, plainAccount, huge),
      () => push(safeInbox, safeAccount, huge),
      () =>
        context.app.inject({
          method: 'POST',
          url: callbackUrl(plainInbox, 'timestamp=1&nonce=1'),
          headers: { 'content-type': 'text/xml' },
          payload: textPush(openid, '没有签名', nextMsgId()),
        }),
    ];
    for (const [index, attempt] of attempts.entries()) {
      const response = await attempt();
      expect(response.statusCode, `attempt ${index}: ${response.body}`).toBe(400);
      expect(response.json(), `attempt ${index}`).toEqual(uniformError);
    }
    expect(await messagesOf(plainInbox.id)).toEqual([]);
    expect(await messagesOf(safeInbox.id)).toEqual([]);
    expect(await countRows(context, 'from customer_identities where external_id = $1', [openid])).toBe(0);
  });

  it("refuses a push signed with another workspace's account settings", async () => {
    const a = await createWorkspace(context, '甲店');
    const b = await createWorkspace(context, '乙店');
    const { account: accountOfA } = await wechatInbox(a.owner, 'safe');
    const { inbox: inboxOfB } = await wechatInbox(b.owner, 'safe');
    const response = await push(inboxOfB, accountOfA, textPush(openidOf(), '走错店的消息', nextMsgId()));
    expect(response.statusCode).toBe(400);
    expect(await countRows(context, `from messages where content = '走错店的消息'`)).toBe(0);
  });
});

describe('replies as 客服消息', () => {
  async function conversationWithFollower(mode: 'plain' | 'safe' = 'safe') {
    const workspace = await createWorkspace(context);
    const { inbox, account } = await wechatInbox(workspace.owner, mode);
    const openid = openidOf();
    await push(inbox, account, textPush(openid, '你好，想咨询一下尺码', nextMsgId()));
    const [message] = await messagesOf(inbox.id);
    return { ...workspace, inbox, openid, conversationId: message!.conversation_id };
  }

  const reply = async (owner: Client, conversationId: string, content: string) => {
    const response = await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; delivery: { status: string; error: string | null } | null };
  };

  const deliveryOf = async (owner: Client, conversationId: string, messageId: string) => {
    const list = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json();
    return list.items.find((message: { id: string }) => message.id === messageId).delivery;
  };

  it("delivers an agent's reply to the follower's openid through the outbox", async () => {
    const { owner, openid, conversationId } = await conversationWithFollower();
    const sent = await reply(owner, conversationId, '亲，M 码适合 120 斤左右');
    expect(sent.delivery).toEqual({ status: 'pending', error: null, reason: null });
    expect(standIn.sent.filter((message) => message.touser === openid)).toEqual([]);
    await context.outbox.drain();
    expect(standIn.sent.filter((message) => message.touser === openid)).toEqual([
      {
        touser: openid,
        msgtype: 'text',
        text: { content: '亲，M 码适合 120 斤左右' },
        accessToken: expect.any(String),
      },
    ]);
    expect(await deliveryOf(owner, conversationId, sent.id)).toEqual({ status: 'sent', error: null, reason: null });
    expect(standIn.malformed).toEqual([]);
  });

  it('fetches one access token for many replies, and a fresh one once WeChat says it went stale', async () => {
    const { owner, inbox, openid, conversationId } = await conversationWithFollower();
    const fetchesOf = () => standIn.tokenFetches.length;
    const before = fetchesOf();
    for (const content of ['第一条回复', '第二条回复', '第三条回复']) await reply(owner, conversationId, content);
    await context.outbox.drain();
    for (const content of ['第四条回复', '第五条回复']) await reply(owner, conversationId, content);
    await context.outbox.drain();
    expect(fetchesOf() - before).toBe(1);
    const state = await context.database.pool.query<{ value: { token: string; expiresAt: number } }>(
      `select value from channel_state where inbox_id = $1 and key = 'access_token'`,
      [inbox.id],
    );
    expect(state.rows[0]!.value.expiresAt).toBeGreaterThan(Date.now() + 7000 * 1000);

    standIn.invalidateToken();
    const afterStale = await reply(owner, conversationId, '令牌失效后的回复');
    await context.outbox.drain();
    expect(fetchesOf() - before).toBe(2);
    expect(standIn.tokenFetches.at(-1)).toEqual({ appid: APP_ID, forceRefresh: true });
    expect(await deliveryOf(owner, conversationId, afterStale.id)).toEqual({
      status: 'sent',
      error: null,
      reason: null,
    });
    const contents = standIn.sent
      .filter((message) => message.touser === openid)
      .map((message) => message.text?.content);
    // The outbox sends a batch concurrently, so replies drained together may arrive in any order.
    expect(contents.sort()).toEqual(
      ['第一条回复', '第二条回复', '第三条回复', '第四条回复', '第五条回复', '令牌失效后的回复'].sort(),
    );
  });

  const sentTo = (openid: string) =>
    standIn.sent.filter((message) => message.touser === openid).map(({ accessToken: _, ...message }) => message);

  const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const files = { png: [TINY_PNG, 'image/png'], pdf: [TINY_PDF, 'application/pdf'] } as const;

  const replyWithFiles = async (
    owner: Client,
    conversationId: string,
    content: string,
    attached: [string, keyof typeof files][],
  ) => {
    const attachmentIds: string[] = [];
    for (const [name, kind] of attached) {
      const [data, contentType] = files[kind];
      const upload = await uploadAttachment(owner, name, data, contentType);
      expect(upload.statusCode, upload.body).toBe(201);
      attachmentIds.push(upload.json().fileId);
    }
    const response = await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content, attachmentIds });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string };
  };

  it("sends a reply's images as image 客服消息 after its text, and names the files WeChat cannot carry", async () => {
    const { owner, openid, conversationId } = await conversationWithFollower();
    const uploadsBefore = standIn.uploads.length;
    const sent = await replyWithFiles(owner, conversationId, '亲，尺码表和报价单请查收', [
      ['尺码表.png', 'png'],
      ['报价单.pdf', 'pdf'],
    ]);
    await context.outbox.drain();
    const [upload] = standIn.uploads.slice(uploadsBefore);
    expect(upload).toMatchObject({ type: 'image', contentType: 'image/png', filename: 'image.png' });
    expect(upload!.data.equals(TINY_PNG)).toBe(true);
    expect(sentTo(openid)).toEqual([
      { touser: openid, msgtype: 'text', text: { content: '亲，尺码表和报价单请查收' } },
      { touser: openid, msgtype: 'image', image: { media_id: upload!.mediaId } },
    ]);
    const list = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json();
    const stored = list.items.find((message: { id: string }) => message.id === sent.id);
    expect(stored.delivery).toEqual({ status: 'sent', error: null, reason: null });
    expect(stored.channelMeta).toMatchObject({ sentAs: 'custom_message', attachmentsNotSent: ['报价单.pdf'] });
    expect(standIn.malformed).toEqual([]);
  });

  it('sends a picture without text, and after an outage on the picture sends only the picture again', async () => {
    const { owner, openid, conversationId } = await conversationWithFollower();
    await replyWithFiles(owner, conversationId, '', [['实拍图.png', 'png']]);
    await context.outbox.drain();
    expect(sentTo(openid).map((message) => message.msgtype)).toEqual(['image']);

    standIn.failSends(-1, 'system error', 1, 'image');
    const sent = await replyWithFiles(owner, conversationId, '再发一张细节图', [['细节图.png', 'png']]);
    await context.outbox.drain();
    expect(await deliveryOf(owner, conversationId, sent.id)).toEqual({ status: 'sent', error: null, reason: null });
    expect(sentTo(openid).map((message) => message.text?.content ?? message.msgtype)).toEqual([
      'image',
      '再发一张细节图',
      'image',
    ]);
    // The progress kept for the retry is gone once the message went.
    expect(await countRows(context, `from channel_state where key like 'delivery:%'`)).toBe(0);
  });

  it('refuses, without calling WeChat, a reply with nothing WeChat can carry', async () => {
    const { owner, openid, conversationId } = await conversationWithFollower();
    const sent = await replyWithFiles(owner, conversationId, '', [['合同.pdf', 'pdf']]);
    await context.outbox.drain();
    const delivery = await deliveryOf(owner, conversationId, sent.id);
    expect(delivery.status).toBe('failed');
    expect(delivery.error).toContain('只能发送文字和图片');
    expect(delivery).toMatchObject({ reason: { code: 'wechat.nothing_sendable', params: {} } });
    expect(sentTo(openid)).toEqual([]);
  });

  it('marks a reply failed, with the reason, once the 48-hour window has closed', async () => {
    const { owner, openid, conversationId } = await conversationWithFollower();
    standIn.failSends(45015, 'response out of time limit or subscription is canceled');
    const late = await reply(owner, conversationId, '三天后的回复');
    await context.outbox.drain();
    const delivery = await deliveryOf(owner, conversationId, late.id);
    expect(delivery.status).toBe('failed');
    expect(delivery.error).toContain('48 小时');
    expect(delivery).toMatchObject({ reason: { code: 'wechat.window_closed', params: { errcode: 45015 } } });
    expect(standIn.sent.filter((message) => message.touser === openid)).toEqual([]);
  });

  it('accepts nothing on, and sends nothing from, an inbox saved without its account settings', async () => {
    const { owner } = await createWorkspace(context);
    const inboxId = crypto.randomUUID();
    const token = `wx-unset-${Date.now()}`;
    await context.database.pool.query(
      `insert into inboxes (id, workspace_id, name, channel_type, token, secret, settings, channel_config)
       values ($1, $2, '未配置的公众号', 'wechat', $3, 'unused', $4, '{}')`,
      [inboxId, owner.workspaceId, token, { color: '#07c160', greeting: '' }],
    );
    const unset = { id: inboxId, token, channelConfig: {} };
    const guessed: WechatAccount = { appId: APP_ID, token: 'undefined', mode: 'plain' };
    const response = await push(unset, guessed, textPush(openidOf(), '猜令牌', nextMsgId()));
    expect(response.statusCode).toBe(400);
    expect(await messagesOf(inboxId)).toEqual([]);
  });

  it('retries a reply that met a WeChat outage and delivers it once WeChat is back', async () => {
    const { owner, openid, conversationId } = await conversationWithFollower('plain');
    standIn.failSends(-1, 'system error');
    const sent = await reply(owner, conversationId, '系统繁忙时的回复');
    await context.outbox.drain();
    expect(await deliveryOf(owner, conversationId, sent.id)).toEqual({ status: 'sent', error: null, reason: null });
    expect(standIn.sent.filter((message) => message.touser === openid).map((m) => m.text?.content)).toEqual([
      '系统繁忙时的回复',
    ]);
  });
});
