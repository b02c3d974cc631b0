import { ArrowLeftOutlined, MergeCellsOutlined, MessageOutlined, MoreOutlined, UserOutlined } from '@ant-design/icons';
import { type Order, type TicketSeverity, type TicketStatus, ticketSeverities } from '@huike/contracts';
import { useQueries } from '@tanstack/react-query';
import { Alert, App, Button, Card, Dropdown, Select, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { useCan, useCurrentUser } from '../modules/identity/hooks/use-session.ts';
import { useTeams, useUserMap, useUsers } from '../modules/identity/hooks/use-users.ts';
import { assignableRoles } from '../modules/identity/permissions.ts';
import { OrderCard } from '../modules/orders/components/order-list.tsx';
import type { TicketRow, UpdateTicketInput } from '../modules/tickets/api/tickets-api.ts';
import { MergeTicketModal } from '../modules/tickets/components/merge-ticket-modal.tsx';
import { SlaClockBadge } from '../modules/tickets/components/sla-clock.tsx';
import { OrderPicker } from '../modules/tickets/components/ticket-create-drawer.tsx';
import { TicketTimeline } from '../modules/tickets/components/ticket-timeline.tsx';
import { useTicket, useTicketCategories, useUpdateTicket } from '../modules/tickets/hooks/use-tickets.ts';
import {
  CategoryTag,
  SeverityTag,
  type StatusMove,
  statusMoves,
  TicketStatusTag,
  useCategoryName,
} from '../modules/tickets/labels.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';
import '../modules/tickets/tickets.css';

/** 工单详情: header with the state machine's buttons, timeline and notes on the left, fields and SLA on the right. */
export function TicketDetailPage() {
  const { t } = useTranslation();
  const { ticketId } = useParams();
  const ticket = useTicket(ticketId);
  useDocumentTitle(ticket.data ? `#${ticket.data.number} ${ticket.data.subject}` : t('tickets.title'));
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/tickets';

  return (
    <div className="hk-page hk-page-wide" data-testid="ticket-detail">
      <Link to={from} className="hk-back-link">
        <ArrowLeftOutlined /> {t('tickets.detail.back')}
      </Link>
      {ticket.isPending ? (
        <Card variant="borderless" className="hk-card">
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      ) : ticket.isError ? (
        (ticket.error as { status?: number }).status === 404 ? (
          <Card variant="borderless" className="hk-card">
            <EmptyState title={t('tickets.detail.notFound')} />
          </Card>
        ) : (
          <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />
        )
      ) : (
        <TicketDetail ticket={ticket.data} />
      )}
    </div>
  );
}

function TicketDetail({ ticket }: { ticket: TicketRow }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const can = useCan();
  const me = useCurrentUser();
  const users = useUserMap();
  const userList = useUsers();
  const teams = useTeams();
  const categories = useTicketCategories();
  const categoryName = useCategoryName();
  const update = useUpdateTicket();
  const [isMerging, setMerging] = useState(false);
  const canWrite = can('tickets:write') && !ticket.mergedIntoId;

  const save = (input: UpdateTicketInput, done?: string) =>
    update.mutate(
      { id: ticket.id, input },
      {
        onSuccess: () => void message.success(done ?? t('tickets.detail.saved')),
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );

  const move = (to: StatusMove) => {
    const status: TicketStatus = to === 'reopen' ? 'open' : to;
    save({ status }, t('tickets.statusChanged', { status: t(`tickets.statuses.${status}`) }));
  };

  const agents = (userList.data ?? []).filter((user) => !user.disabled && assignableRoles.includes(user.role));
  const orders = useQueries({
    queries: ticket.orderIds.map((id) => ({
      queryKey: ['orders', 'detail', id],
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Order>(`/api/v1/orders/${id}`, undefined, signal),
    })),
  });
  const mergedInto = ticket.mergedIntoId;

  return (
    <>
      <Card variant="borderless" className="hk-card hk-ticket-head">
        <div className="hk-ticket-head-row">
          <div className="hk-ticket-title">
            <Typography.Title level={4} className="hk-page-title">
              <span className="hk-mono hk-muted" data-testid="ticket-number">
                #{ticket.number}
              </span>{' '}
              <span data-testid="ticket-subject">{ticket.subject}</span>
            </Typography.Title>
            <Space size={4} wrap>
              <TicketStatusTag status={ticket.status} />
              <SeverityTag severity={ticket.severity} />
              <CategoryTag category={ticket.category} />
              <span className="hk-muted hk-small">
                {t('tickets.detail.createdAt')} <RelativeTime iso={ticket.createdAt} />
                {ticket.createdBy && users.get(ticket.createdBy) ? ` · ${users.get(ticket.createdBy)?.name}` : ''}
              </span>
            </Space>
          </div>
          {canWrite && (
            <Space size={8} wrap data-testid="ticket-status-actions">
              {statusMoves[ticket.status].map((to) => (
                <Button
                  key={to}
                  type={to === 'resolved' ? 'primary' : 'default'}
                  loading={update.isPending && update.variables?.input.status === (to === 'reopen' ? 'open' : to)}
                  onClick={() => move(to)}
                  data-testid={`ticket-move-${to}`}
                >
                  {t(`tickets.transitions.${to}`)}
                </Button>
              ))}
              {can('tickets:manage') && (
                <Dropdown
                  trigger={['click']}
                  menu={{
                    items: [{ key: 'merge', icon: <MergeCellsOutlined />, label: t('tickets.detail.merge') }],
                    onClick: ({ key }) => key === 'merge' && setMerging(true),
                  }}
                >
                  <Button icon={<MoreOutlined />} aria-label={t('tickets.detail.more')} data-testid="ticket-more" />
                </Dropdown>
              )}
            </Space>
          )}
        </div>
        {mergedInto && (
          <Alert
            type="info"
            showIcon
            style={{ marginTop: 12 }}
            title={
              <Link to={`/tickets/${mergedInto}`} data-testid="ticket-merged-into">
                {t('tickets.detail.mergedIntoLink')}
              </Link>
            }
          />
        )}
      </Card>
      <div className="hk-ticket-layout">
        <div className="hk-ticket-main">
          <Card variant="borderless" className="hk-card" size="small" title={t('tickets.detail.description')}>
            <div className="hk-ticket-description" data-testid="ticket-description">
              {ticket.description?.trim() ? (
                ticket.description
              ) : (
                <span className="hk-muted">{t('tickets.detail.noDescription')}</span>
              )}
            </div>
          </Card>
          <Card variant="borderless" className="hk-card" size="small" title={t('tickets.timeline.title')}>
            <TicketTimeline
              ticketId={ticket.id}
              users={users}
              canComment={canWrite}
              customerName={ticket.customerName}
            />
          </Card>
        </div>
        <aside className="hk-ticket-side">
          <Card variant="borderless" className="hk-card" size="small" title={t('tickets.sla.title')}>
            {ticket.clocks.length === 0 ? (
              <span className="hk-muted">{t('tickets.sla.noPolicy')}</span>
            ) : (
              <div className="hk-sla-list" data-testid="ticket-sla">
                {ticket.clocks.map((clock) => (
                  <div key={clock.target} className="hk-sla-line">
                    <span className="hk-field-label">{t(`tickets.sla.${clock.target}`)}</span>
                    <SlaClockBadge clock={clock} ticket={ticket} />
                  </div>
                ))}
              </div>
            )}
          </Card>
          <Card variant="borderless" className="hk-card" size="small" title={t('tickets.detail.fields')}>
            <div className="hk-ticket-fields">
              <label className="hk-field-label" htmlFor="ticket-category">
                {t('tickets.form.category')}
              </label>
              <Select<string>
                id="ticket-category"
                value={ticket.category}
                disabled={!canWrite}
                onChange={(category) => save({ category })}
                options={(categories.data ?? [])
                  .filter((category) => !category.archived || category.key === ticket.category)
                  .map((category) => ({ value: category.key, label: categoryName(category.key) }))}
                data-testid="ticket-field-category"
              />
              <label className="hk-field-label" htmlFor="ticket-severity">
                {t('tickets.form.severity')}
              </label>
              <Select<TicketSeverity>
                id="ticket-severity"
                value={ticket.severity}
                disabled={!canWrite}
                onChange={(severity) => save({ severity })}
                options={ticketSeverities.map((value) => ({ value, label: t(`tickets.severities.${value}`) }))}
                data-testid="ticket-field-severity"
              />
              <label className="hk-field-label" htmlFor="ticket-assignee">
                {t('tickets.detail.assignee')}{' '}
                <span className="hk-muted hk-small">· {t('tickets.detail.handOver')}</span>
              </label>
              <Select<string>
                id="ticket-assignee"
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                value={ticket.assigneeId ?? undefined}
                placeholder={t('tickets.detail.unassigned')}
                disabled={!canWrite}
                onChange={(assigneeId) =>
                  save(
                    { assigneeId: assigneeId ?? null },
                    assigneeId
                      ? t('tickets.detail.handOverDone', { name: users.get(assigneeId)?.name ?? '' })
                      : undefined,
                  )
                }
                options={agents.map((user) => ({
                  value: user.id,
                  label: user.id === me.id ? `${user.name}（${t('tickets.filters.mine')}）` : user.name,
                }))}
                data-testid="ticket-field-assignee"
              />
              {(teams.data ?? []).length > 0 && (
                <>
                  <label className="hk-field-label" htmlFor="ticket-team">
                    {t('tickets.detail.team')}
                  </label>
                  <Select<string>
                    id="ticket-team"
                    allowClear
                    value={ticket.teamId ?? undefined}
                    disabled={!canWrite}
                    onChange={(teamId) => save({ teamId: teamId ?? null })}
                    options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
                  />
                </>
              )}
              <label className="hk-field-label" htmlFor="ticket-watchers">
                {t('tickets.detail.watchers')}
              </label>
              <Select<string[]>
                id="ticket-watchers"
                mode="multiple"
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                value={ticket.watcherIds}
                placeholder={t('tickets.detail.noWatchers')}
                disabled={!canWrite}
                onChange={(watcherIds) => save({ watcherIds })}
                options={(userList.data ?? [])
                  .filter((user) => !user.disabled || ticket.watcherIds.includes(user.id))
                  .map((user) => ({ value: user.id, label: user.name }))}
                data-testid="ticket-field-watchers"
              />
              {canWrite && (
                <Button
                  size="small"
                  type="link"
                  className="hk-ticket-watch"
                  onClick={() =>
                    save({
                      watcherIds: ticket.watcherIds.includes(me.id)
                        ? ticket.watcherIds.filter((id) => id !== me.id)
                        : [...ticket.watcherIds, me.id],
                    })
                  }
                >
                  {ticket.watcherIds.includes(me.id) ? t('tickets.detail.unwatch') : t('tickets.detail.watch')}
                </Button>
              )}
            </div>
          </Card>
          <Card variant="borderless" className="hk-card" size="small" title={t('tickets.detail.customer')}>
            {ticket.customerId ? (
              <Link to={`/customers/${ticket.customerId}`} data-testid="ticket-customer-link">
                <UserOutlined /> {ticket.customerName ?? t('customer.anonymous')}
              </Link>
            ) : (
              <span className="hk-muted">{t('tickets.detail.noCustomer')}</span>
            )}
            <div className="hk-ticket-conversation">
              {ticket.conversationId ? (
                <Link to={`/inbox/${ticket.conversationId}`} data-testid="ticket-conversation-link">
                  <MessageOutlined /> {t('tickets.detail.openConversation')}
                </Link>
              ) : (
                <span className="hk-muted hk-small">{t('tickets.detail.noConversation')}</span>
              )}
            </div>
          </Card>
          <Card variant="borderless" className="hk-card" size="small" title={t('tickets.detail.orders')}>
            {ticket.orderIds.length === 0 ? (
              <span className="hk-muted">{t('tickets.detail.noOrders')}</span>
            ) : (
              <div className="hk-orders hk-orders-compact" data-testid="ticket-orders">
                {orders.map((query, index) =>
                  query.data ? (
                    <OrderCard key={query.data.id} order={query.data} />
                  ) : (
                    <Skeleton key={ticket.orderIds[index]} active paragraph={{ rows: 2 }} title={false} />
                  ),
                )}
              </div>
            )}
            {canWrite && ticket.customerId && (
              <div className="hk-ticket-order-picker">
                <div className="hk-field-label">{t('tickets.detail.editOrders')}</div>
                <OrderPicker
                  customerId={ticket.customerId}
                  value={ticket.orderIds}
                  onChange={(orderIds) => save({ orderIds })}
                />
              </div>
            )}
          </Card>
        </aside>
      </div>
      <MergeTicketModal
        ticket={ticket}
        open={isMerging}
        onClose={() => setMerging(false)}
        onMerged={(target) => {
          setMerging(false);
          navigate(`/tickets/${target.id}`);
        }}
      />
    </>
  );
}
