import type { Inbox } from '@huike/contracts';
import { Badge, type BadgeProps, Button, Table, type TableColumnsType, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { deliveryFailureText } from '../../../ui/delivery-reasons.ts';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { channelStatus } from '../channel-config.ts';
import { ChannelTypeTag } from './channel-type-tag.tsx';

const statusBadge: Record<ReturnType<typeof channelStatus>['key'], BadgeProps['status']> = {
  active: 'success',
  receiveOnly: 'processing',
  incomplete: 'warning',
  error: 'error',
};

type Props = { inboxes: Inbox[]; isLoading: boolean; onOpen: (id: string) => void; emptyText: React.ReactNode };

export function InboxesTable({ inboxes, isLoading, onOpen, emptyText }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Inbox> = [
    {
      key: 'name',
      title: t('inboxes.name'),
      render: (_, inbox) => (
        <span className="hk-cell-name">
          <span className="hk-color-dot" style={{ background: inbox.settings.color }} />
          {inbox.name}
        </span>
      ),
    },
    {
      key: 'type',
      title: t('inboxes.type'),
      width: 140,
      render: (_, inbox) => <ChannelTypeTag type={inbox.channelType} />,
    },
    {
      key: 'status',
      title: t('channelSetup.status.title'),
      width: 120,
      render: (_, inbox) => {
        const status = channelStatus(inbox);
        const badge = (
          <Badge
            status={statusBadge[status.key]}
            text={t(`channelSetup.status.${status.key}`)}
            data-testid="inbox-status"
            data-status={status.key}
          />
        );
        if (!status.failure) return badge;
        const { failingSince } = status.failure;
        const reason = (
          <div data-testid="inbox-status-reason">
            <div>{deliveryFailureText(status.failure, t)}</div>
            {failingSince ? <div>{t('channelSetup.health.since', { time: formatDateTime(failingSince) })}</div> : null}
          </div>
        );
        return <Tooltip title={reason}>{badge}</Tooltip>;
      },
    },
    {
      key: 'greeting',
      title: t('inboxes.greeting'),
      ellipsis: true,
      render: (_, inbox) =>
        (inbox.channelType === 'website' && inbox.settings.greeting) || <span className="hk-muted">—</span>,
    },
    {
      key: 'token',
      title: t('inboxes.token'),
      width: 220,
      ellipsis: true,
      render: (_, inbox) => <code className="hk-mono">{inbox.token}</code>,
    },
    {
      key: 'createdAt',
      title: t('inboxes.created'),
      width: 120,
      render: (_, inbox) => <RelativeTime iso={inbox.createdAt} />,
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 120,
      render: (_, inbox) => (
        <Button
          type="link"
          size="small"
          onClick={(event) => {
            event.stopPropagation();
            onOpen(inbox.id);
          }}
        >
          {t('inboxes.connect')}
        </Button>
      ),
    },
  ];
  return (
    <Table<Inbox>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={inboxes}
      loading={isLoading}
      pagination={false}
      locale={{ emptyText }}
      onRow={(inbox) =>
        ({
          onClick: () => onOpen(inbox.id),
          className: 'hk-clickable-row',
          'data-testid': 'inbox-row',
          'data-inbox-id': inbox.id,
        }) as React.HTMLAttributes<HTMLElement>
      }
    />
  );
}
