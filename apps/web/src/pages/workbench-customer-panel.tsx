import { RightOutlined } from '@ant-design/icons';
import { Skeleton, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CustomerConversations } from '../modules/conversations/components/customer-conversations.tsx';
import { useWorkbenchCommand } from '../modules/conversations/workbench-events.ts';
import { CustomerChannelsSection } from '../modules/customers/components/customer-channels.tsx';
import { CustomerProfile } from '../modules/customers/components/customer-profile.tsx';
import { customerName } from '../modules/customers/components/customers-table.tsx';
import { LifecycleTag, TierBadge } from '../modules/customers/components/value-badges.tsx';
import { useCustomer } from '../modules/customers/hooks/use-customers.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { KnowledgePanel } from '../modules/knowledge/components/knowledge-panel.tsx';
import { OrderList } from '../modules/orders/components/order-list.tsx';
import { useValueSettings } from '../modules/orders/hooks/use-orders.ts';
import { formatFen } from '../modules/orders/money.ts';
import { TagsInline } from '../modules/tags/components/tags-inline.tsx';
import {
  useChangeConversationTags,
  useChangeCustomerTags,
  useConversationTags,
  useCustomerTags,
  useTagCatalog,
} from '../modules/tags/hooks/use-tags.ts';
import { QuickPhrases } from '../modules/templates/components/quick-phrases.tsx';
import { CustomerTickets } from '../modules/tickets/components/customer-tickets.tsx';
import { ErrorState } from '../ui/error-state.tsx';

type Props = {
  customerId: string;
  conversationId: string;
  canEdit: boolean;
  onOpenConversation: (id: string) => void;
};

type PanelTab = 'profile' | 'orders' | 'history' | 'phrases' | 'knowledge';

/**
 * 客户信息: 资料 (value, tags — `T` tags the customer, `Shift+T` the conversation —, profile), 订单, 历史, 快捷短语 and
 * 知识库 for the open conversation's customer.
 */
export function WorkbenchCustomerPanel({ customerId, conversationId, canEdit, onOpenConversation }: Props) {
  const { t } = useTranslation();
  const can = useCan();
  const customer = useCustomer(customerId);
  const [tab, setTab] = useState<PanelTab>('profile');
  const [tagFocus, setTagFocus] = useState(0);
  const [conversationTagFocus, setConversationTagFocus] = useState(0);
  const { catalog, isPending: isCatalogPending } = useTagCatalog();
  const customerTags = useCustomerTags(customerId);
  const changeCustomerTags = useChangeCustomerTags(customerId, catalog);
  const conversationTags = useConversationTags(conversationId);
  const changeConversationTags = useChangeConversationTags(conversationId, catalog);
  const canTag = can('tags:apply');
  const valueSettings = useValueSettings();
  const staleDays = (() => {
    const data = customer.data;
    const days = valueSettings.data?.staleProfileDays;
    if (!data || !days) return null;
    const since = Date.parse(data.profileUpdatedAt ?? data.createdAt);
    const age = Math.floor((Date.now() - since) / 86_400_000);
    const limit = data.lifecycleStage === 'active' ? days.active : days.others;
    return age > limit ? age : null;
  })();

  useWorkbenchCommand('focus-tags', () => {
    if (!canTag) return;
    setTab('profile');
    setTagFocus((value) => value + 1);
  });
  // Shift+T: the same picker for 本次会话标签.
  useWorkbenchCommand('focus-conversation-tags', () => {
    if (!canTag) return;
    setTab('profile');
    setConversationTagFocus((value) => value + 1);
  });

  const profile = customer.isPending ? (
    <Skeleton active paragraph={{ rows: 5 }} />
  ) : customer.isError ? (
    <ErrorState error={customer.error} onRetry={() => void customer.refetch()} compact />
  ) : (
    <>
      <div className="hk-panel-value" data-testid="panel-value">
        <LifecycleTag stage={customer.data.lifecycleStage} labelled />
        <TierBadge tier={customer.data.rfmTier} labelled />
        <span className="hk-muted hk-small">
          {t('panel.orderSummary', {
            count: customer.data.orderCount ?? 0,
            amount: formatFen(customer.data.totalSpentFen),
          })}
        </span>
      </div>
      {staleDays !== null && canEdit && (
        <div className="hk-panel-stale" data-testid="panel-stale">
          {t('panel.staleHint', { days: staleDays })}
        </div>
      )}
      <div className="hk-panel-block">
        <div className="hk-field-label">
          {t('panel.customerTags')}
          {canTag && <kbd className="hk-kbd-hint">T</kbd>}
        </div>
        <TagsInline
          tags={customerTags.data}
          catalog={catalog}
          isPending={customerTags.isPending || isCatalogPending}
          canEdit={canTag}
          onChange={(change) => changeCustomerTags.mutateAsync(change)}
          emptyText={t('panel.noCustomerTags')}
          testId="customer-tags"
          focusSignal={tagFocus}
        />
      </div>
      <div className="hk-panel-block">
        <div className="hk-field-label">
          {t('panel.conversationTags')}
          {canTag && <kbd className="hk-kbd-hint">Shift+T</kbd>}
        </div>
        <TagsInline
          tags={conversationTags.data}
          catalog={catalog}
          isPending={conversationTags.isPending || isCatalogPending}
          canEdit={canTag}
          onChange={(change) => changeConversationTags.mutateAsync(change)}
          emptyText={t('panel.noConversationTags')}
          testId="conversation-tags"
          focusSignal={conversationTagFocus}
        />
      </div>
      <CustomerChannelsSection
        customerId={customerId}
        customerName={customerName(customer.data, t('customer.anonymous'))}
        canReply={can('conversations:reply')}
        canMerge={can('customers:merge')}
        onOpenConversation={onOpenConversation}
        compact
      />
      <CustomerProfile customer={customer.data} canEdit={canEdit} canReveal={can('customers:reveal_pii')} compact />
      <Link to={`/customers/${customerId}`} className="hk-panel-more" data-testid="panel-open-customer">
        {t('panel.openCustomer')} <RightOutlined />
      </Link>
    </>
  );

  return (
    <div className="hk-customer-panel" data-testid="customer-panel">
      <Tabs
        size="small"
        className="hk-panel-tabs"
        tabBarGutter={10}
        activeKey={tab}
        onChange={(key) => setTab(key as PanelTab)}
        items={[
          { key: 'profile', label: t('customer.tabProfile'), children: profile },
          {
            key: 'orders',
            label: <span data-testid="panel-tab-orders">{t('panel.tabOrders')}</span>,
            children: tab === 'orders' ? <OrderList customerId={customerId} compact /> : null,
          },
          {
            key: 'history',
            label: t('panel.tabHistory'),
            children:
              tab === 'history' ? (
                <>
                  {can('tickets:read') && <CustomerTickets customerId={customerId} />}
                  <CustomerConversations
                    customerId={customerId}
                    currentId={conversationId}
                    onOpen={onOpenConversation}
                  />
                </>
              ) : null,
          },
          ...(can('templates:use')
            ? [
                {
                  key: 'phrases',
                  label: (
                    <span data-testid="panel-tab-phrases" title={t('templates.panelTab')}>
                      {t('panel.tabPhrases')}
                    </span>
                  ),
                  children:
                    tab === 'phrases' ? (
                      <QuickPhrases conversationId={conversationId} canInsert={can('conversations:reply')} />
                    ) : null,
                },
              ]
            : []),
          {
            key: 'knowledge',
            label: (
              <span data-testid="panel-tab-knowledge" title={t('knowledge.panelTab')}>
                {t('panel.tabKnowledge')}
              </span>
            ),
            children: tab === 'knowledge' ? <KnowledgePanel conversationId={conversationId} /> : null,
          },
        ]}
      />
    </div>
  );
}
