import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import {
  chooseMenuItem,
  e2e,
  fillField,
  findConversation,
  ownerApi,
  pickOption,
  runId,
  useBrowser,
  waitFor,
} from './support.ts';

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

/** A local receiver for webhooks and outbound channel messages: answers 200 and remembers every request. */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      // `code: OK` is how an SMS gateway accepts a send (webhooks only look at the status).
      response.end('{"ok":true,"code":"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type InboxRow = { id: string; name: string; channelType: string; channelConfig: Record<string, unknown> };
type WebhookRow = { id: string; url: string; secret: string | null; events: string[] };

describe('settings: channels and webhooks', () => {
  const browser = useBrowser();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('adds an API channel with an outbound URL through 添加渠道', async () => {
    const api = ownerApi();
    const run = runId();
    const name = `抖店桥接${run}`;
    const outboundUrl = receiver.url(`/outbound/${run}`);
    const { page, watched } = await browser.signedIn('owner', { path: '/settings/inboxes' });
    await page.locator('[data-testid=inbox-create]').click();
    await page.locator('[data-testid=channel-choice]').waitFor({ state: 'visible' });
    // Every channel is offered, each with a description.
    for (const type of ['website', 'email', 'wechat', 'sms', 'api']) {
      await page.locator(`[data-testid=channel-choice-${type}]`).waitFor({ state: 'visible' });
    }
    await page.locator('[data-testid=channel-choice-api]').click();
    await fillField(page.locator('[data-testid=inbox-name]'), name);
    await fillField(page.locator('[data-testid=api-outbound-url]'), outboundUrl);
    await page.locator('[data-testid=inbox-submit]').click();

    // The new channel opens on its 接入 tab: token, secret and where replies go.
    const detail = page.locator('[data-testid=inbox-detail]');
    await detail.waitFor({ state: 'visible' });
    await expect
      .poll(() => detail.locator('[data-testid=api-outbound-url-value]').textContent(), { timeout: 15_000 })
      .toContain(outboundUrl);
    await detail.locator('[data-testid=inbox-token]').waitFor({ state: 'visible' });
    await detail.locator('[data-testid=api-verify-snippet]').waitFor({ state: 'visible' });

    const stored = (await waitFor(async () => {
      const list = await api.request<{ items: InboxRow[] }>('GET', '/api/v1/inboxes?limit=100');
      return list.items.find((inbox) => inbox.name === name);
    }, 'the API inbox was not stored')) as InboxRow;
    expect(stored.channelType).toBe('api');
    expect(stored.channelConfig.outboundUrl).toBe(outboundUrl);

    // The list shows it with its channel and status.
    await page.goto('/settings/inboxes');
    const row = page.locator(`[data-testid=inbox-row][data-inbox-id="${stored.id}"]`);
    await row.waitFor({ state: 'visible' });
    expect(await row.locator('[data-testid=channel-type-tag]').getAttribute('data-channel')).toBe('api');
    expect(await row.locator('[data-testid=inbox-status]').getAttribute('data-status')).toBe('active');
    expect(watched.errors).toEqual([]);
  });

  it('adds a webhook, shows its secret once, sends a test and finds it in the delivery log', async () => {
    const api = ownerApi();
    const run = runId();
    const url = receiver.url(`/hooks/${run}`);
    const { page, watched } = await browser.signedIn();

    await page.locator('[data-testid=nav-webhooks]').click();
    await page.waitForURL('**/settings/webhooks');
    await page.locator('[data-testid=webhook-create]').click();
    await fillField(page.locator('[data-testid=webhook-url]'), url);
    await fillField(page.locator('[data-testid=webhook-description]'), `同步到 ERP ${run}`);
    await page.locator('[data-testid=webhook-group-ticket]').click();
    await page.locator('[data-testid=webhook-submit]').click();

    // The signing secret is shown right after creating.
    const secretInput = page.locator('[data-testid=webhook-secret]');
    await secretInput.waitFor({ state: 'visible' });
    const secret = await secretInput.inputValue();
    expect(secret.length).toBeGreaterThan(15);
    await page.locator('[data-testid=webhook-secret-close]').click();

    const endpoint = (await waitFor(async () => {
      const list = await api.request<{ items: WebhookRow[] }>('GET', '/api/v1/webhooks?limit=100');
      return list.items.find((each) => each.url === url);
    }, 'the webhook was not stored')) as WebhookRow;
    expect(endpoint.secret).toBe(secret);
    expect(endpoint.events).toEqual(
      expect.arrayContaining([
        'message.created',
        'conversation.resolved',
        'ticket.created',
        'ticket.updated',
        'ticket.resolved',
      ]),
    );

    // 发送测试: the receiver gets a signed ping and the page says it worked.
    const row = page.locator(`[data-testid=webhook-row][data-webhook-id="${endpoint.id}"]`);
    await row.locator('[data-testid=webhook-test]').click();
    const result = page.locator('[data-testid=webhook-test-result]');
    await result.waitFor({ state: 'visible' });
    expect(await result.getAttribute('data-type')).toBe('success');

    const ping = (await waitFor(
      () => receiver.received.find((each) => each.path === `/hooks/${run}`),
      'the receiver got no test delivery',
    )) as Received;
    expect(ping.headers['x-huike-event']).toBe('ping');
    const signature = String(ping.headers['x-huike-signature'] ?? '');
    const parts = Object.fromEntries(signature.split(',').map((part) => part.split('=') as [string, string]));
    const expected = createHmac('sha256', secret).update(`${parts.t}.${ping.body}`).digest('hex');
    expect(parts.v1).toBe(expected);

    // The delivery log lists it: ping, 成功, HTTP 200.
    await row.locator('[data-testid=webhook-deliveries-open]').click();
    const drawer = page.locator('[data-testid=webhook-deliveries]');
    await drawer.waitFor({ state: 'visible' });
    const delivery = drawer.locator('[data-testid=delivery-row]').first();
    await delivery.waitFor({ state: 'visible' });
    expect(await delivery.locator('[data-testid=delivery-event]').getAttribute('data-event')).toBe('ping');
    expect(await delivery.locator('[data-testid=delivery-status]').getAttribute('data-status')).toBe('succeeded');
    expect(await delivery.locator('[data-testid=delivery-http-status]').textContent()).toBe('200');
    expect(ping.headers['x-huike-delivery']).toBe(await delivery.getAttribute('data-delivery-id'));

    // Filtering by 失败 shows none.
    await drawer.locator('[data-testid=delivery-filter-dead]').click();
    await expect.poll(() => drawer.locator('[data-testid=delivery-row]').count(), { timeout: 15_000 }).toBe(0);
    expect(watched.errors).toEqual([]);
  });

  it('sends an SMS campaign to a segment from its bulk actions, after the exact counts', async () => {
    const api = ownerApi();
    const run = runId();
    const { origin, inboxToken } = e2e();
    const sms = await api.request<{ id: string }>('POST', '/api/v1/inboxes', {
      name: `短信群发${run}`,
      channelType: 'sms',
      channelConfig: {
        providerUrl: receiver.url(`/sms/${run}`),
        accessKeyId: 'LTAI5tE2E',
        accessKeySecret: `secret-${run}`,
        signName: '慧客商城',
        templates: { notification: 'SMS_1001', marketing: 'SMS_2002' },
      },
    });
    // Three customers of this run: two with a mobile number, one without.
    for (const [name, phone] of [
      [`张三${run}`, '13800138001'],
      [`李四${run}`, '13900139002'],
      [`王五${run}`, null],
    ] as const) {
      const visitor = new ApiClient(origin);
      const session = await visitor.request<{ sourceId: string; visitorToken: string }>(
        'POST',
        `/public/v1/inboxes/${inboxToken}/visitors`,
        {},
      );
      const text = `你好，我是${name}`;
      await visitor.request(
        'POST',
        `/public/v1/inboxes/${inboxToken}/messages`,
        { sourceId: session.sourceId, content: text },
        { 'x-huike-visitor-token': session.visitorToken },
      );
      const conversation = await findConversation(api, text);
      await api.request('PATCH', `/api/v1/customers/${conversation.customerId}`, phone ? { name, phone } : { name });
    }
    const segment = await api.request<{ id: string }>('POST', '/api/v1/segments', {
      name: `短信测试${run}`,
      filter: { op: 'and', conditions: [{ field: 'name', op: 'contains', value: run }] },
    });

    const { page, watched } = await browser.signedIn('owner', { path: `/segments/${segment.id}` });
    const modal = page.locator('[data-testid=sms-campaign-modal]');
    await chooseMenuItem(page, page.locator('[data-testid=bulk-menu]'), '群发短信', modal);
    await pickOption(page, modal.locator('[data-testid=sms-campaign-inbox]'), `短信群发${run}`);
    await expect
      .poll(() => modal.locator('[data-testid=sms-campaign-sentence]').textContent(), { timeout: 15_000 })
      .toContain('将给 2 位客户发送营销短信');
    expect(await modal.locator('[data-testid=sms-campaign-without-phone]').textContent()).toContain('1');
    await fillField(modal.locator('[data-testid=sms-param-name]'), 'coupon');
    await fillField(modal.locator('[data-testid=sms-param-value]'), '满100减20');
    await page.locator('[data-testid=sms-campaign-confirm]').click();

    const progress = page.locator('[data-testid=job-progress]');
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await page.locator('[data-testid=sms-campaign-result]').waitFor({ state: 'visible' });
    // The outbox hands both messages to the provider.
    await waitFor(
      () => receiver.received.filter((each) => each.path === `/sms/${run}`).length >= 2,
      'the SMS provider did not get both campaign messages',
      30_000,
    );
    expect(sms.id).toBeTruthy();

    // 短信群发记录 on the 分组 page lists it: three targeted, one skipped (no mobile), completed once both went out.
    await page.goto(`/segments/${segment.id}`);
    await page.locator('[data-testid=sms-campaign-history-open]').click();
    const row = page.locator('[data-testid=sms-campaign-row]', { hasText: `短信测试${run}` });
    await row.waitFor({ state: 'visible' });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000, interval: 1_000 }).toBe('completed');
    expect(await row.locator('[data-testid=sms-campaign-status]').textContent()).toBe('已完成');
    expect(watched.errors).toEqual([]);
  });
});
