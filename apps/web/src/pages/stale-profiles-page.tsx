import { ArrowLeftOutlined } from '@ant-design/icons';
import type { StaleProfile } from '@huike/contracts';
import { Card, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { customerName } from '../modules/customers/components/customers-table.tsx';
import { LifecycleTag, TierBadge } from '../modules/customers/components/value-badges.tsx';
import { useStaleProfiles } from '../modules/customers/hooks/use-customers.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { useUserMap } from '../modules/identity/hooks/use-users.ts';
import { CursorPager, useCursorPages } from '../ui/cursor-pager.tsx';
import { CustomerAvatar } from '../ui/customer-avatar.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 资料待更新: customers whose profile nobody has touched for longer than the workspace allows. */
export function StaleProfilesPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('stale.title'));
  const navigate = useNavigate();
  const can = useCan();
  const users = useUserMap();
  const pages = useCursorPages();
  const list = useStaleProfiles({ limit: pages.pageSize, cursor: pages.cursor });
  const items = list.data?.items ?? [];
  const open = (id: string) => navigate(`/customers/${id}`, { state: { from: '/customers/stale-profiles' } });

  return (
    <div className="hk-page">
      <Link to="/customers" className="hk-back-link">
        <ArrowLeftOutlined /> {t('customerPage.back')}
      </Link>
      <PageHeader
        title={t('stale.title')}
        subtitle={t('stale.subtitle')}
        extra={can('workspace:manage') ? <Link to="/settings/customer-value">{t('stale.changeDays')}</Link> : undefined}
      />
      <Card variant="borderless" className="hk-card">
        {list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <Table<StaleProfile>
              rowKey={(row) => row.customer.id}
              size="small"
              pagination={false}
              loading={list.isPending || list.isPlaceholderData}
              dataSource={items}
              locale={{
                emptyText: <EmptyState title={t('stale.emptyTitle')} description={t('stale.emptyDescription')} />,
              }}
              onRow={(row) => ({
                onClick: () => open(row.customer.id),
                className: 'hk-clickable-row',
                'data-testid': 'stale-row',
                'data-customer-id': row.customer.id,
              })}
              columns={[
                {
                  key: 'name',
                  title: t('customer.name'),
                  render: (_, row) => (
                    <span className="hk-cell-name">
                      <CustomerAvatar name={customerName(row.customer, '?')} seed={row.customer.id} size={24} />
                      <Typography.Link>{customerName(row.customer, t('customer.anonymous'))}</Typography.Link>
                      <TierBadge tier={row.customer.rfmTier} />
                    </span>
                  ),
                },
                {
                  key: 'lifecycle',
                  title: t('value.lifecycle'),
                  width: 100,
                  render: (_, row) => <LifecycleTag stage={row.customer.lifecycleStage} />,
                },
                {
                  key: 'owner',
                  title: t('customerData.owner'),
                  width: 120,
                  render: (_, row) =>
                    row.customer.ownerId ? (
                      (users.get(row.customer.ownerId)?.name ?? t('chat.unknownAgent'))
                    ) : (
                      <span className="hk-muted">—</span>
                    ),
                },
                {
                  key: 'updated',
                  title: t('stale.lastUpdated'),
                  width: 140,
                  render: (_, row) => <RelativeTime iso={row.lastUpdatedAt} />,
                },
                {
                  key: 'threshold',
                  title: t('stale.rule'),
                  width: 160,
                  render: (_, row) => (
                    <span className="hk-muted">{t('stale.ruleValue', { days: row.thresholdDays })}</span>
                  ),
                },
              ]}
            />
            <CursorPager {...pages.pagerProps(list.data)} />
          </>
        )}
      </Card>
    </div>
  );
}
