import { rfmTiers, type SlaTarget, slaTargets, ticketSeverities } from '@huike/contracts';
import { Checkbox, Form, type FormRule, Input, InputNumber, Radio, Select, Space, Switch } from 'antd';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { applyServerFieldErrors } from '../../../ui/form-errors.ts';
import { GuardedFormDrawer } from '../../../ui/guarded-form-drawer.tsx';
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

const MAX_TARGET_MINUTES = 60 * 24 * 365;

/** A target in minutes, or null when empty (no such clock). Not rounded: validation refuses what is not whole. */
function targetMinutes(value: number | null | undefined, unit: Unit): number | null {
  if (value === null || value === undefined) return null;
  return unit === 'hours' ? value * 60 : value;
}

/**
 * The rules of one target's number: empty, or a whole number of minutes / hours above 0 and within a year; at least
 * one target; and 首次响应 no longer than 解决 (the server refuses both too). Shown under the field, never clamped.
 */
function targetRules(target: SlaTarget, t: TFunction): FormRule[] {
  const path = (name: SlaTarget, part: 'value' | 'unit') => ['targets', name, part];
  return [
    ({ getFieldValue }) => ({
      validator: async (_: unknown, value: number | null | undefined) => {
        const unit = getFieldValue(path(target, 'unit')) as Unit;
        if (value === null || value === undefined) {
          const anySet = slaTargets.some((other) => getFieldValue(path(other, 'value')) != null);
          if (target === 'first_response' && !anySet) throw new Error(t('tickets.slaSettings.targetRequired'));
          return;
        }
        if (!Number.isInteger(value) || value <= 0) throw new Error(t('tickets.slaSettings.targetInvalid'));
        const minutes = targetMinutes(value, unit) ?? 0;
        if (minutes > MAX_TARGET_MINUTES) throw new Error(t('tickets.slaSettings.targetTooLong'));
        if (target === 'first_response') {
          const resolution = targetMinutes(
            getFieldValue(path('resolution', 'value')),
            getFieldValue(path('resolution', 'unit')),
          );
          if (resolution !== null && minutes > resolution)
            throw new Error(t('tickets.slaSettings.firstResponseTooLong'));
        }
      },
    }),
  ];
}

/** What a target's check depends on: its unit, and for 首次响应 the other targets. */
const targetDependencies = (target: SlaTarget) =>
  target === 'first_response'
    ? slaTargets.flatMap((name) => [
        ['targets', name, 'value'],
        ['targets', name, 'unit'],
      ])
    : [['targets', target, 'unit']];

/** Where the server's errors about targets go: under the number of that target. */
const serverErrorFields: Record<string, (string | number)[]> = {
  targets: ['targets', 'first_response', 'value'],
  'targets.first_response': ['targets', 'first_response', 'value'],
  'targets.resolution': ['targets', 'resolution', 'value'],
  'targets.escalation': ['targets', 'escalation', 'value'],
};

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
  // The server's refusal shown at its fields, so the banner above the form is not needed too.
  const [errorIsAtFields, setErrorIsAtFields] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reset per opening; the mutations and the form are stable
  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    setErrorIsAtFields(false);
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
    const minutes = (target: SlaTarget) => targetMinutes(values.targets[target].value, values.targets[target].unit);
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
    const done = {
      onSuccess: () => onClose(),
      onError: (error: unknown) => setErrorIsAtFields(applyServerFieldErrors(form, error, serverErrorFields)),
    };
    if (policy) update.mutate({ id: policy.id, input }, done);
    else create.mutate(input, done);
  };

  return (
    <GuardedFormDrawer
      open={open}
      title={policy ? t('tickets.slaSettings.edit') : t('tickets.slaSettings.create')}
      size={560}
      submitLabel={t('common.save')}
      submitTestId="sla-policy-submit"
      isSubmitting={mutation.isPending}
      error={errorIsAtFields ? null : mutation.error}
      onSubmit={() => void submit()}
      onClose={onClose}
      isDirty={() => form.isFieldsTouched()}
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
              <Form.Item
                name={['targets', target, 'value']}
                noStyle
                rules={targetRules(target, t)}
                dependencies={targetDependencies(target)}
              >
                <InputNumber<number> style={{ width: 140 }} data-testid={`sla-target-${target}`} />
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
    </GuardedFormDrawer>
  );
}
