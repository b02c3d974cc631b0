import type { Order } from '@huike/contracts';
import type { TFunction } from 'i18next';
import { formatFen } from './money.ts';

/**
 * An order as a few lines of text for the buyer (订单号, 商品, 金额, 状态, 物流单号). Plain text, so it goes out
 * on every channel (widget, WeChat, SMS, email) the same way; there is no card message type.
 */
export function orderSummary(order: Order, t: TFunction): string {
  const items = order.items
    .map((item) => `${item.productName}${item.sku ? ` ${item.sku}` : ''} ×${item.quantity}`)
    .join(t('orders.summaryItemSeparator'));
  const tracking = order.trackingNo ? [order.trackingCompany, order.trackingNo].filter(Boolean).join(' ') : null;
  return [
    t('orders.summaryOrderNo', { value: order.orderNo }),
    items && t('orders.summaryItems', { value: items }),
    t('orders.summaryAmount', { value: formatFen(order.amountFen) }),
    t('orders.summaryStatus', { value: t(`orders.statuses.${order.status}`) }),
    tracking && t('orders.summaryTracking', { value: tracking }),
  ]
    .filter(Boolean)
    .join('\n');
}
