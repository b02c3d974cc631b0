import type { Order } from '@huike/contracts';
import { Button, Empty, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useCustomerOrders } from '../hooks/use-orders.ts';
import { formatFen } from '../money.ts';

const statusColors: Record<Order['status'], string> = {
  pending: 'default',
  paid: 'blue',
  shipped: 'cyan',
  completed: 'green',
  cancelled: 'default',
  refunded: 'red',
};

type Props = { customerId: string; compact?: boolean };

/** 订单: newest first — platform, order number, status, amount, items, logistics; numbers copy in one click. */
export function OrderList({ customerId, compact }: Props) {
  const { t } = useTranslation();
  const orders = useCustomerOrders(customerId);
  if (orders.isPending) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (orders.isError) return <ErrorState error={orders.error} onRetry={() => void orders.refetch()} compact />;
  const items = orders.data.pages.flatMap((page) => page.items);
  if (items.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('orders.empty')} data-testid="orders-empty" />;
  return (
    <div className={compact ? 'hk-orders hk-orders-compact' : 'hk-orders'} data-testid="order-list">
      {items.map((order) => (
        <OrderCard key={order.id} order={order} />
      ))}
      {orders.hasNextPage && (
        <Button
          type="link"
          size="small"
          loading={orders.isFetchingNextPage}
          onClick={() => void orders.fetchNextPage()}
        >
          {t('common.loadMore')}
        </Button>
      )}
    </div>
  );
}

export function OrderCard({ order }: { order: Order }) {
  const { t } = useTranslation();
  return (
    <div className="hk-order" data-testid="order-card" data-order-no={order.orderNo}>
      <div className="hk-order-head">
        <Tag className="hk-badge">{t(`orders.platforms.${order.platform}`)}</Tag>
        <Typography.Text className="hk-mono hk-order-no" ellipsis title={order.orderNo}>
          {order.orderNo}
        </Typography.Text>
        <CopyButton text={order.orderNo} label="" size="small" type="text" aria-label={t('orders.copyOrderNo')} />
        <span className="hk-order-spacer" />
        <Tag color={statusColors[order.status]} className="hk-badge" data-testid="order-status">
          {t(`orders.statuses.${order.status}`)}
        </Tag>
      </div>
      <div className="hk-order-items">
        {order.items.map((item, index) => (
          // Items have no id of their own; their order in the list is stable.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <div key={index} className="hk-order-item">
            <span className="hk-order-item-name">{item.productName}</span>
            {item.sku && <span className="hk-muted hk-small">{item.sku}</span>}
            <span className="hk-muted hk-nowrap">
              {formatFen(item.priceFen)} × {item.quantity}
            </span>
          </div>
        ))}
      </div>
      <div className="hk-order-foot">
        <RelativeTime iso={order.placedAt} className="hk-muted hk-small" />
        <span className="hk-order-amount" data-testid="order-amount">
          {formatFen(order.amountFen)}
        </span>
      </div>
      {order.trackingNo ? (
        <div className="hk-order-tracking">
          <span className="hk-muted">{order.trackingCompany ?? t('orders.tracking')}</span>
          <span className="hk-mono">{order.trackingNo}</span>
          <CopyButton text={order.trackingNo} label="" size="small" type="text" aria-label={t('orders.copyTracking')} />
        </div>
      ) : (
        order.status === 'paid' && <div className="hk-muted hk-small">{t('orders.notShipped')}</div>
      )}
    </div>
  );
}
