import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, pause, sendSigned } from '../../../test/harness.ts';
import { BUYER_LINES } from '../../platform/buyer-lines.ts';

const context = await createTestApp();
const { pool } = context.database;

const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as Record<string, unknown> });

type Shop = Awaited<ReturnType<typeof createWorkspace>>;

/** A widget buyer whose browser speaks `locale` writes `content`; answers the stored message's id. */
async function fromWidget({ inbox }: Shop, content: string, locale: string) {
  const session = (
    await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/visitors`,
      payload: { locale },
    })
  ).json();
  const sent = await context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inbox.token}/messages`,
    headers: { 'x-huike-visitor-token': session.visitorToken },
    payload: { sourceId: session.sourceId, content, locale },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  return sent.json().id as string;
}

/** A buyer on an integrator's API inbox, which sends no language, writes `content`. */
async function fromApiChannel({ owner }: Shop, content: string) {
  const inbox = (await owner.post('/api/v1/inboxes', { name: '小程序', channelType: 'api' })).json();
  const sent = await sendSigned(context, inbox, { sourceId: 'app-buyer', content });
  expect(sent.statusCode, sent.body).toBe(201);
  return sent.json().id as string;
}

/** An agent resolves the conversation of the buyer's message `messageId`; answers the survey and its message. */
async function surveyAfterResolving({ owner }: Shop, messageId: string) {
  const { rows } = await pool.query<{ conversation_id: string }>('select conversation_id from messages where id = $1', [
    messageId,
  ]);
  const conversationId = rows[0]!.conversation_id;
  const resolved = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
  expect(resolved.statusCode, resolved.body).toBe(200);
  for (let attempt = 0; attempt < 300; attempt++) {
    const found = await pool.query<{ content: string; question: string; token: string }>(
      `select m.content, s.question, s.token from messages m join surveys s on s.conversation_id = m.conversation_id
        where m.conversation_id = $1 and m.sender_kind = 'system' and m.content like '%/s/%'`,
      [conversationId],
    );
    if (found.rows[0]) return found.rows[0];
    await pause(30);
  }
  throw new Error('no survey message');
}

describe("the CSAT invitation in the buyer's language", () => {
  it('asks an English widget buyer in English, also on the public survey', async () => {
    const shop = await createWorkspace(context);
    const survey = await surveyAfterResolving(shop, await fromWidget(shop, 'how do I get an invoice?', 'en-GB'));
    const en = BUYER_LINES.en;
    expect(survey.question).toBe(en.csatQuestion);
    expect(survey.content).toBe(`${en.csatLead}${en.csatQuestion}${en.surveyLink}/s/${survey.token}`);
    const read = await context.app.inject({ method: 'GET', url: `/public/v1/surveys/${survey.token}` });
    expect(read.json().question).toBe(en.csatQuestion);
  });

  it('asks a buyer who writes English on a channel that sends no language in English', async () => {
    const shop = await createWorkspace(context);
    const asked = await fromApiChannel(shop, 'Where is my parcel? It has not moved for three days');
    const survey = await surveyAfterResolving(shop, asked);
    expect(survey.content.startsWith(`${BUYER_LINES.en.csatLead}${BUYER_LINES.en.csatQuestion}`)).toBe(true);
  });

  it('asks a Chinese buyer in Chinese', async () => {
    const shop = await createWorkspace(context);
    const survey = await surveyAfterResolving(shop, await fromWidget(shop, '我的快递三天没动了', 'zh-CN'));
    const zh = BUYER_LINES['zh-CN'];
    expect(survey.question).toBe(zh.csatQuestion);
    expect(survey.content).toBe(`${zh.csatLead}${zh.csatQuestion}${zh.surveyLink}/s/${survey.token}`);
  });

  it("keeps the shop's own question as written for an English buyer", async () => {
    const shop = await createWorkspace(context);
    const settings = (await shop.owner.get('/api/v1/surveys/settings')).json();
    const saved = await put(shop.owner, '/api/v1/surveys/settings', {
      ...settings,
      csatQuestion: '这次购物还满意吗？',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const survey = await surveyAfterResolving(shop, await fromWidget(shop, 'thanks, that helped', 'en'));
    expect(survey.question).toBe('这次购物还满意吗？');
    expect(survey.content).toBe(
      `${BUYER_LINES.en.csatLead}这次购物还满意吗？${BUYER_LINES.en.surveyLink}/s/${survey.token}`,
    );
  });
});
