import { type TicketSeverity, type TicketStatus, ticketSeverities, ticketStatuses } from '@huike/contracts';
import { App, Button, type ButtonProps, Form, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useUsers } from '../../identity/hooks/use-users.ts';
import { assignableRoles } from '../../identity/permissions.ts';
import type { BulkTicketChanges } from '../api/tickets-api.ts';
import { useBulkUpdateTickets, useTicketCategories } from '../hooks/use-tickets.ts';
import { useCategoryName } from '../labels.tsx';

type Values = { status?: TicketStatus; assigneeId?: string; severity?: TicketSeverity; category?: string };
const unassign = '__none__';

type Props = { selectedIds: string[]; onDone: () => void };

/** Shown when rows are selected: says how many, lets the lead pick changes, asks once more, then runs. */
export function TicketBulkBar({ selectedIds, onDone }: Props) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const [isOpen, setOpen] = useState(false);
  const [form] = Form.useForm<Values>();
  const bulk = useBulkUpdateTickets();
  const users = useUsers();
  const categories = useTicketCategories();
  const categoryName = useCategoryName();
  const count = selectedIds.length;
  if (count === 0) return null;

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const changes: BulkTicketChanges = {};
    if (values.status) changes.status = values.status;
    if (values.severity) changes.severity = values.severity;
    if (values.category) changes.category = values.category;
    if (values.assigneeId) changes.assigneeId = values.assigneeId === unassign ? null : values.assigneeId;
    if (Object.keys(changes).length === 0) {
      void message.warning(t('tickets.bulk.nothingChosen'));
      return;
    }
    modal.confirm({
      title: t('tickets.bulk.confirmTitle', { count }),
      okText: t('tickets.bulk.confirmOk', { count }),
      okButtonProps: { 'data-testid': 'ticket-bulk-confirm' } as ButtonProps,
      cancelText: t('common.cancel'),
      onOk: () =>
        bulk.mutateAsync({ ids: selectedIds, changes }).then(
          (result) => {
            void message.success(t('tickets.bulk.done', { count: result.updated }));
            setOpen(false);
            form.resetFields();
            onDone();
          },
          (error) => void message.error(errorMessage(error, t)),
        ),
    });
  };

  return (
    <Space size={8} className="hk-ticket-bulk" data-testid="ticket-bulk-bar">
      <span className="hk-strong">{t('tickets.bulk.selected', { count })}</span>
      <Button type="primary" size="small" onClick={() => setOpen(true)} data-testid="ticket-bulk-open">
        {t('tickets.bulk.apply')}
      </Button>
      <Button type="link" size="small" onClick={onDone}>
        {t('tickets.bulk.clear')}
      </Button>
      <Modal
        open={isOpen}
        title={t('tickets.bulk.title', { count })}
        onCancel={() => setOpen(false)}
        onOk={() => void submit()}
        okText={t('tickets.bulk.apply')}
        okButtonProps={{ 'data-testid': 'ticket-bulk-submit' } as ButtonProps}
        cancelText={t('common.cancel')}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item name="status" label={t('tickets.columns.status')}>
            <Select
              allowClear
              placeholder={t('tickets.bulk.keep')}
              options={ticketStatuses.map((value) => ({ value, label: t(`tickets.statuses.${value}`) }))}
              data-testid="ticket-bulk-status"
            />
          </Form.Item>
          <Form.Item name="assigneeId" label={t('tickets.columns.assignee')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('tickets.bulk.keep')}
              options={[
                { value: unassign, label: t('tickets.bulk.unassign') },
                ...(users.data ?? [])
                  .filter((user) => !user.disabled && assignableRoles.includes(user.role))
                  .map((user) => ({ value: user.id, label: user.name })),
              ]}
            />
          </Form.Item>
          <Form.Item name="severity" label={t('tickets.columns.severity')}>
            <Select
              allowClear
              placeholder={t('tickets.bulk.keep')}
              options={ticketSeverities.map((value) => ({ value, label: t(`tickets.severities.${value}`) }))}
            />
          </Form.Item>
          <Form.Item name="category" label={t('tickets.columns.category')}>
            <Select
              allowClear
              placeholder={t('tickets.bulk.keep')}
              options={(categories.data ?? [])
                .filter((category) => !category.archived)
                .map((category) => ({ value: category.key, label: categoryName(category.key) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
