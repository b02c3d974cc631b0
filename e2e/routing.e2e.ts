import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, fillField, findConversation, ownerApi, runId, useBrowser, waitFor } from './support.ts';

type Conversation = { id: string; assigneeId: string | null };

async function loginAs(page: Page, email: string, password: string) {
  await page.goto('/login');
  await fillField(page.locator('[data-testid=login-email]'), email);
  await fillField(page.locator('[data-testid=login-password]'), password);
  await page.locator('[data-testid=login-submit]').click();
  await page.locator('[data-testid=current-user]').waitFor({ state: 'visible' });
}

describe('routing: presence and the live queue', () => {
  const browser = useBrowser();

  it('an agent sets 忙碌; the supervisor sees it on 实时监控 and moves a waiting conversation to them', async () => {
    const api = ownerApi();
    const run = runId();
    const password = `route-pass-${run}-1`;
    const email = `routing-${run}@e2e.huike`;
    const agent = await api.request<{ id: string }>('POST', '/api/v1/users', {
      email,
      name: `路由客服${run}`,
      role: 'agent',
      password,
    });

    // The agent opens the workbench and switches to 忙碌.
    const { page: agentPage, watched: agentWatch } = await browser.page('agent');
    await loginAs(agentPage, email, password);
    await agentPage.goto('/inbox');
    const presence = agentPage.locator('[data-testid=presence-switch]');
    await presence.waitFor({ state: 'visible' });
    expect(await agentPage.locator('[data-testid=presence-load]').textContent()).toBe('0/8');
    await agentPage.locator('[data-testid=presence-busy]').click();
    await agentPage.locator('[data-testid=presence-switch][data-presence=busy]').waitFor();

    // A customer writes; nobody routing-eligible picks it up, so it waits.
    const text = `我的快递还没到，急 ${run}`;
    const { origin, inboxToken } = e2e();
    const visitor = new ApiClient(origin);
    const session = await visitor.request<{ sourceId: string; visitorToken: string }>(
      'POST',
      `/public/v1/inboxes/${inboxToken}/visitors`,
      {},
    );
    await visitor.request(
      'POST',
      `/public/v1/inboxes/${inboxToken}/messages`,
      { sourceId: session.sourceId, content: text },
      { 'x-huike-visitor-token': session.visitorToken },
    );
    const conversation = await findConversation(api, text);

    // The supervisor (the owner) opens 实时监控.
    const { page: leadPage, watched: leadWatch } = await browser.signedIn('lead', {
      viewport: { width: 1440, height: 1000 },
    });
    await leadPage.locator('[data-testid=nav-live-queue]').click();
    await leadPage.locator('[data-testid=live-queue]').waitFor({ state: 'visible' });
    await leadPage
      .locator(`[data-testid=live-agent-${agent.id}] [data-testid=live-agent-presence][data-presence=busy]`)
      .waitFor();
    const waitingRow = leadPage.locator(`[data-testid=live-waiting-${conversation.id}]`);
    await waitingRow.waitFor({ state: 'visible' });
    await waitingRow.locator('[data-testid=waiting-timer]').waitFor();

    // One click moves the conversation to the agent.
    await waitingRow.locator(`[data-testid=live-move-${conversation.id}]`).click();
    await leadPage
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: `路由客服${run}` })
      .click();
    await waitFor(async () => {
      const updated = await api.request<Conversation>('GET', `/api/v1/conversations/${conversation.id}`);
      return updated.assigneeId === agent.id;
    }, 'the conversation was not moved to the agent');
    await leadPage
      .locator(`[data-testid=live-agent-${agent.id}] [data-testid=live-agent-load]`, { hasText: '1/8' })
      .waitFor();

    // The agent's own load follows.
    await agentPage.reload();
    await agentPage.locator('[data-testid=presence-load]', { hasText: '1/8' }).waitFor();

    // 接待上限 on 路由规则: 99999 is refused at the field (not clamped to 100, not sent); 0 is saved and reads
    // 「不自动分配」 on the live board.
    const capacityOf = async () =>
      (
        await api.request<{ items: { userId: string; capacity: number }[] }>('GET', '/api/v1/routing/agents')
      ).items.find((item) => item.userId === agent.id)?.capacity;
    const patches: string[] = [];
    leadPage.on('request', (request) => {
      if (request.method() === 'PATCH' && request.url().includes(`/routing/agents/${agent.id}`))
        patches.push(request.postData() ?? '');
    });
    await leadPage.goto('/settings/routing');
    const capacity = leadPage.locator(`[data-testid=routing-agent-${agent.id}] input`).first();
    await capacity.fill('99999');
    await capacity.press('Tab');
    const capacityError = leadPage.locator(
      `[data-testid=routing-agent-${agent.id}] [data-testid=routing-capacity-error]`,
    );
    expect(await capacityError.textContent()).toBe('请输入 0–100 的整数');
    expect(await capacity.inputValue()).toBe('99999');
    expect(patches).toEqual([]);
    await capacity.fill('0');
    await capacity.press('Enter');
    await waitFor(async () => (await capacityOf()) === 0, 'capacity 0 was not saved');
    expect(await capacityError.count()).toBe(0);
    await leadPage.locator('[data-testid=nav-live-queue]').click();
    await leadPage
      .locator(`[data-testid=live-agent-${agent.id}] [data-testid=live-agent-load]`, { hasText: '1/不自动分配' })
      .waitFor();

    expect(agentWatch.errors).toEqual([]);
    expect(leadWatch.errors).toEqual([]);
    expect([...agentWatch.dialogs, ...leadWatch.dialogs]).toEqual([]);
  });
});
