import type { RoutingLogEntry } from '@huike/contracts';
import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { customerLabel } from '../../conversations/labels.ts';
import { useRoutingLog } from '../hooks/use-routing.ts';

const outcomeColor = { assigned: 'green', queued: 'orange', picked_up: 'blue' } as const;

/** The last routing decisions: which rule, what happened, and why (e.g. the rule's team was removed). */
export function RoutingLogTable() {
  const { t } = useTranslation();
  const log = useRoutingLog();
  return (
    <Table<RoutingLogEntry>
      size="small"
      rowKey="id"
      loading={log.isPending}
      dataSource={log.data ?? []}
      pagination={{ pageSize: 10 }}
      data-testid="routing-log"
      locale={{ emptyText: <EmptyState title={t('routing.settings.logEmpty')} /> }}
      columns={[
        { title: t('routing.settings.logColumns.time'), render: (_, row) => <RelativeTime iso={row.createdAt} /> },
        {
          title: t('routing.settings.logColumns.conversation'),
          render: (_, row) => <Link to={`/inbox/${row.conversationId}`}>{customerLabel(row, t, row.channelType)}</Link>,
        },
        { title: t('routing.settings.logColumns.rule'), render: (_, row) => row.ruleName ?? '—' },
        {
          title: t('routing.settings.logColumns.outcome'),
          render: (_, row) => (
            <Tag color={outcomeColor[row.outcome]}>
              {t(`routing.settings.outcomes.${row.outcome}`)}
              {row.assigneeName ? ` · ${row.assigneeName}` : ''}
              {row.teamName ? ` · ${row.teamName}` : ''}
            </Tag>
          ),
        },
        {
          title: t('routing.settings.logColumns.reason'),
          render: (_, row) => t(`routing.settings.reasons.${row.reason}`, { defaultValue: row.reason }),
        },
      ]}
    />
  );
}
