import { describe, expect, it } from 'vitest';
import {
  chooseMenuItem,
  fillField,
  loginThroughUi,
  OWNER,
  ownerApi,
  runId,
  setLanguage,
  useBrowser,
} from './support.ts';

describe('login', () => {
  const browser = useBrowser();

  it('keeps a wrong password on /login with an error, then signs the owner in', async () => {
    const { page, watched } = await browser.page('agent');

    await loginThroughUi(page, 'wrong-password-1');
    const error = page.locator(
      [
        '[data-testid=login-error]',
        '[role=alert]',
        '.ant-alert-error',
        '.ant-form-item-explain-error',
        '.ant-message-error',
        '.ant-notification-notice-error',
      ].join(', '),
    );
    await error.first().waitFor({ state: 'visible' });
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('[data-testid=current-user]').count()).toBe(0);

    await fillField(page.locator('[data-testid=login-password]'), OWNER.password);
    await page.locator('[data-testid=login-submit]').click();
    const currentUser = page.locator('[data-testid=current-user]');
    await currentUser.waitFor({ state: 'visible' });
    await expect.poll(() => currentUser.textContent(), { timeout: 10_000 }).toContain(OWNER.name);
    expect(new URL(page.url()).pathname).not.toBe('/login');
    expect(watched.dialogs).toEqual([]);
  });

  it('changes a password from the user menu: this browser stays signed in, the other goes to the login page and says why', async () => {
    const run = runId();
    const email = `password-${run}@e2e.huike`;
    const password = `first-pass-${run}`;
    await ownerApi().request('POST', '/api/v1/users', { email, name: `改密${run}`, role: 'agent', password });
    const signIn = async (label: string) => {
      const opened = await browser.page(label);
      await opened.page.goto('/login');
      await fillField(opened.page.locator('[data-testid=login-email]'), email);
      await fillField(opened.page.locator('[data-testid=login-password]'), password);
      await opened.page.locator('[data-testid=login-submit]').click();
      await opened.page.locator('[data-testid=current-user]').waitFor({ state: 'visible' });
      // The socket is up, so the server can close it when the session ends.
      await opened.page.locator('[data-testid=realtime-status][data-status=open]').waitFor({ state: 'visible' });
      return opened;
    };
    const laptop = await signIn('laptop');
    const phone = await signIn('phone');

    const { page } = laptop;
    await chooseMenuItem(
      page,
      page.locator('[data-testid=user-menu]'),
      '修改密码',
      page.locator('[data-testid=current-password]'),
    );
    await fillField(page.locator('[data-testid=current-password]'), password);
    await fillField(page.locator('[data-testid=new-password]'), `second-pass-${run}`);
    await fillField(page.locator('[data-testid=confirm-password]'), `other-pass-${run}`);
    await page.locator('[data-testid=change-password-submit]').click();
    const mismatch = page.locator('.ant-form-item-explain-error', { hasText: '两次输入的密码不一致' });
    await mismatch.waitFor({ state: 'visible' });
    await fillField(page.locator('[data-testid=confirm-password]'), `second-pass-${run}`);
    await page.locator('[data-testid=change-password-submit]').click();
    await page.locator('[data-testid=current-password]').waitFor({ state: 'hidden' });

    // The phone's socket is closed by the server at once: it shows the login page with the reason, untouched.
    await phone.page.locator('[data-testid=login-password-changed-notice]').waitFor({ state: 'visible' });
    expect(new URL(phone.page.url()).pathname).toBe('/login');
    expect(await phone.page.locator('[data-testid=login-password-changed-notice]').textContent()).toContain(
      '你的密码已更改',
    );
    // The laptop that changed it stays signed in and connected.
    expect(new URL(page.url()).pathname).not.toBe('/login');
    await page.locator('[data-testid=realtime-status][data-status=open]').waitFor({ state: 'visible' });
    await page.reload();
    await page.locator('[data-testid=current-user]').waitFor({ state: 'visible' });
    expect(laptop.watched.errors).toEqual([]);
  });

  it("says a refusal in English in the English UI (the server's sentence is Chinese)", async () => {
    const name = `夜班${runId()}`;
    await ownerApi().request('POST', '/api/v1/teams', { name });
    const { page, watched } = await browser.signedIn('owner');
    await setLanguage(page, 'en');
    await page.goto('/settings/users');
    await page.locator('[data-testid=team-create]').click();
    await fillField(page.locator('[data-testid=team-name]'), name);
    await page.locator('[data-testid=team-submit]').click();
    const refusal = page.locator('.ant-drawer .ant-alert-error');
    await refusal.waitFor({ state: 'visible' });
    expect(await refusal.textContent()).toBe('Another team already has this name.');
    expect(watched.errors).toEqual([]);
  });
});
