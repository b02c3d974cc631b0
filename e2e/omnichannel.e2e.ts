import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, findConversation, ownerApi, runId, typeAndSend, useBrowser, waitFor } from './support.ts';

type Inbox = { id: string; token: string; secret: string | null; name: string; channelType: string };
type Received = {
  status: number;
  delivery: string;
  signatureOk: boolean;
  body: { message?: { id: string; content: string } };
};

const hmac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/**
 * The integrator's end of an API channel: checks the X-Huike-Signature of every POST and answers 400 to the first
 * attempt of the messages it is told to refuse (a permanent failure: the message fails at once instead of waiting
 * out the retry backoff), 200 to everything else.
 */
async function startIntegrator(secret: () => string) {
  const received: Received[] = [];
  /** Message texts whose first attempt is refused (other messages, e.g. an automatic reply, go through). */
  const failFirstAttemptOf = new Set<string>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = String(request.headers['x-huike-signature'] ?? '');
      const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=') as [string, string]));
      const signatureOk = Boolean(parts.t && parts.v1 && hmac(secret(), `${parts.t}.${raw}`) === parts.v1);
      let body: Received['body'] = {};
      try {
        body = JSON.parse(raw) as Received['body'];
      } catch {}
      const content = body.message?.content ?? '';
      const isFirstAttempt = !received.some((item) => item.body.message?.id === body.message?.id);
      const status = failFirstAttemptOf.has(content) && isFirstAttempt ? 400 : 200;
      received.push({ status, delivery: String(request.headers['x-huike-delivery'] ?? ''), signatureOk, body });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(status === 200 ? JSON.stringify({ id: `dy-msg-${received.length}` }) : '{"error":"店铺未授权"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/huike/outbound`,
    received,
    failFirstAttemptOf,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('one customer, every channel', () => {
  const browser = useBrowser();
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  });

  /** The owner's workbench in a new browser context, signed in. */
  const openAsOwner = (path: string) => browser.signedIn('agent', { viewport: { width: 1440, height: 960 }, path });

  it('an API-channel buyer writes in, the reply fails at the integrator, 重试 sends it once, and the panel lists the channel', async () => {
    const api = ownerApi();
    const run = runId();
    let inboxSecret = '';
    const integrator = await startIntegrator(() => inboxSecret);
    cleanups.push(integrator.close);

    // An API channel (a Douyin shop bridge) whose replies go to the local integrator.
    const inbox = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `抖店桥接${run}`,
      channelType: 'api',
      channelConfig: { outboundUrl: integrator.url },
    });
    expect(inbox.secret).toBeTruthy();
    inboxSecret = inbox.secret ?? '';

    // The bridge posts the buyer's message through the public channel API, signed with the inbox secret.
    const question = `你好，我在抖音下的单什么时候发货？${run}`;
    const inbound = { sourceId: `dy-buyer-${run}`, content: question, name: `抖音买家${run}` };
    // ApiClient sends JSON.stringify(body): the same bytes the signature covers.
    const signedBytes = JSON.stringify(inbound);
    const t = Math.floor(Date.now() / 1000);
    await new ApiClient(e2e().origin).request('POST', `/public/v1/inboxes/${inbox.token}/messages`, inbound, {
      'x-huike-signature': `t=${t},v1=${hmac(inboxSecret, `${t}.${signedBytes}`)}`,
    });
    const found = await waitFor(async () => {
      const page = await api.request<{ items: { id: string; customerId: string }[] }>(
        'GET',
        `/api/v1/conversations?assignee=all&inboxId=${inbox.id}&limit=10`,
      );
      return page.items[0];
    }, 'the buyer’s conversation never appeared');
    if (!found) throw new Error('the buyer’s conversation never appeared');
    const conversation = found;

    // The agent opens it in the workbench: the API channel's icon, the buyer's message.
    const { page, watched } = await openAsOwner(`/inbox/${conversation.id}`);
    const chat = page.locator(`[data-testid=chat][data-conversation-id="${conversation.id}"]`);
    await chat.waitFor({ state: 'visible' });
    await chat.locator('[data-testid=chat-channel] [data-channel-type=api]').waitFor({ state: 'visible' });
    await chat.locator('[data-testid=message][data-direction=inbound]', { hasText: question }).waitFor();

    // The reply goes out, the integrator refuses it (400): 发送失败 with the reason.
    const answer = `亲，您的订单今天下午发出，单号稍后同步给您～${run}`;
    integrator.failFirstAttemptOf.add(answer);
    await typeAndSend(chat.locator('[data-testid=composer]'), answer);
    const bubble = chat.locator('[data-testid=message][data-direction=outbound]', { hasText: answer });
    await bubble.locator('[data-testid=delivery-mark][data-delivery=failed]').waitFor({ timeout: 20_000 });
    expect(await bubble.locator('[data-testid=delivery-mark]').textContent()).toContain('发送失败');
    expect(await bubble.locator('[data-testid=delivery-reason]').getAttribute('data-reason')).toContain('400');
    const forAnswer = () => integrator.received.filter((item) => item.body.message?.content === answer);
    expect(forAnswer()).toHaveLength(1);

    // 重试: back to 发送中, then 已发送 once the integrator accepts it — live, without a reload.
    await bubble.locator('[data-testid=delivery-retry]').click();
    await bubble.locator('[data-testid=delivery-mark][data-delivery=sent]').waitFor({ timeout: 20_000 });
    expect(await bubble.locator('[data-testid=delivery-mark]').textContent()).toContain('已发送');

    // The integrator got the reply exactly once (the refused attempt aside), signed, with the same delivery id.
    await waitFor(() => forAnswer().length >= 2, 'the retry never reached the integrator');
    expect(forAnswer().filter((item) => item.status === 200)).toHaveLength(1);
    expect(forAnswer().every((item) => item.signatureOk)).toBe(true);

    // The customer panel lists the API channel, marked as the one they used last.
    const panel = page.locator('[data-testid=customer-panel]');
    const channel = panel.locator(`[data-testid=customer-channel][data-inbox-id="${inbox.id}"]`);
    await channel.waitFor({ state: 'visible' });
    expect(await channel.getAttribute('data-channel-type')).toBe('api');
    expect(await channel.getAttribute('data-last-used')).toBe('true');
    expect(await channel.textContent()).toContain(inbox.name);

    // 通过其他渠道联系: the channel they used last is picked; the message goes out there and its chat opens.
    const followUp = `补充一下：顺丰单号 SF1420385567712，明天上午送达${run}`;
    await panel.locator('[data-testid=contact-customer]').click();
    const modal = page.locator('.ant-modal', { hasText: '通过其他渠道联系' });
    await modal.waitFor({ state: 'visible' });
    expect(await modal.locator('[data-testid=contact-channel]').textContent()).toContain(inbox.name);
    await modal.locator('[data-testid=contact-content]').fill(followUp);
    await modal.locator('[data-testid=contact-send]').click();
    await modal.waitFor({ state: 'hidden' });
    const followUpBubble = page.locator('[data-testid=chat] [data-testid=message][data-direction=outbound]', {
      hasText: followUp,
    });
    await followUpBubble.locator('[data-testid=delivery-mark][data-delivery=sent]').waitFor({ timeout: 20_000 });
    await waitFor(
      () => integrator.received.some((item) => item.status === 200 && item.body.message?.content === followUp),
      'the follow-up never reached the integrator',
    );

    // The customer page's 全部消息 shows both sides with their channel and the delivered state.
    await page.goto(`/customers/${conversation.customerId}/messages`);
    const history = page.locator('[data-testid=customer-messages]');
    await history.waitFor({ state: 'visible' });
    const outbound = history.locator('[data-testid=customer-message][data-direction=outbound]', { hasText: answer });
    await outbound.locator('[data-testid=delivery-mark][data-delivery=sent]').waitFor();
    await history.locator('[data-testid=customer-message][data-channel-type=api]', { hasText: question }).waitFor();

    expect(watched.errors).toEqual([]);
    expect(watched.dialogs).toEqual([]);
  });

  it('a signed-in shop member shows under 已关联账号 in the panel, an anonymous visitor shows none', async () => {
    const api = ownerApi();
    const run = runId();
    const inbox = await api.request<Inbox>('POST', '/api/v1/inboxes', { name: `官网${run}`, channelType: 'website' });
    const shop = new ApiClient(e2e().origin);
    const startChat = async (body: Record<string, unknown>, content: string) => {
      const visitor = await shop.request<{ sourceId: string; visitorToken: string }>(
        'POST',
        `/public/v1/inboxes/${inbox.token}/visitors`,
        body,
      );
      await shop.request(
        'POST',
        `/public/v1/inboxes/${inbox.token}/messages`,
        { sourceId: visitor.sourceId, content },
        { 'x-huike-visitor-token': visitor.visitorToken },
      );
      return findConversation(api, content);
    };
    const memberId = `member-${run}`;
    const member = await startChat(
      { identifier: memberId, identifierHash: hmac(inbox.secret ?? '', memberId), name: `会员${run}` },
      `我是老会员，积分怎么用？${run}`,
    );
    const anonymous = await startChat({}, `随便看看，有优惠吗？${run}`);

    const { page, watched } = await openAsOwner(`/inbox/${member.id}`);
    const panel = page.locator('[data-testid=customer-panel]');
    const account = panel.locator('[data-testid=linked-account]');
    await account.waitFor({ state: 'visible' });
    expect(await account.getAttribute('data-kind')).toBe('shop_user');
    expect(await account.textContent()).toBe(`店铺会员 ${memberId}`);

    await page.goto(`/inbox/${anonymous.id}`);
    await panel.locator('[data-testid=customer-channel]').waitFor({ state: 'visible' });
    expect(await panel.locator('[data-testid=linked-accounts]').count()).toBe(0);

    expect(watched.errors).toEqual([]);
  });
});
