import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Input, Skeleton, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EditableField } from '../../../ui/editable-field.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import type { TicketCategory } from '../api/tickets-api.ts';
import { useCreateCategory, useDeleteCategory, useTicketCategories, useUpdateCategory } from '../hooks/use-tickets.ts';
import { useCategoryName } from '../labels.tsx';

/** 工单分类: the editable list (built-in ones renamed, not deleted). */
export function TicketCategoriesEditor({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const categories = useTicketCategories();
  const categoryName = useCategoryName();
  const create = useCreateCategory();
  const update = useUpdateCategory();
  const remove = useDeleteCategory();
  const [draft, setDraft] = useState('');

  const add = () => {
    const name = draft.trim();
    if (!name) return;
    create.mutate(
      { name },
      {
        onSuccess: () => {
          setDraft('');
          void message.success(t('tickets.categorySettings.added', { name }));
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };

  const confirmDelete = (category: TicketCategory) =>
    modal.confirm({
      title: t('tickets.categorySettings.deleteConfirm', { name: categoryName(category.key) }),
      okText: t('tickets.categorySettings.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => remove.mutateAsync(category.id).catch((error) => void message.error(errorMessage(error, t))),
    });

  if (categories.isPending) return <Skeleton active paragraph={{ rows: 5 }} />;
  if (categories.isError) return <ErrorState error={categories.error} onRetry={() => void categories.refetch()} />;
  return (
    <Card variant="borderless" className="hk-card" data-testid="ticket-categories">
      <p className="hk-muted">{t('tickets.categorySettings.subtitle')}</p>
      {canManage && (
        <Space.Compact style={{ maxWidth: 420, marginBottom: 16, display: 'flex' }}>
          <Input
            value={draft}
            maxLength={30}
            onChange={(event) => setDraft(event.target.value)}
            onPressEnter={add}
            placeholder={t('tickets.categorySettings.namePlaceholder')}
            data-testid="ticket-category-name"
          />
          <Button
            type="primary"
            icon={<PlusOutlined />}
            loading={create.isPending}
            onClick={add}
            data-testid="ticket-category-add"
          >
            {t('tickets.categorySettings.add')}
          </Button>
        </Space.Compact>
      )}
      <Table<TicketCategory>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={categories.data ?? []}
        locale={{ emptyText: t('tickets.categorySettings.empty') }}
        columns={[
          {
            key: 'name',
            title: t('tickets.categorySettings.name'),
            render: (_, category) => (
              <Space>
                <EditableField
                  label=""
                  value={categoryName(category.key)}
                  canEdit={canManage}
                  maxLength={30}
                  onSave={(name) => update.mutateAsync({ id: category.id, input: { name } })}
                  testId="ticket-category-row"
                />
                {category.isBuiltIn && <Tag className="hk-badge">{t('tickets.categorySettings.builtIn')}</Tag>}
              </Space>
            ),
          },
          ...(canManage
            ? [
                {
                  key: 'actions',
                  width: 80,
                  align: 'right' as const,
                  render: (_: unknown, category: TicketCategory) =>
                    category.isBuiltIn ? null : (
                      <Tooltip title={t('tickets.categorySettings.delete')}>
                        <Button
                          type="text"
                          size="small"
                          danger
                          icon={<DeleteOutlined />}
                          aria-label={t('tickets.categorySettings.delete')}
                          onClick={() => confirmDelete(category)}
                        />
                      </Tooltip>
                    ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
