import type { AuditEntry } from '@huike/contracts';
import { Table, type TableColumnsType, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../../ui/relative-time.tsx';

type Props = { entries: AuditEntry[]; isLoading: boolean; emptyText: React.ReactNode };

/** Known actions get a human label; anything newer shows its code, so nothing is hidden. */
export function actionLabel(action: string, t: TFunction): string {
  const key = `audit.actions.${action}`;
  const label = t(key as 'audit.title', { defaultValue: '' });
  return label && label !== key ? label : action;
}

function targetLabel(entry: AuditEntry, t: TFunction): string {
  if (!entry.targetType) return '—';
  const key = `audit.targets.${entry.targetType}`;
  const type = t(key as 'audit.title', { defaultValue: '' });
  const shown = type && type !== key ? type : entry.targetType;
  return entry.targetId ? `${shown} · ${entry.targetId.slice(-8)}` : shown;
}

/** One line per fact in `details`: short values inline, lists and objects as compact JSON. */
function DetailsCell({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (!entries.length) return <span className="hk-muted">—</span>;
  return (
    <div className="hk-audit-details">
      {entries.slice(0, 6).map(([key, value]) => (
        <div key={key}>
          <Typography.Text type="secondary">{key}: </Typography.Text>
          <Typography.Text className="hk-audit-value" ellipsis={{ tooltip: true }}>
            {typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
              ? String(value)
              : JSON.stringify(value)}
          </Typography.Text>
        </div>
      ))}
    </div>
  );
}

export function AuditLogTable({ entries, isLoading, emptyText }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<AuditEntry> = [
    {
      key: 'createdAt',
      title: t('audit.time'),
      width: 130,
      render: (_, entry) => <RelativeTime iso={entry.createdAt} />,
    },
    {
      key: 'actor',
      title: t('audit.actor'),
      width: 140,
      render: (_, entry) => entry.actor?.name ?? <span className="hk-muted">{t('audit.system')}</span>,
    },
    {
      key: 'action',
      title: t('audit.action'),
      width: 180,
      render: (_, entry) => (
        <Tag variant="filled" color="blue" data-action={entry.action}>
          {actionLabel(entry.action, t)}
        </Tag>
      ),
    },
    { key: 'target', title: t('audit.target'), width: 180, render: (_, entry) => targetLabel(entry, t) },
    { key: 'details', title: t('audit.details'), render: (_, entry) => <DetailsCell details={entry.details} /> },
  ];
  return (
    <Table<AuditEntry>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={entries}
      loading={isLoading}
      pagination={false}
      locale={{ emptyText }}
      onRow={() => ({ 'data-testid': 'audit-row' }) as React.HTMLAttributes<HTMLElement>}
    />
  );
}
