import { type CreateCustomFieldBody, type CustomFieldDefinition, customFieldTypes } from '@huike/contracts';
import { App, Form, Input, Select, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { pinyinInitials } from '../../tags/pinyin.ts';
import { useSaveCustomField } from '../hooks/use-customers.ts';

type Props = {
  open: boolean;
  /** The definition being edited; undefined creates a new one. */
  field: CustomFieldDefinition | undefined;
  nextPosition: number;
  onClose: () => void;
};

type Values = { label: string; key: string; type: CreateCustomFieldBody['type']; options: string[]; required: boolean };

/** A key suggested from the label: 会员等级 → "hydj" (admins may type their own). */
const suggestKey = (label: string) => {
  const key = pinyinInitials(label.trim())
    .replace(/[^a-z0-9_]/g, '')
    .slice(0, 40);
  return /^[a-z]/.test(key) ? key : key ? `f_${key}`.slice(0, 40) : '';
};

export function CustomFieldDrawer({ open, field, nextPosition, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveCustomField();
  const type = Form.useWatch('type', form);
  const isSelect = type === 'single_select' || type === 'multi_select';

  useEffect(() => {
    if (!open) return;
    save.reset();
    form.setFieldsValue(
      field
        ? { label: field.label, key: field.key, type: field.type, options: field.options, required: field.required }
        : { label: '', key: '', type: 'text', options: [], required: false },
    );
  }, [open, field, form, save.reset]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const input: CreateCustomFieldBody = {
      label: values.label.trim(),
      key: values.key.trim(),
      type: values.type,
      options: isSelect ? values.options : undefined,
      required: values.required,
      ...(field ? {} : { position: nextPosition }),
    };
    save.mutate(
      { id: field?.id, input },
      {
        onSuccess: () => {
          void message.success(t(field ? 'fields.savedDone' : 'fields.createdDone', { label: input.label }));
          onClose();
        },
      },
    );
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={480}
      title={field ? t('fields.editTitle') : t('fields.createTitle')}
      submitLabel={field ? t('common.save') : t('fields.create')}
      submitTestId="field-submit"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit()}
    >
      <Form<Values> form={form} layout="vertical" requiredMark="optional">
        <Form.Item
          name="label"
          label={t('fields.label')}
          rules={[{ required: true, whitespace: true, message: t('fields.labelRequired') }]}
        >
          <Input
            maxLength={50}
            placeholder={t('fields.labelPlaceholder')}
            data-testid="field-label"
            onChange={(event) => {
              if (!field && !form.isFieldTouched('key')) form.setFieldValue('key', suggestKey(event.target.value));
            }}
          />
        </Form.Item>
        <Form.Item
          name="key"
          label={t('fields.key')}
          extra={field ? t('fields.keyFixed') : t('fields.keyHelp')}
          rules={[
            { required: true, message: t('fields.keyRequired') },
            { pattern: /^[a-z][a-z0-9_]{0,39}$/, message: t('fields.keyInvalid') },
          ]}
        >
          <Input disabled={Boolean(field)} className="hk-mono" data-testid="field-key" />
        </Form.Item>
        <Form.Item name="type" label={t('fields.type')} extra={field ? t('fields.typeFixed') : undefined}>
          <Select
            disabled={Boolean(field)}
            options={customFieldTypes.map((value) => ({ value, label: t(`fields.types.${value}`) }))}
            data-testid="field-type"
          />
        </Form.Item>
        {isSelect && (
          <Form.Item
            name="options"
            label={t('fields.options')}
            extra={t('fields.optionsHelp')}
            rules={[{ required: true, type: 'array', min: 1, message: t('fields.optionsRequired') }]}
          >
            <Select mode="tags" open={false} tokenSeparators={[',', '，', '\n']} data-testid="field-options" />
          </Form.Item>
        )}
        <Form.Item
          name="required"
          label={t('fields.required')}
          valuePropName="checked"
          extra={t('fields.requiredHelp')}
        >
          <Switch />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
