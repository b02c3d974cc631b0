import type { Customer } from '@huike/contracts';
import { Table, type TableColumnsType, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { MaskedPhone } from '../../../ui/masked-phone.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';

type Props = {
  customers: Customer[];
  isLoading: boolean;
  onOpen: (id: string) => void;
  emptyText: React.ReactNode;
};

export const customerName = (customer: Customer, anonymous: string): string => customer.name?.trim() || anonymous;

export function CustomersTable({ customers, isLoading, onOpen, emptyText }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Customer> = [
    {
      key: 'name',
      title: t('customer.name'),
      render: (_, customer) => (
        <span className="hk-cell-name">
          <CustomerAvatar name={customerName(customer, '?')} seed={customer.id} size={24} />
          <Typography.Link onClick={() => onOpen(customer.id)}>
            {customerName(customer, t('customer.anonymous'))}
          </Typography.Link>
        </span>
      ),
    },
    {
      key: 'phone',
      title: t('customer.phone'),
      width: 190,
      render: (_, customer) => <MaskedPhone phone={customer.phone} />,
    },
    {
      key: 'email',
      title: t('customer.email'),
      ellipsis: true,
      render: (_, customer) => customer.email ?? <span className="hk-muted">{t('common.notSet')}</span>,
    },
    {
      key: 'notes',
      title: t('customer.notes'),
      ellipsis: true,
      render: (_, customer) => customer.notes || <span className="hk-muted">—</span>,
    },
    {
      key: 'createdAt',
      title: t('customer.createdAt'),
      width: 140,
      render: (_, customer) => <RelativeTime iso={customer.createdAt} />,
    },
  ];
  return (
    <Table<Customer>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={customers}
      loading={isLoading}
      pagination={false}
      locale={{ emptyText }}
      onRow={(customer) => ({
        onClick: () => onOpen(customer.id),
        className: 'hk-clickable-row',
        'data-testid': 'customer-row',
        'data-customer-id': customer.id,
      })}
    />
  );
}
