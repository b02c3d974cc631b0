import { ReloadOutlined } from '@ant-design/icons';
import { Button, Drawer, Segmented, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CursorPager, useCursorPages } from '../../../ui/cursor-pager.tsx';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import type { WebhookDeliveryStatus, WebhookEndpoint } from '../api/webhooks-api.ts';
import { useWebhookDeliveries } from '../hooks/use-webhooks.ts';
import { DeliveriesTable } from './deliveries-table.tsx';

type Filter = 'all' | WebhookDeliveryStatus;
const filters: Filter[] = ['all', 'succeeded', 'pending', 'dead'];

/** One endpoint's delivery log, newest first, filtered by 全部 / 成功 / 重试中 / 失败. */
export function DeliveriesDrawer({
  endpoint,
  onClose,
  extra,
}: {
  endpoint: WebhookEndpoint | null;
  onClose: () => void;
  extra?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<Filter>('all');
  const pages = useCursorPages(20);
  const deliveries = useWebhookDeliveries(endpoint?.id ?? null, {
    status: filter === 'all' ? undefined : filter,
    limit: pages.pageSize,
    cursor: pages.cursor,
  });
  const items = deliveries.data?.items ?? [];
  return (
    <Drawer
      open={Boolean(endpoint)}
      onClose={onClose}
      size={920}
      destroyOnHidden
      title={endpoint ? t('webhooks.deliveriesTitle', { url: endpoint.url }) : t('webhooks.deliveries')}
      extra={extra}
      data-testid="webhook-deliveries"
    >
      <div className="hk-stack">
        <Space style={{ justifyContent: 'space-between', width: '100%' }}>
          <Segmented<Filter>
            value={filter}
            onChange={(value) => {
              setFilter(value);
              pages.reset();
            }}
            options={filters.map((value) => ({
              value,
              label: <span data-testid={`delivery-filter-${value}`}>{t(`webhooks.filter.${value}`)}</span>,
            }))}
          />
          <Button
            icon={<ReloadOutlined />}
            loading={deliveries.isFetching}
            onClick={() => void deliveries.refetch()}
            data-testid="deliveries-refresh"
          >
            {t('webhooks.refresh')}
          </Button>
        </Space>
        {deliveries.isError ? (
          <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} compact />
        ) : (
          <>
            <DeliveriesTable
              deliveries={items}
              isLoading={deliveries.isPending}
              emptyText={
                <EmptyState title={t('webhooks.deliveriesEmpty')} description={t('webhooks.deliveriesEmptyHelp')} />
              }
            />
            {(pages.cursor || deliveries.data?.nextCursor) && <CursorPager {...pages.pagerProps(deliveries.data)} />}
          </>
        )}
      </div>
    </Drawer>
  );
}
