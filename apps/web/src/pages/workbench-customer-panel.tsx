import { Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { CustomerConversations } from '../modules/conversations/components/customer-conversations.tsx';
import { CustomerProfile } from '../modules/customers/components/customer-profile.tsx';
import { useCustomer } from '../modules/customers/hooks/use-customers.ts';
import { ErrorState } from '../ui/error-state.tsx';

type Props = {
  customerId: string;
  conversationId: string;
  canEdit: boolean;
  onOpenConversation: (id: string) => void;
};

/** 客户信息: the profile (editable in place) and, below it, the customer's previous conversations. */
export function WorkbenchCustomerPanel({ customerId, conversationId, canEdit, onOpenConversation }: Props) {
  const { t } = useTranslation();
  const customer = useCustomer(customerId);
  return (
    <div className="hk-customer-panel" data-testid="customer-panel">
      <section className="hk-panel-section">
        <div className="hk-panel-title">{t('customer.tabProfile')}</div>
        {customer.isPending ? (
          <Skeleton active paragraph={{ rows: 5 }} />
        ) : customer.isError ? (
          <ErrorState error={customer.error} onRetry={() => void customer.refetch()} compact />
        ) : (
          <CustomerProfile customer={customer.data} canEdit={canEdit} />
        )}
      </section>
      <section className="hk-panel-section">
        <div className="hk-panel-title">{t('customer.tabHistory')}</div>
        <CustomerConversations customerId={customerId} currentId={conversationId} onOpen={onOpenConversation} />
      </section>
    </div>
  );
}
