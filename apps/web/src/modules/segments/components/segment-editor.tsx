import { DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import type { Customer, Segment, SegmentFilter } from '@huike/contracts';
import {
  Alert,
  App,
  Button,
  Card,
  Input,
  Popconfirm,
  Space,
  Spin,
  Table,
  type TableColumnsType,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../../../ui/errors.tsx';
import { MaskedPhone } from '../../../ui/masked-phone.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { customerDisplayName } from '../../customers/components/customers-table.tsx';
import { formatFen } from '../../orders/money.ts';
import { countConditions, emptyFilter, filterProblem } from '../filter-model.ts';
import {
  useCreateSegment,
  useCustomFieldDefinitions,
  useDeleteSegment,
  useLiveCount,
  usePreview,
  useUpdateSegment,
} from '../hooks/use-segments.ts';
import { BulkActionsMenu } from './bulk-actions-menu.tsx';
import { FilterBuilder } from './filter-builder.tsx';

type Props = {
  /** The saved segment being edited; absent for a new one. */
  segment?: Segment;
  canManage: boolean;
  onSaved: (segment: Segment) => void;
  onDeleted: () => void;
};

const n = (value: number) => value.toLocaleString('zh-CN');

/** Name, the filter builder, the live count, a preview of the first customers, and save/delete/bulk actions. */
export function SegmentEditor({ segment, canManage, onSaved, onDeleted }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [filter, setFilter] = useState<SegmentFilter>(segment?.filter ?? emptyFilter());
  const customFields = useCustomFieldDefinitions();
  const fields = customFields.data ?? [];
  const problem = filterProblem(filter, fields);
  const isComplete = !problem;
  const problemText = problem === 'invalid' ? t('segments.fixConditions') : t('segments.finishConditions');
  const liveCount = useLiveCount(filter, isComplete);
  const preview = usePreview(filter, isComplete);
  const create = useCreateSegment();
  const update = useUpdateSegment();
  const remove = useDeleteSegment();
  const saveError = create.error ?? update.error;

  const isDirty = useMemo(
    () =>
      !segment ||
      segment.name !== name.trim() ||
      segment.description !== description.trim() ||
      JSON.stringify(segment.filter) !== JSON.stringify(filter),
    [segment, name, description, filter],
  );

  const save = () => {
    const body = { name: name.trim(), description: description.trim(), filter };
    if (segment) {
      update.mutate(
        { id: segment.id, body },
        {
          onSuccess: (saved) => {
            message.success(t('segments.savedDone', { name: saved.name }));
            onSaved(saved);
          },
        },
      );
    } else {
      create.mutate(body, {
        onSuccess: (saved) => {
          message.success(t('segments.createdDone', { name: saved.name }));
          onSaved(saved);
        },
      });
    }
  };

  const count = liveCount.data?.count;
  // The number of an earlier filter, shown while the current one is counted.
  const isCountStale = liveCount.isPlaceholderData;
  // Bulk actions act on what is saved (a saved segment) or on the filter as it is now (unsaved edits).
  const target = segment && !isDirty ? { segmentId: segment.id } : { filter };
  const targetDescription = segment
    ? t('bulk.segmentDescription', { name: segment.name })
    : t('bulk.filterDescription');

  const columns: TableColumnsType<Customer> = [
    {
      key: 'name',
      title: t('customer.name'),
      render: (_, customer) => <Link to={`/customers/${customer.id}`}>{customerDisplayName(customer, t)}</Link>,
    },
    {
      key: 'phone',
      title: t('customer.phone'),
      width: 170,
      render: (_, customer) => <MaskedPhone phone={customer.phone} />,
    },
    {
      key: 'lifecycle',
      title: t('segments.fields.lifecycle_stage'),
      width: 90,
      render: (_, customer) =>
        customer.lifecycleStage ? t(`segments.enums.lifecycle_stage.${customer.lifecycleStage}`) : '—',
    },
    {
      key: 'spent',
      title: t('segments.fields.total_spent_fen'),
      width: 110,
      align: 'right',
      render: (_, customer) => (customer.totalSpentFen === undefined ? '—' : formatFen(customer.totalSpentFen)),
    },
    {
      key: 'createdAt',
      title: t('customer.createdAt'),
      width: 110,
      render: (_, customer) => <RelativeTime iso={customer.createdAt} />,
    },
  ];

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="segment-editor">
      <Card variant="borderless" className="hk-card">
        <div className="hk-segment-head">
          <Input
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder={t('segments.namePlaceholder')}
            maxLength={60}
            disabled={!canManage}
            className="hk-segment-name"
            data-testid="segment-name"
          />
          <Space wrap>
            <BulkActionsMenu target={target} description={targetDescription} disabled={!isComplete} />
            {segment && canManage && (
              <Popconfirm
                title={t('segments.deleteConfirm', { name: segment.name })}
                description={t('segments.deleteConfirmDescription')}
                okText={t('segments.delete')}
                okButtonProps={{ danger: true, loading: remove.isPending }}
                onConfirm={() =>
                  remove.mutateAsync(segment.id).then(() => {
                    message.success(t('segments.deletedDone', { name: segment.name }));
                    onDeleted();
                  })
                }
              >
                <Button danger icon={<DeleteOutlined />} data-testid="segment-delete">
                  {t('segments.delete')}
                </Button>
              </Popconfirm>
            )}
            {canManage && (
              <Button
                type="primary"
                icon={<SaveOutlined />}
                disabled={!name.trim() || !isComplete || !isDirty}
                loading={create.isPending || update.isPending}
                onClick={save}
                data-testid="segment-save"
              >
                {segment ? t('common.save') : t('segments.saveNew')}
              </Button>
            )}
          </Space>
        </div>
        <Input.TextArea
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          placeholder={t('segments.descriptionPlaceholder')}
          autoSize={{ minRows: 1, maxRows: 3 }}
          maxLength={500}
          disabled={!canManage}
          variant="borderless"
          className="hk-segment-description"
        />
        {saveError ? (
          <Alert type="error" showIcon title={errorMessage(saveError, t)} style={{ marginBottom: 12 }} />
        ) : null}
        <FilterBuilder value={filter} onChange={setFilter} customFields={fields} />
      </Card>

      <Card
        variant="borderless"
        className="hk-card"
        title={
          <Space size={12}>
            <span>{t('segments.matching')}</span>
            <span
              className="hk-live-count"
              data-testid="live-count"
              data-count={isComplete && !isCountStale ? (count ?? '') : ''}
            >
              {!isComplete ? (
                <Typography.Text type={problem === 'invalid' ? 'danger' : 'warning'}>{problemText}</Typography.Text>
              ) : liveCount.isError ? (
                <Typography.Text type="danger">{errorMessage(liveCount.error, t)}</Typography.Text>
              ) : count === undefined ? (
                <Spin size="small" />
              ) : (
                <>
                  <Typography.Text strong className="hk-live-count-number">
                    {n(count)}
                  </Typography.Text>
                  <Typography.Text type="secondary"> {t('segments.customersUnit')}</Typography.Text>
                  {(liveCount.isFetching || isCountStale) && <Spin size="small" style={{ marginInlineStart: 8 }} />}
                </>
              )}
            </span>
          </Space>
        }
        extra={
          countConditions(filter) === 0 && <Typography.Text type="secondary">{t('segments.everyone')}</Typography.Text>
        }
      >
        {preview.isError ? (
          <Alert type="error" showIcon title={errorMessage(preview.error, t)} />
        ) : (
          <Table<Customer>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={isComplete ? (preview.data?.items ?? []) : []}
            loading={isComplete && (preview.isLoading || preview.isPlaceholderData)}
            pagination={false}
            locale={{ emptyText: isComplete ? t('segments.previewEmpty') : problemText }}
            onRow={() => ({ 'data-testid': 'preview-row' }) as React.HTMLAttributes<HTMLElement>}
          />
        )}
        {isComplete && count !== undefined && count > (preview.data?.items.length ?? 0) && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            {t('segments.previewMore', { shown: preview.data?.items.length ?? 0, total: n(count) })}
          </Typography.Paragraph>
        )}
      </Card>
    </Space>
  );
}
