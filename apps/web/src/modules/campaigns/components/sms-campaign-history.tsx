import { HistoryOutlined } from '@ant-design/icons';
import type { SmsCampaignStatus, SmsCampaignSummary } from '@huike/contracts';
import { Button, Drawer, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CursorPager, useCursorPages } from '../../../ui/cursor-pager.tsx';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { useCan } from '../../identity/hooks/use-session.ts';
import { useSmsCampaigns } from '../hooks/use-sms-campaign.ts';
import { type RecipientsFilter, SmsCampaignRecipientsDrawer } from './sms-campaign-recipients.tsx';

const statusColors: Record<SmsCampaignStatus, string> = {
  queued: 'default',
  sending: 'processing',
  completed: 'success',
  failed: 'error',
};

/** 短信群发记录 as a toolbar button that opens the list in a drawer; nothing for roles that cannot send campaigns. */
export function SmsCampaignHistoryButton() {
  const { t } = useTranslation();
  const can = useCan();
  const [open, setOpen] = useState(false);
  if (!can('campaigns:send')) return null;
  return (
    <>
      <Button icon={<HistoryOutlined />} onClick={() => setOpen(true)} data-testid="sms-campaign-history-open">
        {t('smsCampaign.history.open')}
      </Button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={t('smsCampaign.history.title')}
        size={920}
        destroyOnHidden
      >
        <SmsCampaignHistory />
      </Drawer>
    </>
  );
}

/** A count that opens the campaign's recipients with that status (0 stays plain text: nobody to list). */
function CountLink({
  count,
  onOpen,
  danger,
  testId,
}: {
  count: number;
  onOpen: () => void;
  danger?: boolean;
  testId: string;
}) {
  if (count === 0) return <span data-testid={testId}>0</span>;
  return (
    <Button type="link" size="small" danger={danger} onClick={onOpen} data-testid={testId} style={{ padding: 0 }}>
      {count}
    </Button>
  );
}

/** Past SMS campaigns, newest first: when, to which segment, by whom, their state and what became of each SMS. */
export function SmsCampaignHistory() {
  const { t } = useTranslation();
  const pages = useCursorPages(20);
  const [opened, setOpened] = useState<{ campaign: SmsCampaignSummary; filter: RecipientsFilter }>();
  const open = (campaign: SmsCampaignSummary, filter: RecipientsFilter) => () => setOpened({ campaign, filter });
  const campaigns = useSmsCampaigns({ limit: pages.pageSize, cursor: pages.cursor });
  if (campaigns.error) return <ErrorState error={campaigns.error} onRetry={() => void campaigns.refetch()} />;
  const items = campaigns.data?.items ?? [];
  if (!campaigns.isLoading && items.length === 0 && !pages.cursor) {
    return (
      <div data-testid="sms-campaign-history">
        <EmptyState title={t('smsCampaign.history.empty')} description={t('smsCampaign.history.emptyHelp')} />
      </div>
    );
  }
  return (
    <div data-testid="sms-campaign-history">
      <Table<SmsCampaignSummary>
        rowKey="id"
        size="small"
        loading={campaigns.isLoading}
        dataSource={items}
        pagination={false}
        scroll={{ x: 760 }}
        onRow={(campaign) => ({ 'data-testid': 'sms-campaign-row', 'data-status': campaign.status }) as object}
        columns={[
          {
            title: t('smsCampaign.history.createdAt'),
            dataIndex: 'createdAt',
            width: 150,
            render: (value: string) => <span className="hk-small">{formatDateTime(value)}</span>,
          },
          {
            title: t('smsCampaign.history.segment'),
            dataIndex: 'segmentName',
            render: (value: string, campaign) => (
              <div>
                <div data-testid="sms-campaign-segment">{value}</div>
                <div className="hk-muted hk-small">
                  {t('smsCampaign.history.template')} <span className="hk-mono">{campaign.templateCode}</span>
                </div>
              </div>
            ),
          },
          {
            title: t('smsCampaign.history.createdBy'),
            dataIndex: 'createdBy',
            width: 100,
            render: (value: SmsCampaignSummary['createdBy']) =>
              value ? value.name : <span className="hk-muted">{t('smsCampaign.history.deletedUser')}</span>,
          },
          {
            title: t('smsCampaign.history.status'),
            dataIndex: 'status',
            width: 90,
            render: (value: SmsCampaignStatus) => (
              <Tag color={statusColors[value]} data-testid="sms-campaign-status">
                {t(`smsCampaign.history.statuses.${value}`)}
              </Tag>
            ),
          },
          {
            title: t('smsCampaign.history.targeted'),
            align: 'right',
            width: 60,
            render: (_, campaign) => (
              <CountLink
                count={campaign.counts.targeted}
                onOpen={open(campaign, 'all')}
                testId="sms-campaign-targeted"
              />
            ),
          },
          {
            title: <Tooltip title={t('smsCampaign.history.sentHelp')}>{t('smsCampaign.history.sent')}</Tooltip>,
            align: 'right',
            width: 70,
            render: (_, campaign) => (
              <CountLink count={campaign.counts.sent} onOpen={open(campaign, 'sent')} testId="sms-campaign-sent" />
            ),
          },
          {
            title: t('smsCampaign.history.delivered'),
            align: 'right',
            width: 70,
            render: (_, campaign) => (
              <CountLink
                count={campaign.counts.delivered}
                onOpen={open(campaign, 'delivered')}
                testId="sms-campaign-delivered"
              />
            ),
          },
          {
            title: <Tooltip title={t('smsCampaign.history.failedHelp')}>{t('smsCampaign.history.failed')}</Tooltip>,
            align: 'right',
            width: 60,
            render: (_, campaign) => (
              <CountLink
                count={campaign.counts.failed}
                onOpen={open(campaign, 'failed')}
                danger
                testId="sms-campaign-failed"
              />
            ),
          },
          {
            title: t('smsCampaign.history.skipped'),
            align: 'right',
            width: 60,
            render: (_, campaign) => (
              <Tooltip
                title={t('smsCampaign.history.skippedHelp', {
                  optedOut: campaign.counts.optedOut,
                  noPhone: campaign.counts.noPhone,
                })}
              >
                <span>
                  <CountLink
                    count={campaign.counts.optedOut + campaign.counts.noPhone}
                    onOpen={open(campaign, 'skipped')}
                    testId="sms-campaign-skipped"
                  />
                </span>
              </Tooltip>
            ),
          },
        ]}
      />
      <CursorPager {...pages.pagerProps(campaigns.data)} />
      <SmsCampaignRecipientsDrawer
        campaign={opened?.campaign ?? null}
        filter={opened?.filter ?? 'all'}
        onClose={() => setOpened(undefined)}
      />
    </div>
  );
}
