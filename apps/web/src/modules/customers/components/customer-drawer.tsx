import { Drawer, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../../ui/error-state.tsx';
import { useCustomer } from '../hooks/use-customers.ts';
import { CustomerProfile } from './customer-profile.tsx';
import { customerName } from './customers-table.tsx';

type Props = { customerId: string | undefined; canEdit: boolean; onClose: () => void; children?: ReactNode };

/** The customer's editable profile in a drawer; `children` adds sections (e.g. conversation history). */
export function CustomerDrawer({ customerId, canEdit, onClose, children }: Props) {
  const { t } = useTranslation();
  const customer = useCustomer(customerId);
  return (
    <Drawer
      open={Boolean(customerId)}
      onClose={onClose}
      size={480}
      title={customer.data ? customerName(customer.data, t('customer.anonymous')) : t('customer.panelTitle')}
      destroyOnHidden
      data-testid="customer-drawer"
    >
      {customer.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : customer.isError ? (
        <ErrorState error={customer.error} onRetry={() => void customer.refetch()} compact />
      ) : (
        <>
          <div className="hk-panel-title">{t('customer.tabProfile')}</div>
          <CustomerProfile customer={customer.data} canEdit={canEdit} />
          {children}
        </>
      )}
    </Drawer>
  );
}
