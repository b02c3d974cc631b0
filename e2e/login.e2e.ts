import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillField, launchBrowser, loginThroughUi, newContext, OWNER, watchPage } from './support.ts';

describe('login', () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await newContext(browser);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('keeps a wrong password on /login with an error, then signs the owner in', async () => {
    const page = await context.newPage();
    const watched = watchPage(page, 'agent');

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
});
