import type { OrderPlatform, UpsertOrderInput } from '@huike/contracts';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { customerEvents, customers, orderItems, orders } from '../../db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { getCustomerValueSettings, refreshCustomerValue } from './customer-value.ts';
import { upsertOrder } from './orders.service.ts';

const DAY = 86_400_000;

const PRODUCTS = [
  { name: '轻薄羽绒服', sku: 'YRF-001', priceFen: 39_900 },
  { name: '316 不锈钢保温杯', sku: 'BWB-500', priceFen: 8_900 },
  { name: '明前龙井绿茶礼盒', sku: 'LJ-250', priceFen: 26_800 },
  { name: '纯棉四件套', sku: 'SJT-180', priceFen: 29_900 },
  { name: '蓝牙降噪耳机', sku: 'EJ-PRO', priceFen: 59_900 },
  { name: '羊毛围巾', sku: 'WJ-GRY', priceFen: 12_800 },
  { name: '电动牙刷', sku: 'YS-X2', priceFen: 19_900 },
  { name: '坚果大礼包', sku: 'JG-1KG', priceFen: 9_900 },
] as const;
const PLATFORMS: OrderPlatform[] = ['taobao', 'tmall', 'jd', 'douyin', 'pdd'];
const CARRIERS = [
  { name: '顺丰速运', prefix: 'SF' },
  { name: '圆通速递', prefix: 'YT' },
  { name: '中通快递', prefix: 'ZTO' },
  { name: '韵达快递', prefix: 'YD' },
] as const;
const ORDER_NO_PREFIX: Record<OrderPlatform, string> = {
  taobao: '38',
  tmall: '39',
  jd: '29',
  douyin: '69',
  pdd: '24',
  website: 'W',
  other: 'O',
};

/**
 * Purchase histories (days ago, oldest first) by customer profile, so the demo shows every RFM tier and
 * lifecycle stage: none (潜在), a loyal regular, a new buyer, a growing one, a sleeping one, a churned one,
 * one who came back after a long silence, and ordinary active buyers.
 */
function historyOf(i: number): number[] {
  switch (i % 10) {
    case 0:
    case 1:
      return [];
    case 2:
      return Array.from({ length: 10 + (i % 5) }, (_, k) => 340 - k * 30 - (i % 7)).filter((d) => d > 0);
    case 3:
      return [2 + (i % 18)];
    case 4:
      return [75 + (i % 20), 40 + (i % 10)];
    case 5:
      return [320 - (i % 30), 200 - (i % 40)];
    case 6:
      return [420 + (i % 90)];
    case 7:
      return [300 + (i % 40), 3 + (i % 5)];
    default:
      return [180 - (i % 30), 90 - (i % 20), 20 + (i % 25)];
  }
}

/**
 * Orders for the demo customers. History goes in set-based (first run should be quick); each customer's latest
 * purchase then goes through the same upsert as the API, so aggregates, RFM, lifecycle (回流 included) and
 * the timeline come out exactly as they would in real use.
 */
export async function seedDemoOrders(db: Db, workspaceId: string, now = new Date()) {
  const customerIds = (
    await db
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.workspaceId, workspaceId))
      .orderBy(customers.id)
  ).map((row) => row.id);
  const settings = await getCustomerValueSettings(db, workspaceId);
  const history: { customerId: string; input: UpsertOrderInput }[] = [];
  const latest: { customerId: string; input: UpsertOrderInput }[] = [];
  for (const [i, customerId] of customerIds.entries()) {
    const days = historyOf(i);
    for (const [k, daysAgo] of days.entries()) {
      const order = { customerId, input: demoOrder(i * 7 + k, daysAgo, customerId, now) };
      (k === days.length - 1 ? latest : history).push(order);
    }
  }
  await db.transaction(async (tx) => {
    for (let start = 0; start < history.length; start += 500) {
      const chunk = history
        .slice(start, start + 500)
        .map(({ customerId, input }) => ({ id: newId(), customerId, input }));
      if (chunk.length === 0) break;
      await tx.insert(orders).values(
        chunk.map(({ id, customerId, input }) => ({
          id,
          workspaceId,
          customerId,
          platform: input.platform,
          orderNo: input.orderNo,
          status: input.status,
          amountFen: input.amountFen,
          placedAt: new Date(input.placedAt!),
          paidAt: new Date(input.paidAt!),
          shippedAt: input.shippedAt ? new Date(input.shippedAt) : null,
          completedAt: input.completedAt ? new Date(input.completedAt) : null,
          trackingCompany: input.trackingCompany ?? null,
          trackingNo: input.trackingNo ?? null,
        })),
      );
      await tx.insert(orderItems).values(
        chunk.flatMap(({ id, input }) =>
          input.items.map((item, position) => ({
            id: newId(),
            workspaceId,
            orderId: id,
            position,
            productName: item.productName,
            sku: item.sku ?? null,
            quantity: item.quantity,
            priceFen: item.priceFen,
          })),
        ),
      );
      await tx.insert(customerEvents).values(
        chunk.map(({ id, customerId, input }) => ({
          id: newId(),
          workspaceId,
          customerId,
          kind: 'order.created',
          actorId: null,
          details: {
            orderId: id,
            platform: input.platform,
            orderNo: input.orderNo,
            status: input.status,
            amountFen: input.amountFen,
          },
          createdAt: new Date(input.paidAt!),
        })),
      );
    }
    await refreshCustomerValue(tx, workspaceId, [...new Set(history.map((order) => order.customerId))], {
      now,
      settings,
    });
    for (const { input } of latest) await upsertOrder(tx, { workspaceId, actorId: null, now, settings }, input);
  });
  return history.length + latest.length;
}

function demoOrder(n: number, daysAgo: number, customerId: string, now: Date): UpsertOrderInput {
  const platform = PLATFORMS[n % PLATFORMS.length]!;
  const product = PRODUCTS[n % PRODUCTS.length]!;
  const extra = n % 3 === 0 ? PRODUCTS[(n + 3) % PRODUCTS.length]! : undefined;
  const quantity = 1 + (n % 2);
  const items = [
    { productName: product.name, sku: product.sku, quantity, priceFen: product.priceFen },
    ...(extra ? [{ productName: extra.name, sku: extra.sku, quantity: 1, priceFen: extra.priceFen }] : []),
  ];
  const amountFen = items.reduce((sum, item) => sum + item.quantity * item.priceFen, 0);
  const paidAt = new Date(now.getTime() - daysAgo * DAY - ((n * 37) % 600) * 60_000);
  const carrier = CARRIERS[n % CARRIERS.length]!;
  const isRecent = daysAgo < 3;
  const isRefunded = n % 17 === 5;
  return {
    platform,
    orderNo: `${ORDER_NO_PREFIX[platform]}${String(2_400_000_000 + n * 104_729).padStart(12, '0')}`,
    status: isRecent ? 'paid' : isRefunded ? 'refunded' : 'completed',
    amountFen,
    items,
    placedAt: new Date(paidAt.getTime() - 5 * 60_000).toISOString(),
    paidAt: paidAt.toISOString(),
    shippedAt: isRecent ? null : new Date(paidAt.getTime() + 0.6 * DAY).toISOString(),
    completedAt: isRecent ? null : new Date(paidAt.getTime() + 3 * DAY).toISOString(),
    trackingCompany: isRecent ? null : carrier.name,
    trackingNo: isRecent ? null : `${carrier.prefix}${String(7_700_000_000 + n * 9_973).slice(0, 12)}`,
    customer: { customerId },
  };
}
