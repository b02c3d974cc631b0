import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined, WarningOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  type ButtonProps,
  Card,
  Input,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import type { KeywordReply } from '../modules/keyword-replies/api/keyword-replies-api.ts';
import { KeywordReplyDrawer } from '../modules/keyword-replies/components/keyword-reply-drawer.tsx';
import { KeywordReplyTester } from '../modules/keyword-replies/components/keyword-reply-tester.tsx';
import {
  useDeleteKeywordReply,
  useKeywordReplies,
  useReorderKeywordReplies,
  useUpdateKeywordReply,
} from '../modules/keyword-replies/hooks/use-keyword-replies.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 自动回复: keyword rules in priority order, with a 「测试消息」 box. */
/** Readers of automation only: other roles get a plain no-permission page instead of a failing list. */
export function SettingsKeywordRepliesPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('keywordReplies.title'));
  const can = useCan();
  if (!can('automation:read')) {
    return (
      <div className="hk-page">
        <PageHeader title={t('keywordReplies.title')} />
        <Card variant="borderless" className="hk-card">
          <EmptyState title={t('errors.forbidden')} />
        </Card>
      </div>
    );
  }
  return <KeywordRepliesSettings />;
}

function KeywordRepliesSettings() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const can = useCan();
  const canManage = can('automation:manage');
  const rules = useKeywordReplies();
  const update = useUpdateKeywordReply();
  const remove = useDeleteKeywordReply();
  const reorder = useReorderKeywordReplies();
  const [drawer, setDrawer] = useState<{ rule?: KeywordReply } | null>(null);
  const [search, setSearch] = useState('');

  const all = rules.data ?? [];
  const visible = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (!q) return all;
    return all.filter(
      (rule) =>
        rule.name.toLowerCase().includes(q) || rule.keywords.some((keyword) => keyword.toLowerCase().includes(q)),
    );
  }, [all, search]);

  const move = (id: string, step: -1 | 1) => {
    const order = all.map((rule) => rule.id);
    const index = order.indexOf(id);
    const target = index + step;
    if (index < 0 || target < 0 || target >= order.length) return;
    [order[index], order[target]] = [order[target] as string, order[index] as string];
    reorder.mutate(order, { onError: (failure) => void message.error(errorMessage(failure, t)) });
  };

  const confirmDelete = (rule: KeywordReply) =>
    modal.confirm({
      title: t('keywordReplies.deleteConfirm', { name: rule.name }),
      content: t('keywordReplies.deleteHint'),
      okText: t('keywordReplies.delete'),
      okButtonProps: { danger: true, 'data-testid': 'keyword-reply-delete-ok' } as ButtonProps,
      cancelText: t('common.cancel'),
      onOk: () =>
        remove.mutateAsync(rule.id).then(
          () => void message.success(t('keywordReplies.deleted')),
          (failure) => void message.error(errorMessage(failure, t)),
        ),
    });

  return (
    <div className="hk-page">
      <PageHeader
        title={t('keywordReplies.title')}
        subtitle={t('keywordReplies.subtitle')}
        extra={
          canManage && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDrawer({})}
              data-testid="keyword-reply-create"
            >
              {t('keywordReplies.create')}
            </Button>
          )
        }
      />
      {!canManage && <Alert type="info" showIcon title={t('keywordReplies.readOnly')} style={{ marginBottom: 12 }} />}
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <KeywordReplyTester />
        {rules.error ? (
          <ErrorState error={rules.error} onRetry={rules.refetch} />
        ) : (
          <Card variant="borderless" className="hk-card">
            <Input.Search
              allowClear
              placeholder={t('keywordReplies.search')}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              style={{ maxWidth: 320, marginBottom: 12 }}
            />
            <Table<KeywordReply>
              rowKey="id"
              size="middle"
              loading={rules.isPending}
              dataSource={visible}
              pagination={false}
              scroll={{ x: 1040 }}
              locale={{
                emptyText: (
                  <EmptyState
                    title={t('keywordReplies.emptyTitle')}
                    description={t('keywordReplies.emptyDescription')}
                  />
                ),
              }}
              onRow={(rule) => ({
                'data-testid': 'keyword-reply-row',
                'data-rule-name': rule.name,
                style: rule.broken ? { background: '#fff1f0' } : undefined,
              })}
              columns={[
                {
                  key: 'order',
                  title: t('keywordReplies.columns.order'),
                  width: 76,
                  render: (_, rule) => {
                    const index = all.findIndex((each) => each.id === rule.id);
                    return canManage ? (
                      <Space size={0}>
                        <Button
                          type="text"
                          size="small"
                          icon={<ArrowUpOutlined />}
                          aria-label={t('keywordReplies.moveUp')}
                          disabled={index <= 0 || reorder.isPending || search.trim() !== ''}
                          onClick={() => move(rule.id, -1)}
                        />
                        <Button
                          type="text"
                          size="small"
                          icon={<ArrowDownOutlined />}
                          aria-label={t('keywordReplies.moveDown')}
                          disabled={index >= all.length - 1 || reorder.isPending || search.trim() !== ''}
                          onClick={() => move(rule.id, 1)}
                        />
                      </Space>
                    ) : (
                      index + 1
                    );
                  },
                },
                {
                  key: 'name',
                  title: t('keywordReplies.columns.name'),
                  width: 140,
                  render: (_, rule) => (
                    <>
                      <Typography.Text strong ellipsis={{ tooltip: rule.name }} style={{ display: 'block' }}>
                        {rule.name}
                      </Typography.Text>
                      {rule.broken && (
                        <Typography.Text type="danger" data-testid="keyword-reply-broken">
                          <WarningOutlined /> {t('keywordReplies.broken')}：{rule.broken}
                        </Typography.Text>
                      )}
                    </>
                  ),
                },
                {
                  key: 'keywords',
                  title: t('keywordReplies.columns.keywords'),
                  minWidth: 120,
                  render: (_, rule) => (
                    <Space size={[0, 4]} wrap>
                      {rule.keywords.map((keyword) => (
                        <Tag key={keyword} color={rule.matchMode === 'regex' ? 'purple' : 'blue'}>
                          {keyword}
                        </Tag>
                      ))}
                    </Space>
                  ),
                },
                {
                  key: 'mode',
                  title: t('keywordReplies.columns.mode'),
                  width: 84,
                  render: (_, rule) => t(`keywordReplies.modes.${rule.matchMode}`),
                },
                {
                  key: 'reply',
                  title: t('keywordReplies.columns.reply'),
                  width: 190,
                  render: (_, rule) =>
                    rule.templateId ? (
                      <Typography.Text
                        type={rule.broken ? 'danger' : undefined}
                        ellipsis={{ tooltip: true }}
                        style={{ display: 'block' }}
                      >
                        {t('keywordReplies.templatePrefix')}
                        {rule.templateTitle ?? rule.broken}
                      </Typography.Text>
                    ) : (
                      <Typography.Paragraph ellipsis={{ rows: 2, tooltip: rule.replyText }} style={{ margin: 0 }}>
                        {rule.replyText}
                      </Typography.Paragraph>
                    ),
                },
                {
                  key: 'conditions',
                  title: t('keywordReplies.columns.conditions'),
                  width: 150,
                  render: (_, rule) => (
                    <Space size={[0, 4]} wrap>
                      <Tag>
                        {rule.inboxIds.length === 0
                          ? t('keywordReplies.allInboxes')
                          : t('keywordReplies.inboxCount', { count: rule.inboxIds.length })}
                      </Tag>
                      {rule.hours !== 'always' && <Tag>{t(`keywordReplies.hours.${rule.hours}`)}</Tag>}
                      {rule.frequency === 'cooldown' ? (
                        <Tag>{t('keywordReplies.cooldown', { minutes: rule.cooldownMinutes })}</Tag>
                      ) : rule.frequency === 'once_per_conversation' ? (
                        <Tag>{t('keywordReplies.frequencies.once_per_conversation')}</Tag>
                      ) : null}
                      {rule.stopOtherRules && (
                        <Tooltip title={t('keywordReplies.stopOthers')}>
                          <Tag color="orange">{t('keywordReplies.stopOthersShort')}</Tag>
                        </Tooltip>
                      )}
                    </Space>
                  ),
                },
                {
                  key: 'hits',
                  title: t('keywordReplies.columns.hits'),
                  width: 70,
                  align: 'right',
                  render: (_, rule) => rule.hitCount.toLocaleString(),
                },
                {
                  key: 'lastHit',
                  title: t('keywordReplies.columns.lastHit'),
                  width: 100,
                  render: (_, rule) =>
                    rule.lastHitAt ? (
                      <RelativeTime iso={rule.lastHitAt} />
                    ) : (
                      <span className="hk-muted">{t('keywordReplies.never')}</span>
                    ),
                },
                {
                  key: 'enabled',
                  title: t('keywordReplies.columns.enabled'),
                  width: 64,
                  render: (_, rule) => (
                    <Switch
                      size="small"
                      checked={rule.enabled}
                      disabled={!canManage}
                      loading={update.isPending && update.variables?.id === rule.id}
                      aria-label={t('keywordReplies.columns.enabled')}
                      onChange={(enabled) =>
                        update.mutate(
                          { id: rule.id, input: { enabled } },
                          { onError: (failure) => void message.error(errorMessage(failure, t)) },
                        )
                      }
                    />
                  ),
                },
                ...(canManage
                  ? [
                      {
                        key: 'actions',
                        title: t('keywordReplies.columns.actions'),
                        width: 110,
                        fixed: 'right' as const,
                        render: (_: unknown, rule: KeywordReply) => (
                          <Space size={0}>
                            <Button type="link" size="small" onClick={() => setDrawer({ rule })}>
                              {t('common.edit')}
                            </Button>
                            <Button type="link" size="small" danger onClick={() => confirmDelete(rule)}>
                              {t('keywordReplies.delete')}
                            </Button>
                          </Space>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          </Card>
        )}
      </Space>
      <KeywordReplyDrawer open={drawer !== null} rule={drawer?.rule} onClose={() => setDrawer(null)} />
    </div>
  );
}
