import { Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useCustomerTickets } from '../hooks/use-tickets.ts';
import { SeverityTag, TicketStatusTag } from '../labels.tsx';
import '../tickets.css';

/** The customer's tickets (历史 tab), newest first, each a link to the ticket. */
export function CustomerTickets({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const list = useCustomerTickets(customerId);
  return (
    <div className="hk-customer-tickets" data-testid="customer-tickets">
      <div className="hk-field-label">{t('tickets.history.tickets')}</div>
      {list.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} title={false} />
      ) : list.isError ? (
        <div className="hk-muted">{t('errors.loadFailed')}</div>
      ) : list.data.items.length === 0 ? (
        <div className="hk-muted hk-small">{t('tickets.history.none')}</div>
      ) : (
        list.data.items.map((ticket) => (
          <Link
            key={ticket.id}
            to={`/tickets/${ticket.id}`}
            className="hk-history-item hk-customer-ticket"
            data-testid="customer-ticket-row"
          >
            <div className="hk-history-line">
              <span className="hk-mono hk-muted">#{ticket.number}</span>
              <TicketStatusTag status={ticket.status} />
              <SeverityTag severity={ticket.severity} />
              <span className="hk-history-inbox" />
              <RelativeTime iso={ticket.updatedAt} className="hk-muted hk-history-time" />
            </div>
            <div className="hk-history-preview">{ticket.subject}</div>
          </Link>
        ))
      )}
      <div className="hk-field-label" style={{ marginTop: 12 }}>
        {t('tickets.history.conversations')}
      </div>
    </div>
  );
}
