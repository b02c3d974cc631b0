import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined } from '@ant-design/icons';
import type { CustomFieldDefinition } from '@huike/contracts';
import { Alert, App, Button, Card, Popconfirm, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CustomFieldDrawer } from '../modules/customers/components/custom-field-drawer.tsx';
import { useCustomFields, useUpdateCustomField } from '../modules/customers/hooks/use-customers.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 客户字段: the extra fields every customer profile has (会员等级, 尺码偏好…), their type and order. */
export function SettingsCustomerFieldsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('fields.title'));
  const { message } = App.useApp();
  const can = useCan();
  const canManage = can('custom_fields:manage');
  const [showArchived, setShowArchived] = useState(false);
  const fields = useCustomFields(true);
  const update = useUpdateCustomField();
  const [editing, setEditing] = useState<CustomFieldDefinition | 'new' | null>(null);

  const all = [...(fields.data ?? [])].sort((a, b) => a.position - b.position || a.label.localeCompare(b.label));
  const active = all.filter((field) => !field.archived);
  const rows = showArchived ? all : active;

  const run = (id: string, input: Parameters<typeof update.mutate>[0]['input'], done?: string) =>
    update.mutate(
      { id, input },
      {
        onSuccess: () => done && void message.success(done),
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );

  /** Swaps positions with the neighbour (positions are renumbered 0…n so gaps and ties never stick). */
  const move = (field: CustomFieldDefinition, step: -1 | 1) => {
    const index = active.findIndex((each) => each.id === field.id);
    const target = index + step;
    if (index < 0 || target < 0 || target >= active.length) return;
    const order = [...active];
    [order[index], order[target]] = [order[target] as CustomFieldDefinition, order[index] as CustomFieldDefinition];
    order.forEach((each, position) => {
      if (each.position !== position) run(each.id, { position });
    });
  };

  return (
    <div className="hk-page">
      <PageHeader
        title={t('fields.title')}
        subtitle={t('fields.subtitle')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="field-create">
              {t('fields.create')}
            </Button>
          )
        }
      />
      <Card variant="borderless" className="hk-card">
        {!canManage && <Alert type="info" showIcon title={t('fields.readOnly')} style={{ marginBottom: 12 }} />}
        <div className="hk-filter-bar">
          <Space>
            <Switch size="small" checked={showArchived} onChange={setShowArchived} />
            <span>{t('fields.showArchived')}</span>
          </Space>
        </div>
        {fields.isError ? (
          <ErrorState error={fields.error} onRetry={() => void fields.refetch()} />
        ) : (
          <Table<CustomFieldDefinition>
            rowKey="id"
            size="small"
            pagination={false}
            loading={fields.isPending}
            dataSource={rows}
            locale={{
              emptyText: <EmptyState title={t('fields.emptyTitle')} description={t('fields.emptyDescription')} />,
            }}
            onRow={(field) => ({ className: 'hk-field-row', 'data-testid': 'field-row', 'data-field-key': field.key })}
            columns={[
              {
                key: 'label',
                title: t('fields.label'),
                render: (_, field) => (
                  <Space size={6}>
                    <span>{field.label}</span>
                    {field.required && <Tag color="red">{t('fields.requiredTag')}</Tag>}
                    {field.archived && <Tag>{t('fields.archivedTag')}</Tag>}
                  </Space>
                ),
              },
              {
                key: 'key',
                title: t('fields.key'),
                render: (_, field) => <span className="hk-mono">{field.key}</span>,
              },
              {
                key: 'type',
                title: t('fields.type'),
                width: 100,
                render: (_, field) => t(`fields.types.${field.type}`),
              },
              {
                key: 'options',
                title: t('fields.options'),
                render: (_, field) =>
                  field.options.length > 0 ? (
                    <span className="hk-chip-list">
                      {field.options.slice(0, 6).map((option) => (
                        <Tag key={option} className="hk-badge">
                          {option}
                        </Tag>
                      ))}
                      {field.options.length > 6 && <span className="hk-muted">+{field.options.length - 6}</span>}
                    </span>
                  ) : (
                    <span className="hk-muted">—</span>
                  ),
              },
              ...(canManage
                ? [
                    {
                      key: 'actions',
                      title: t('common.actions'),
                      width: 230,
                      render: (_: unknown, field: CustomFieldDefinition) => {
                        const index = active.findIndex((each) => each.id === field.id);
                        return (
                          <Space size={0}>
                            {!field.archived && (
                              <>
                                <Button
                                  type="text"
                                  size="small"
                                  icon={<ArrowUpOutlined />}
                                  aria-label={t('fields.moveUp')}
                                  disabled={index <= 0 || update.isPending}
                                  onClick={() => move(field, -1)}
                                />
                                <Button
                                  type="text"
                                  size="small"
                                  icon={<ArrowDownOutlined />}
                                  aria-label={t('fields.moveDown')}
                                  disabled={index >= active.length - 1 || update.isPending}
                                  onClick={() => move(field, 1)}
                                />
                              </>
                            )}
                            <Button type="link" size="small" onClick={() => setEditing(field)}>
                              {t('common.edit')}
                            </Button>
                            {field.archived ? (
                              <Button
                                type="link"
                                size="small"
                                onClick={() =>
                                  run(field.id, { archived: false }, t('fields.restoredDone', { label: field.label }))
                                }
                              >
                                {t('fields.restore')}
                              </Button>
                            ) : (
                              <Popconfirm
                                title={t('fields.archiveConfirm', { label: field.label })}
                                description={t('fields.archiveConfirmDescription')}
                                onConfirm={() =>
                                  run(field.id, { archived: true }, t('fields.archivedDone', { label: field.label }))
                                }
                              >
                                <Button type="link" size="small" danger data-testid="field-archive">
                                  {t('fields.archive')}
                                </Button>
                              </Popconfirm>
                            )}
                          </Space>
                        );
                      },
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Card>
      <CustomFieldDrawer
        open={editing !== null}
        field={editing === 'new' || editing === null ? undefined : editing}
        nextPosition={active.length === 0 ? 0 : Math.max(...active.map((field) => field.position)) + 1}
        onClose={() => setEditing(null)}
      />
    </div>
  );
}
