import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerApi, runId, sleep, typeAndSend, useBrowser, waitFor } from './support.ts';

const HANDOFF_LINE = '已为您转接人工客服';

describe('FAQ bot', () => {
  const browser = useBrowser();
  const api = ownerApi();
  let inbox: { id: string; token: string };
  const run = runId();
  const answer = `签收后 7 天内可在订单页申请退货 #${run}`;

  beforeAll(async () => {
    // A dedicated inbox, so the bot never answers in the other browser tests' chats.
    inbox = await api.request('POST', '/api/v1/inboxes', { name: `机器人渠道 ${run}`, channelType: 'website' });
    await api.request('POST', '/api/v1/knowledge/articles', {
      title: '退换货政策',
      body: `<p>${answer}</p>`,
      questions: ['怎么退货', '可以退货吗'],
      status: 'published',
    });
    await api.request('PUT', `/api/v1/knowledge/bot/settings/${inbox.id}`, {
      enabled: true,
      threshold: 0.6,
      greeting: '您好，我是智能客服小慧',
      quickQuestions: ['怎么退货'],
    });
  });

  afterAll(async () => {
    await api
      .request('PUT', `/api/v1/knowledge/bot/settings/${inbox.id}`, {
        enabled: false,
        threshold: 0.6,
        greeting: '',
        quickQuestions: [],
      })
      .catch(() => {});
  });

  it('answers a FAQ in the widget, hands off on 转人工, and the agent sees both', async () => {
    const { page: visitor, watched: visitorWatch } = await browser.page('visitor');
    await visitor.goto(`/widget/?inbox=${encodeURIComponent(inbox.token)}`);
    await visitor.locator('[data-testid=widget-input]').waitFor({ state: 'visible' });

    // Quick questions show before the first message; pressing one asks it.
    const quick = visitor.locator('[data-testid=widget-quick-question]', { hasText: '怎么退货' });
    await quick.waitFor({ state: 'visible' });
    await quick.click();
    const botAnswer = visitor.locator('[data-testid=widget-message][data-direction=outbound]', { hasText: answer });
    await botAnswer.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await quick.isVisible()).toBe(false);

    // Once the bot answered, 转人工 is offered; pressing it brings the hand-off line.
    const handoff = visitor.locator('[data-testid=widget-handoff]');
    await handoff.waitFor({ state: 'visible' });
    await handoff.click();
    await visitor
      .locator('[data-testid=widget-message]', { hasText: HANDOFF_LINE })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    expect(await handoff.isVisible()).toBe(false);

    // The agent opens the conversation and sees the question, the bot's answer, 转人工 and the hand-off.
    const conversation = await waitFor(async () => {
      const page = await api.request<{ items: { id: string; inboxId: string }[] }>(
        'GET',
        '/api/v1/conversations?assignee=all&limit=100',
      );
      return page.items.find((item) => item.inboxId === inbox.id);
    }, 'the bot conversation never appeared');
    if (!conversation) throw new Error('the bot conversation never appeared');
    const { page: agent, watched: agentWatch } = await browser.signedIn('agent', { path: `/inbox/${conversation.id}` });
    const messages = agent.locator('[data-testid=message]');
    await messages.filter({ hasText: answer }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await messages.filter({ hasText: HANDOFF_LINE }).first().waitFor({ state: 'visible' });
    await agent
      .locator('[data-testid=message][data-direction=inbound]', { hasText: '转人工' })
      .first()
      .waitFor({ state: 'visible' });

    // The agent replies; the visitor gets it.
    const reply = `您好，我是人工客服，马上为您处理 #${run}`;
    await typeAndSend(agent.locator('[data-testid=composer]'), reply);
    await visitor
      .locator('[data-testid=widget-message][data-direction=outbound]', { hasText: reply })
      .waitFor({ state: 'visible', timeout: 15_000 });

    expect([...visitorWatch.errors, ...visitorWatch.dialogs]).toEqual([]);
    expect([...agentWatch.errors, ...agentWatch.dialogs]).toEqual([]);
  });
  it('lists and edits articles on 知识库, shows bot rates on 设置 → 机器人, and inserts answers in the workbench', async () => {
    const { page, watched } = await browser.signedIn();

    await page.locator('[data-testid=nav-knowledge]').click();
    await page.locator('[data-testid=kb-search] input').fill('怎么退貨');
    await page.locator('[data-testid=kb-search] input').press('Enter');
    await page.locator('[data-testid=kb-row-title]', { hasText: '退换货政策' }).first().waitFor({ state: 'visible' });

    // A new article through the drawer: title, a question variant, rich text body.
    await page.locator('[data-testid=kb-new-article]').click();
    await page.locator('[data-testid=kb-article-title]').fill(`发票说明 ${run}`);
    // Esc in the question input (a tag not yet added) or in an open dropdown stays there: the drawer keeps its text.
    const questions = page.locator('[data-testid=kb-article-questions] input');
    await questions.fill('能开发票吗');
    await questions.press('Escape');
    await page.locator('.ant-drawer .ant-select').first().click();
    await page.locator('.ant-select-dropdown:visible').waitFor();
    await page.keyboard.press('Escape');
    await sleep(400);
    expect(await page.locator('[data-testid=kb-article-title]').inputValue()).toBe(`发票说明 ${run}`);
    await questions.press('Enter');
    // The whole framed body is the editor: a click low in the empty box puts the cursor in the text.
    const body = page.locator('[data-testid=kb-editor] .ProseMirror');
    expect((await body.boundingBox())?.height).toBeGreaterThanOrEqual(200);
    expect(await page.locator('[data-testid=kb-editor]').textContent()).toContain('在这里写答案');
    await body.click({ position: { x: 300, y: 180 } });
    await page.keyboard.type(`可开电子发票 ${run}`);
    expect(await body.textContent()).toBe(`可开电子发票 ${run}`);
    await page.locator('[data-testid=kb-article-save]').click();
    await page.locator('[data-testid=kb-article-title]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=kb-search] input').fill('发票');
    await page.locator('[data-testid=kb-search] input').press('Enter');
    await page.locator('[data-testid=kb-row-title]', { hasText: `发票说明 ${run}` }).waitFor({ state: 'visible' });

    await page.goto('/settings/bot');
    const card = page.locator('[data-testid=bot-settings-card]', { hasText: `机器人渠道 ${run}` });
    await card.waitFor({ state: 'visible' });
    await card.getByText('机器人解决率').waitFor({ state: 'visible' });

    // The workbench's 知识库 tab finds the answer and puts it into the reply box.
    const conversation = (
      await api.request<{ items: { id: string; inboxId: string }[] }>(
        'GET',
        '/api/v1/conversations?assignee=all&limit=100',
      )
    ).items.find((item) => item.inboxId === inbox.id);
    if (!conversation) throw new Error('no bot conversation');
    await page.goto(`/inbox/${conversation.id}`);
    await page.locator('[data-testid=panel-tab-knowledge]').click();
    await page.locator('[data-testid=kb-panel-search] input').fill('退货');
    await page.locator('[data-testid=kb-panel-search] input').press('Enter');
    await page.locator('[data-testid=kb-insert-text]').first().click();
    await waitFor(
      async () => (await page.locator('[data-testid=composer]').inputValue()).includes(answer),
      'the answer never reached the composer',
    );
    expect([...watched.errors, ...watched.dialogs]).toEqual([]);
  });

  it("speaks English to a buyer whose widget is in English, keeping the shop's own greeting", async () => {
    const { page: visitor, watched } = await browser.page('visitor-en');
    await visitor.goto(`/widget/?inbox=${encodeURIComponent(inbox.token)}&lang=en`);
    const input = visitor.locator('[data-testid=widget-input]');
    await input.waitFor({ state: 'visible' });
    expect(await input.getAttribute('placeholder')).toBe('Type a message…');
    await visitor.locator('.greeting', { hasText: '您好，我是智能客服小慧' }).waitFor({ state: 'visible' });

    await typeAndSend(input, `how do I get an invoice? ${run}`);
    await visitor
      .locator('[data-testid=widget-message]', { hasText: 'Connecting you to a human agent' })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    expect(await visitor.locator('[data-testid=widget-message]', { hasText: HANDOFF_LINE }).count()).toBe(0);
    expect([...watched.errors, ...watched.dialogs]).toEqual([]);
  });
});
