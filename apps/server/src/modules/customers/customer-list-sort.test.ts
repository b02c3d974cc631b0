import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

const context = await createTestApp();

type Page = { items: { id: string; name: string | null }[]; nextCursor: string | null };
type Count = { count: number; precision: 'exact' | 'estimate' | 'atLeast' };

async function shop() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  /** A customer with these order aggregates (written as the orders module keeps them). */
  const add = async (
    name: string,
    value: { spent?: number; orders?: number; lastOrderAt?: string | null; stage?: string; tier?: string } = {},
  ) => {
    const id = await insertCustomer(context, workspaceId, { name });
    await context.database.pool.query(
      `update customers set total_spent_fen = $2, order_count = $3, last_order_at = $4, lifecycle_stage = $5,
         rfm_tier = $6
       where id = $1`,
      [
        id,
        value.spent ?? 0,
        value.orders ?? 0,
        value.lastOrderAt ?? null,
        value.stage ?? 'prospect',
        value.tier ?? null,
      ],
    );
    return id;
  };
  const get = (query: string) => workspace.owner.get(`/api/v1/customers?${query}`);
  /** Every name of the sorted list, following the cursors `limit` at a time. */
  const walk = async (query: string, limit = 2) => {
    const names: (string | null)[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const response = await get(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as Page;
      names.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor;
      if (!cursor) return names;
    }
    throw new Error('the cursor never ended');
  };
  const count = async (query = '') => {
    const response = await workspace.owner.get(`/api/v1/customers/count?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Count;
  };
  return { ...workspace, workspaceId, add, get, walk, count };
}

describe('customer list sorting', () => {
  it('sorts by total spent, order count and last order, both ways, paging across ties without gaps or repeats', async () => {
    const { add, walk } = await shop();
    // Different stages and tiers: a page merges their ranges.
    const at = { stage: 'active', tier: 'loyal' };
    await add('甲', { spent: 5000, orders: 2, lastOrderAt: '2026-03-01T10:00:00.000001Z', ...at });
    await add('乙', { spent: 12000, orders: 5, lastOrderAt: '2026-03-01T10:00:00.000002Z', ...at, tier: 'potential' });
    await add('丙', { spent: 5000, orders: 1, lastOrderAt: '2026-01-15T08:00:00Z', stage: 'dormant', tier: 'winback' });
    await add('丁'); // never ordered: 潜在, no tier
    await add('戊', { spent: 800, orders: 2, lastOrderAt: '2026-02-01T00:00:00Z', stage: 'new', tier: 'new' });

    // Ties on the value follow the id in the sort's direction: newest first when descending (丙 came after 甲).
    expect(await walk('sort=totalSpent&order=desc')).toEqual(['乙', '丙', '甲', '戊', '丁']);
    expect(await walk('sort=totalSpent')).toEqual(['乙', '丙', '甲', '戊', '丁']);
    expect(await walk('sort=totalSpent&order=asc')).toEqual(['丁', '戊', '甲', '丙', '乙']);
    expect(await walk('sort=orderCount&order=desc', 1)).toEqual(['乙', '戊', '甲', '丙', '丁']);
    // Microseconds apart still sort (the cursor keeps PostgreSQL's full precision); no order = never.
    expect(await walk('sort=lastOrderAt&order=desc', 1)).toEqual(['乙', '甲', '戊', '丙', '丁']);
    expect(await walk('sort=lastOrderAt&order=asc', 1)).toEqual(['丁', '丙', '戊', '甲', '乙']);
  });

  it('sorts within the filters and hides merged-away customers', async () => {
    const { add, walk } = await shop();
    await add('活跃一', { spent: 100, orders: 1, stage: 'active' });
    await add('活跃二', { spent: 300, orders: 1, stage: 'active' });
    await add('沉睡', { spent: 900, orders: 3, stage: 'dormant' });
    const merged = await add('已合并', { spent: 99_900, orders: 9, stage: 'active' });
    const survivor = await add('保留', { spent: 50, orders: 1, stage: 'active' });
    await context.database.pool.query('update customers set merged_into_id = $2 where id = $1', [merged, survivor]);

    expect(await walk('sort=totalSpent&lifecycleStage=active')).toEqual(['活跃二', '活跃一', '保留']);
    expect(await walk('sort=totalSpent&order=asc&lifecycleStage=dormant')).toEqual(['沉睡']);
  });

  it('sorts within a tag (children included), alone and with a tier, paging through it', async () => {
    const { add, walk, owner } = await shop();
    const group = await owner.post('/api/v1/tag-groups', { name: '会员', position: 0 });
    expect(group.statusCode, group.body).toBe(201);
    const vip = await owner.post('/api/v1/tags', { groupId: group.json().id, name: 'VIP', color: '#faad14' });
    const gold = await owner.post('/api/v1/tags', {
      groupId: group.json().id,
      name: '金卡',
      color: '#faad14',
      parentId: vip.json().id,
    });
    const tag = async (id: string, tagId: string) => {
      const response = await owner.request({
        method: 'PUT',
        url: `/api/v1/customers/${id}/tags`,
        payload: { add: [tagId] },
      });
      expect(response.statusCode, response.body).toBe(200);
    };
    await tag(await add('会员一', { spent: 700, orders: 1, stage: 'active', tier: 'loyal' }), vip.json().id);
    await tag(await add('会员二', { spent: 300, orders: 1, stage: 'dormant', tier: 'winback' }), gold.json().id);
    await tag(await add('会员三', { spent: 500, orders: 2, stage: 'active', tier: 'loyal' }), vip.json().id);
    await add('非会员', { spent: 99_000, orders: 9, stage: 'active', tier: 'loyal' });

    expect(await walk(`sort=totalSpent&tagId=${vip.json().id}`)).toEqual(['会员一', '会员三', '会员二']);
    expect(await walk(`sort=orderCount&order=asc&tagId=${vip.json().id}`, 1)).toEqual(['会员一', '会员二', '会员三']);
    expect(await walk(`sort=totalSpent&tagId=${vip.json().id}&rfmTier=loyal`, 1)).toEqual(['会员一', '会员三']);
  });

  it('pages a tag of many customers, absent from whole (stage, tier) ranges, as a plain sort would', async () => {
    const { workspaceId, owner, get } = await shop();
    const group = await owner.post('/api/v1/tag-groups', { name: '购买行为', position: 0 });
    const tag = await owner.post('/api/v1/tags', { groupId: group.json().id, name: '复购', color: '#52c41a' });
    expect(tag.statusCode, tag.body).toBe(201);
    const tagId = tag.json().id as string;
    // More tagged customers than a filtered page sorts (FILTER_SORT_MAX): the page walks each (stage, tier) range.
    // A third never ordered (潜在, no tier) and carry no tag, like 复购; a fifth of the rest carry none either.
    await context.database.pool.query(
      `insert into customers (id, workspace_id, name, lifecycle_stage, rfm_tier, total_spent_fen, order_count, tag_ids)
       select gen_random_uuid(), $1, 'c' || i,
              case when i % 3 = 0 then 'prospect' when i % 3 = 1 then 'active' else 'dormant' end,
              case when i % 3 = 0 then null when i % 3 = 1 then 'loyal' else 'winback' end,
              case when i % 3 = 0 then 0 else (i * 7919) % 5000 end,
              case when i % 3 = 0 then 0 else 1 + i % 7 end,
              case when i % 3 <> 0 and i % 5 <> 0 then array[$2::uuid] else '{}'::uuid[] end
         from generate_series(1, 45000) i`,
      [workspaceId, tagId],
    );
    await context.database.pool.query('analyze customers');
    const plan = await context.database.pool.query(
      `explain (format json) select 1 from customers
        where workspace_id = $1 and merged_into_id is null and tag_ids && array[$2::uuid]`,
      [workspaceId, tagId],
    );
    expect(plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows']).toBeGreaterThan(20_000);
    for (const [order, compare] of [
      ['desc', 'desc'],
      ['asc', 'asc'],
    ] as const) {
      const expected = await context.database.pool.query<{ id: string }>(
        `select id from customers where workspace_id = $1 and tag_ids && array[$2::uuid]
          order by total_spent_fen ${compare}, id ${compare} limit 120`,
        [workspaceId, tagId],
      );
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 3; page++) {
        const response = await get(
          `sort=totalSpent&order=${order}&tagId=${tagId}&limit=40${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json() as Page;
        ids.push(...body.items.map((item) => item.id));
        cursor = body.nextCursor;
      }
      expect(ids).toEqual(expected.rows.map((row) => row.id));
    }
  });

  it('refuses an unknown sort, a sort with a search, and a cursor of another sort', async () => {
    const { add, get } = await shop();
    for (let i = 0; i < 3; i++) await add(`客户${i}`, { spent: i * 100, orders: i });

    const unknown = await get('sort=name');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json())).toContain('sort');
    expect((await get('sort=totalSpent&order=up')).statusCode).toBe(400);
    const withSearch = await get(`sort=totalSpent&q=${encodeURIComponent('客户')}`);
    expect(withSearch.statusCode).toBe(400);
    expect(JSON.stringify(withSearch.json())).toContain('匹配度');

    const first = (await get('sort=totalSpent&limit=1')).json() as Page;
    expect(first.nextCursor).toBeTruthy();
    // The cursor names its sort: another sort, the other direction or the unsorted list refuses it.
    for (const query of ['sort=orderCount', 'sort=totalSpent&order=asc', '']) {
      const response = await get(`${query}&limit=1&cursor=${first.nextCursor}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
    }
    const forged = Buffer.from(JSON.stringify(['lastOrderAt:desc', 'not a time', first.items[0]!.id])).toString(
      'base64url',
    );
    const bad = await get(`sort=lastOrderAt&cursor=${forged}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('request.invalid');
  });

  it('plans each (stage, tier) range of a sorted page as a walk of its index, not a sort', async () => {
    const { workspaceId } = await shop();
    const client = await context.database.pool.connect();
    try {
      await client.query('begin');
      // Planner statistics of an almost empty table prefer a sequential scan; make index paths look as cheap as
      // they are on a real table so the plan shows which index the query can use.
      await client.query('set local enable_seqscan = off');
      await client.query('set local enable_sort = off');
      for (const [expression, index] of [
        ['total_spent_fen', 'customers_list_spent_idx'],
        ['order_count', 'customers_list_orders_idx'],
        [`coalesce(last_order_at, '-infinity'::timestamptz)`, 'customers_list_last_order_idx'],
      ] as const) {
        const plan = await client.query(
          // One (stage, tier) range of a page, as listSortedCustomerPage asks for it; no tier is ''.
          `explain select id from customers where workspace_id = $1 and merged_into_id is null
             and lifecycle_stage = 'dormant' and coalesce(rfm_tier, '') = ''
             and (${expression}, id) < ($2, '00000000-0000-0000-0000-000000000000'::uuid)
           order by ${expression} desc, id desc limit 31`,
          [workspaceId, expression.startsWith('coalesce') ? '2026-01-01' : 100],
        );
        const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
        expect(text, text).toMatch(new RegExp(`Index (Only )?Scan Backward using ${index}`));
        expect(text).not.toMatch(/\bSort\b/);
      }
      await client.query('rollback');
    } finally {
      client.release();
    }
  });
});

describe('customer list total', () => {
  it('counts the list exactly with its filters and search, and ignores merged-away customers', async () => {
    const { add, count } = await shop();
    await add('王一', { stage: 'active' });
    await add('王二', { stage: 'dormant' });
    await add('李三', { stage: 'active' });
    const merged = await add('王四', { stage: 'active' });
    const survivor = await add('赵五');
    await context.database.pool.query('update customers set merged_into_id = $2 where id = $1', [merged, survivor]);

    expect(await count()).toEqual({ count: 4, precision: 'exact' });
    expect(await count('lifecycleStage=active')).toEqual({ count: 2, precision: 'exact' });
    expect(await count(`q=${encodeURIComponent('王')}`)).toEqual({ count: 2, precision: 'exact' });
    expect(await count(`q=${encodeURIComponent('王')}&lifecycleStage=active`)).toEqual({
      count: 1,
      precision: 'exact',
    });
    expect(await count(`q=${encodeURIComponent('钱')}`)).toEqual({ count: 0, precision: 'exact' });
  });

  it('estimates a large listing and says "at least" for a large search', async () => {
    const { workspaceId, count, owner, addUser } = await shop();
    // 10,050 customers named 测试客户…, written as an import would (search columns filled).
    await context.database.pool.query(
      `insert into customers (id, workspace_id, name, search_name, search_text, search_grams, search_version)
       select gen_random_uuid(), $1, '测试客户' || i, '测试客户' || i, '测试客户' || i,
              array['测', '试', '客', '户', '测试', '试客', '客户'], 1
       from generate_series(1, 10050) as i`,
      [workspaceId],
    );
    await context.database.pool.query('analyze customers');

    const all = await count();
    expect(all.precision).toBe('estimate');
    expect(all.count).toBeGreaterThan(10_000);
    // Within a factor of two of the truth: PostgreSQL's statistics of the table, not a guess.
    expect(all.count).toBeLessThan(20_100);
    expect(await count(`q=${encodeURIComponent('测试')}`)).toEqual({ count: 1000, precision: 'atLeast' });
    expect(await count(`q=${encodeURIComponent('测试客户10050')}`)).toEqual({ count: 1, precision: 'exact' });

    // Everyone who reads the list may count it; the count checks its query like the list does.
    const agent = await addUser('agent');
    expect((await agent.get('/api/v1/customers/count')).statusCode).toBe(200);
    expect((await owner.get('/api/v1/customers/count?limit=5')).statusCode).toBe(400);
    expect((await owner.get('/api/v1/customers/count?lifecycleStage=vip')).statusCode).toBe(400);
  });
});
