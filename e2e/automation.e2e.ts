import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import {
  chooseMenuItem,
  e2e,
  fillField,
  loginAsOwner,
  ownerApi,
  pickOption,
  runId,
  useBrowser,
  waitFor,
} from './support.ts';

type Rule = { id: string; name: string; trigger: { type: string; minutes?: number } };
type Run = { status: string; ruleId: string; context: { conversationId?: string; customerId?: string } };

describe('automation rules', () => {
  const browser = useBrowser();
  const created: string[] = [];

  afterEach(async () => {
    // Other browser tests talk about 退货 too: the rule must not outlive this test.
    const api = ownerApi();
    for (const id of created.splice(0)) await api.request('DELETE', `/api/v1/automation/rules/${id}`).catch(() => {});
  });

  it('creates the 自动标签 preset rule, dry-runs it, and sees it tag a customer who mentions 退货', async () => {
    const api = ownerApi();
    const run = runId();
    const name = `退货自动标签${run}`;

    const { page, watched } = await browser.signedIn();
    await page.locator('[data-testid=nav-automation]').click();
    await page.locator('[data-testid=preset-auto_tag_after_sales] button').click();
    const nameInput = page.locator('input[data-testid=rule-name]');
    await nameInput.waitFor({ state: 'visible' });
    // An empty name is said under the field, not as the server's generic banner.
    await nameInput.fill('');
    await page.locator('[data-testid=rule-submit]').click();
    await page.locator('.ant-form-item-explain-error', { hasText: '请输入规则名称' }).waitFor();
    expect(await page.locator('.ant-drawer .ant-alert-error').count()).toBe(0);
    await nameInput.fill(name);
    await page.locator('.ant-form-item-explain-error', { hasText: '请输入规则名称' }).waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=action-row]').count()).toBeGreaterThan(0);
    // Esc with unsaved changes asks first; 继续编辑 keeps everything typed.
    await nameInput.press('Escape');
    await page.locator('.ant-modal-confirm', { hasText: '放弃未保存的修改？' }).waitFor();
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '继续编辑' }).click();
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    expect(await nameInput.inputValue()).toBe(name);

    await page.locator('[data-testid=rule-dry-run]').click();
    const result = page.locator('[data-testid=dry-run-result]');
    await result.waitFor({ state: 'visible' });
    await page.setViewportSize({ width: 1400, height: 1000 });
    expect(await result.textContent()).toMatch(/过去 7 天会触发 \d+ 次/);

    await page.locator('[data-testid=rule-submit]').click();
    await page.locator('[data-testid=automation-rules]', { hasText: name }).waitFor();
    const rule = (await waitFor(async () => {
      const rules = await api.request<{ items: Rule[] }>('GET', '/api/v1/automation/rules');
      return rules.items.find((item) => item.name === name);
    }, 'the rule was not saved')) as Rule;
    created.push(rule.id);

    const { origin, inboxToken } = e2e();
    const visitor = new ApiClient(origin);
    const session = await visitor.request<{ sourceId: string; visitorToken: string }>(
      'POST',
      `/public/v1/inboxes/${inboxToken}/visitors`,
      {},
    );
    await visitor.request(
      'POST',
      `/public/v1/inboxes/${inboxToken}/messages`,
      { sourceId: session.sourceId, content: `衣服不合适，我要退货 ${run}` },
      { 'x-huike-visitor-token': session.visitorToken },
    );
    const done = (await waitFor(async () => {
      const runs = await api.request<{ items: Run[] }>('GET', `/api/v1/automation/runs?ruleId=${rule.id}`);
      return runs.items.find((item) => item.status === 'succeeded');
    }, 'the rule never ran')) as Run;
    expect(done.context.conversationId).toBeTruthy();

    await page.getByRole('tab', { name: '执行记录' }).click();
    await page.locator('[data-testid=automation-runs]', { hasText: name }).waitFor();
    expect(await page.locator('[data-testid=automation-runs]').textContent()).toContain('成功');
    // The run links to what it acted on: the customer's page and the conversation in the workbench.
    const runRow = page.locator('[data-testid=automation-runs] tbody tr', { hasText: name }).first();
    // Why it ran: the message that matched and the condition that held.
    const why = await runRow.locator('[data-testid=run-why]').textContent();
    expect(why).toContain('衣服不合适');
    expect(why).toMatch(/条件 \d「消息内容」成立/);
    expect(await runRow.locator('[data-testid=run-customer-link]').getAttribute('href')).toBe(
      `/customers/${done.context.customerId}`,
    );
    await runRow.locator('[data-testid=run-conversation-link]').click();
    await page.waitForURL(`**/inbox/${done.context.conversationId}`);
    expect(watched.errors).toEqual([]);
  });

  it('says under the trigger when its minutes are out of range, sends nothing, and saves 30 days unclamped', async () => {
    const api = ownerApi();
    const name = `超时提醒${runId()}`;
    const { page, watched } = await browser.page('owner');
    const saves: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/automation/rules') && ['POST', 'PUT', 'PATCH'].includes(request.method()))
        saves.push(`${request.method()} ${request.postData() ?? ''}`);
    });
    await loginAsOwner(page);
    await page.locator('[data-testid=nav-automation]').click();
    // 10 分钟未回复提醒: a 客服一段时间未回复 trigger with its minutes field.
    await page.locator('[data-testid=preset-no_agent_reply_10m] button').click();
    const nameInput = page.locator('input[data-testid=rule-name]');
    await nameInput.waitFor({ state: 'visible' });
    await nameInput.fill(name);
    const minutes = page.locator('[data-testid=trigger-minutes]');
    const minutesInput = minutes.locator('input').or(page.locator('input[data-testid=trigger-minutes]')).first();
    const error = page.locator('[data-testid=rule-trigger-error]');
    const message = '请输入 1–43200 的整数分钟（最长 30 天）';

    // 99999 (over 30 days) is neither clamped to 43200 nor sent: the message is under the trigger.
    await fillField(minutes, '99999');
    await page.locator('[data-testid=rule-submit]').click();
    await error.filter({ hasText: message }).waitFor();
    expect(await minutesInput.inputValue()).toBe('99999');
    expect(await minutesInput.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.ant-drawer .ant-alert-error').count()).toBe(0);
    // 0 and an empty field are refused the same way (an empty field does not turn back into 10).
    await fillField(minutes, '0');
    await page.locator('[data-testid=rule-submit]').click();
    expect(await error.textContent()).toBe(message);
    expect(await minutesInput.inputValue()).toBe('0');
    await fillField(minutes, '');
    await page.locator('[data-testid=rule-submit]').click();
    expect(await error.textContent()).toBe(message);
    expect(await minutesInput.inputValue()).toBe('');
    expect(saves).toEqual([]);

    // A snooze action's minutes are checked the same way: cleared, it says so under its row instead of sending 60.
    const rows = page.locator('[data-testid=action-row]');
    const before = await rows.count();
    await chooseMenuItem(page, page.locator('[data-testid=add-action]'), '更改会话状态', rows.nth(before));
    const snoozeRow = rows.nth(before);
    await pickOption(page, snoozeRow.locator('.ant-select').nth(1), '已挂起');
    const snoozeMinutes = snoozeRow.locator('input[data-testid=action-snooze-minutes]');
    await fillField(snoozeMinutes, '');
    await page.locator('[data-testid=rule-submit]').click();
    await snoozeRow.locator('[role=alert]', { hasText: '请输入 1–525600 的整数挂起分钟（最长一年）' }).waitFor();
    expect(saves).toEqual([]);
    await fillField(snoozeMinutes, '30');

    // The largest allowed value takes the message away at once and saves as typed.
    await fillField(minutes, '43200');
    await error.waitFor({ state: 'detached' });
    await page.locator('[data-testid=rule-submit]').click();
    await page.locator('[data-testid=automation-rules]', { hasText: name }).waitFor();
    const rule = (await waitFor(async () => {
      const rules = await api.request<{ items: Rule[] }>('GET', '/api/v1/automation/rules');
      return rules.items.find((item) => item.name === name);
    }, 'the rule was not saved')) as Rule;
    created.push(rule.id);
    expect(rule.trigger).toMatchObject({ type: 'time.no_agent_reply', minutes: 43_200 });
    expect((rule as Rule & { actions: unknown[] }).actions).toContainEqual({
      type: 'set_status',
      status: 'snoozed',
      snoozeMinutes: 30,
    });
    expect(saves).toHaveLength(1);
    expect(watched.errors).toEqual([]);
  });
});
