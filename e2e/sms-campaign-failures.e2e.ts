import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, findConversation, ownerApi, runId, useBrowser, waitFor } from './support.ts';

type Campaign = { id: string; segmentName: string; counts: { sent: number; failed: number; delivered: number } };

/** An SMS gateway stand-in that accepts every send and remembers each one's outId by phone. */
function startGateway() {
  const outIds = new Map<string, string>();
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const sent = JSON.parse(raw) as { outId: string; phoneNumbers: string[] };
      outIds.set(sent.phoneNumbers[0]!, sent.outId);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 'OK', messageId: `m-${outIds.size}` }));
    });
  });
  return new Promise<{ url: string; outIds: Map<string, string>; close: () => void }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/sms`, outIds, close: () => server.close() });
    });
  });
}

/** A website visitor's first message makes a customer; answers its id. */
async function newCustomer(content: string) {
  const shop = new ApiClient(e2e().origin);
  const { inboxToken } = e2e();
  const visitor = await shop.request<{ sourceId: string; visitorToken: string }>(
    'POST',
    `/public/v1/inboxes/${inboxToken}/visitors`,
    {},
  );
  await shop.request(
    'POST',
    `/public/v1/inboxes/${inboxToken}/messages`,
    { sourceId: visitor.sourceId, content },
    { 'x-huike-visitor-token': visitor.visitorToken },
  );
  return (await findConversation(ownerApi(), content)).customerId;
}

describe('SMS campaign failures', () => {
  const browser = useBrowser();
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway?.close());

  it('「失败」 opens who failed and why, grouped by reason', async () => {
    const api = ownerApi();
    const run = runId();
    const secret = `secret-${run}`;
    const inbox = await api.request<{ id: string; token: string }>('POST', '/api/v1/inboxes', {
      name: `营销短信${run}`,
      channelType: 'sms',
      channelConfig: {
        providerUrl: gateway.url,
        accessKeyId: 'LTAI5tE2E',
        accessKeySecret: secret,
        signName: '慧客商城',
        templates: { notification: 'SMS_1001', marketing: 'SMS_2002' },
      },
    });
    const digits = String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
    const phones = [0, 1, 2].map((i) => `139${i}${digits}`);
    for (const [i, name] of ['赵一', '钱二', '孙三'].entries()) {
      const customerId = await newCustomer(`想买羽绒服${name}${run}`);
      await api.request('PATCH', `/api/v1/customers/${customerId}`, { name: `${name}${run}`, phone: phones[i] });
    }
    const segmentName = `双11老客${run}`;
    const segment = await api.request<{ id: string }>('POST', '/api/v1/segments', {
      name: segmentName,
      filter: { op: 'and', conditions: [{ field: 'name', op: 'contains', value: run }] },
    });
    await api.request('POST', '/api/v1/sms/campaigns', {
      inboxId: inbox.id,
      segmentId: segment.id,
      templateParams: {},
    });
    const campaign = () =>
      api
        .request<{ items: Campaign[] }>('GET', '/api/v1/sms/campaigns?limit=20')
        .then((page) => page.items.find((item) => item.segmentName === segmentName));
    await waitFor(async () => (await campaign())?.counts.sent === 3, 'the campaign never went out');

    // The carrier reports one number empty (空号) and one failure by a code Huike does not know.
    const [empty, odd, delivered] = phones.map((phone) => gateway.outIds.get(phone));
    const body = JSON.stringify({
      timestamp: Math.floor(Date.now() / 1000),
      reports: [
        { outId: empty, status: 'failed', errorCode: 'MK:0001', errorMessage: '空号' },
        { outId: odd, status: 'failed', errorCode: 'ZZ_9' },
        { outId: delivered, status: 'delivered' },
      ],
    });
    const reported = await fetch(`${e2e().origin}/public/v1/channels/sms/${inbox.token}/reports`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-huike-sms-signature': createHmac('sha256', secret).update(body, 'utf8').digest('hex'),
      },
      body,
    });
    expect(reported.status).toBe(200);
    await waitFor(async () => (await campaign())?.counts.failed === 2, 'the reports were never recorded');

    const { page, watched } = await browser.signedIn('owner', { path: '/segments' });
    await page.locator('[data-testid=sms-campaign-history-open]').click();
    const row = page.locator('[data-testid=sms-campaign-row]', { hasText: segmentName });
    await row.locator('[data-testid=sms-campaign-failed]').click();

    const drawer = page.locator('[data-testid=sms-campaign-recipients]');
    const summary = drawer.locator('[data-testid=sms-failure-summary]');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('空号/停机/关机 1');
    const rows = drawer.locator('[data-testid=sms-recipient-row]');
    await waitFor(async () => (await rows.count()) === 2, 'the failed recipients were never listed');
    const emptyRow = rows.filter({ hasText: `赵一${run}` });
    expect(await emptyRow.locator('[data-testid=sms-recipient-reason]').textContent()).toContain(
      '号码为空号、停机或关机（MK:0001）',
    );
    expect(await emptyRow.textContent()).toContain(phones[0]);

    // The unknown code is its own group, shown as it came; choosing it narrows the table to that recipient.
    await summary.locator('[data-testid=sms-failure-reason]', { hasText: 'ZZ_9' }).click();
    await waitFor(async () => (await rows.count()) === 1, 'choosing a reason never narrowed the table');
    expect(await rows.first().textContent()).toContain(`钱二${run}`);
    expect(await rows.first().locator('[data-testid=sms-recipient-reason]').textContent()).toContain('ZZ_9');

    expect(watched.errors).toEqual([]);
  });
});
