import { describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  insertCustomer,
  startConversation,
} from '../../../test/harness.ts';

const context = await createTestApp();

type Tag = { id: string; name: string; groupId: string; parentId: string | null; color: string };
type Group = { id: string; name: string; kind: string; selection: string; tags: Tag[] };

const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as object });
const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });

async function setup() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const groups: Group[] = (await workspace.owner.get('/api/v1/tag-groups')).json().items;
  const group = (name: string) => groups.find((g) => g.name === name)!;
  const tagNamed = (name: string) => groups.flatMap((g) => g.tags).find((t) => t.name === name)!;
  return { ...workspace, workspaceId, groups, group, tagNamed };
}

const tagNames = async (client: Client, url: string) =>
  ((await client.get(url)).json().items as Tag[]).map((t) => t.name).sort();

describe('tag groups and tags', () => {
  it('gives a new workspace the 状态, 来源 and 行为 groups with common tags', async () => {
    const { groups, group, tagNamed } = await setup();
    expect(groups.map((g) => [g.name, g.kind, g.selection])).toEqual([
      ['状态', 'status', 'single'],
      ['来源', 'source', 'multi'],
      ['行为', 'behavior', 'multi'],
    ]);
    expect(group('状态').tags.map((t) => t.name)).toEqual(['意向客户', '新客户', '老客户', '售后客户']);
    expect(tagNamed('抖音').parentId).toBe(tagNamed('电商平台').id);
    expect(tagNamed('VIP').color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('lets a supervisor create, rename and recolour groups and tags, and everyone read them', async () => {
    const { addUser } = await setup();
    const supervisor = await addUser('supervisor');
    const created = await supervisor.post('/api/v1/tag-groups', { name: '会员等级', selection: 'single' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: '会员等级', kind: 'custom', selection: 'single' });
    const groupId = created.json().id;
    const gold = await supervisor.post('/api/v1/tags', { groupId, name: '金卡', color: '#FFD700' });
    expect(gold.statusCode).toBe(201);
    expect(gold.json()).toMatchObject({ groupId, name: '金卡', color: '#FFD700', parentId: null });
    const renamed = await supervisor.patch(`/api/v1/tags/${gold.json().id}`, { name: '黄金卡', color: '#aa8800' });
    expect(renamed.json()).toMatchObject({ name: '黄金卡', color: '#aa8800' });
    const regrouped = await supervisor.patch(`/api/v1/tag-groups/${groupId}`, { name: '会员卡', selection: 'multi' });
    expect(regrouped.json()).toMatchObject({ name: '会员卡', selection: 'multi' });

    const analyst = await addUser('analyst');
    const group = (await analyst.get(`/api/v1/tag-groups/${groupId}`)).json();
    expect(group.tags.map((t: Tag) => t.name)).toEqual(['黄金卡']);
    expect(await tagNames(analyst, `/api/v1/tags?groupId=${groupId}`)).toEqual(['黄金卡']);
  });

  it('refuses duplicate names, bad colours and unknown fields', async () => {
    const { owner, group } = await setup();
    const duplicateGroup = await owner.post('/api/v1/tag-groups', { name: '状态' });
    expect(duplicateGroup.statusCode).toBe(409);
    expect(duplicateGroup.json().error.code).toBe('tag_group.name_taken');
    const duplicateTag = await owner.post('/api/v1/tags', { groupId: group('行为').id, name: 'VIP' });
    expect(duplicateTag.statusCode).toBe(409);
    expect(duplicateTag.json().error.code).toBe('tag.name_taken');
    const badColour = await owner.post('/api/v1/tags', { groupId: group('行为').id, name: '红色', color: 'red' });
    expect(badColour.statusCode).toBe(400);
    expect(badColour.json().error.details).toEqual([expect.objectContaining({ path: '/color' })]);
    const unknownField = await owner.post('/api/v1/tags', { groupId: group('行为').id, name: '新', workspaceId: 'x' });
    expect(unknownField.statusCode).toBe(400);
    const blank = await owner.post('/api/v1/tag-groups', { name: '   ' });
    expect(blank.statusCode).toBe(400);
  });

  it('refuses names that differ only by width, traditional form or case, naming the tag that exists', async () => {
    const { owner, group, tagNamed } = await setup();
    const behaviour = group('行为').id;
    expect((await owner.post('/api/v1/tags', { groupId: behaviour, name: '会员' })).statusCode).toBe(201);
    const lookAlikes: [string, string][] = [
      ['會員', '会员'],
      ['ＶＩＰ', 'VIP'],
      ['vip', 'VIP'],
      ['復購', '复购'],
    ];
    for (const [name, existing] of lookAlikes) {
      const refused = await owner.post('/api/v1/tags', { groupId: behaviour, name });
      expect(refused.statusCode, name).toBe(409);
      expect(refused.json().error).toMatchObject({
        code: 'tag.name_taken',
        message: `这个标签组里已有同名标签「${existing}」`,
        details: { tagId: tagNamed(existing)?.id ?? expect.any(String), name: existing },
      });
    }
    // Another group may use the name.
    expect((await owner.post('/api/v1/tags', { groupId: group('来源').id, name: 'vip' })).statusCode).toBe(201);
    // Renaming: onto a look-alike is refused, a new spelling of the tag's own name is not.
    const renamed = await owner.patch(`/api/v1/tags/${tagNamed('复购').id}`, { name: 'ｖｉｐ' });
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json().error.message).toBe('这个标签组里已有同名标签「VIP」');
    const respelled = await owner.patch(`/api/v1/tags/${tagNamed('VIP').id}`, { name: 'ＶＩＰ' });
    expect(respelled.statusCode, respelled.body).toBe(200);
    expect(respelled.json().name).toBe('ＶＩＰ');

    // Two look-alikes at once: the group's lock lets one through.
    const groupId = (await owner.post('/api/v1/tag-groups', { name: '并发' })).json().id;
    const racing = await Promise.all(
      ['老顧客', '老顾客', 'ＬＧＫ', 'lgk'].map((name) => owner.post('/api/v1/tags', { groupId, name })),
    );
    expect(racing.map((response) => response.statusCode).sort()).toEqual([201, 201, 409, 409]);
  });

  it('keeps older look-alike tags editable (no migration removes them)', async () => {
    const { owner, workspaceId, group, tagNamed } = await setup();
    const { rows } = await context.database.pool.query(
      `insert into tags (id, workspace_id, group_id, name, color, position)
       values (gen_random_uuid(), $1, $2, '復購', '#1677ff', 0) returning id`,
      [workspaceId, group('行为').id],
    );
    const recoloured = await owner.patch(`/api/v1/tags/${rows[0].id}`, { name: '復購', color: '#ff0000' });
    expect(recoloured.statusCode, recoloured.body).toBe(200);
    expect(tagNamed('复购')).toBeDefined();
  });

  it('lists tags of one position in pinyin order, whole and in pages', async () => {
    const { owner } = await setup();
    const groupId = (await owner.post('/api/v1/tag-groups', { name: '城市' })).json().id;
    for (const name of ['中国', '会员', '安静', '澳门', '百度', '阿里'])
      expect((await owner.post('/api/v1/tags', { groupId, name })).statusCode).toBe(201);
    const expected = ['阿里', '安静', '澳门', '百度', '会员', '中国'];
    const whole = (await owner.get(`/api/v1/tags?groupId=${groupId}`)).json().items.map((t: Tag) => t.name);
    expect(whole).toEqual(expected);
    const fromGroup = (await owner.get(`/api/v1/tag-groups/${groupId}`)).json().tags.map((t: Tag) => t.name);
    expect(fromGroup).toEqual(expected);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = (await owner.get(`/api/v1/tags?groupId=${groupId}&limit=4${query}`)).json();
      paged.push(...page.items.map((t: Tag) => t.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(expected);
  });

  it('refuses agents and analysts who change tags', async () => {
    const { addUser, group, tagNamed } = await setup();
    for (const role of ['agent', 'analyst'] as const) {
      const user = await addUser(role);
      const attempts = [
        user.post('/api/v1/tag-groups', { name: `${role}的组` }),
        user.post('/api/v1/tags', { groupId: group('行为').id, name: `${role}的标签` }),
        user.patch(`/api/v1/tags/${tagNamed('VIP').id}`, { name: '改名' }),
        del(user, `/api/v1/tags/${tagNamed('VIP').id}`),
        del(user, `/api/v1/tag-groups/${group('行为').id}`),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.statusCode, response.body).toBe(403);
        expect(response.json().error.code).toBe('auth.forbidden');
      }
    }
    expect(await countRows(context, `from tags where name in ('改名', 'agent的标签', 'analyst的标签')`)).toBe(0);
  });

  it('keeps the hierarchy inside a group and free of cycles', async () => {
    const { owner, group, tagNamed } = await setup();
    const platforms = tagNamed('电商平台');
    const douyin = tagNamed('抖音');
    const live = (
      await owner.post('/api/v1/tags', { groupId: group('来源').id, parentId: douyin.id, name: '抖音直播' })
    ).json();
    expect(live.parentId).toBe(douyin.id);

    const underOwnGrandchild = await owner.patch(`/api/v1/tags/${platforms.id}`, { parentId: live.id });
    expect(underOwnGrandchild.statusCode).toBe(400);
    expect(underOwnGrandchild.json().error.code).toBe('tag.invalid_parent');
    const underItself = await owner.patch(`/api/v1/tags/${douyin.id}`, { parentId: douyin.id });
    expect(underItself.statusCode).toBe(400);
    const otherGroup = await owner.post('/api/v1/tags', {
      groupId: group('行为').id,
      parentId: douyin.id,
      name: '跨组',
    });
    expect(otherGroup.statusCode).toBe(400);
    expect(otherGroup.json().error.code).toBe('tag.invalid_parent');

    const moved = await owner.patch(`/api/v1/tags/${live.id}`, { parentId: platforms.id });
    expect(moved.json().parentId).toBe(platforms.id);
    const toTop = await owner.patch(`/api/v1/tags/${live.id}`, { parentId: null });
    expect(toTop.json().parentId).toBeNull();
  });

  it('asks for confirmation before deleting a tag with children or uses, then deletes the whole branch', async () => {
    const { owner, workspaceId, tagNamed } = await setup();
    const customerId = await insertCustomer(context, workspaceId, { name: '抖音买家' });
    await put(owner, `/api/v1/customers/${customerId}/tags`, { add: [tagNamed('抖音').id] });

    const refused = await del(owner, `/api/v1/tags/${tagNamed('电商平台').id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('tag.in_use');
    expect(refused.json().error.details).toEqual({
      tags: 6,
      children: 5,
      customers: 1,
      conversations: 0,
      segments: [],
    });
    expect(await countRows(context, 'from tags where id = $1', [tagNamed('电商平台').id])).toBe(1);

    const usedLeaf = await del(owner, `/api/v1/tags/${tagNamed('抖音').id}`);
    expect(usedLeaf.statusCode).toBe(409);
    expect(usedLeaf.json().error.details).toMatchObject({ children: 0, customers: 1 });

    const unused = await del(owner, `/api/v1/tags/${tagNamed('京东').id}`);
    expect(unused.statusCode).toBe(204);

    const forced = await del(owner, `/api/v1/tags/${tagNamed('电商平台').id}?force=true`);
    expect(forced.statusCode).toBe(204);
    expect(
      await countRows(context, 'from tags where workspace_id = $1 and name in ($2, $3, $4)', [
        workspaceId,
        '电商平台',
        '抖音',
        '淘宝',
      ]),
    ).toBe(0);
    expect(await countRows(context, 'from customer_tags where customer_id = $1', [customerId])).toBe(0);
    expect(
      await countRows(context, `from audit_log where workspace_id = $1 and action = 'tags.deleted'`, [workspaceId]),
    ).toBe(2);
  });

  it('refuses to delete a tag, its parent or its group while a saved segment uses it, even when forced', async () => {
    const { owner, workspaceId, group, tagNamed } = await setup();
    const douyin = tagNamed('抖音').id;
    const filter = {
      op: 'and',
      conditions: [{ op: 'or', conditions: [{ field: 'tags', op: 'has_none', value: [douyin] }] }],
    };
    const segment = (await owner.post('/api/v1/segments', { name: '非抖音客户', filter })).json();
    await owner.post('/api/v1/segments', {
      name: '无关分组',
      filter: { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [tagNamed('VIP').id] }] },
    });
    const inSegment = [{ id: segment.id, name: '非抖音客户' }];

    for (const url of [`/api/v1/tags/${douyin}`, `/api/v1/tags/${douyin}?force=true`]) {
      const refused = await del(owner, url);
      expect(refused.statusCode, url).toBe(409);
      expect(refused.json().error).toMatchObject({
        code: 'tag.in_use',
        message: '标签「抖音」正被客户分组「非抖音客户」使用，请先在这些分组的筛选条件里去掉它，再删除',
        details: { customers: 0, segments: inSegment },
      });
    }
    // Its parent takes the child along, and so does its group.
    const parent = await del(owner, `/api/v1/tags/${tagNamed('电商平台').id}?force=true`);
    expect(parent.json().error).toMatchObject({ code: 'tag.in_use', details: { segments: inSegment } });
    const wholeGroup = await del(owner, `/api/v1/tag-groups/${group('来源').id}?force=true`);
    expect(wholeGroup.statusCode).toBe(409);
    expect(wholeGroup.json().error).toMatchObject({ code: 'tag_group.in_use', details: { segments: inSegment } });
    expect(await countRows(context, 'from tags where id = $1', [douyin])).toBe(1);

    // Once the segment no longer tests the tag, the delete goes through.
    const edited = await owner.patch(`/api/v1/segments/${segment.id}`, { filter: { op: 'and', conditions: [] } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await del(owner, `/api/v1/tags/${douyin}`)).statusCode).toBe(204);
    expect(await countRows(context, 'from tags where workspace_id = $1 and id = $2', [workspaceId, douyin])).toBe(0);
  });

  it('asks for confirmation before deleting a group with tags', async () => {
    const { owner, group } = await setup();
    const refused = await del(owner, `/api/v1/tag-groups/${group('行为').id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'tag_group.in_use', details: { tags: 4, customers: 0 } });
    expect((await del(owner, `/api/v1/tag-groups/${group('行为').id}?force=true`)).statusCode).toBe(204);
    expect(await countRows(context, 'from tags where group_id = $1', [group('行为').id])).toBe(0);
    const empty = (await owner.post('/api/v1/tag-groups', { name: '空组' })).json();
    expect((await del(owner, `/api/v1/tag-groups/${empty.id}`)).statusCode).toBe(204);
  });

  it('answers 404 for unknown tags and groups', async () => {
    const { owner } = await setup();
    const unknown = '0190a0a0-0000-7000-8000-000000000000';
    expect((await owner.get(`/api/v1/tags/${unknown}`)).json().error.code).toBe('tag.not_found');
    expect((await owner.patch(`/api/v1/tag-groups/${unknown}`, { name: 'x' })).statusCode).toBe(404);
    const badGroup = await owner.post('/api/v1/tags', { groupId: unknown, name: 'x' });
    expect(badGroup.statusCode).toBe(404);
    expect(badGroup.json().error.code).toBe('tag_group.not_found');
  });

  it('lists tags whole, or in pages with ?limit=&cursor= (DESIGN §5)', async () => {
    const { owner, group } = await setup();
    const all: Tag[] = (await owner.get('/api/v1/tags')).json().items;
    expect(all.length).toBeGreaterThan(5);
    expect((await owner.get('/api/v1/tags?limit=100')).json()).toEqual({ items: all, nextCursor: null });

    const seen: Tag[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await owner.get(`/api/v1/tags?limit=2${query}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    // Every tag once, in the same order as the whole list.
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));

    // Within a group too.
    const groupId = group('状态').id;
    const inGroup = (await owner.get(`/api/v1/tags?groupId=${groupId}`)).json().items;
    const firstPage = (await owner.get(`/api/v1/tags?groupId=${groupId}&limit=1`)).json();
    expect(firstPage.items).toEqual(inGroup.slice(0, 1));

    for (const bad of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'limit=2&cursor=nonsense',
      `cursor=${firstPage.nextCursor}`,
    ]) {
      expect((await owner.get(`/api/v1/tags?${bad}`)).statusCode, bad).toBe(400);
    }
  });
});

describe('tagging customers and conversations', () => {
  it('lets an agent add and remove a customer’s tags, and writes who did it to the timeline', async () => {
    const { workspaceId, addUser, tagNamed } = await setup();
    const agent = await addUser('agent', '小美');
    const customerId = await insertCustomer(context, workspaceId, { name: '张三' });
    const url = `/api/v1/customers/${customerId}/tags`;
    const added = await put(agent, url, { add: [tagNamed('VIP').id, tagNamed('抖音').id] });
    expect(added.statusCode).toBe(200);
    expect(added.json().items.map((t: Tag) => t.name)).toEqual(['抖音', 'VIP']);
    const removed = await put(agent, url, { remove: [tagNamed('VIP').id], add: [tagNamed('复购').id] });
    expect(
      removed
        .json()
        .items.map((t: Tag) => t.name)
        .sort(),
    ).toEqual(['复购', '抖音'].sort());
    expect(await tagNames(agent, url)).toEqual(['复购', '抖音'].sort());

    const { rows } = await context.database.pool.query(
      'select kind, actor_id, details from customer_events where customer_id = $1 order by id',
      [customerId],
    );
    expect(rows).toEqual([
      {
        kind: 'tags_changed',
        actor_id: agent.userId,
        details: {
          added: [
            { id: tagNamed('VIP').id, name: 'VIP' },
            { id: tagNamed('抖音').id, name: '抖音' },
          ],
          removed: [],
        },
      },
      {
        kind: 'tags_changed',
        actor_id: agent.userId,
        details: {
          added: [{ id: tagNamed('复购').id, name: '复购' }],
          removed: [{ id: tagNamed('VIP').id, name: 'VIP' }],
        },
      },
    ]);
  });

  it('writes nothing to the timeline when nothing changed', async () => {
    const { owner, workspaceId, tagNamed } = await setup();
    const customerId = await insertCustomer(context, workspaceId, { name: '张三' });
    const url = `/api/v1/customers/${customerId}/tags`;
    await put(owner, url, { add: [tagNamed('VIP').id] });
    await put(owner, url, { add: [tagNamed('VIP').id] });
    await put(owner, url, { remove: [tagNamed('复购').id] });
    expect(await countRows(context, 'from customer_events where customer_id = $1', [customerId])).toBe(1);
  });

  it('replaces the other tag of a single-select group', async () => {
    const { owner, workspaceId, tagNamed } = await setup();
    const customerId = await insertCustomer(context, workspaceId, { name: '李四' });
    const url = `/api/v1/customers/${customerId}/tags`;
    await put(owner, url, { add: [tagNamed('新客户').id, tagNamed('VIP').id] });
    const replaced = await put(owner, url, { add: [tagNamed('老客户').id] });
    expect(
      replaced
        .json()
        .items.map((t: Tag) => t.name)
        .sort(),
    ).toEqual(['VIP', '老客户'].sort());
    const last = await context.database.pool.query(
      'select details from customer_events where customer_id = $1 order by id desc limit 1',
      [customerId],
    );
    expect(last.rows[0].details.removed).toEqual([{ id: tagNamed('新客户').id, name: '新客户' }]);

    const two = await put(owner, url, { add: [tagNamed('新客户').id, tagNamed('售后客户').id] });
    expect(two.statusCode).toBe(400);
    expect(two.json().error.message).toContain('单选');
    expect(await tagNames(owner, url)).toEqual(['VIP', '老客户'].sort());
  });

  it('refuses unknown tag ids naming them, and changes nothing', async () => {
    const { owner, workspaceId, tagNamed } = await setup();
    const customerId = await insertCustomer(context, workspaceId, { name: '王五' });
    const unknown = '0190a0a0-0000-7000-8000-0000000000aa';
    const response = await put(owner, `/api/v1/customers/${customerId}/tags`, { add: [tagNamed('VIP').id, unknown] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'tag.unknown', details: { tagIds: [unknown] } });
    expect(response.json().error.message).toContain(unknown);
    expect(await countRows(context, 'from customer_tags where customer_id = $1', [customerId])).toBe(0);
    const malformed = await put(owner, `/api/v1/customers/${customerId}/tags`, { add: ['VIP'] });
    expect(malformed.statusCode).toBe(400);
    const both = await put(owner, `/api/v1/customers/${customerId}/tags`, {
      add: [tagNamed('VIP').id],
      remove: [tagNamed('VIP').id],
    });
    expect(both.statusCode).toBe(400);
  });

  it('refuses another workspace’s tags and customers', async () => {
    const a = await setup();
    const b = await setup();
    const aCustomer = await insertCustomer(context, a.workspaceId, { name: '甲店顾客' });
    const bCustomer = await insertCustomer(context, b.workspaceId, { name: '乙店顾客' });
    const foreignTag = await put(b.owner, `/api/v1/customers/${bCustomer}/tags`, { add: [a.tagNamed('VIP').id] });
    expect(foreignTag.statusCode).toBe(400);
    expect(foreignTag.json().error.code).toBe('tag.unknown');
    const foreignCustomer = await put(b.owner, `/api/v1/customers/${aCustomer}/tags`, { add: [b.tagNamed('VIP').id] });
    expect(foreignCustomer.statusCode).toBe(404);
    expect(foreignCustomer.json().error.code).toBe('customer.not_found');
    expect((await b.owner.get(`/api/v1/customers/${aCustomer}/tags`)).statusCode).toBe(404);
    expect((await b.owner.get(`/api/v1/tags/${a.tagNamed('VIP').id}`)).statusCode).toBe(404);
    expect(await countRows(context, 'from customer_tags where customer_id in ($1, $2)', [aCustomer, bCustomer])).toBe(
      0,
    );
  });

  it('refuses an analyst who tags, but lets them read tags', async () => {
    const { owner, workspaceId, addUser, tagNamed } = await setup();
    const analyst = await addUser('analyst');
    const customerId = await insertCustomer(context, workspaceId, { name: '赵六' });
    await put(owner, `/api/v1/customers/${customerId}/tags`, { add: [tagNamed('VIP').id] });
    const response = await put(analyst, `/api/v1/customers/${customerId}/tags`, { remove: [tagNamed('VIP').id] });
    expect(response.statusCode).toBe(403);
    expect(await tagNames(analyst, `/api/v1/customers/${customerId}/tags`)).toEqual(['VIP']);
  });

  it('tags a conversation and notes it on the customer’s timeline', async () => {
    const { owner, inbox, tagNamed } = await setup();
    const { conversationId, customerId } = await startConversation(context, inbox.token);
    const url = `/api/v1/conversations/${conversationId}/tags`;
    const response = await put(owner, url, { add: [tagNamed('高频咨询').id] });
    expect(response.statusCode).toBe(200);
    expect(await tagNames(owner, url)).toEqual(['高频咨询']);
    expect(await tagNames(owner, `/api/v1/customers/${customerId}/tags`)).toEqual([]);
    const { rows } = await context.database.pool.query(
      'select kind, details from customer_events where customer_id = $1',
      [customerId],
    );
    expect(rows).toEqual([
      {
        kind: 'conversation_tags_changed',
        details: { added: [{ id: tagNamed('高频咨询').id, name: '高频咨询' }], removed: [], conversationId },
      },
    ]);
    const missing = await put(owner, '/api/v1/conversations/0190a0a0-0000-7000-8000-000000000000/tags', { add: [] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('conversation.not_found');
  });
});
