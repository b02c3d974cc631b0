import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined, WarningOutlined } from '@ant-design/icons';
import type { RoutingRule } from '@huike/contracts';
import { App, Button, Space, Switch, Table, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { useInboxMap } from '../../inboxes/hooks/use-inboxes.ts';
import { useTagCatalog } from '../../tags/hooks/use-tags.ts';
import {
  useDeleteRoutingRule,
  useReorderRoutingRules,
  useRoutingRules,
  useToggleRoutingRule,
} from '../hooks/use-routing.ts';

/** The ordered rules: first match wins; move up/down, switch on/off, edit, delete. */
export function RoutingRulesTable({ onEdit, onCreate }: { onEdit: (rule: RoutingRule) => void; onCreate: () => void }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const rules = useRoutingRules();
  const toggle = useToggleRoutingRule();
  const remove = useDeleteRoutingRule();
  const reorder = useReorderRoutingRules();
  const inboxMap = useInboxMap();
  const tags = useTagCatalog();
  const list = rules.data ?? [];
  const onError = (error: unknown) => void message.error(errorMessage(error, t));

  const moveRule = (index: number, by: -1 | 1) => {
    const ids = list.map((rule) => rule.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    reorder.mutate(ids, { onError });
  };

  const describe = (rule: RoutingRule) => {
    const c = rule.conditions;
    const parts = [
      ...(c.keywords?.length ? [`${t('routing.settings.keywords')}: ${c.keywords.join(' / ')}`] : []),
      ...(c.tiers?.length
        ? [`${t('routing.settings.tiers')}: ${c.tiers.map((tier) => t(`value.tiers.${tier}`)).join(' / ')}`]
        : []),
      ...(c.tagIds?.length
        ? [
            `${t('routing.settings.tags')}: ${c.tagIds.map((id) => tags.catalog?.byId.get(id)?.path ?? '?').join(' / ')}`,
          ]
        : []),
      ...(c.inboxIds?.length
        ? [`${t('routing.settings.inboxes')}: ${c.inboxIds.map((id) => inboxMap.get(id)?.name ?? '?').join(' / ')}`]
        : []),
      ...(c.channels?.length
        ? [
            `${t('routing.settings.channels')}: ${c.channels.map((x) => t(`channels.${x as 'website' | 'api'}`)).join(' / ')}`,
          ]
        : []),
      ...(c.languages?.length ? [`${t('routing.settings.languages')}: ${c.languages.join(' / ')}`] : []),
    ];
    return parts.length ? parts.join('；') : t('routing.settings.noConditions');
  };

  return (
    <Table<RoutingRule>
      size="small"
      rowKey="id"
      loading={rules.isPending}
      pagination={false}
      dataSource={list}
      data-testid="routing-rules"
      locale={{
        emptyText: (
          <EmptyState
            title={t('routing.settings.rulesEmptyTitle')}
            description={t('routing.settings.rulesEmptyDescription')}
            action={
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={onCreate}
                data-testid="routing-rules-empty-create"
              >
                {t('routing.settings.rulesEmptyAction')}
              </Button>
            }
          />
        ),
      }}
      columns={[
        {
          title: '#',
          width: 90,
          render: (_, rule, index) => (
            <Space size={2}>
              <Tooltip title={t('routing.settings.moveUp')}>
                <Button
                  size="small"
                  type="text"
                  icon={<ArrowUpOutlined />}
                  disabled={index === 0 || reorder.isPending}
                  onClick={() => moveRule(index, -1)}
                  aria-label={t('routing.settings.moveUp')}
                />
              </Tooltip>
              <Tooltip title={t('routing.settings.moveDown')}>
                <Button
                  size="small"
                  type="text"
                  icon={<ArrowDownOutlined />}
                  disabled={index === list.length - 1 || reorder.isPending}
                  onClick={() => moveRule(index, 1)}
                  aria-label={t('routing.settings.moveDown')}
                  data-testid={`routing-rule-down-${rule.id}`}
                />
              </Tooltip>
            </Space>
          ),
        },
        { title: t('routing.settings.name'), dataIndex: 'name' },
        { title: t('routing.settings.conditions'), render: (_, rule) => describe(rule) },
        {
          title: t('routing.settings.target'),
          render: (_, rule) => (
            <Space size={4} wrap>
              {rule.teamRemoved ? (
                <Tag color="red" icon={<WarningOutlined />}>
                  {t('routing.settings.teamRemoved')}
                </Tag>
              ) : (
                <Tag>{rule.teamName ?? t('routing.settings.anyTeam')}</Tag>
              )}
              {rule.requiredSkill && (
                <Tag color="purple">
                  {rule.requiredSkill === 'senior' ? t('routing.settings.seniorSkill') : rule.requiredSkill}
                </Tag>
              )}
            </Space>
          ),
        },
        {
          title: t('routing.settings.enabled'),
          render: (_, rule) => (
            <Switch
              size="small"
              checked={rule.enabled}
              onChange={(enabled) => toggle.mutate({ id: rule.id, enabled }, { onError })}
            />
          ),
        },
        {
          title: t('common.actions'),
          render: (_, rule) => (
            <Space>
              <Button size="small" type="link" onClick={() => onEdit(rule)}>
                {t('common.edit')}
              </Button>
              <Button
                size="small"
                type="link"
                danger
                onClick={() =>
                  modal.confirm({
                    title: t('routing.settings.deleteConfirm', { name: rule.name }),
                    okButtonProps: { danger: true },
                    onOk: () =>
                      remove.mutateAsync(rule.id).then(() => void message.success(t('routing.settings.deleted'))),
                  })
                }
              >
                {t('routing.settings.delete')}
              </Button>
            </Space>
          ),
        },
      ]}
    />
  );
}
