import { type OrderPlatform, type OrderStatus, type UpsertOrderInput, upsertOrderBody } from '@huike/contracts';
import {
  CellError,
  type CellReading,
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

/** Reads one data row; throws CellError with the reason to reject it. */
export function readOrderRow(row: number, cells: Cell[], fields: (string | null)[], reading: OrderReading): OrderLine {
  const at = (field: string): Cell | undefined => {
    const index = fields.indexOf(field);
    return index < 0 ? undefined : cells[index];
  };
  const platform = parsePlatform(at('platform')) ?? reading.defaultPlatform;
  if (!platform) throw new CellError('缺少平台');
  const orderNo = parseText(at('orderNo'), '订单号', 64);
  if (!orderNo) throw new CellError('缺少订单号');
  const paidAt = parseDateTime(at('paidAt'), reading);
  const shippedAt = parseDateTime(at('shippedAt'), reading);
  const completedAt = parseDateTime(at('completedAt'), reading);
  const status: OrderStatus | null =
    parseOrderStatus(at('status')) ?? (completedAt ? 'completed' : shippedAt ? 'shipped' : paidAt ? 'paid' : null);
  if (!status) throw new CellError('缺少订单状态');
  const productName = parseText(at('productName'), '商品名称', 200);
  const quantity = parseInteger(at('quantity'), '数量', { min: 1, max: 1_000_000 });
  const priceFen = parseYuan(at('price'), '单价');
  const item = productName
    ? { productName, sku: parseText(at('sku'), 'SKU', 100), quantity: quantity ?? 1, priceFen: priceFen ?? 0 }
    : null;
  const customer = Object.fromEntries(
    Object.entries({
      buyerId: parseText(at('buyerId'), '买家 ID', 128) ?? undefined,
      phone: parsePhone(at('phone')) ?? undefined,
      email: parseEmail(at('email')) ?? undefined,
      name: parseText(at('customerName'), '客户姓名', 100) ?? undefined,
    }).filter(([, value]) => value !== undefined),
  );
  if (!customer.buyerId && !customer.phone && !customer.email)
    throw new CellError('缺少买家 ID、手机号或邮箱（至少需要一项来确定客户）');
  const placedAt = parseDateTime(at('placedAt'), reading);
  const trackingCompany = parseText(at('trackingCompany'), '物流公司', 50);
  const trackingNo = parseText(at('trackingNo'), '物流单号', 64);
  const body: Record<string, unknown> = {
    platform,
    orderNo,
    status,
    amountFen: parseYuan(at('amount'), '订单金额'),
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

/** Folds consecutive lines of one order into an upsert body, validated like `POST /api/v1/orders`. */
export function buildOrder(lines: OrderLine[]): OrderGroup {
  const first = lines[0]!;
  const items = lines.flatMap((line) => (line.item ? [line.item] : []));
  const amountFen =
    (first.body.amountFen as number | null) ?? items.reduce((sum, item) => sum + item.priceFen * item.quantity, 0);
  const parsed = upsertOrderBody.safeParse({ ...first.body, amountFen, items });
  if (!parsed.success) throw new CellError(parsed.error.issues[0]?.message ?? '订单数据不正确');
  return { rows: lines.map((line) => line.row), key: first.key, input: parsed.data };
}
