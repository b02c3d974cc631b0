import { describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, findConversation, ownerApi, runId, useBrowser, waitFor } from './support.ts';

/** A visitor writes through the public API; answers the conversation it opened, found by its unique text. */
async function conversationFromVisitor(api: ApiClient, content: string) {
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
    { sourceId: session.sourceId, content },
    { 'x-huike-visitor-token': session.visitorToken },
  );
  return findConversation(api, content);
}

describe('reply templates in the inbox', () => {
  const browser = useBrowser();

  it('inserts a template with / and its pinyin initials, filled for the customer, and sends it', async () => {
    const api = ownerApi();
    const run = runId();
    const name = `王小明${run}`;
    const trackingNo = `SF${Date.now()}`;
    await api.request('POST', '/api/v1/templates', {
      scope: 'workspace',
      category: '物流',
      title: '快递查询',
      content: '{{customer.name}}您好，您的快递单号是 {{order.latest.tracking_no}}，请注意查收。',
    });
    const conversation = await conversationFromVisitor(api, `我的快递到哪了？${run}`);
    await api.request('PATCH', `/api/v1/customers/${conversation.customerId}`, { name });
    await api.request('POST', '/api/v1/orders', {
      platform: 'taobao',
      orderNo: `TB${run}`,
      status: 'shipped',
      amountFen: 9_900,
      trackingCompany: '顺丰速运',
      trackingNo,
      customer: { customerId: conversation.customerId },
    });
    const expected = `${name}您好，您的快递单号是 ${trackingNo}，请注意查收。`;

    const { page, watched } = await browser.signedIn('agent', { path: `/inbox/${conversation.id}` });

    const composer = page.locator('textarea[data-testid=composer]');
    await composer.waitFor({ state: 'visible' });
    await composer.click();
    await composer.pressSequentially('/kdcx');
    const option = page.locator('[data-testid=template-picker] [data-testid=template-option]').first();
    await option.waitFor({ state: 'visible' });
    expect(await option.textContent()).toContain('快递查询');
    await composer.press('Tab');
    await waitFor(async () => (await composer.inputValue()) === expected, `the composer never held "${expected}"`);
    expect(await page.locator('[data-testid=template-picker]').count()).toBe(0);

    await composer.press('Enter');
    await page
      .locator('[data-testid=message-list] [data-testid=message]', { hasText: expected })
      .first()
      .waitFor({ state: 'visible' });
    expect(await composer.inputValue()).toBe('');
    // The list shows the reply as soon as it is sent; the server may store it a moment later (seen on a loaded box).
    const sent = async () => {
      const stored = await api.request<{ items: { content: string; direction: string }[] }>(
        'GET',
        `/api/v1/conversations/${conversation.id}/messages`,
      );
      return stored.items.filter((message) => message.content === expected && message.direction === 'outbound');
    };
    await waitFor(async () => (await sent()).length > 0, 'the reply was not stored');
    expect(await sent()).toHaveLength(1);
    const usage = await api.request<{ byTemplate: { title: string; count: number }[] }>(
      'GET',
      '/api/v1/templates/usage',
    );
    expect(usage.byTemplate.find((row) => row.title === '快递查询')?.count).toBe(1);
    expect(watched.errors).toEqual([]);
  });
  it('manages templates on 话术库 and inserts one from the 快捷短语 panel', async () => {
    const api = ownerApi();
    const run = runId();
    const conversation = await conversationFromVisitor(api, `请问退货怎么操作？${run}`);
    const name = `李退货${run}`;
    await api.request('PATCH', `/api/v1/customers/${conversation.customerId}`, { name });

    const { page, watched } = await browser.signedIn();
    await page.locator('[data-testid=nav-templates]').click();
    await page.locator('[data-testid=template-create]').click();
    await page.locator('input[data-testid=template-title]').fill(`退货说明${run}`);
    const content = page.locator('textarea[data-testid=template-content]');
    await content.fill('您好');
    await content.press('Home');
    await page.locator('[data-testid=template-variables] [data-variable="customer.name"]').click();
    await waitFor(
      async () => (await content.inputValue()) === '{{customer.name}}您好',
      'the variable was not inserted',
    );
    await content.press('End');
    await content.pressSequentially('，七天无理由退货');
    await page.locator('[data-testid=template-preview] .hk-variable-chip', { hasText: '客户姓名' }).waitFor();
    await page.locator('[data-testid=template-save]').click();
    await page.locator('[data-testid=template-row-title]', { hasText: `退货说明${run}` }).waitFor();

    await page.goto(`/inbox/${conversation.id}`);
    await page.locator('[data-testid=panel-tab-phrases]').click();
    await page.locator('[data-testid=quick-phrases-search] input').fill('thsm');
    const phrase = page.locator('[data-testid=quick-phrase]', { hasText: `退货说明${run}` });
    await phrase.waitFor({ state: 'visible' });
    await phrase.click();
    const composer = page.locator('textarea[data-testid=composer]');
    await waitFor(
      async () => (await composer.inputValue()) === `${name}您好，七天无理由退货`,
      'the quick phrase was not inserted into the composer',
    );
    expect(watched.errors).toEqual([]);
  });
});
