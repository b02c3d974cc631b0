import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, loginAsOwner, newContext, runId, typeAndSend, watchPage } from './support.ts';

describe('sentiment and urgency in the chat', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
    await browser?.close();
  });

  it('tags an angry customer message 紧急 with its reasons, and marks the conversation in the list', async () => {
    const run = runId();
    const complaint = `退款一直不给，再不处理我就去12315投诉 #${run}`;

    const visitorContext = await newContext(browser);
    contexts.push(visitorContext);
    const visitor = await visitorContext.newPage();
    const visitorWatch = watchPage(visitor, 'visitor');
    await visitor.goto('/demo/shop');
    if (!(await visitor.locator('#huike-frame').isVisible())) await visitor.locator('#huike-bubble').click();
    await visitor.locator('#huike-frame').waitFor({ state: 'visible' });
    const widget = visitor.frameLocator('#huike-frame');
    await typeAndSend(widget.locator('[data-testid=widget-input]'), complaint);
    await widget
      .locator('[data-testid=widget-message]', { hasText: `#${run}` })
      .first()
      .waitFor();

    const ownerContext = await newContext(browser);
    contexts.push(ownerContext);
    const owner = await ownerContext.newPage();
    const ownerWatch = watchPage(owner, 'owner');
    await loginAsOwner(owner);
    if (new URL(owner.url()).pathname !== '/inbox') await owner.goto('/inbox');

    const row = owner.locator('[data-testid=conversation-row]', { hasText: `#${run}` }).first();
    await row.waitFor({ state: 'visible' });
    await row.locator('[data-testid=urgent-marker]').waitFor({ state: 'visible' });
    await row.click();

    const message = owner.locator('[data-testid=message][data-direction=inbound]', { hasText: `#${run}` }).first();
    await message.waitFor({ state: 'visible' });
    expect(await message.locator('[data-testid=message-sentiment]').textContent()).toMatch(/^负面 0\.\d\d$/);
    const urgent = message.locator('[data-testid=message-urgent]');
    expect(await urgent.textContent()).toBe('紧急');
    await urgent.hover();
    const tooltip = owner.locator('.ant-tooltip', { hasText: '投诉威胁' });
    await tooltip.waitFor({ state: 'visible' });
    expect(await tooltip.textContent()).toContain('退款纠纷');

    // The owner may read alerts: the bell is there.
    await owner.locator('[data-testid=alert-bell]').waitFor({ state: 'visible' });

    expect([...visitorWatch.dialogs, ...visitorWatch.errors]).toEqual([]);
    expect([...ownerWatch.dialogs, ...ownerWatch.errors]).toEqual([]);
  });
});
