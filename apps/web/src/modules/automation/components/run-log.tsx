import type { AutomationRule, AutomationRun, AutomationRunStatus } from '@huike/contracts';
import { Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CursorPager, useCursorPages } from '../../../ui/cursor-pager.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useAutomationRuns } from '../hooks/use-automation.ts';
import { actionResultText, conditionOutcomesText } from '../labels.ts';

const statusColors: Record<AutomationRunStatus, string> = {
  running: 'processing',
  succeeded: 'success',
  skipped: 'default',
  failed: 'error',
};

/** The ticket a run's create_ticket action created or found open. */
const ticketOfRun = (run: AutomationRun) =>
  run.actionsResult.find((result) => result.values?.ticketId)?.values?.ticketId;

/** Why the run happened: the event (masked excerpt) and how its conditions came out. */
function RunWhy({ run }: { run: AutomationRun }) {
  const { t } = useTranslation();
  const { summary, conditions, notMatched } = run.context;
  if (!summary && !conditions) return null;
  return (
    <div className="hk-muted" style={{ fontSize: 12 }} data-testid="run-why">
      {notMatched !== undefined && `${t('automation.notMatchedCount', { count: notMatched })} `}
      {summary && <span>「{summary}」</span>}
      {conditions && <div>{conditionOutcomesText(conditions, t)}</div>}
    </div>
  );
}

/** 执行记录: every run with its outcome and why it ran; failures in red with the error of each failed action. */
export function RunLog({ rules, initialRuleId }: { rules: AutomationRule[]; initialRuleId?: string }) {
  const { t } = useTranslation();
  const [ruleId, setRuleId] = useState<string | undefined>(initialRuleId);
  const [status, setStatus] = useState<AutomationRunStatus | undefined>();
  const pages = useCursorPages(20);
  const runs = useAutomationRuns({ ruleId, status, limit: pages.pageSize, cursor: pages.cursor });
  if (runs.error) return <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />;
  const items = runs.data?.items ?? [];
  return (
    <div data-testid="automation-runs">
      <Space style={{ marginBottom: 12 }} wrap>
        <Select
          allowClear
          placeholder={t('automation.runsFilterRule')}
          value={ruleId}
          onChange={(value) => {
            setRuleId(value);
            pages.reset();
          }}
          options={rules.map((rule) => ({ value: rule.id, label: rule.name }))}
          style={{ width: 240 }}
        />
        <Select<AutomationRunStatus>
          allowClear
          placeholder={t('automation.runsFilterStatus')}
          value={status}
          onChange={(value) => {
            setStatus(value);
            pages.reset();
          }}
          options={(['succeeded', 'failed', 'skipped', 'running'] as const).map((value) => ({
            value,
            label: t(`automation.runStatuses.${value}`),
          }))}
          style={{ width: 140 }}
          data-testid="runs-status-filter"
        />
      </Space>
      <Table<AutomationRun>
        rowKey="id"
        size="small"
        loading={runs.isLoading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t('automation.runsEmpty') }}
        rowClassName={(run) => (run.status === 'failed' ? 'hk-automation-run-failed' : '')}
        columns={[
          {
            title: t('automation.runColumns.time'),
            dataIndex: 'createdAt',
            width: 140,
            render: (value: string) => <RelativeTime iso={value} />,
          },
          {
            title: t('automation.runColumns.rule'),
            dataIndex: 'ruleName',
            width: 200,
            render: (value: string | null) => value ?? t('automation.deletedRule'),
          },
          {
            title: t('automation.runColumns.status'),
            dataIndex: 'status',
            width: 100,
            render: (value: AutomationRunStatus) => (
              <Tag color={statusColors[value]}>{t(`automation.runStatuses.${value}`)}</Tag>
            ),
          },
          {
            // What the run acted on: straight to the conversation in the workbench, and to the customer.
            title: t('automation.runColumns.subject'),
            width: 110,
            render: (_, run) => (
              <Space direction="vertical" size={0}>
                {run.context.conversationId && (
                  <Link to={`/inbox/${run.context.conversationId}`} data-testid="run-conversation-link">
                    {t('automation.openConversation')}
                  </Link>
                )}
                {(run.context.ticketId ?? ticketOfRun(run)) && (
                  <Link to={`/tickets/${run.context.ticketId ?? ticketOfRun(run)}`} data-testid="run-ticket-link">
                    {t('automation.openTicket')}
                  </Link>
                )}
                {run.context.customerId && (
                  <Link to={`/customers/${run.context.customerId}`} data-testid="run-customer-link">
                    {t('automation.openCustomer')}
                  </Link>
                )}
              </Space>
            ),
          },
          {
            title: t('automation.runColumns.detail'),
            render: (_, run) => (
              <div>
                {run.reason && (
                  <Typography.Text type={run.status === 'failed' ? 'danger' : 'secondary'}>
                    {run.reason}
                  </Typography.Text>
                )}
                <RunWhy run={run} />
                {run.actionsResult.map((result, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: results are in action order
                  <div key={index} className="hk-muted" style={{ fontSize: 12 }}>
                    {index + 1}. {t(`automation.actions.${result.type as 'add_tag'}`, { defaultValue: result.type })}
                    {t('common.colon')}
                    {result.ok ? (
                      actionResultText(result, t)
                    ) : (
                      <Typography.Text type="danger" style={{ fontSize: 12 }}>
                        {result.error}
                      </Typography.Text>
                    )}
                  </div>
                ))}
              </div>
            ),
          },
        ]}
      />
      <CursorPager {...pages.pagerProps(runs.data)} />
    </div>
  );
}
