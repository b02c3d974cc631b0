import { DeleteOutlined, EditOutlined, FolderOutlined, PlusOutlined } from '@ant-design/icons';
import type { KbArticleListItem } from '@huike/contracts';
import { App, Button, Card, Input, Layout, Menu, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { ArticleDrawer } from '../modules/knowledge/components/article-drawer.tsx';
import {
  useArticles,
  useKbCategories,
  useRemoveArticle,
  useRemoveCategory,
  useSaveCategory,
} from '../modules/knowledge/hooks/use-knowledge.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type StatusFilter = 'all' | 'published' | 'draft';

/** 知识库: categories on the left, articles with search and status filter, editing in a drawer. */
export function KnowledgePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('knowledge.title'));
  const { modal, message } = App.useApp();
  const can = useCan();
  const canManage = can('knowledge:manage');
  const [q, setQ] = useState('');
  const [categoryId, setCategoryId] = useState<string>('all');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [cursors, setCursors] = useState<string[]>([]);
  const [drawer, setDrawer] = useState<{ id: string | null } | null>(null);
  const categories = useKbCategories();
  const articles = useArticles({
    q: q.trim() || undefined,
    categoryId: categoryId === 'all' ? undefined : categoryId,
    status: status === 'all' ? undefined : status,
    cursor: cursors.at(-1),
  });
  const removeArticle = useRemoveArticle();
  const saveCategory = useSaveCategory();
  const removeCategory = useRemoveCategory();
  const resetPages = () => setCursors([]);
  const isFiltered = q.trim() !== '' || categoryId !== 'all' || status !== 'all';

  const addCategory = () => {
    let name = '';
    modal.confirm({
      title: t('knowledge.newCategory'),
      icon: <FolderOutlined />,
      content: <Input autoFocus data-testid="kb-category-name" onChange={(event) => (name = event.target.value)} />,
      okText: t('common.save'),
      cancelText: t('common.cancel'),
      onOk: () =>
        saveCategory
          .mutateAsync({ id: null, input: { name } })
          .catch((failure) => void message.error(errorMessage(failure, t))),
    });
  };

  const confirmDeleteCategory = (id: string, name: string) =>
    modal.confirm({
      title: t('knowledge.deleteCategoryConfirm', { name }),
      content: t('knowledge.deleteCategoryHelp'),
      okButtonProps: { danger: true },
      okText: t('knowledge.delete'),
      cancelText: t('common.cancel'),
      onOk: () =>
        removeCategory.mutateAsync(id).then(
          () => setCategoryId('all'),
          (failure) => void message.error(errorMessage(failure, t)),
        ),
    });

  const confirmDelete = (item: KbArticleListItem) =>
    modal.confirm({
      title: t('knowledge.deleteConfirm', { title: item.title }),
      okButtonProps: { danger: true },
      okText: t('knowledge.delete'),
      cancelText: t('common.cancel'),
      onOk: () => removeArticle.mutateAsync(item.id).catch((failure) => void message.error(errorMessage(failure, t))),
    });

  const columns = [
    {
      title: t('knowledge.articleTitle'),
      dataIndex: 'title',
      render: (_: unknown, item: KbArticleListItem) => (
        <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 2, minWidth: 0 }}>
          <Typography.Link data-testid="kb-row-title" onClick={() => setDrawer({ id: item.id })}>
            {item.title}
          </Typography.Link>
          <Typography.Text type="secondary" ellipsis={{ tooltip: false }} style={{ display: 'block', width: '100%' }}>
            {item.bodyText}
          </Typography.Text>
          {item.questions.length > 0 && (
            <span>
              {item.questions.slice(0, 4).map((question) => (
                <Tag key={question} variant="filled">
                  {question}
                </Tag>
              ))}
              {item.questions.length > 4 && <Tag>+{item.questions.length - 4}</Tag>}
            </span>
          )}
        </div>
      ),
    },
    {
      title: t('knowledge.category'),
      dataIndex: 'categoryName',
      width: 120,
      ellipsis: true,
      render: (name: string | null) =>
        name ?? <Typography.Text type="secondary">{t('knowledge.uncategorised')}</Typography.Text>,
    },
    {
      title: t('knowledge.status'),
      dataIndex: 'status',
      width: 100,
      render: (value: 'draft' | 'published') => (
        <Tag color={value === 'published' ? 'green' : 'default'}>{t(`knowledge.statuses.${value}`)}</Tag>
      ),
    },
    { title: t('knowledge.views'), dataIndex: 'viewCount', width: 80 },
    {
      title: t('knowledge.updated'),
      dataIndex: 'updatedAt',
      width: 130,
      render: (value: string) => <RelativeTime iso={value} className="hk-nowrap" />,
    },
    ...(canManage
      ? [
          {
            title: '',
            key: 'actions',
            width: 80,
            render: (_: unknown, item: KbArticleListItem) => (
              <Space size={4}>
                <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setDrawer({ id: item.id })} />
                <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => confirmDelete(item)} />
              </Space>
            ),
          },
        ]
      : []),
  ];

  const menuItems = [
    { key: 'all', label: t('knowledge.allArticles') },
    ...(categories.data ?? []).map((category) => ({
      key: category.id,
      label: (
        <span data-testid="kb-category">
          {category.name} <Typography.Text type="secondary">{category.articleCount}</Typography.Text>
          {canManage && (
            <DeleteOutlined
              style={{ marginLeft: 8, fontSize: 12 }}
              onClick={(event) => {
                event.stopPropagation();
                confirmDeleteCategory(category.id, category.name);
              }}
            />
          )}
        </span>
      ),
    })),
  ];

  return (
    <div className="hk-page">
      <PageHeader
        title={t('knowledge.title')}
        subtitle={t('knowledge.subtitle')}
        extra={
          canManage && (
            <Space>
              <Button onClick={addCategory} data-testid="kb-new-category">
                {t('knowledge.newCategory')}
              </Button>
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setDrawer({ id: null })}
                data-testid="kb-new-article"
              >
                {t('knowledge.newArticle')}
              </Button>
            </Space>
          )
        }
      />
      <Layout style={{ background: 'transparent', gap: 16 }} hasSider>
        <Card size="small" style={{ width: 220, flex: 'none' }} styles={{ body: { padding: 4 } }}>
          <Menu
            mode="inline"
            selectedKeys={[categoryId]}
            items={menuItems}
            style={{ border: 0 }}
            onClick={({ key }) => {
              setCategoryId(key);
              resetPages();
            }}
          />
        </Card>
        <Card style={{ flex: 1, minWidth: 0 }}>
          <Space style={{ marginBottom: 12 }} wrap>
            <Input.Search
              allowClear
              placeholder={t('knowledge.searchPlaceholder')}
              style={{ width: 300 }}
              data-testid="kb-search"
              onSearch={(value) => {
                setQ(value);
                resetPages();
              }}
            />
            <Segmented
              value={status}
              onChange={(value) => {
                setStatus(value as StatusFilter);
                resetPages();
              }}
              options={[
                { value: 'all', label: t('knowledge.allStatuses') },
                { value: 'published', label: t('knowledge.statuses.published') },
                { value: 'draft', label: t('knowledge.statuses.draft') },
              ]}
            />
          </Space>
          {articles.isError ? (
            <ErrorState error={articles.error} onRetry={() => void articles.refetch()} />
          ) : (
            <Table
              rowKey="id"
              size="middle"
              loading={articles.isFetching}
              columns={columns}
              dataSource={articles.data?.items ?? []}
              pagination={false}
              // Fixed: the other columns keep their widths and the title takes what is left (its text is cut),
              // so the table fits its card at 1366 px in both languages.
              tableLayout="fixed"
              data-testid="kb-table"
              locale={{
                emptyText: isFiltered ? (
                  <EmptyState title={t('knowledge.noResults')} />
                ) : (
                  <EmptyState
                    title={t('knowledge.emptyTitle')}
                    description={t('knowledge.emptyDescription')}
                    action={
                      canManage && (
                        <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ id: null })}>
                          {t('knowledge.newArticle')}
                        </Button>
                      )
                    }
                  />
                ),
              }}
            />
          )}
          <Space style={{ marginTop: 12 }}>
            <Button disabled={cursors.length === 0} onClick={() => setCursors((list) => list.slice(0, -1))}>
              {t('knowledge.previous')}
            </Button>
            <Button
              disabled={!articles.data?.nextCursor}
              onClick={() => articles.data?.nextCursor && setCursors((list) => [...list, articles.data!.nextCursor!])}
            >
              {t('knowledge.next')}
            </Button>
          </Space>
        </Card>
      </Layout>
      <ArticleDrawer open={drawer !== null} articleId={drawer?.id ?? null} onClose={() => setDrawer(null)} />
    </div>
  );
}
