import type { AuditEntry } from '@huike/contracts';
import { Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { actionLabel, detailLines, targetView } from '../audit-format.ts';

export { actionLabel } from '../audit-format.ts';

type Props = { entries: AuditEntry[]; isLoading: boolean; emptyText: React.ReactNode };

/** Lines beyond this are behind 「等 N 项」 (the whole list in its tooltip). */
const MAX_LINES = 8;

/** 对象: the kind of record, its name (with the member's email), or a short id when no name is known. */
function TargetCell({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const view = targetView(entry, t);
  if (!view.type && !view.name && !view.reference) return <span className="hk-muted">—</span>;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', minWidth: 0 }}>
      {view.type && <Typography.Text type="secondary">{view.type}</Typography.Text>}
      {view.name && (
        <Typography.Text strong ellipsis={{ tooltip: true }} data-testid="audit-target-name">
          {view.name}
        </Typography.Text>
      )}
      {view.email && (
        <Typography.Text type="secondary" ellipsis={{ tooltip: true }}>
          {view.email}
        </Typography.Text>
      )}
      {view.reference && <Typography.Text type="secondary">{view.reference}</Typography.Text>}
    </div>
  );
}

/** 详情: one line per change (before → after) or fact. */
function DetailsCell({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const lines = detailLines(entry, t);
  if (!lines.length) return <span className="hk-muted">—</span>;
  const hidden = lines.slice(MAX_LINES);
  return (
    <div className="hk-audit-details">
      {lines.slice(0, MAX_LINES).map((line) => (
        <div key={line.key} data-field={line.key}>
          <Typography.Text type="secondary">
            {line.label}
            {t('audit.values.colon')}
          </Typography.Text>
          <Typography.Text className="hk-audit-value" ellipsis={{ tooltip: line.text }}>
            {line.text}
          </Typography.Text>
        </div>
      ))}
      {hidden.length > 0 && (
        <Typography.Text
          type="secondary"
          ellipsis={{ tooltip: hidden.map((line) => `${line.label}${t('audit.values.colon')}${line.text}`).join('\n') }}
        >
          {t('audit.values.more', { count: hidden.length })}
        </Typography.Text>
      )}
    </div>
  );
}

export function AuditLogTable({ entries, isLoading, emptyText }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<AuditEntry> = [
    {
      key: 'createdAt',
      title: t('audit.time'),
      width: 120,
      render: (_, entry) => <RelativeTime iso={entry.createdAt} />,
    },
    {
      key: 'actor',
      title: t('audit.actor'),
      width: 120,
      render: (_, entry) => entry.actor?.name ?? <span className="hk-muted">{t('audit.system')}</span>,
    },
    {
      key: 'action',
      title: t('audit.action'),
      width: 170,
      render: (_, entry) => (
        <Tag variant="filled" color="blue" data-action={entry.action} title={entry.action}>
          {actionLabel(entry.action, t)}
        </Tag>
      ),
    },
    { key: 'target', title: t('audit.target'), width: 220, render: (_, entry) => <TargetCell entry={entry} /> },
    { key: 'details', title: t('audit.details'), render: (_, entry) => <DetailsCell entry={entry} /> },
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
