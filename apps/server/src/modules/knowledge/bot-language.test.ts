import { HANDOFF_MESSAGE } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, pause, sendSigned } from '../../../test/harness.ts';
import { BUYER_LINES } from '../../platform/buyer-lines.ts';

const context = await createTestApp();
const { pool } = context.database;

const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as Record<string, unknown> });

/** A shop whose inbox bot is on and where an agent is 在线, so the hand-off is the plain 「请稍候」 one. */
async function shopWithBot(channelType: 'website' | 'api' = 'website', greeting = '您好，我是小店助手') {
  const workspace = await createWorkspace(context);
  const { owner } = workspace;
  const inbox =
    channelType === 'website'
      ? workspace.inbox
      : (await owner.post('/api/v1/inboxes', { name: '小程序', channelType })).json();
  const on = await put(owner, `/api/v1/knowledge/bot/settings/${inbox.id}`, {
    enabled: true,
    threshold: 0.6,
    greeting,
    quickQuestions: [],
  });
  expect(on.statusCode, on.body).toBe(200);
  expect((await owner.post('/api/v1/routing/me/presence', { presence: 'online' })).statusCode).toBe(200);
  return { ...workspace, inbox };
}

/** A widget visitor whose browser speaks `locale`, sending one message through the public channel API. */
async function widgetBuyer(inboxToken: string, locale: string, content: string) {
  const session = await context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inboxToken}/visitors`,
    payload: { locale },
  });
  const { sourceId, visitorToken } = session.json();
  const sent = await context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inboxToken}/messages`,
    headers: { 'x-huike-visitor-token': visitorToken },
    payload: { sourceId, content, locale },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  return sent.json().id as string;
}

/** The automatic line that answered the customer's message `messageId`, once it is there. */
async function replyTo(messageId: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { rows } = await pool.query<{ content: string }>(
      `select reply.content from messages asked
         join messages reply on reply.conversation_id = asked.conversation_id and reply.id > asked.id
        where asked.id = $1 and reply.sender_kind in ('bot', 'system') order by reply.id limit 1`,
      [messageId],
    );
    if (rows[0]) return rows[0].content;
    await pause(30);
  }
  throw new Error(`no automatic reply to ${messageId}`);
}

describe("the bot's hand-off in the buyer's language", () => {
  it('hands an English widget buyer off in English', async () => {
    const { inbox } = await shopWithBot();
    const asked = await widgetBuyer(inbox.token, 'en-US', 'how do I get an invoice?');
    expect(await replyTo(asked)).toBe(BUYER_LINES.en.handoff);
    const stored = await pool.query('select channel_meta from messages where id = $1', [asked]);
    expect(stored.rows[0].channel_meta).toEqual({ locale: 'en' });
  });

  it("follows the widget's language over the words: an English browser's 转人工 is answered in English", async () => {
    const { inbox } = await shopWithBot();
    expect(await replyTo(await widgetBuyer(inbox.token, 'en', '转人工'))).toBe(BUYER_LINES.en.handoff);
  });

  it('hands a Chinese widget buyer off in Chinese', async () => {
    const { inbox } = await shopWithBot();
    expect(await replyTo(await widgetBuyer(inbox.token, 'zh-CN', '转人工'))).toBe(HANDOFF_MESSAGE);
  });

  it('guesses from the text on a channel that sends no language: Latin words → English, Chinese → Chinese', async () => {
    const { inbox } = await shopWithBot('api');
    const english = await sendSigned(context, inbox, { sourceId: 'app-en', content: 'Can I talk to a person please' });
    expect(english.statusCode, english.body).toBe(201);
    expect(await replyTo(english.json().id)).toBe(BUYER_LINES.en.handoff);
    const chinese = await sendSigned(context, inbox, { sourceId: 'app-zh', content: '我要找人工客服' });
    expect(await replyTo(chinese.json().id)).toBe(HANDOFF_MESSAGE);
  });

  it("greets in the buyer's language only with the product's default greeting, never the shop's own", async () => {
    const custom = await shopWithBot('website', '您好，我是小店助手');
    const read = (token: string, locale: string) =>
      context.app.inject({ method: 'GET', url: `/public/v1/help/${token}/bot?locale=${locale}` });
    expect((await read(custom.inbox.token, 'en')).json().greeting).toBe('您好，我是小店助手');
    const stock = await shopWithBot('website', BUYER_LINES['zh-CN'].botGreeting);
    expect((await read(stock.inbox.token, 'en')).json().greeting).toBe(BUYER_LINES.en.botGreeting);
    expect((await read(stock.inbox.token, 'zh-CN')).json().greeting).toBe(BUYER_LINES['zh-CN'].botGreeting);
    expect((await read(stock.inbox.token, 'not a tag!')).statusCode).toBe(400);
  });
});
