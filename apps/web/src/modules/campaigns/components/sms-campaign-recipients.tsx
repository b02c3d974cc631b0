import type {
  SmsCampaignFailureReasons,
  SmsCampaignRecipient,
  SmsCampaignSummary,
  SmsRecipientFilter,
  SmsRecipientStatus,
} from '@huike/contracts';
import { Drawer, Input, Segmented, Space, Table, Tag, Typography } from 'antd';
import i18n, { type TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CursorPager, useCursorPages } from '../../../ui/cursor-pager.tsx';
import { deliveryFailureText } from '../../../ui/delivery-reasons.ts';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { customerDisplayName } from '../../customers/components/customers-table.tsx';
import { useSmsCampaignFailureReasons, useSmsCampaignRecipients } from '../hooks/use-sms-campaign.ts';

const statusColors: Record<SmsRecipientStatus, string> = {
  pending: 'default',
  queued: 'processing',
  sent: 'blue',
  delivered: 'success',
  failed: 'error',
  opted_out: 'warning',
  no_phone: 'default',
};

/** The filters the drawer offers, in the history table's column order; `all` is no status filter. */
const filters = ['all', 'waiting', 'sent', 'delivered', 'failed', 'skipped'] as const;
export type RecipientsFilter = (typeof filters)[number];

type FailureGroup = SmsCampaignFailureReasons['items'][number];

/** A failure group in a few words (空号, 余额不足); an unknown provider code as it came; no code kept → 其他. */
function failureGroupLabel(group: FailureGroup, t: TFunction): string {
  if (!group.code) return t('smsCampaign.recipientList.otherReason');
  const key = `smsCampaign.recipientList.reasonShort.${group.code}`;
  const known = i18n.exists(key) ? t(key as never) : group.code;
  return group.providerCode ? `${known} ${group.providerCode}` : known;
}

/** A campaign's recipients in a drawer, opened on the status whose count was clicked in 短信群发记录. */
export function SmsCampaignRecipientsDrawer({
  campaign,
  filter,
  onClose,
}: {
  campaign: SmsCampaignSummary | null;
  filter: RecipientsFilter;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Drawer
      open={Boolean(campaign)}
      onClose={onClose}
      title={campaign ? t('smsCampaign.recipientList.title', { segment: campaign.segmentName }) : null}
      size={860}
      destroyOnHidden
    >
      {campaign && <SmsCampaignRecipients campaign={campaign} initialFilter={filter} />}
    </Drawer>
  );
}

function SmsCampaignRecipients({
  campaign,
  initialFilter,
}: {
  campaign: SmsCampaignSummary;
  initialFilter: RecipientsFilter;
}) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<RecipientsFilter>(initialFilter);
  const [reason, setReason] = useState<string>();
  const [q, setQ] = useState('');
  const pages = useCursorPages(20);
  const status: SmsRecipientFilter | undefined = filter === 'all' ? undefined : filter;
  const recipients = useSmsCampaignRecipients(campaign.id, {
    limit: pages.pageSize,
    cursor: pages.cursor,
    status,
    reason,
    q: q || undefined,
  });
  const choose = (next: { filter?: RecipientsFilter; reason?: string; q?: string }) => {
    if (next.filter !== undefined) setFilter(next.filter);
    setReason(next.reason);
    if (next.q !== undefined) setQ(next.q);
    pages.reset();
  };
  const items = recipients.data?.items ?? [];
  const filtered = Boolean(q || reason);
  return (
    <div data-testid="sms-campaign-recipients">
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Space wrap>
          <Segmented<RecipientsFilter>
            value={filter}
            onChange={(value) => choose({ filter: value })}
            options={filters.map((value) => ({ value, label: t(`smsCampaign.recipientList.filters.${value}`) }))}
          />
          <Input.Search
            allowClear
            placeholder={t('smsCampaign.recipientList.search')}
            onSearch={(value) => choose({ filter, reason, q: value.trim() })}
            style={{ width: 240 }}
            data-testid="sms-recipients-search"
          />
        </Space>
        {filter === 'failed' && (
          <FailureSummary campaignId={campaign.id} active={reason} onChoose={(key) => choose({ reason: key })} />
        )}
        {recipients.error ? (
          <ErrorState error={recipients.error} onRetry={() => void recipients.refetch()} />
        ) : !recipients.isLoading && items.length === 0 && !pages.cursor ? (
          <EmptyState
            title={t(filtered ? 'smsCampaign.recipientList.noMatch' : 'smsCampaign.recipientList.empty')}
            description={filtered ? t('smsCampaign.recipientList.noMatchHelp') : undefined}
          />
        ) : (
          <>
            <RecipientsTable items={items} loading={recipients.isFetching} />
            <CursorPager {...pages.pagerProps(recipients.data)} />
          </>
        )}
      </Space>
    </div>
  );
}

/** 失败原因: 空号 21 · 余额不足 9 · 其他 7, each a toggle that narrows the table to that reason. */
function FailureSummary({
  campaignId,
  active,
  onChoose,
}: {
  campaignId: string;
  active: string | undefined;
  onChoose: (key: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const reasons = useSmsCampaignFailureReasons(campaignId);
  const groups = reasons.data?.items ?? [];
  if (reasons.error) return <ErrorState compact error={reasons.error} onRetry={() => void reasons.refetch()} />;
  if (groups.length === 0) return null;
  return (
    <div data-testid="sms-failure-summary">
      <Typography.Text type="secondary">{t('smsCampaign.recipientList.byReason')}</Typography.Text>{' '}
      {groups.map((group) => (
        <Tag.CheckableTag
          key={group.key}
          checked={active === group.key}
          onChange={(checked) => onChoose(checked ? group.key : undefined)}
          data-testid="sms-failure-reason"
        >
          {failureGroupLabel(group, t)} {group.count}
        </Tag.CheckableTag>
      ))}
    </div>
  );
}

function RecipientsTable({ items, loading }: { items: SmsCampaignRecipient[]; loading: boolean }) {
  const { t } = useTranslation();
  return (
    <Table<SmsCampaignRecipient>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={items}
      pagination={false}
      scroll={{ x: 720 }}
      onRow={(row) => ({ 'data-testid': 'sms-recipient-row', 'data-status': row.status }) as object}
      columns={[
        {
          title: t('smsCampaign.recipientList.customer'),
          dataIndex: 'customer',
          width: 140,
          render: (customer: SmsCampaignRecipient['customer']) => (
            <Link to={`/customers/${customer.id}`}>{customerDisplayName(customer, t)}</Link>
          ),
        },
        {
          title: t('smsCampaign.recipientList.phone'),
          dataIndex: 'phone',
          width: 130,
          render: (phone: string | null) =>
            phone ? (
              <span className="hk-mono hk-nowrap">{phone}</span>
            ) : (
              <span className="hk-muted">{t('common.notSet')}</span>
            ),
        },
        {
          title: t('smsCampaign.recipientList.status'),
          dataIndex: 'status',
          width: 90,
          render: (status: SmsRecipientStatus) => (
            <Tag color={statusColors[status]}>{t(`smsCampaign.recipientList.statuses.${status}`)}</Tag>
          ),
        },
        {
          title: t('smsCampaign.recipientList.reason'),
          render: (_, row) => (
            <span data-testid="sms-recipient-reason">
              {deliveryFailureText(row, t) ?? <span className="hk-muted">—</span>}
            </span>
          ),
        },
        {
          title: t('smsCampaign.recipientList.updatedAt'),
          dataIndex: 'updatedAt',
          width: 150,
          render: (value: string) => <span className="hk-small">{formatDateTime(value)}</span>,
        },
      ]}
    />
  );
}
