import type { User } from '@huike/contracts';
import { Table, type TableColumnsType, type TableProps, Typography } from 'antd';
import type { Key, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import type { TicketRow, TicketSort } from '../api/tickets-api.ts';
import { CategoryTag, SeverityTag, TicketStatusTag, ticketNumber } from '../labels.tsx';
import { SlaCell } from './sla-clock.tsx';
import '../tickets.css';

type Props = {
  tickets: TicketRow[];
  isLoading: boolean;
  users: Map<string, User>;
  onOpen: (id: string) => void;
  emptyText: ReactNode;
  selectedIds: Key[];
  /** Row selection for bulk update (leads only). */
  onSelect?: (ids: Key[]) => void;
  sort: TicketSort;
  order: 'asc' | 'desc';
  onSort: (sort: TicketSort, order: 'asc' | 'desc') => void;
};

/** The dense ticket table: number, subject, customer, category, severity, status, assignee, SLA, updated. */
export function TicketsTable(props: Props) {
  const { t, i18n } = useTranslation();
  const { users, onOpen, sort, order } = props;
  // English tag labels (Waiting on third party) need wider columns than Chinese ones (等待第三方).
  const isEnglish = i18n.language === 'en';
  const sortOrder = (key: TicketSort) => (sort === key ? (order === 'asc' ? 'ascend' : 'descend') : null);
  const columns: TableColumnsType<TicketRow> = [
    {
      key: 'number',
      title: t('tickets.columns.number'),
      width: 76,
      sorter: true,
      sortOrder: sortOrder('number'),
      render: (_, ticket) => <span className="hk-mono">{ticketNumber(ticket.number)}</span>,
    },
    {
      key: 'subject',
      title: t('tickets.columns.subject'),
      ellipsis: true,
      render: (_, ticket) => (
        <Typography.Link
          onClick={() => onOpen(ticket.id)}
          data-testid="ticket-row-subject"
          className="hk-ticket-subject"
        >
          {ticket.subject}
        </Typography.Link>
      ),
    },
    {
      key: 'customer',
      title: t('tickets.columns.customer'),
      width: 100,
      ellipsis: true,
      render: (_, ticket) =>
        ticket.customerId ? (
          (ticket.customerName ?? <span className="hk-muted">{t('customer.anonymous')}</span>)
        ) : (
          <span className="hk-muted">—</span>
        ),
    },
    {
      key: 'category',
      title: t('tickets.columns.category'),
      width: isEnglish ? 100 : 84,
      className: 'hk-tag-cell',
      render: (_, ticket) => <CategoryTag category={ticket.category} />,
    },
    {
      key: 'severity',
      title: t('tickets.columns.severity'),
      width: isEnglish ? 92 : 76,
      className: 'hk-tag-cell',
      sorter: true,
      sortOrder: sortOrder('severity'),
      render: (_, ticket) => <SeverityTag severity={ticket.severity} />,
    },
    {
      key: 'status',
      title: t('tickets.columns.status'),
      width: isEnglish ? 124 : 104,
      className: 'hk-tag-cell',
      render: (_, ticket) => <TicketStatusTag status={ticket.status} />,
    },
    {
      key: 'assignee',
      title: t('tickets.columns.assignee'),
      width: 88,
      ellipsis: true,
      render: (_, ticket) =>
        ticket.assigneeId ? (
          (ticket.assigneeName ?? users.get(ticket.assigneeId)?.name ?? '—')
        ) : (
          <span className="hk-muted">{t('tickets.detail.unassigned')}</span>
        ),
    },
    {
      key: 'dueAt',
      title: t('tickets.columns.sla'),
      width: 136,
      sorter: true,
      sortOrder: sortOrder('dueAt'),
      render: (_, ticket) => <SlaCell ticket={ticket} />,
    },
    {
      key: 'updatedAt',
      title: t('tickets.columns.updated'),
      width: 96,
      sorter: true,
      sortOrder: sortOrder('updatedAt'),
      render: (_, ticket) => <RelativeTime iso={ticket.updatedAt} className="hk-muted" />,
    },
  ];

  const onChange: TableProps<TicketRow>['onChange'] = (_pagination, _filters, sorter) => {
    const one = Array.isArray(sorter) ? sorter[0] : sorter;
    if (!one?.order || !one.columnKey) props.onSort('updatedAt', 'desc');
    else props.onSort(one.columnKey as TicketSort, one.order === 'ascend' ? 'asc' : 'desc');
  };

  return (
    <Table<TicketRow>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={props.tickets}
      loading={props.isLoading}
      pagination={false}
      locale={{ emptyText: props.emptyText }}
      scroll={{ x: isEnglish ? 1040 : 960 }}
      onChange={onChange}
      showSorterTooltip={false}
      rowSelection={
        props.onSelect ? { selectedRowKeys: props.selectedIds, onChange: (keys) => props.onSelect?.(keys) } : undefined
      }
      onRow={(ticket) => ({
        onClick: (event) => {
          if ((event.target as HTMLElement).closest('button, a, .ant-checkbox-wrapper, .ant-table-selection-column'))
            return;
          onOpen(ticket.id);
        },
        className: 'hk-clickable-row',
        'data-testid': 'ticket-row',
        'data-ticket-id': ticket.id,
        'data-ticket-number': ticket.number,
      })}
    />
  );
}
