import { type TicketSeverity, ticketSeverities } from '@huike/contracts';
import { useQuery } from '@tanstack/react-query';
import { Form, Input, Radio, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GuardedFormDrawer } from '../../../ui/guarded-form-drawer.tsx';
import { customersApi } from '../../customers/api/customers-api.ts';
import { customerName } from '../../customers/components/customers-table.tsx';
import { useCurrentUser } from '../../identity/hooks/use-session.ts';
import { useTeams, useUsers } from '../../identity/hooks/use-users.ts';
import { assignableRoles } from '../../identity/permissions.ts';
import { useCustomerOrders } from '../../orders/hooks/use-orders.ts';
import { formatFen } from '../../orders/money.ts';
import type { TicketRow } from '../api/tickets-api.ts';
import { useCreateTicket, useTicketCategories } from '../hooks/use-tickets.ts';
import { useCategoryName } from '../labels.tsx';

export type TicketPrefill = {
  customerId?: string;
  customerName?: string | null;
  conversationId?: string;
  subject?: string;
  description?: string;
  orderIds?: string[];
  category?: string;
};

type Values = {
  subject: string;
  description?: string;
  category: string;
  severity: TicketSeverity;
  customerId?: string;
  orderIds?: string[];
  assigneeId?: string;
  teamId?: string;
  watcherIds?: string[];
};

type Props = {
  open: boolean;
  prefill?: TicketPrefill;
  onClose: () => void;
  onCreated: (ticket: TicketRow) => void;
};

function CustomerPicker({
  value,
  onChange,
  initialLabel,
}: {
  value?: string;
  onChange?: (value: string | undefined) => void;
  initialLabel?: string | null;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['customers', 'list', { q, limit: 10, picker: true }],
    queryFn: ({ signal }) => customersApi.list({ q: q || undefined, limit: 10 }, signal),
    enabled: q.trim().length > 0,
  });
  const options = (found.data?.items ?? []).map((customer) => ({
    value: customer.id,
    label: customerName(customer, t('customer.anonymous')),
  }));
  if (value && !options.some((option) => option.value === value))
    options.unshift({ value, label: initialLabel || t('customer.anonymous') });
  return (
    <Select<string>
      allowClear
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={(next) => onChange?.(next)}
      placeholder={t('tickets.form.customerPlaceholder')}
      options={options}
      loading={found.isFetching}
      data-testid="ticket-form-customer"
    />
  );
}

/** The customer's orders to link (number · status · amount). */
export function OrderPicker({
  customerId,
  value,
  onChange,
}: {
  customerId?: string;
  value?: string[];
  onChange?: (value: string[]) => void;
}) {
  const { t } = useTranslation();
  const orders = useCustomerOrders(customerId);
  const items = customerId ? (orders.data?.pages.flatMap((page) => page.items) ?? []) : [];
  return (
    <Select<string[]>
      mode="multiple"
      allowClear
      style={{ width: '100%' }}
      disabled={!customerId}
      value={value}
      onChange={(next) => onChange?.(next)}
      placeholder={t('tickets.form.ordersPlaceholder')}
      loading={Boolean(customerId) && orders.isPending}
      options={items.map((order) => ({
        value: order.id,
        label: `${order.orderNo} · ${t(`orders.statuses.${order.status}`)} · ${formatFen(order.amountFen)}`,
      }))}
      data-testid="ticket-form-orders"
    />
  );
}

/** 新建工单: subject, category, severity, customer + orders, assignee (the creator by default), watchers. */
export function TicketCreateDrawer({ open, prefill, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const create = useCreateTicket();
  const me = useCurrentUser();
  const users = useUsers();
  const teams = useTeams();
  const categories = useTicketCategories();
  const categoryName = useCategoryName();
  const customerId = Form.useWatch('customerId', form);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reset per opening; the mutation and the form are stable
  useEffect(() => {
    if (!open) return;
    create.reset();
    form.setFieldsValue({
      subject: prefill?.subject ?? '',
      description: prefill?.description ?? '',
      category: prefill?.category ?? 'inquiry',
      severity: 'normal',
      customerId: prefill?.customerId,
      orderIds: prefill?.orderIds ?? [],
      assigneeId: assignableRoles.includes(me.role) ? me.id : undefined,
      teamId: undefined,
      watcherIds: [],
    });
  }, [open, prefill, me.id, me.role]);

  const agents = (users.data ?? []).filter((user) => !user.disabled && assignableRoles.includes(user.role));

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    create.mutate(
      {
        subject: values.subject.trim(),
        description: values.description?.trim() ?? '',
        category: values.category,
        severity: values.severity,
        customerId: values.customerId ?? null,
        conversationId: prefill?.conversationId ?? null,
        orderIds: values.orderIds ?? [],
        assigneeId: values.assigneeId ?? null,
        teamId: values.teamId ?? null,
        watcherIds: values.watcherIds ?? [],
      },
      { onSuccess: (ticket) => onCreated(ticket) },
    );
  };

  return (
    <GuardedFormDrawer
      open={open}
      title={prefill?.conversationId ? t('tickets.form.fromConversationTitle') : t('tickets.form.createTitle')}
      size={560}
      submitLabel={t('tickets.form.submit')}
      submitTestId="ticket-form-submit"
      isSubmitting={create.isPending}
      error={create.error}
      onSubmit={() => void submit()}
      onClose={onClose}
      isDirty={() => form.isFieldsTouched()}
    >
      <Form form={form} layout="vertical" requiredMark="optional">
        <Form.Item
          name="subject"
          label={t('tickets.form.subject')}
          rules={[{ required: true, whitespace: true, message: t('tickets.form.subjectRequired') }]}
        >
          <Input maxLength={200} placeholder={t('tickets.form.subjectPlaceholder')} data-testid="ticket-form-subject" />
        </Form.Item>
        <Form.Item name="category" label={t('tickets.form.category')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            size="small"
            options={(categories.data ?? [])
              .filter((category) => !category.archived)
              .map((category) => ({ value: category.key, label: categoryName(category.key) }))}
            data-testid="ticket-form-category"
          />
        </Form.Item>
        <Form.Item name="severity" label={t('tickets.form.severity')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            size="small"
            options={ticketSeverities.map((value) => ({ value, label: t(`tickets.severities.${value}`) }))}
            data-testid="ticket-form-severity"
          />
        </Form.Item>
        <Form.Item name="customerId" label={t('tickets.form.customer')}>
          <CustomerPicker initialLabel={prefill?.customerName} />
        </Form.Item>
        <Form.Item name="orderIds" label={t('tickets.form.orders')}>
          <OrderPicker customerId={customerId} />
        </Form.Item>
        <Form.Item name="description" label={t('tickets.form.description')}>
          <Input.TextArea
            rows={4}
            maxLength={5000}
            placeholder={t('tickets.form.descriptionPlaceholder')}
            data-testid="ticket-form-description"
          />
        </Form.Item>
        <Form.Item name="assigneeId" label={t('tickets.form.assignee')} extra={t('tickets.form.assigneeHelp')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={agents.map((user) => ({ value: user.id, label: user.name }))}
            data-testid="ticket-form-assignee"
          />
        </Form.Item>
        {(teams.data ?? []).length > 0 && (
          <Form.Item name="teamId" label={t('tickets.form.team')}>
            <Select allowClear options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))} />
          </Form.Item>
        )}
        <Form.Item name="watcherIds" label={t('tickets.form.watchers')}>
          <Select
            mode="multiple"
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={(users.data ?? [])
              .filter((user) => !user.disabled)
              .map((user) => ({ value: user.id, label: user.name }))}
          />
        </Form.Item>
      </Form>
    </GuardedFormDrawer>
  );
}
