import { DeleteOutlined, EditOutlined, PlusOutlined, ThunderboltOutlined, WarningOutlined } from '@ant-design/icons';
import type { AutomationPreset, AutomationRule } from '@huike/contracts';
import {
  App,
  Button,
  type ButtonProps,
  Card,
  Col,
  Row,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type RuleDraft, RuleEditor } from '../modules/automation/components/rule-editor.tsx';
import { RunLog } from '../modules/automation/components/run-log.tsx';
import {
  useAutomationPresets,
  useAutomationRules,
  useDeleteRule,
  useSaveRule,
} from '../modules/automation/hooks/use-automation.ts';
import { presetText, triggerSummary } from '../modules/automation/labels.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { useTagOptions } from '../modules/segments/hooks/use-tag-options.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

function PresetGallery({ onUse, canManage }: { onUse: (rule: AutomationPreset['rule']) => void; canManage: boolean }) {
  const { t } = useTranslation();
  const presets = useAutomationPresets();
  if (!presets.data?.length) return null;
  return (
    <Card
      size="small"
      title={t('automation.presets')}
      extra={<Typography.Text type="secondary">{t('automation.presetsHelp')}</Typography.Text>}
      style={{ marginBottom: 16 }}
    >
      <Row gutter={[12, 12]}>
        {presets.data.map((preset) => {
          const text = presetText(preset, t);
          return (
            <Col key={preset.key} xs={24} md={12} xl={8}>
              <Card size="small" className="hk-automation-preset" data-testid={`preset-${preset.key}`}>
                <Space direction="vertical" size={4} style={{ width: '100%' }}>
                  <Space>
                    <Tag color="blue">{text.category}</Tag>
                    <Typography.Text strong>{text.name}</Typography.Text>
                  </Space>
                  <Typography.Text type="secondary">{text.description}</Typography.Text>
                  {text.needs.length > 0 && (
                    <Typography.Text type="warning" style={{ fontSize: 12 }}>
                      {t('automation.presetNeeds', { needs: text.needs.join(t('automation.listSeparator')) })}
                    </Typography.Text>
                  )}
                  {canManage && (
                    <Button size="small" icon={<ThunderboltOutlined />} onClick={() => onUse(text.rule)}>
                      {t('automation.usePreset')}
                    </Button>
                  )}
                </Space>
              </Card>
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}

/** 自动化: rules (当/如果/那么), the presets gallery (自动标签…) and the run log. */
export function AutomationPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('automation.title'));
  const can = useCan();
  if (!can('automation:read')) return <EmptyState title={t('errors.forbidden')} />;
  return <AutomationRules />;
}

function AutomationRules() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const can = useCan();
  const canManage = can('automation:manage');
  const rules = useAutomationRules();
  const presets = useAutomationPresets();
  const save = useSaveRule();
  const remove = useDeleteRule();
  const tags = useTagOptions();
  const [editor, setEditor] = useState<{ rule?: AutomationRule; initial?: RuleDraft } | null>(null);
  const [tab, setTab] = useState('rules');

  const toggle = (rule: AutomationRule, enabled: boolean) =>
    save.mutate(
      { id: rule.id, body: { enabled } },
      { onError: (failure) => void message.error(errorMessage(failure, t)) },
    );

  const confirmDelete = (rule: AutomationRule) =>
    modal.confirm({
      title: t('automation.deleteConfirm', { name: rule.name }),
      content: t('automation.deleteHelp'),
      okText: t('automation.delete'),
      okButtonProps: { danger: true, 'data-testid': 'rule-delete-ok' } as ButtonProps,
      cancelText: t('common.cancel'),
      onOk: () =>
        remove.mutateAsync(rule.id).then(
          () => void message.success(t('automation.deleted', { name: rule.name })),
          (failure) => void message.error(errorMessage(failure, t)),
        ),
    });

  const list = rules.data ?? [];
  // Rules made from a template (the demo's too) keep its Chinese one-line summary: shown in the admin's language.
  const summaries = new Map(
    (presets.data ?? []).map((preset) => [preset.rule.description, presetText(preset, t).summary]),
  );
  const rulesTab = rules.error ? (
    <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
  ) : (
    <>
      <PresetGallery canManage={canManage} onUse={(rule) => setEditor({ initial: { ...rule, enabled: true } })} />
      <Table<AutomationRule>
        rowKey="id"
        loading={rules.isLoading}
        dataSource={list}
        pagination={false}
        data-testid="automation-rules"
        locale={{
          emptyText: <EmptyState title={t('automation.empty')} description={t('automation.emptyHelp')} />,
        }}
        columns={[
          {
            title: t('automation.columnEnabled'),
            width: 80,
            render: (_, rule) => (
              <Switch
                size="small"
                checked={rule.enabled}
                disabled={!canManage}
                onChange={(enabled) => toggle(rule, enabled)}
                data-testid={`rule-enabled-${rule.name}`}
              />
            ),
          },
          {
            title: t('automation.columnName'),
            render: (_, rule) => (
              <Space direction="vertical" size={0}>
                <Space>
                  <Typography.Text strong>{rule.name}</Typography.Text>
                  {rule.problems.length > 0 && (
                    <Tooltip title={`${t('automation.brokenHelp')}${rule.problems.join('；')}`}>
                      <Tag color="error" icon={<WarningOutlined />} data-testid="rule-broken">
                        {t('automation.broken')}
                      </Tag>
                    </Tooltip>
                  )}
                </Space>
                {rule.description && (
                  <Typography.Text type="secondary">
                    {summaries.get(rule.description) ?? rule.description}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t('automation.columnTrigger'),
            render: (_, rule) => triggerSummary(rule.trigger, t, (id) => tags.byId.get(id)?.name),
          },
          {
            title: t('automation.columnLastRun'),
            width: 130,
            render: (_, rule) =>
              rule.lastRunAt ? (
                <RelativeTime iso={rule.lastRunAt} />
              ) : (
                <span className="hk-muted">{t('automation.never')}</span>
              ),
          },
          {
            title: t('automation.columnRuns'),
            width: 110,
            render: (_, rule) => (
              <span>
                {rule.runCount} /{' '}
                <Typography.Text type={rule.failureCount > 0 ? 'danger' : 'secondary'}>
                  {rule.failureCount}
                </Typography.Text>
              </span>
            ),
          },
          ...(canManage
            ? [
                {
                  title: t('common.actions'),
                  width: 110,
                  render: (_: unknown, rule: AutomationRule) => (
                    <Space size={0}>
                      <Button
                        type="text"
                        icon={<EditOutlined />}
                        onClick={() => setEditor({ rule })}
                        aria-label={t('automation.editRule')}
                      />
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => confirmDelete(rule)}
                        aria-label={t('automation.delete')}
                      />
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );

  return (
    <div className="hk-page">
      <PageHeader
        title={t('automation.title')}
        subtitle={t('automation.subtitle')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditor({})} data-testid="rule-new">
              {t('automation.newRule')}
            </Button>
          )
        }
      />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'rules', label: t('automation.tabRules'), children: rulesTab },
          { key: 'runs', label: t('automation.tabRuns'), children: <RunLog rules={list} /> },
        ]}
      />
      {editor && <RuleEditor rule={editor.rule} initial={editor.initial} onClose={() => setEditor(null)} />}
    </div>
  );
}
