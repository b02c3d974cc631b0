import { afterAll, describe, expect, it } from 'vitest';
import { fillField, ownerApi, runId, typeAndSend, useBrowser } from './support.ts';

type Rule = { id: string; name: string };

describe('keyword auto-replies', () => {
  const browser = useBrowser({ closeContexts: 'afterAll' });
  const ruleName = `发票自动回复 ${runId()}`;

  afterAll(async () => {
    // Other browser tests share the server: leave no rule behind that could answer their messages.
    const api = ownerApi();
    const rules = await api.request<{ items: Rule[] }>('GET', '/api/v1/keyword-replies');
    for (const rule of rules.items.filter((each) => each.name === ruleName)) {
      await api.request('DELETE', `/api/v1/keyword-replies/${rule.id}`);
    }
  });

  it('answers a widget visitor with the reply of a rule the owner just created', async () => {
    const reply = `您好，可以开具电子发票，请在订单页点击“申请开票”。#${runId()}`;

    // The owner creates the rule on the 自动回复 page.
    const { page: owner, watched: ownerWatch } = await browser.signedIn('owner', { path: '/settings/keyword-replies' });
    await owner.locator('[data-testid=keyword-reply-create]').click();
    await fillField(owner.locator('[data-testid=keyword-reply-name]'), ruleName);
    const keywords = owner.locator('[data-testid=keyword-reply-keywords] input').first();
    await keywords.click();
    await keywords.fill('发票');
    await keywords.press('Enter');
    await fillField(owner.locator('[data-testid=keyword-reply-text]'), reply);
    await owner.locator('[data-testid=keyword-reply-submit]').click();
    const row = owner.locator(`[data-testid=keyword-reply-row][data-rule-name="${ruleName}"]`);
    await row.waitFor({ state: 'visible' });
    expect(await row.textContent()).toContain('发票');

    // The page's 测试消息 box says the rule fires.
    await typeAndSend(owner.locator('[data-testid=keyword-tester-input]'), '可以开发票吗');
    const tested = owner.locator('[data-testid=keyword-tester-rule][data-fired=true]', { hasText: ruleName });
    await tested.waitFor({ state: 'visible' });
    expect(await tested.textContent()).toContain('命中关键词“发票”');

    // A visitor of the demo shop asks; the auto-reply appears in the widget.
    const { page: visitor, watched: visitorWatch } = await browser.page('visitor');
    await visitor.goto('/demo/shop');
    if (!(await visitor.locator('#huike-frame').isVisible())) await visitor.locator('#huike-bubble').click();
    await visitor.locator('#huike-frame').waitFor({ state: 'visible' });
    const widget = visitor.frameLocator('#huike-frame');
    await widget.locator('[data-testid=widget-input]').waitFor({ state: 'visible' });
    await typeAndSend(widget.locator('[data-testid=widget-input]'), '可以开发票吗');
    const answered = widget.locator('[data-testid=widget-message][data-direction=outbound]', { hasText: reply });
    await answered.first().waitFor({ state: 'visible', timeout: 15_000 });
    expect(await answered.count()).toBe(1);

    // The rule counted its hit.
    const rules = await ownerApi().request<{ items: (Rule & { hitCount: number })[] }>(
      'GET',
      '/api/v1/keyword-replies',
    );
    expect(rules.items.find((rule) => rule.name === ruleName)?.hitCount).toBe(1);
    expect([...ownerWatch.dialogs, ...visitorWatch.dialogs]).toEqual([]);
  });
});
