import { BellOutlined } from '@ant-design/icons';
import type { Alert } from '@huike/contracts';
import { Badge, Button, Empty, List, Popover, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useCan } from '../../identity/hooks/use-session.ts';
import { useAcknowledgeAlert, useRecentAlerts } from '../hooks/use-alerts.ts';

function AlertItem({ alert }: { alert: Alert }) {
  const { t } = useTranslation();
  const acknowledge = useAcknowledgeAlert();
  const { details } = alert;
  const summary =
    alert.kind === 'urgent_spike'
      ? t('alerts.urgentSummary', { count: details.urgent, minutes: details.windowMinutes })
      : t('alerts.negativeSummary', {
          rate: Math.round(details.negativeRate * 100),
          baseline: details.baselineNegativeRate === null ? '—' : `${Math.round(details.baselineNegativeRate * 100)}%`,
          minutes: details.windowMinutes,
        });
  return (
    <List.Item
      data-testid="alert-item"
      actions={
        alert.acknowledgedAt
          ? [
              <Typography.Text key="done" type="secondary">
                {t('alerts.acknowledgedBy', { name: alert.acknowledgedByName ?? '—' })}
              </Typography.Text>,
            ]
          : [
              <Button
                key="ack"
                size="small"
                loading={acknowledge.isPending && acknowledge.variables === alert.id}
                onClick={() => acknowledge.mutate(alert.id)}
              >
                {t('alerts.acknowledge')}
              </Button>,
            ]
      }
    >
      <List.Item.Meta
        title={
          <Space size={6}>
            <Typography.Text type={alert.acknowledgedAt ? 'secondary' : 'danger'} strong>
              {t(`alerts.kinds.${alert.kind}`)}
            </Typography.Text>
            <RelativeTime iso={alert.createdAt} className="hk-alert-time" />
          </Space>
        }
        description={summary}
      />
    </List.Item>
  );
}

/** Header bell for supervisors (alerts:read): unacknowledged spike alerts, pushed over the agent socket. */
export function AlertBell() {
  const { t } = useTranslation();
  const can = useCan();
  const alerts = useRecentAlerts();
  if (!can('alerts:read')) return null;
  const items = alerts.data?.items ?? [];
  const open = items.filter((alert) => !alert.acknowledgedAt).length;
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t('alerts.title')}
      content={
        <div className="hk-alert-list">
          {items.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('alerts.empty')} />
          ) : (
            <List size="small" dataSource={items} rowKey="id" renderItem={(alert) => <AlertItem alert={alert} />} />
          )}
        </div>
      }
    >
      <Button type="text" aria-label={t('alerts.title')} data-testid="alert-bell">
        <Badge count={open} size="small" offset={[2, -2]}>
          <BellOutlined style={{ fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
