import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, rawEmail, startDovecot } from '../apps/server/test/mail-servers.ts';
import { signedPush, startWechatStandIn, textPush, type WechatStandIn } from '../apps/server/test/wechat-stand-in.ts';
import { e2e, fillField, ownerApi, runId, useBrowser, waitFor } from './support.ts';

/*
 * What an admin sees while setting channels up: an email inbox whose IMAP server stops answering turns 「收信失败」 with
 * the reason, and recovers as soon as corrected settings are saved; a WeChat account's generated EncodingAESKey is
 * shown once after creation, ready to copy; the widget's 主题色 is offered on website inboxes only.
 */

type Health = { error: string | null; failingSince: string | null; lastSuccessAt: string | null };
type InboxRow = {
  id: string;
  name: string;
  token: string;
  channelType: string;
  channelConfig: Record<string, unknown>;
  health: Health | null;
};

const APP_ID = 'wx5e7d1c0a2b3c4d5e';
const APP_SECRET = 'e2e-app-secret-0123456789abcdef';

describe('settings: setting up channels', () => {
  const browser = useBrowser();
  let standIn: WechatStandIn;
  const mailServers: Dovecot[] = [];

  beforeAll(async () => {
    standIn = await startWechatStandIn({ appId: APP_ID, appSecret: APP_SECRET });
  });
  afterAll(async () => {
    await standIn?.close();
    for (const server of mailServers) await server.stop();
  });

  async function mailServer() {
    const server = await startDovecot();
    mailServers.push(server);
    return server;
  }

  it('shows an IMAP failure as 收信失败 with its reason, and recovers at once when fixed settings are saved', async () => {
    const api = ownerApi();
    const first = await mailServer();
    const firstMailbox = first.createMailbox();
    const inbox = await api.request<InboxRow>('POST', '/api/v1/inboxes', {
      name: `退换货邮箱${runId()}`,
      channelType: 'email',
      channelConfig: {
        address: 'tuihuan@huike-shop.cn',
        imap: {
          host: first.host,
          port: first.port,
          secure: false,
          user: firstMailbox.user,
          password: firstMailbox.password,
        },
      },
    });
    const health = async () => (await api.request<InboxRow>('GET', `/api/v1/inboxes/${inbox.id}`)).health;
    // The server's IMAP loop starts on creation; its first pass is recorded.
    await waitFor(async () => (await health())?.lastSuccessAt, 'the first IMAP pass was not recorded');

    // The mail server goes away.
    await first.stop();
    const reason = `无法连接 IMAP 收信服务器 ${first.host}:${first.port}`;
    await waitFor(async () => (await health())?.error === reason, 'the IMAP failure was not recorded');

    const { page, watched } = await browser.signedIn('owner', { path: '/settings/inboxes' });
    const row = page.locator(`[data-testid=inbox-row][data-inbox-id="${inbox.id}"]`);
    const status = row.locator('[data-testid=inbox-status]');
    await status.waitFor({ state: 'visible' });
    expect(await status.getAttribute('data-status')).toBe('error');
    expect(await status.textContent()).toContain('收信失败');
    await status.hover();
    const tooltip = page.locator('[data-testid=inbox-status-reason]');
    await tooltip.waitFor({ state: 'visible' });
    expect(await tooltip.textContent()).toContain(reason);
    expect(await tooltip.textContent()).toContain('起');

    // The drawer says what fails, since when and how to fix it.
    await row.click();
    const detail = page.locator('[data-testid=inbox-detail]');
    const alert = detail.locator('[data-testid=inbox-health-alert]');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toContain(`收信失败：${reason}`);

    // The admin moves the mailbox to a working server and saves: the loop reconnects now, not after its backoff.
    const second = await mailServer();
    const secondMailbox = second.createMailbox();
    await detail.getByRole('tab', { name: '设置' }).click();
    await fillField(detail.locator('[data-testid=imap-port]'), String(second.port));
    await fillField(detail.locator('[data-testid=imap-user]'), secondMailbox.user);
    await fillField(detail.locator('[data-testid=imap-password]'), secondMailbox.password);
    await detail.locator('[data-testid=inbox-save]').click();
    await alert.waitFor({ state: 'detached' });

    const subject = `换货${runId()}`;
    await secondMailbox.append(
      rawEmail({
        from: 'li.na@example.cn',
        to: 'tuihuan@huike-shop.cn',
        subject,
        body: '你好，我想把 M 码换成 L 码。',
        messageId: `<${subject}@example.cn>`,
      }),
    );
    await waitFor(async () => {
      const conversations = await api.request<{ items: { id: string }[] }>(
        'GET',
        `/api/v1/conversations?inboxId=${inbox.id}&limit=10`,
      );
      return conversations.items.length === 1;
    }, 'the mail on the new server did not arrive');
    expect(await health()).toMatchObject({ error: null, failingSince: null, lastSuccessAt: expect.any(String) });

    // Back in the list, the channel reads as working again.
    await page.goto('/settings/inboxes');
    await status.waitFor({ state: 'visible' });
    expect(await status.getAttribute('data-status')).toBe('receiveOnly');
    expect(watched.errors).toEqual([]);
  }, 120_000);

  it('shows a generated EncodingAESKey once after creating a WeChat account, and 主题色 only on website inboxes', async () => {
    const api = ownerApi();
    const name = `甲店公众号${runId()}`;
    const { page, watched } = await browser.signedIn('owner', { path: '/settings/inboxes' });
    await page.locator('[data-testid=inbox-create]').click();
    await page.locator('[data-testid=channel-choice-wechat]').click();
    // Only the website widget has a colour: the WeChat form has none.
    const createDrawer = page.locator('[data-testid=inbox-create-drawer]');
    await createDrawer.locator('[data-testid=wechat-app-id]').waitFor({ state: 'visible' });
    expect(await createDrawer.getByText('主题色').count()).toBe(0);
    await fillField(page.locator('[data-testid=inbox-name]'), name);
    await fillField(page.locator('[data-testid=wechat-app-id]'), APP_ID);
    await fillField(page.locator('[data-testid=wechat-app-secret]'), APP_SECRET);
    await page.locator('[data-testid=wechat-aes-key-generate]').click();
    await fillField(page.locator('[data-testid=wechat-api-base-url]'), standIn.url);
    await page.locator('[data-testid=inbox-submit]').click();

    // The 接入 tab opens with the key, once, next to a copy button.
    const detail = page.locator('[data-testid=inbox-detail]');
    const shownKey = detail.locator('[data-testid=wechat-aes-key-once]');
    await shownKey.waitFor({ state: 'visible' });
    const encodingAesKey = await shownKey.inputValue();
    expect(encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    const keyRow = detail.locator('.ant-descriptions-row', { has: page.locator('[data-testid=wechat-aes-key-once]') });
    await keyRow.getByRole('button', { name: /复制/ }).waitFor({ state: 'visible' });
    expect(await keyRow.textContent()).toContain('只显示这一次');

    // It is the key Huike stored: a push WeChat encrypts with it is taken.
    const inbox = (await waitFor(async () => {
      const list = await api.request<{ items: InboxRow[] }>('GET', '/api/v1/inboxes?limit=100');
      return list.items.find((item) => item.name === name);
    }, 'the WeChat inbox was not stored')) as InboxRow;
    const account = {
      appId: APP_ID,
      token: String(inbox.channelConfig.token),
      encodingAesKey,
      mode: 'safe' as const,
    };
    const { query, body } = signedPush(account, textPush(`oE2e_${runId()}`, '你好，在吗？', String(Date.now())));
    const pushed = await fetch(`${e2e().origin}/public/v1/channels/wechat/${inbox.token}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    });
    expect(pushed.status).toBe(200);

    // Opened again later, the key is no longer shown; its settings have no 主题色 either.
    await page.goto('/settings/inboxes');
    await page.locator(`[data-testid=inbox-row][data-inbox-id="${inbox.id}"]`).click();
    await detail.locator('[data-testid=wechat-aes-key-stored]').waitFor({ state: 'visible' });
    expect(await detail.locator('[data-testid=wechat-aes-key-once]').count()).toBe(0);
    await detail.getByRole('tab', { name: '设置' }).click();
    await detail.locator('[data-testid=wechat-app-id]').waitFor({ state: 'visible' });
    expect(await detail.getByText('主题色').count()).toBe(0);

    // The website inbox keeps its colour.
    const website = (await api.request<{ items: InboxRow[] }>('GET', '/api/v1/inboxes?limit=100')).items.find(
      (item) => item.channelType === 'website',
    )!;
    await page.goto(`/settings/inboxes/${website.id}`);
    await detail.getByRole('tab', { name: '设置' }).click();
    await detail.getByText('主题色').waitFor({ state: 'visible' });
    expect(watched.errors).toEqual([]);
  }, 120_000);
});
