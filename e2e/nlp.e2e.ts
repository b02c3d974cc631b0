import { describe, expect, it } from 'vitest';
import { runId, typeAndSend, useBrowser } from './support.ts';

describe('sentiment and urgency in the chat', () => {
  const browser = useBrowser({ closeContexts: 'afterAll' });

  it('tags an angry customer message 紧急 with its reasons, and marks the conversation in the list', async () => {
    const run = runId();
    const complaint = `退款一直不给，再不处理我就去12315投诉 #${run}`;

    const { page: visitor, watched: visitorWatch } = await browser.page('visitor');
    await visitor.goto('/demo/shop');
    if (!(await visitor.locator('#huike-frame').isVisible())) await visitor.locator('#huike-bubble').click();
    await visitor.locator('#huike-frame').waitFor({ state: 'visible' });
    const widget = visitor.frameLocator('#huike-frame');
    await typeAndSend(widget.locator('[data-testid=widget-input]'), complaint);
    await widget
      .locator('[data-testid=widget-message]', { hasText: `#${run}` })
      .first()
      .waitFor();

    // Searched: the list shows 30 rows, and the other files' conversations may push this one past them.
    const { page: owner, watched: ownerWatch } = await browser.signedIn('owner', { path: `/inbox?q=${run}` });

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
