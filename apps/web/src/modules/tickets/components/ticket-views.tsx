import { DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import { App, Button, Checkbox, Form, Input, Modal, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useCan, useCurrentUser } from '../../identity/hooks/use-session.ts';
import { cleanFilters, type TicketFilters, type TicketView } from '../api/tickets-api.ts';
import { useCreateView, useDeleteView, useTicketViews } from '../hooks/use-tickets.ts';

type BuiltIn = { key: string; label: string; filters: TicketFilters };

/** The views every workspace has, computed here (today = the workspace's today). */
export function useBuiltInViews(): BuiltIn[] {
  const { t } = useTranslation();
  return [
    { key: 'all', label: t('tickets.views.all'), filters: {} },
    { key: 'mine', label: t('tickets.views.mine'), filters: { assignee: 'mine', status: 'active' } },
    {
      key: 'my-overdue',
      label: t('tickets.views.myOverdue'),
      filters: { status: 'active', assignee: 'mine', sla: 'overdue' },
    },
    {
      key: 'complaints-today',
      label: t('tickets.views.complaintsToday'),
      filters: { category: 'complaint', created: 'today' },
    },
    { key: 'unassigned', label: t('tickets.views.unassigned'), filters: { assignee: 'unassigned', status: 'active' } },
  ];
}

const sameFilters = (a: TicketFilters, b: TicketFilters) => {
  const left = cleanFilters({ ...a, sort: undefined, order: undefined });
  const right = cleanFilters({ ...b, sort: undefined, order: undefined });
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => left[key as keyof TicketFilters] === right[key as keyof TicketFilters]);
};

type Props = { filters: TicketFilters; onApply: (filters: TicketFilters) => void };

/** 视图: built-in (我的逾期, 今日投诉, …) and saved ones; the one matching the current filters is highlighted. */
export function TicketViews({ filters, onApply }: Props) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const builtIns = useBuiltInViews();
  const views = useTicketViews();
  const deleteView = useDeleteView();
  const me = useCurrentUser();
  const can = useCan();

  const remove = (view: TicketView) =>
    modal.confirm({
      title: t('tickets.views.deleteConfirm', { name: view.name }),
      okText: t('tickets.views.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () =>
        deleteView.mutateAsync(view.id).then(
          () => void message.success(t('tickets.views.deleted')),
          (error) => void message.error(errorMessage(error, t)),
        ),
    });

  const saved = (views.data ?? []).filter((view) => !view.isBuiltIn);
  return (
    <nav className="hk-ticket-views" data-testid="ticket-views">
      <div className="hk-ticket-views-title">{t('tickets.views.title')}</div>
      {builtIns.map((view) => (
        <button
          type="button"
          key={view.key}
          className={sameFilters(view.filters, filters) ? 'hk-ticket-view hk-ticket-view-active' : 'hk-ticket-view'}
          onClick={() => onApply(view.filters)}
          data-testid={`ticket-view-${view.key}`}
        >
          {view.label}
        </button>
      ))}
      {saved.length > 0 && <div className="hk-ticket-views-title">{t('tickets.views.custom')}</div>}
      {saved.map((view) => (
        <div key={view.id} className="hk-ticket-view-row">
          <button
            type="button"
            className={sameFilters(view.filters, filters) ? 'hk-ticket-view hk-ticket-view-active' : 'hk-ticket-view'}
            onClick={() => onApply(view.filters)}
            data-testid="ticket-view-saved"
          >
            {view.name}
          </button>
          {(view.createdBy === me.id || can('tickets:manage')) && (
            <Tooltip title={t('tickets.views.delete')}>
              <Button
                type="text"
                size="small"
                icon={<DeleteOutlined />}
                aria-label={t('tickets.views.delete')}
                onClick={() => remove(view)}
              />
            </Tooltip>
          )}
        </div>
      ))}
    </nav>
  );
}

/** 保存为视图: names the current filters (shared with everyone when the user leads). */
export function SaveViewButton({ filters }: { filters: TicketFilters }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const create = useCreateView();
  const [isOpen, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string; isShared: boolean }>();
  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    create.mutate(
      { name: values.name.trim(), isShared: Boolean(values.isShared), filters: cleanFilters(filters) },
      {
        onSuccess: (view) => {
          void message.success(t('tickets.views.saved', { name: view.name }));
          setOpen(false);
          form.resetFields();
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };
  return (
    <>
      <Button icon={<SaveOutlined />} onClick={() => setOpen(true)} data-testid="ticket-view-save">
        {t('tickets.views.save')}
      </Button>
      <Modal
        open={isOpen}
        title={t('tickets.views.saveTitle')}
        onCancel={() => setOpen(false)}
        onOk={() => void submit()}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ isShared: false }}>
          <Form.Item
            name="name"
            label={t('tickets.views.name')}
            rules={[{ required: true, whitespace: true, message: t('tickets.views.nameRequired') }]}
          >
            <Input maxLength={60} placeholder={t('tickets.views.namePlaceholder')} data-testid="ticket-view-name" />
          </Form.Item>
          {can('tickets:manage') && (
            <Form.Item name="isShared" valuePropName="checked" extra={t('tickets.views.sharedHelp')}>
              <Checkbox>{t('tickets.views.shared')}</Checkbox>
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
