import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillField, loginAsOwner, ownerApi, runId, setLanguage, sleep, typeAndSend, useBrowser } from './support.ts';

type Holiday = { date: string; kind: 'holiday' | 'workday'; name: string };
type HolidayList = { items: Holiday[] };

const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
const year = Number(today.slice(0, 4));

describe('business hours and holidays', () => {
  const browser = useBrowser({ closeContexts: 'afterAll' });
  let todayBefore: Holiday | undefined;

  beforeAll(async () => {
    const days = await ownerApi().request<HolidayList>('GET', `/api/v1/holidays?year=${year}`);
    todayBefore = days.items.find((day) => day.date === today);
  });

  afterAll(async () => {
    // The calendar is shared by the whole workspace: put today back as it was.
    const api = ownerApi();
    if (todayBefore)
      await api.request('PUT', `/api/v1/holidays/${today}`, { kind: todayBefore.kind, name: todayBefore.name });
    else await api.raw('DELETE', `/api/v1/holidays/${today}`);
  });

  it('edits the holiday calendar on the 节假日 page', async () => {
    const { page, watched: watch } = await browser.page('owner');
    // Today starts free (afterAll puts back what was there).
    if (todayBefore) await ownerApi().raw('DELETE', `/api/v1/holidays/${today}`);
    await loginAsOwner(page);
    await page.goto('/settings/holidays');
    await page.locator('[data-testid=holiday-year]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid=holiday-year]').textContent()).toContain(String(year));
    // The national arrangement was seeded with the workspace.
    await page.locator('[data-testid=holiday-table] tbody tr').first().waitFor({ state: 'visible' });
    if (year === 2026) expect(await page.locator('[data-testid=holiday-table]').textContent()).toContain('国庆节');

    // Dates in the list read in the page's language: 「1月1日 周四」.
    expect(await page.locator('[data-testid=holiday-row-date]').first().textContent()).toMatch(
      /^\d{1,2}月\d{1,2}日 周[日一二三四五六]$/,
    );

    const name = `店庆 ${runId()}`;
    await page.locator('[data-testid=holiday-add]').click();
    await fillField(page.locator('[data-testid=holiday-name]'), name);
    await page.locator('[data-testid=holiday-submit]').click();
    const row = page.locator('[data-testid=holiday-table] tbody tr', { hasText: name });
    await row.waitFor({ state: 'visible' });
    const stored = await ownerApi().request<HolidayList>('GET', `/api/v1/holidays?year=${year}`);
    expect(stored.items).toContainEqual({ date: today, kind: 'holiday', name });

    // Adding the same date again says what it replaces, and asks before replacing it.
    await page.locator('[data-testid=holiday-add]').click();
    const replacing = `${today} 已设为「${name}」，保存会替换它`;
    expect(await page.locator('[data-testid=holiday-date-taken]').textContent()).toBe(replacing);
    await fillField(page.locator('[data-testid=holiday-name]'), '临时休息');
    await page.locator('[data-testid=holiday-submit]').click();
    await page.locator('.ant-modal-confirm', { hasText: replacing }).waitFor();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /^取\s?消$/ })
      .click();
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    // 取消 on the drawer with what was typed: 放弃未保存的修改？ → 放弃修改.
    await page
      .locator('.ant-drawer-footer')
      .getByRole('button', { name: /^取\s?消$/ })
      .click();
    await page.locator('[data-testid=discard-confirm]').click();
    await page.locator('[data-testid=holiday-name]').waitFor({ state: 'detached' });
    const kept = await ownerApi().request<HolidayList>('GET', `/api/v1/holidays?year=${year}`);
    expect(kept.items).toContainEqual({ date: today, kind: 'holiday', name });

    // The calendar view shows it on today's cell.
    await page.locator('[data-testid=holiday-view]').getByText('日历').click();
    await page.locator('[data-testid=holiday-cell]', { hasText: name }).waitFor({ state: 'visible' });
    await page.locator('[data-testid=holiday-view]').getByText('列表').click();

    // Delete it again, with the confirmation.
    await row.locator('button.ant-btn-dangerous').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await row.waitFor({ state: 'detached' });

    // In English the same list reads "Jan 1, Thu".
    await setLanguage(page, 'en');
    await page.reload();
    await page.locator('[data-testid=holiday-row-date]').first().waitFor();
    expect(await page.locator('[data-testid=holiday-row-date]').first().textContent()).toMatch(
      /^[A-Z][a-z]{2} \d{1,2}, [A-Z][a-z]{2}$/,
    );
    expect(watch.errors).toEqual([]);
  });

  it('shows the hours in the widget and answers once while closed', async () => {
    const api = ownerApi();
    const inbox = await api.request<{ id: string; token: string }>('POST', '/api/v1/inboxes', {
      name: `营业时间测试 ${runId()}`,
      channelType: 'website',
    });

    // The owner turns business hours and the offline reply on in the inbox's 工作时间 tab.
    const { page: owner, watched: ownerWatch } = await browser.signedIn('owner', {
      path: `/settings/inboxes/${inbox.id}`,
    });
    await owner.locator('[data-testid=inbox-detail] .ant-tabs-tab', { hasText: '工作时间' }).click();
    await owner.locator('[data-testid=business-hours-enabled]').click();
    await owner.locator('[data-testid=offline-reply-enabled]').click();
    await owner.locator('[data-testid=business-hours-preview]').waitFor({ state: 'visible' });
    await owner.locator('[data-testid=business-hours-save]').click();
    await owner.locator('.ant-message', { hasText: '已保存' }).waitFor({ state: 'visible' });
    const saved = await api.request<{
      settings: { businessHours?: { enabled: boolean }; offlineReply?: { enabled: boolean } };
    }>('GET', `/api/v1/inboxes/${inbox.id}`);
    expect(saved.settings.businessHours?.enabled).toBe(true);
    expect(saved.settings.offlineReply?.enabled).toBe(true);

    // Today becomes a holiday: the inbox is closed now.
    await api.request('PUT', `/api/v1/holidays/${today}`, { kind: 'holiday', name: '测试休息日' });

    const { page: visitor, watched: visitorWatch } = await browser.page('visitor');
    await visitor.goto(`/widget/?inbox=${inbox.token}`);
    const hours = visitor.locator('[data-testid=widget-hours]');
    await hours.waitFor({ state: 'visible' });
    expect(await hours.textContent()).toBe('客服在线时间 周一至周五 09:00–18:00');
    const closed = visitor.locator('[data-testid=widget-closed]');
    expect(await closed.textContent()).toMatch(/^当前非工作时间，我们将于.+ 09:00 回复$/);

    await typeAndSend(visitor.locator('[data-testid=widget-input]'), '在吗？');
    const offline = visitor.locator('[data-testid=widget-message][data-direction=outbound]', {
      hasText: '现在是非工作时间',
    });
    await offline.first().waitFor({ state: 'visible' });
    await typeAndSend(visitor.locator('[data-testid=widget-input]'), '有人吗？');
    await sleep(1500);
    expect(await offline.count()).toBe(1);
    expect([...ownerWatch.errors, ...visitorWatch.errors]).toEqual([]);
  });
});
