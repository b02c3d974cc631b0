import type { WebhookEvent } from '@huike/contracts';
import { Checkbox, Form, Input, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { applyServerFieldErrors } from '../../../ui/form-errors.ts';
import type { WebhookEndpoint } from '../api/webhooks-api.ts';
import { eventGroups, eventLabel } from '../events.ts';
import { useCreateWebhook, useUpdateWebhook } from '../hooks/use-webhooks.ts';

type Values = { url: string; description: string; events: WebhookEvent[]; enabled: boolean };

type Props = {
  open: boolean;
  /** Absent: a new endpoint. */
  endpoint?: WebhookEndpoint;
  onClose: () => void;
  onSaved: (endpoint: WebhookEndpoint, isNew: boolean) => void;
};

/** The events of one group with a 全选 box in front. */
function EventGroupChecks({
  value = [],
  onChange,
}: {
  value?: WebhookEvent[];
  onChange?: (value: WebhookEvent[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="hk-stack-tight" data-testid="webhook-events">
      {eventGroups.map((group) => {
        const checked = group.events.filter((event) => value.includes(event));
        const others = value.filter((event) => !group.events.includes(event));
        return (
          <div key={group.key} style={{ display: 'flex', gap: 12, alignItems: 'baseline', flexWrap: 'wrap' }}>
            <Checkbox
              style={{ minWidth: 88, fontWeight: 500 }}
              checked={checked.length === group.events.length}
              indeterminate={checked.length > 0 && checked.length < group.events.length}
              onChange={(event) => onChange?.(event.target.checked ? [...others, ...group.events] : others)}
              data-testid={`webhook-group-${group.key}`}
            >
              {t(`webhooks.groups.${group.key}`)}
            </Checkbox>
            <Checkbox.Group
              value={checked}
              onChange={(next) => onChange?.([...others, ...(next as WebhookEvent[])])}
              options={group.events.map((event) => ({
                value: event,
                label: <span data-testid={`webhook-event-${event}`}>{eventLabel(t, event)}</span>,
              }))}
            />
          </div>
        );
      })}
    </div>
  );
}

/** Create or edit a webhook endpoint: URL, 描述, subscribed events, 启用. */
export function WebhookDrawer({ open, endpoint, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const mutation = endpoint ? update : create;

  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    form.resetFields();
    form.setFieldsValue(
      endpoint
        ? { url: endpoint.url, description: endpoint.description, events: endpoint.events, enabled: endpoint.enabled }
        : { url: '', description: '', events: ['message.created', 'conversation.resolved'], enabled: true },
    );
  }, [open, endpoint, form, create.reset, update.reset]);

  const submit = (values: Values) => {
    const input = {
      url: values.url.trim(),
      description: (values.description ?? '').trim(),
      events: values.events,
      enabled: values.enabled,
    };
    const onError = (error: unknown) => applyServerFieldErrors(form, error);
    if (endpoint) {
      update.mutate({ id: endpoint.id, input }, { onSuccess: (saved) => onSaved(saved, false), onError });
    } else {
      create.mutate(input, { onSuccess: (saved) => onSaved(saved, true), onError });
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={560}
      title={endpoint ? t('webhooks.editTitle') : t('webhooks.createTitle')}
      submitLabel={endpoint ? t('webhooks.save') : t('webhooks.create')}
      submitTestId="webhook-submit"
      isSubmitting={mutation.isPending}
      error={mutation.isError ? mutation.error : undefined}
      onSubmit={() => form.submit()}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="url"
          label={t('webhooks.url')}
          extra={t('webhooks.urlHelp')}
          rules={[
            { required: true, whitespace: true, message: t('webhooks.urlRequired') },
            { type: 'url', message: t('webhooks.urlInvalid') },
            { max: 2000 },
          ]}
        >
          <Input placeholder="https://erp.example.com/huike/webhook" data-testid="webhook-url" />
        </Form.Item>
        <Form.Item name="description" label={t('webhooks.description')} rules={[{ max: 200 }]}>
          <Input placeholder={t('webhooks.descriptionPlaceholder')} maxLength={200} data-testid="webhook-description" />
        </Form.Item>
        <Form.Item
          name="events"
          label={t('webhooks.eventsLabel')}
          rules={[{ required: true, type: 'array', min: 1, message: t('webhooks.eventsRequired') }]}
        >
          <EventGroupChecks />
        </Form.Item>
        <Form.Item
          name="enabled"
          label={t('webhooks.enabled')}
          valuePropName="checked"
          extra={t('webhooks.enabledHelp')}
        >
          <Switch data-testid="webhook-enabled" />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
