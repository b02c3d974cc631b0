import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

const context = await createTestApp();

type Item = {
  id: string;
  name: string | null;
  phone: string | null;
  tags: { id: string; name: string; color: string }[];
};
type Page = { items: Item[]; nextCursor: string | null };

async function shop() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const add = async (
    name: string,
    value: { stage?: string; tier?: string | null } = {},
    phone: string | null = null,
  ): Promise<string> => {
    const id = await insertCustomer(context, workspaceId, { name, phone });
    await context.database.pool.query('update customers set lifecycle_stage = $2, rfm_tier = $3 where id = $1', [
      id,
      value.stage ?? 'prospect',
      value.tier ?? null,
    ]);
    return id;
  };
  const list = async (query: string, client = workspace.owner) => {
    const response = await client.get(`/api/v1/customers?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Page;
  };
  const names = async (query: string) => (await list(query)).items.map((item) => item.name);
  const createTag = async (groupId: string, name: string, color: string, parentId?: string) => {
    const response = await workspace.owner.post('/api/v1/tags', {
      groupId,
      name,
      color,
      ...(parentId ? { parentId } : {}),
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const createGroup = async (name: string, position: number) => {
    const response = await workspace.owner.post('/api/v1/tag-groups', { name, position });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const applyTags = async (customerId: string, add: string[]) => {
    const response = await workspace.owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${customerId}/tags`,
      payload: { add },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const removeTags = async (customerId: string, remove: string[]) => {
    const response = await workspace.owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${customerId}/tags`,
      payload: { remove },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  return { ...workspace, workspaceId, add, list, names, createTag, createGroup, applyTags, removeTags };
}

describe('customer list filters', () => {
  it('filters by lifecycle stage and by RFM tier, alone, together and with a search', async () => {
    const { add, names } = await shop();
    await add('王一', { stage: 'active', tier: 'loyal' });
    await add('王二', { stage: 'active', tier: 'potential' });
    await add('李三', { stage: 'dormant', tier: 'loyal' });
    await add('王四', { stage: 'prospect' });

    expect(await names('lifecycleStage=active')).toEqual(['王二', '王一']);
    expect(await names('rfmTier=loyal')).toEqual(['李三', '王一']);
    expect(await names('lifecycleStage=active&rfmTier=loyal')).toEqual(['王一']);
    expect(await names('lifecycleStage=prospect')).toEqual(['王四']);
    expect(await names('lifecycleStage=churned')).toEqual([]);
    expect(await names(`q=${encodeURIComponent('王')}&lifecycleStage=active`)).toEqual(['王二', '王一']);
    expect(await names(`q=wang&rfmTier=loyal`)).toEqual(['王一']);
    expect(await names(`q=${encodeURIComponent('李')}&lifecycleStage=active`)).toEqual([]);
  });

  it('combines the stage and tier filters with a tag and a segment, and pages through them', async () => {
    const { add, names, list, owner, createGroup, createTag, applyTags } = await shop();
    const vip = await createTag(await createGroup('会员等级', 0), 'VIP', '#faad14');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++)
      ids.push(await add(`客户${i}`, { stage: i % 2 ? 'active' : 'dormant', tier: 'loyal' }));
    for (const id of ids.slice(0, 3)) await applyTags(id, [vip]);

    expect(await names(`tagId=${vip}&lifecycleStage=active`)).toEqual(['客户3', '客户1']);
    const segment = await owner.post('/api/v1/segments', {
      name: '高价值',
      filter: { op: 'and', conditions: [{ field: 'rfm_tier', op: 'in', value: ['loyal'] }] },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    expect(await names(`segmentId=${segment.json().id}&lifecycleStage=dormant`)).toEqual(['客户4', '客户2']);
    expect(await names(`segmentId=${segment.json().id}&tagId=${vip}&lifecycleStage=dormant`)).toEqual(['客户2']);

    const first = await list('lifecycleStage=active&limit=2');
    expect(first.items.map((item) => item.name)).toEqual(['客户5', '客户3']);
    const second = await list(`lifecycleStage=active&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((item) => item.name)).toEqual(['客户1']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses an unknown lifecycle stage or tier with a 400 naming the field', async () => {
    const { owner } = await shop();
    const stage = await owner.get('/api/v1/customers?lifecycleStage=vip');
    expect(stage.statusCode).toBe(400);
    expect(JSON.stringify(stage.json())).toContain('lifecycleStage');
    const tier = await owner.get('/api/v1/customers?rfmTier=gold');
    expect(tier.statusCode).toBe(400);
    expect(JSON.stringify(tier.json())).toContain('rfmTier');
  });
});

describe('customer list tags', () => {
  it("shows each row's tags (name and colour) in group order, and an empty list for an untagged customer", async () => {
    const { add, list, createGroup, createTag, applyTags, removeTags } = await shop();
    const level = await createGroup('会员等级', 0);
    const channel = await createGroup('进店渠道', 1);
    const taobao = await createTag(channel, '淘宝', '#fa8c16');
    const vip = await createTag(level, 'VIP', '#faad14');
    const tagged = await add('张三');
    const plain = await add('李四');
    await applyTags(tagged, [taobao, vip]);

    const page = await list('');
    const byId = new Map(page.items.map((item) => [item.id, item]));
    expect(byId.get(tagged)!.tags).toEqual([
      { id: vip, name: 'VIP', color: '#faad14' },
      { id: taobao, name: '淘宝', color: '#fa8c16' },
    ]);
    expect(byId.get(plain)!.tags).toEqual([]);

    // The same tags on search results; a removed tag disappears.
    const found = await list(`q=${encodeURIComponent('张')}`);
    expect(found.items.map((item) => item.tags.map((tag) => tag.name))).toEqual([['VIP', '淘宝']]);
    await removeTags(tagged, [vip]);
    expect((await list('q=zhangsan')).items.map((item) => item.tags.map((tag) => tag.name))).toEqual([['淘宝']]);
  });

  it('shows an agent the tags next to the masked phone', async () => {
    const { add, list, addUser, createGroup, createTag, applyTags } = await shop();
    const vip = await createTag(await createGroup('会员等级', 0), 'VIP', '#faad14');
    const id = await add('赵六', {}, '13812345678');
    await applyTags(id, [vip]);
    const agent = await addUser('agent');
    const page = await list('', agent);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ phone: '138****5678', tags: [{ id: vip, name: 'VIP', color: '#faad14' }] });
  });

  it("never shows another workspace's customers or tags", async () => {
    const mine = await shop();
    const theirs = await shop();
    const theirTag = await theirs.createTag(await theirs.createGroup('风险', 0), '黑名单', '#f5222d');
    const theirCustomer = await theirs.add('王五', { stage: 'active', tier: 'loyal' });
    await theirs.applyTags(theirCustomer, [theirTag]);
    await mine.add('王六', { stage: 'active', tier: 'loyal' });

    const page = await mine.list(`q=${encodeURIComponent('王')}&lifecycleStage=active&rfmTier=loyal`);
    expect(page.items.map((item) => item.name)).toEqual(['王六']);
    expect(page.items[0]!.tags).toEqual([]);
    const byTheirTag = await mine.owner.get(`/api/v1/customers?tagId=${theirTag}`);
    expect([400, 404]).toContain(byTheirTag.statusCode);
  });
});
