import { afterAll, describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace, pause } from '../../../../../test/harness.ts';
import {
  pushXml,
  signedPush,
  startWechatStandIn,
  textPush,
  type WechatAccount,
} from '../../../../../test/wechat-stand-in.ts';
import { aesKeyOf, decryptMessage, wechatSignature } from './crypto.ts';
import { parseWechatXml } from './xml.ts';

// The stand-in for WeChat's API listens on 127.0.0.1, which outbound calls may only reach when allowed.
const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const APP_ID = 'wx5823bf96d3bd56c7';
const APP_SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const standIn = await startWechatStandIn({ appId: APP_ID, appSecret: APP_SECRET });
afterAll(() => standIn.close());

type Inbox = { id: string; token: string };

let accountSequence = 0;
const openidOf = () => `oWx_${Math.random().toString(36).slice(2, 12)}`;
let msgIdSequence = 7054768590064713728n;
const nextMsgId = () => {
  msgIdSequence += 1n;
  return String(msgIdSequence);
};

async function shop(mode: 'plain' | 'safe') {
  const workspace = await createWorkspace(context);
  accountSequence += 1;
  const account: WechatAccount = {
    appId: APP_ID,
    token: `passiveToken${accountSequence}`,
    encodingAesKey: AES_KEY,
    mode,
  };
  const response = await workspace.owner.post('/api/v1/inboxes', {
    name: '小店公众号',
    channelType: 'wechat',
    settings: { color: '#07c160', greeting: '' },
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
  return { ...workspace, inbox: response.json() as Inbox, account };
}

async function keywordRule(owner: Client, name: string, keywords: string[], replyText: string) {
  const response = await owner.post('/api/v1/keyword-replies', { name, keywords, replyText });
  expect(response.statusCode, response.body).toBe(201);
}

async function push(inbox: Inbox, account: WechatAccount, xml: string) {
  const { query, body } = signedPush(account, xml);
  const started = Date.now();
  const response = await context.app.inject({
    method: 'POST',
    url: `/public/v1/channels/wechat/${inbox.token}?${query}`,
    headers: { 'content-type': 'text/xml' },
    payload: body,
  });
  return { response, ms: Date.now() - started };
}

/** The passive reply's fields, decrypted (and its signature checked) in safe mode. */
function passiveOf(body: string, account: WechatAccount): Record<string, string> {
  const envelope = parseWechatXml(body);
  if (account.mode === 'plain') return envelope;
  expect(envelope.MsgSignature).toBe(
    wechatSignature(account.token, envelope.TimeStamp!, envelope.Nonce!, envelope.Encrypt!),
  );
  return parseWechatXml(decryptMessage(aesKeyOf(AES_KEY), APP_ID, envelope.Encrypt!));
}

const botMessagesOf = async (inboxId: string) =>
  (
    await context.database.pool.query<{
      id: string;
      content: string;
      conversation_id: string;
      delivery_status: string | null;
      channel_meta: Record<string, unknown> | null;
    }>(
      `select m.id, m.content, m.conversation_id, m.delivery_status, m.channel_meta from messages m
       join conversations c on c.id = m.conversation_id
       where c.inbox_id = $1 and m.direction = 'outbound' and m.sender_kind in ('bot', 'system')
       order by m.id`,
      [inboxId],
    )
  ).rows;

const deliveryRowOf = async (messageId: string) =>
  (
    await context.database.pool.query<{
      status: string;
      attempts: number;
      payload: Record<string, unknown>;
      held: boolean;
    }>(
      `select status, attempts, payload, next_attempt_at > now() + interval '2 seconds' as held
       from deliveries where kind = 'channel.message' and subject_id = $1`,
      [messageId],
    )
  ).rows;

const sentTo = (openid: string) => standIn.sent.filter((message) => message.touser === openid);

describe('automatic replies as WeChat passive replies', () => {
  for (const mode of ['plain', 'safe'] as const) {
    it(`answers a keyword reply in the callback response (${mode} mode), not as 客服消息`, async () => {
      const { owner, inbox, account } = await shop(mode);
      await keywordRule(owner, '发货时间', ['发货'], '亲，下单后 48 小时内发货哦');
      const openid = openidOf();
      const changes: { id: string; status: string | undefined }[] = [];
      const unsubscribe = context.events.subscribe((event) => {
        if (event.type === 'message.delivery_changed' && event.conversation.inboxId === inbox.id) {
          changes.push({ id: event.message.id, status: event.message.delivery?.status });
        }
      });
      const { response, ms } = await push(inbox, account, textPush(openid, '请问什么时候发货？', nextMsgId()));
      await pause(20);
      unsubscribe();
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('application/xml');
      expect(ms).toBeLessThan(4_500);
      expect(passiveOf(response.body, account)).toMatchObject({
        ToUserName: openid,
        FromUserName: 'gh_huike_test',
        MsgType: 'text',
        Content: '亲，下单后 48 小时内发货哦',
      });

      const [reply] = await botMessagesOf(inbox.id);
      expect(reply).toMatchObject({ content: '亲，下单后 48 小时内发货哦', delivery_status: 'sent' });
      expect(reply!.channel_meta).toMatchObject({ sentAs: 'passive_reply' });
      // Agents see it sent right away (the usual realtime update).
      expect(changes).toEqual([{ id: reply!.id, status: 'sent' }]);
      expect(await deliveryRowOf(reply!.id)).toEqual([
        expect.objectContaining({ status: 'succeeded', payload: { via: 'passive_reply' } }),
      ]);
      const listed = (await owner.get(`/api/v1/conversations/${reply!.conversation_id}/messages`)).json();
      expect(listed.items.find((message: { id: string }) => message.id === reply!.id).delivery).toEqual({
        status: 'sent',
        error: null,
        reason: null,
      });

      // The outbox has nothing left to send for it: WeChat never gets it a second time as 客服消息.
      await context.outbox.drain();
      expect(sentTo(openid)).toEqual([]);
      expect(standIn.malformed).toEqual([]);
    });
  }

  it('answers "success" without waiting out the window when no automatic reply comes', async () => {
    const { owner, inbox, account } = await shop('plain');
    await keywordRule(owner, '发货时间', ['发货'], '亲，下单后 48 小时内发货哦');
    // A slow subscriber that never answers customers (like reporting or webhooks) is not waited for.
    const unsubscribe = context.events.subscribe(async (event) => {
      if (event.type === 'message.created' && event.conversation.inboxId === inbox.id) await pause(2_500);
    });
    try {
      const { response, ms } = await push(inbox, account, textPush(openidOf(), '这件有蓝色的吗', nextMsgId()));
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('success');
      // Nothing was going to answer: the callback stops once the subscribers that answer customers are done.
      expect(ms).toBeLessThan(2_000);
    } finally {
      unsubscribe();
    }
    expect(await botMessagesOf(inbox.id)).toEqual([]);
  });

  it('sends a second automatic reply to the same message as 客服消息, after a short hold', async () => {
    const { owner, inbox, account } = await shop('plain');
    await keywordRule(owner, '退货', ['退货'], '七天无理由退货，请在订单页申请');
    await keywordRule(owner, '运费', ['退货'], '退货运费由小店承担');
    const openid = openidOf();
    const { response } = await push(inbox, account, textPush(openid, '我想退货', nextMsgId()));
    // The callback answers as soon as it has claimed the first; the second rule's reply may be stored just after.
    let replies = await botMessagesOf(inbox.id);
    for (let tries = 0; replies.length < 2 && tries < 40; tries++) {
      await pause(50);
      replies = await botMessagesOf(inbox.id);
    }
    expect(replies).toHaveLength(2);
    const passive = passiveOf(response.body, account).Content;
    const [answered, other] = replies[0]!.content === passive ? replies : [replies[1]!, replies[0]!];
    expect(answered!.delivery_status).toBe('sent');
    expect(other!.delivery_status).toBe('pending');
    // Held back from the workers for a moment (the callback could have taken it), not sent at once.
    expect(await deliveryRowOf(other!.id)).toEqual([
      expect.objectContaining({ status: 'pending', attempts: 0, held: true }),
    ]);

    await context.outbox.drain();
    expect(sentTo(openid).map((message) => message.text?.content)).toEqual([other!.content]);
    expect((await botMessagesOf(inbox.id)).map((message) => message.delivery_status)).toEqual(['sent', 'sent']);
  });

  it("still sends an agent's reply as 客服消息 at once", async () => {
    const { owner, inbox, account } = await shop('safe');
    const openid = openidOf();
    await push(inbox, account, textPush(openid, '你好，在吗', nextMsgId()));
    const [conversation] = (await owner.get('/api/v1/conversations?assignee=all')).json().items;
    const sent = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '在的，亲' });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(await deliveryRowOf(sent.json().id)).toEqual([expect.objectContaining({ status: 'pending', held: false })]);
    const due = await countRows(
      context,
      `from deliveries where subject_id = $1 and status = 'pending' and next_attempt_at <= now()`,
      [sent.json().id],
    );
    expect(due).toBe(1);
    await context.outbox.drain();
    expect(sentTo(openid).map((message) => message.text?.content)).toEqual(['在的，亲']);
  });

  it('answers a menu click passively, and a replayed MsgId with "success" and no second reply', async () => {
    const { owner, inbox, account } = await shop('safe');
    await keywordRule(owner, '客服时间', ['客服', 'MENU_SERVICE'], '客服在线时间：每天 9:00-22:00');
    const openid = openidOf();
    const xml = textPush(openid, '客服在吗', nextMsgId());
    const first = await push(inbox, account, xml);
    expect(passiveOf(first.response.body, account).Content).toBe('客服在线时间：每天 9:00-22:00');

    const replay = await push(inbox, account, xml);
    expect(replay.response.body).toBe('success');
    expect(await botMessagesOf(inbox.id)).toHaveLength(1);

    const click = pushXml({
      ToUserName: 'gh_huike_test',
      FromUserName: openid,
      CreateTime: Math.floor(Date.now() / 1000) + 1,
      MsgType: 'event',
      Event: 'CLICK',
      EventKey: 'MENU_SERVICE',
    });
    const clicked = await push(inbox, account, click);
    expect(passiveOf(clicked.response.body, account).Content).toBe('客服在线时间：每天 9:00-22:00');
    await context.outbox.drain();
    expect(sentTo(openid)).toEqual([]);
  });
});

describe('a slow automatic reply', () => {
  it('answers "success" inside the 5-second window and leaves the late reply to the outbox as 客服消息', async () => {
    const { inbox, account } = await shop('safe');
    const openid = openidOf();
    // A stand-in for a slow bot (e.g. a model taking its time): it answers 4.3 s after the message was stored.
    let answered: Promise<unknown> | undefined;
    const unsubscribe = context.events.subscribe(
      async (event) => {
        if (event.type !== 'message.created' || event.conversation.inboxId !== inbox.id) return;
        if (event.message.direction !== 'inbound') return;
        await pause(4_300);
        answered = context.services.conversations.sendAutomatedMessage({
          workspaceId: event.workspaceId,
          conversationId: event.conversation.id,
          content: '抱歉久等，尺码表已发您',
          senderKind: 'bot',
          idempotencyKey: `slow:${event.message.id}`,
          source: { kind: 'bot', id: event.message.id },
        });
        await answered;
      },
      { answersCustomers: true },
    );
    try {
      const { response, ms } = await push(inbox, account, textPush(openid, '尺码怎么选', nextMsgId()));
      expect(response.body).toBe('success');
      expect(ms).toBeGreaterThanOrEqual(3_500);
      expect(ms).toBeLessThan(4_800);
      for (let tries = 0; !answered && tries < 40; tries++) await pause(50);
      await answered;
    } finally {
      unsubscribe();
    }
    const [late] = await botMessagesOf(inbox.id);
    expect(late).toMatchObject({ content: '抱歉久等，尺码表已发您', delivery_status: 'pending' });
    await context.outbox.drain();
    expect(sentTo(openid).map((message) => message.text?.content)).toEqual(['抱歉久等，尺码表已发您']);
    expect((await botMessagesOf(inbox.id))[0]!.delivery_status).toBe('sent');
  });
});

describe('outbox takeOver', () => {
  it('takes a pending, never attempted delivery once, and never one a worker already tried', async () => {
    const { owner } = await createWorkspace(context);
    const subject = crypto.randomUUID();
    const item = { workspaceId: owner.workspaceId!, kind: 'test.takeover', subjectId: subject };
    await context.outbox.enqueue(context.database.db, [{ ...item, holdMs: 60_000 }]);
    const takeOver = () =>
      context.database.db.transaction((tx) => context.outbox.takeOver(tx, { ...item, via: 'test' }));
    expect(await takeOver()).toBe(true);
    expect(await takeOver()).toBe(false);

    const tried = crypto.randomUUID();
    await context.outbox.enqueue(context.database.db, [{ ...item, subjectId: tried }]);
    await context.database.pool.query(`update deliveries set attempts = 1 where subject_id = $1`, [tried]);
    expect(
      await context.database.db.transaction((tx) =>
        context.outbox.takeOver(tx, { ...item, subjectId: tried, via: 'test' }),
      ),
    ).toBe(false);
    // Another workspace's id is never taken.
    const { owner: other } = await createWorkspace(context, '别的店');
    const elsewhere = crypto.randomUUID();
    await context.outbox.enqueue(context.database.db, [{ ...item, subjectId: elsewhere }]);
    expect(
      await context.database.db.transaction((tx) =>
        context.outbox.takeOver(tx, { ...item, workspaceId: other.workspaceId!, subjectId: elsewhere, via: 'test' }),
      ),
    ).toBe(false);
    await context.database.pool.query(`delete from deliveries where kind = 'test.takeover'`);
  });
});
