import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Select, Space } from 'antd';
import { type Key, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { useUserMap } from '../modules/identity/hooks/use-users.ts';
import { type TicketFilters, type TicketSort, ticketSorts } from '../modules/tickets/api/tickets-api.ts';
import { TicketBulkBar } from '../modules/tickets/components/bulk-update.tsx';
import { TicketCreateDrawer } from '../modules/tickets/components/ticket-create-drawer.tsx';
import { TicketFilterBar } from '../modules/tickets/components/ticket-filter-bar.tsx';
import { SaveViewButton, TicketViews } from '../modules/tickets/components/ticket-views.tsx';
import { TicketsTable } from '../modules/tickets/components/tickets-table.tsx';
import { useTicketList } from '../modules/tickets/hooks/use-tickets.ts';
import { CursorPager, useCursorPages } from '../ui/cursor-pager.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

const filterKeys = [
  'q',
  'status',
  'category',
  'severity',
  'assignee',
  'teamId',
  'sla',
  'createdFrom',
  'createdTo',
  'created',
  'customerId',
  'sort',
  'order',
] as const satisfies readonly (keyof TicketFilters)[];

/** 工单: saved views on the left; filters, the dense table, bulk update and cursor paging on the right. */
export function TicketsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('tickets.title'));
  const { message } = App.useApp();
  const navigate = useNavigate();
  const can = useCan();
  const users = useUserMap();
  const [params, setParams] = useSearchParams();
  const pages = useCursorPages();
  const [selectedIds, setSelectedIds] = useState<Key[]>([]);
  const [isCreating, setCreating] = useState(false);

  // The URL holds the filters, so a view, a reload and a shared link all show the same list.
  const filters = useMemo(() => {
    const out: Record<string, string> = {};
    for (const key of filterKeys) {
      const value = params.get(key);
      if (value) out[key] = value;
    }
    return out as TicketFilters;
  }, [params]);
  const sort: TicketSort = ticketSorts.includes(filters.sort as TicketSort)
    ? (filters.sort as TicketSort)
    : 'updatedAt';
  const order = filters.order === 'asc' ? 'asc' : 'desc';

  const list = useTicketList({ ...filters, sort, order, limit: pages.pageSize, cursor: pages.cursor });
  const items = list.data?.items ?? [];

  const setFilters = (changes: Partial<Record<keyof TicketFilters, string | undefined>>) => {
    pages.reset();
    setSelectedIds([]);
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value?.trim()) next.set(key, value.trim());
          else next.delete(key);
        }
        return next;
      },
      { replace: true },
    );
  };
  const applyFilters = (next: TicketFilters) => {
    pages.reset();
    setSelectedIds([]);
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) search.set(key, String(value));
    setParams(search, { replace: true });
  };
  const hasFilters = Object.keys(filters).some((key) => key !== 'sort' && key !== 'order' && key !== 'q');
  const canManage = can('tickets:manage');

  return (
    <div className="hk-page hk-page-wide">
      <PageHeader
        title={t('tickets.title')}
        subtitle={t('tickets.subtitle')}
        extra={
          can('tickets:write') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="ticket-create"
            >
              {t('tickets.create')}
            </Button>
          )
        }
      />
      <div className="hk-tickets-layout">
        <Card variant="borderless" className="hk-card hk-ticket-views-card" size="small">
          <TicketViews filters={filters} onApply={applyFilters} />
        </Card>
        <Card variant="borderless" className="hk-card hk-tickets-main">
          <TicketFilterBar
            filters={filters}
            onChange={(key, value) => setFilters({ [key]: value })}
            onChangeMany={setFilters}
            onClear={() => applyFilters(filters.q ? { q: filters.q } : {})}
            extra={
              <Space size={8}>
                <Select<TicketSort>
                  value={sort}
                  onChange={(value) => setFilters({ sort: value, order: value === 'dueAt' ? 'asc' : 'desc' })}
                  style={{ width: 150 }}
                  options={ticketSorts.map((value) => ({ value, label: t(`tickets.sortBy.${value}`) }))}
                  data-testid="ticket-sort"
                />
                <SaveViewButton filters={filters} />
              </Space>
            }
          />
          {canManage && <TicketBulkBar selectedIds={selectedIds.map(String)} onDone={() => setSelectedIds([])} />}
          {list.isError ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : (
            <>
              <TicketsTable
                tickets={items}
                isLoading={list.isFetching && !list.data ? true : list.isPlaceholderData}
                users={users}
                onOpen={(id) => navigate(`/tickets/${id}`, { state: { from: `/tickets?${params}` } })}
                selectedIds={selectedIds}
                onSelect={canManage ? setSelectedIds : undefined}
                sort={sort}
                order={order}
                onSort={(nextSort, nextOrder) => setFilters({ sort: nextSort, order: nextOrder })}
                emptyText={
                  filters.q ? (
                    <EmptyState
                      title={t('tickets.empty.searchTitle', { q: filters.q })}
                      description={t('tickets.empty.filteredDescription')}
                    />
                  ) : hasFilters ? (
                    <EmptyState
                      title={t('tickets.empty.filteredTitle')}
                      description={t('tickets.empty.filteredDescription')}
                    />
                  ) : (
                    <EmptyState title={t('tickets.empty.title')} description={t('tickets.empty.description')} />
                  )
                }
              />
              <CursorPager {...pages.pagerProps(list.data)} />
            </>
          )}
        </Card>
      </div>
      <TicketCreateDrawer
        open={isCreating}
        onClose={() => setCreating(false)}
        onCreated={(ticket) => {
          setCreating(false);
          void message.success(t('tickets.form.created', { number: ticket.number }));
          navigate(`/tickets/${ticket.id}`);
        }}
      />
    </div>
  );
}
