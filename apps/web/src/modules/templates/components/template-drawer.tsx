import {
  type CreateTemplateBody,
  TEMPLATE_CONTENT_MAX,
  type Template,
  type TemplateScope,
  type TemplateVariable,
  templateVariables,
  unknownTemplateVariables,
} from '@huike/contracts';
import { App, AutoComplete, Button, Form, type GetRef, Input, Radio, Select, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { AttachmentField, type StoredAttachment } from '../../../ui/attachment-field.tsx';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useCan } from '../../identity/hooks/use-session.ts';
import { useTeams } from '../../identity/hooks/use-users.ts';
import { useSegments } from '../../segments/hooks/use-segments.ts';
import { useCreateTemplate, useTemplateCategories, useUpdateTemplate } from '../hooks/use-templates.ts';
import { useVariableLabel } from '../variable-labels.ts';
import { TemplateContent } from './template-content.tsx';

type Values = {
  scope: TemplateScope;
  teamId?: string;
  category: string;
  title: string;
  content: string;
  segmentIds: string[];
  attachments: StoredAttachment[];
};

type Props = { open: boolean; template: Template | undefined; onClose: () => void };

type TextAreaRef = GetRef<typeof Input.TextArea>;

/** Create or edit a template: scope, category, title, content with a variable picker, and segment 话术 sets. */
export function TemplateDrawer({ open, template, onClose }: Props) {
  const { t } = useTranslation();
  const variableLabel = useVariableLabel();
  const { message } = App.useApp();
  const can = useCan();
  const canManage = can('templates:manage');
  const [form] = Form.useForm<Values>();
  const create = useCreateTemplate();
  const update = useUpdateTemplate();
  const teams = useTeams();
  const segments = useSegments();
  const categories = useTemplateCategories();
  const contentRef = useRef<TextAreaRef>(null);
  const scope = Form.useWatch('scope', form);
  const content = Form.useWatch('content', form) ?? '';

  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    form.setFieldsValue(
      template
        ? {
            scope: template.scope,
            teamId: template.teamId ?? undefined,
            category: template.category,
            title: template.title,
            content: template.content,
            segmentIds: template.segmentIds,
            attachments: template.attachments,
          }
        : {
            scope: canManage ? 'workspace' : 'personal',
            category: '',
            title: '',
            content: '',
            segmentIds: [],
            attachments: [],
          },
    );
  }, [open, template, form, canManage, create.reset, update.reset]);

  /** Puts `{{name}}` at the caret of the content box. */
  const insertVariable = (name: TemplateVariable) => {
    const element = contentRef.current?.resizableTextArea?.textArea;
    const current: string = form.getFieldValue('content') ?? '';
    const start = element?.selectionStart ?? current.length;
    const end = element?.selectionEnd ?? start;
    const token = `{{${name}}}`;
    form.setFieldValue('content', current.slice(0, start) + token + current.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const body = {
      category: values.category.trim() || t('templates.defaultCategory'),
      title: values.title.trim(),
      content: values.content,
      segmentIds: values.segmentIds ?? [],
      attachments: values.attachments ?? [],
    };
    const onSuccess = () => {
      void message.success(t('templates.saved', { title: body.title }));
      onClose();
    };
    if (template) {
      update.mutate(
        { id: template.id, input: { ...body, ...(template.scope === 'team' ? { teamId: values.teamId } : {}) } },
        { onSuccess },
      );
    } else {
      const input: CreateTemplateBody = {
        ...body,
        scope: values.scope,
        ...(values.scope === 'team' ? { teamId: values.teamId } : {}),
      };
      create.mutate(input, { onSuccess });
    }
  };

  const unknown = unknownTemplateVariables(content);
  const scopeOptions = (['workspace', 'team', 'personal'] as const).map((value) => ({
    value,
    label: t(`templates.scopes.${value}`),
    disabled: value !== 'personal' && !canManage,
  }));

  return (
    <FormDrawer
      open={open}
      title={template ? t('templates.editTitle') : t('templates.createTitle')}
      size={560}
      submitLabel={t('common.save')}
      submitTestId="template-save"
      isSubmitting={create.isPending || update.isPending}
      error={create.error ?? update.error}
      onSubmit={() => void submit()}
      onClose={onClose}
    >
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="scope" label={t('templates.scope')}>
          <Radio.Group options={scopeOptions} optionType="button" disabled={Boolean(template)} />
        </Form.Item>
        {scope === 'team' && (
          <Form.Item
            name="teamId"
            label={t('templates.team')}
            rules={[{ required: true, message: t('templates.teamRequired') }]}
          >
            <Select
              loading={teams.isPending}
              options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
              data-testid="template-team"
            />
          </Form.Item>
        )}
        <Form.Item name="category" label={t('templates.category')}>
          <AutoComplete
            options={(categories.data ?? []).map((category) => ({ value: category.name }))}
            placeholder={t('templates.categoryPlaceholder')}
            filterOption={(input, option) => String(option?.value ?? '').includes(input)}
            maxLength={40}
            data-testid="template-category"
          />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('templates.titleLabel')}
          rules={[{ required: true, whitespace: true, message: t('templates.titleRequired') }]}
        >
          <Input maxLength={60} placeholder={t('templates.titlePlaceholder')} data-testid="template-title" />
        </Form.Item>
        <div className="hk-field-label">{t('templates.variables')}</div>
        <div className="hk-variable-picker" data-testid="template-variables">
          {templateVariables.map((name) => (
            <Button
              key={name}
              size="small"
              type="dashed"
              onClick={() => insertVariable(name)}
              title={`{{${name}}}`}
              data-variable={name}
            >
              + {variableLabel(name)}
            </Button>
          ))}
        </div>
        <Form.Item
          name="content"
          label={t('templates.content')}
          rules={[
            { required: true, whitespace: true, message: t('templates.contentRequired') },
            {
              validator: (_rule, value: string | undefined) => {
                const names = unknownTemplateVariables(value ?? '');
                return names.length > 0
                  ? Promise.reject(new Error(t('templates.unknownVariables', { names: names.join('、') })))
                  : Promise.resolve();
              },
            },
          ]}
        >
          <Input.TextArea
            ref={contentRef}
            autoSize={{ minRows: 4, maxRows: 12 }}
            maxLength={TEMPLATE_CONTENT_MAX}
            showCount
            placeholder={t('templates.contentPlaceholder')}
            data-testid="template-content"
          />
        </Form.Item>
        {content.trim() && unknown.length === 0 && (
          <div className="hk-template-preview" data-testid="template-preview">
            <Typography.Text type="secondary">{t('templates.preview')}</Typography.Text>
            <div>
              <TemplateContent content={content} />
            </div>
          </div>
        )}
        <Form.Item name="segmentIds" label={t('templates.segments')} extra={t('templates.segmentsHelp')}>
          <Select
            mode="multiple"
            allowClear
            loading={segments.isPending}
            placeholder={t('templates.segmentsPlaceholder')}
            options={(segments.data ?? []).map((segment) => ({ value: segment.id, label: segment.name }))}
            optionFilterProp="label"
            data-testid="template-segments"
          />
        </Form.Item>
        <Form.Item name="attachments" label={t('attachments.templateField')} extra={t('attachments.accepted')}>
          <AttachmentField testId="template-attachments" />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
