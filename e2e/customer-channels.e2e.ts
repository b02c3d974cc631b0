import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpReceiver, startSmtpReceiver } from '../apps/server/test/mail-servers.ts';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { chooseMenuItem, e2e, findConversation, ownerApi, runId, setLanguage, useBrowser, waitFor } from './support.ts';

/*
 * What an agent sees of a customer's channels: 「通过其他渠道联系」 says which channels cannot reach the customer
 * before anything is written, the channel cards stay readable in English in the panel's width, customers without a
 * name are labelled for their channel (a WeChat follower is no 「访客」), and English copy around email and SMS.
 */

type Inbox = { id: string; token: string; secret: string | null; name: string };

const hmac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/** A buyer writing in through an API channel, signed with the inbox secret (as a marketplace bridge does). */
async function apiInbound(inbox: Inbox, body: { sourceId: string; content: string; name?: string }) {
  const t = Math.floor(Date.now() / 1000);
  await new ApiClient(e2e().origin).request('POST', `/public/v1/inboxes/${inbox.token}/messages`, body, {
    'x-huike-signature': `t=${t},v1=${hmac(inbox.secret ?? '', `${t}.${JSON.stringify(body)}`)}`,
  });
  return findConversation(ownerApi(), body.content);
}

/** An anonymous website visitor's first message; answers the conversation. */
async function visitorSays(content: string) {
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
  return findConversation(ownerApi(), content);
}

/** Whether an element shows its whole text: not cut (ellipsis or overflow) and not squeezed to a sliver. */
const showsWholeText = (locator: Locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return element.scrollWidth <= element.clientWidth + 1 && box.width >= 40 && box.height > 0;
  });

// Each test drives several page loads in two languages: more than the default minute on a busy machine.
describe('a customer’s channels, as the agent sees them', { timeout: 120_000 }, () => {
  const browser = useBrowser();
  let smtp: SmtpReceiver;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  const openAsOwner = (path?: string) => browser.signedIn('agent', { viewport: { width: 1440, height: 960 }, path });

  const smtpConfig = () => ({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    user: smtp.user,
    password: smtp.password,
  });

  it('「通过其他渠道联系」 lists the channels that cannot reach the customer disabled, saying why, before anything is written', async () => {
    const api = ownerApi();
    const run = runId();
    const apiInbox = await api.request<Inbox>('POST', '/api/v1/inboxes', { name: `抖店${run}`, channelType: 'api' });
    const shopMail = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `店铺邮箱${run}`,
      channelType: 'email',
      channelConfig: { address: `shop-${run}@shop.test`, smtp: smtpConfig() },
    });
    const afterSales = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `售后邮箱${run}`,
      channelType: 'email',
      channelConfig: { address: `after-${run}@shop.test` },
    });
    const sms = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `短信${run}`,
      channelType: 'sms',
      channelConfig: {
        providerUrl: `http://127.0.0.1:9/sms/${run}`,
        accessKeyId: 'LTAI5tE2E',
        accessKeySecret: `secret-${run}`,
        signName: '慧客商城',
        templates: { notification: 'SMS_1001' },
      },
    });
    const address = `zhangwei-${run}@buyer.test`;

    // Another 张伟 already owns the address in 店铺邮箱: an agent wrote to him there.
    const twinChat = await visitorSays(`我是另一个张伟${run}`);
    await api.request('PATCH', `/api/v1/customers/${twinChat.customerId}`, {
      name: `张伟（邮箱）${run}`,
      email: address,
    });
    await api.request('POST', `/api/v1/customers/${twinChat.customerId}/messages`, {
      inboxId: shopMail.id,
      content: `您好${run}`,
    });
    // 张伟 writes in through the API channel and has the same address on his profile, and no phone.
    const chat = await apiInbound(apiInbox, {
      sourceId: `dy-buyer-${run}-7f3a9c2e5b1d4e6f8a0b`,
      content: `什么时候发货？${run}`,
      name: `张伟${run}`,
    });
    await api.request('PATCH', `/api/v1/customers/${chat.customerId}`, { email: address });

    const { page, watched } = await openAsOwner(`/inbox/${chat.id}`);
    const panel = page.locator('[data-testid=customer-panel]');
    // The cards are where he can be reached: the API channel only.
    await panel.locator(`[data-testid=customer-channel][data-inbox-id="${apiInbox.id}"]`).waitFor();
    for (const inbox of [shopMail, afterSales, sms]) {
      expect(await panel.locator(`[data-testid=customer-channel][data-inbox-id="${inbox.id}"]`).count()).toBe(0);
    }

    await panel.locator('[data-testid=contact-customer]').click();
    const modal = page.locator('.ant-modal', { hasText: '通过其他渠道联系' });
    await modal.waitFor({ state: 'visible' });
    expect(await modal.locator('[data-testid=contact-channel]').textContent()).toContain(apiInbox.name);
    await modal.locator('[data-testid=contact-channel]').click();
    const option = (inbox: Inbox) =>
      page.locator(`.ant-select-dropdown [data-testid=contact-channel-option][data-inbox-id="${inbox.id}"]`);
    await option(apiInbox).waitFor({ state: 'visible' });
    // The address another customer owns in 店铺邮箱, and the missing phone for SMS: disabled, with the reason.
    expect(await option(shopMail).getAttribute('data-blocked')).toBe('address_taken');
    expect(await option(shopMail).textContent()).toContain(
      `该地址在这个渠道属于另一位客户「张伟（邮箱）${run}」，请先合并`,
    );
    expect(await option(sms).getAttribute('data-blocked')).toBe('no_address');
    expect(await option(sms).textContent()).toContain('客户资料里没有手机号');
    expect(await option(apiInbox).getAttribute('data-blocked')).toBeNull();
    for (const inbox of [shopMail, sms]) {
      const item = page.locator('.ant-select-item-option', {
        has: page.locator(`[data-testid=contact-channel-option][data-inbox-id="${inbox.id}"]`),
      });
      expect(await item.getAttribute('aria-disabled')).toBe('true');
    }
    // The receive-only inbox he never wrote to is not offered at all.
    expect(await option(afterSales).count()).toBe(0);

    // Clicking a disabled channel keeps the one that can deliver.
    await option(shopMail).click({ force: true });
    expect(await modal.locator('[data-testid=contact-channel]').textContent()).toContain(apiInbox.name);
    await page.keyboard.press('Escape');

    // In English the reasons read in English.
    await setLanguage(page, 'en');
    await page.reload();
    await page.locator('[data-testid=customer-panel] [data-testid=contact-customer]').click();
    const modalEn = page.locator('.ant-modal', { hasText: 'Contact' });
    await modalEn.locator('[data-testid=contact-channel]').click();
    await option(shopMail).waitFor({ state: 'visible' });
    expect(await option(shopMail).textContent()).toContain(
      `This address belongs to another customer, “张伟（邮箱）${run}”, in this channel; merge them first`,
    );
    expect(await option(sms).textContent()).toContain('No mobile number on the profile');

    expect(watched.errors).toEqual([]);
    expect(watched.dialogs).toEqual([]);
  });

  it('channel cards show the whole inbox name and address in English and Chinese, at 1440 px and at the narrowest workbench with the panel', async () => {
    const api = ownerApi();
    const run = runId();
    const apiInbox = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `甲店抖音桥接${run}`,
      channelType: 'api',
    });
    const sms = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `甲店短信${run}`,
      channelType: 'sms',
      channelConfig: {
        providerUrl: `http://127.0.0.1:9/sms/${run}`,
        accessKeyId: 'LTAI5tE2E',
        accessKeySecret: `secret-${run}`,
        signName: '慧客商城',
        templates: { notification: 'SMS_1001' },
      },
    });
    const chat = await apiInbound(apiInbox, {
      sourceId: `dy-buyer-${run}-7f3a9c2e5b1d4e6f8a0b`,
      content: `我在抖音下的单什么时候发货？${run}`,
      name: `Zhang Wei ${run}`,
    });
    await api.request('PATCH', `/api/v1/customers/${chat.customerId}`, {
      phone: '13812345678',
      email: `zhangwei.long.address-${run}@buyer-example.test`,
    });
    await api.request('POST', `/api/v1/customers/${chat.customerId}/messages`, {
      inboxId: sms.id,
      content: `您的订单已发货${run}`,
    });

    const { page, watched } = await openAsOwner();
    for (const width of [1440, 1201]) {
      await page.setViewportSize({ width, height: 960 });
      for (const language of ['en', 'zh-CN'] as const) {
        await setLanguage(page, language);
        await page.goto(`/inbox/${chat.id}`);
        // (Other tests' email and SMS inboxes may add cards: the workspace is shared.)
        const cardOf = (inbox: Inbox) =>
          page.locator(`[data-testid=customer-panel] [data-testid=customer-channel][data-inbox-id="${inbox.id}"]`);
        for (const card of [cardOf(apiInbox), cardOf(sms)]) {
          await card.waitFor({ state: 'visible' });
          const name = card.locator('[data-testid=channel-name]');
          const where = card.locator('[data-testid=channel-address]');
          // The panel lays out after the card appears (seen in a full run with a warm browser): wait for it to settle.
          for (const text of [name, where])
            await waitFor(
              () => showsWholeText(text),
              `${language} ${width}: 「${await text.textContent()}」 is cut`,
              5_000,
            );
          // 打开会话 is an icon button with its name for screen readers and a tooltip, taking no text width.
          const open = card.locator('[data-testid=channel-open-conversation]');
          expect((await open.textContent())?.trim()).toBe('');
          expect(await open.getAttribute('aria-label')).toBe(language === 'en' ? 'Open conversation' : '打开会话');
        }
        const apiCard = cardOf(apiInbox);
        expect(await apiCard.locator('[data-testid=channel-name]').textContent()).toBe(apiInbox.name);
        expect(await apiCard.locator('[data-testid=channel-address]').textContent()).toBe('dy-b…8a0b');
      }
    }
    // The button opens the conversation.
    await page
      .locator(`[data-testid=customer-channel][data-inbox-id="${sms.id}"] [data-testid=channel-open-conversation]`)
      .click();
    await page.locator('[data-testid=chat]', { hasText: `您的订单已发货${run}` }).waitFor();
    expect(watched.errors).toEqual([]);
  });

  it('a WeChat follower and an API contact without a name are labelled for their channel, in both languages', async () => {
    const api = ownerApi();
    const run = runId();
    // WeChat's token API, as a local stand-in (the inbox's settings are checked against it).
    const wechatApi = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: `token-${run}`, expires_in: 7200 }));
    });
    await new Promise<void>((resolve) => wechatApi.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => wechatApi.close(() => resolve())));
    const token = `tk${run}`;
    const wechat = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `甲店公众号${run}`,
      channelType: 'wechat',
      channelConfig: {
        appId: 'wx1234567890abcdef',
        appSecret: `secret-${run}`,
        token,
        mode: 'plain',
        apiBaseUrl: `http://127.0.0.1:${(wechatApi.address() as AddressInfo).port}`,
      },
    });
    // The follower writes (plain mode: signed over token, timestamp and nonce).
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Date.now());
    const signature = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
    const text = `在吗，想问下尺码${run}`;
    const xml = `<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[oFol${run}W001]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${Date.now()}</MsgId></xml>`;
    const pushed = await fetch(
      `${e2e().origin}/public/v1/channels/wechat/${wechat.token}?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
      { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml },
    );
    expect(pushed.status).toBe(200);
    const follower = await findConversation(api, text);
    const stored = await api.request<{ customerName: string | null }>('GET', `/api/v1/conversations/${follower.id}`);
    expect(stored.customerName).toBeNull();

    const apiInbox = await api.request<Inbox>('POST', '/api/v1/inboxes', { name: `接口${run}`, channelType: 'api' });
    const contact = await apiInbound(apiInbox, { sourceId: `src-${run}`, content: `有货吗${run}` });

    const suffix = (customerId: string) => customerId.replace(/-/g, '').slice(-4);
    const { page, watched } = await openAsOwner();
    for (const [language, followerLabel, contactLabel] of [
      ['zh-CN', '公众号粉丝', 'API 客户'],
      ['en', 'WeChat follower', 'API contact'],
    ] as const) {
      await setLanguage(page, language);
      await page.goto(`/inbox/${follower.id}`);
      const expected = `${followerLabel} ${suffix(follower.customerId)}`;
      const row = page.locator(`[data-testid=conversation-row][data-conversation-id="${follower.id}"]`);
      await waitFor(
        async () => (await row.locator('.hk-row-name').textContent()) === expected,
        `row reads ${expected}`,
      );
      const chat = page.locator(`[data-testid=chat][data-conversation-id="${follower.id}"]`);
      const bubble = chat.locator('[data-testid=message][data-direction=inbound]', { hasText: text });
      await bubble.waitFor();
      expect(await bubble.locator('.hk-msg-sender').textContent()).toBe(expected);
      expect(await chat.textContent()).toContain(expected);
      expect(await chat.textContent()).not.toContain(language === 'en' ? 'Visitor' : '访客');

      await page.goto(`/inbox/${contact.id}`);
      const contactRow = page.locator(`[data-testid=conversation-row][data-conversation-id="${contact.id}"]`);
      const contactExpected = `${contactLabel} ${suffix(contact.customerId)}`;
      await waitFor(
        async () => (await contactRow.locator('.hk-row-name').textContent()) === contactExpected,
        `row reads ${contactExpected}`,
      );
    }
    expect(watched.errors).toEqual([]);
  });

  it('English copy: the sender name in plain brackets, `{name}` as code in the SMS campaign, and where a failed email reply was going', async () => {
    const api = ownerApi();
    const run = runId();
    const mail = await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `甲店客服邮箱${run}`,
      channelType: 'email',
      channelConfig: { address: `shop-${run}@shop.test`, displayName: '甲店客服', smtp: smtpConfig() },
    });
    await api.request<Inbox>('POST', '/api/v1/inboxes', {
      name: `短信群发${run}`,
      channelType: 'sms',
      channelConfig: {
        providerUrl: `http://127.0.0.1:9/sms/${run}`,
        accessKeyId: 'LTAI5tE2E',
        accessKeySecret: `secret-${run}`,
        signName: '慧客商城',
        templates: { notification: 'SMS_1001', marketing: 'SMS_2002' },
      },
    });
    const segment = await api.request<{ id: string }>('POST', '/api/v1/segments', {
      name: `短信提示${run}`,
      filter: { op: 'and', conditions: [{ field: 'name', op: 'contains', value: run }] },
    });
    // The agent writes to 李四 by email; then the inbox loses its SMTP server, and the next reply fails before any
    // mail is written: no headers stored on it (as with a reply sent through a receive-only inbox).
    const chat = await visitorSays(`想开发票${run}`);
    const buyer = `buyer-${run}@example.test`;
    await api.request('PATCH', `/api/v1/customers/${chat.customerId}`, { name: `李四${run}`, email: buyer });
    const first = await api.request<{ conversation: { id: string } }>(
      'POST',
      `/api/v1/customers/${chat.customerId}/messages`,
      { inboxId: mail.id, content: `您好，发票抬头收到了${run}` },
    );
    await api.request('PATCH', `/api/v1/inboxes/${mail.id}`, { channelConfig: { smtp: null } });
    const failing = await api.request<{ id: string }>(
      'POST',
      `/api/v1/conversations/${first.conversation.id}/messages`,
      {
        content: `发票已开好${run}`,
      },
    );
    await waitFor(async () => {
      const page = await api.request<{ items: { id: string; delivery: { status: string } | null }[] }>(
        'GET',
        `/api/v1/conversations/${first.conversation.id}/messages?limit=10`,
      );
      return page.items.find((item) => item.id === failing.id)?.delivery?.status === 'failed';
    }, 'the reply never failed');

    const { page, watched } = await openAsOwner();
    await setLanguage(page, 'en');
    await page.goto('/settings/inboxes');
    await page.locator(`[data-testid=inbox-row][data-inbox-id="${mail.id}"]`).click();
    const detail = page.locator('[data-testid=inbox-detail]');
    const senderName = detail.locator('[data-testid=email-display-name-aside]');
    await senderName.waitFor({ state: 'visible' });
    expect(await senderName.textContent()).toBe(' (甲店客服)');
    expect(await senderName.locator('xpath=..').textContent()).toBe(`shop-${run}@shop.test (甲店客服)`);

    await page.goto(`/segments/${segment.id}`);
    const modal = page.locator('[data-testid=sms-campaign-modal]');
    await chooseMenuItem(page, page.locator('[data-testid=bulk-menu]'), 'Send SMS', modal);
    const help = modal.locator('[data-testid=sms-params-help]');
    expect(await help.locator('code').textContent()).toBe('{name}');
    expect(await help.textContent()).toContain('Write {name} in a value to put in each customer’s name');
    await page.keyboard.press('Escape');

    await page.goto(`/inbox/${first.conversation.id}`);
    const bubble = page.locator(`[data-testid=message][data-message-id="${failing.id}"]`);
    await bubble.locator('[data-testid=delivery-mark][data-delivery=failed]').waitFor();
    const email = bubble.locator('[data-testid=email-message]');
    expect(await email.getAttribute('data-expected')).toBe('true');
    expect(await email.locator('[data-testid=email-to]').textContent()).toBe(buyer);
    expect(await email.textContent()).toContain(`发票已开好${run}`);

    expect(watched.errors).toEqual([]);
  });
});
