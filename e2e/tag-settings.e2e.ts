import { describe, expect, it } from 'vitest';
import { ownerApi, runId, useBrowser } from './support.ts';

describe('tag settings', () => {
  const browser = useBrowser();

  it('names the saved segments that use a tag instead of offering to delete it anyway', async () => {
    const api = ownerApi();
    const run = runId();
    const group = await api.request<{ id: string }>('POST', '/api/v1/tag-groups', { name: `e2e-${run}` });
    const tag = await api.request<{ id: string }>('POST', '/api/v1/tags', { groupId: group.id, name: `黑名单-${run}` });
    await api.request('POST', '/api/v1/segments', {
      name: `排除黑名单-${run}`,
      filter: { op: 'and', conditions: [{ field: 'tags', op: 'has_none', value: [tag.id] }] },
    });

    const { page, watched } = await browser.signedIn('owner', { path: '/settings/tags' });
    await page.locator(`[data-testid=tag-row][data-tag-name="黑名单-${run}"] [data-testid=tag-delete]`).click();
    const confirm = page.locator('.ant-modal-confirm', { hasText: `黑名单-${run}` });
    await confirm.waitFor();
    await confirm.locator('[data-testid=tag-delete-ok]').click();
    const notice = page.locator('[data-testid=tag-used-by-segments]');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toContain(`排除黑名单-${run}`);
    expect(await page.locator('[data-testid=tag-delete-force]').count()).toBe(0);
    const tags = await api.request<{ items: { id: string }[] }>('GET', `/api/v1/tags?groupId=${group.id}`);
    expect(tags.items.map((item) => item.id)).toEqual([tag.id]);
    expect(watched.errors).toEqual([]);
  });
});
