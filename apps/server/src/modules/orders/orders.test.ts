import { defaultCustomerValueSettings } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';
import { recomputeWorkspaceValue } from './customer-value.ts';
import { seedDemoOrders } from './demo-orders.ts';
import { enqueueNightlyRecomputes, lastNightlySlot } from './orders.jobs.ts';

const context = await createTestApp();
const { pool } = context.database;

const DAY = 86_400_000;
/**
 * "Now" of the value tests: the real time when the file started (sessions are checked against the database's
 * clock, so the process clock cannot be moved). Crafted purchases sit days away from every threshold, and the
 * recompute functions take this instant explicitly.
 */
const NOW = new Date();
const daysAgo = (days: number, from = NOW) => new Date(from.getTime() - days * DAY).toISOString();

async function shop() {
  const workspace = await createWorkspace(context);
  return { ...workspace, workspaceId: workspace.owner.workspaceId! };
}

let sequence = 0;
const orderBody = (overrides: Record<string, unknown> = {}) => ({
  platform: 'taobao',
  orderNo: `TB${Date.now()}${++sequence}`,
  status: 'paid',
  amountFen: 12_900,
  items: [{ productName: '羽绒服', sku: 'YRF-BLK-L', quantity: 1, priceFen: 12_900 }],
  paidAt: '2025-06-01T10:00:00+08:00',
  customer: { buyerId: 'tb_buyer_1', name: '王小明', phone: '13800138000' },
  ...overrides,
});

const customerRow = async (id: string) =>
  (
    await pool.query(
      `select order_count, total_spent_fen::int as total_spent_fen, first_order_at, last_order_at,
        rfm_r, rfm_f, rfm_m, rfm_tier, lifecycle_stage, lifecycle_previous_stage
       from customers where id = $1`,
      [id],
    )
  ).rows[0];

const eventsOf = async (customerId: string, kindPrefix = '') =>
  (
    await pool.query<{ kind: string; details: Record<string, unknown> }>(
      'select kind, details from customer_events where customer_id = $1 and kind like $2 order by id',
      [customerId, `${kindPrefix}%`],
    )
  ).rows;

/** Posts an order for a buyer and answers the customer it went to. */
async function buy(client: Client, buyerId: string, overrides: Record<string, unknown> = {}) {
  const response = await client.post('/api/v1/orders', orderBody({ customer: { buyerId }, ...overrides }));
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json().order.customerId as string;
}

describe('upserting orders', () => {
  it('creates an order, resolving the buyer to a customer, and answers 201', async () => {
    const { owner, workspaceId } = await shop();
    const response = await owner.post('/api/v1/orders', orderBody({ orderNo: 'TB1001', trackingNo: 'SF1234567890' }));
    expect(response.statusCode, response.body).toBe(201);
    const { outcome, order } = response.json();
    expect(outcome).toBe('created');
    expect(order).toMatchObject({
      platform: 'taobao',
      orderNo: 'TB1001',
      status: 'paid',
      amountFen: 12_900,
      items: [{ productName: '羽绒服', sku: 'YRF-BLK-L', quantity: 1, priceFen: 12_900 }],
      paidAt: '2025-06-01T02:00:00.000Z',
      placedAt: '2025-06-01T02:00:00.000Z',
      trackingNo: 'SF1234567890',
      buyerId: 'tb_buyer_1',
    });
    const customer = (
      await pool.query('select name, phone, workspace_id from customers where id = $1', [order.customerId])
    ).rows[0];
    expect(customer).toMatchObject({ name: '王小明', workspace_id: workspaceId });
    expect(await eventsOf(order.customerId, 'order.')).toEqual([
      expect.objectContaining({ kind: 'order.created', details: expect.objectContaining({ orderNo: 'TB1001' }) }),
    ]);
  });

  it('changes nothing when the same order is posted twice', async () => {
    const { owner } = await shop();
    const body = orderBody({ orderNo: 'JD-777', platform: 'jd' });
    const first = (await owner.post('/api/v1/orders', body)).json();
    const before = await customerRow(first.order.customerId);
    const second = await owner.post('/api/v1/orders', body);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ outcome: 'unchanged', order: first.order });
    expect(await countRows(context, `from orders where order_no = 'JD-777'`)).toBe(1);
    expect(await countRows(context, 'from order_items where order_id = $1', [first.order.id])).toBe(1);
    expect(await eventsOf(first.order.customerId, 'order.')).toHaveLength(1);
    expect(await eventsOf(first.order.customerId, 'lifecycle.')).toHaveLength(1);
    expect(await customerRow(first.order.customerId)).toEqual(before);
  });

  it('updates an order by platform and number, and records the status change once', async () => {
    const { owner } = await shop();
    const body = orderBody({ orderNo: 'DY-1', platform: 'douyin' });
    const created = (await owner.post('/api/v1/orders', body)).json().order;
    const shipped = {
      ...body,
      status: 'shipped',
      shippedAt: '2025-06-02T09:00:00+08:00',
      trackingCompany: '中通快递',
      trackingNo: 'ZTO7788',
    };
    const update = await owner.post('/api/v1/orders', shipped);
    expect(update.statusCode).toBe(200);
    expect(update.json()).toMatchObject({
      outcome: 'updated',
      order: { id: created.id, status: 'shipped', trackingCompany: '中通快递', trackingNo: 'ZTO7788' },
    });
    expect((await owner.post('/api/v1/orders', shipped)).json().outcome).toBe('unchanged');
    const events = await eventsOf(created.customerId, 'order.');
    expect(events.map((event) => event.kind)).toEqual(['order.created', 'order.status_changed']);
    expect(events[1]!.details).toMatchObject({ from: 'paid', to: 'shipped', orderNo: 'DY-1' });
  });

  it('replaces the items when they change', async () => {
    const { owner } = await shop();
    const body = orderBody({ orderNo: 'PDD-9', platform: 'pdd' });
    const created = (await owner.post('/api/v1/orders', body)).json().order;
    const items = [
      { productName: '保温杯', sku: null, quantity: 2, priceFen: 4_900 },
      { productName: '羽绒服', sku: 'YRF-RED-M', quantity: 1, priceFen: 3_100 },
    ];
    const updated = (await owner.post('/api/v1/orders', { ...body, items })).json();
    expect(updated.outcome).toBe('updated');
    expect(updated.order.items).toEqual(items);
    expect(await countRows(context, 'from order_items where order_id = $1', [created.id])).toBe(2);
  });

  it('attaches an order to an existing customer by id', async () => {
    const { owner, workspaceId } = await shop();
    const customerId = await insertCustomer(context, workspaceId, { name: '老客户' });
    const response = await owner.post('/api/v1/orders', orderBody({ customer: { customerId } }));
    expect(response.statusCode).toBe(201);
    expect(response.json().order.customerId).toBe(customerId);
  });

  it('keeps purchase aggregates right: paid, shipped and completed count; pending, cancelled and refunded do not', async () => {
    const { owner } = await shop();
    const buyer = 'agg_buyer';
    const customerId = await buy(owner, buyer, { orderNo: 'A1', amountFen: 10_000, paidAt: '2025-03-01T00:00:00Z' });
    await buy(owner, buyer, { orderNo: 'A2', status: 'completed', amountFen: 25_050, paidAt: '2025-05-20T00:00:00Z' });
    await buy(owner, buyer, {
      orderNo: 'A3',
      status: 'pending',
      amountFen: 99_900,
      paidAt: null,
      placedAt: '2025-06-01T00:00:00Z',
    });
    await buy(owner, buyer, { orderNo: 'A4', status: 'refunded', amountFen: 50_000, paidAt: '2025-06-02T00:00:00Z' });
    expect(await customerRow(customerId)).toMatchObject({
      order_count: 2,
      total_spent_fen: 35_050,
      first_order_at: new Date('2025-03-01T00:00:00Z'),
      last_order_at: new Date('2025-05-20T00:00:00Z'),
    });
    // Cancelling a paid order takes it out again, in the same request.
    await buy(owner, buyer, { orderNo: 'A2', status: 'cancelled', amountFen: 25_050, paidAt: '2025-05-20T00:00:00Z' });
    expect(await customerRow(customerId)).toMatchObject({
      order_count: 1,
      total_spent_fen: 10_000,
      last_order_at: new Date('2025-03-01T00:00:00Z'),
    });
  });

  it('moves an order between customers and keeps both customers’ aggregates right', async () => {
    const { owner } = await shop();
    const first = await buy(owner, 'buyer_first', { orderNo: 'MOVE-1' });
    const second = await buy(owner, 'buyer_second', { orderNo: 'MOVE-1' });
    expect(second).not.toBe(first);
    expect((await customerRow(first)).order_count).toBe(0);
    expect((await customerRow(second)).order_count).toBe(1);
  });
});

describe('refusing bad orders', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a negative amount', { amountFen: -1 }, '/amountFen'],
    ['an amount in yuan with decimals', { amountFen: 12.5 }, '/amountFen'],
    ['an unknown platform', { platform: 'amazon' }, '/platform'],
    ['an unknown status', { status: 'lost' }, '/status'],
    ['a date in the wrong format', { paidAt: '2025/06/01 10:00' }, '/paidAt'],
    ['an impossible date', { shippedAt: '2025-02-30T10:00:00Z' }, '/shippedAt'],
    ['a two-digit year', { placedAt: '0099-05-05T00:00:00Z' }, '/placedAt'],
    ['a placeholder date in the future', { placedAt: '9999-12-31T23:59:59Z' }, '/placedAt'],
    [
      'a payment before the order',
      { placedAt: '2024-05-01T10:00:00+08:00', paidAt: '2024-04-30T10:00:00+08:00' },
      '/paidAt',
    ],
    ['an order number with spaces', { orderNo: 'TB 1' }, '/orderNo'],
    ['an item without a name', { items: [{ productName: '', quantity: 1, priceFen: 1 }] }, '/items/0/productName'],
    ['a zero quantity', { items: [{ productName: '保温杯', quantity: 0, priceFen: 1 }] }, '/items/0/quantity'],
    ['no way to find the customer', { customer: { name: '无名氏' } }, '/customer'],
    ['an unknown field', { discount: 5 }, '/'],
  ];
  for (const [what, overrides, path] of cases) {
    it(`answers 400 naming the field for ${what}, and stores nothing`, async () => {
      const { owner, workspaceId } = await shop();
      const response = await owner.post('/api/v1/orders', orderBody({ orderNo: 'BAD-1', ...overrides }));
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
      expect(response.json().error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      expect(await countRows(context, 'from orders where workspace_id = $1', [workspaceId])).toBe(0);
      expect(await countRows(context, 'from customers where workspace_id = $1', [workspaceId])).toBe(0);
    });
  }

  it('answers 404 for a customer id that is not in the workspace', async () => {
    const other = await shop();
    const theirs = await insertCustomer(context, other.workspaceId, { name: '别家客户' });
    const { owner, workspaceId } = await shop();
    const response = await owner.post('/api/v1/orders', orderBody({ customer: { customerId: theirs } }));
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('customer.not_found');
    expect(await countRows(context, 'from orders where workspace_id = $1', [workspaceId])).toBe(0);
  });
});

describe('batch upserts', () => {
  it('stores the good orders and rejects the bad ones with their index and reason', async () => {
    const { owner, workspaceId } = await shop();
    const good = orderBody({ orderNo: 'B-1' });
    const response = await owner.post('/api/v1/orders/batch', {
      orders: [good, orderBody({ orderNo: 'B-2', amountFen: -5 }), orderBody({ orderNo: 'B-3', platform: 'jd' }), good],
    });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result.counts).toEqual({ created: 2, updated: 0, unchanged: 1, rejected: 1 });
    expect(result.items.map((item: { outcome: string }) => item.outcome)).toEqual([
      'created',
      'rejected',
      'created',
      'unchanged',
    ]);
    expect(result.items[1]).toMatchObject({
      index: 1,
      orderId: null,
      error: { code: 'request.invalid', details: [expect.objectContaining({ path: '/amountFen' })] },
    });
    expect(await countRows(context, 'from orders where workspace_id = $1', [workspaceId])).toBe(2);
  });

  it('refuses more than 1000 orders at once', async () => {
    const { owner } = await shop();
    const response = await owner.post('/api/v1/orders/batch', { orders: Array.from({ length: 1001 }, () => ({})) });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([expect.objectContaining({ path: '/orders' })]);
  });
});

describe('reading orders', () => {
  async function shopWithOrders() {
    const s = await shop();
    const customerId = await buy(s.owner, 'reader', {
      orderNo: '4001234567',
      trackingNo: 'SF100200300',
      placedAt: '2025-05-01T00:00:00Z',
    });
    await buy(s.owner, 'reader', { orderNo: '4001299999', status: 'shipped', placedAt: '2025-05-03T00:00:00Z' });
    await buy(s.owner, 'reader', { orderNo: '5009999999', trackingNo: 'YT555', placedAt: '2025-05-02T00:00:00Z' });
    await buy(s.owner, 'someone_else', { orderNo: '6000000001', placedAt: '2025-05-04T00:00:00Z' });
    return { ...s, customerId };
  }
  const numbers = (response: { json(): { items: { orderNo: string }[] } }) =>
    response.json().items.map((order) => order.orderNo);

  it('lists a customer’s orders newest first, page by page', async () => {
    const { owner, customerId } = await shopWithOrders();
    const first = await owner.get(`/api/v1/customers/${customerId}/orders?limit=2`);
    expect(numbers(first)).toEqual(['4001299999', '5009999999']);
    const second = await owner.get(`/api/v1/customers/${customerId}/orders?limit=2&cursor=${first.json().nextCursor}`);
    expect(numbers(second)).toEqual(['4001234567']);
    expect(second.json().nextCursor).toBeNull();
  });

  it('finds orders by order or tracking number, exactly or by prefix, and filters by status', async () => {
    const { owner, customerId } = await shopWithOrders();
    expect(numbers(await owner.get('/api/v1/orders?q=4001234567'))).toEqual(['4001234567']);
    expect(numbers(await owner.get('/api/v1/orders?q=40012'))).toEqual(['4001299999', '4001234567']);
    expect(numbers(await owner.get('/api/v1/orders?q=SF100'))).toEqual(['4001234567']);
    expect(numbers(await owner.get('/api/v1/orders?q=YT555'))).toEqual(['5009999999']);
    expect(numbers(await owner.get('/api/v1/orders?q=001234'))).toEqual([]);
    expect(numbers(await owner.get('/api/v1/orders?q=%25'))).toEqual([]);
    expect(numbers(await owner.get('/api/v1/orders?status=shipped'))).toEqual(['4001299999']);
    expect(numbers(await owner.get(`/api/v1/orders?customerId=${customerId}&q=5`))).toEqual(['5009999999']);
    expect(numbers(await owner.get('/api/v1/orders'))).toHaveLength(4);
  });

  it('pages through each filter newest first, never skipping or repeating an order', async () => {
    const { owner } = await shop();
    const at = (day: number) => `2025-03-${String(day).padStart(2, '0')}T08:00:00Z`;
    for (const [platform, orderNo, status, day, trackingNo] of [
      ['taobao', 'T01', 'completed', 1, 'SF001'],
      ['jd', 'J02', 'completed', 2, 'YT002'],
      ['jd', 'J03', 'refunded', 3, 'SF003'],
      ['taobao', 'T04', 'completed', 4, 'SF004'],
      ['jd', 'J05', 'completed', 4, 'SF005'], // the same time as T04: the id decides
      ['douyin', 'D06', 'shipped', 6, 'YT006'],
      ['jd', 'J07', 'completed', 7, 'SF007'],
    ] as const) {
      await buy(owner, 'pager', { platform, orderNo, status, placedAt: at(day), trackingNo });
    }
    async function everyPage(query: string) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await owner.get(`/api/v1/orders?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.statusCode, page.body).toBe(200);
        seen.push(...numbers(page));
        cursor = page.json().nextCursor;
      } while (cursor);
      return seen;
    }
    const newestFirst = await everyPage('');
    expect(newestFirst).toEqual(['J07', 'D06', expect.any(String), expect.any(String), 'J03', 'J02', 'T01']);
    const inOrder = (...orderNos: string[]) => newestFirst.filter((orderNo) => orderNos.includes(orderNo));

    expect(await everyPage('status=completed')).toEqual(inOrder('J07', 'J05', 'T04', 'J02', 'T01'));
    expect(await everyPage('platform=jd')).toEqual(inOrder('J07', 'J05', 'J03', 'J02'));
    expect(await everyPage('platform=jd&status=completed')).toEqual(inOrder('J07', 'J05', 'J02'));
    expect(await everyPage('q=SF')).toEqual(inOrder('J07', 'J05', 'T04', 'J03', 'T01'));
    expect(await everyPage('q=J0&status=completed')).toEqual(inOrder('J07', 'J05', 'J02'));
    expect(await everyPage('q=T0&platform=taobao&status=completed')).toEqual(inOrder('T04', 'T01'));
    expect(await everyPage('status=cancelled')).toEqual([]);
    expect(await everyPage('platform=other')).toEqual([]);
    expect(await everyPage('platform=douyin&status=completed')).toEqual([]);
  });

  it('gets one order with its items, and lets an analyst read orders', async () => {
    const { owner, addUser } = await shopWithOrders();
    const id = (await owner.get('/api/v1/orders?q=5009999999')).json().items[0].id;
    const analyst = await addUser('analyst');
    const response = await analyst.get(`/api/v1/orders/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id, orderNo: '5009999999', items: [{ productName: '羽绒服' }] });
    expect((await owner.get('/api/v1/orders/0190a0a0-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('keeps another workspace’s orders and customers out of reach', async () => {
    const a = await shopWithOrders();
    const b = await shop();
    const aOrderId = (await a.owner.get('/api/v1/orders')).json().items[0].id;
    const order = await b.owner.get(`/api/v1/orders/${aOrderId}`);
    expect(order.statusCode).toBe(404);
    expect(order.json().error.code).toBe('order.not_found');
    const orders = await b.owner.get(`/api/v1/customers/${a.customerId}/orders`);
    expect(orders.statusCode).toBe(404);
    expect(orders.json().error.code).toBe('customer.not_found');
    expect((await b.owner.get('/api/v1/orders?q=4001')).json().items).toEqual([]);
    expect((await b.owner.get(`/api/v1/orders?customerId=${a.customerId}`)).json().items).toEqual([]);
    // The same platform + number in B is B's own order, not an update of A's.
    const own = await b.owner.post('/api/v1/orders', orderBody({ orderNo: '4001234567', amountFen: 1 }));
    expect(own.json().outcome).toBe('created');
    expect((await a.owner.get(`/api/v1/orders/${aOrderId}`)).json().amountFen).toBe(12_900);
  });

  it('refuses writes by agents and analysts', async () => {
    const { addUser, workspaceId } = await shop();
    for (const role of ['agent', 'analyst'] as const) {
      const user = await addUser(role);
      const single = await user.post('/api/v1/orders', orderBody());
      expect(single.statusCode).toBe(403);
      expect(single.json().error.code).toBe('auth.forbidden');
      expect((await user.post('/api/v1/orders/batch', { orders: [orderBody()] })).statusCode).toBe(403);
    }
    expect(await countRows(context, 'from orders where workspace_id = $1', [workspaceId])).toBe(0);
  });
});

describe('customer value', () => {
  it('scores RFM, tiers and lifecycle stages from purchases, with a fixed clock', async () => {
    const { owner } = await shop();
    // Loyal: 12 purchases over ten months, ¥6,000 in all, the last 5 days ago.
    let loyal = '';
    for (let i = 0; i < 12; i++) {
      loyal = await buy(owner, 'loyal', { orderNo: `L${i}`, amountFen: 50_000, paidAt: daysAgo(5 + i * 25) });
    }
    const fresh = await buy(owner, 'fresh', { orderNo: 'N1', amountFen: 9_900, paidAt: daysAgo(10) });
    const steady = await buy(owner, 'steady', { orderNo: 'S1', amountFen: 30_000, paidAt: daysAgo(120) });
    await buy(owner, 'steady', { orderNo: 'S2', amountFen: 30_000, paidAt: daysAgo(60) });
    const sleeping = await buy(owner, 'sleeping', { orderNo: 'Z1', amountFen: 80_000, paidAt: daysAgo(300) });
    await buy(owner, 'sleeping', { orderNo: 'Z2', amountFen: 80_000, paidAt: daysAgo(250) });
    const gone = await buy(owner, 'gone', { orderNo: 'G1', amountFen: 5_000, paidAt: daysAgo(400) });
    const browsing = await buy(owner, 'browsing', { orderNo: 'P1', status: 'pending', paidAt: null });

    expect(await customerRow(loyal)).toMatchObject({
      rfm_r: 5,
      rfm_f: 5,
      rfm_m: 5,
      rfm_tier: 'loyal',
      lifecycle_stage: 'active',
    });
    expect(await customerRow(fresh)).toMatchObject({
      rfm_r: 5,
      rfm_f: 1,
      rfm_m: 1,
      rfm_tier: 'new',
      lifecycle_stage: 'new',
    });
    expect(await customerRow(steady)).toMatchObject({
      rfm_r: 4,
      rfm_f: 2,
      rfm_m: 3,
      rfm_tier: 'potential',
      lifecycle_stage: 'active',
    });
    expect(await customerRow(sleeping)).toMatchObject({
      rfm_r: 2,
      rfm_f: 2,
      rfm_m: 4,
      rfm_tier: 'winback',
      lifecycle_stage: 'dormant',
    });
    expect(await customerRow(gone)).toMatchObject({
      rfm_r: 1,
      rfm_f: 1,
      rfm_m: 1,
      rfm_tier: 'churned',
      lifecycle_stage: 'churned',
    });
    expect(await customerRow(browsing)).toMatchObject({
      order_count: 0,
      rfm_r: null,
      rfm_tier: null,
      lifecycle_stage: 'prospect',
    });
    const stageEvents = (await eventsOf(gone)).filter((event) => event.kind === 'lifecycle.changed');
    expect(stageEvents.map((event) => event.details)).toEqual([{ from: 'prospect', to: 'churned' }]);
  });

  it('marks a churned customer who buys again as returning, then active once the return is old news', async () => {
    const { owner } = await shop();
    const customerId = await buy(owner, 'prodigal', { orderNo: 'R1', paidAt: daysAgo(400) });
    expect((await customerRow(customerId)).lifecycle_stage).toBe('churned');
    await buy(owner, 'prodigal', { orderNo: 'R2', paidAt: daysAgo(1) });
    expect(await customerRow(customerId)).toMatchObject({
      lifecycle_stage: 'returning',
      lifecycle_previous_stage: 'churned',
    });
    const stages = async () =>
      (await eventsOf(customerId)).filter((e) => e.kind === 'lifecycle.changed').map((e) => e.details);
    expect(await stages()).toEqual([
      { from: 'prospect', to: 'churned' },
      { from: 'churned', to: 'returning' },
    ]);

    // A nightly run the same day changes nothing; 40 days on the return is no longer news.
    const sameDay = await recomputeWorkspaceValue(context.database.db, owner.workspaceId!, { now: NOW });
    expect(sameDay).toMatchObject({ scanned: 1, updated: 0, transitions: 0 });
    const later = new Date(NOW.getTime() + 40 * DAY);
    await recomputeWorkspaceValue(context.database.db, owner.workspaceId!, { now: later });
    expect((await customerRow(customerId)).lifecycle_stage).toBe('active');
    expect((await stages()).at(-1)).toEqual({ from: 'returning', to: 'active' });
  });

  it('sees a long silence no nightly run has marked yet: the next purchase makes the customer returning', async () => {
    const { owner } = await shop();
    const customerId = await buy(owner, 'quiet', { orderNo: 'Q1', paidAt: daysAgo(155) });
    await buy(owner, 'quiet', { orderNo: 'Q2', paidAt: daysAgo(152) });
    // As computed 150 days ago, when these were fresh, with no nightly run since.
    await pool.query(
      `update customers set lifecycle_stage = 'new', lifecycle_previous_stage = 'prospect' where id = $1`,
      [customerId],
    );
    await pool.query(`delete from customer_events where customer_id = $1 and kind = 'lifecycle.changed'`, [customerId]);
    await buy(owner, 'quiet', { orderNo: 'Q3', paidAt: daysAgo(0) });
    const stages = (await eventsOf(customerId))
      .filter((event) => event.kind === 'lifecycle.changed')
      .map((event) => event.details);
    expect(stages).toEqual([
      { from: 'new', to: 'dormant' },
      { from: 'dormant', to: 'returning' },
    ]);
  });

  it('recomputes in batches of id ranges, touching only rows whose values change', async () => {
    const { owner, workspaceId } = await shop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await buy(owner, `batch_${i}`, { orderNo: `BR${i}`, paidAt: daysAgo(20 * i) }));
    await insertCustomer(context, workspaceId, { name: '没下过单' });
    const progress: number[] = [];
    const later = new Date(NOW.getTime() + 200 * DAY);
    const totals = await recomputeWorkspaceValue(context.database.db, workspaceId, {
      now: later,
      batchSize: 2,
      onBatch: async (state) => {
        progress.push(state.scanned);
      },
    });
    expect(progress).toEqual([2, 4, 6]);
    expect(totals).toEqual({ scanned: 6, updated: 5, transitions: 5 });
    for (const id of ids) expect((await customerRow(id)).lifecycle_stage).toBe('dormant');
    const again = await recomputeWorkspaceValue(context.database.db, workspaceId, { now: later, batchSize: 2 });
    expect(again).toEqual({ scanned: 6, updated: 0, transitions: 0 });
  });

  it('records a whole batch of stage changes at once, more than a statement has parameters for', async () => {
    const { workspaceId } = await shop();
    // 12,000 active buyers whose last purchase was 400 days ago: one batch, 12,000 timeline entries (7 values
    // each would be 84,000 parameters; PostgreSQL takes 65,535).
    await pool.query(
      `insert into customers (id, workspace_id, name, order_count, total_spent_fen, first_order_at, last_order_at,
         lifecycle_stage)
       select gen_random_uuid(), $1, '老客' || n, 1, 9900, $2::timestamptz, $2::timestamptz, 'active'
         from generate_series(1, 12000) n`,
      [workspaceId, daysAgo(400)],
    );
    const totals = await recomputeWorkspaceValue(context.database.db, workspaceId, { now: NOW });
    expect(totals).toEqual({ scanned: 12_000, updated: 12_000, transitions: 12_000 });
    const events = await pool.query(
      `select details, count(*)::int as count from customer_events
        where workspace_id = $1 and kind = 'lifecycle.changed' group by details`,
      [workspaceId],
    );
    expect(events.rows).toEqual([{ details: { from: 'active', to: 'churned' }, count: 12_000 }]);
  });
});

describe('customer value settings', () => {
  it('answers the defaults to everyone', async () => {
    const { addUser } = await shop();
    const agent = await addUser('agent');
    const response = await agent.get('/api/v1/settings/customer-value');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(defaultCustomerValueSettings);
  });

  it('refuses settings that do not make sense, naming the field', async () => {
    const { owner } = await shop();
    const bad = (patch: Record<string, unknown>) => ({ ...defaultCustomerValueSettings, ...patch });
    const cases: [unknown, string][] = [
      [bad({ rfm: { ...defaultCustomerValueSettings.rfm, recencyDays: [30, 20, 180, 365] } }), '/rfm/recencyDays'],
      [bad({ rfm: { ...defaultCustomerValueSettings.rfm, monetaryFen: [0, 1, 2, 3] } }), '/rfm/monetaryFen/0'],
      [bad({ lifecycle: { newDays: 30, dormantDays: 400, churnedDays: 365 } }), '/lifecycle/churnedDays'],
      [bad({ lifecycle: { newDays: -1, dormantDays: 90, churnedDays: 365 } }), '/lifecycle/newDays'],
      [bad({ staleProfileDays: { active: 0, others: 60 } }), '/staleProfileDays/active'],
      [
        bad({
          rfm: {
            ...defaultCustomerValueSettings.rfm,
            tiers: { rules: [{ tier: 'loyal', r: [5, 4] }], otherwise: 'churned' },
          },
        }),
        '/rfm/tiers/rules/0/r',
      ],
    ];
    for (const [body, path] of cases) {
      const response = await owner.request({
        method: 'PUT',
        url: '/api/v1/settings/customer-value',
        payload: body as object,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect((await owner.get('/api/v1/settings/customer-value')).json()).toEqual(defaultCustomerValueSettings);
  });

  it('saves settings for admins only, records them in the audit log, and recomputes on demand', async () => {
    const { owner, addUser, workspaceId } = await shop();
    const fresh = await buy(owner, 'fresh', { orderNo: 'N1', amountFen: 9_900, paidAt: daysAgo(10) });
    expect((await customerRow(fresh)).rfm_tier).toBe('new');
    await pool.query(`update workspaces set settings = settings || '{"otherModule": {"kept": true}}' where id = $1`, [
      workspaceId,
    ]);

    // Everyone who has bought at all is "loyal" now.
    const settings = {
      ...defaultCustomerValueSettings,
      rfm: { ...defaultCustomerValueSettings.rfm, tiers: { rules: [], otherwise: 'loyal' } },
      lifecycle: { newDays: 7, dormantDays: 60, churnedDays: 180 },
    };
    const agent = await addUser('agent');
    const refused = await agent.request({ method: 'PUT', url: '/api/v1/settings/customer-value', payload: settings });
    expect(refused.statusCode).toBe(403);
    expect((await agent.post('/api/v1/settings/customer-value/recompute')).statusCode).toBe(403);

    const saved = await owner.request({ method: 'PUT', url: '/api/v1/settings/customer-value', payload: settings });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await agent.get('/api/v1/settings/customer-value')).json()).toEqual(settings);
    const stored = (await pool.query('select settings from workspaces where id = $1', [workspaceId])).rows[0].settings;
    expect(stored.otherModule).toEqual({ kept: true });
    expect(
      await countRows(
        context,
        `from audit_log where workspace_id = $1 and action = 'settings.customer_value_updated'`,
        [workspaceId],
      ),
    ).toBe(1);

    const queued = await owner.post('/api/v1/settings/customer-value/recompute');
    expect(queued.statusCode).toBe(202);
    expect(queued.json()).toMatchObject({ kind: 'customers.recompute_value', status: 'queued' });
    await context.jobs.drain();
    const job = (await owner.get(`/api/v1/jobs/${queued.json().id}`)).json();
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { done: 1, total: 1 },
      result: { scanned: 1, updated: 1, transitions: 1 },
    });
    expect(await customerRow(fresh)).toMatchObject({ rfm_tier: 'loyal', lifecycle_stage: 'active' });

    // Running it again is harmless: nothing changes, nothing is recorded twice.
    const again = (await owner.post('/api/v1/settings/customer-value/recompute')).json();
    await context.jobs.drain();
    expect((await owner.get(`/api/v1/jobs/${again.id}`)).json().result).toEqual({
      scanned: 1,
      updated: 0,
      transitions: 0,
    });
  });
});

describe('the nightly recompute', () => {
  it('finds the last 03:00 in the workspace’s timezone', () => {
    // 2025-06-15 12:00 Shanghai → 03:00 that morning (19:00 UTC the day before).
    expect(lastNightlySlot(new Date('2025-06-15T04:00:00Z'), 'Asia/Shanghai').toISOString()).toBe(
      '2025-06-14T19:00:00.000Z',
    );
    // 02:00 Shanghai → 03:00 the day before.
    expect(lastNightlySlot(new Date('2025-06-14T18:00:00Z'), 'Asia/Shanghai').toISOString()).toBe(
      '2025-06-13T19:00:00.000Z',
    );
    expect(lastNightlySlot(new Date('2025-01-10T12:00:00Z'), 'UTC').toISOString()).toBe('2025-01-10T03:00:00.000Z');
  });

  it('queues one job per workspace per night however often workers ask', async () => {
    const { workspaceId } = await shop();
    await Promise.all([
      enqueueNightlyRecomputes(context.database.db, context.jobs),
      enqueueNightlyRecomputes(context.database.db, context.jobs),
    ]);
    await enqueueNightlyRecomputes(context.database.db, context.jobs);
    expect(
      await countRows(context, `from jobs where workspace_id = $1 and kind = 'customers.recompute_value'`, [
        workspaceId,
      ]),
    ).toBe(1);
    await context.jobs.drain();
  });
});

describe('demo orders', () => {
  it('give the demo customers every RFM tier and lifecycle stage', async () => {
    const { workspaceId } = await shop();
    for (let i = 0; i < 40; i++) await insertCustomer(context, workspaceId, { name: `演示客户${i}` });
    const count = await seedDemoOrders(context.database.db, workspaceId);
    expect(count).toBeGreaterThan(60);
    const { rows } = await pool.query<{ rfm_tier: string | null; lifecycle_stage: string }>(
      'select distinct rfm_tier, lifecycle_stage from customers where workspace_id = $1',
      [workspaceId],
    );
    expect(new Set(rows.map((row) => row.rfm_tier))).toEqual(
      new Set([null, 'loyal', 'potential', 'new', 'winback', 'churned']),
    );
    expect(new Set(rows.map((row) => row.lifecycle_stage))).toEqual(
      new Set(['prospect', 'new', 'active', 'dormant', 'churned', 'returning']),
    );
  });
});
