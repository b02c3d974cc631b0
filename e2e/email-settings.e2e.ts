import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, type SmtpReceiver, startDovecot, startSmtpReceiver } from '../apps/server/test/mail-servers.ts';
import { fillField, ownerApi, runId, useBrowser } from './support.ts';

/*
 * An email inbox's saved IMAP / SMTP section is removed with 「移除」 (confirmed, then saved), and an emptied optional
 * field is cleared. Saving a mail config logs in to its servers, so real ones run here: Debian's Dovecot for IMAP and
 * an SMTP receiver (the server under test allows 127.0.0.1 for channels).
 */

type InboxRow = { id: string; channelConfig: Record<string, unknown> };

describe('settings: an email inbox’s mail sections', () => {
  const browser = useBrowser();
  let dovecot: Dovecot;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpReceiver()]);
  });
  afterAll(async () => {
    await dovecot?.stop();
    await smtp?.stop();
  });

  it('removes SMTP and clears the sender name, and says why IMAP cannot go without forwarding', async () => {
    const api = ownerApi();
    const mailbox = dovecot.createMailbox();
    const inbox = await api.request<InboxRow>('POST', '/api/v1/inboxes', {
      name: `售后邮箱${runId()}`,
      channelType: 'email',
      channelConfig: {
        address: 'shouhou@huike-shop.cn',
        displayName: '慧客售后',
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user, password: mailbox.password },
        smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
      },
    });

    const { page, watched } = await browser.signedIn('owner', { path: '/settings/inboxes' });
    await page.locator(`[data-testid=inbox-row][data-inbox-id="${inbox.id}"]`).click();
    const detail = page.locator('[data-testid=inbox-detail]');
    await detail.getByRole('tab', { name: '设置' }).click();

    // A saved section has no on/off switch, only 「移除」 behind a confirmation.
    await detail.locator('[data-testid=imap-host]').waitFor({ state: 'visible' });
    expect(await detail.locator('[data-testid=imap-enabled]').isVisible()).toBe(false);
    await detail.locator('[data-testid=imap-remove]').click();
    await page.locator('[data-testid=imap-remove-confirm]').click();
    await detail.locator('[data-testid=imap-removed]').waitFor({ state: 'visible' });
    expect(await detail.locator('[data-testid=imap-host]').count()).toBe(0);

    // This server has no forwarding endpoint: removing IMAP would leave the inbox deaf, so saving is refused.
    await detail.locator('[data-testid=inbox-save]').click();
    const error = detail.locator('[data-testid=inbox-save-error]');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain('转发');

    // Undo, then remove SMTP instead and empty the sender name.
    await detail.locator('[data-testid=imap-undo-remove]').click();
    await detail.locator('[data-testid=imap-host]').waitFor({ state: 'visible' });
    await detail.locator('[data-testid=smtp-remove]').click();
    await page.locator('[data-testid=smtp-remove-confirm]').click();
    await fillField(detail.locator('[data-testid=email-display-name]'), '');
    await detail.locator('[data-testid=inbox-save]').click();

    await expect
      .poll(async () => (await api.request<InboxRow>('GET', `/api/v1/inboxes/${inbox.id}`)).channelConfig, {
        timeout: 15_000,
      })
      .toEqual({
        address: 'shouhou@huike-shop.cn',
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user },
        forwardingAddress: expect.stringContaining('@'),
      });
    // Saved: SMTP is now a section to switch on again, like on a new inbox.
    await detail.locator('[data-testid=smtp-enabled]').waitFor({ state: 'visible' });
    expect(watched.errors).toEqual([]);
  });
});
