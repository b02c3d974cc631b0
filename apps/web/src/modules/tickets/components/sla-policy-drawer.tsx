import { rfmTiers, type SlaTarget, slaTargets, ticketSeverities } from '@huike/contracts';
import { Checkbox, Form, Input, InputNumber, Radio, Select, Space, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useUsers } from '../../identity/hooks/use-users.ts';
import { assignableRoles } from '../../identity/permissions.ts';
import type { SlaPolicy, SlaPolicyInput } from '../api/tickets-api.ts';
import { useCreateSlaPolicy, useTicketCategories, useUpdateSlaPolicy } from '../hooks/use-tickets.ts';
import { useCategoryName } from '../labels.tsx';

type Unit = 'minutes' | 'hours';
type Values = Omit<SlaPolicyInput, 'targets' | 'escalation'> & {
  targets: Record<SlaTarget, { value: number | null; unit: Unit }>;
  escalateTo?: string;
  raiseSeverity: boolean;
  notifySupervisors: boolean;
};

/** Minutes as the friendliest unit: whole hours in hours, the rest in minutes. */
export function splitMinutes(minutes: number | null | undefined): { value: number | null; unit: Unit } {
  if (minutes === null || minutes === undefined) return { value: null, unit: 'hours' };
  return minutes % 60 === 0 ? { value: minutes / 60, unit: 'hours' } : { value: minutes, unit: 'minutes' };
}

type Props = { open: boolean; policy?: SlaPolicy; onClose: () => void };

/** SLA 策略 editor: what it matches (分类 × 级别 × 客户等级), its three targets, hours mode, what a breach does. */
export function SlaPolicyDrawer({ open, policy, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const create = useCreateSlaPolicy();
  const update = useUpdateSlaPolicy();
  const categories = useTicketCategories();
  const categoryName = useCategoryName();
  const users = useUsers();
  const mutation = policy ? update : create;

  // biome-ignore lint/correctness/useExhaustiveDependencies: reset per opening; the mutations and the form are stable
  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    form.setFieldsValue({
      name: policy?.name ?? '',
      enabled: policy?.enabled ?? true,
      categories: policy?.categories ?? [],
      severities: policy?.severities ?? [],
      customerTiers: policy?.customerTiers ?? [],
      hours: policy?.hours ?? 'business',
      targets: {
        first_response: splitMinutes(policy ? policy.targets.first_response : 60),
        resolution: splitMinutes(policy ? policy.targets.resolution : 24 * 60),
        escalation: splitMinutes(policy?.targets.escalation),
      },
      escalateTo: policy?.escalation?.assigneeId ?? undefined,
      raiseSeverity: policy?.escalation?.raiseSeverity ?? false,
      notifySupervisors: policy?.escalation?.notifySupervisors ?? true,
    });
  }, [open, policy]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const minutes = (target: SlaTarget) => {
      const { value, unit } = values.targets[target];
      return value === null || value === undefined ? null : Math.round(unit === 'hours' ? value * 60 : value);
    };
    const input: SlaPolicyInput = {
      name: values.name.trim(),
      enabled: values.enabled,
      categories: values.categories ?? [],
      severities: values.severities ?? [],
      customerTiers: values.customerTiers ?? [],
      hours: values.hours,
      targets: {
        first_response: minutes('first_response'),
        resolution: minutes('resolution'),
        escalation: minutes('escalation'),
      },
      escalation: {
        assigneeId: values.escalateTo ?? null,
        raiseSeverity: values.raiseSeverity,
        notifySupervisors: values.notifySupervisors,
      },
    };
    const done = { onSuccess: () => onClose() };
    if (policy) update.mutate({ id: policy.id, input }, done);
    else create.mutate(input, done);
  };

  return (
    <FormDrawer
      open={open}
      title={policy ? t('tickets.slaSettings.edit') : t('tickets.slaSettings.create')}
      size={560}
      submitLabel={t('common.save')}
      submitTestId="sla-policy-submit"
      isSubmitting={mutation.isPending}
      error={mutation.error}
      onSubmit={() => void submit()}
      onClose={onClose}
    >
      <Form form={form} layout="vertical">
        <Form.Item
          name="name"
          label={t('tickets.slaSettings.name')}
          rules={[{ required: true, whitespace: true, message: t('tickets.slaSettings.nameRequired') }]}
        >
          <Input maxLength={80} placeholder={t('tickets.slaSettings.namePlaceholder')} data-testid="sla-policy-name" />
        </Form.Item>
        <Form.Item name="enabled" label={t('tickets.slaSettings.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <div className="hk-form-section">{t('tickets.slaSettings.match')}</div>
        <Form.Item name="categories" label={t('tickets.slaSettings.categories')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('tickets.slaSettings.anyCategory')}
            options={(categories.data ?? []).map((category) => ({
              value: category.key,
              label: categoryName(category.key),
            }))}
            data-testid="sla-policy-categories"
          />
        </Form.Item>
        <Form.Item name="severities" label={t('tickets.slaSettings.severities')}>
          <Checkbox.Group
            options={ticketSeverities.map((value) => ({ value, label: t(`tickets.severities.${value}`) }))}
          />
        </Form.Item>
        <Form.Item name="customerTiers" label={t('tickets.slaSettings.tiers')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('tickets.slaSettings.anyTier')}
            options={rfmTiers.map((value) => ({ value, label: t(`value.tiers.${value}`) }))}
          />
        </Form.Item>
        <div className="hk-form-section">
          {t('tickets.slaSettings.targets')}{' '}
          <span className="hk-muted hk-small">{t('tickets.slaSettings.targetsHelp')}</span>
        </div>
        {slaTargets.map((target) => (
          <Form.Item key={target} label={t(`tickets.sla.${target}`)} style={{ marginBottom: 12 }}>
            <Space.Compact>
              <Form.Item name={['targets', target, 'value']} noStyle>
                <InputNumber min={1} max={100_000} style={{ width: 140 }} data-testid={`sla-target-${target}`} />
              </Form.Item>
              <Form.Item name={['targets', target, 'unit']} noStyle>
                <Select
                  style={{ width: 90 }}
                  options={[
                    { value: 'minutes', label: t('tickets.slaSettings.unitMinutes') },
                    { value: 'hours', label: t('tickets.slaSettings.unitHours') },
                  ]}
                />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        ))}
        <Form.Item name="hours" label={t('tickets.slaSettings.hours')}>
          <Radio.Group
            options={[
              { value: 'business', label: t('tickets.slaSettings.business') },
              { value: 'calendar', label: t('tickets.slaSettings.calendar') },
            ]}
          />
        </Form.Item>
        <div className="hk-form-section">{t('tickets.slaSettings.escalation')}</div>
        <Form.Item name="escalateTo" label={t('tickets.slaSettings.escalateTo')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('tickets.slaSettings.escalateToPlaceholder')}
            options={(users.data ?? [])
              .filter((user) => !user.disabled && assignableRoles.includes(user.role))
              .map((user) => ({ value: user.id, label: user.name }))}
          />
        </Form.Item>
        <Space size={24}>
          <Form.Item name="raiseSeverity" valuePropName="checked" noStyle>
            <Checkbox>{t('tickets.slaSettings.raiseSeverity')}</Checkbox>
          </Form.Item>
          <Form.Item name="notifySupervisors" valuePropName="checked" noStyle>
            <Checkbox>{t('tickets.slaSettings.notifySupervisors')}</Checkbox>
          </Form.Item>
        </Space>
      </Form>
    </FormDrawer>
  );
}
