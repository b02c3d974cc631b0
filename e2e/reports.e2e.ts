import { describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, findConversation, ownerApi, runId, useBrowser, waitFor } from './support.ts';

describe('the service dashboard', () => {
  const browser = useBrowser();

  it("shows today's conversation, first response and resolution within seconds, with charts and exports", async () => {
    const api = ownerApi();
    const { origin, inboxToken } = e2e();
    const visitor = new ApiClient(origin);
    const session = await visitor.request<{ sourceId: string; visitorToken: string }>(
      'POST',
      `/public/v1/inboxes/${inboxToken}/visitors`,
      {},
    );
    const content = `快递还没到，想问一下${runId()}`;
    await visitor.request(
      'POST',
      `/public/v1/inboxes/${inboxToken}/messages`,
      { sourceId: session.sourceId, content },
      { 'x-huike-visitor-token': session.visitorToken },
    );
    const conversation = await findConversation(api, content);
    await api.request('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: '您好，马上为您查询' });
    await api.request('POST', `/api/v1/conversations/${conversation.id}/status`, { status: 'resolved' });

    const { page, watched } = await browser.signedIn('owner', { path: '/reports' });
    await page.locator('[data-testid=range-today]').click();
    await waitFor(async () => {
      const text = await page.locator('[data-testid=kpi-conversations] .ant-statistic-content').textContent();
      return Number(text?.trim()) >= 1;
    }, 'today’s conversation on the dashboard');
    await waitFor(
      async () =>
        (await page.locator('[data-testid=kpi-first-response] .ant-statistic-content').textContent())?.trim() !== '—',
      'a first response time',
    );
    expect(await page.locator('[data-testid=kpi-csat]').isVisible()).toBe(true);
    await page.locator('[data-testid=chart-trend] canvas').first().waitFor({ state: 'attached' });
    const href = await page.locator('[data-testid=export-xlsx]').getAttribute('href');
    expect(href).toContain('/api/v1/reports/service/export?');
    const download = await page.request.get(href!);
    expect(download.status()).toBe(200);
    expect(watched.errors).toEqual([]);
  });
});
