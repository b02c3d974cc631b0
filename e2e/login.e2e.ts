import { describe, expect, it } from 'vitest';
import { fillField, loginThroughUi, OWNER, ownerApi, runId, setLanguage, useBrowser } from './support.ts';

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
