import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer, startConversation } from '../../../test/harness.ts';
import { newId } from '../../platform/ids.ts';
import { backfillSearchColumns, SEARCH_VERSION, searchColumns } from './customer-search.ts';

const context = await createTestApp();

type Found = { id: string; name: string | null };

async function shop() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const add = (name: string | null, phone: string | null = null, email: string | null = null) =>
    insertCustomer(context, workspaceId, { name, phone, email });
  const search = async (q: string, extra = '') => {
    const response = await workspace.owner.get(`/api/v1/customers?q=${encodeURIComponent(q)}${extra}`);
    expect(response.statusCode).toBe(200);
    return response.json() as { items: Found[]; nextCursor: string | null };
  };
  const names = async (q: string) => (await search(q)).items.map((item) => item.name);
  return { ...workspace, workspaceId, add, search, names };
}

async function addOrder(workspaceId: string, customerId: string, orderNo: string, trackingNo: string | null) {
  await context.database.pool.query(
    `insert into orders (id, workspace_id, customer_id, platform, order_no, status, amount_fen, placed_at, tracking_no)
     values ($1, $2, $3, 'taobao', $4, 'shipped', 19900, now(), $5)`,
    [newId(), workspaceId, customerId, orderNo, trackingNo],
  );
}

describe('searchColumns', () => {
  it('computes normalised name, pinyin, initials, grams, phone digits and emails', () => {
    expect(
      searchColumns({
        name: '陳小明',
        nickname: 'Ｍｉｎｇ',
        phone: '13812345678',
        phones: ['0571-88886666', '+86 139 0000 1111'],
        email: 'Ming@Example.COM',
        emails: [],
      }),
    ).toEqual({
      searchName: '陈小明',
      searchText: '陈小明 ming',
      searchGrams: expect.arrayContaining(['陈', '小', '明', '陈小', '小明', 'mi', 'ng']),
      searchPinyin: 'chenxiaoming',
      searchInitials: 'cxm',
      searchPhone: '13812345678',
      searchPhones: '13812345678 057188886666 13900001111',
      searchEmail: 'ming@example.com',
      searchEmails: 'ming@example.com',
      searchVersion: SEARCH_VERSION,
    });
  });

  it('leaves the columns empty for a customer without name or contacts', () => {
    expect(searchColumns({})).toMatchObject({
      searchName: null,
      searchGrams: [],
      searchPinyin: null,
      searchPhones: null,
      searchVersion: SEARCH_VERSION,
    });
  });
});

describe('searching customers', () => {
  it('ranks exact matches before prefix matches before contains matches, newest first within each', async () => {
    const { add, names } = await shop();
    await add('王李明');
    await add('李明');
    await add('李明华');
    await add('张三');
    await add('李明');
    await add('老李明白');
    expect(await names('李明')).toEqual(['李明', '李明', '李明华', '老李明白', '王李明']);
  });

  it('finds one- and two-character name fragments', async () => {
    const { add, names } = await shop();
    await add('李四');
    await add('张小李');
    await add('王五');
    expect(await names('李')).toEqual(['李四', '张小李']);
    expect(await names('小李')).toEqual(['张小李']);
    expect(await names('赵')).toEqual([]);
  });

  it('finds by full pinyin and by initials, polyphonic surnames read as surnames', async () => {
    const { add, names } = await shop();
    await add('李明');
    await add('黎明');
    await add('李明华');
    await add('单雄信');
    await add('王芳');
    expect(await names('liming')).toEqual(['黎明', '李明', '李明华']);
    expect(await names('LiMing')).toEqual(['黎明', '李明', '李明华']);
    expect(await names('lm')).toEqual(['黎明', '李明', '李明华']);
    expect(await names('lmh')).toEqual(['李明华']);
    expect(await names('shanxiongxin')).toEqual(['单雄信']);
    expect(await names('sxx')).toEqual(['单雄信']);
    expect(await names('wangf')).toEqual(['王芳']);
  });

  it('finds a name by the pinyin of its given name and by the given name’s initials, like 静 in 陈静', async () => {
    const { add, names } = await shop();
    await add('王小明');
    await add('陈静');
    await add('李明华');
    await add('欧阳娜娜');
    // Never by the email: 陈静 has none.
    expect(await names('xiaoming')).toEqual(['王小明']);
    expect(await names('XiaoMing')).toEqual(['王小明']);
    expect(await names('ming')).toEqual(['李明华', '王小明']);
    expect(await names('jing')).toEqual(['陈静']);
    expect(await names('xm')).toEqual(['王小明']);
    expect(await names('wangxm')).toEqual(['王小明']);
    expect(await names('minghua')).toEqual(['李明华']);
    expect(await names('xiao')).toEqual(['王小明']);
    expect(await names('nana')).toEqual(['欧阳娜娜']);
    expect(await names('wxm')).toEqual(['王小明']);
    // Whole syllables only: not a fragment that starts inside one.
    expect(await names('iaoming')).toEqual([]);
    expect(await names('ingh')).toEqual([]);
  });

  it('finds simplified names from a traditional query and traditional names from a simplified one', async () => {
    const { add, names } = await shop();
    await add('陈丽华');
    await add('劉德華');
    expect(await names('陳麗華')).toEqual(['陈丽华']);
    expect(await names('刘德华')).toEqual(['劉德華']);
    expect(await names('liudehua')).toEqual(['劉德華']);
  });

  it('finds phone fragments, prefix before contains, full-width digits included', async () => {
    const { add, names } = await shop();
    await add('甲', '13812345678');
    await add('乙', '13913800000');
    await add('丙', '0571-88886666');
    await add('丁', '15000001111');
    expect(await names('138')).toEqual(['甲', '乙']);
    expect(await names('１３８')).toEqual(['甲', '乙']);
    expect(await names('0571')).toEqual(['丙']);
    expect(await names('8888')).toEqual(['丙']);
    expect(await names('13812345678')).toEqual(['甲']);
    expect(await names('+86 138-1234-5678')).toEqual(['甲']);
  });

  it('lets agents and analysts find a phone only by what its mask shows or by the whole number', async () => {
    const { add, names, addUser } = await shop();
    const zheng = await add('郑公式', '13612345673');
    await add('路人', '13799990000');
    // An other phone, also masked to them.
    const others = searchColumns({ name: '郑公式', phone: '13612345673', phones: ['13512345678'] });
    await context.database.pool.query('update customers set phones = $1, search_phones = $2 where id = $3', [
      ['13512345678'],
      others.searchPhones,
      zheng,
    ]);
    const supervisor = await addUser('supervisor');
    for (const role of ['agent', 'analyst'] as const) {
      const client = await addUser(role);
      const found = async (q: string) => {
        const response = await client.get(`/api/v1/customers?q=${encodeURIComponent(q)}`);
        expect(response.statusCode).toBe(200);
        return (response.json().items as Found[]).map((item) => item.name);
      };
      // The list shows 136****5673 and 135****5678: probes of the hidden digits all answer the same, nothing.
      for (const probe of ['13612', '13613', '136123', '136124', '1361234', '2345', '1234', '3512', '36123456'])
        expect(await found(probe), `${role} ${probe}`).toEqual([]);
      // What the mask shows, and the whole number a buyer tells: found.
      expect(await found('5673'), role).toEqual(['郑公式']);
      expect(await found('673'), role).toEqual(['郑公式']);
      expect(await found('567'), role).toEqual(['郑公式']);
      expect(await found('136'), role).toEqual(['郑公式']);
      expect(await found('13612345673'), role).toEqual(['郑公式']);
      expect(await found('+86 136-1234-5673'), role).toEqual(['郑公式']);
      expect(await found('5678'), role).toEqual(['郑公式']);
      expect(await found('13512345678'), role).toEqual(['郑公式']);
      expect(await found('0000'), role).toEqual(['路人']);
    }
    // Owners and supervisors, who may reveal phones, keep fragment search.
    for (const [client, who] of [
      [supervisor, 'supervisor'],
      [null, 'owner'],
    ] as const) {
      const found = async (q: string) =>
        client
          ? ((await client.get(`/api/v1/customers?q=${encodeURIComponent(q)}`)).json().items as Found[]).map(
              (item) => item.name,
            )
          : names(q);
      for (const fragment of ['13612', '1234', '3512', '2345678'])
        expect(await found(fragment), `${who} ${fragment}`).toEqual(['郑公式']);
      expect(await found('13613'), who).toEqual([]);
    }
  });

  it('finds by email, exact first', async () => {
    const { add, names } = await shop();
    await add('甲', null, 'zhang.san@example.com');
    await add('乙', null, 'ZHANG@shop.cn');
    expect(await names('zhang@shop.cn')).toEqual(['乙']);
    expect(await names('Zhang.San@Example.COM')).toEqual(['甲']);
    expect(await names('@shop.cn')).toEqual(['乙']);
    expect(await names('zhang')).toEqual(['乙', '甲']);
  });

  it('finds by order number and tracking number', async () => {
    const { add, names, workspaceId } = await shop();
    const buyer = await add('买家甲');
    await add('路人乙');
    await addOrder(workspaceId, buyer, '3021876543210987', 'SF1234567890');
    expect(await names('3021876543210987')).toEqual(['买家甲']);
    expect(await names('30218765')).toEqual(['买家甲']);
    expect(await names('SF1234567890')).toEqual(['买家甲']);
    expect(await names('sf1234567890')).toEqual(['买家甲']);
    expect(await names('3021')).toEqual([]);
  });

  it("never finds another workspace's customers or orders", async () => {
    const mine = await shop();
    const theirs = await shop();
    const stranger = await theirs.add('李明', '13812345678', 'liming@example.com');
    await addOrder(theirs.workspaceId, stranger, 'T-20240101-0001', 'YT9876543210');
    await mine.add('王芳');
    for (const q of ['李明', '李', 'liming', 'lm', '138', 'liming@example.com', 'T-20240101-0001', 'YT9876543210'])
      expect(await mine.names(q)).toEqual([]);
    expect(await theirs.names('李明')).toEqual(['李明']);
  });

  it('pages through ranked results without repeats, across ranks', async () => {
    const { add, search } = await shop();
    for (let i = 0; i < 3; i++) await add('李明');
    for (let i = 0; i < 3; i++) await add(`李明${i}`);
    for (let i = 0; i < 3; i++) await add(`老李明${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search('李明', `&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.items.map((item) => item.name!));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['李明', '李明', '李明', '李明2', '李明1', '李明0', '老李明2', '老李明1', '老李明0']);
    expect(pages).toBe(5);
  });

  it('refuses a malformed cursor with 400', async () => {
    const { owner } = await shop();
    const response = await owner.get('/api/v1/customers?q=李&cursor=not-a-cursor');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
    const listing = await owner.get(`/api/v1/customers?cursor=${Buffer.from('[1,"x"]').toString('base64url')}`);
    expect(listing.statusCode).toBe(400);
  });

  it('finds a compound surname with the given name’s initials (ouyangnn), simplified or traditional', async () => {
    const { add, names } = await shop();
    await add('欧阳娜娜');
    await add('歐陽修文');
    await add('司马懿');
    await add('尉迟恭');
    await add('王小明');
    expect(await names('ouyangnn')).toEqual(['欧阳娜娜']);
    expect(await names('ouyangxw')).toEqual(['歐陽修文']);
    expect(await names('simay')).toEqual(['司马懿']);
    expect(await names('yuchig')).toEqual(['尉迟恭']);
    expect(await names('wangxm')).toEqual(['王小明']);
    // The first character alone is not the surname of 欧阳娜娜.
    expect(await names('ouynn')).toEqual([]);
  });

  it('finds a name written in full-width Latin letters by its letters, pinyin-style and by initials', async () => {
    const { add, names, owner } = await shop();
    for (const name of ['ＬｉＭｉｎｇ', 'Ｗａｎｇ　Ｆａｎｇ']) {
      const id = await add('待改名');
      expect((await owner.patch(`/api/v1/customers/${id}`, { name })).statusCode).toBe(200);
    }
    expect(await names('li ming')).toEqual(['ＬｉＭｉｎｇ']);
    expect(await names('LIMING')).toEqual(['ＬｉＭｉｎｇ']);
    expect(await names('wang fang')).toEqual(['Ｗａｎｇ　Ｆａｎｇ']);
    expect(await names('wf')).toEqual(['Ｗａｎｇ　Ｆａｎｇ']);
  });

  it('finds a mobile typed with the 0086 international prefix', async () => {
    const { add, names } = await shop();
    await add('甲', '13900139001');
    await add('乙', '13900139002');
    expect(await names('0086 139 0013 9001')).toEqual(['甲']);
    expect(await names('0086-13900139001')).toEqual(['甲']);
    expect(await names('００８６１３９００１３９００２')).toEqual(['乙']);
  });

  it('finds a customer by its new name after an edit, and no longer by the old one', async () => {
    const { add, names, owner } = await shop();
    const id = await add('张三', '13812345678');
    const response = await owner.patch(`/api/v1/customers/${id}`, { name: '張無忌' });
    expect(response.statusCode).toBe(200);
    expect(await names('张无忌')).toEqual(['張無忌']);
    expect(await names('zwj')).toEqual(['張無忌']);
    expect(await names('张三')).toEqual([]);
    expect(await names('138')).toEqual(['張無忌']);
  });

  it('fills the search columns of rows written without them, once', async () => {
    const { names, workspaceId } = await shop();
    await context.database.pool.query(
      `insert into customers (id, workspace_id, name, phone) values ($1, $2, '欧阳修', '13700001234')`,
      [newId(), workspaceId],
    );
    expect(await names('欧阳')).toEqual([]);
    expect(await backfillSearchColumns(context.database.db, 2)).toBeGreaterThanOrEqual(1);
    expect(await backfillSearchColumns(context.database.db)).toBe(0);
    expect(await names('欧阳')).toEqual(['欧阳修']);
    expect(await names('oyx')).toEqual(['欧阳修']);
    expect(await names('0000')).toEqual(['欧阳修']);
  });

  it('hides customers merged into another', async () => {
    const { add, names } = await shop();
    const kept = await add('李明');
    const gone = await add('李明');
    await context.database.pool.query('update customers set merged_into_id = $1 where id = $2', [kept, gone]);
    expect(await names('李明')).toEqual(['李明']);
  });

  it('filters by tag (child tags included) and by segment, with or without a search', async () => {
    const { add, owner, workspaceId, search } = await shop();
    const groupId = newId();
    const [parent, child, other] = [newId(), newId(), newId()];
    await context.database.pool.query(
      `insert into tag_groups (id, workspace_id, name, kind, selection) values ($1, $2, '测试来源', 'source', 'multi')`,
      [groupId, workspaceId],
    );
    for (const [id, name, parentId] of [
      [parent, '电商', null],
      [child, '淘宝店', parent],
      [other, '线下', null],
    ] as const)
      await context.database.pool.query(
        `insert into tags (id, workspace_id, group_id, parent_id, name, color) values ($1, $2, $3, $4, $5, '#1677ff')`,
        [id, workspaceId, groupId, parentId, name],
      );
    const a = await add('李一');
    const b = await add('李二');
    const c = await add('王三');
    await add('李四');
    const tag = (customerId: string, tagId: string) =>
      context.database.pool.query('insert into customer_tags (workspace_id, customer_id, tag_id) values ($1, $2, $3)', [
        workspaceId,
        customerId,
        tagId,
      ]);
    await tag(a, parent);
    await tag(b, child);
    await tag(c, child);
    await tag(c, other);
    const names = async (query: string) => (await search('', query)).items.map((item) => item.name);
    expect(await names(`&tagId=${parent}`)).toEqual(['王三', '李二', '李一']);
    expect(await names(`&tagId=${child}`)).toEqual(['王三', '李二']);
    expect((await search('李', `&tagId=${parent}`)).items.map((item) => item.name)).toEqual(['李二', '李一']);

    const segment = await owner.post('/api/v1/segments', {
      name: '线下客户',
      filter: { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [other] }] },
    });
    expect(segment.statusCode).toBe(201);
    expect(await names(`&segmentId=${segment.json().id}`)).toEqual(['王三']);
    expect(await names(`&segmentId=${segment.json().id}&tagId=${parent}`)).toEqual(['王三']);
    expect((await search('李', `&segmentId=${segment.json().id}`)).items).toEqual([]);
  });

  it("refuses another workspace's segment (404) and tag, and malformed ids (400)", async () => {
    const mine = await shop();
    const theirs = await shop();
    const segment = await theirs.owner.post('/api/v1/segments', {
      name: '全部',
      filter: { op: 'and', conditions: [] },
    });
    expect(segment.statusCode).toBe(201);
    const foreign = await mine.owner.get(`/api/v1/customers?segmentId=${segment.json().id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('segment.not_found');
    const foreignTag = await mine.owner.get(`/api/v1/customers?tagId=${newId()}`);
    expect(foreignTag.statusCode).toBe(400);
    expect((await mine.owner.get('/api/v1/customers?tagId=abc')).statusCode).toBe(400);
    expect((await mine.owner.get(`/api/v1/customers?q=${'长'.repeat(101)}`)).statusCode).toBe(400);
  });
});

describe('searching customers by platform buyer id', () => {
  /** A platform buyer identity (`<platform>:<buyerId>`, no inbox), as an order import or order sync stores it. */
  const addBuyer = (workspaceId: string, customerId: string, externalId: string) =>
    context.database.pool.query(
      `insert into customer_identities (id, workspace_id, inbox_id, customer_id, kind, external_id)
       values ($1, $2, null, $3, 'platform_buyer', $4)`,
      [newId(), workspaceId, customerId, externalId],
    );

  async function buyers() {
    const s = await shop();
    const chen = await s.add('陳小明', '13812345678');
    await addBuyer(s.workspaceId, chen, 'taobao:tb_chen88');
    const xiao = await s.add('周小明');
    await addBuyer(s.workspaceId, xiao, 'taobao:小明爱购物');
    const jd = await s.add('孙先生');
    await addBuyer(s.workspaceId, jd, 'jd:JD_Li_2024');
    const douyin = await s.add('刘女士');
    await addBuyer(s.workspaceId, douyin, 'douyin:dy8812345');
    // A name that starts like a buyer id, and a buyer id that only contains the query: ranked after, and not found.
    await s.add('tb_chen88号');
    const inside = await s.add('路人');
    await addBuyer(s.workspaceId, inside, 'tmall:xx_tb_chen88');
    return { ...s, chen, xiao, jd, douyin };
  }

  it('finds a buyer by the whole id or its prefix, on any platform, ignoring Latin case', async () => {
    const { names } = await buyers();
    expect(await names('tb_chen88')).toEqual(['陳小明', 'tb_chen88号']);
    // Both prefix matches: newest first.
    expect(await names('tb_chen')).toEqual(['tb_chen88号', '陳小明']);
    expect(await names('TB_Chen88')).toEqual(['陳小明', 'tb_chen88号']);
    expect(await names(' tb_chen88 ')).toEqual(['陳小明', 'tb_chen88号']);
    // Full-width letters, as a Chinese keyboard types them.
    expect(await names('ｔｂ＿ｃｈｅｎ８８')).toEqual(['陳小明', 'tb_chen88号']);
    expect(await names('jd_li_2024')).toEqual(['孙先生']);
    expect(await names('JD_LI')).toEqual(['孙先生']);
    expect(await names('dy8812345')).toEqual(['刘女士']);
    expect(await names('dy881')).toEqual(['刘女士']);
    // Chinese nicks, whole or by prefix.
    expect(await names('小明爱购物')).toEqual(['周小明']);
    expect(await names('小明爱')).toEqual(['周小明']);
    // Neither fragments (only the name contains chen88) nor prefixes under 3 characters, nor the platform part.
    expect(await names('chen88')).toEqual(['tb_chen88号']);
    expect(await names('tb')).toEqual(['tb_chen88号']);
    expect(await names('dy')).toEqual([]);
    expect(await names('jd')).toEqual([]);
    expect(await names('taobao')).toEqual([]);
    expect(await names('jd:JD_Li_2024')).toEqual([]);
    // LIKE's wildcards are plain characters.
    expect(await names('tb_%')).toEqual([]);
  });

  it('ranks an exact buyer id before a prefix match, and a prefix before a contains match', async () => {
    const s = await shop();
    const exact = await s.add('甲');
    await addBuyer(s.workspaceId, exact, 'pdd:wangxm');
    const longer = await s.add('乙');
    await addBuyer(s.workspaceId, longer, 'pdd:wangxm2024');
    await s.add('王小明');
    // 王小明's pinyin keys hold wangxm (a contains match); the buyer ids are exact and prefix.
    expect(await s.names('wangxm')).toEqual(['甲', '乙', '王小明']);
    const counted = await s.owner.get(`/api/v1/customers/count?q=wangxm`);
    expect(counted.statusCode, counted.body).toBe(200);
    expect(counted.json()).toMatchObject({ count: 3 });
  });

  it('counts, acts on and finds conversations of the same buyers', async () => {
    const s = await buyers();
    const counted = await s.owner.get(`/api/v1/customers/count?q=${encodeURIComponent('TB_CHEN')}`);
    expect(counted.json()).toMatchObject({ count: 2 });
    const bulk = await s.owner.post('/api/v1/customers/bulk/count', { target: { q: 'tb_chen88' } });
    expect(bulk.statusCode, bulk.body).toBe(200);
    expect(bulk.json()).toEqual({ count: 2 });
    expect((await s.owner.post('/api/v1/customers/bulk/count', { target: { q: '小明爱购' } })).json()).toEqual({
      count: 1,
    });
    // The workbench finds a buyer's conversation by the nick.
    const chat = await startConversation(context, s.inbox.token, '你好');
    await addBuyer(s.workspaceId, chat.customerId, 'douyin:抖音小王');
    const response = await s.owner.get(`/api/v1/conversations?q=${encodeURIComponent('抖音小王')}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().items.map((item: { id: string }) => item.id)).toEqual([chat.conversationId]);
  });

  it('never finds a merged-away record or another workspace’s buyer', async () => {
    const s = await buyers();
    const survivor = await s.add('陈小明');
    const merged = await s.owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: s.chen });
    expect(merged.statusCode, merged.body).toBe(200);
    // The identity moved with the merge: the survivor is found, the merged-away record is not.
    expect((await s.search('tb_chen88')).items.map((item) => item.id)).toEqual([survivor, expect.any(String)]);
    expect((await s.search('tb_chen88')).items.map((item) => item.id)).not.toContain(s.chen);
    // An identity still pointing at a merged-away record (moved back by hand) finds nothing either.
    await context.database.pool.query(
      `update customer_identities set customer_id = $1 where workspace_id = $2 and external_id = 'taobao:tb_chen88'`,
      [s.chen, s.workspaceId],
    );
    expect(await s.names('tb_chen88')).toEqual(['tb_chen88号']);
    expect((await s.owner.post('/api/v1/customers/bulk/count', { target: { q: 'tb_chen88' } })).json()).toEqual({
      count: 1,
    });

    const other = await shop();
    expect(await other.names('tb_chen88')).toEqual([]);
    expect(await other.names('jd_li')).toEqual([]);
    expect((await other.owner.get('/api/v1/customers/count?q=tb_chen')).json()).toMatchObject({ count: 0 });
  });

  it('keeps the phone mask: digits find a phone-number buyer id only whole for agents', async () => {
    const s = await shop();
    const pin = await s.add('京东手机号买家');
    await addBuyer(s.workspaceId, pin, 'jd:13612345673');
    const phone = await s.add('手机号客户', '13712345678');
    expect(phone).toBeTruthy();
    const agent = await s.addUser('agent');
    const found = async (q: string) =>
      ((await agent.get(`/api/v1/customers?q=${encodeURIComponent(q)}`)).json().items as Found[]).map(
        (item) => item.name,
      );
    for (const probe of ['13612', '1361234', '13712', '1371234']) expect(await found(probe), probe).toEqual([]);
    expect(await found('13612345673')).toEqual(['京东手机号买家']);
    expect(await found('13712345678')).toEqual(['手机号客户']);
    expect(await found('137')).toEqual(['手机号客户']);
    // Who may reveal phones finds it by prefix too.
    expect(await s.names('13612')).toEqual(['京东手机号买家']);
  });
});
