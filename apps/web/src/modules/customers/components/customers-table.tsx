import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { type Customer, type CustomerSortKey, maskPhone, type SortOrder } from '@huike/contracts';
import { App, Button, Table, type TableColumnsType, type TableColumnType, Tooltip, Typography } from 'antd';
import type { TFunction } from 'i18next';
import type { Key, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { customerLabel } from '../../conversations/labels.ts';
import { formatFen } from '../../orders/money.ts';
import type { Tag } from '../../tags/api/tags-api.ts';
import { TagChip } from '../../tags/components/tag-chip.tsx';
import type { TagCatalog } from '../../tags/hooks/use-tags.ts';
import { useHidePii, useRevealedPii, useRevealPii } from '../hooks/use-customers.ts';
import { LifecycleTag, TierBadge } from './value-badges.tsx';

type Props = {
  customers: Customer[];
  isLoading: boolean;
  onOpen: (id: string) => void;
  emptyText: ReactNode;
  catalog: TagCatalog | undefined;
  /** Row selection for bulk actions (the list page decides what to do with it). */
  selectedIds?: Key[];
  onSelect?: (ids: Key[]) => void;
  /** Server-side sorting of the value columns; absent: not sortable. */
  sorting?: {
    sort: { key: CustomerSortKey; order: SortOrder } | undefined;
    onChange: (sort: { key: CustomerSortKey; order: SortOrder } | undefined) => void;
    /** Why the columns cannot be sorted now (a search ranks by match), shown on their headers. */
    disabledReason?: string;
  };
};

export const customerName = (customer: Pick<Customer, 'name' | 'nickname'>, anonymous: string): string =>
  customer.name?.trim() || customer.nickname?.trim() || anonymous;

/** A customer without a name or nickname is 「客户 3f2a」, the same suffix the workbench shows (「访客 3f2a」). */
export const customerDisplayName = (customer: Pick<Customer, 'id' | 'name' | 'nickname'>, t: TFunction): string =>
  customerName(customer, customerLabel({ customerName: null, customerId: customer.id }, t, undefined));

/** The list view may carry the customer's tags (as tags or ids); show what is there. */
function tagsOf(customer: Customer, catalog: TagCatalog | undefined): Tag[] {
  const extra = customer as Customer & { tags?: Tag[]; tagIds?: string[] };
  if (Array.isArray(extra.tags)) return extra.tags;
  if (Array.isArray(extra.tagIds) && catalog)
    return extra.tagIds.map((id) => catalog.byId.get(id)).filter((tag): tag is NonNullable<typeof tag> => Boolean(tag));
  return [];
}

/**
 * A list row's phone for roles that may reveal it: masked until the eye is clicked, which is an audited reveal
 * (POST /customers/:id/reveal of `phone`, one audit entry each time), as on the customer page; hiding needs no
 * request. Roles without the permission get the number masked from the server and no eye.
 */
function RevealablePhone({ customerId, phone }: { customerId: string; phone: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const revealed = useRevealedPii(customerId);
  const reveal = useRevealPii();
  const hide = useHidePii();
  const isShown = revealed.phone !== undefined;
  const label = isShown ? t('common.hide') : t('common.reveal');
  return (
    <span className="hk-nowrap">
      <span className="hk-mono" data-testid="customer-row-phone">
        {isShown ? (revealed.phone ?? phone) : maskPhone(phone)}
      </span>
      <Tooltip title={isShown ? label : t('customerData.revealHelp')}>
        <Button
          type="text"
          size="small"
          aria-label={label}
          icon={isShown ? <EyeInvisibleOutlined /> : <EyeOutlined />}
          loading={reveal.isPending}
          data-testid="customer-row-reveal-phone"
          onClick={(event) => {
            event.stopPropagation();
            if (isShown) hide(customerId, ['phone']);
            else
              reveal.mutate(
                { id: customerId, fields: ['phone'] },
                { onError: (error) => void message.error(errorMessage(error, t)) },
              );
          }}
        />
      </Tooltip>
    </span>
  );
}

/** The dense customer table: who, contact, tags, value, last order; a row opens the customer. */
export function CustomersTable({
  customers,
  isLoading,
  onOpen,
  emptyText,
  catalog,
  selectedIds,
  onSelect,
  sorting,
}: Props) {
  const { t } = useTranslation();
  /** A value column sorted by the server (largest / latest first on the first click). */
  const sortable = (key: CustomerSortKey, title: string): Partial<TableColumnType<Customer>> => {
    if (!sorting) return { title };
    if (sorting.disabledReason)
      return {
        title: (
          <Tooltip title={sorting.disabledReason}>
            <span>{title}</span>
          </Tooltip>
        ),
      };
    return {
      title,
      sorter: true,
      sortDirections: ['descend', 'ascend'],
      sortOrder: sorting.sort?.key === key ? (sorting.sort.order === 'asc' ? 'ascend' : 'descend') : null,
      onHeaderCell: () => ({ 'data-testid': `sort-${key}` }) as React.HTMLAttributes<HTMLElement>,
    };
  };
  const columns: TableColumnsType<Customer> = [
    {
      key: 'name',
      title: t('customer.name'),
      width: 220,
      render: (_, customer) => (
        <span className="hk-cell-name">
          <CustomerAvatar name={customerName(customer, '?')} seed={customer.id} size={24} />
          <span className="hk-cell-name-text">
            <Typography.Link onClick={() => onOpen(customer.id)} data-testid="customer-row-name">
              {customerDisplayName(customer, t)}
            </Typography.Link>
            {customer.nickname && customer.name && <span className="hk-muted hk-small">{customer.nickname}</span>}
          </span>
          <TierBadge tier={customer.rfmTier} />
        </span>
      ),
    },
    {
      key: 'phone',
      title: t('customer.phone'),
      width: 170,
      render: (_, customer) =>
        !customer.phone ? (
          <span className="hk-muted">—</span>
        ) : customer.piiMasked ? (
          <span className="hk-mono">{customer.phone}</span>
        ) : (
          <RevealablePhone customerId={customer.id} phone={customer.phone} />
        ),
    },
    {
      key: 'tags',
      title: t('customerData.tags'),
      render: (_, customer) => {
        const tags = tagsOf(customer, catalog);
        if (tags.length === 0) return <span className="hk-muted">—</span>;
        return (
          <span className="hk-chip-list">
            {tags.slice(0, 3).map((tag) => (
              <TagChip key={tag.id} tag={catalog?.byId.get(tag.id) ?? tag} />
            ))}
            {tags.length > 3 && <span className="hk-muted hk-small">+{tags.length - 3}</span>}
          </span>
        );
      },
    },
    {
      key: 'lifecycle',
      title: t('value.lifecycle'),
      width: 88,
      render: (_, customer) => <LifecycleTag stage={customer.lifecycleStage} />,
    },
    {
      key: 'orderCount',
      ...sortable('orderCount', t('value.orderCount')),
      width: 96,
      align: 'right',
      render: (_, customer) => customer.orderCount ?? 0,
    },
    {
      key: 'totalSpent',
      ...sortable('totalSpent', t('value.totalSpent')),
      width: 130,
      align: 'right',
      render: (_, customer) => <span className="hk-nowrap">{formatFen(customer.totalSpentFen)}</span>,
    },
    {
      key: 'lastOrderAt',
      ...sortable('lastOrderAt', t('value.lastOrder')),
      width: 120,
      render: (_, customer) =>
        customer.lastOrderAt ? <RelativeTime iso={customer.lastOrderAt} /> : <span className="hk-muted">—</span>,
    },
  ];
  return (
    <Table<Customer>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={customers}
      loading={isLoading}
      pagination={false}
      locale={{ emptyText }}
      scroll={{ x: 900 }}
      rowSelection={onSelect ? { selectedRowKeys: selectedIds, onChange: (keys) => onSelect(keys) } : undefined}
      onChange={(_pagination, _filters, sorter, extra) => {
        if (extra.action !== 'sort' || !sorting) return;
        const chosen = Array.isArray(sorter) ? sorter[0] : sorter;
        const key = chosen?.columnKey as CustomerSortKey | undefined;
        sorting.onChange(key && chosen?.order ? { key, order: chosen.order === 'ascend' ? 'asc' : 'desc' } : undefined);
      }}
      onRow={(customer) => ({
        onClick: (event) => {
          // Clicks on links, buttons and the selection checkbox do their own thing.
          if ((event.target as HTMLElement).closest('button, a, .ant-checkbox-wrapper, .ant-table-selection-column'))
            return;
          onOpen(customer.id);
        },
        className: 'hk-clickable-row',
        'data-testid': 'customer-row',
        'data-customer-id': customer.id,
      })}
    />
  );
}
