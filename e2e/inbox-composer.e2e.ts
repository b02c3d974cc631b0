import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, findConversation, ownerApi, runId, setLanguage, sleep, useBrowser, waitFor } from './support.ts';

type Visitor = { send: (content: string) => Promise<void> };

/** A visitor of the demo inbox writing through the public API. */
async function newVisitor(): Promise<Visitor> {
  const { origin, inboxToken } = e2e();
  const client = new ApiClient(origin);
  const session = await client.request<{ sourceId: string; visitorToken: string }>(
    'POST',
    `/public/v1/inboxes/${inboxToken}/visitors`,
    {},
  );
  return {
    send: async (content) => {
      await client.request(
        'POST',
        `/public/v1/inboxes/${inboxToken}/messages`,
        { sourceId: session.sourceId, content },
        { 'x-huike-visitor-token': session.visitorToken },
      );
    },
  };
}

/** Three recent paid orders of ¥300: the default rules make the customer 高价值忠诚 (loyal). */
async function makeLoyal(api: ApiClient, customerId: string, run: string) {
  for (const index of [1, 2, 3]) {
    await api.request('POST', '/api/v1/orders', {
      platform: 'taobao',
      orderNo: `TB${run}${index}`,
      status: index === 3 ? 'shipped' : 'paid',
      amountFen: 30_000,
      paidAt: new Date().toISOString(),
      items: [{ productName: '保温杯', sku: '白色 500ml', quantity: 2, priceFen: 15_000 }],
      ...(index === 3 ? { trackingCompany: '顺丰速运', trackingNo: `SF${run}` } : {}),
      customer: { customerId },
    });
  }
}

/** Waits, if needed, until a new minute has just begun, so messages sent now share their minute. */
async function startOfAMinute() {
  const seconds = new Date().getSeconds();
  if (seconds > 45) await sleep((61 - seconds) * 1000);
}

const composerOf = (page: Page) => page.locator('textarea[data-testid=composer]');

describe('the workbench composer and conversation list', () => {
  const browser = useBrowser();

  it('inserts an emoji from the picker at the caret', async () => {
    const api = ownerApi();
    const run = runId();
    const visitor = await newVisitor();
    await visitor.send(`表情测试${run}`);
    const conversation = await findConversation(api, `表情测试${run}`);
    const { page, watched } = await browser.signedIn('agent', {
      path: `/inbox/${conversation.id}?q=${run}`,
      viewport: { width: 1440, height: 900 },
    });

    const composer = composerOf(page);
    await composer.waitFor({ state: 'visible' });
    await composer.click();
    await composer.pressSequentially('你好世界');
    for (let i = 0; i < 2; i++) await composer.press('ArrowLeft');

    await page.locator('[data-testid=composer-emoji]').click();
    const search = page.locator('[frimousse-search]');
    await search.waitFor({ state: 'visible' });
    expect(await search.getAttribute('placeholder')).toContain('搜索表情');
    await search.fill('笑');
    // frimousse keeps a hidden row to measure sizes with: the first emoji shown is the first visible one.
    const first = page.locator('[frimousse-emoji]').filter({ visible: true }).first();
    await first.waitFor({ state: 'visible' });
    const emoji = (await first.textContent()) ?? '';
    expect(emoji.length).toBeGreaterThan(0);
    await first.click();

    await waitFor(async () => (await composer.inputValue()) === `你好${emoji}世界`, 'the emoji was not inserted');
    await page.locator('[frimousse-root]').waitFor({ state: 'detached' });
    expect(watched.errors).toEqual([]);
  });

  it('puts an order in the composer from the 订单 tab and sends it as text', async () => {
    const api = ownerApi();
    const run = runId();
    const visitor = await newVisitor();
    await visitor.send(`订单测试${run}`);
    const conversation = await findConversation(api, `订单测试${run}`);
    await makeLoyal(api, conversation.customerId, run);
    const { page, watched } = await browser.signedIn('agent', {
      path: `/inbox/${conversation.id}?q=${run}`,
      viewport: { width: 1440, height: 900 },
    });

    await page.locator('[data-testid=panel-tab-orders]').click();
    const shipped = page.locator(`[data-testid=order-card][data-order-no=TB${run}3]`);
    await shipped.locator('[data-testid=order-send]').click();
    const composer = composerOf(page);
    const expected = [
      `订单号：TB${run}3`,
      '商品：保温杯 白色 500ml ×2',
      '金额：¥300.00',
      '状态：已发货',
      `物流单号：顺丰速运 SF${run}`,
    ].join('\n');
    await waitFor(async () => (await composer.inputValue()) === expected, 'the order summary was not inserted');
    await composer.press('Enter');

    const stored = async () => {
      const page_ = await api.request<{ items: { content: string; direction: string }[] }>(
        'GET',
        `/api/v1/conversations/${conversation.id}/messages`,
      );
      return page_.items.filter((message) => message.direction === 'outbound' && message.content === expected);
    };
    await waitFor(async () => (await stored()).length === 1, 'the order summary was not sent');
    expect(watched.errors).toEqual([]);
  });

  it('badges a high-value customer in the list and groups one sender’s messages of a minute', async () => {
    const api = ownerApi();
    const run = runId();
    const plain = await newVisitor();
    await plain.send(`普通客户${run}`);
    const plainConversation = await findConversation(api, `普通客户${run}`);
    const loyal = await newVisitor();
    await startOfAMinute();
    await loyal.send(`分组一${run}`);
    const conversation = await findConversation(api, `分组一${run}`);
    await loyal.send(`分组二${run}`);
    await loyal.send(`分组三${run}`);
    await makeLoyal(api, conversation.customerId, run);

    const { page, watched } = await browser.signedIn('agent', {
      path: `/inbox/${conversation.id}?q=${run}`,
      viewport: { width: 1440, height: 900 },
    });

    const row = page.locator(`[data-testid=conversation-row][data-conversation-id="${conversation.id}"]`);
    const badge = row.locator('[data-testid=tier-badge]');
    await badge.waitFor({ state: 'visible' });
    expect(await badge.getAttribute('data-tier')).toBe('loyal');
    expect(await badge.textContent()).toContain('高价值忠诚');
    const plainRow = page.locator(`[data-testid=conversation-row][data-conversation-id="${plainConversation.id}"]`);
    await plainRow.waitFor({ state: 'visible' });
    expect(await plainRow.locator('[data-testid=tier-badge]').count()).toBe(0);

    const messages = page.locator('[data-testid=message-list] [data-testid=message][data-direction=inbound]');
    await waitFor(async () => (await messages.count()) === 3, 'the three messages never showed');
    expect(await messages.nth(0).locator('.hk-msg-sender').count()).toBe(1);
    for (const index of [1, 2]) {
      const continued = messages.nth(index);
      expect(await continued.getAttribute('class')).toContain('hk-msg-continued');
      expect(await continued.locator('.hk-msg-sender').count()).toBe(0);
    }
    const hoverTime = messages.nth(2).locator('[data-testid=message-hover-time]');
    const opacity = () => hoverTime.evaluate((element) => getComputedStyle(element).opacity);
    expect(await opacity()).toBe('0');
    await messages.nth(2).hover();
    await waitFor(async () => (await opacity()) === '1', 'the time did not show on hover');
    expect(await hoverTime.textContent()).toBe(await messages.nth(0).locator('time').textContent());
    expect(watched.errors).toEqual([]);
  });

  it('keeps the labels of Transfer and Snooze in English at 1440 px', async () => {
    const api = ownerApi();
    const run = runId();
    const visitor = await newVisitor();
    await visitor.send(`English header ${run}`);
    const conversation = await findConversation(api, `English header ${run}`);
    const { page, watched } = await browser.signedIn('agent', { viewport: { width: 1440, height: 900 } });
    await setLanguage(page, 'en');
    await page.goto(`/inbox/${conversation.id}?q=${run}`);

    for (const [action, label] of [
      ['action-assign', 'Transfer'],
      ['action-snooze', 'Snooze'],
    ]) {
      const text = page.locator(`[data-testid=${action}] > span:not(.ant-btn-icon)`);
      await text.waitFor({ state: 'visible' });
      expect(await text.textContent()).toBe(label);
      expect((await text.boundingBox())?.width).toBeGreaterThan(20);
    }
    expect(watched.errors).toEqual([]);
  });

  it('cuts a long quick-phrase preview before a variable, never inside it', async () => {
    const api = ownerApi();
    const run = runId();
    await api.request('POST', '/api/v1/templates', {
      scope: 'workspace',
      category: '物流',
      title: `长预览${run}`,
      content: `${'您的包裹正在路上，'.repeat(12)}快递单号 {{order.latest.tracking_no}}，请注意查收。`,
    });
    const visitor = await newVisitor();
    await visitor.send(`预览测试${run}`);
    const conversation = await findConversation(api, `预览测试${run}`);
    const { page, watched } = await browser.signedIn('agent', {
      path: `/inbox/${conversation.id}?q=${run}`,
      viewport: { width: 1440, height: 900 },
    });

    await page.locator('[data-testid=panel-tab-phrases]').click();
    await page.locator('[data-testid=quick-phrases-search] input').fill(run);
    const phrase = page.locator('[data-testid=quick-phrase]', { hasText: `长预览${run}` });
    await phrase.waitFor({ state: 'visible' });
    const preview = (await phrase.locator('.hk-template-content').textContent()) ?? '';
    expect(preview).not.toContain('{{');
    expect(preview).not.toContain('order.latest');
    expect(preview.endsWith('…')).toBe(true);
    expect(await phrase.locator('.hk-variable-chip').textContent()).toBe('最近订单快递单号');
    expect(watched.errors).toEqual([]);
  });
});
