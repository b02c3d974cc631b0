import { Table, type TableColumnsType, type TableProps, Tag, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { deliveryFailureText } from '../../../ui/delivery-reasons.ts';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import type { WebhookDelivery, WebhookDeliveryStatus } from '../api/webhooks-api.ts';
import { eventLabel } from '../events.ts';

const statusColor: Record<WebhookDeliveryStatus, string> = {
  succeeded: 'success',
  pending: 'processing',
  dead: 'error',
};

export function DeliveryStatusTag({ status }: { status: WebhookDeliveryStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={statusColor[status]} data-testid="delivery-status" data-status={status}>
      {t(`webhooks.status.${status}`)}
    </Tag>
  );
}

type Props = {
  deliveries: WebhookDelivery[];
  isLoading: boolean;
  emptyText: ReactNode;
  /** Shown in the cross-endpoint (dead-letter) list. */
  endpointUrl?: (endpointId: string) => string | null;
  rowSelection?: TableProps<WebhookDelivery>['rowSelection'];
  /** A last column (e.g. 重新投递). */
  action?: (delivery: WebhookDelivery) => ReactNode;
};

/** A delivery log: time, event, status, attempts, HTTP status, duration, error. */
export function DeliveriesTable({ deliveries, isLoading, emptyText, endpointUrl, rowSelection, action }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<WebhookDelivery> = [
    {
      key: 'time',
      title: t('webhooks.deliveryColumns.time'),
      width: 110,
      render: (_, delivery) => <RelativeTime iso={delivery.createdAt} />,
    },
    ...(endpointUrl
      ? [
          {
            key: 'endpoint',
            title: t('webhooks.deliveryColumns.endpoint'),
            ellipsis: true,
            render: (_: unknown, delivery: WebhookDelivery) => {
              const url = endpointUrl(delivery.endpointId);
              return url ? (
                <code className="hk-mono">{url}</code>
              ) : (
                <span className="hk-muted">{t('webhooks.unknownEndpoint')}</span>
              );
            },
          },
        ]
      : []),
    {
      key: 'event',
      title: t('webhooks.deliveryColumns.event'),
      width: 130,
      render: (_, delivery) => (
        <Tooltip title={delivery.event}>
          <span data-testid="delivery-event" data-event={delivery.event}>
            {eventLabel(t, delivery.event)}
          </span>
        </Tooltip>
      ),
    },
    {
      key: 'status',
      title: t('webhooks.deliveryColumns.status'),
      width: 100,
      render: (_, delivery) =>
        delivery.status === 'pending' && delivery.nextAttemptAt ? (
          <Tooltip title={t('webhooks.nextAttempt', { time: formatDateTime(delivery.nextAttemptAt) })}>
            <span>
              <DeliveryStatusTag status={delivery.status} />
            </span>
          </Tooltip>
        ) : (
          <DeliveryStatusTag status={delivery.status} />
        ),
    },
    {
      key: 'attempts',
      title: t('webhooks.deliveryColumns.attempts'),
      width: 90,
      align: 'right',
      render: (_, delivery) => delivery.attempts,
    },
    {
      key: 'httpStatus',
      title: t('webhooks.deliveryColumns.httpStatus'),
      width: 100,
      align: 'right',
      render: (_, delivery) =>
        delivery.lastStatusCode === null ? (
          <span className="hk-muted">—</span>
        ) : (
          <span data-testid="delivery-http-status">{delivery.lastStatusCode}</span>
        ),
    },
    {
      key: 'duration',
      title: t('webhooks.deliveryColumns.duration'),
      width: 100,
      align: 'right',
      render: (_, delivery) =>
        delivery.lastDurationMs === null ? (
          <span className="hk-muted">—</span>
        ) : (
          t('webhooks.durationMs', { ms: delivery.lastDurationMs })
        ),
    },
    {
      key: 'error',
      title: t('webhooks.deliveryColumns.error'),
      ellipsis: true,
      render: (_, delivery) => {
        const failure = deliveryFailureText({ reason: delivery.lastReason, error: delivery.lastError }, t);
        return failure ? (
          <Typography.Text type="danger" ellipsis={{ tooltip: failure }} data-testid="delivery-error">
            {failure}
          </Typography.Text>
        ) : (
          <span className="hk-muted">—</span>
        );
      },
    },
    ...(action
      ? [
          {
            key: 'action',
            title: t('webhooks.columns.actions'),
            width: 110,
            render: (_: unknown, delivery: WebhookDelivery) => action(delivery),
          },
        ]
      : []),
  ];
  return (
    <Table<WebhookDelivery>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={deliveries}
      loading={isLoading}
      pagination={false}
      rowSelection={rowSelection}
      locale={{ emptyText }}
      onRow={(delivery) =>
        ({ 'data-testid': 'delivery-row', 'data-delivery-id': delivery.id }) as React.HTMLAttributes<HTMLElement>
      }
    />
  );
}
