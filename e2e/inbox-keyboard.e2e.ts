import fs from 'node:fs';
import type { Conversation } from '@huike/contracts';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, ownerApi, runId, sleep, useBrowser, waitFor } from './support.ts';

const shots = '/tmp/huike-e2e-shots';

/** An inbox of its own with `count` waiting conversations, so the list holds exactly these. */
async function inboxWithConversations(run: string, count: number) {
  const api = ownerApi();
  const inbox = await api.request<{ id: string; token: string }>('POST', '/api/v1/inboxes', {
    name: `快捷键 ${run}`,
    channelType: 'website',
  });
  const visitors = new ApiClient(e2e().origin);
  for (let i = 1; i <= count; i++) {
    const visitor = await visitors.request<{ sourceId: string; visitorToken: string }>(
      'POST',
      `/public/v1/inboxes/${inbox.token}/visitors`,
      { name: `键盘顾客${i} ${run}` },
    );
    await visitors.request(
      'POST',
      `/public/v1/inboxes/${inbox.token}/messages`,
      { sourceId: visitor.sourceId, content: `第 ${i} 位 #${run}` },
      { 'x-huike-visitor-token': visitor.visitorToken },
    );
  }
  return inbox;
}

async function rowIds(page: Page, count: number): Promise<string[]> {
  const rows = page.locator('[data-testid=conversation-row]');
  await waitFor(async () => (await rows.count()) === count, `the ${count} conversations never showed in the list`);
  return rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-conversation-id') ?? ''));
}

const chatOf = (page: Page, id: string) => page.locator(`[data-testid=chat][data-conversation-id="${id}"]`);

/** What has the keyboard: the test id of the focused element or its nearest marked ancestor, else its tag. */
const focusOwner = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return active?.closest('[data-testid]')?.getAttribute('data-testid') ?? active?.tagName ?? '';
  });

const conversationOf = (id: string) => ownerApi().request<Conversation>('GET', `/api/v1/conversations/${id}`);

describe('inbox: a keyboard-first shift', () => {
  const browser = useBrowser();

  it('tags, transfers, claims and snoozes from the keyboard; J/K keep working after each', async () => {
    const api = ownerApi();
    const run = runId();
    const inbox = await inboxWithConversations(run, 4);
    const group = await api.request<{ id: string }>('POST', '/api/v1/tag-groups', {
      name: `键盘组-${run}`,
      kind: 'custom',
      selection: 'multi',
    });
    // 键盘 → initials 「jp」, then the run id: one tag matches what is typed.
    const tag = await api.request<{ id: string }>('POST', '/api/v1/tags', { groupId: group.id, name: `键盘${run}` });
    const colleague = await api.request<{ id: string }>('POST', '/api/v1/users', {
      email: `xiaozhou-${run}@e2e.huike`,
      name: `小周${run}`,
      role: 'agent',
      password: `xiaozhou-pass-${run}`,
    });

    const { page, watched } = await browser.signedIn('agent', {
      path: `/inbox?inbox=${inbox.id}`,
      viewport: { width: 1440, height: 900 },
    });
    const ids = await rowIds(page, 4);
    const [first = '', second = ''] = ids;
    await page.locator(`[data-testid=conversation-row][data-conversation-id="${first}"]`).click();
    await chatOf(page, first).waitFor();
    const customerId = (await conversationOf(first)).customerId;

    // T → initials → Enter tags the customer, and the keyboard is back on the conversation: J moves on.
    await page.locator('[data-testid=customer-tags-add]').waitFor();
    await page.keyboard.press('t');
    await waitFor(async () => (await focusOwner(page)) === 'customer-tags-picker', 'T did not focus the tag picker');
    await page.keyboard.type(`jp${run}`);
    await page.locator('.ant-select-dropdown:visible [data-testid=tag-option]').first().waitFor();
    await page.keyboard.press('Enter');
    await waitFor(
      async () => JSON.stringify(await api.request('GET', `/api/v1/customers/${customerId}/tags`)).includes(tag.id),
      'Enter did not tag the customer',
    );
    expect(await focusOwner(page)).not.toBe('customer-tags-picker');
    await page.keyboard.press('j');
    await chatOf(page, second).waitFor();

    // T then Esc leaves the picker untouched; K goes back.
    await page.keyboard.press('t');
    await waitFor(async () => (await focusOwner(page)) === 'customer-tags-picker', 'T did not focus the tag picker');
    await page.keyboard.press('Escape');
    await page.keyboard.press('k');
    await chatOf(page, first).waitFor();

    // A → pinyin initials of 小周 → Enter transfers to them; online status and load show for a supervisor.
    await page.keyboard.press('a');
    const panel = page.locator('[data-testid=assign-panel]');
    await panel.waitFor();
    await panel.locator('[data-testid=assign-agent-status]').first().waitFor();
    await page.keyboard.type(`xz${run}`);
    await waitFor(
      async () => (await panel.locator('[data-testid=assign-agent]').count()) === 1,
      'the pinyin search did not narrow the members to 小周',
    );
    expect(await panel.locator('[data-testid=assign-agent][aria-selected=true]').getAttribute('data-user-id')).toBe(
      colleague.id,
    );
    await page.keyboard.press('Enter');
    await waitFor(async () => (await conversationOf(first)).assigneeId === colleague.id, 'Enter did not transfer');
    await panel.waitFor({ state: 'detached' });

    // No match says so; ↓ / ↑ move the highlight; Esc closes.
    await page.keyboard.press('a');
    await panel.waitFor();
    await page.keyboard.type('qqqqzz');
    await panel.getByText('没有匹配的成员').waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    // M claims it back.
    const me = await api.request<{ user: { id: string } }>('GET', '/api/v1/auth/session');
    await page.keyboard.press('m');
    await waitFor(async () => (await conversationOf(first)).assigneeId === me.user.id, 'M did not assign it to me');

    // S → Enter snoozes for the first preset (30 分钟).
    await page.keyboard.press('s');
    await page.locator('.hk-snooze-menu:visible').waitFor();
    await page.keyboard.press('Enter');
    await waitFor(async () => (await conversationOf(first)).status === 'snoozed', 'S + Enter did not snooze');

    // ? lists the new keys; right after Esc, J moves again.
    // The snoozed chat leaves the 进行中 list.
    await page
      .locator(`[data-testid=conversation-row][data-conversation-id="${first}"]`)
      .waitFor({ state: 'detached' });
    const now = await page
      .locator('[data-testid=conversation-row]')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('data-conversation-id') ?? ''));
    expect(now.length).toBeGreaterThanOrEqual(2);
    await page.locator(`[data-testid=conversation-row][data-conversation-id="${now[0]}"]`).click();
    await chatOf(page, now[0] ?? '').waitFor();
    await page.keyboard.press('?');
    const help = page.locator('[data-testid=shortcut-help]');
    await help.waitFor();
    for (const action of ['挂起会话', '分配给我', '搜索会话']) await help.getByText(action).first().waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await chatOf(page, now[1] ?? '').waitFor({ timeout: 5_000 });

    // F focuses the search; Esc gives the keyboard back.
    await page.keyboard.press('f');

    await waitFor(async () => (await focusOwner(page)) === 'conversation-search', 'F did not focus the search');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    await waitFor(async () => (await focusOwner(page)) === 'conversation-search', 'Ctrl+K did not focus the search');
    expect(watched.errors).toEqual([]);
  });

  it('keeps 客户信息 reachable below 1200 px: a rail button and T open it as a drawer', async () => {
    fs.mkdirSync(shots, { recursive: true });
    const run = runId();
    const inbox = await inboxWithConversations(run, 1);
    const { page, watched } = await browser.signedIn('narrow', {
      path: `/inbox?inbox=${inbox.id}`,
      viewport: { width: 1024, height: 768 },
    });
    const [id = ''] = await rowIds(page, 1);
    await page.locator('[data-testid=conversation-row]').first().click();
    await chatOf(page, id).waitFor();
    const toggle = page.locator('[data-testid=customer-panel-toggle]');
    await toggle.waitFor();
    const drawer = page.locator('.hk-customer-drawer .ant-drawer-section');
    expect(await drawer.isVisible()).toBe(false);
    // The menu folds to icons at this width.
    expect(await page.locator('.hk-sider.ant-layout-sider-collapsed').count()).toBe(1);
    await page.screenshot({ path: `${shots}/inbox-1024.png` });

    await toggle.click();
    await drawer.locator('[data-testid=customer-tags]').waitFor();
    await sleep(500); // the slide-in, for the screenshot
    await page.screenshot({ path: `${shots}/inbox-1024-panel.png` });
    await toggle.click();
    await drawer.waitFor({ state: 'hidden' });

    // T opens it with the tag picker focused; Esc leaves the picker and J/K work again.
    await page.locator('[data-testid=conversation-row]').first().focus();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('t');
    await drawer.waitFor();
    await waitFor(async () => (await focusOwner(page)) === 'customer-tags-picker', 'T did not focus the tag picker');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await focusOwner(page)) !== 'customer-tags-picker', 'Esc did not leave the picker');

    // At 1280 the panel is a column again, with no drawer.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.locator('aside.hk-wb-customer [data-testid=customer-tags]').waitFor();
    expect(await toggle.count()).toBe(0);
    await page.screenshot({ path: `${shots}/inbox-1280.png` });
    expect(watched.errors).toEqual([]);
  });

  it('says what the status filter hides on 我的, and the load counter follows assignments live', async () => {
    const api = ownerApi();
    const run = runId();
    const inbox = await inboxWithConversations(run, 2);
    const list = await api.request<{ items: Conversation[] }>(
      'GET',
      `/api/v1/conversations?assignee=all&status=open&inboxId=${inbox.id}`,
    );
    const [one, two] = list.items;
    if (!one || !two) throw new Error('the two conversations are missing');
    const email = `load-${run}@e2e.huike`;
    const password = `load-pass-${run}`;
    const agent = await api.request<{ id: string }>('POST', '/api/v1/users', {
      email,
      name: `负载客服${run}`,
      role: 'agent',
      password,
    });
    await api.request('PATCH', `/api/v1/routing/agents/${agent.id}`, { capacity: 1 });
    await api.request('POST', `/api/v1/conversations/${one.id}/assign`, { assigneeId: agent.id });

    const { page, watched } = await browser.signedIn('load', {
      path: '/inbox?tab=mine&status=snoozed',
      user: { email, password },
    });
    // An open conversation of mine and a waiting queue, but nothing snoozed: the empty state says that.
    await page.getByText('没有「已挂起」的会话').waitFor();
    expect(await page.getByText('没有分配给你的会话').count()).toBe(0);
    await page.locator('[data-testid=show-open]').click();
    await page.locator(`[data-testid=conversation-row][data-conversation-id="${one.id}"]`).waitFor();

    const load = page.locator('[data-testid=presence-load]');
    await waitFor(async () => (await load.textContent())?.trim() === '1/1', 'the load did not read 1/1');
    // A second chat lands on me: 2/1 at once, flagged as over capacity.
    await api.request('POST', `/api/v1/conversations/${two.id}/assign`, { assigneeId: agent.id });
    await page.locator('[data-testid=presence-load][data-over=true]').waitFor({ timeout: 5_000 });
    expect((await load.textContent())?.trim()).toBe('2/1');
    // Resolving one brings it back without a reload.
    await api.request('POST', `/api/v1/conversations/${two.id}/status`, { status: 'resolved' });
    await waitFor(
      async () => (await load.textContent())?.trim() === '1/1',
      'the load stayed stale after resolving',
      5_000,
    );
    expect(await page.locator('[data-testid=presence-load][data-over=true]').count()).toBe(0);
    await sleep(100);
    expect(watched.errors).toEqual([]);
  });
});
