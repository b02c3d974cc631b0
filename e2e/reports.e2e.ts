import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import {
  e2e,
  findConversation,
  launchBrowser,
  loginAsOwner,
  newContext,
  ownerApi,
  runId,
  waitFor,
  watchPage,
} from './support.ts';

describe('the service dashboard', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
  });

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

    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    const watched = watchPage(page, 'owner');
    await loginAsOwner(page);
    await page.goto('/reports');
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
