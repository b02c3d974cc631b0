import type { Conversation, Customer } from '@huike/contracts';
import { Card, Statistic, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useConversationList } from '../../conversations/hooks/use-conversations.ts';
import { useUserMap } from '../../identity/hooks/use-users.ts';
import { formatFen } from '../../orders/money.ts';
import { customerDisplayName } from './customers-table.tsx';
import { LifecycleTag, MarketingOptOutTag, TierBadge } from './value-badges.tsx';

/**
 * Since when this is a customer: the earliest of their first order, first conversation and the record itself. An
 * imported customer's record is new while their orders are not; a merged one keeps the other record's conversations.
 */
export function customerSince(
  customer: Pick<Customer, 'createdAt' | 'firstOrderAt'>,
  conversations: readonly Pick<Conversation, 'createdAt'>[],
): string {
  let earliest = customer.createdAt;
  for (const iso of [customer.firstOrderAt, ...conversations.map((item) => item.createdAt)]) {
    if (iso && Date.parse(iso) < Date.parse(earliest)) earliest = iso;
  }
  return earliest;
}

/** Who this is at a glance: name, nickname, tier, lifecycle, owner, and what they have bought. */
export function CustomerHeader({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  // The same list as the page's 历史 card (one request): the customer's conversations, for their first contact.
  const { conversations } = useConversationList({ assignee: 'all', customerId: customer.id });
  const users = useUserMap();
  const owner = customer.ownerId ? users.get(customer.ownerId) : undefined;
  const name = customerDisplayName(customer, t);
  return (
    <Card variant="borderless" className="hk-card hk-customer-header" data-testid="customer-header">
      <div className="hk-customer-header-main">
        <CustomerAvatar name={name} seed={customer.id} size={48} />
        <div className="hk-customer-header-text">
          <div className="hk-customer-header-name">
            <span data-testid="customer-header-name">{name}</span>
            {customer.nickname && customer.name && <span className="hk-muted">（{customer.nickname}）</span>}
            <LifecycleTag stage={customer.lifecycleStage} labelled />
            <TierBadge tier={customer.rfmTier} labelled />
            <MarketingOptOutTag optedOutAt={customer.marketingOptOutAt} />
          </div>
          <div className="hk-muted hk-customer-header-sub">
            <span data-testid="customer-owner-label">
              {t('customerData.owner')}
              {t('common.colon')}
              {owner ? owner.name : t('customerPage.noOwner')}
            </span>
            {customer.region && <span>{customer.region}</span>}
            {customer.source && <span>{t('customerPage.fromSource', { source: customer.source })}</span>}
            <span data-testid="customer-since">
              {t('customerPage.since')} <RelativeTime iso={customerSince(customer, conversations)} />
            </span>
          </div>
        </div>
      </div>
      <div className="hk-customer-header-stats">
        <Statistic title={t('value.orderCount')} value={customer.orderCount ?? 0} />
        <Statistic title={t('value.totalSpent')} value={formatFen(customer.totalSpentFen)} />
        <div className="hk-stat">
          <div className="hk-stat-title">{t('value.lastOrder')}</div>
          <div className="hk-stat-value">
            {customer.lastOrderAt ? (
              <RelativeTime iso={customer.lastOrderAt} />
            ) : (
              <Tooltip title={t('customerPage.noOrdersHelp')}>
                <span className="hk-muted">—</span>
              </Tooltip>
            )}
          </div>
        </div>
      </div>
    </Card>
  );
}
