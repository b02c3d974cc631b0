import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, pause, sendSigned } from '../../../test/harness.ts';
import { BUYER_LINES, SURVEY_PAGE_LINES } from '../../platform/buyer-lines.ts';

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

/** The survey link page as a browser speaking `acceptLanguage` gets it. */
const surveyPage = (token: string, acceptLanguage = 'zh-CN,zh;q=0.9') =>
  context.app.inject({ method: 'GET', url: `/s/${token}`, headers: { 'accept-language': acceptLanguage } });

const expire = (token: string, when: string) =>
  pool.query(`update surveys set expires_at = now() + $2::interval where token = $1`, [token, when]);

describe("the survey link page in the buyer's language", () => {
  it('shows an English buyer every line in English: open, expired and answered', async () => {
    const shop = await createWorkspace(context);
    const survey = await surveyAfterResolving(shop, await fromWidget(shop, 'how do I get an invoice?', 'en-GB'));
    const en = SURVEY_PAGE_LINES.en;
    // The buyer's language wins over the browser the link happens to be opened in.
    const open = await surveyPage(survey.token);
    expect(open.statusCode).toBe(200);
    for (const line of [en.title, en.commentPlaceholder, en.submit, BUYER_LINES.en.csatQuestion, en.thanks])
      expect(open.body).toContain(line);
    expect(open.body).toContain('<html lang="en">');
    expect(open.body).toContain('aria-label="Score 5"');
    expect(open.body).not.toMatch(/提交|选填|服务评价|分"/);

    await expire(survey.token, '-1 minute');
    const expired = await surveyPage(survey.token);
    expect(expired.body).toContain(en.expired);
    expect(expired.body).toContain(en.expiredNote);

    await expire(survey.token, '1 day');
    expect(
      (
        await context.app.inject({
          method: 'POST',
          url: `/public/v1/surveys/${survey.token}/responses`,
          payload: { score: 5 },
        })
      ).statusCode,
    ).toBe(201);
    const answered = await surveyPage(survey.token);
    expect(answered.body).toContain(`<p class="q">${en.thanks}</p>`);
  });

  it('shows a Chinese buyer the page in Chinese, even in an English browser', async () => {
    const shop = await createWorkspace(context);
    const survey = await surveyAfterResolving(shop, await fromWidget(shop, '我的快递三天没动了', 'zh-CN'));
    const zh = SURVEY_PAGE_LINES['zh-CN'];
    const open = await surveyPage(survey.token, 'en-US,en;q=0.9');
    expect(open.body).toContain('<html lang="zh-CN">');
    for (const line of [zh.title, zh.commentPlaceholder, zh.submit, BUYER_LINES['zh-CN'].csatQuestion])
      expect(open.body).toContain(line);
    expect(open.body).not.toContain(SURVEY_PAGE_LINES.en.submit);
    await expire(survey.token, '-1 minute');
    expect((await surveyPage(survey.token, 'en')).body).toContain(zh.expired);
  });

  it("tells an unknown link is not valid in the browser's language", async () => {
    const english = await surveyPage('not-a-real-token-at-all', 'en-US,en;q=0.9,zh-CN;q=0.8');
    expect(english.statusCode).toBe(404);
    expect(english.body).toContain(SURVEY_PAGE_LINES.en.invalid);
    expect(english.body).toContain(SURVEY_PAGE_LINES.en.invalidNote);
    const chinese = await surveyPage('short', 'zh-TW');
    expect(chinese.statusCode).toBe(404);
    expect(chinese.body).toContain(SURVEY_PAGE_LINES['zh-CN'].invalid);
    const noHeader = await context.app.inject({ method: 'GET', url: '/s/not-a-real-token-at-all' });
    expect(noHeader.body).toContain(SURVEY_PAGE_LINES['zh-CN'].invalid);
  });
});
