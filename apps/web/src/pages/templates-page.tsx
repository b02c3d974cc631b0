import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import type { Template, TemplateListItem, TemplateScope } from '@huike/contracts';
import {
  App,
  Button,
  type ButtonProps,
  Card,
  Input,
  Segmented,
  Skeleton,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useCurrentUser } from '../modules/identity/hooks/use-session.ts';
import { useSegments } from '../modules/segments/hooks/use-segments.ts';
import { TemplateContent } from '../modules/templates/components/template-content.tsx';
import { TemplateDrawer } from '../modules/templates/components/template-drawer.tsx';
import { rankTemplates } from '../modules/templates/fuzzy.ts';
import { useDeleteTemplate, useTemplates, useTemplateUsage } from '../modules/templates/hooks/use-templates.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type ScopeFilter = 'all' | TemplateScope;

const scopeColors: Record<TemplateScope, string> = { workspace: 'blue', team: 'purple', personal: 'default' };

/** 话术库: the team's reply templates by category, with search, scope filter, usage counts and editing. */
export function TemplatesPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('templates.title'));
  const { modal, message } = App.useApp();
  const can = useCan();
  const user = useCurrentUser();
  const canManage = can('templates:manage');
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<ScopeFilter>('all');
  const [category, setCategory] = useState('all');
  const [drawer, setDrawer] = useState<{ template?: Template } | null>(null);
  const templates = useTemplates(scope === 'all' ? {} : { scope });
  const segments = useSegments();
  const remove = useDeleteTemplate();
  const usage = useTemplateUsage({}, canManage);

  const segmentNames = useMemo(
    () => new Map((segments.data ?? []).map((segment) => [segment.id, segment.name])),
    [segments.data],
  );
  const all = templates.data ?? [];
  const categories = useMemo(() => {
    const counts = new Map<string, number>();
    for (const item of all) counts.set(item.category, (counts.get(item.category) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b, 'zh-CN'));
  }, [all]);
  const rows = useMemo(() => {
    const inCategory = all.filter((item) => category === 'all' || item.category === category);
    return query.trim() ? rankTemplates(inCategory, query, 1000) : inCategory;
  }, [all, category, query]);

  const mayChange = (item: Template) => (item.scope === 'personal' ? item.ownerUserId === user.id : canManage);

  const confirmDelete = (item: Template) =>
    modal.confirm({
      title: t('templates.deleteConfirm', { title: item.title }),
      content: t('templates.deleteHelp'),
      okText: t('templates.delete'),
      okButtonProps: { danger: true, 'data-testid': 'template-delete-ok' } as ButtonProps,
      cancelText: t('common.cancel'),
      onOk: () =>
        remove.mutateAsync(item.id).then(
          () => void message.success(t('templates.deleted', { title: item.title })),
          (failure) => void message.error(errorMessage(failure, t)),
        ),
    });

  const columns = [
    {
      title: t('templates.titleLabel'),
      dataIndex: 'title',
      width: 180,
      render: (_: unknown, item: TemplateListItem) => (
        <Space direction="vertical" size={2}>
          <strong data-testid="template-row-title">{item.title}</strong>
          <Tag variant="filled">{item.category}</Tag>
        </Space>
      ),
    },
    {
      title: t('templates.content'),
      dataIndex: 'content',
      render: (_: unknown, item: TemplateListItem) => <TemplateContent content={item.content} maxLength={160} />,
    },
    {
      title: t('templates.scope'),
      dataIndex: 'scope',
      width: 120,
      render: (_: unknown, item: TemplateListItem) => (
        <Tag color={scopeColors[item.scope]}>
          {item.scope === 'team' && item.teamName ? item.teamName : t(`templates.scopes.${item.scope}`)}
        </Tag>
      ),
    },
    {
      title: t('templates.segments'),
      dataIndex: 'segmentIds',
      width: 150,
      render: (_: unknown, item: TemplateListItem) =>
        item.segmentIds.length === 0 ? (
          <Typography.Text type="secondary">{t('templates.forEveryone')}</Typography.Text>
        ) : (
          item.segmentIds.map((id) => (
            <Tag key={id} color={segmentNames.has(id) ? 'green' : 'red'}>
              {segmentNames.get(id) ?? t('templates.segmentDeleted')}
            </Tag>
          ))
        ),
    },
    {
      title: t('templates.usageCount'),
      dataIndex: 'usageCount',
      width: 96,
      align: 'right' as const,
      sorter: (a: TemplateListItem, b: TemplateListItem) => a.usageCount - b.usageCount,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 96,
      render: (_: unknown, item: TemplateListItem) =>
        mayChange(item) ? (
          <Space size={0}>
            <Tooltip title={t('common.edit')}>
              <Button
                type="text"
                icon={<EditOutlined />}
                aria-label={t('common.edit')}
                onClick={() => setDrawer({ template: item })}
                data-testid="template-edit"
              />
            </Tooltip>
            <Tooltip title={t('templates.delete')}>
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                aria-label={t('templates.delete')}
                onClick={() => confirmDelete(item)}
                data-testid="template-delete"
              />
            </Tooltip>
          </Space>
        ) : null,
    },
  ];

  return (
    <div className="hk-page">
      <PageHeader
        title={t('templates.title')}
        subtitle={t('templates.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({})} data-testid="template-create">
            {t('templates.create')}
          </Button>
        }
      />
      <Card variant="borderless" className="hk-card">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search
            allowClear
            placeholder={t('templates.searchPlaceholder')}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            style={{ width: 280 }}
            data-testid="templates-search"
          />
          <Segmented<ScopeFilter>
            value={scope}
            onChange={setScope}
            options={[
              { value: 'all', label: t('templates.scopeAll') },
              { value: 'workspace', label: t('templates.scopes.workspace') },
              { value: 'team', label: t('templates.scopes.team') },
              { value: 'personal', label: t('templates.scopes.personal') },
            ]}
            data-testid="templates-scope"
          />
        </Space>
        {templates.isPending ? (
          <Skeleton active paragraph={{ rows: 6 }} />
        ) : templates.isError ? (
          <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />
        ) : all.length === 0 ? (
          <EmptyState
            title={t('templates.emptyTitle')}
            description={t('templates.emptyDescription')}
            action={
              <Button type="primary" onClick={() => setDrawer({})}>
                {t('templates.create')}
              </Button>
            }
          />
        ) : (
          <>
            <Tabs
              size="small"
              activeKey={category}
              onChange={setCategory}
              items={[
                { key: 'all', label: `${t('templates.allCategories')} ${all.length}` },
                ...categories.map(([name, count]) => ({ key: name, label: `${name} ${count}` })),
              ]}
            />
            <Table<TemplateListItem>
              rowKey="id"
              size="middle"
              columns={columns}
              dataSource={rows}
              pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
              locale={{ emptyText: t('templates.noMatch') }}
              data-testid="templates-table"
            />
          </>
        )}
      </Card>
      {canManage && usage.data && usage.data.byAgent.length > 0 && (
        <Card
          variant="borderless"
          className="hk-card"
          style={{ marginTop: 16 }}
          title={t('templates.usageTitle', { from: usage.data.from, to: usage.data.to })}
          data-testid="templates-usage"
        >
          <Table
            rowKey="userId"
            size="small"
            pagination={false}
            dataSource={usage.data.byAgent}
            columns={[
              { title: t('templates.agent'), dataIndex: 'name' },
              { title: t('templates.usageCount'), dataIndex: 'count', align: 'right' as const, width: 120 },
            ]}
          />
        </Card>
      )}
      <TemplateDrawer open={drawer !== null} template={drawer?.template} onClose={() => setDrawer(null)} />
    </div>
  );
}
