import { SearchOutlined } from '@ant-design/icons';
import { Card, Input } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { CustomerConversations } from '../modules/conversations/components/customer-conversations.tsx';
import { CustomerDrawer } from '../modules/customers/components/customer-drawer.tsx';
import { CustomersTable } from '../modules/customers/components/customers-table.tsx';
import { useCustomerList } from '../modules/customers/hooks/use-customers.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { CursorPager } from '../ui/cursor-pager.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

export function CustomersPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('customers.title'));
  const navigate = useNavigate();
  const can = useCan();
  const { customerId } = useParams();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const [pageSize, setPageSize] = useState(20);
  // Cursors of the pages visited so far: [undefined, cursorOfPage2, …].
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => setDraft(q), [q]);
  const list = useCustomerList({ q: q || undefined, limit: pageSize, cursor });

  const search = (value: string) => {
    setCursors([undefined]);
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value.trim()) next.set('q', value.trim());
        else next.delete('q');
        return next;
      },
      { replace: true },
    );
  };

  const open = (id: string) =>
    navigate({ pathname: `/customers/${id}`, search: params.toString() ? `?${params}` : '' });
  const close = () => navigate({ pathname: '/customers', search: params.toString() ? `?${params}` : '' });
  const items = list.data?.items ?? [];

  return (
    <div className="hk-page">
      <PageHeader title={t('customers.title')} subtitle={t('customers.subtitle')} />
      <Card variant="borderless" className="hk-card">
        <div className="hk-filter-bar">
          <Input.Search
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t('customers.searchPlaceholder')}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onSearch={search}
            enterButton={t('common.search')}
            style={{ maxWidth: 420 }}
            data-testid="customer-search"
          />
        </div>
        {list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <CustomersTable
              customers={items}
              isLoading={list.isFetching && !list.data ? true : list.isPlaceholderData}
              onOpen={open}
              emptyText={
                q ? (
                  <EmptyState
                    title={t('customers.emptySearchTitle', { q })}
                    description={t('customers.emptySearchDescription')}
                  />
                ) : (
                  <EmptyState title={t('customers.emptyTitle')} description={t('customers.emptyDescription')} />
                )
              }
            />
            <CursorPager
              page={cursors.length}
              count={items.length}
              hasNext={Boolean(list.data?.nextCursor)}
              onPrevious={() => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack))}
              onNext={() => {
                const next = list.data?.nextCursor;
                if (next) setCursors((stack) => [...stack, next]);
              }}
              pageSize={pageSize}
              onPageSize={(size) => {
                setPageSize(size);
                setCursors([undefined]);
              }}
            />
          </>
        )}
      </Card>
      <CustomerDrawer customerId={customerId} canEdit={can('customers:update')} onClose={close}>
        {customerId && (
          <>
            <div className="hk-panel-title" style={{ marginTop: 24 }}>
              {t('customer.tabHistory')}
            </div>
            <CustomerConversations customerId={customerId} onOpen={(id) => navigate(`/inbox/${id}`)} />
          </>
        )}
      </CustomerDrawer>
    </div>
  );
}
