import {
  DeleteOutlined,
  EditOutlined,
  KeyOutlined,
  MoreOutlined,
  SendOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { Badge, Button, Dropdown, Space, Switch, Table, type TableColumnsType, Tag, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import type { WebhookEndpoint } from '../api/webhooks-api.ts';
import { eventLabel } from '../events.ts';

type Props = {
  endpoints: WebhookEndpoint[];
  isLoading: boolean;
  emptyText: ReactNode;
  /** The endpoint whose test is being sent (its button spins). */
  testingId: string | null;
  togglingId: string | null;
  onTest: (endpoint: WebhookEndpoint) => void;
  onToggle: (endpoint: WebhookEndpoint, enabled: boolean) => void;
  onDeliveries: (endpoint: WebhookEndpoint) => void;
  onEdit: (endpoint: WebhookEndpoint) => void;
  onSecret: (endpoint: WebhookEndpoint) => void;
  onDelete: (endpoint: WebhookEndpoint) => void;
  onFailing: (endpoint: WebhookEndpoint) => void;
};

const shownEvents = 3;

/** The endpoints: URL, events, 启用, last delivery, failing count, and what can be done with each. */
export function WebhooksTable({
  endpoints,
  isLoading,
  emptyText,
  testingId,
  togglingId,
  onTest,
  onToggle,
  onDeliveries,
  onEdit,
  onSecret,
  onDelete,
  onFailing,
}: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<WebhookEndpoint> = [
    {
      key: 'url',
      title: t('webhooks.columns.url'),
      render: (_, endpoint) => (
        <div style={{ minWidth: 0 }}>
          <Typography.Text className="hk-mono" ellipsis={{ tooltip: endpoint.url }} data-testid="webhook-url-cell">
            {endpoint.url}
          </Typography.Text>
          {endpoint.description && <div className="hk-muted hk-small">{endpoint.description}</div>}
        </div>
      ),
    },
    {
      key: 'events',
      title: t('webhooks.columns.events'),
      width: 260,
      render: (_, endpoint) => (
        <Tooltip title={endpoint.events.map((event) => eventLabel(t, event)).join('、')}>
          <Space size={[4, 4]} wrap>
            {endpoint.events.slice(0, shownEvents).map((event) => (
              <Tag key={event}>{eventLabel(t, event)}</Tag>
            ))}
            {endpoint.events.length > shownEvents && <Tag>+{endpoint.events.length - shownEvents}</Tag>}
          </Space>
        </Tooltip>
      ),
    },
    {
      key: 'enabled',
      title: t('webhooks.columns.enabled'),
      width: 80,
      render: (_, endpoint) => (
        <Switch
          size="small"
          checked={endpoint.enabled}
          loading={togglingId === endpoint.id}
          onChange={(checked) => onToggle(endpoint, checked)}
          data-testid="webhook-enabled-switch"
        />
      ),
    },
    {
      key: 'lastDelivery',
      title: t('webhooks.columns.lastDelivery'),
      width: 120,
      render: (_, endpoint) =>
        endpoint.lastDeliveryAt ? (
          <RelativeTime iso={endpoint.lastDeliveryAt} />
        ) : (
          <span className="hk-muted">{t('webhooks.neverDelivered')}</span>
        ),
    },
    {
      key: 'failing',
      title: t('webhooks.columns.failing'),
      width: 100,
      render: (_, endpoint) =>
        endpoint.failing > 0 ? (
          <Button type="link" size="small" danger onClick={() => onFailing(endpoint)} data-testid="webhook-failing">
            <Badge count={endpoint.failing} overflowCount={999} />
          </Button>
        ) : (
          <span className="hk-muted" data-testid="webhook-failing">
            0
          </span>
        ),
    },
    {
      key: 'actions',
      title: t('webhooks.columns.actions'),
      width: 250,
      render: (_, endpoint) => (
        <Space size={4}>
          <Button
            size="small"
            icon={<SendOutlined />}
            loading={testingId === endpoint.id}
            onClick={() => onTest(endpoint)}
            data-testid="webhook-test"
          >
            {t('webhooks.test')}
          </Button>
          <Button
            size="small"
            icon={<UnorderedListOutlined />}
            onClick={() => onDeliveries(endpoint)}
            data-testid="webhook-deliveries-open"
          >
            {t('webhooks.deliveries')}
          </Button>
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'edit', icon: <EditOutlined />, label: t('webhooks.edit') },
                ...(endpoint.secret ? [{ key: 'secret', icon: <KeyOutlined />, label: t('webhooks.showSecret') }] : []),
                { type: 'divider' as const },
                { key: 'delete', icon: <DeleteOutlined />, danger: true, label: t('webhooks.delete') },
              ],
              onClick: ({ key }) => {
                if (key === 'edit') onEdit(endpoint);
                if (key === 'secret') onSecret(endpoint);
                if (key === 'delete') onDelete(endpoint);
              },
            }}
          >
            <Button
              size="small"
              icon={<MoreOutlined />}
              data-testid="webhook-more"
              aria-label={t('webhooks.columns.actions')}
            />
          </Dropdown>
        </Space>
      ),
    },
  ];
  return (
    <Table<WebhookEndpoint>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={endpoints}
      loading={isLoading}
      pagination={endpoints.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      locale={{ emptyText }}
      tableLayout="fixed"
      onRow={(endpoint) =>
        ({ 'data-testid': 'webhook-row', 'data-webhook-id': endpoint.id }) as React.HTMLAttributes<HTMLElement>
      }
    />
  );
}
