import { ClockCircleOutlined, SearchOutlined } from '@ant-design/icons';
import {
  type CustomerListCount,
  customerCountQuery,
  customerSortKeys,
  lifecycleStages,
  rfmTiers,
  type SortOrder,
} from '@huike/contracts';
import { Button, Card, Input, Select, Space, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { formatCount } from '../modules/analytics/components/format.ts';
import { CustomersTable } from '../modules/customers/components/customers-table.tsx';
import { useCustomerCount, useCustomerList } from '../modules/customers/hooks/use-customers.ts';
import {
  CustomerSelectionToolbar,
  CustomersImportButton,
} from '../modules/segments/components/customer-selection-toolbar.tsx';
import { useTagCatalog } from '../modules/tags/hooks/use-tags.ts';
import { matchesName } from '../modules/tags/pinyin.ts';
import { CursorPager, useCursorPages } from '../ui/cursor-pager.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

const filterKeys = ['q', 'tagId', 'stage', 'tier'] as const;
/** The longest search the customer list accepts (`q` of its query schema). */
const searchMaxLength = customerCountQuery.shape.q.unwrap().maxLength ?? undefined;

const sortKeyOf = (value: string | null) => customerSortKeys.find((key) => key === value);

/** 共 1,234 位客户 / 约 98.6万 位客户 (an estimate) / 超过 1,000 位客户 (a large search). */
function TotalLine({ total, t }: { total: CustomerListCount; t: TFunction }) {
  if (total.precision === 'exact')
    return <span data-testid="customer-total">{t('customers.total', { count: total.count })}</span>;
  const estimate = total.precision === 'estimate';
  return (
    <Tooltip
      title={estimate ? t('customers.totalEstimateHelp') : t('customers.totalAtLeastHelp', { count: total.count })}
    >
      <span data-testid="customer-total" data-precision={total.precision}>
        {estimate
          ? t('customers.totalEstimate', { formatted: formatCount(total.count, t) })
          : t('customers.totalAtLeast', { count: total.count })}
      </span>
    </Tooltip>
  );
}

export function CustomersPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('customers.title'));
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  // A longer q (a pasted link) would only make the list answer 400.
  const q = (params.get('q') ?? '').slice(0, searchMaxLength);
  const tagId = params.get('tagId') ?? undefined;
  const stage = params.get('stage') ?? undefined;
  const tier = params.get('tier') ?? undefined;
  // Sorting by a value column; a search ranks by match instead (the API refuses both together).
  const sortKey = q ? undefined : sortKeyOf(params.get('sort'));
  const order: SortOrder = params.get('order') === 'asc' ? 'asc' : 'desc';
  const sort = sortKey ? { key: sortKey, order } : undefined;
  const [draft, setDraft] = useState(q);
  const pages = useCursorPages();
  const { catalog } = useTagCatalog();
  const [selectedIds, setSelectedIds] = useState<string[]>([]);

  useEffect(() => setDraft(q), [q]);
  const scope = { q: q || undefined, tagId, lifecycleStage: stage, rfmTier: tier };
  const list = useCustomerList({
    ...scope,
    ...(sort ? { sort: sort.key, order: sort.order } : {}),
    limit: pages.pageSize,
    cursor: pages.cursor,
  });
  const total = useCustomerCount(scope);

  const setFilter = (key: (typeof filterKeys)[number], value: string | undefined) => {
    pages.reset();
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value?.trim()) next.set(key, value.trim());
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  };
  const hasFilters = Boolean(tagId || stage || tier);

  const open = (id: string) => navigate(`/customers/${id}`, { state: { from: `/customers?${params}` } });
  const items = list.data?.items ?? [];

  return (
    <div className="hk-page">
      <PageHeader
        title={t('customers.title')}
        subtitle={t('customers.subtitle')}
        extra={
          <Space>
            <CustomersImportButton />
            <Button icon={<ClockCircleOutlined />} onClick={() => navigate('/customers/stale-profiles')}>
              {t('stale.title')}
            </Button>
          </Space>
        }
      />
      <Card variant="borderless" className="hk-card">
        <div className="hk-filter-bar">
          <Input.Search
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t('customers.searchPlaceholder')}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onSearch={(value) => setFilter('q', value)}
            enterButton={t('common.search')}
            maxLength={searchMaxLength}
            style={{ maxWidth: 420 }}
            data-testid="customer-search"
          />
          <Space wrap size={8}>
            <Select<string>
              allowClear
              showSearch={{
                filterOption: (input, option) => matchesName(String(option?.title ?? ''), input),
              }}
              placeholder={t('customers.filterTag')}
              value={tagId}
              onChange={(value) => setFilter('tagId', value)}
              style={{ width: 180 }}
              options={(catalog?.groups ?? []).map((group) => ({
                label: group.name,
                title: group.name,
                options: (catalog?.options ?? [])
                  .filter((tag) => tag.groupId === group.id)
                  .map((tag) => ({ value: tag.id, label: tag.path, title: tag.path })),
              }))}
              data-testid="filter-tag"
            />
            <Select<string>
              allowClear
              placeholder={t('customers.filterLifecycle')}
              value={stage}
              onChange={(value) => setFilter('stage', value)}
              style={{ width: 130 }}
              options={lifecycleStages.map((value) => ({ value, label: t(`value.stages.${value}`) }))}
              data-testid="filter-lifecycle"
            />
            <Select<string>
              allowClear
              placeholder={t('customers.filterTier')}
              value={tier}
              onChange={(value) => setFilter('tier', value)}
              style={{ width: 140 }}
              options={rfmTiers.map((value) => ({ value, label: t(`value.tiers.${value}`) }))}
              data-testid="filter-tier"
            />
            {hasFilters && (
              <Button
                type="link"
                onClick={() => {
                  pages.reset();
                  setParams(
                    (current) => {
                      const next = new URLSearchParams(current);
                      for (const key of ['tagId', 'stage', 'tier']) next.delete(key);
                      return next;
                    },
                    { replace: true },
                  );
                }}
              >
                {t('inbox.clearFilters')}
              </Button>
            )}
            <CustomerSelectionToolbar
              selectedIds={selectedIds}
              scope={{ q: q || undefined, tagId, lifecycleStage: stage, rfmTier: tier }}
              onClear={() => setSelectedIds([])}
            />
          </Space>
        </div>
        {list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <CustomersTable
              customers={items}
              catalog={catalog}
              selectedIds={selectedIds}
              onSelect={(keys) => setSelectedIds(keys.map(String))}
              isLoading={list.isFetching && !list.data ? true : list.isPlaceholderData}
              onOpen={open}
              sorting={{
                sort,
                disabledReason: q ? t('customers.sortDisabledSearch') : undefined,
                onChange: (next) => {
                  pages.reset();
                  setParams(
                    (current) => {
                      const params = new URLSearchParams(current);
                      if (next) {
                        params.set('sort', next.key);
                        params.set('order', next.order);
                      } else {
                        params.delete('sort');
                        params.delete('order');
                      }
                      return params;
                    },
                    { replace: true },
                  );
                },
              }}
              emptyText={
                q ? (
                  <EmptyState
                    title={t('customers.emptySearchTitle', { q })}
                    description={t('customers.emptySearchDescription')}
                  />
                ) : hasFilters ? (
                  <EmptyState
                    title={t('customers.emptyFilteredTitle')}
                    description={t('customers.emptyFilteredDescription')}
                  />
                ) : (
                  <EmptyState title={t('customers.emptyTitle')} description={t('customers.emptyDescription')} />
                )
              }
            />
            <CursorPager
              {...pages.pagerProps(list.data)}
              total={total.data ? <TotalLine total={total.data} t={t} /> : undefined}
            />
          </>
        )}
      </Card>
    </div>
  );
}
