import { BellOutlined } from '@ant-design/icons';
import type { Alert } from '@huike/contracts';
import { Badge, Button, Empty, List, Popover, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useAcknowledgeAlert, useRecentAlerts } from '../hooks/use-alerts.ts';

function useAlertSummary(alert: Alert) {
  const { t } = useTranslation();
  if (alert.kind === 'snooze_ended') {
    return t('alerts.snoozeEndedSummary', { name: alert.details.customerName ?? t('alerts.unnamedCustomer') });
  }
  const { details } = alert;
  return alert.kind === 'urgent_spike'
    ? t('alerts.urgentSummary', { count: details.urgent, minutes: details.windowMinutes })
    : t('alerts.negativeSummary', {
        rate: Math.round(details.negativeRate * 100),
        baseline: details.baselineNegativeRate === null ? '—' : `${Math.round(details.baselineNegativeRate * 100)}%`,
        minutes: details.windowMinutes,
      });
}

function AlertItem({ alert }: { alert: Alert }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const acknowledge = useAcknowledgeAlert();
  const summary = useAlertSummary(alert);
  const conversationId = alert.kind === 'snooze_ended' ? alert.details.conversationId : undefined;
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
            <Typography.Text
              type={alert.acknowledgedAt ? 'secondary' : alert.kind === 'snooze_ended' ? 'warning' : 'danger'}
              strong
            >
              {t(`alerts.kinds.${alert.kind}`)}
            </Typography.Text>
            <RelativeTime iso={alert.createdAt} className="hk-alert-time" />
          </Space>
        }
        description={
          conversationId ? (
            <Typography.Link
              data-testid="alert-open-conversation"
              onClick={() => {
                navigate(`/inbox/${conversationId}`);
                if (!alert.acknowledgedAt) acknowledge.mutate(alert.id);
              }}
            >
              {summary}
            </Typography.Link>
          ) : (
            summary
          )
        }
      />
    </List.Item>
  );
}

/**
 * Header bell: the user's own notifications (a snoozed conversation is back) and, for supervisors (alerts:read), spike
 * alerts; new ones are pushed over the agent socket.
 */
export function AlertBell() {
  const { t } = useTranslation();
  const alerts = useRecentAlerts();
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
