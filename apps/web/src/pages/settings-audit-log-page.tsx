import { Card, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { actionGroups, actionLabel, targetTypeLabel, targetTypes } from '../modules/audit/audit-format.ts';
import { AuditLogTable } from '../modules/audit/components/audit-log-table.tsx';
import { useAuditLog } from '../modules/audit/hooks/use-audit-log.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { CursorPager, useCursorPages } from '../ui/cursor-pager.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 操作日志: who did what, newest first (admins only). */
export function SettingsAuditLogPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('audit.title'));
  const can = useCan();
  const [action, setAction] = useState<string | undefined>();
  const [targetType, setTargetType] = useState<string | undefined>();
  const pages = useCursorPages(50);
  const log = useAuditLog({ action, targetType, limit: pages.pageSize, cursor: pages.cursor }, can('audit:read'));
  const items = log.data?.items ?? [];

  if (!can('audit:read')) {
    return (
      <div className="hk-page">
        <PageHeader title={t('audit.title')} />
        <Card variant="borderless" className="hk-card">
          <EmptyState title={t('audit.forbiddenTitle')} description={t('audit.forbiddenDescription')} />
        </Card>
      </div>
    );
  }

  return (
    <div className="hk-page">
      <PageHeader title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <Card variant="borderless" className="hk-card">
        <div className="hk-filter-bar">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 240 }}
            placeholder={t('audit.allActions')}
            value={action}
            onChange={(value) => {
              setAction(value);
              pages.reset();
            }}
            options={Object.entries(actionGroups).map(([group, codes]) => ({
              label: t(`audit.groups.${group as keyof typeof actionGroups}`),
              options: codes.map((value) => ({ value, label: actionLabel(value, t) })),
            }))}
            data-testid="audit-action-filter"
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 180 }}
            placeholder={t('audit.allTargets')}
            value={targetType}
            onChange={(value) => {
              setTargetType(value);
              pages.reset();
            }}
            options={targetTypes.map((value) => ({ value, label: targetTypeLabel(value, t) }))}
            data-testid="audit-target-filter"
          />
        </div>
        {log.isError ? (
          <ErrorState error={log.error} onRetry={() => void log.refetch()} />
        ) : (
          <>
            <AuditLogTable
              entries={items}
              isLoading={log.isFetching && (!log.data || log.isPlaceholderData)}
              emptyText={<EmptyState title={t('audit.emptyTitle')} description={t('audit.emptyDescription')} />}
            />
            <CursorPager {...pages.pagerProps(log.data)} />
          </>
        )}
      </Card>
    </div>
  );
}
