import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  DEMO_SEED_TIMEOUT_MS,
  insertCustomer,
  startConversation,
} from '../../../test/harness.ts';
import { newId } from '../../platform/ids.ts';

const context = await createTestApp();
const sql = (text: string, params: unknown[] = []) => context.database.pool.query(text, params);
const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as object });
const DAY = 86_400_000;

type Tag = { id: string; name: string };

/**
 * Five customers with known profiles, values, tags, orders and conversations (one merged away, which no
 * filter may ever count), in a workspace of their own.
 */
async function buildShop() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const { owner, inbox } = workspace;
  const groups = (await owner.get('/api/v1/tag-groups')).json().items as { tags: Tag[] }[];
  const tag = (name: string) => groups.flatMap((g) => g.tags).find((t) => t.name === name)!.id;

  for (const [key, type, options] of [
    ['level', 'single_select', ['gold', 'silver']],
    ['score', 'number', []],
    ['joined', 'date', []],
    ['hobbies', 'multi_select', ['tea', 'books', 'travel']],
    ['note', 'text', []],
  ] as const) {
    await sql(
      'insert into customer_field_definitions (id, workspace_id, key, label, type, options) values ($1, $2, $3, $3, $4, $5)',
      [newId(), workspaceId, key, type, options],
    );
  }

  const zhang = await insertCustomer(context, workspaceId, { name: '张三' });
  const li = await insertCustomer(context, workspaceId, { name: '李四' });
  const { customerId: wang } = await startConversation(context, inbox.token, '在吗');
  const zhao = await insertCustomer(context, workspaceId, { name: '赵六' });
  const merged = await insertCustomer(context, workspaceId, { name: '张三（重复）' });
  const now = Date.now();
  const update = (id: string, columns: Record<string, unknown>) => {
    const keys = Object.keys(columns);
    return sql(`update customers set ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')} where id = $1`, [
      id,
      ...Object.values(columns),
    ]);
  };
  await update(zhang, {
    gender: 'male',
    region: '浙江杭州',
    source: '抖音',
    campaign: '618大促',
    birthday: '1990-05-01',
    owner_id: owner.userId,
    order_count: 5,
    total_spent_fen: 50_000,
    last_order_at: new Date(now - 10 * DAY),
    rfm_tier: 'loyal',
    lifecycle_stage: 'active',
    custom_fields: JSON.stringify({
      level: 'gold',
      score: 90,
      joined: '2023-01-15',
      hobbies: ['tea', 'books'],
      note: 'VIP客户',
    }),
  });
  await update(li, {
    gender: 'female',
    region: '上海',
    source: '淘宝',
    birthday: '1985-11-20',
    order_count: 1,
    total_spent_fen: 9_900,
    last_order_at: new Date(now - 100 * DAY),
    rfm_tier: 'winback',
    lifecycle_stage: 'dormant',
    custom_fields: JSON.stringify({ level: 'silver', score: 60, joined: '2024-06-01', hobbies: ['tea'] }),
  });
  await update(wang, { name: '王五' });
  await update(zhao, {
    gender: 'male',
    region: '浙江宁波',
    order_count: 3,
    total_spent_fen: 30_000,
    last_order_at: new Date(now - 400 * DAY),
    rfm_tier: 'churned',
    lifecycle_stage: 'churned',
    custom_fields: JSON.stringify({ score: 'not-a-number', joined: 'someday' }),
  });
  await update(merged, { merged_into_id: zhang, gender: 'male', region: '浙江杭州', rfm_tier: 'loyal' });

  await put(owner, `/api/v1/customers/${zhang}/tags`, { add: [tag('VIP'), tag('老客户'), tag('抖音')] });
  await put(owner, `/api/v1/customers/${li}/tags`, { add: [tag('VIP'), tag('淘宝')] });
  await put(owner, `/api/v1/customers/${zhao}/tags`, { add: [tag('高频咨询')] });
  await sql('insert into customer_tags (workspace_id, customer_id, tag_id) values ($1, $2, $3), ($1, $2, $4)', [
    workspaceId,
    merged,
    tag('VIP'),
    tag('老客户'),
  ]);

  for (const [customerId, orderNo, product, amount] of [
    [zhang, 'TB1001', '西湖龙井茶礼盒 250g', 50_000],
    [li, 'TB1002', '云南普洱茶饼', 9_900],
  ] as const) {
    const orderId = newId();
    await sql(
      `insert into orders (id, workspace_id, customer_id, platform, order_no, status, amount_fen, placed_at)
       values ($1, $2, $3, 'taobao', $4, 'completed', $5, now())`,
      [orderId, workspaceId, customerId, orderNo, amount],
    );
    await sql(
      `insert into order_items (id, workspace_id, order_id, position, product_name, quantity, price_fen)
       values ($1, $2, $3, 0, $4, 1, $5)`,
      [newId(), workspaceId, orderId, product, amount],
    );
  }
  // 赵六 last wrote 90 days ago (and 400 days ago); 王五 writes today and wrote 200 days ago.
  for (const [customerId, daysAgo] of [
    [zhao, 90],
    [zhao, 400],
    [wang, 200],
  ] as const) {
    await sql(
      `insert into conversations (id, workspace_id, inbox_id, customer_id, status, last_message_at)
       values ($1, $2, $3, $4, 'resolved', now() - make_interval(days => $5))`,
      [newId(), workspaceId, inbox.id, customerId, daysAgo],
    );
  }
  const names = new Map([
    [zhang, '张三'],
    [li, '李四'],
    [wang, '王五'],
    [zhao, '赵六'],
    [merged, '重复'],
  ]);
  return { ...workspace, workspaceId, tag, ids: { zhang, li, wang, zhao, merged }, names };
}

type Shop = Awaited<ReturnType<typeof buildShop>>;
let shop: Shop;
beforeAll(async () => {
  shop = await buildShop();
});

type Condition = { field: string; op: string; value?: unknown; key?: string };
const all = (...conditions: unknown[]) => ({ op: 'and', conditions });

async function matching(filter: unknown): Promise<string[]> {
  const count = await shop.owner.post('/api/v1/segments/count', { filter });
  expect(count.statusCode, count.body).toBe(200);
  const preview = await shop.owner.post('/api/v1/segments/preview', { filter, limit: 100 });
  expect(preview.statusCode, preview.body).toBe(200);
  const names = (preview.json().items as { id: string }[]).map((c) => shop.names.get(c.id)!).sort();
  expect(count.json().count).toBe(names.length);
  return names;
}
const one = (condition: Condition) => matching(all(condition));
const sorted = (...names: string[]) => [...names].sort();

describe('segment conditions', () => {
  it('matches everyone with an empty filter, never a merged-away record', async () => {
    expect(await matching(all())).toEqual(sorted('张三', '李四', '王五', '赵六'));
  });

  it('filters on text fields', async () => {
    expect(await one({ field: 'name', op: 'eq', value: '张三' })).toEqual(['张三']);
    expect(await one({ field: 'region', op: 'contains', value: '浙江' })).toEqual(sorted('张三', '赵六'));
    expect(await one({ field: 'region', op: 'neq', value: '上海' })).toEqual(sorted('张三', '王五', '赵六'));
    expect(await one({ field: 'region', op: 'in', value: ['上海', '浙江宁波'] })).toEqual(sorted('李四', '赵六'));
    expect(await one({ field: 'region', op: 'not_in', value: ['上海'] })).toEqual(sorted('张三', '王五', '赵六'));
    expect(await one({ field: 'region', op: 'is_empty' })).toEqual(['王五']);
    expect(await one({ field: 'source', op: 'is_not_empty' })).toEqual(sorted('张三', '李四'));
    expect(await one({ field: 'campaign', op: 'eq', value: '618大促' })).toEqual(['张三']);
  });

  it('compares names as search does: traditional and simplified, full- and half-width, any case', async () => {
    const { owner } = await createWorkspace(context);
    const workspaceId = owner.workspaceId!;
    const names = new Map<string, string>();
    for (const name of ['陈小明', '陳大文', '劉德華', '張小凡', 'ＬｉＭｉｎｇ', '王芳']) {
      names.set(await insertCustomer(context, workspaceId, { name }), name);
    }
    // A nickname is not the name: 王芳 nicknamed 陈 is not in 「name contains 陈」.
    const wang = [...names].find(([, name]) => name === '王芳')![0];
    expect((await owner.patch(`/api/v1/customers/${wang}`, { nickname: '陈' })).statusCode).toBe(200);
    const named = async (op: string, value: unknown) => {
      const filter = all({ field: 'name', op, value });
      const count = await owner.post('/api/v1/segments/count', { filter });
      const preview = await owner.post('/api/v1/segments/preview', { filter, limit: 100 });
      expect(count.statusCode, count.body).toBe(200);
      const found = (preview.json().items as { id: string }[]).map((c) => names.get(c.id)!).sort();
      expect(count.json().count).toBe(found.length);
      return found;
    };
    expect(await named('contains', '陈')).toEqual(sorted('陈小明', '陳大文'));
    expect(await named('contains', '陳')).toEqual(sorted('陈小明', '陳大文'));
    expect(await named('contains', '德华')).toEqual(['劉德華']);
    expect(await named('eq', '刘德华')).toEqual(['劉德華']);
    expect(await named('eq', '张小凡')).toEqual(['張小凡']);
    expect(await named('in', ['張小凡', '陈大文'])).toEqual(sorted('張小凡', '陳大文'));
    expect(await named('contains', 'liming')).toEqual(['ＬｉＭｉｎｇ']);
    expect(await named('eq', 'ＬＩＭＩＮＧ')).toEqual(['ＬｉＭｉｎｇ']);
    expect(await named('neq', '劉德华')).toEqual(sorted('陈小明', '陳大文', '張小凡', 'ＬｉＭｉｎｇ', '王芳'));
    expect(await named('not_in', ['陈小明', '陈大文'])).toEqual(sorted('劉德華', '張小凡', 'ＬｉＭｉｎｇ', '王芳'));
    expect(await named('contains', '　')).toEqual([]);
  });

  it('filters on gender, owner, RFM tier and lifecycle stage', async () => {
    expect(await one({ field: 'gender', op: 'eq', value: 'male' })).toEqual(sorted('张三', '赵六'));
    expect(await one({ field: 'gender', op: 'is_empty' })).toEqual(['王五']);
    expect(await one({ field: 'owner', op: 'eq', value: shop.owner.userId })).toEqual(['张三']);
    expect(await one({ field: 'owner', op: 'is_empty' })).toEqual(sorted('李四', '王五', '赵六'));
    expect(await one({ field: 'rfm_tier', op: 'in', value: ['loyal', 'winback'] })).toEqual(sorted('张三', '李四'));
    expect(await one({ field: 'rfm_tier', op: 'is_empty' })).toEqual(['王五']);
    expect(await one({ field: 'lifecycle_stage', op: 'eq', value: 'prospect' })).toEqual(['王五']);
  });

  it('filters on dates as days in the workspace’s timezone', async () => {
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect(await one({ field: 'created_at', op: 'eq', value: today })).toHaveLength(4);
    expect(await one({ field: 'created_at', op: 'lt', value: today })).toEqual([]);
    expect(await one({ field: 'birthday', op: 'between', value: ['1990-01-01', '1990-12-31'] })).toEqual(['张三']);
    expect(await one({ field: 'birthday', op: 'lte', value: '1985-11-20' })).toEqual(['李四']);
    expect(await one({ field: 'birthday', op: 'gt', value: '1985-11-20' })).toEqual(['张三']);
    expect(await one({ field: 'last_order_at', op: 'within_days', value: 30 })).toEqual(['张三']);
    expect(await one({ field: 'last_order_at', op: 'older_than_days', value: 365 })).toEqual(['赵六']);
    expect(await one({ field: 'last_order_at', op: 'is_empty' })).toEqual(['王五']);
  });

  it('filters on order figures and products bought', async () => {
    expect(await one({ field: 'order_count', op: 'gte', value: 3 })).toEqual(sorted('张三', '赵六'));
    expect(await one({ field: 'order_count', op: 'eq', value: 0 })).toEqual(['王五']);
    expect(await one({ field: 'total_spent_fen', op: 'between', value: [9_900, 30_000] })).toEqual(
      sorted('李四', '赵六'),
    );
    expect(await one({ field: 'total_spent_fen', op: 'lt', value: 10_000 })).toEqual(sorted('李四', '王五'));
    expect(await one({ field: 'product', op: 'contains', value: '龙井' })).toEqual(['张三']);
    expect(await one({ field: 'product', op: 'contains', value: '茶' })).toEqual(sorted('张三', '李四'));
  });

  it('filters on tags, a parent tag including its children', async () => {
    const { tag } = shop;
    expect(await one({ field: 'tags', op: 'has_any', value: [tag('电商平台')] })).toEqual(sorted('张三', '李四'));
    expect(await one({ field: 'tags', op: 'has_any', value: [tag('抖音'), tag('高频咨询')] })).toEqual(
      sorted('张三', '赵六'),
    );
    expect(await one({ field: 'tags', op: 'has_all', value: [tag('VIP'), tag('老客户')] })).toEqual(['张三']);
    expect(await one({ field: 'tags', op: 'has_all', value: [tag('VIP'), tag('电商平台')] })).toEqual(
      sorted('张三', '李四'),
    );
    expect(await one({ field: 'tags', op: 'has_none', value: [tag('VIP')] })).toEqual(sorted('王五', '赵六'));
    expect(await one({ field: 'tags', op: 'has_none', value: [tag('电商平台')] })).toEqual(sorted('王五', '赵六'));
  });

  it('filters on last contact: the latest conversation, whatever older ones there are', async () => {
    const lastContact = (op: string, value?: unknown) => one({ field: 'last_contact_at', op, value });
    const day = (daysAgo: number) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - daysAgo * DAY));
    expect(await lastContact('within_days', 7)).toEqual(['王五']);
    expect(await lastContact('within_days', 100)).toEqual(sorted('王五', '赵六'));
    expect(await lastContact('older_than_days', 30)).toEqual(['赵六']);
    expect(await lastContact('older_than_days', 100)).toEqual([]);
    expect(await lastContact('eq', day(0))).toEqual(['王五']);
    expect(await lastContact('lt', day(0))).toEqual(['赵六']);
    expect(await lastContact('gte', day(95))).toEqual(sorted('王五', '赵六'));
    expect(await lastContact('between', [day(120), day(60)])).toEqual(['赵六']);
    expect(await lastContact('between', [day(450), day(150)])).toEqual([]);
    expect(await lastContact('is_empty')).toEqual(sorted('张三', '李四'));
    expect(await lastContact('is_not_empty')).toEqual(sorted('王五', '赵六'));
    expect(
      await matching({
        op: 'or',
        conditions: [
          { field: 'last_contact_at', op: 'older_than_days', value: 30 },
          { field: 'name', op: 'eq', value: '张三' },
        ],
      }),
    ).toEqual(sorted('张三', '赵六'));
  });

  it('filters on channel', async () => {
    expect(await one({ field: 'channel', op: 'eq', value: 'website' })).toEqual(sorted('王五', '赵六'));
    expect(await one({ field: 'channel', op: 'neq', value: 'website' })).toEqual(sorted('张三', '李四'));
    expect(await one({ field: 'channel', op: 'in', value: ['email', 'wechat'] })).toEqual([]);
  });

  it('filters on custom fields by their defined type', async () => {
    const custom = (key: string, op: string, value?: unknown) => one({ field: 'custom_field', key, op, value });
    expect(await custom('level', 'eq', 'gold')).toEqual(['张三']);
    expect(await custom('level', 'is_empty')).toEqual(sorted('王五', '赵六'));
    expect(await custom('score', 'gt', 70)).toEqual(['张三']);
    expect(await custom('score', 'between', [50, 100])).toEqual(sorted('张三', '李四'));
    expect(await custom('score', 'is_empty')).toEqual(sorted('王五', '赵六'));
    expect(await custom('joined', 'lt', '2024-01-01')).toEqual(['张三']);
    expect(await custom('joined', 'between', ['2024-01-01', '2024-12-31'])).toEqual(['李四']);
    expect(await custom('hobbies', 'has_any', ['books', 'travel'])).toEqual(['张三']);
    expect(await custom('hobbies', 'has_all', ['tea'])).toEqual(sorted('张三', '李四'));
    expect(await custom('hobbies', 'has_none', ['books'])).toEqual(sorted('李四', '王五', '赵六'));
    expect(await custom('hobbies', 'is_not_empty')).toEqual(sorted('张三', '李四'));
    expect(await custom('note', 'contains', 'vip')).toEqual(['张三']);
  });

  it('refuses a custom field that does not exist or a value its type cannot hold', async () => {
    const unknown = await shop.owner.post('/api/v1/segments/count', {
      filter: all({ field: 'custom_field', key: 'nope', op: 'eq', value: 'x' }),
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('segment.invalid_filter');
    const wrongOption = await shop.owner.post('/api/v1/segments/count', {
      filter: all({ field: 'custom_field', key: 'level', op: 'eq', value: 'platinum' }),
    });
    expect(wrongOption.statusCode).toBe(400);
    expect(wrongOption.json().error.message).toContain('platinum');
    const wrongOperator = await shop.owner.post('/api/v1/segments/count', {
      filter: all({ field: 'custom_field', key: 'score', op: 'contains', value: '9' }),
    });
    expect(wrongOperator.statusCode).toBe(400);
  });

  it('combines AND and OR groups', async () => {
    const zhejiangMen = all(
      { field: 'gender', op: 'eq', value: 'male' },
      { field: 'region', op: 'contains', value: '浙江' },
    );
    expect(
      await matching({ op: 'or', conditions: [zhejiangMen, { field: 'rfm_tier', op: 'eq', value: 'winback' }] }),
    ).toEqual(sorted('张三', '李四', '赵六'));
    expect(
      await matching(
        all(
          { field: 'tags', op: 'has_any', value: [shop.tag('VIP')] },
          {
            op: 'or',
            conditions: [
              { field: 'order_count', op: 'gt', value: 3 },
              all({ field: 'region', op: 'eq', value: '上海' }, { field: 'gender', op: 'eq', value: 'female' }),
            ],
          },
        ),
      ),
    ).toEqual(sorted('张三', '李四'));
    expect(await matching({ op: 'or', conditions: [] })).toHaveLength(4);
  });

  it('treats SQL-looking values as plain text', async () => {
    for (const value of ["' or 1=1 --", '%', '_', "'); drop table customers; --", '\\']) {
      expect(await one({ field: 'name', op: 'eq', value })).toEqual([]);
      expect(await one({ field: 'name', op: 'contains', value })).toEqual([]);
      expect(await one({ field: 'region', op: 'contains', value })).toEqual([]);
      expect(await one({ field: 'product', op: 'contains', value })).toEqual([]);
    }
    const injectedKey = await shop.owner.post('/api/v1/segments/count', {
      filter: all({ field: 'custom_field', key: "level' or '1'='1", op: 'eq', value: 'gold' }),
    });
    expect(injectedKey.statusCode).toBe(400);
    expect(await countRows(context, 'from customers where workspace_id = $1', [shop.workspaceId])).toBe(5);
  });

  it('refuses malformed filters with the path of the problem', async () => {
    const cases: [unknown, string][] = [
      [all({ field: 'order_count', op: 'gt', value: 'many' }), '/filter/conditions/0/value'],
      [all({ field: 'order_count', op: 'contains', value: 1 }), '/filter/conditions/0/value'],
      [all({ field: 'gender', op: 'eq', value: 'robot' }), '/filter/conditions/0/value'],
      [all({ field: 'created_at', op: 'eq', value: '2024/01/01' }), '/filter/conditions/0/value'],
      [all({ field: 'birthday', op: 'between', value: ['2024-02-01', '2024-01-01'] }), '/filter/conditions/0/value'],
      [all(all(all(all()))), '/filter/conditions/0/conditions/0/conditions/0'],
      [all({ field: 'salary', op: 'eq', value: 1 }), '/filter/conditions/0'],
    ];
    for (const [filter, path] of cases) {
      const response = await shop.owner.post('/api/v1/segments/count', { filter });
      expect(response.statusCode, JSON.stringify(filter)).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
      expect(response.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const foreignTag = await shop.owner.post('/api/v1/segments/count', {
      filter: all({ field: 'tags', op: 'has_any', value: ['0190a0a0-0000-7000-8000-000000000000'] }),
    });
    expect(foreignTag.statusCode).toBe(400);
    expect(foreignTag.json().error.code).toBe('tag.unknown');
  });
});

describe('saved segments', () => {
  it('saves, counts, edits and deletes a segment; everyone reads, only managers change', async () => {
    const { owner, addUser, tag } = shop;
    const supervisor = await addUser('supervisor');
    const agent = await addUser('agent');
    const filter = all({ field: 'tags', op: 'has_any', value: [tag('VIP')] });
    const created = await supervisor.post('/api/v1/segments', { name: 'VIP 客户', filter });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'VIP 客户', description: '', filter, createdBy: supervisor.userId });
    const id = created.json().id;
    expect((await agent.get(`/api/v1/segments/${id}/count`)).json()).toMatchObject({ count: 2 });
    expect((await agent.get('/api/v1/segments')).json().items.map((s: { id: string }) => s.id)).toContain(id);
    expect((await agent.post('/api/v1/segments', { name: '客服的分组', filter })).statusCode).toBe(403);
    expect((await agent.patch(`/api/v1/segments/${id}`, { name: '改名' })).statusCode).toBe(403);
    expect((await agent.request({ method: 'DELETE', url: `/api/v1/segments/${id}` })).statusCode).toBe(403);

    const duplicate = await owner.post('/api/v1/segments', { name: 'VIP 客户', filter: all() });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('segment.name_taken');

    const edited = await supervisor.patch(`/api/v1/segments/${id}`, {
      filter: all({ field: 'tags', op: 'has_all', value: [tag('VIP'), tag('老客户')] }),
    });
    expect(edited.statusCode).toBe(200);
    expect((await owner.get(`/api/v1/segments/${id}/count`)).json()).toMatchObject({ count: 1 });
    expect((await supervisor.request({ method: 'DELETE', url: `/api/v1/segments/${id}` })).statusCode).toBe(204);
    expect((await owner.get(`/api/v1/segments/${id}`)).json().error.code).toBe('segment.not_found');
  });

  it('keeps counting a saved segment whose tag was deleted since (that condition matches nobody)', async () => {
    const { owner, tag } = shop;
    const extra = (
      await owner.post('/api/v1/tags', {
        groupId: (await owner.get(`/api/v1/tags/${tag('VIP')}`)).json().groupId,
        name: '临时',
      })
    ).json();
    const segment = (
      await owner.post('/api/v1/segments', {
        name: '临时或VIP',
        filter: {
          op: 'or',
          conditions: [
            { field: 'tags', op: 'has_any', value: [extra.id] },
            { field: 'tags', op: 'has_any', value: [tag('VIP')] },
          ],
        },
      })
    ).json();
    await owner.request({ method: 'DELETE', url: `/api/v1/tags/${extra.id}` });
    expect((await owner.get(`/api/v1/segments/${segment.id}/count`)).json()).toMatchObject({ count: 2 });
  });

  it('lists segments with their stored counts, without counting; a count stores the new number and time', async () => {
    const s = await buildShop();
    const agent = await s.addUser('agent');
    const filter = all({ field: 'tags', op: 'has_any', value: [s.tag('VIP')] });
    const created = (await s.owner.post('/api/v1/segments', { name: 'VIP', filter })).json();
    expect(created).toMatchObject({ customerCount: null, countedAt: null });
    const listed = async (client: Client = s.owner) =>
      (await client.get('/api/v1/segments')).json().items.find((item: { id: string }) => item.id === created.id);
    expect(await listed()).toMatchObject({ customerCount: null, countedAt: null });

    const before = Date.now();
    const first = (await agent.get(`/api/v1/segments/${created.id}/count`)).json();
    expect(first.count).toBe(2);
    expect(Date.parse(first.countedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await listed(agent)).toMatchObject({
      customerCount: 2,
      countedAt: first.countedAt,
      updatedAt: created.updatedAt,
    });

    // A third VIP: the list still answers what was counted (it counts nothing); counting again stores the news.
    await sql(`insert into customer_tags (workspace_id, customer_id, tag_id) values ($1, $2, $3)`, [
      s.workspaceId,
      s.ids.zhao,
      s.tag('VIP'),
    ]);
    expect(await listed()).toMatchObject({ customerCount: 2, countedAt: first.countedAt });
    const second = (await s.owner.get(`/api/v1/segments/${created.id}/count`)).json();
    expect(second.count).toBe(3);
    expect(Date.parse(second.countedAt)).toBeGreaterThanOrEqual(Date.parse(first.countedAt));
    expect(await listed()).toMatchObject({ customerCount: 3, countedAt: second.countedAt });

    // Renaming (or saving the same filter) keeps the count; another filter forgets it until counted again.
    await s.owner.patch(`/api/v1/segments/${created.id}`, { name: 'VIP 客户', filter });
    expect(await listed()).toMatchObject({ name: 'VIP 客户', customerCount: 3, countedAt: second.countedAt });
    const edited = await s.owner.patch(`/api/v1/segments/${created.id}`, {
      filter: all({ field: 'gender', op: 'eq', value: 'female' }),
    });
    expect(edited.json()).toMatchObject({ customerCount: null, countedAt: null });
    expect(await listed()).toMatchObject({ customerCount: null, countedAt: null });

    // Confirming a bulk action on the segment counts it exactly too, and the list shows that count.
    const bulkCount = (
      await s.owner.post('/api/v1/customers/bulk/count', { target: { segmentId: created.id } })
    ).json();
    expect((await listed()).customerCount).toBe(bulkCount.count);

    // Another workspace neither counts nor overwrites this one's segment.
    const other = await createWorkspace(context);
    const foreign = await other.owner.get(`/api/v1/segments/${created.id}/count`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('segment.not_found');
    expect((await other.owner.get('/api/v1/segments')).json().items).toEqual([]);
    expect(await listed()).toMatchObject({ customerCount: bulkCount.count });
  });
});

describe('bulk actions', () => {
  async function freshShop() {
    return buildShop();
  }

  it('counts a target and tags exactly the counted customers in a job, recorded in the audit log', async () => {
    const s = await freshShop();
    const target = { filter: all({ field: 'gender', op: 'eq', value: 'male' }) };
    const counted = await s.owner.post('/api/v1/customers/bulk/count', { target });
    expect(counted.json()).toEqual({ count: 2 });
    const started = await s.owner.post('/api/v1/customers/bulk', {
      target,
      action: 'add_tags',
      tagIds: [s.tag('复购')],
      expectedCount: 2,
    });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ kind: 'customers.bulk', status: 'queued' });
    await context.jobs.drain();
    const job = (await s.owner.get(`/api/v1/jobs/${started.json().id}`)).json();
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { done: 2, total: 2 },
      result: { action: 'add_tags', expectedCount: 2, matched: 2, processed: 2, changed: 2, unchanged: 0 },
    });
    const { rows } = await sql('select customer_id from customer_tags where tag_id = $1 order by customer_id', [
      s.tag('复购'),
    ]);
    expect(rows.map((r) => r.customer_id)).toEqual([s.ids.zhang, s.ids.zhao].sort());
    const audit = await sql(
      `select actor_id, details from audit_log where workspace_id = $1 and action = 'customers.bulk_updated'`,
      [s.workspaceId],
    );
    expect(audit.rows).toEqual([
      {
        actor_id: s.owner.userId,
        details: expect.objectContaining({ action: 'add_tags', expectedCount: 2, target, tagIds: [s.tag('复购')] }),
      },
    ]);
    expect(
      await countRows(context, `from customer_events where kind = 'tags_changed' and details->>'bulkJobId' = $1`, [
        job.id,
      ]),
    ).toBe(2);
    expect(await countRows(context, 'from bulk_action_targets where workspace_id = $1', [s.workspaceId])).toBe(0);
  });

  it('answers a repeated identical request (a double click) with the job already queued, once per request', async () => {
    const s = await freshShop();
    const body = { target: { customerIds: [s.ids.zhang, s.ids.li] }, action: 'add_tags', expectedCount: 2 };
    const request = { ...body, tagIds: [s.tag('复购')] };
    const answers = await Promise.all(Array.from({ length: 5 }, () => s.owner.post('/api/v1/customers/bulk', request)));
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const jobIds = new Set(answers.map((answer) => answer.json().id));
    expect(jobIds.size).toBe(1);
    await context.jobs.drain();
    // Still the same job moments after it finished; another tag, or the same request later, is a new job.
    const again = await s.owner.post('/api/v1/customers/bulk', request);
    expect(again.json()).toMatchObject({ id: [...jobIds][0], status: 'succeeded' });
    const other = await s.owner.post('/api/v1/customers/bulk', { ...body, tagIds: [s.tag('VIP')] });
    expect(jobIds.has(other.json().id)).toBe(false);
    await sql(`update jobs set created_at = now() - interval '1 minute' where id = $1`, [[...jobIds][0]]);
    const later = await s.owner.post('/api/v1/customers/bulk', request);
    expect(jobIds.has(later.json().id)).toBe(false);
    const queued = await countRows(
      context,
      `from audit_log where workspace_id = $1 and action = 'customers.bulk_updated'`,
      [s.workspaceId],
    );
    expect(queued).toBe(3);
  });

  it('acts on the results of a search', async () => {
    const s = await freshShop();
    const count = await s.owner.post('/api/v1/customers/bulk/count', { target: { q: '张三' } });
    expect(count.json()).toEqual({ count: 1 });
    const started = await s.owner.post('/api/v1/customers/bulk', {
      target: { q: '张三' },
      action: 'add_tags',
      tagIds: [s.tag('复购')],
      expectedCount: 1,
    });
    expect(started.statusCode, started.body).toBe(202);
    await context.jobs.drain();
    const { rows } = await sql('select customer_id from customer_tags where tag_id = $1', [s.tag('复购')]);
    expect(rows.map((r) => r.customer_id)).toEqual([s.ids.zhang]);
  });

  it('acts on every match of a search — past the 10,000 a selection may hold — exactly as many as it counted', async () => {
    const s = await freshShop();
    // 10,050 more customers named 李… (plus 李四 of the shop), written with their search columns in one statement.
    await sql(
      `insert into customers (id, workspace_id, name, search_name, search_text, search_grams, search_version)
       select gen_random_uuid(), $1, '李' || n, '李' || n, '李' || n, array['李'], 2
       from generate_series(1, 10050) as n`,
      [s.workspaceId],
    );
    const expected = 10_051;
    const target = { q: '李' };
    const counted = await s.owner.post('/api/v1/customers/bulk/count', { target });
    expect(counted.json()).toEqual({ count: expected });
    const started = await s.owner.post('/api/v1/customers/bulk', {
      target,
      action: 'add_tags',
      tagIds: [s.tag('复购')],
      expectedCount: expected,
    });
    expect(started.statusCode, started.body).toBe(202);
    await context.jobs.drain();
    const job = (await s.owner.get(`/api/v1/jobs/${started.json().id}`)).json();
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { done: expected, total: expected },
      result: { expectedCount: expected, matched: expected, processed: expected, changed: expected },
    });
    expect(await countRows(context, 'from customer_tags where tag_id = $1', [s.tag('复购')])).toBe(expected);
    expect(
      await countRows(context, `from customer_tags where tag_id = $1 and customer_id in ($2, $3)`, [
        s.tag('复购'),
        s.ids.zhang,
        s.ids.merged,
      ]),
    ).toBe(0);

    // An export of the same search writes every match too.
    const exported = await s.owner.post('/api/v1/exports', { target, format: 'csv', fields: ['name'] });
    expect(exported.statusCode, exported.body).toBe(202);
    await context.jobs.drain();
    const exportJob = (await s.owner.get(`/api/v1/jobs/${exported.json().id}`)).json();
    expect(exportJob).toMatchObject({ status: 'succeeded', result: { rows: expected } });
  }, 120_000);

  it('answers at once and freezes the customers in the job, saying how many matched if the count changed', async () => {
    const s = await freshShop();
    const segment = (
      await s.owner.post('/api/v1/segments', { name: '男', filter: all({ field: 'gender', op: 'eq', value: 'male' }) })
    ).json();
    const started = await s.owner.post('/api/v1/customers/bulk', {
      target: { segmentId: segment.id },
      action: 'add_tags',
      tagIds: [s.tag('复购')],
      expectedCount: 3,
    });
    expect(started.statusCode, started.body).toBe(202);
    expect(await countRows(context, 'from bulk_action_targets where workspace_id = $1', [s.workspaceId])).toBe(0);
    // A customer who stops matching before the job starts is left out.
    await sql(`update customers set gender = 'female' where id = $1`, [s.ids.zhao]);
    await context.jobs.drain();
    const job = (await s.owner.get(`/api/v1/jobs/${started.json().id}`)).json();
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { done: 1, total: 1 },
      result: { expectedCount: 3, matched: 1, changed: 1 },
    });
    const { rows } = await sql('select customer_id from customer_tags where tag_id = $1', [s.tag('复购')]);
    expect(rows.map((r) => r.customer_id)).toEqual([s.ids.zhang]);
  });

  it('removes tags, replaces single-select tags and assigns owners on a selection', async () => {
    const s = await freshShop();
    const run = async (body: object) => {
      const response = await s.owner.post('/api/v1/customers/bulk', body);
      expect(response.statusCode, response.body).toBe(202);
      await context.jobs.drain();
      return (await s.owner.get(`/api/v1/jobs/${response.json().id}`)).json();
    };
    const selection = { customerIds: [s.ids.zhang, s.ids.li, s.ids.merged] };
    expect((await s.owner.post('/api/v1/customers/bulk/count', { target: selection })).json()).toEqual({ count: 2 });
    const removed = await run({ target: selection, action: 'remove_tags', tagIds: [s.tag('VIP')], expectedCount: 2 });
    expect(removed.result).toMatchObject({ changed: 2 });
    expect(
      await countRows(context, 'from customer_tags where tag_id = $1 and customer_id <> $2', [
        s.tag('VIP'),
        s.ids.merged,
      ]),
    ).toBe(0);

    await run({ target: selection, action: 'add_tags', tagIds: [s.tag('售后客户')], expectedCount: 2 });
    const status = await sql(
      `select c.name, t.name as tag from customer_tags ct join customers c on c.id = ct.customer_id join tags t on t.id = ct.tag_id
       join tag_groups g on g.id = t.group_id where g.name = '状态' and c.id = any($1) order by c.name`,
      [[s.ids.zhang, s.ids.li]],
    );
    expect(status.rows).toEqual([
      { name: '张三', tag: '售后客户' },
      { name: '李四', tag: '售后客户' },
    ]);

    const agent = await s.addUser('agent', '小周');
    const assigned = await run({ target: selection, action: 'assign_owner', ownerId: agent.userId, expectedCount: 2 });
    expect(assigned.result).toMatchObject({ changed: 2 });
    expect(await countRows(context, 'from customers where owner_id = $1', [agent.userId])).toBe(2);
    // Asked again later (moments after, the same request answers the job already run).
    await sql(`update jobs set created_at = now() - interval '1 minute' where workspace_id = $1`, [s.workspaceId]);
    const again = await run({ target: selection, action: 'assign_owner', ownerId: agent.userId, expectedCount: 2 });
    expect(again.result).toMatchObject({ changed: 0, unchanged: 2 });
  });

  it('runs safely again after a crash, on the customers it froze the first time', async () => {
    const s = await freshShop();
    const response = await s.owner.post('/api/v1/customers/bulk', {
      target: { filter: all() },
      action: 'add_tags',
      tagIds: [s.tag('价格敏感')],
      expectedCount: 4,
    });
    const jobId = response.json().id;
    // The first attempt freezes its 4 customers, then the database fails under it while tagging them.
    await sql(`create function zz_fail() returns trigger language plpgsql as $$ begin raise exception 'lost'; end $$`);
    await sql('create trigger zz_fail before insert on customer_tags for each row execute function zz_fail()');
    await context.jobs.runNext();
    await sql('drop trigger zz_fail on customer_tags');
    await sql('drop function zz_fail()');
    expect((await s.owner.get(`/api/v1/jobs/${jobId}`)).json().status).toBe('queued');
    // Meanwhile two of them got the tag by hand and a new customer arrived.
    const bulkId = (await sql('select payload from jobs where id = $1', [jobId])).rows[0].payload.bulkId;
    await sql(
      `insert into customer_tags (workspace_id, customer_id, tag_id)
       select workspace_id, customer_id, $2 from bulk_action_targets where bulk_id = $1 order by customer_id limit 2`,
      [bulkId, s.tag('价格敏感')],
    );
    const newcomer = await insertCustomer(context, s.workspaceId, { name: '新来的' });
    await context.jobs.drain();
    const job = (await s.owner.get(`/api/v1/jobs/${jobId}`)).json();
    expect(job).toMatchObject({ status: 'succeeded', result: { matched: 4, changed: 2, unchanged: 2 } });
    const { rows } = await sql('select customer_id from customer_tags where tag_id = $1', [s.tag('价格敏感')]);
    expect(rows.map((r) => r.customer_id).sort()).toEqual([s.ids.zhang, s.ids.li, s.ids.wang, s.ids.zhao].sort());
    expect(rows.map((r) => r.customer_id)).not.toContain(newcomer);
  });

  it('stops at the next batch when cancelled: the customers done so far keep the change, audited as cancelled', async () => {
    const s = await freshShop();
    await sql(
      `insert into customers (id, workspace_id, name)
       select gen_random_uuid(), $1, '客户' || n from generate_series(1, 2496) as n`,
      [s.workspaceId],
    );
    const supervisor = await s.addUser('supervisor');
    const started = await supervisor.post('/api/v1/customers/bulk', {
      target: { filter: all() },
      action: 'add_tags',
      tagIds: [s.tag('价格敏感')],
      expectedCount: 2500,
    });
    expect(started.statusCode, started.body).toBe(202);
    const jobId = started.json().id;
    // An unfinished tagging of the 1001st customer makes the job wait inside its second batch while the lead cancels.
    const held = await context.database.pool.connect();
    let isRunning: Promise<unknown> | undefined;
    try {
      await held.query('begin');
      await held.query(
        `insert into customer_tags (workspace_id, customer_id, tag_id)
         select $1, id, $2 from customers where workspace_id = $1 and merged_into_id is null
         order by id offset 1000 limit 1`,
        [s.workspaceId, s.tag('价格敏感')],
      );
      isRunning = context.jobs.runNext();
      for (let i = 0; i < 200; i++) {
        if ((await supervisor.get(`/api/v1/jobs/${jobId}`)).json().progress.done === 1000) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const asked = await s.owner.post(`/api/v1/jobs/${jobId}/cancel`, {});
      expect(asked.json()).toMatchObject({ status: 'running', isCancelRequested: true, progress: { done: 1000 } });
    } finally {
      await held.query('rollback');
      held.release();
    }
    await isRunning;
    const job = (await supervisor.get(`/api/v1/jobs/${jobId}`)).json();
    expect(job).toMatchObject({
      status: 'cancelled',
      progress: { done: 2000, total: 2500 },
      result: { action: 'add_tags', expectedCount: 2500, matched: 2500, processed: 2000, changed: 2000, unchanged: 0 },
    });
    const tagged = () => countRows(context, 'from customer_tags where tag_id = $1', [s.tag('价格敏感')]);
    expect(await tagged()).toBe(2000);
    await context.jobs.drain();
    expect(await tagged()).toBe(2000);
    expect((await supervisor.get(`/api/v1/jobs/${jobId}`)).json().status).toBe('cancelled');
    expect(await countRows(context, 'from bulk_action_targets where workspace_id = $1', [s.workspaceId])).toBe(0);
    const audit = await sql(
      `select actor_id, details from audit_log where workspace_id = $1 and action = 'customers.bulk_cancelled'`,
      [s.workspaceId],
    );
    expect(audit.rows).toEqual([
      { actor_id: s.owner.userId, details: expect.objectContaining({ processed: 2000, changed: 2000 }) },
    ]);
  });

  it('refuses lower roles, unknown tags and another workspace’s segments and owners', async () => {
    const s = await freshShop();
    const other = await createWorkspace(context);
    const otherTag = (await other.owner.get('/api/v1/tags')).json().items[0].id;
    const target = { filter: all() };
    for (const role of ['agent', 'analyst'] as const) {
      const user = await s.addUser(role);
      expect((await user.post('/api/v1/customers/bulk/count', { target })).statusCode).toBe(403);
      const refused = await user.post('/api/v1/customers/bulk', {
        target,
        action: 'add_tags',
        tagIds: [s.tag('VIP')],
        expectedCount: 4,
      });
      expect(refused.statusCode).toBe(403);
    }
    const foreignTag = await s.owner.post('/api/v1/customers/bulk', {
      target,
      action: 'add_tags',
      tagIds: [otherTag],
      expectedCount: 4,
    });
    expect(foreignTag.statusCode).toBe(400);
    expect(foreignTag.json().error.code).toBe('tag.unknown');
    const foreignOwner = await s.owner.post('/api/v1/customers/bulk', {
      target,
      action: 'assign_owner',
      ownerId: other.owner.userId,
      expectedCount: 4,
    });
    expect(foreignOwner.statusCode).toBe(404);
    const noTags = await s.owner.post('/api/v1/customers/bulk', { target, action: 'add_tags', expectedCount: 4 });
    expect(noTags.statusCode).toBe(400);
    expect(noTags.json().error.details).toEqual([expect.objectContaining({ path: '/tagIds' })]);
    expect(await countRows(context, 'from jobs where workspace_id = $1', [s.workspaceId])).toBe(0);
  });
});

describe('demo data', () => {
  it(
    'seeds tagged customers and the funnel segments, each of which counts',
    async () => {
      const { seedDemoWorkspace } = await import('../../db/demo-seed.ts');
      const { login } = await import('../../../test/harness.ts');
      const { email, password } = await seedDemoWorkspace(context, context.database);
      const owner = await login(context, email, password);
      const segments = (await owner.get('/api/v1/segments')).json().items as { id: string; name: string }[];
      expect(segments.map((s) => s.name).sort()).toEqual(['售后客户', '已下单', '沉睡客户', '潜在客户'].sort());
      const counts = new Map<string, number>();
      for (const segment of segments) {
        const response = await owner.get(`/api/v1/segments/${segment.id}/count`);
        expect(response.statusCode, response.body).toBe(200);
        counts.set(segment.name, response.json().count);
      }
      expect(counts.get('售后客户')).toBeGreaterThan(20);
      const vip = (await owner.get('/api/v1/tags')).json().items.find((t: Tag) => t.name === 'VIP');
      expect(await countRows(context, 'from customer_tags where tag_id = $1', [vip.id])).toBe(20);
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});

describe('API description', () => {
  it('documents the segment, tag and bulk endpoints, including the recursive filter', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    for (const path of [
      '/api/v1/segments/count',
      '/api/v1/customers/bulk',
      '/api/v1/tag-groups',
      '/api/v1/customers/{id}/tags',
    ]) {
      expect(paths).toContain(path);
    }
    // Every reference resolves, so client generators can read the document.
    const document = response.json();
    const refs = [...new Set(response.body.match(/"\$ref":"[^"]+"/g) ?? [])].map((ref) => ref.slice(8, -1));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas, ref).toHaveProperty([ref.split('/').at(-1)!]);
    }
  });
});
