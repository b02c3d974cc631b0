import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined } from '@ant-design/icons';
import { slaTargets } from '@huike/contracts';
import { Alert, App, Button, Card, Skeleton, Space, Switch, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import type { SlaPolicy } from '../modules/tickets/api/tickets-api.ts';
import { SlaPolicyDrawer, splitMinutes } from '../modules/tickets/components/sla-policy-drawer.tsx';
import { TicketCategoriesEditor } from '../modules/tickets/components/ticket-categories-editor.tsx';
import { useDeleteSlaPolicy, useSlaPolicies, useUpdateSlaPolicy } from '../modules/tickets/hooks/use-tickets.ts';
import { useCategoryName } from '../modules/tickets/labels.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';
import '../modules/tickets/tickets.css';

/** 设置 → SLA 策略: policies in priority order (first match wins) and, on a second tab, the ticket categories. */
export function SettingsSlaPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('tickets.slaSettings.title'));
  const can = useCan();
  const canManage = can('sla:manage');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'categories' ? 'categories' : 'policies';
  const [drawer, setDrawer] = useState<{ policy?: SlaPolicy } | null>(null);

  return (
    <div className="hk-page">
      <PageHeader
        title={t('tickets.slaSettings.title')}
        subtitle={t('tickets.slaSettings.subtitle')}
        extra={
          canManage &&
          tab === 'policies' && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDrawer({})}
              data-testid="sla-policy-create"
            >
              {t('tickets.slaSettings.create')}
            </Button>
          )
        }
      />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'categories' ? { tab: key } : {}, { replace: true })}
        items={[
          {
            key: 'policies',
            label: t('tickets.slaSettings.tabPolicies'),
            children: <SlaPolicies canManage={canManage} onEdit={(policy) => setDrawer({ policy })} />,
          },
          {
            key: 'categories',
            label: <span data-testid="sla-tab-categories">{t('tickets.slaSettings.tabCategories')}</span>,
            children: <TicketCategoriesEditor canManage={can('tickets:manage')} />,
          },
        ]}
      />
      <SlaPolicyDrawer open={drawer !== null} policy={drawer?.policy} onClose={() => setDrawer(null)} />
    </div>
  );
}

function SlaPolicies({ canManage, onEdit }: { canManage: boolean; onEdit: (policy: SlaPolicy) => void }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const policies = useSlaPolicies();
  const update = useUpdateSlaPolicy();
  const remove = useDeleteSlaPolicy();
  const categoryName = useCategoryName();
  const failed = (error: unknown) => void message.error(errorMessage(error, t));

  if (policies.isPending)
    return (
      <Card variant="borderless" className="hk-card">
        <Skeleton active paragraph={{ rows: 5 }} />
      </Card>
    );
  if (policies.isError) return <ErrorState error={policies.error} onRetry={() => void policies.refetch()} />;
  const rows = [...policies.data].sort((a, b) => a.position - b.position);

  const swap = (index: number, step: -1 | 1) => {
    const order = [...rows];
    const target = index + step;
    if (target < 0 || target >= order.length) return;
    [order[index], order[target]] = [order[target] as SlaPolicy, order[index] as SlaPolicy];
    order.forEach((policy, position) => {
      if (policy.position !== position) update.mutate({ id: policy.id, input: { position } }, { onError: failed });
    });
  };

  const duration = (minutes: number | null | undefined) => {
    if (minutes === null || minutes === undefined) return null;
    const { value, unit } = splitMinutes(minutes);
    return t(unit === 'hours' ? 'tickets.slaSettings.targetHours' : 'tickets.slaSettings.targetMinutes', { value });
  };

  return (
    <>
      {!canManage && (
        <Alert type="info" showIcon title={t('tickets.slaSettings.readOnly')} style={{ marginBottom: 12 }} />
      )}
      <Card variant="borderless" className="hk-card">
        <Table<SlaPolicy>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={rows}
          locale={{
            emptyText: (
              <EmptyState
                title={t('tickets.slaSettings.emptyTitle')}
                description={t('tickets.slaSettings.emptyDescription')}
              />
            ),
          }}
          onRow={(policy) => ({ 'data-testid': 'sla-policy-row', 'data-policy-name': policy.name }) as object}
          columns={[
            {
              key: 'order',
              title: t('tickets.slaSettings.order'),
              width: 90,
              render: (_, _policy, index) =>
                canManage ? (
                  <Space size={0}>
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowUpOutlined />}
                      aria-label={t('fields.moveUp')}
                      disabled={index === 0}
                      onClick={() => swap(index, -1)}
                    />
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowDownOutlined />}
                      aria-label={t('fields.moveDown')}
                      disabled={index === rows.length - 1}
                      onClick={() => swap(index, 1)}
                    />
                  </Space>
                ) : (
                  index + 1
                ),
            },
            { key: 'name', title: t('tickets.slaSettings.name'), render: (_, policy) => policy.name },
            {
              key: 'match',
              title: t('tickets.slaSettings.match'),
              render: (_, policy) => (
                <span className="hk-chip-list">
                  {policy.categories.length === 0 ? (
                    <Tag className="hk-badge">{t('tickets.slaSettings.anyCategory')}</Tag>
                  ) : (
                    policy.categories.map((key) => (
                      <Tag key={key} className="hk-badge">
                        {categoryName(key)}
                      </Tag>
                    ))
                  )}
                  {policy.severities.map((severity) => (
                    <Tag key={severity} className="hk-badge">
                      {t(`tickets.severities.${severity}`)}
                    </Tag>
                  ))}
                  {policy.customerTiers.map((tier) => (
                    <Tag key={tier} className="hk-badge">
                      {tier in { loyal: 1, potential: 1, new: 1, winback: 1, churned: 1 }
                        ? t(`value.tiers.${tier as 'loyal'}`)
                        : tier}
                    </Tag>
                  ))}
                </span>
              ),
            },
            {
              key: 'targets',
              title: t('tickets.slaSettings.targets'),
              render: (_, policy) => (
                <span className="hk-chip-list">
                  {slaTargets.map((target) => {
                    const value = duration(policy.targets[target]);
                    return value ? (
                      <span key={target} className="hk-small">
                        {t('tickets.slaSettings.targetSummary', { target: t(`tickets.sla.${target}`), value })}
                      </span>
                    ) : null;
                  })}
                  <span className="hk-muted hk-small">
                    {policy.hours === 'business'
                      ? t('tickets.slaSettings.business')
                      : t('tickets.slaSettings.calendar')}
                  </span>
                </span>
              ),
            },
            {
              key: 'enabled',
              title: t('tickets.slaSettings.enabled'),
              width: 70,
              render: (_, policy) => (
                <Switch
                  size="small"
                  checked={policy.enabled}
                  disabled={!canManage}
                  onChange={(enabled) => update.mutate({ id: policy.id, input: { enabled } }, { onError: failed })}
                />
              ),
            },
            ...(canManage
              ? [
                  {
                    key: 'actions',
                    width: 120,
                    align: 'right' as const,
                    render: (_: unknown, policy: SlaPolicy) => (
                      <Space size={0}>
                        <Button type="link" size="small" onClick={() => onEdit(policy)}>
                          {t('common.edit')}
                        </Button>
                        <Button
                          type="link"
                          size="small"
                          danger
                          onClick={() =>
                            modal.confirm({
                              title: t('tickets.slaSettings.deleteConfirm', { name: policy.name }),
                              okText: t('tickets.slaSettings.delete'),
                              okButtonProps: { danger: true },
                              cancelText: t('common.cancel'),
                              onOk: () =>
                                remove
                                  .mutateAsync(policy.id)
                                  .then(() => void message.success(t('tickets.slaSettings.deleted')), failed),
                            })
                          }
                        >
                          {t('tickets.slaSettings.delete')}
                        </Button>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
    </>
  );
}
