import { describe, expect, it } from 'vitest';
import { findConversation, ownerApi, runId, typeAndSend, useBrowser, waitFor } from './support.ts';

type ResponseRow = { comment: string | null; score: number; conversationId: string | null };
type ServiceReport = { kpis: { csat: { responses: number } } };

/** Today in the demo workspace's time zone, as the dashboard's day range takes it. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

describe('satisfaction surveys', () => {
  const browser = useBrowser();

  it('lets the visitor rate a resolved conversation in the widget, and shows it on the surveys page', async () => {
    const run = runId();
    const question = `快递到哪了？#${run}`;
    const comment = `客服很耐心 #${run}`;
    const api = ownerApi();

    // The visitor writes in through the widget on the demo shop.
    const { page: visitor, watched: visitorWatch } = await browser.page('visitor');
    await visitor.goto('/demo/shop');
    await visitor.locator('#huike-bubble').click();
    const widget = visitor.frameLocator('#huike-frame');
    await typeAndSend(widget.locator('[data-testid=widget-input]'), question);
    const conversation = await findConversation(api, question);

    const csatResponses = async () =>
      (await api.request<ServiceReport>('GET', `/api/v1/reports/service?from=${today()}&to=${today()}`)).kpis.csat
        .responses;
    const responsesBefore = await csatResponses();

    // The agent resolves it from the workbench.
    const { page: agent, watched: agentWatch } = await browser.signedIn('agent', { path: `/inbox/${conversation.id}` });
    await agent.locator('[data-testid=action-resolve]').click();

    // The rating card arrives in the widget: the question is asked once, on the card, under a short thank-you (no
    // raw link); the visitor gives four stars and a comment.
    const card = widget.locator('[data-testid=survey-card]');
    await card.locator('[data-testid=survey-score-4]').waitFor();
    const invitation = widget.locator('[data-testid=widget-message]:has([data-testid=survey-card])');
    expect(await invitation.locator('.bubble').textContent()).toBe('感谢您的咨询！');
    const asked = (await card.locator('.question').textContent()) ?? '';
    expect(asked).not.toBe('');
    const shown = (await invitation.textContent()) ?? '';
    expect(shown.split(asked).length - 1).toBe(1);
    expect(shown).not.toContain('/s/');
    await card.locator('[data-testid=survey-score-4]').click();
    await card.locator('[data-testid=survey-comment]').fill(comment);
    await card.locator('[data-testid=survey-submit]').click();
    await widget.locator('[data-testid=survey-thanks]').waitFor();
    expect(await widget.locator('[data-testid=survey-thanks]').textContent()).toContain('感谢您的评价');

    const stored = await waitFor(async () => {
      const page = await api.request<{ items: ResponseRow[] }>('GET', '/api/v1/surveys/responses?limit=50');
      return page.items.find((item) => item.comment === comment);
    }, 'the rating was never stored');
    expect(stored).toMatchObject({ score: 4, conversationId: conversation.id });

    // The lead sees it on 设置 → 满意度.
    await agent.goto('/settings/surveys');
    await agent.locator('[data-testid=survey-responses]').getByText(comment).waitFor();
    const average = await waitFor(async () => {
      const text = (await agent.locator('[data-testid=csat-average] .ant-statistic-content').textContent()) ?? '';
      return /\d/.test(text) ? text : undefined;
    }, 'the CSAT average never showed');
    expect(Number(average)).toBeGreaterThan(0);

    // …and on 数据: the dashboard counts the new response and shows an average.
    await waitFor(
      async () => (await csatResponses()) === responsesBefore + 1,
      'the dashboard never counted the rating',
    );
    await agent.goto('/reports');
    await waitFor(
      async () => /\d\.\d\d/.test((await agent.locator('[data-testid=kpi-csat]').textContent()) ?? ''),
      'the CSAT card never showed an average',
    );
    expect(visitorWatch.errors).toEqual([]);
    expect(agentWatch.errors).toEqual([]);
    expect([...visitorWatch.dialogs, ...agentWatch.dialogs]).toEqual([]);
  });
});
