import { describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace } from '../../../test/harness.ts';
import { seedDemoKnowledge } from './demo-knowledge.ts';
import { bestFaqMatch, searchTerms } from './search-terms.ts';

const context = await createTestApp();

const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });
const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as Record<string, unknown> });

async function setup() {
  const workspace = await createWorkspace(context);
  const article = async (body: Record<string, unknown>) => {
    const response = await workspace.owner.post('/api/v1/knowledge/articles', { status: 'published', ...body });
    if (response.statusCode !== 201) throw new Error(response.body);
    return response.json() as { id: string; title: string; body: string; bodyText: string };
  };
  return { ...workspace, article };
}

describe('search terms', () => {
  it('normalises traditional and full-width text and drops question words', () => {
    expect(searchTerms('怎么退貨？')).toEqual(['退货']);
    expect(searchTerms('ＶＩＰ會員')).toEqual(expect.arrayContaining(['vip', '会员']));
  });

  it('scores the closest question variant highest, in 0..1', () => {
    const articles = [
      { id: 'a', title: '退换货政策', questions: ['怎么退货', '可以换货吗'] },
      { id: 'b', title: '发货时间', questions: ['什么时候发货'] },
    ];
    expect(bestFaqMatch('怎么退货呀', articles)).toMatchObject({ articleId: 'a', confidence: 1 });
    const partial = bestFaqMatch('下单后多久发货，能发顺丰吗', articles)!;
    expect(partial.articleId).toBe('b');
    expect(partial.confidence).toBeGreaterThan(0);
    expect(partial.confidence).toBeLessThan(0.6);
    expect(bestFaqMatch('今天天气不错', articles)).toBeNull();
  });

  it('takes the words buyers use for one thing as one term', () => {
    const articles = [
      { id: 'track', title: '快递查询', questions: ['怎么查快递', '包裹到哪了'] },
      { id: 'carrier', title: '默认快递公司', questions: ['发什么快递', '可以发顺丰吗'] },
      { id: 'refund', title: '退款到账时间', questions: ['退款多久到账'] },
    ];
    expect(bestFaqMatch('我的快递到哪了', articles)).toMatchObject({ articleId: 'track', confidence: 1 });
    expect(bestFaqMatch('物流到哪了', articles)).toMatchObject({ articleId: 'track', confidence: 1 });
    expect(bestFaqMatch('退钱多久到账', articles)).toMatchObject({ articleId: 'refund', confidence: 1 });
    // The knowledge search keeps the words as written.
    expect(searchTerms('包裹到哪了')).toEqual(['包裹']);
  });
});

describe('knowledge articles', () => {
  it('creates, reads, updates, lists and deletes articles with categories', async () => {
    const { owner, article } = await setup();
    const category = await owner.post('/api/v1/knowledge/categories', { name: '售后服务' });
    expect(category.statusCode).toBe(201);
    const categoryId = category.json().id;

    const created = await article({
      title: '退换货政策',
      body: '<p>签收后 <strong>7 天内</strong>可申请退换货。</p>',
      questions: ['怎么退货', '怎么退货', ' 可以换货吗 '],
      categoryId,
    });
    expect(created).toMatchObject({
      title: '退换货政策',
      bodyText: '签收后 7 天内可申请退换货。',
      questions: ['怎么退货', '可以换货吗'],
      categoryName: '售后服务',
      status: 'published',
      locale: 'zh-CN',
    });

    const draft = await article({ title: 'Shipping', body: '<p>Ships in 2 days</p>', status: 'draft', locale: 'en' });
    const updated = await owner.patch(`/api/v1/knowledge/articles/${draft.id}`, { status: 'published', title: '配送' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ title: '配送', status: 'published', locale: 'en' });
    expect(updated.json().publishedAt).not.toBeNull();

    const byCategory = (await owner.get(`/api/v1/knowledge/articles?categoryId=${categoryId}`)).json();
    expect(byCategory.items.map((item: { id: string }) => item.id)).toEqual([created.id]);
    expect(byCategory.items[0].body).toBeUndefined();
    const english = (await owner.get('/api/v1/knowledge/articles?locale=en')).json();
    expect(english.items.map((item: { id: string }) => item.id)).toEqual([draft.id]);

    const page1 = (await owner.get('/api/v1/knowledge/articles?limit=1')).json();
    expect(page1.items).toHaveLength(1);
    const page2 = (
      await owner.get(`/api/v1/knowledge/articles?limit=1&cursor=${encodeURIComponent(page1.nextCursor)}`)
    ).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0].id).not.toBe(page1.items[0].id);
    expect(page2.nextCursor).toBeNull();

    const categories = (await owner.get('/api/v1/knowledge/categories')).json();
    expect(categories.items).toEqual([expect.objectContaining({ name: '售后服务', articleCount: 1 })]);
    expect((await del(owner, `/api/v1/knowledge/categories/${categoryId}`)).statusCode).toBe(204);
    expect((await owner.get(`/api/v1/knowledge/articles/${created.id}`)).json().categoryId).toBeNull();

    expect((await del(owner, `/api/v1/knowledge/articles/${created.id}`)).statusCode).toBe(204);
    expect((await owner.get(`/api/v1/knowledge/articles/${created.id}`)).statusCode).toBe(404);
  });

  it('strips scripts, event handlers and javascript: links from bodies', async () => {
    const { article } = await setup();
    const created = await article({
      title: '危险内容',
      body: '<p onclick="steal()">你好<script>alert(1)</script></p><a href="javascript:alert(2)">点我</a><img src="x" onerror="alert(3)"><iframe src="https://evil.example"></iframe><a href="https://ok.example">好链接</a>',
    });
    expect(created.body).not.toMatch(/script|onclick|onerror|javascript:|iframe/i);
    expect(created.body).toContain('<a href="https://ok.example" target="_blank" rel="noopener noreferrer">好链接</a>');
    expect(created.bodyText).not.toContain('alert');
  });

  it('searches with segmentation, traditional characters and ranks title hits first', async () => {
    const { owner, article } = await setup();
    const policy = await article({ title: '退货政策', body: '<p>签收 7 天内可申请。</p>', questions: ['怎么退货'] });
    const shipping = await article({ title: '运费说明', body: '<p>退货的运费由买家承担，满 99 包邮。</p>' });
    await article({ title: '发票', body: '<p>可开电子发票。</p>' });

    for (const q of ['怎么退货', '退貨', '退货？']) {
      const found = (await owner.get(`/api/v1/knowledge/articles?q=${encodeURIComponent(q)}`)).json();
      expect(found.items.map((item: { id: string }) => item.id)).toEqual([policy.id, shipping.id]);
      expect(found.items[0].score).toBeGreaterThan(found.items[1].score);
    }

    const agentSearch = await owner.get(`/api/v1/knowledge/search?q=${encodeURIComponent('怎么退貨')}`);
    expect(agentSearch.statusCode).toBe(200);
    expect(agentSearch.json().items[0]).toMatchObject({ id: policy.id, bodyText: '签收 7 天内可申请。' });
    expect(agentSearch.json().items[0].url).toMatch(new RegExp(`^/help/.+/articles/${policy.id}$`));

    const drafts = await article({ title: '退货草稿', body: '<p>草稿</p>', status: 'draft' });
    const published = (await owner.get(`/api/v1/knowledge/search?q=${encodeURIComponent('退货')}`)).json();
    expect(published.items.map((item: { id: string }) => item.id)).not.toContain(drafts.id);
  });

  it('finds Chinese titles and question variants by pinyin and initials, and Latin words as before', async () => {
    const { owner, article } = await setup();
    const invoice = await article({
      title: '开具发票',
      body: '<p>下单时可选择电子普通发票。</p>',
      questions: ['怎么开发票'],
    });
    const returns = await article({ title: '退换货政策', body: '<p>签收后 7 天内可退。</p>', questions: ['怎么退货'] });
    const english = await article({ title: 'Shipping times', body: '<p>We ship in 2 days.</p>', locale: 'en' });
    const ids = async (url: string) => ((await owner.get(url)).json().items as { id: string }[]).map((item) => item.id);
    const list = (q: string) => ids(`/api/v1/knowledge/articles?q=${encodeURIComponent(q)}`);
    for (const q of ['fapiao', 'fp', 'FaPiao', 'kjfp', 'kai ju']) expect(await list(q)).toEqual([invoice.id]);
    expect(await list('tuihuo')).toEqual([returns.id]);
    // Pinyin is matched from the start of a word only, not inside a syllable.
    expect(await list('iao')).toEqual([]);
    expect(await list('shipping')).toEqual([english.id]);
    expect(await list('ship')).toEqual([english.id]);
    // The workbench's knowledge tab and the public help centre search the same way.
    expect(await ids('/api/v1/knowledge/search?q=fp')).toEqual([invoice.id]);
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const { owner } = await setup();
    const empty = await owner.post('/api/v1/knowledge/articles', { title: '', body: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details[0].message).toMatch(/标题/);
    const extra = await owner.post('/api/v1/knowledge/articles', { title: 'x', body: '', hacker: true });
    expect(extra.statusCode).toBe(400);
    const badCategory = await owner.post('/api/v1/knowledge/articles', {
      title: '有分类',
      body: '',
      categoryId: '01900000-0000-7000-8000-000000000000',
    });
    expect(badCategory.statusCode).toBe(404);
    expect(await countRows(context, 'from kb_articles where workspace_id = $1', [owner.workspaceId])).toBe(0);
    const { inbox } = await setup();
    const valid = { enabled: true, threshold: 0.5, greeting: '', quickQuestions: [] };
    const theirInbox = await put(owner, `/api/v1/knowledge/bot/settings/${inbox.id}`, valid);
    expect(theirInbox.statusCode).toBe(404);
    const own = (await owner.get('/api/v1/knowledge/bot/settings')).json().items[0].inboxId;
    const outOfRange = await put(owner, `/api/v1/knowledge/bot/settings/${own}`, { ...valid, threshold: 2 });
    expect(outOfRange.statusCode).toBe(400);
    expect(JSON.stringify(outOfRange.json().error)).toMatch(/阈值/);
    const cycle = await owner.post('/api/v1/knowledge/categories', { name: '父' });
    const child = await owner.post('/api/v1/knowledge/categories', { name: '子', parentId: cycle.json().id });
    const loop = await owner.patch(`/api/v1/knowledge/categories/${cycle.json().id}`, { parentId: child.json().id });
    expect(loop.statusCode).toBe(400);
  });

  it("answers 404 for another workspace's articles, categories and inboxes", async () => {
    const a = await setup();
    const b = await setup();
    const theirs = await b.article({ title: '别人的文章', body: '<p>秘密</p>' });
    const theirCategory = (await b.owner.post('/api/v1/knowledge/categories', { name: '别人的分类' })).json();
    expect((await a.owner.get(`/api/v1/knowledge/articles/${theirs.id}`)).statusCode).toBe(404);
    expect((await a.owner.patch(`/api/v1/knowledge/articles/${theirs.id}`, { title: '改' })).statusCode).toBe(404);
    expect((await del(a.owner, `/api/v1/knowledge/articles/${theirs.id}`)).statusCode).toBe(404);
    expect((await a.owner.patch(`/api/v1/knowledge/categories/${theirCategory.id}`, { name: '改' })).statusCode).toBe(
      404,
    );
    expect((await del(a.owner, `/api/v1/knowledge/categories/${theirCategory.id}`)).statusCode).toBe(404);
    const assign = await a.owner.post('/api/v1/knowledge/articles', {
      title: '借用分类',
      body: '',
      categoryId: theirCategory.id,
    });
    expect(assign.statusCode).toBe(404);
    expect((await a.owner.get(`/api/v1/knowledge/bot/settings/${b.inbox.id}`)).statusCode).toBe(404);
    expect((await a.owner.get(`/api/v1/knowledge/bot/stats?inboxId=${b.inbox.id}`)).statusCode).toBe(404);
    const search = (await a.owner.get(`/api/v1/knowledge/search?q=${encodeURIComponent('秘密')}`)).json();
    expect(search.items).toEqual([]);
    expect((await b.owner.get(`/api/v1/knowledge/articles/${theirs.id}`)).json().title).toBe('别人的文章');
  });

  it('lets agents read and search but not write', async () => {
    const { addUser, article, inbox } = await setup();
    const agent = await addUser('agent');
    const existing = await article({ title: '发货时间', body: '<p>48 小时内</p>' });
    expect((await agent.get('/api/v1/knowledge/articles')).statusCode).toBe(200);
    expect((await agent.get(`/api/v1/knowledge/search?q=${encodeURIComponent('发货')}`)).statusCode).toBe(200);
    expect((await agent.post('/api/v1/knowledge/articles', { title: 'x', body: '' })).statusCode).toBe(403);
    expect((await agent.patch(`/api/v1/knowledge/articles/${existing.id}`, { title: 'x' })).statusCode).toBe(403);
    expect((await del(agent, `/api/v1/knowledge/articles/${existing.id}`)).statusCode).toBe(403);
    expect((await agent.post('/api/v1/knowledge/categories', { name: 'x' })).statusCode).toBe(403);
    const settings = { enabled: true, threshold: 0.5, greeting: '你好', quickQuestions: [] };
    expect((await put(agent, `/api/v1/knowledge/bot/settings/${inbox.id}`, settings)).statusCode).toBe(403);
    const supervisor = await addUser('supervisor');
    expect((await put(supervisor, `/api/v1/knowledge/bot/settings/${inbox.id}`, settings)).statusCode).toBe(200);
  });
});

describe('the public help centre', () => {
  it('lists and shows published articles only, escaped, by inbox token', async () => {
    const { inbox, article } = await setup();
    const published = await article({ title: '退货<b>政策</b>', body: '<p>7 天无理由</p>', questions: ['怎么退货'] });
    const draft = await article({ title: '内部草稿', body: '<p>未发布</p>', status: 'draft' });

    const list = await context.app.inject({
      url: `/public/v1/help/${inbox.token}/articles?q=${encodeURIComponent('退貨')}`,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().articles.map((item: { id: string }) => item.id)).toEqual([published.id]);
    const all = (await context.app.inject({ url: `/public/v1/help/${inbox.token}/articles` })).json();
    expect(all.articles.map((item: { id: string }) => item.id)).not.toContain(draft.id);

    const shown = await context.app.inject({ url: `/public/v1/help/${inbox.token}/articles/${published.id}` });
    expect(shown.json()).toMatchObject({ title: '退货<b>政策</b>', body: '<p>7 天无理由</p>' });
    expect((await context.app.inject({ url: `/public/v1/help/${inbox.token}/articles/${draft.id}` })).statusCode).toBe(
      404,
    );
    expect((await context.app.inject({ url: '/public/v1/help/nope/articles' })).statusCode).toBe(404);

    const page = await context.app.inject({
      url: `/help/${inbox.token}?q=${encodeURIComponent('<script>x</script>')}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;script&gt;');
    const index = await context.app.inject({ url: `/help/${inbox.token}` });
    expect(index.body).toContain('退货&lt;b&gt;政策&lt;/b&gt;');
    const articlePage = await context.app.inject({ url: `/help/${inbox.token}/articles/${published.id}` });
    expect(articlePage.body).toContain('<p>7 天无理由</p>');
    expect((await context.app.inject({ url: `/help/${inbox.token}/articles/${draft.id}` })).statusCode).toBe(404);
  });

  it('tells the widget the bot greeting and quick questions when the bot is on', async () => {
    const { owner, inbox, article } = await setup();
    await article({ title: '发货时间', body: '<p>48 小时内</p>' });
    const off = (await context.app.inject({ url: `/public/v1/help/${inbox.token}/bot` })).json();
    expect(off).toEqual({ enabled: false, greeting: '', quickQuestions: [] });
    await put(owner, `/api/v1/knowledge/bot/settings/${inbox.id}`, {
      enabled: true,
      threshold: 0.6,
      greeting: '我是小慧',
      quickQuestions: [],
    });
    const on = (await context.app.inject({ url: `/public/v1/help/${inbox.token}/bot` })).json();
    expect(on).toEqual({ enabled: true, greeting: '我是小慧', quickQuestions: ['发货时间'] });
    // The bot key is written alone: the inbox's other settings survive.
    const read = (await owner.get(`/api/v1/inboxes/${inbox.id}`)).json();
    expect(read.settings.color).toBeDefined();
  });
});

describe('demo knowledge', () => {
  it('seeds ~20 published FAQ articles and turns the website bot on', async () => {
    const { owner, inbox } = await setup();
    await seedDemoKnowledge(context.database.db, owner.workspaceId!, owner.userId!);
    const list = (await owner.get('/api/v1/knowledge/articles?status=published&limit=100')).json();
    expect(list.items.length).toBeGreaterThanOrEqual(20);
    const bot = (await owner.get(`/api/v1/knowledge/bot/settings/${inbox.id}`)).json();
    expect(bot.settings).toMatchObject({ enabled: true });
    const faq = (await owner.get(`/api/v1/knowledge/search?q=${encodeURIComponent('七天無理由退貨')}`)).json();
    expect(faq.items[0].title).toBe('七天无理由退货');
  });
});
