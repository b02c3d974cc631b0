import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Card, Result, Skeleton, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { isApiError } from '../api/client.ts';
import { CustomerConversations } from '../modules/conversations/components/customer-conversations.tsx';
import { CustomerChannelsSection } from '../modules/customers/components/customer-channels.tsx';
import { CustomerDuplicates } from '../modules/customers/components/customer-duplicates.tsx';
import { CustomerErasure } from '../modules/customers/components/customer-erasure.tsx';
import { CustomerHeader } from '../modules/customers/components/customer-header.tsx';
import { CustomerIdentities } from '../modules/customers/components/customer-identities.tsx';
import { CustomerMessages } from '../modules/customers/components/customer-messages.tsx';
import { CustomerProfile } from '../modules/customers/components/customer-profile.tsx';
import { CustomerTimeline } from '../modules/customers/components/customer-timeline.tsx';
import { customerName } from '../modules/customers/components/customers-table.tsx';
import { useCustomer, useRevealedPii } from '../modules/customers/hooks/use-customers.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { OrderList } from '../modules/orders/components/order-list.tsx';
import { CustomerTagBoard } from '../modules/tags/components/customer-tag-board.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

const tabs = ['profile', 'messages', 'tags', 'orders', 'timeline', 'identities', 'duplicates'] as const;
type TabKey = (typeof tabs)[number];

/** One customer: header with value and owner, tabs for profile, tags, orders, timeline, identities, duplicates. */
export function CustomerDetailPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const can = useCan();
  const { customerId = '', tab } = useParams();
  const active: TabKey = tabs.includes(tab as TabKey) ? (tab as TabKey) : 'profile';
  const customer = useCustomer(customerId);
  // What the user revealed of this customer stays shown across the tabs (profile, duplicates) while on this page.
  useRevealedPii(customerId);
  useDocumentTitle(customer.data ? customerName(customer.data, t('customer.anonymous')) : t('customers.title'));
  const backTo = (location.state as { from?: string } | null)?.from ?? '/customers';

  const back = (
    <Link to={backTo} className="hk-back-link">
      <ArrowLeftOutlined /> {t('customerPage.back')}
    </Link>
  );

  if (customer.isPending)
    return (
      <div className="hk-page">
        {back}
        <Card variant="borderless" className="hk-card">
          <Skeleton active avatar paragraph={{ rows: 2 }} />
        </Card>
      </div>
    );
  if (customer.isError) {
    const details = isApiError(customer.error)
      ? (customer.error.details as { mergedInto?: string } | undefined)
      : undefined;
    if (details?.mergedInto)
      return (
        <div className="hk-page">
          {back}
          <Result
            status="info"
            title={t('customerPage.mergedTitle')}
            subTitle={t('customerPage.mergedDescription')}
            extra={
              <Button type="primary" onClick={() => navigate(`/customers/${details.mergedInto}`, { replace: true })}>
                {t('customerPage.openMerged')}
              </Button>
            }
          />
        </div>
      );
    if (isApiError(customer.error) && customer.error.status === 404)
      return (
        <div className="hk-page">
          {back}
          <Result status="404" title={t('customerPage.notFound')} subTitle={t('customerPage.notFoundDescription')} />
        </div>
      );
    return (
      <div className="hk-page">
        {back}
        <ErrorState error={customer.error} onRetry={() => void customer.refetch()} />
      </div>
    );
  }

  const data = customer.data;
  const canEdit = can('customers:update');
  const content: Record<TabKey, React.ReactNode> = {
    profile: <CustomerProfile customer={data} canEdit={canEdit} canReveal={can('customers:reveal_pii')} />,
    messages: <CustomerMessages customerId={data.id} />,
    tags: <CustomerTagBoard customerId={data.id} canEdit={can('tags:apply')} canManage={can('tags:manage')} />,
    orders: <OrderList customerId={data.id} />,
    timeline: <CustomerTimeline customerId={data.id} canMerge={can('customers:merge')} />,
    identities: <CustomerIdentities customerId={data.id} />,
    duplicates: (
      <CustomerDuplicates
        customerId={data.id}
        canMerge={can('customers:merge')}
        canReveal={can('customers:reveal_pii')}
      />
    ),
  };

  return (
    <div className="hk-page" data-testid="customer-page" data-customer-id={data.id}>
      {back}
      <CustomerHeader customer={data} />
      <div className="hk-customer-layout">
        <Card variant="borderless" className="hk-card hk-customer-main">
          <Tabs
            activeKey={active}
            onChange={(key) =>
              navigate(key === 'profile' ? `/customers/${data.id}` : `/customers/${data.id}/${key}`, {
                replace: true,
                state: location.state,
              })
            }
            items={tabs.map((key) => ({
              key,
              label: <span data-testid={`customer-tab-${key}`}>{t(`customerPage.tabs.${key}`)}</span>,
              children: active === key ? content[key] : null,
            }))}
          />
        </Card>
        <div className="hk-customer-side">
          <Card variant="borderless" className="hk-card" size="small">
            <CustomerChannelsSection
              customerId={data.id}
              customerName={customerName(data, t('customer.anonymous'))}
              canReply={can('conversations:reply')}
              canMerge={can('customers:merge')}
              onOpenConversation={(id) => navigate(`/inbox/${id}`)}
            />
          </Card>
          <Card variant="borderless" className="hk-card" title={t('customer.tabHistory')} size="small">
            <CustomerConversations customerId={data.id} onOpen={(id) => navigate(`/inbox/${id}`)} />
          </Card>
          {can('customers:erase') && (
            <Card variant="borderless" className="hk-card" title={t('customerErasure.title')} size="small">
              <CustomerErasure customer={data} displayName={customerName(data, t('customer.anonymous'))} />
            </Card>
          )}
        </div>
      </div>
    </div>
  );
}
