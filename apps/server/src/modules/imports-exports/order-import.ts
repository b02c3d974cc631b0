import { type OrderPlatform, type OrderStatus, type UpsertOrderInput, upsertOrderBody } from '@huike/contracts';
import {
  BY_ORDER_TIMES,
  CellError,
  CellIssues,
  type CellReading,
  cellError,
  cellIssue,
  parseDateTime,
  parseEmail,
  parseInteger,
  parseOrderStatus,
  parsePhone,
  parsePlatform,
  parseText,
  parseYuan,
} from './cell-values.ts';
import type { Cell } from './spreadsheet-reader.ts';

/** One order from one or more consecutive rows (a row per item, as marketplace exports list them). */
export type OrderGroup = { rows: number[]; key: string; input: UpsertOrderInput };

type OrderLine = {
  row: number;
  key: string;
  body: Record<string, unknown>;
  item: { productName: string; sku: string | null; quantity: number; priceFen: number } | null;
};

/** How to read a file's order rows: its cells, and the platform of rows without a 平台 cell. */
export type OrderReading = CellReading & { defaultPlatform: OrderPlatform | null };

/** Reads one data row; throws CellError with the reasons to reject it: every bad cell's, not only the first. */
export function readOrderRow(row: number, cells: Cell[], fields: (string | null)[], reading: OrderReading): OrderLine {
  const at = (field: string): Cell | undefined => {
    const index = fields.indexOf(field);
    return index < 0 ? undefined : cells[index];
  };
  const issues = new CellIssues();
  const text = (field: string, label: string, max: number) =>
    issues.read(() => parseText(at(field), { field, label }, max));
  const time = (field: string, label: string) => issues.read(() => parseDateTime(at(field), reading, { field, label }));
  const yuan = (field: string, label: string) => issues.read(() => parseYuan(at(field), { field, label }));
  const platformIssues = issues.count;
  const platform = issues.read(() => parsePlatform(at('platform'))) ?? reading.defaultPlatform;
  if (!platform && issues.count === platformIssues) issues.add(cellError('import.platform_missing', {}));
  const orderNoIssues = issues.count;
  const orderNo = text('orderNo', '订单号', 64);
  if (!orderNo && issues.count === orderNoIssues) issues.add(cellError('import.order_no_missing', {}));
  const paidAt = time('paidAt', '付款时间');
  const shippedAt = time('shippedAt', '发货时间');
  const completedAt = time('completedAt', '完成时间');
  const byTimes: OrderStatus | null = completedAt ? 'completed' : shippedAt ? 'shipped' : paidAt ? 'paid' : null;
  const statusIssues = issues.count;
  const stated = issues.read(() => parseOrderStatus(at('status')));
  const status: OrderStatus | null = stated === BY_ORDER_TIMES ? (byTimes ?? 'paid') : (stated ?? byTimes);
  if (!status && issues.count === statusIssues) issues.add(cellError('import.status_missing', {}));
  const productName = text('productName', '商品名称', 200);
  const quantity = issues.read(() => parseInteger(at('quantity'), { field: 'quantity', label: '数量' }, QUANTITY));
  const priceFen = yuan('price', '单价');
  const sku = text('sku', 'SKU', 100);
  const item = productName ? { productName, sku, quantity: quantity ?? 1, priceFen: priceFen ?? 0 } : null;
  const customerIssues = issues.count;
  const customer = Object.fromEntries(
    Object.entries({
      buyerId: text('buyerId', '买家 ID', 128) ?? undefined,
      phone: issues.read(() => parsePhone(at('phone'))) ?? undefined,
      email: issues.read(() => parseEmail(at('email'))) ?? undefined,
      name: text('customerName', '客户姓名', 100) ?? undefined,
    }).filter(([, value]) => value !== undefined),
  );
  if (!customer.buyerId && !customer.phone && !customer.email && issues.count === customerIssues)
    issues.add(cellError('import.order_customer_missing', {}));
  const placedAt = time('placedAt', '下单时间');
  const trackingCompany = text('trackingCompany', '物流公司', 50);
  const trackingNo = text('trackingNo', '物流单号', 64);
  const amountFen = yuan('amount', '订单金额');
  issues.done();
  const body: Record<string, unknown> = {
    platform,
    orderNo,
    status,
    amountFen,
    customer,
    ...(placedAt ? { placedAt } : {}),
    ...(paidAt ? { paidAt } : {}),
    ...(shippedAt ? { shippedAt } : {}),
    ...(completedAt ? { completedAt } : {}),
    ...(trackingCompany ? { trackingCompany } : {}),
    ...(trackingNo ? { trackingNo } : {}),
  };
  return { row, key: `${platform}:${orderNo}`, body, item };
}

const QUANTITY = { min: 1, max: 1_000_000 };

/** Folds consecutive lines of one order into an upsert body, validated like `POST /api/v1/orders`. */
export function buildOrder(lines: OrderLine[]): OrderGroup {
  const first = lines[0]!;
  const items = lines.flatMap((line) => (line.item ? [line.item] : []));
  const amountFen =
    (first.body.amountFen as number | null) ?? items.reduce((sum, item) => sum + item.priceFen * item.quantity, 0);
  const parsed = upsertOrderBody.safeParse({ ...first.body, amountFen, items });
  if (!parsed.success)
    throw new CellError(
      parsed.error.issues.map((issue) => cellIssue('import.order_invalid', { detail: issue.message })),
    );
  return { rows: lines.map((line) => line.row), key: first.key, input: parsed.data };
}
